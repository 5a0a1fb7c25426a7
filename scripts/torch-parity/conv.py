"""PyTorch cases for the convolution modules (tests/parity/cases/conv.json): Conv1d, Conv2d and
ConvTranspose2d over their options, and a small CNN, with PyTorch's parameters loaded and the
output, the input gradient and every parameter gradient compared (tests/parity/conv.test.ts)."""
import torch
from common import Gen, enc, module_case, write

nn = torch.nn


def conv_terms(module, out):
    """The longest sum of a convolution model: a patch (output, input gradient) or the batch's
    pixels (weight and bias gradients)."""
    patch = max(p.shape[1:].numel() * (p.shape[0] if isinstance(m, nn.ConvTranspose2d) else 1)
                for m in module.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d))
                for p in [m.weight])
    pixels = out.shape[0] * (out.shape[2:].numel() if out.dim() > 2 else 1)
    return int(max(patch + 1, pixels, 16))


def spec(name, *args, **options):
    return {"name": name, "args": [*args, options] if options else list(args)}


def conv2d_cases(cases, g):
    rows = [
        ("basic", (3, 4, 3), {}, (2, 3, 6, 7)),
        ("stride-pad-dilation-groups", (2, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}, (2, 2, 7, 8)),
        ("depthwise-same-nobias", (4, 4, 3), {"padding": "same", "dilation": 2, "groups": 4, "bias": False}, (2, 4, 6, 5)),
        ("same-even-kernel", (3, 5, 4), {"padding": "same"}, (1, 3, 6, 6)),
        ("pointwise", (3, 5, 1), {}, (2, 3, 4, 5)),
        ("valid-stride2", (2, 3, 3), {"padding": "valid", "stride": 2}, (2, 2, 9, 8)),
        ("unbatched", (2, 3, 3), {"padding": 1}, (2, 5, 5)),
    ]
    for name, args, o, shape in rows:
        torch_o = {k: v for k, v in o.items()}
        ours = {k: (list(v) if isinstance(v, tuple) else v) for k, v in o.items()}
        a = [list(v) if isinstance(v, tuple) else v for v in args]
        module_case(cases, f"module/Conv2d/{name}", spec("Conv2d", *a, **ours), nn.Conv2d(*args, **torch_o), g.randn(*shape), g, terms=conv_terms)


def conv1d_cases(cases, g):
    rows = [
        ("stride-pad", (3, 4, 3), {"stride": 2, "padding": 1}, (2, 3, 11)),
        ("same-groups", (4, 6, 4), {"padding": "same", "groups": 2}, (2, 4, 9)),
        ("dilation-nobias", (2, 3, 5), {"dilation": 2, "bias": False}, (3, 2, 12)),
    ]
    for name, args, o, shape in rows:
        module_case(cases, f"module/Conv1d/{name}", spec("Conv1d", *args, **o), nn.Conv1d(*args, **o), g.randn(*shape), g, terms=conv_terms)


def conv_transpose2d_cases(cases, g):
    rows = [
        ("stride-outpad", (3, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 4, 5)),
        ("groups-dilation", (4, 6, (2, 3)), {"stride": (1, 2), "groups": 2, "dilation": (2, 1)}, (2, 4, 3, 4)),
        ("nobias", (2, 3, 3), {"bias": False}, (1, 2, 4, 4)),
    ]
    camel = {"output_padding": "outputPadding"}
    for name, args, o, shape in rows:
        ours = {camel.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in o.items()}
        a = [list(v) if isinstance(v, tuple) else v for v in args]
        module_case(cases, f"module/ConvTranspose2d/{name}", spec("ConvTranspose2d", *a, **ours), nn.ConvTranspose2d(*args, **o), g.randn(*shape), g, terms=conv_terms)


def cnn_cases(cases, g):
    ctor = spec("Sequential", spec("Conv2d", 1, 4, 3, padding=1), spec("ReLU"), spec("Conv2d", 4, 8, 3, padding=1, stride=2),
                spec("ReLU"), spec("Flatten"), spec("Linear", 8 * 9, 5))
    module = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, padding=1, stride=2), nn.ReLU(),
                           nn.Flatten(), nn.Linear(8 * 9, 5))
    module_case(cases, "module/cnn", ctor, module, g.randn(3, 1, 6, 6), g, terms=conv_terms)


def main():
    cases, g = [], Gen(13)
    for f in [conv2d_cases, conv1d_cases, conv_transpose2d_cases, cnn_cases]:
        f(cases, g)
    write("tests/parity/cases/conv.json", cases)


if __name__ == "__main__":
    main()
