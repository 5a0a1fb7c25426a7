"""PyTorch 1.13 cases for the elementwise math of src/ndarray/math-unary.ts, math-binary.ts and
math-compare.ts (values and gradients, edge cases: ±0, ±inf, NaN, huge arguments, round's
halves, the signs of fmod and remainder, poles of lgamma and digamma, tails of erfinv):
tests/parity/cases/math-ops.json, read by tests/ndarray/math-ops.test.ts.

Numbers are written with repr (17 digits), and NaN, ±inf and −0 as the strings "nan", "inf",
"-inf", "-0", which JSON has no numbers for. A float32 case stores PyTorch's float64 result for
the same (float32) inputs: edgegrad computes in float64 and rounds once, so its float32 result
lies within half an ulp of that, where PyTorch's own float32 kernels may be a few ulps off."""
import json
import math
import mpmath
import torch

mpmath.mp.dps = 40

nan, inf = float("nan"), float("inf")


def num(v):
    if isinstance(v, bool):
        return v
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 and math.copysign(1, v) < 0:
        return "-0"
    return float(repr(v)) if v != int(v) or abs(v) > 2**53 else int(v)


DT = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32", torch.int64: "int32", torch.bool: "bool"}


def enc(t):
    return {"dtype": DT[t.dtype], "shape": list(t.shape), "data": [num(v) for v in t.detach().reshape(-1).tolist()]}


def tensor(vals, dtype):
    return torch.tensor(vals, dtype=dtype)


def _mp(f):
    def g(v):
        if not math.isfinite(v) or (v <= 0 and v == int(v)):
            return None  # poles and non-finite inputs: PyTorch's values only
        try:
            r = f(mpmath.mpf(v))
            return float(r) if mpmath.im(r) == 0 and mpmath.isfinite(r) else None
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
    return g


# PyTorch's float64 lgamma, digamma, its gradient (trigamma: the series cut after 1/x^7 past
# x + 6) and erfinv (a rational guess and two Newton steps) are off by up to ~1e-12 relative; the
# value to 40 digits (mpmath) is stored too, as "exact", for the bounds of special.ts.
EXACT = {
    "lgamma": (_mp(lambda x: mpmath.re(mpmath.loggamma(x))), _mp(lambda x: mpmath.psi(0, x))),
    "digamma": (_mp(lambda x: mpmath.psi(0, x)), _mp(lambda x: mpmath.psi(1, x))),
    "erfinv": (_mp(mpmath.erfinv), _mp(lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(mpmath.erfinv(x) ** 2))),
}


def case(cases, cid, op, fn, args, options=None, grad=True, truth64=True):
    """args: tensors or numbers. The float64 truth is computed from the args cast to float64."""
    targs = [a.clone().requires_grad_(grad and a.is_floating_point()) if isinstance(a, torch.Tensor) else a for a in args]
    out = fn(*targs)
    entry = {"id": cid, "op": op, "args": [enc(a) if isinstance(a, torch.Tensor) else num(a) for a in args]}
    if options:
        entry["options"] = {k: num(v) for k, v in options.items()}
    if not isinstance(out, torch.Tensor):
        entry["out"] = bool(out)
        cases.append(entry)
        return
    want_dtype = DT[out.dtype]
    # The truth: the same call in float64 on the same values.
    args64 = [a.detach().double().requires_grad_(grad and a.is_floating_point()) if isinstance(a, torch.Tensor) and a.dtype == torch.float32 else
              (a.detach().clone().requires_grad_(grad and a.is_floating_point()) if isinstance(a, torch.Tensor) else a) for a in args]
    if out.dtype == torch.float32 and truth64:
        args64 = [a.detach().double().requires_grad_(grad) if isinstance(a, torch.Tensor) and a.dtype in (torch.float32, torch.int32) else a for a in args64]
        out64 = fn(*args64)
    else:
        out64 = out
    e = enc(out64.detach())
    e["dtype"] = want_dtype
    entry["out"] = e
    if grad and out.is_floating_point() and out.requires_grad:
        ct = torch.linspace(0.5, 1.5, max(out.numel(), 1), dtype=torch.float64)[: out.numel()].reshape(out.shape)
        src = args64 if out64 is not out else targs
        leaves = [a for a in src if isinstance(a, torch.Tensor) and a.requires_grad]
        gs = torch.autograd.grad(out64 if out64 is not out else out, leaves, ct.to(out64.dtype), allow_unused=True)
        it = iter(gs)
        entry["cotangent"] = enc(ct)
        entry["grads"] = [(lambda g, a: enc(g) if g is not None else enc(torch.zeros_like(a)))(next(it), a)
                          if isinstance(a, torch.Tensor) and a.requires_grad else None for a in src]
    if op in EXACT and len(args) == 1:
        f, df = EXACT[op]
        xs = args[0].double().reshape(-1).tolist()
        ys = [f(x) for x in xs]
        entry["exact"] = [num(y) if y is not None else None for y in ys]
        if "grads" in entry:
            cts = entry["cotangent"]["data"]
            entry["exactGrad"] = [num(c * d) if (d := df(x)) is not None and y is not None else None for c, x, y in zip(cts, xs, ys)]
    cases.append(entry)


