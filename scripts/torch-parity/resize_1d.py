"""PyTorch cases for F.interpolate's modes, the Upsampling layers, the transposed 1-D convolution,
the 1-D adaptive pools and the LP pools (tests/parity/cases/resize-1d.json): functional cases as data for
tests/parity/run-case.ts, modules with their parameters loaded (tests/parity/run-stateful.ts),
both run by tests/parity/resize-1d.test.ts."""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, module_case, write

nn = torch.nn


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def interpolate_cases(cases, g):
    x4 = g.randn(2, 3, 5, 4)
    x3 = g.randn(2, 3, 7)
    rows = [
        # (id, input, our options, torch keyword arguments, summed terms)
        ("bilinear/up-size", x4, {"size": [8, 7], "mode": "bilinear"}, dict(size=(8, 7), mode="bilinear"), 4),
        ("bilinear/down-size", x4, {"size": [3, 3], "mode": "bilinear"}, dict(size=(3, 3), mode="bilinear"), 4),
        ("bilinear/align-corners", x4, {"size": [9, 6], "mode": "bilinear", "alignCorners": True},
         dict(size=(9, 6), mode="bilinear", align_corners=True), 4),
        ("bilinear/scale-factor", x4, {"scaleFactor": [1.7, 2.3], "mode": "bilinear"}, dict(scale_factor=(1.7, 2.3), mode="bilinear"), 4),
        ("bilinear/scale-recompute", x4, {"scaleFactor": [1.7, 2.3], "mode": "bilinear", "recomputeScaleFactor": True},
         dict(scale_factor=(1.7, 2.3), mode="bilinear", recompute_scale_factor=True), 4),
        ("bilinear/scale-down", x4, {"scaleFactor": 0.6, "mode": "bilinear"}, dict(scale_factor=0.6, mode="bilinear"), 4),
        ("bicubic/up-size", x4, {"size": [9, 7], "mode": "bicubic"}, dict(size=(9, 7), mode="bicubic"), 16),
        ("bicubic/align-corners", x4, {"size": [7, 9], "mode": "bicubic", "alignCorners": True},
         dict(size=(7, 9), mode="bicubic", align_corners=True), 16),
        ("bicubic/scale-factor", x4, {"scaleFactor": 1.5, "mode": "bicubic"}, dict(scale_factor=1.5, mode="bicubic"), 16),
        ("bicubic/down", x4, {"size": [3, 2], "mode": "bicubic"}, dict(size=(3, 2), mode="bicubic"), 16),
        ("linear/up", x3, {"size": 12, "mode": "linear"}, dict(size=12, mode="linear"), 2),
        ("linear/align-corners", x3, {"size": 10, "mode": "linear", "alignCorners": True}, dict(size=10, mode="linear", align_corners=True), 2),
        ("linear/scale-factor", x3, {"scaleFactor": 2.5, "mode": "linear"}, dict(scale_factor=2.5, mode="linear"), 2),
        ("area/2d", x4, {"size": [3, 3], "mode": "area"}, dict(size=(3, 3), mode="area"), 6),
        ("area/2d-up", x4, {"size": [7, 6], "mode": "area"}, dict(size=(7, 6), mode="area"), 4),
        ("area/1d", x3, {"size": 4, "mode": "area"}, dict(size=4, mode="area"), 3),
        ("nearest-exact/2d", x4, {"size": [7, 3], "mode": "nearest-exact"}, dict(size=(7, 3), mode="nearest-exact"), 1),
        ("nearest-exact/scale", x4, {"scaleFactor": 1.5, "mode": "nearest-exact"}, dict(scale_factor=1.5, mode="nearest-exact"), 1),
        ("nearest-exact/1d", x3, {"size": 5, "mode": "nearest-exact"}, dict(size=5, mode="nearest-exact"), 1),
        ("nearest/scale-recompute", x4, {"scaleFactor": 1.7, "recomputeScaleFactor": True},
         dict(scale_factor=1.7, mode="nearest", recompute_scale_factor=True), 1),
    ]
    for name, x, opts, kw, terms in rows:
        call_case(cases, f"interpolate/{name}", F("interpolate", T("x"), opts), {"x": (x, True)},
                  lambda x, kw=kw: TF.interpolate(x, **kw), terms=terms, gen=g)


def conv_transpose1d_cases(cases, g):
    rows = [
        ("basic", (2, 3, 3), {}, (2, 7), {}),
        ("stride-pad-outpad", (3, 4, 4), {"stride": 3, "padding": 1, "outputPadding": 2}, (3, 5), {}),
        ("groups-dilation", (4, 3, 5), {"stride": 2, "dilation": 2, "groups": 2, "outputPadding": 1}, (4, 6), {}),
        ("outpad-over-stride", (3, 2, 2), {"stride": 1, "padding": 1, "dilation": 3, "outputPadding": 2}, (3, 5), {}),
    ]
    for name, (cin, per_group, k), opts, (n_or_c, length), _ in rows:
        groups = opts.get("groups", 1)
        x = g.randn(2, cin, length) if name != "basic" else g.randn(cin, length)  # "basic" is unbatched
        w, b = g.randn(cin, per_group, k), g.randn(per_group * groups)
        kw = {"stride": opts.get("stride", 1), "padding": opts.get("padding", 0), "output_padding": opts.get("outputPadding", 0),
              "groups": groups, "dilation": opts.get("dilation", 1)}
        call_case(cases, f"convTranspose1d/{name}", F("convTranspose1d", T("x"), T("w"), T("b"), opts),
                  {"x": (x, True), "w": (w, True), "b": (b, True)},
                  lambda x, w, b, kw=kw: TF.conv_transpose1d(x, w, b, **kw), terms=max(cin * k, 2 * length * 3, 16), gen=g)


