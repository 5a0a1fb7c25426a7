"""Differential cases for pooling, normalization and resizing (F.max_pool2d, F.batch_norm, nn.BatchNorm2d, ...).

Functional cases run through tests/parity/run-case.ts; module cases also carry the module's
state after the forward (BatchNorm's running statistics and batch count after a training step),
checked by tests/parity/pool-norm.test.ts.
"""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, enc, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def pool_cases(cases, g):
    x = g.randn(2, 2, 7, 6)
    maxes = [
        ("k2", [2], {}, dict(kernel_size=2)),
        ("k3s2p1", [3, {"stride": 2, "padding": 1}], {}, dict(kernel_size=3, stride=2, padding=1)),
        ("pairs-dilation", [[3, 2], {"stride": [2, 1], "padding": [1, 0], "dilation": [2, 1]}], {},
         dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1))),
        ("ceil", [3, {"stride": 2, "ceilMode": True}], {}, dict(kernel_size=3, stride=2, ceil_mode=True)),
        ("ceil-pad", [2, {"stride": 2, "padding": 1, "ceilMode": True}], {}, dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ]
    for name, args, _, kw in maxes:
        call_case(cases, f"pool/maxPool2d/{name}", F("maxPool2d", T("x"), *args), {"x": (x, True)},
                  lambda x, kw=kw: TF.max_pool2d(x, **kw), gen=g)
    call_case(cases, "pool/maxPool2d/indices", F("maxPool2d", T("x"), 3, {"stride": 2, "padding": 1, "returnIndices": True}),
              {"x": (x, True)}, lambda x: TF.max_pool2d(x, 3, 2, 1, return_indices=True), gen=g)
    x3 = g.randn(2, 6, 5)  # unbatched [C, H, W]
    call_case(cases, "pool/maxPool2d/unbatched", F("maxPool2d", T("x"), 2, {"stride": 1}), {"x": (x3, True)},
              lambda x: TF.max_pool2d(x, 2, 1), gen=g)
    xl = g.randn(2, 3, 11)
    call_case(cases, "pool/maxPool1d/k3s2p1d2-ceil", F("maxPool1d", T("x"), 3, {"stride": 2, "padding": 1, "dilation": 2, "ceilMode": True}),
              {"x": (xl, True)}, lambda x: TF.max_pool1d(x, 3, 2, 1, 2, ceil_mode=True), gen=g)
    avgs = [
        ("k3s2p1", [3, {"stride": 2, "padding": 1}], dict(kernel_size=3, stride=2, padding=1)),
        ("exclude-pad", [3, {"stride": 2, "padding": 1, "countIncludePad": False}], dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ("ceil", [[3, 2], {"stride": 2, "padding": 1, "ceilMode": True}], dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True)),
        ("ceil-exclude", [3, {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}],
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        ("divisor", [2, {"divisorOverride": 3}], dict(kernel_size=2, divisor_override=3)),
    ]
    for name, args, kw in avgs:
        call_case(cases, f"pool/avgPool2d/{name}", F("avgPool2d", T("x"), *args), {"x": (x, True)},
                  lambda x, kw=kw: TF.avg_pool2d(x, **kw), terms=9, gen=g)
    call_case(cases, "pool/avgPool1d/ceil-exclude", F("avgPool1d", T("x"), 4, {"stride": 3, "padding": 2, "ceilMode": True, "countIncludePad": False}),
              {"x": (xl, True)}, lambda x: TF.avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False), terms=4, gen=g)
    for size, torch_size in [([3, 4], (3, 4)), ([5, None], (5, None)), (1, 1)]:
        sid = "x".join(str(s) for s in (size if isinstance(size, list) else [size]))
        call_case(cases, f"pool/adaptiveAvgPool2d/{sid}", F("adaptiveAvgPool2d", T("x"), size), {"x": (x, True)},
                  lambda x, s=torch_size: TF.adaptive_avg_pool2d(x, s), terms=42, gen=g)
        call_case(cases, f"pool/adaptiveMaxPool2d/{sid}", F("adaptiveMaxPool2d", T("x"), size), {"x": (x, True)},
                  lambda x, s=torch_size: TF.adaptive_max_pool2d(x, s), gen=g)
    call_case(cases, "pool/adaptiveMaxPool2d/indices", F("adaptiveMaxPool2d", T("x"), [3, 4], {"returnIndices": True}), {"x": (x, True)},
              lambda x: TF.adaptive_max_pool2d(x, (3, 4), return_indices=True), gen=g)


