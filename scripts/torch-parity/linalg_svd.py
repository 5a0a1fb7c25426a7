"""Differential cases for svd, svdvals, pinv, lstsq, matrixRank, vectorNorm, matrixNorm, cond, eigvalsh,
multiDot and householderProduct (values and gradients), for tests/parity/linalg-svd.test.ts.

Singular vectors are defined only up to sign: PyTorch's U and Vh are normalized here as edgegrad
normalizes its own (each column of U with its largest-magnitude entry positive, the matching row of
Vh flipped with it), and only the reduced factors are compared (with fullMatrices and m != n the
extra columns are an arbitrary basis). Matrices are drawn with distinct singular values (a random
matrix plus a multiple of a rectangular identity), so the vectors' gradients are well defined.
Rank-deficient inputs are value-only cases (the gradient of pinv there is not continuous).
"""
import torch
from common import Gen, T, call_case, write

INF = {"$num": "Infinity"}
NEG_INF = {"$num": "-Infinity"}


def EG(name, *args):
    return {"on": "eg", "name": name, "args": list(args)}


def well(g, *shape):
    """A random batch of m×n matrices plus 2·max(m, n)·diag(1.5 … 1) (rectangular): well conditioned."""
    m, n = shape[-2], shape[-1]
    k = min(m, n)
    spread = torch.zeros(m, n)
    spread[range(k), range(k)] = torch.linspace(1.5, 1.0, k)  # distinct singular values
    return g.randn(*shape) + 2 * max(m, n) * spread


def normalized(U, S, Vh):
    """The reduced factors with each column of U's largest-magnitude entry made positive, as edgegrad's."""
    idx = U.detach().abs().argmax(dim=-2, keepdim=True)
    s = torch.where(U.detach().gather(-2, idx) < 0, -1.0, 1.0)
    return [U * s, S, Vh * s.transpose(-2, -1)]


def rank_deficient(g, m, n, r):
    return g.randn(m, r) @ g.randn(r, n)


def svd_cases(cases, g):
    for cid, shape in [("square", (3, 3)), ("tall", (5, 3)), ("wide", (2, 4)), ("batched-tall", (2, 4, 2)),
                       ("batched-wide", (2, 2, 3)), ("1x1", (1, 1)), ("row", (1, 4))]:
        A = g.randn(*shape)
        terms = 8 * max(shape[-2:]) + 8
        call_case(cases, f"svd/{cid}", EG("svd", T("A"), {"fullMatrices": False}), {"A": (A, True)},
                  lambda A: normalized(*torch.linalg.svd(A, full_matrices=False)), terms=terms, gen=g)
        call_case(cases, f"svdvals/{cid}", EG("svdvals", T("A")), {"A": (A, True)},
                  lambda A: torch.linalg.svdvals(A), terms=terms, gen=g)
    A = g.randn(3, 3)
    call_case(cases, "svd/square-full", EG("svd", T("A")), {"A": (A, True)},
              lambda A: normalized(*torch.linalg.svd(A)), terms=32, gen=g)


def pinv_cases(cases, g):
    for cid, shape in [("square", (3, 3)), ("tall", (4, 2)), ("wide", (2, 3)), ("batched", (2, 3, 2))]:
        call_case(cases, f"pinv/{cid}", EG("pinv", T("A")), {"A": (well(g, *shape), True)},
                  lambda A: torch.linalg.pinv(A), terms=16 * max(shape[-2:]) + 8, gen=g)
    x = g.randn(3, 3)
    sym = x @ x.T + 3 * torch.eye(3) - 6 * torch.diag(torch.tensor([1.0, 0, 0]))
    call_case(cases, "pinv/hermitian", EG("pinv", T("A"), {"hermitian": True}), {"A": (sym, True)},
              lambda A: torch.linalg.pinv(A, hermitian=True), terms=56, gen=g)
    call_case(cases, "pinv/rank-deficient", EG("pinv", T("A")), {"A": (rank_deficient(g, 4, 3, 2), False)},
              lambda A: torch.linalg.pinv(A), terms=56, gen=g)
    call_case(cases, "pinv/rtol", EG("pinv", T("A"), {"rtol": 0.5}), {"A": (torch.diag(torch.tensor([4.0, 3, 1])), False)},
              lambda A: torch.linalg.pinv(A, rtol=0.5), gen=g)
    call_case(cases, "pinv/atol", EG("pinv", T("A"), {"atol": 2.0}), {"A": (torch.diag(torch.tensor([4.0, 3, 1])), False)},
              lambda A: torch.linalg.pinv(A, atol=2.0), gen=g)


def lstsq_cases(cases, g):
    # PyTorch 1.13's lstsq backward fails for a batch of vector right-hand sides (a shape error
    # inside it) and is not run for wide A here: values only for those two.
    for cid, sa, sb in [("tall", (5, 3), (5, 2)), ("square", (3, 3), (3, 1)), ("wide", (2, 4), (2, 3)),
                        ("batched", (2, 4, 2), (2, 4, 1)), ("vector", (2, 4, 3), (2, 4))]:
        call_case(cases, f"lstsq/{cid}", EG("lstsq", T("A"), T("B")), {"A": (well(g, *sa), True), "B": (g.randn(*sb), True)},
                  lambda A, B: {"solution": torch.linalg.lstsq(A, B).solution}, terms=16 * max(sa[-2:]) + 8,
                  grad=sa[-2] >= sa[-1] and len(sb) == len(sa), gen=g)