def adaptive_pool1d_cases(cases, g):
    x = g.randn(2, 3, 11)
    for size in (4, 1, 11, 15):
        call_case(cases, f"adaptiveAvgPool1d/{size}", F("adaptiveAvgPool1d", T("x"), size), {"x": (x, True)},
                  lambda x, s=size: TF.adaptive_avg_pool1d(x, s), terms=4, gen=g)
        call_case(cases, f"adaptiveMaxPool1d/{size}", F("adaptiveMaxPool1d", T("x"), size), {"x": (x, True)},
                  lambda x, s=size: TF.adaptive_max_pool1d(x, s), gen=g)
    call_case(cases, "adaptiveMaxPool1d/indices", F("adaptiveMaxPool1d", T("x"), 4, {"returnIndices": True}), {"x": (x, True)},
              lambda x: TF.adaptive_max_pool1d(x, 4, return_indices=True), gen=g)
    call_case(cases, "adaptiveAvgPool1d/unbatched", F("adaptiveAvgPool1d", T("x"), 3), {"x": (g.randn(4, 9), True)},
              lambda x: TF.adaptive_avg_pool1d(x, 3), terms=3, gen=g)


def lp_pool_cases(cases, g):
    x1, x2 = g.rand(2, 3, 10, lo=0.1, hi=2.0), g.rand(2, 2, 5, 7, lo=0.1, hi=2.0)
    call_case(cases, "lpPool1d/p2-k3-s2", F("lpPool1d", T("x"), 2, 3, {"stride": 2}), {"x": (x1, True)},
              lambda x: TF.lp_pool1d(x, 2, 3, stride=2), terms=6, gen=g)
    call_case(cases, "lpPool1d/p3-ceil", F("lpPool1d", T("x"), 3, 4, {"stride": 3, "ceilMode": True}), {"x": (x1, True)},
              lambda x: TF.lp_pool1d(x, 3, 4, stride=3, ceil_mode=True), terms=8, gen=g)
    call_case(cases, "lpPool2d/p1.5-k2x3-ceil", F("lpPool2d", T("x"), 1.5, [2, 3], {"stride": [2, 2], "ceilMode": True}), {"x": (x2, True)},
              lambda x: TF.lp_pool2d(x, 1.5, (2, 3), stride=(2, 2), ceil_mode=True), terms=12, gen=g)


def spec(name, *args):
    return {"name": name, "args": list(args)}


def module_cases(cases, g):
    module_case(cases, "module/ConvTranspose1d/stride-pad", spec("ConvTranspose1d", 3, 4, 3, {"stride": 2, "padding": 1, "outputPadding": 1}),
                nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1), g.randn(2, 3, 6), g, 24)
    module_case(cases, "module/ConvTranspose1d/groups-nobias", spec("ConvTranspose1d", 4, 6, 2, {"groups": 2, "bias": False, "dilation": 3}),
                nn.ConvTranspose1d(4, 6, 2, groups=2, bias=False, dilation=3), g.randn(2, 4, 5), g, 16)
    x4 = g.randn(1, 2, 3, 4)
    module_case(cases, "module/UpsamplingBilinear2d", spec("UpsamplingBilinear2d", {"scaleFactor": 2}),
                nn.UpsamplingBilinear2d(scale_factor=2), x4, g, 4)
    module_case(cases, "module/UpsamplingNearest2d", spec("UpsamplingNearest2d", {"size": [5, 7]}),
                nn.UpsamplingNearest2d(size=(5, 7)), x4, g, 1)
    module_case(cases, "module/Upsample/bicubic", spec("Upsample", {"scaleFactor": 1.5, "mode": "bicubic", "alignCorners": False}),
                nn.Upsample(scale_factor=1.5, mode="bicubic", align_corners=False), x4, g, 16)
    module_case(cases, "module/Upsample/linear", spec("Upsample", {"size": 9, "mode": "linear", "alignCorners": True}),
                nn.Upsample(size=9, mode="linear", align_corners=True), g.randn(2, 2, 5), g, 2)
    module_case(cases, "module/AdaptiveAvgPool1d", spec("AdaptiveAvgPool1d", 3), nn.AdaptiveAvgPool1d(3), g.randn(2, 3, 8), g, 3)
    module_case(cases, "module/LPPool2d", spec("LPPool2d", 2, 2), nn.LPPool2d(2, 2), g.rand(2, 2, 4, 6, lo=0.1, hi=2.0), g, 8)
    module_case(cases, "module/AdaptiveMaxPool1d", spec("AdaptiveMaxPool1d", 5), nn.AdaptiveMaxPool1d(5), g.randn(2, 3, 8), g, 1)


def main():
    g = Gen(2026)
    cases = []
    interpolate_cases(cases, g)
    conv_transpose1d_cases(cases, g)
    adaptive_pool1d_cases(cases, g)
    lp_pool_cases(cases, g)
    module_cases(cases, g)
    write("tests/parity/cases/resize-1d.json", cases)


if __name__ == "__main__":
    main()