def norm_cases(cases, g):
    x = g.randn(4, 3, 5, 2, scale=2.0) + 1.5
    w, b = g.randn(3), g.randn(3)
    rm, rv = g.randn(3), g.rand(3, lo=0.5, hi=2.0)
    inputs = {"x": (x, True), "w": (w, True), "b": (b, True), "rm": (rm, False), "rv": (rv, False)}
    call_case(cases, "norm/batchNorm/train", F("batchNorm", T("x"), T("rm"), T("rv"), {"weight": T("w"), "bias": T("b"), "training": True, "momentum": 0.3}),
              inputs, lambda x, w, b, rm, rv: TF.batch_norm(x, rm.clone(), rv.clone(), w, b, True, 0.3), terms=40, gen=g)
    call_case(cases, "norm/batchNorm/eval", F("batchNorm", T("x"), T("rm"), T("rv"), {"weight": T("w"), "bias": T("b"), "eps": 1e-3}),
              inputs, lambda x, w, b, rm, rv: TF.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-3), terms=40, gen=g)
    x2 = g.randn(6, 4)
    call_case(cases, "norm/batchNorm/2d-no-affine", F("batchNorm", T("x"), None, None, {"training": True}), {"x": (x2, True)},
              lambda x: TF.batch_norm(x, None, None, training=True), terms=6, gen=g)
    xl = g.randn(2, 3, 4, 5)
    call_case(cases, "norm/layerNorm/affine", F("layerNorm", T("x"), [4, 5], {"weight": T("w"), "bias": T("b"), "eps": 1e-4}),
              {"x": (xl, True), "w": (g.randn(4, 5), True), "b": (g.randn(4, 5), True)},
              lambda x, w, b: TF.layer_norm(x, (4, 5), w, b, 1e-4), terms=20, gen=g)
    call_case(cases, "norm/layerNorm/plain", F("layerNorm", T("x"), 5), {"x": (xl, True)}, lambda x: TF.layer_norm(x, (5,)), terms=5, gen=g)
    xg = g.randn(2, 6, 3, 4)
    call_case(cases, "norm/groupNorm/affine", F("groupNorm", T("x"), 3, {"weight": T("w"), "bias": T("b")}),
              {"x": (xg, True), "w": (g.randn(6), True), "b": (g.randn(6), True)},
              lambda x, w, b: TF.group_norm(x, 3, w, b), terms=24, gen=g)
    call_case(cases, "norm/groupNorm/plain", F("groupNorm", T("x"), 2, {"eps": 0.01}), {"x": (g.randn(3, 4, 5), True)},
              lambda x: TF.group_norm(x, 2, eps=0.01), terms=10, gen=g)


def resize_cases(cases, g):
    x = g.randn(1, 2, 4, 5)
    for name, opts, kw in [("scale2", {"scaleFactor": 2}, dict(scale_factor=2)),
                           ("size", {"size": [7, 9]}, dict(size=(7, 9))),
                           ("scale-frac", {"scaleFactor": [1.5, 0.6]}, dict(scale_factor=(1.5, 0.6))),
                           ("size-down", {"size": [3, 2]}, dict(size=(3, 2)))]:
        call_case(cases, f"resize/interpolate/{name}", F("interpolate", T("x"), opts), {"x": (x, True)},
                  lambda x, kw=kw: TF.interpolate(x, mode="nearest", **kw), gen=g)
    call_case(cases, "resize/interpolate/1d", F("interpolate", T("x"), {"scaleFactor": 2.5}), {"x": (g.randn(2, 3, 4), True)},
              lambda x: TF.interpolate(x, scale_factor=2.5, mode="nearest"), gen=g)


def module_case(cases, cid, ctor, module, x, gen, train=True, terms=16, buffers=None):
    """Output, input and parameter gradients, and the state after the forward (running statistics)."""
    for p in module.parameters():
        p.data = gen.randn(*p.shape)
    for k, v in (buffers or {}).items():
        getattr(module, k).copy_(v)
    module.train(train)
    before = {k: enc(v) for k, v in module.state_dict().items()}
    xi = x.clone().requires_grad_(True)
    out = module(xi)
    cot = gen.randn(*out.shape)
    (out * cot).sum().backward()
    cases.append({"id": cid, "kind": "module", "ctor": ctor, "terms": terms, "train": train, "state": before,
                  "input": enc(x, True), "output": enc(out), "cotangent": enc(cot), "inputGrad": enc(xi.grad),
                  "paramGrads": {k: enc(p.grad) for k, p in module.named_parameters()},
                  "stateAfter": {k: enc(v, digits=17) for k, v in module.state_dict().items()}})


