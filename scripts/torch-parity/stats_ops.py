"""PyTorch cases for the reductions and statistics of src/ndarray/stats.ts, order-statistics.ts,
covariance.ts, histogram.ts and diff.ts: tests/parity/cases/stats-ops.json, read by
tests/ndarray/stats-ops.test.ts.

Each case is computed in float64 and replayed in float64. Numbers are written with repr (17
digits), and NaN and ±inf as the strings "nan", "inf", "-inf" (JSON has none of them). A case
gives the edgegrad call (name, positional args, options), its input x, the result (a tensor, or
values and indices), and when the result is differentiable the gradient of Σ out·cot for x.

Left out on purpose: the indices PyTorch's quickselect (median, kthvalue with a dim) picks among
tied values, which are any of the ties; for those the test checks that the index holds the value.
"""
import json
import math
import torch

torch.set_default_dtype(torch.float64)
nan, inf = float("nan"), float("inf")
g = torch.Generator().manual_seed(7)


def num(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(repr(v))


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        dtype = "bool"
    elif t.dtype in (torch.int64, torch.int32, torch.uint8):
        dtype = "int32"
    elif t.dtype == torch.float32:
        dtype = "float32"
    else:
        dtype = "float64"
    return {"shape": list(t.shape), "dtype": dtype, "data": [num(v) for v in t.reshape(-1).tolist()]}


def arg(v):
    """Tensors in args/options as {"$t": encoded}."""
    if isinstance(v, torch.Tensor):
        return {"$t": enc(v)}
    if isinstance(v, dict):
        return {k: arg(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [arg(x) for x in v]
    return v


cases = []


def case(cid, name, x, fn, args=(), opts=None, grad=True, extra=None):
    """fn(x, *extra_leaves) in PyTorch; the edgegrad call eg[name](x, *args, opts)."""
    xl = x.clone().requires_grad_(grad and x.is_floating_point())
    out = fn(xl)
    c = {"id": cid, "name": name, "x": enc(x), "args": arg(list(args))}
    if opts is not None:
        c["opts"] = arg(opts)
    if isinstance(out, tuple):
        c["values"], c["indices"] = enc(out[0]), enc(out[1])
        val = out[0]
    else:
        c["out"] = enc(out)
        val = out
    if xl.requires_grad and val.requires_grad:
        cot = torch.randn(val.shape, generator=g)
        (gx,) = torch.autograd.grad((val * cot).sum(), [xl], allow_unused=True)
        c["cot"] = enc(cot)
        c["grad"] = enc(gx if gx is not None else torch.zeros_like(x))
    cases.append(c)


def rnd(*shape):
    return torch.randn(shape, generator=g)


def small_ints(*shape, hi=4):
    return torch.randint(0, hi, shape, generator=g).to(torch.float64)


T = torch.tensor

# prod: zeros (none, one, two per line), dims, keepdims, 0-d, empty dim
x = T([[0., 2, 3], [1, 0, 0], [2, -1.5, 4]])
case("prod/all", "prod", x[2], lambda x: x.prod())
case("prod/dim1-zeros", "prod", x, lambda x: x.prod(1), [1])
case("prod/dim0-keepdim", "prod", x, lambda x: x.prod(0, keepdim=True), [0], {"keepdims": True})
case("prod/neg-dim", "prod", rnd(2, 3, 4), lambda x: x.prod(-2), [-2])
case("prod/0d", "prod", T(3.5), lambda x: x.prod())
case("prod/all-zero-one", "prod", T([1.5, 0, 2, -3]), lambda x: x.prod())
case("prod/empty-dim", "prod", torch.zeros(2, 0), lambda x: x.prod(1), [1])
case("prod/int", "prod", T([[1, 2, 3], [4, -5, 6]], dtype=torch.int32), lambda x: x.prod(1).to(torch.int32), [1], grad=False)

# amax / amin: ties share the gradient evenly, NaN propagates
t = T([[1., 3, 3], [2, 2, 2], [-1, 5, 0]])
case("amax/dim1-ties", "amax", t, lambda x: torch.amax(x, 1), [1])
case("amin/dim0-ties", "amin", t, lambda x: torch.amin(x, 0), [0])
case("amax/list-keepdim", "amax", small_ints(2, 3, 4), lambda x: torch.amax(x, (0, 2), keepdim=True), [[0, 2]], {"keepdims": True})
case("amin/all", "amin", small_ints(3, 4), lambda x: torch.amin(x))
case("amax/nan", "amax", T([[1., nan, 3], [4, 5, 6]]), lambda x: torch.amax(x, 1), [1])
case("amin/empty-list-is-all", "amin", t, lambda x: torch.amin(x, ()), [[]])
case("amax/0d", "amax", T(2.0), lambda x: torch.amax(x, 0), [0])

# any / all / countNonzero
b = T([[0., 1, 0], [0, 0, 0], [2, nan, -1]])
case("any/dim1", "any", b, lambda x: torch.any(x, 1), [1], grad=False)
case("all/dim1", "all", b, lambda x: torch.all(x, 1), [1], grad=False)
case("any/all", "any", b, lambda x: torch.any(x), grad=False)
case("all/keepdim", "all", b, lambda x: torch.all(x, 0, keepdim=True), [0], {"keepdims": True}, grad=False)
case("all/empty", "all", torch.zeros(0), lambda x: torch.all(x), grad=False)
case("any/empty", "any", torch.zeros(0), lambda x: torch.any(x), grad=False)
case("countNonzero/all", "countNonzero", b, lambda x: torch.count_nonzero(x).to(torch.int32), grad=False)
case("countNonzero/dims", "countNonzero", b, lambda x: torch.count_nonzero(x, (0, 1)).to(torch.int32), [[0, 1]], grad=False)
case("countNonzero/neg", "countNonzero", b, lambda x: torch.count_nonzero(x, -1).to(torch.int32), [-1], grad=False)

# nansum / nanmean
n = T([[1., nan, 3], [nan, nan, nan], [2, 4, -1]])
case("nansum/dim1", "nansum", n, lambda x: torch.nansum(x, 1), [1])
case("nansum/all", "nansum", n, lambda x: torch.nansum(x))
case("nanmean/dim1", "nanmean", n, lambda x: torch.nanmean(x, 1), [1])
case("nanmean/dim0-keepdim", "nanmean", n, lambda x: torch.nanmean(x, 0, keepdim=True), [0], {"keepdims": True})
case("nanmean/all", "nanmean", n, lambda x: torch.nanmean(x))

# median / nanmedian / kthvalue / mode
m = T([[1., 3, 3, 2, 1, 3, 1], [2, 2, 5, 5, 0, 0, 7]])
case("median/all-ties", "median", T([1., 2, 2, 3, 2, 1]), lambda x: torch.median(x))
case("median/dim1", "median", m, lambda x: tuple(torch.median(x, 1)), [1])
case("median/dim0-keepdim", "median", rnd(4, 3), lambda x: tuple(torch.median(x, 0, keepdim=True)), [0], {"keepdims": True})
case("median/neg-dim", "median", rnd(2, 5, 3), lambda x: tuple(torch.median(x, -2)), [-2])
case("median/nan", "median", T([[1., nan, 2], [3, 1, 2]]), lambda x: tuple(torch.median(x, 1)), [1])
case("median/all-nan", "median", T([1., nan, 2]), lambda x: torch.median(x))
case("median/0d", "median", T(4.0), lambda x: tuple(torch.median(x, 0)), [0])
case("median/empty", "median", torch.zeros(0), lambda x: torch.median(x), grad=False)
case("nanmedian/dim1", "nanmedian", T([[1., nan, 2, 5], [nan, nan, nan, nan], [3, 1, nan, 2]]), lambda x: tuple(torch.nanmedian(x, 1)), [1])
case("nanmedian/all", "nanmedian", T([1., nan, 2, 4, nan]), lambda x: torch.nanmedian(x))
case("kthvalue/k2", "kthvalue", rnd(3, 5), lambda x: tuple(torch.kthvalue(x, 2, 1)), [2, 1])
case("kthvalue/k5-neg", "kthvalue", rnd(3, 5), lambda x: tuple(torch.kthvalue(x, 5, -1)), [5, -1])
case("kthvalue/keepdim", "kthvalue", rnd(4, 2), lambda x: tuple(torch.kthvalue(x, 3, 0, keepdim=True)), [3, 0], {"keepdims": True})
case("mode/dim1", "mode", m, lambda x: tuple(torch.mode(x, 1)), [1])
case("mode/1d", "mode", T([3., 1, 1, 3, 2]), lambda x: tuple(torch.mode(x)))
case("mode/dim0", "mode", small_ints(6, 3, hi=3), lambda x: tuple(torch.mode(x, 0)), [0])
case("mode/0d", "mode", T(1.5), lambda x: tuple(torch.mode(x, 0)), [0])

# quantile / nanquantile
qx = rnd(3, 6)
for interp in ["linear", "lower", "higher", "midpoint", "nearest"]:
    case(f"quantile/{interp}", "quantile", qx, lambda x: torch.quantile(x, 0.3, 1, interpolation=interp), [0.3, 1], {"interpolation": interp})
    case(f"quantile/{interp}-vector", "quantile", T([1., 2, 3, 4, 5, 6]),
         lambda x: torch.quantile(x, T([0.0, 0.1, 0.25, 0.5, 0.7, 1.0]), interpolation=interp),
         [T([0.0, 0.1, 0.25, 0.5, 0.7, 1.0])], {"interpolation": interp})
case("quantile/all", "quantile", qx, lambda x: torch.quantile(x, 0.75), [0.75])
case("quantile/keepdim-q-vector", "quantile", rnd(2, 3, 4), lambda x: torch.quantile(x, T([0.2, 0.9]), -1, keepdim=True),
     [T([0.2, 0.9]), -1], {"keepdims": True})
case("quantile/all-keepdim", "quantile", rnd(2, 3), lambda x: torch.quantile(x, 0.5, keepdim=True), [0.5], {"keepdims": True})
case("quantile/nan", "quantile", T([[1., nan, 3], [1, 2, 3]]), lambda x: torch.quantile(x, 0.5, 1), [0.5, 1])
case("quantile/0d", "quantile", T(2.5), lambda x: torch.quantile(x, 0.4), [0.4])
case("quantile/ties", "quantile", T([1., 2, 2, 2, 3]), lambda x: torch.quantile(x, T([0.3, 0.6])), [T([0.3, 0.6])])
case("nanquantile/dim1", "nanquantile", T([[1., nan, 3, 4], [nan, nan, nan, nan], [5, 1, nan, 2]]),
     lambda x: torch.nanquantile(x, 0.4, 1), [0.4, 1])
case("nanquantile/nearest", "nanquantile", T([1., nan, 3, 4, 7]), lambda x: torch.nanquantile(x, T([0.5, 0.9]), interpolation="nearest"),
     [T([0.5, 0.9])], {"interpolation": "nearest"})

# cov / corrcoef
cx = rnd(3, 5)
fw = T([1, 2, 1, 3, 1])
aw = T([0.5, 1.0, 2.0, 0.25, 1.5])
case("cov/default", "cov", cx, lambda x: torch.cov(x))
case("cov/correction0", "cov", cx, lambda x: torch.cov(x, correction=0), [], {"correction": 0})
case("cov/fweights", "cov", cx, lambda x: torch.cov(x, fweights=fw), [], {"fweights": fw.to(torch.int32)})
case("cov/aweights", "cov", cx, lambda x: torch.cov(x, aweights=aw), [], {"aweights": aw})
case("cov/both-correction2", "cov", cx, lambda x: torch.cov(x, correction=2, fweights=fw, aweights=aw), [],
     {"correction": 2, "fweights": fw.to(torch.int32), "aweights": aw})
case("cov/1d", "cov", rnd(6), lambda x: torch.cov(x))
case("cov/one-observation", "cov", rnd(2, 1), lambda x: torch.cov(x))
case("corrcoef/default", "corrcoef", cx, lambda x: torch.corrcoef(x))
case("corrcoef/1d", "corrcoef", rnd(4), lambda x: torch.corrcoef(x))

# histc / bincount (no gradients)
hx = T([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, -1.0, 7.0, 2.0, 0.0])
case("histc/range", "histc", hx, lambda x: torch.histc(x, bins=4, min=0, max=3), [], {"bins": 4, "min": 0, "max": 3}, grad=False)
case("histc/auto", "histc", hx, lambda x: torch.histc(x, bins=5), [], {"bins": 5}, grad=False)
case("histc/equal", "histc", T([2.0, 2.0]), lambda x: torch.histc(x, bins=4), [], {"bins": 4}, grad=False)
case("histc/random", "histc", rnd(50), lambda x: torch.histc(x, bins=7, min=-1.5, max=1.5), [], {"bins": 7, "min": -1.5, "max": 1.5}, grad=False)
bi = T([0, 1, 1, 3, 1, 0], dtype=torch.int32)
case("bincount/plain", "bincount", bi, lambda x: torch.bincount(x).to(torch.int32), grad=False)
case("bincount/minlength", "bincount", bi, lambda x: torch.bincount(x, minlength=7).to(torch.int32), [], {"minlength": 7}, grad=False)
bw = T([0.5, 1.0, 2.0, 0.25, 1.5, -1.0])
case("bincount/weights", "bincount", bi, lambda x: torch.bincount(x, weights=bw), [], {"weights": bw}, grad=False)
case("bincount/empty", "bincount", T([], dtype=torch.int32), lambda x: torch.bincount(x).to(torch.int32), grad=False)

# diff
dx = rnd(3, 5)
case("diff/default", "diff", dx, lambda x: torch.diff(x))
case("diff/n2-dim0", "diff", dx, lambda x: torch.diff(x, n=2, dim=0), [], {"n": 2, "dim": 0})
pre, app = rnd(3, 2), rnd(3, 1)
case("diff/prepend-append", "diff", dx, lambda x: torch.diff(x, n=3, prepend=pre, append=app), [], {"n": 3, "prepend": pre, "append": app})
case("diff/n-too-large", "diff", rnd(3), lambda x: torch.diff(x, n=4), [], {"n": 4})
case("diff/bool", "diff", T([True, False, False, True]), lambda x: torch.diff(x), grad=False)
case("diff/int", "diff", T([1, 4, 9, 16], dtype=torch.int32), lambda x: torch.diff(x).to(torch.int32), grad=False)


def main():
    path = "tests/parity/cases/stats-ops.json"
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"{path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
