"""Differential cases for F.grid_sample and F.affine_grid (the spatial transformer), F.rrelu in eval
mode, F.triplet_margin_with_distance_loss, F.max_unpool3d and F.fractional_max_pool2d/3d with given
random samples, for tests/parity/functional-more.test.ts (tests/parity/cases/functional-more.json).

Grid points are drawn as pixel coordinates k + f with f in [0.1, 0.4] or [0.6, 0.9] and k from three
pixels before the input to three after it, then mapped back to grid values: every point then lies
away from the places where the sampled value or its derivative jumps (pixel centres for bilinear
and bicubic, half-pixels for nearest, the folds of reflection, the clip at the border), so float32
and float64 pick the same taps. The fractional max pools run in float32, as edgegrad's float32
input does, and one sequence is chosen where float32 and float64 arithmetic give different window
starts: the case checks the float32 steps bit for bit. A distance function is named in the case
({"$distance": name}) and supplied by the test.
"""
import itertools
import numpy as np
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def grid_values(g, shape, sizes, align):
    """A grid of `shape` (last dim: x, y[, z]) whose points sit inside pixel cells, away from jumps."""
    n = int(np.prod(shape[:-1]))
    out = torch.empty(n, shape[-1])
    for k in range(shape[-1]):
        size = sizes[k]
        cell = g.randint(-3, size + 3, n).double()
        frac = g.rand(n, lo=0.1, hi=0.4)
        frac = torch.where(g.rand(n) < 0.5, frac, 1 - frac)
        u = cell + frac
        out[:, k] = 2 * u / (size - 1) - 1 if align else (2 * u + 1) / size - 1
    return out.reshape(shape).float().double()


def grid_sample_cases(cases, g):
    modes = [("bilinear", 4), ("nearest", 1), ("bicubic", 16)]
    for (mode, taps), padding, align in itertools.product(modes, ["zeros", "border", "reflection"], [False, True]):
        for dims in ([2, 3] if mode != "bicubic" else [2]):
            spatial = (4, 5) if dims == 2 else (3, 4, 3)
            out_spatial = (3, 4) if dims == 2 else (2, 3, 2)
            x = g.randn(2, 3, *spatial)
            grid = grid_values(g, (2, *out_spatial, dims), spatial[::-1], align)
            opts = {"mode": mode, "paddingMode": padding, "alignCorners": align}
            points = int(np.prod(out_spatial))
            call_case(cases, f"gridSample/{dims}d-{mode}-{padding}-{'align' if align else 'noalign'}",
                      F("gridSample", T("x"), T("grid"), opts), {"x": (x, True), "grid": (grid, True)},
                      lambda x, grid, mode=mode, padding=padding, align=align:
                          TF.grid_sample(x, grid, mode=mode, padding_mode=padding, align_corners=align),
                      terms=taps * (3 + points) + 16, gen=g)


def affine_grid_cases(cases, g):
    for (dims, size), align in itertools.product([(2, [2, 3, 4, 5]), (3, [2, 1, 3, 4, 2])], [False, True]):
        theta = g.randn(size[0], dims, dims + 1)
        call_case(cases, f"affineGrid/{dims}d-{'align' if align else 'noalign'}",
                  F("affineGrid", T("theta"), size, {"alignCorners": align}), {"theta": (theta, True)},
                  lambda theta, size=size, align=align: TF.affine_grid(theta, size, align_corners=align),
                  terms=int(np.prod(size[2:])) + dims + 1, gen=g)


def rrelu_cases(cases, g):
    for cid, kw in [("defaults", {}), ("bounds", {"lower": 0.05, "upper": 0.6}), ("equal-bounds", {"lower": 0.2, "upper": 0.2}),
                    ("negative-lower", {"lower": -0.5, "upper": 0.25})]:
        x = g.randn(3, 7)
        x[0, 0] = 0.0
        call_case(cases, f"rrelu/eval-{cid}", F("rrelu", T("x"), dict(kw, training=False)), {"x": (x, True)},
                  lambda x, kw=kw: TF.rrelu(x, training=False, **kw), gen=g)


DISTANCES = {
    "cosine": lambda a, b: 1 - TF.cosine_similarity(a, b),
    "l1": lambda a, b: TF.pairwise_distance(a, b, p=1.0),
}


def triplet_distance_cases(cases, g):
    specs = [("default-mean", None, {}), ("default-sum-swap", None, {"swap": True, "reduction": "sum"}),
             ("default-none-margin", None, {"margin": 0.5, "reduction": "none"}),
             ("cosine-mean", "cosine", {"margin": 0.3}), ("cosine-none-swap", "cosine", {"swap": True, "reduction": "none"}),
             ("l1-sum", "l1", {"margin": 2.0, "reduction": "sum"})]
    for cid, dist, kw in specs:
        inputs = {k: (g.randn(5, 4), True) for k in ["a", "p", "n"]}
        opts = dict(kw, **({"distanceFunction": {"$distance": dist}} if dist else {}))
        fn = DISTANCES[dist] if dist else None
        call_case(cases, f"tripletMarginWithDistanceLoss/{cid}",
                  F("tripletMarginWithDistanceLoss", T("a"), T("p"), T("n"), *([opts] if opts else [])), inputs,
                  lambda a, p, n, fn=fn, kw=kw: TF.triplet_margin_with_distance_loss(a, p, n, distance_function=fn, **kw),
                  terms=16, gen=g)