def module_cases(cases, g):
    nn = torch.nn
    stats = lambda c: {"running_mean": g.randn(c), "running_var": g.rand(c, lo=0.5, hi=2.0)}
    x4 = g.randn(4, 3, 3, 4, scale=1.5) + 0.5
    bn = lambda *a, **o: {"name": "BatchNorm2d", "args": list(a) + ([o] if o else [])}
    module_case(cases, "module/BatchNorm2d/train", bn(3), nn.BatchNorm2d(3), x4, g, buffers=stats(3), terms=80)
    module_case(cases, "module/BatchNorm2d/eval", bn(3, eps=1e-3), nn.BatchNorm2d(3, eps=1e-3), x4, g, train=False, buffers=stats(3), terms=80)
    cumulative = dict(stats(3), num_batches_tracked=torch.tensor(4))
    module_case(cases, "module/BatchNorm2d/cumulative", bn(3, momentum=None), nn.BatchNorm2d(3, momentum=None), x4, g, buffers=cumulative, terms=80)
    module_case(cases, "module/BatchNorm2d/plain", bn(3, affine=False, trackRunningStats=False),
                nn.BatchNorm2d(3, affine=False, track_running_stats=False), x4, g, train=False, terms=80)
    module_case(cases, "module/BatchNorm1d/2d", {"name": "BatchNorm1d", "args": [4, {"momentum": 0.25}]}, nn.BatchNorm1d(4, momentum=0.25),
                g.randn(6, 4), g, buffers=stats(4), terms=12)
    module_case(cases, "module/BatchNorm1d/3d", {"name": "BatchNorm1d", "args": [4]}, nn.BatchNorm1d(4), g.randn(3, 4, 5), g, buffers=stats(4), terms=30)
    module_case(cases, "module/LayerNorm", {"name": "LayerNorm", "args": [[4, 5]]}, nn.LayerNorm([4, 5]), g.randn(2, 3, 4, 5), g, terms=40)
    module_case(cases, "module/GroupNorm", {"name": "GroupNorm", "args": [2, 6, {"eps": 1e-4}]}, nn.GroupNorm(2, 6, eps=1e-4), g.randn(2, 6, 3, 3), g, terms=54)
    x = g.randn(2, 2, 9, 8)
    module_case(cases, "module/MaxPool2d", {"name": "MaxPool2d", "args": [3, {"stride": 2, "padding": 1, "ceilMode": True}]},
                nn.MaxPool2d(3, 2, 1, ceil_mode=True), x, g)
    module_case(cases, "module/AvgPool2d", {"name": "AvgPool2d", "args": [3, {"stride": 2, "padding": 1, "countIncludePad": False}]},
                nn.AvgPool2d(3, 2, 1, count_include_pad=False), x, g)
    module_case(cases, "module/AdaptiveAvgPool2d", {"name": "AdaptiveAvgPool2d", "args": [[5, None]]}, nn.AdaptiveAvgPool2d((5, None)), x, g, terms=72)
    module_case(cases, "module/AdaptiveMaxPool2d", {"name": "AdaptiveMaxPool2d", "args": [4]}, nn.AdaptiveMaxPool2d(4), x, g)
    module_case(cases, "module/MaxPool1d", {"name": "MaxPool1d", "args": [2]}, nn.MaxPool1d(2), g.randn(2, 3, 9), g)
    module_case(cases, "module/AvgPool1d", {"name": "AvgPool1d", "args": [3, {"stride": 2}]}, nn.AvgPool1d(3, 2), g.randn(2, 3, 9), g)
    module_case(cases, "module/Upsample", {"name": "Upsample", "args": [{"scaleFactor": 2}]}, nn.Upsample(scale_factor=2), g.randn(1, 2, 3, 4), g)
    spec = {"name": "Sequential", "args": [bn(2), {"name": "ReLU", "args": []}, {"name": "MaxPool2d", "args": [2]},
                                           {"name": "Flatten", "args": [{"startDim": 1}]}, {"name": "Linear", "args": [24, 4]}]}
    cnn = nn.Sequential(nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(start_dim=1), nn.Linear(24, 4))
    # Width 9: four 2×2 windows a row, the SIMD block of the pooling kernel.
    module_case(cases, "module/bn-relu-pool-flatten-linear", spec, cnn, g.randn(5, 2, 6, 9), g, terms=80)


def main():
    cases, g = [], Gen(13)
    for f in [pool_cases, norm_cases, resize_cases, module_cases]:
        f(cases, g)
    write("tests/parity/cases/pool-norm.json", cases)


if __name__ == "__main__":
    main()