def main():
    # PyTorch's own default dtype, which the int32 cases' float results depend on: generate.py runs
    # this after generators that import common.py, which switches the default to float64 for them.
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        write_cases()
    finally:
        torch.set_default_dtype(before)


def write_cases():
    cases = []
    g = torch.Generator().manual_seed(7)

    def rnd(n, lo, hi):
        return (torch.rand(n, generator=g, dtype=torch.float64) * (hi - lo) + lo).tolist()

    EDGE = [0.0, -0.0, inf, -inf, nan]
    domains = {
        "sin": (rnd(6, -10, 10) + [1e10, 1e-300, 3.0e5], EDGE),
        "cos": (rnd(6, -10, 10) + [1e10, 1e-300], EDGE),
        "tan": (rnd(6, -1.5, 1.5) + [1e10, 1e-300], EDGE),
        "asin": (rnd(6, -0.99, 0.99) + [1e-300], EDGE + [1.0, -1.0, 1.5]),
        "acos": (rnd(6, -0.99, 0.99), EDGE + [1.0, -1.0, -1.5]),
        "atan": (rnd(6, -10, 10) + [1e300, -1e-300], EDGE),
        "sinh": (rnd(6, -5, 5) + [700.0, -700.0, 1e-300], EDGE + [800.0]),
        "cosh": (rnd(6, -5, 5) + [700.0, -700.0], EDGE + [800.0]),
        "asinh": (rnd(6, -10, 10) + [1e300, -1e300, 1e-300], EDGE),
        "acosh": (rnd(6, 1.01, 10) + [1e300], [1.0, 0.5, inf, nan, -inf]),
        "atanh": (rnd(6, -0.99, 0.99) + [1e-300], EDGE + [1.0, -1.0, 2.0]),
        "reciprocal": (rnd(6, -10, 10) + [1e-300, 1e300], EDGE),
        "erf": (rnd(6, -4, 4) + [1e-300, 6.5], EDGE),
        "erfc": (rnd(6, -4, 4) + [10.0, 26.0, -6.0], EDGE),
        "erfinv": (rnd(8, -0.999, 0.999) + [1 - 2**-20, -(1 - 2**-40), 1 - 2**-52, 1e-300, 0.5, -0.5, 0.9999999],
                   [0.0, -0.0, 1.0, -1.0, 1.5, nan]),
        "lgamma": (rnd(8, -20, 30) + [1e-300, 1e10, 1e300, -0.5, -2.5, 0.999, 2.001, 1e-8, 171.5, -1e10 - 0.5],
                   [0.0, -0.0, -1.0, -2.0, -1e10, inf, -inf, nan, 1.0, 2.0]),
        "digamma": (rnd(8, -20, 30) + [1e-10, 1.4616321449683623, 1e15, -0.5, -2.5, -7.25, 1e-300],
                    [0.0, -0.0, -1.0, -2.0, -1e10, inf, -inf, nan]),
        "floor": (rnd(6, -10, 10) + [0.5, -0.5, 2.5, 4503599627370495.5], EDGE),
        "ceil": (rnd(6, -10, 10) + [0.5, -0.5, 2.5], EDGE),
        "trunc": (rnd(6, -10, 10) + [0.5, -0.5, -2.5], EDGE),
        "frac": (rnd(6, -10, 10) + [0.5, -0.5, -2.5, 1e300], [0.0, -0.0, nan]),
        "round": (rnd(6, -10, 10), [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 4503599627370495.5, 1e300] + EDGE),
    }
    torch_name = {"lgamma": torch.lgamma}
    for op, (smooth, edge) in domains.items():
        fn = getattr(torch, op)
        for dtype in (torch.float64, torch.float32):
            tag = DT[dtype]
            case(cases, f"{op}/{tag}/smooth", op, fn, [tensor(smooth, dtype)])
            # Edge values: values and gradients (PyTorch's choices at poles and infinities).
            case(cases, f"{op}/{tag}/edge", op, fn, [tensor(edge, dtype)])
        if op not in ("frac",):
            case(cases, f"{op}/int32", op, fn, [tensor([-3, -1, 0, 1, 2, 5], torch.int32)], grad=False)

    # round with decimals, half to even after the scaling as PyTorch computes it.
    for d in (1, 2, 3, -1, -2):
        vals = [1.2345, 2.675, -2.675, 0.125, 0.375, 1234.5, -1250.0, 15.0, 25.0, nan, inf, -0.0]
        for dtype in (torch.float64, torch.float32):
            case(cases, f"round/decimals{d}/{DT[dtype]}", "round", lambda x, d=d: torch.round(x, decimals=d),
                 [tensor(vals, dtype)], options={"decimals": d})

    for op in ("isnan", "isinf", "isfinite"):
        for dtype in (torch.float64, torch.float32, torch.int32):
            vals = [0, 1, -2] if dtype == torch.int32 else [0.0, -0.0, 1.5, inf, -inf, nan]
            case(cases, f"{op}/{DT[dtype]}", op, getattr(torch, op), [tensor(vals, dtype)], grad=False)
    vals = [0.0, -1.5, inf, -inf, nan, 3e38]
    for dtype in (torch.float64, torch.float32):
        case(cases, f"nanToNum/default/{DT[dtype]}", "nanToNum", torch.nan_to_num, [tensor(vals, dtype)], truth64=False)
        case(cases, f"nanToNum/options/{DT[dtype]}", "nanToNum", lambda x: torch.nan_to_num(x, nan=-1.0, posinf=9.0, neginf=-9.0),
             [tensor(vals, dtype)], options={"nan": -1.0, "posinf": 9.0, "neginf": -9.0}, truth64=False)
    case(cases, "nanToNum/int32", "nanToNum", torch.nan_to_num, [tensor([1, -2], torch.int32)], grad=False)

    # Binary ops: every pair of edge values, and a broadcast smooth case.
    PAIR_EDGE = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, inf, -inf, nan, 1e300, -1e-300]
    ea = [u for u in PAIR_EDGE for _ in PAIR_EDGE]
    eb = [v for _ in PAIR_EDGE for v in PAIR_EDGE]
    binary = {
        "atan2": ((-3, 3), (-3, 3)), "hypot": ((-3, 3), (-3, 3)), "logaddexp": ((-5, 5), (-5, 5)),
        "logaddexp2": ((-5, 5), (-5, 5)), "xlogy": ((-3, 3), (0.1, 5)), "fmod": ((-10, 10), (0.5, 3)),
        "remainder": ((-10, 10), (-3, 3)),
    }
    for op, (ra, rb) in binary.items():
        fn = getattr(torch, op)
        for dtype in (torch.float64, torch.float32):
            tag = DT[dtype]
            a = tensor(rnd(12, *ra), dtype).reshape(3, 4)
            # float64: b broadcast along a's rows; float32: the same shape (a broadcast gradient
            # is a float32 sum, whose rounding the core's tests bound).
            b = tensor(rnd(4 if dtype == torch.float64 else 12, *rb), dtype).reshape(-1 if dtype == torch.float64 else 3, 4)
            case(cases, f"{op}/{tag}/broadcast", op, fn, [a, b])
            # Edge pairs: values only for the discontinuous ones' gradients at the edges.
            case(cases, f"{op}/{tag}/edge", op, fn, [tensor(ea, dtype), tensor(eb, dtype)], grad=op not in ("fmod", "remainder"))
            if op in ("xlogy", "fmod", "remainder"):  # the others take no number in PyTorch 1.13
                case(cases, f"{op}/{tag}/scalar", op, fn, [a, 1.5])
        if op in ("atan2", "xlogy", "fmod", "remainder"):
            ia = tensor([5, -5, 5, -5, 0, 7], torch.int32)
            ib = tensor([3, 3, -3, -3, 2, -7], torch.int32)
            case(cases, f"{op}/int32", op, fn, [ia, ib], grad=False)
    # fmod/remainder sign rules with smooth gradients (away from the jumps).
    for op in ("fmod", "remainder"):
        case(cases, f"{op}/signs", op, getattr(torch, op), [tensor([5.5, -5.5, 5.5, -5.5, 0.25], torch.float64), tensor([3.0, 3.0, -3.0, -3.0, -1.0], torch.float64)])
    case(cases, "xlogy/zeros", "xlogy", torch.xlogy, [tensor([0.0, 0.0, 0.0, 1.0, -1.0, 2.0], torch.float64), tensor([0.0, -1.0, 3.0, 0.0, 2.0, nan], torch.float64)])

    for dtype in (torch.float64, torch.float32):
        tag = DT[dtype]
        s, e = tensor(rnd(6, -3, 3), dtype).reshape(2, 3), tensor(rnd(3, -3, 3), dtype)
        w = tensor([0.0, 0.25, 0.5, 0.75, 1.0, 1.5], dtype).reshape(2, 3)
        case(cases, f"lerp/{tag}/tensor-weight", "lerp", torch.lerp, [s, e, w])
        case(cases, f"lerp/{tag}/number-weight", "lerp", torch.lerp, [s, e, 0.75])
        case(cases, f"lerp/{tag}/edges", "lerp", torch.lerp, [tensor([1.0, inf, 0.0, 2.0], dtype), tensor([2.0, 1.0, nan, 2.0], dtype), tensor([1.0, 0.5, 0.5, -2.0], dtype)])

    a = tensor([1.0, 1.0 + 1e-6, 1.0 + 1e-4, inf, inf, -inf, nan, 0.0, 1e-9], torch.float64)
    b = tensor([1.0, 1.0, 1.0, inf, -inf, -inf, nan, 1e-9, 0.0], torch.float64)
    case(cases, "isclose/default", "isclose", torch.isclose, [a, b], grad=False)
    case(cases, "isclose/options", "isclose", lambda x, y: torch.isclose(x, y, rtol=1e-3, atol=0.0, equal_nan=True),
         [a, b], options={"rtol": 1e-3, "atol": 0.0, "equalNan": True}, grad=False)
    case(cases, "isclose/float32-broadcast", "isclose", torch.isclose, [a.float().reshape(9, 1), b.float()[:3]], grad=False)
    case(cases, "isclose/int32", "isclose", torch.isclose, [tensor([1, 2, 3], torch.int32), tensor([1, 3, 3], torch.int32)], grad=False)
    case(cases, "allclose/true", "allclose", torch.allclose, [a[:3] * 0 + 1, a[:3] * 0 + 1 + 1e-9], grad=False)
    case(cases, "allclose/false", "allclose", torch.allclose, [a, b], grad=False)
    case(cases, "allclose/equalNan", "allclose", lambda x, y: torch.allclose(x, y, equal_nan=True), [a[6:7], b[6:7]],
         options={"equalNan": True}, grad=False)
    case(cases, "equal/same", "equal", torch.equal, [b[:3], b[:3].clone()], grad=False)
    case(cases, "equal/nan", "equal", torch.equal, [b, b.clone()], grad=False)
    case(cases, "equal/shape", "equal", torch.equal, [b[:2], b[:2].reshape(2, 1)], grad=False)
    case(cases, "equal/dtypes", "equal", torch.equal, [b[:3], b[:3].float()], grad=False)

    with open("tests/parity/cases/math-ops.json", "w") as f:
        json.dump({"generator": "scripts/torch-parity/math_ops.py", "torch": torch.__version__, "cases": cases}, f, indent=None)
        f.write("\n")
    print(f"math-ops.json: {len(cases)} cases")


if __name__ == "__main__":
    main()
