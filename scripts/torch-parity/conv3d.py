"""PyTorch cases for the 3-d convolution family (tests/parity/cases/conv3d.json): F.conv3d,
F.conv_transpose3d, the 3-d max, average and adaptive pools as functional calls, and Conv3d,
ConvTranspose3d, the pooling modules, BatchNorm3d, InstanceNorm3d and a small volume CNN as
modules with PyTorch's parameters (and running statistics) loaded; outputs, input and parameter
gradients, and the state after the forward are compared by tests/parity/conv3d.test.ts."""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, write
from pool_norm import module_case

nn = torch.nn


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def spec(name, *args, **options):
    return {"name": name, "args": [*args, options] if options else list(args)}


def listed(v):
    return list(v) if isinstance(v, tuple) else v


CAMEL = {"output_padding": "outputPadding", "ceil_mode": "ceilMode", "count_include_pad": "countIncludePad",
         "divisor_override": "divisorOverride", "return_indices": "returnIndices", "track_running_stats": "trackRunningStats"}


def ours(o):
    return {CAMEL.get(k, k): listed(v) for k, v in o.items()}


def conv_terms(weight_shape, out_shape, transposed, groups=1):
    """The longest sum: a patch (output, input gradient) or every output position (weight gradient)."""
    patch = weight_shape[1:].numel() * (weight_shape[0] // groups if transposed else 1)
    return int(max(patch + 1, out_shape[0] * out_shape[2:].numel(), 16))


def conv3d_calls(cases, g):
    rows = [
        ("basic", (1, 3, 4, 5, 4), (4, 3, 3, 3, 3), {}),
        ("stride-pad-dilation-groups", (2, 4, 5, 6, 5), (6, 2, 3, 2, 3), {"stride": (2, 1, 2), "padding": (1, 0, 1), "dilation": (1, 2, 1), "groups": 2}),
        ("same-even-kernel", (1, 2, 4, 4, 5), (3, 2, 2, 4, 3), {"padding": "same"}),
        ("valid-nobias", (2, 2, 4, 4, 3), (3, 2, 2, 2, 2), {"padding": "valid", "stride": 2}),
        ("unbatched", (3, 3, 4, 4), (2, 3, 3, 3, 3), {"padding": 1}),
    ]
    for name, xs, ws, o in rows:
        x, w = g.randn(*xs), g.randn(*ws)
        bias = None if "nobias" in name else g.randn(ws[0])
        inputs = {"x": (x, True), "w": (w, True)} | ({"b": (bias, True)} if bias is not None else {})
        out = TF.conv3d(x, w, bias, **o)
        terms = conv_terms(w.shape, out.shape if out.dim() == 5 else out.unsqueeze(0).shape, False)
        call_case(cases, f"conv3d/{name}", F("conv3d", T("x"), T("w"), T("b") if bias is not None else None, ours(o)), inputs,
                  lambda x, w, b=None, o=o: TF.conv3d(x, w, b, **o), terms=terms, gen=g)


def conv_transpose3d_calls(cases, g):
    rows = [
        ("stride-outpad", (2, 3, 3, 4, 3), (3, 2, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
        ("groups-dilation", (2, 4, 3, 3, 4), (4, 2, 2, 3, 2), {"stride": (1, 2, 2), "groups": 2, "dilation": (2, 1, 1), "output_padding": (1, 1, 0)}),
        ("unbatched", (2, 3, 2, 3), (2, 3, 2, 2, 2), {"padding": (1, 0, 0)}),
    ]
    for name, xs, ws, o in rows:
        x, w = g.randn(*xs), g.randn(*ws)
        b = g.randn(ws[1] * o.get("groups", 1))
        out = TF.conv_transpose3d(x, w, b, **o)
        terms = conv_terms(w.shape, out.shape if out.dim() == 5 else out.unsqueeze(0).shape, True, o.get("groups", 1))
        call_case(cases, f"convTranspose3d/{name}", F("convTranspose3d", T("x"), T("w"), T("b"), ours(o)),
                  {"x": (x, True), "w": (w, True), "b": (b, True)}, lambda x, w, b, o=o: TF.conv_transpose3d(x, w, b, **o), terms=terms, gen=g)


def pool_calls(cases, g):
    x = g.randn(1, 2, 4, 5, 6)
    maxes = [
        ("k2", 2, {}),
        ("k3s2p1-ceil", 3, {"stride": 2, "padding": 1, "ceil_mode": True}),
        ("triples-dilation", (2, 3, 2), {"stride": (1, 2, 2), "padding": (1, 1, 0), "dilation": (2, 1, 3)}),
        ("indices", 3, {"stride": 2, "padding": 1, "return_indices": True}),
    ]
    for name, k, o in maxes:
        call_case(cases, f"maxPool3d/{name}", F("maxPool3d", T("x"), listed(k), ours(o)), {"x": (x, True)},
                  lambda x, k=k, o=o: TF.max_pool3d(x, k, **o), gen=g)
    call_case(cases, "maxPool3d/unbatched", F("maxPool3d", T("x"), 2, {"stride": 1}), {"x": (g.randn(3, 4, 3, 5), True)},
              lambda x: TF.max_pool3d(x, 2, 1), gen=g)
    avgs = [
        ("k3s2p1", 3, {"stride": 2, "padding": 1}),
        ("exclude-pad", 3, {"stride": 2, "padding": 1, "count_include_pad": False}),
        ("ceil", (3, 2, 3), {"stride": 2, "padding": 1, "ceil_mode": True}),
        ("ceil-exclude", 3, {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}),
        ("divisor", 2, {"divisor_override": 3}),
    ]
    for name, k, o in avgs:
        call_case(cases, f"avgPool3d/{name}", F("avgPool3d", T("x"), listed(k), ours(o)), {"x": (x, True)},
                  lambda x, k=k, o=o: TF.avg_pool3d(x, k, **o), terms=27, gen=g)
    for size in [(3, 4, 2), (2, None, 5), 1]:
        sid = "x".join(str(s) for s in (size if isinstance(size, tuple) else [size]))
        call_case(cases, f"adaptiveAvgPool3d/{sid}", F("adaptiveAvgPool3d", T("x"), listed(size)), {"x": (x, True)},
                  lambda x, s=size: TF.adaptive_avg_pool3d(x, s), terms=120, gen=g)
        call_case(cases, f"adaptiveMaxPool3d/{sid}", F("adaptiveMaxPool3d", T("x"), listed(size)), {"x": (x, True)},
                  lambda x, s=size: TF.adaptive_max_pool3d(x, s), gen=g)
    call_case(cases, "adaptiveMaxPool3d/indices", F("adaptiveMaxPool3d", T("x"), [3, 4, 2], {"returnIndices": True}), {"x": (x, True)},
              lambda x: TF.adaptive_max_pool3d(x, (3, 4, 2), return_indices=True), gen=g)


def conv_modules(cases, g):
    rows = [
        ("Conv3d", "basic", (3, 4, 3), {}, (2, 3, 4, 4, 3)),
        ("Conv3d", "stride-pad-groups-nobias", (4, 6, (3, 2, 2)), {"stride": (2, 1, 1), "padding": (1, 0, 1), "groups": 2, "bias": False}, (2, 4, 4, 4, 3)),
        ("Conv3d", "same-dilation", (2, 3, 3), {"padding": "same", "dilation": (1, 2, 1)}, (1, 2, 4, 5, 4)),
        ("ConvTranspose3d", "stride-outpad", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 3, 2, 3)),
        ("ConvTranspose3d", "groups-dilation", (4, 6, (2, 3, 2)), {"stride": (1, 2, 1), "groups": 2, "dilation": (2, 1, 1)}, (2, 4, 3, 3, 4)),
    ]
    for cls, name, args, o, shape in rows:
        module = getattr(nn, cls)(*args, **o)
        x = g.randn(*shape)
        with torch.no_grad():
            out = module(x)
        terms = conv_terms(module.weight.shape, out.shape, cls == "ConvTranspose3d", module.groups)
        module_case(cases, f"module/{cls}/{name}", spec(cls, *[listed(a) for a in args], **ours(o)), module, x, g, terms=terms)


def pool_norm_modules(cases, g):
    x = g.randn(1, 2, 5, 4, 6)
    module_case(cases, "module/MaxPool3d", spec("MaxPool3d", 3, stride=2, padding=1, ceilMode=True), nn.MaxPool3d(3, 2, 1, ceil_mode=True), x, g)
    module_case(cases, "module/AvgPool3d", spec("AvgPool3d", [3, 2, 3], stride=2, padding=1, countIncludePad=False),
                nn.AvgPool3d((3, 2, 3), 2, 1, count_include_pad=False), x, g, terms=27)
    module_case(cases, "module/AdaptiveAvgPool3d", spec("AdaptiveAvgPool3d", [4, None, 3]), nn.AdaptiveAvgPool3d((4, None, 3)), x, g, terms=16)
    module_case(cases, "module/AdaptiveMaxPool3d", spec("AdaptiveMaxPool3d", 2), nn.AdaptiveMaxPool3d(2), x, g)
    stats = lambda c: {"running_mean": g.randn(c), "running_var": g.rand(c, lo=0.5, hi=2.0)}
    xb = g.randn(3, 3, 2, 3, 4, scale=1.5) + 0.5
    module_case(cases, "module/BatchNorm3d/train", spec("BatchNorm3d", 3, momentum=0.2), nn.BatchNorm3d(3, momentum=0.2), xb, g, buffers=stats(3), terms=80)
    module_case(cases, "module/BatchNorm3d/eval", spec("BatchNorm3d", 3, eps=1e-3), nn.BatchNorm3d(3, eps=1e-3), xb, g, train=False, buffers=stats(3), terms=80)
    module_case(cases, "module/InstanceNorm3d/affine-track", spec("InstanceNorm3d", 3, affine=True, trackRunningStats=True),
                nn.InstanceNorm3d(3, affine=True, track_running_stats=True), xb, g, buffers=stats(3), terms=60)
    module_case(cases, "module/InstanceNorm3d/unbatched", spec("InstanceNorm3d", 3), nn.InstanceNorm3d(3), g.randn(3, 2, 4, 3), g, terms=60)
    # No conv bias before the BatchNorm: in training its gradient is exactly 0, a cancellation with no scale to compare at.
    ctor = spec("Sequential", spec("Conv3d", 1, 4, 3, padding=1, bias=False), spec("BatchNorm3d", 4), spec("ReLU"), spec("MaxPool3d", 2),
                spec("Flatten"), spec("Linear", 4 * 8, 3))
    module = nn.Sequential(nn.Conv3d(1, 4, 3, padding=1, bias=False), nn.BatchNorm3d(4), nn.ReLU(), nn.MaxPool3d(2), nn.Flatten(), nn.Linear(4 * 8, 3))
    module_case(cases, "module/volume-cnn", ctor, module, g.randn(3, 1, 4, 4, 4), g, terms=200)


def main():
    cases, g = [], Gen(31)
    for f in [conv3d_calls, conv_transpose3d_calls, pool_calls, conv_modules, pool_norm_modules]:
        f(cases, g)
    write("tests/parity/cases/conv3d.json", cases)


if __name__ == "__main__":
    main()