def unpool3d_cases(cases, g):
    for cid, shape, (k, s, p), opts, size in [
        ("k2", (2, 2, 4, 4, 6), (2, 2, 0), {}, None),
        ("k3s2p1-outputSize", (1, 2, 5, 6, 5), (3, 2, 1), {"stride": 2, "padding": 1}, [5, 6, 5]),
        ("unbatched", (2, 4, 2, 4), (2, 2, 0), {}, None),
    ]:
        src = g.randn(*shape)
        y, idx = TF.max_pool3d(src, k, s, p, return_indices=True)
        call_opts = dict(opts, **({"outputSize": size} if size is not None else {}))
        call_case(cases, f"maxUnpool3d/{cid}", F("maxUnpool3d", T("y"), T("idx"), k, *([call_opts] if call_opts else [])),
                  {"y": (y, True), "idx": (idx, False), "src": (src, False)},
                  lambda y, idx, src, k=k, s=s, p=p, size=size: TF.max_unpool3d(y, idx, k, s, p, output_size=size), gen=g)
        cases[-1]["pool"] = F("maxPool3d", T("src"), k, dict(opts, returnIndices=True))


def starts(u, n_in, n_out, k, real):
    """PyTorch's generate_intervals with numpy scalars of type `real` (np.float32 or np.float64)."""
    u, alpha = real(u), real(n_in - k) / real(n_out - 1)
    return [int((real(i) + u) * alpha) - int(u * alpha) for i in range(n_out - 1)] + [n_in - k]


def precision_sensitive_sample(g, n_in, n_out, k):
    """A float32 sample whose window starts differ between float32 and float64 arithmetic."""
    for _ in range(200000):
        u = float(g.rand(1).float()[0])
        if starts(u, n_in, n_out, k, np.float32) != starts(u, n_in, n_out, k, np.float64):
            return u
    raise RuntimeError("no precision-sensitive sample found")


def fractional_cases(cases, g):
    specs = [  # id, input shape, kernel, output size or ratio
        ("2d/k2-size", (2, 3, 9, 11), 2, {"outputSize": [4, 5]}),
        ("2d/k3-ratio", (1, 2, 10, 9), [3, 2], {"outputRatio": [0.5, 0.7]}),
        ("2d/unbatched-one-output", (2, 6, 7), 3, {"outputSize": [1, 3]}),
        ("2d/output-is-input", (1, 1, 5, 6), 1, {"outputSize": [5, 6]}),
        ("3d/k2-size", (2, 2, 6, 7, 8), 2, {"outputSize": [3, 4, 5]}),
        ("3d/unbatched-ratio", (2, 7, 6, 9), [2, 3, 2], {"outputRatio": 0.5}),
    ]
    for cid, shape, k, size_kw in specs:
        dims = int(cid[0])
        x = g.randn(*shape).float()
        n = shape[0] if len(shape) == dims + 2 else 1
        samples = g.rand(n, shape[-dims - 1], dims).float()
        pool = TF.fractional_max_pool2d if dims == 2 else TF.fractional_max_pool3d
        torch_kw = {"output_size": size_kw.get("outputSize"), "output_ratio": size_kw.get("outputRatio")}
        opts = dict(size_kw, returnIndices=True, randomSamples=T("u"))
        call_case(cases, f"fractionalMaxPool{cid}", F(f"fractionalMaxPool{dims}d", T("x"), k, opts),
                  {"x": (x, True), "u": (samples, False)},
                  lambda x, u, k=k, pool=pool, kw=torch_kw: pool(x, k, return_indices=True, _random_samples=u, **kw), gen=g)
    # Window starts that float64 arithmetic would get wrong: (in, out, k) = (97, 41, 3) along the width.
    x = g.randn(1, 1, 4, 97).float()
    u_w = precision_sensitive_sample(g, 97, 41, 3)
    samples = torch.tensor([[[u_w, 0.25]]], dtype=torch.float32)
    call_case(cases, "fractionalMaxPool2d/float32-sequence",
              F("fractionalMaxPool2d", T("x"), 3, {"outputSize": [2, 41], "returnIndices": True, "randomSamples": T("u")}),
              {"x": (x, True), "u": (samples, False)},
              lambda x, u: TF.fractional_max_pool2d(x, 3, output_size=(2, 41), return_indices=True, _random_samples=u), gen=g)


def main():
    cases, g = [], Gen(73)
    for f in [grid_sample_cases, affine_grid_cases, rrelu_cases, triplet_distance_cases, unpool3d_cases, fractional_cases]:
        f(cases, g)
    write("tests/parity/cases/functional-more.json", cases)


if __name__ == "__main__":
    main()