def rank_cases(cases, g):
    for cid, A, kw, args in [("full", g.randn(3, 4), {}, []), ("deficient", rank_deficient(g, 4, 4, 2), {}, []),
                             ("batched", torch.stack([rank_deficient(g, 3, 5, 1), g.randn(3, 5)]), {}, []),
                             ("atol", torch.diag(torch.tensor([4.0, 3, 1])), {"atol": 2.0}, [{"atol": 2.0}]),
                             ("rtol", torch.diag(torch.tensor([4.0, 3, 1])), {"rtol": 0.2}, [{"rtol": 0.2}]),
                             ("hermitian", torch.diag(torch.tensor([4.0, -3, 0])), {"hermitian": True}, [{"hermitian": True}])]:
        call_case(cases, f"matrixRank/{cid}", EG("matrixRank", T("A"), *args), {"A": (A, False)},
                  lambda A, kw=kw: torch.linalg.matrix_rank(A, **kw).to(torch.int32), gen=g)


def norm_cases(cases, g):
    x = g.randn(3, 4)
    for cid, ord_py, ord_js, dim in [("2-all", 2, 2, None), ("1-dim1", 1, 1, 1), ("inf-dim0", float("inf"), INF, 0),
                                     ("-inf", float("-inf"), NEG_INF, None), ("3-dims", 3, 3, [0, 1]), ("0.5", 0.5, 0.5, 1)]:
        opts = {"ord": ord_js} | ({"dim": dim} if dim is not None else {})
        call_case(cases, f"vectorNorm/{cid}", EG("vectorNorm", T("x"), opts), {"x": (x, True)},
                  lambda x, o=ord_py, d=dim: torch.linalg.vector_norm(x, o, dim=d), terms=16, gen=g)
    A = well(g, 2, 3, 4)
    for cid, ord_py, ord_js in [("fro", "fro", "fro"), ("nuc", "nuc", "nuc"), ("1", 1, 1), ("-1", -1, -1), ("2", 2, 2),
                                ("-2", -2, -2), ("inf", float("inf"), INF), ("-inf", float("-inf"), NEG_INF)]:
        call_case(cases, f"matrixNorm/{cid}", EG("matrixNorm", T("A"), {"ord": ord_js}), {"A": (A, True)},
                  lambda A, o=ord_py: torch.linalg.matrix_norm(A, o), terms=48, gen=g)
    call_case(cases, "matrixNorm/dims-keepdim", EG("matrixNorm", T("A"), {"ord": "nuc", "dim": [0, 2], "keepdim": True}),
              {"A": (A, True)}, lambda A: torch.linalg.matrix_norm(A, "nuc", dim=(0, 2), keepdim=True), terms=48, gen=g)


def cond_cases(cases, g):
    A = well(g, 2, 3, 3)
    for cid, p_py, p_js in [("default", None, None), ("-2", -2, -2), ("fro", "fro", "fro"), ("nuc", "nuc", "nuc"),
                            ("1", 1, 1), ("inf", float("inf"), INF)]:
        args = [T("A")] + ([{"p": p_js}] if p_js is not None else [])
        # PyTorch 1.13's backward of cond through the inverse fails (an in-place write it then
        # reads): values only for the norms other than ±2.
        call_case(cases, f"cond/{cid}", EG("cond", *args), {"A": (A, True)}, lambda A, p=p_py: torch.linalg.cond(A, p), terms=64,
                  grad=p_py in (None, -2), gen=g)
    call_case(cases, "cond/wide", EG("cond", T("A")), {"A": (well(g, 2, 4), True)}, lambda A: torch.linalg.cond(A), terms=48, gen=g)


def eigvalsh_multi_dot_cases(cases, g):
    for cid, A, uplo in [("lower", g.randn(3, 3), None), ("upper", g.randn(2, 4, 4), "U")]:
        args = [T("A")] + ([{"uplo": uplo}] if uplo else [])
        call_case(cases, f"eigvalsh/{cid}", EG("eigvalsh", *args), {"A": (A, True)},
                  lambda A, u=uplo: torch.linalg.eigvalsh(A, UPLO=u or "L"), terms=40, gen=g)
    for cid, shapes in [("matrices", [(2, 5), (5, 3), (3, 4)]), ("vector-ends", [(4,), (4, 3), (3, 2), (2,)]), ("two", [(3, 2), (2, 4)])]:
        names = [f"M{i}" for i in range(len(shapes))]
        call_case(cases, f"multiDot/{cid}", EG("multiDot", [T(nm) for nm in names]), {nm: (g.randn(*s), True) for nm, s in zip(names, shapes)},
                  lambda **ms: torch.linalg.multi_dot([ms[nm] for nm in names]), terms=16, gen=g)


def householder_cases(cases, g):
    for cid, sa, k in [("square", (3, 3), 3), ("tall", (5, 3), 2), ("batched", (2, 4, 2), 2), ("k0", (3, 2), 0)]:
        call_case(cases, f"householderProduct/{cid}", EG("householderProduct", T("A"), T("tau")),
                  {"A": (g.randn(*sa, scale=0.5), True), "tau": (g.rand(*sa[:-2], k, lo=0.5, hi=1.5), True)},
                  lambda A, tau: torch.linalg.householder_product(A, tau), terms=8 * sa[-2] + 8,
                  grad=k > 0, gen=g)  # with no reflectors Q is a constant (PyTorch's gradient: zeros)


def main():
    cases, g = [], Gen(91)
    for f in [svd_cases, pinv_cases, lstsq_cases, rank_cases, norm_cases, cond_cases, eigvalsh_multi_dot_cases,
              householder_cases]:
        f(cases, g)
    write("tests/parity/cases/linalg-svd.json", cases)


if __name__ == "__main__":
    main()
