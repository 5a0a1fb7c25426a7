"""Differential cases for det, slogdet, logdet, inverse, solve, cholesky, matrixPower, eigh and qr (values
and gradients), for tests/ndarray/linalg.test.ts.

Matrices are drawn well conditioned (a random matrix plus a multiple of the identity, or X·Xᵀ
plus one for the positive-definite ones), so a float32 result rounded from float64 is within a
few ulps of PyTorch's float64 one. Left out on purpose: the gradient of det at an exactly
singular matrix (PyTorch 1.13 gives zeros, edgegrad the cofactor matrix: its value case is kept),
and NaN results (logdet of a negative det), which JSON cannot hold: tests/ndarray/linalg.test.ts
writes those PyTorch values in.
"""
import torch
from common import Gen, T, call_case, write


def EG(name, *args):
    return {"on": "eg", "name": name, "args": list(args)}


def well(g, *shape, shift=None):
    """A random matrix batch with the identity times `shift` (default n) added: well conditioned."""
    n = shape[-1]
    return g.randn(*shape) + (n if shift is None else shift) * torch.eye(n)


def spd(g, *shape):
    n = shape[-1]
    x = g.randn(*shape)
    a = (x @ x.transpose(-1, -2) + n * torch.eye(n)).to(torch.float32).to(torch.float64)
    return (a + a.transpose(-1, -2)) / 2  # exactly symmetric


def det_cases(cases, g):
    for cid, shape, shift in [("3x3", (3, 3), 1.0), ("batched", (2, 4, 4), None), ("1x1", (1, 1), 0.0),
                              ("negative", (3, 3), -3.0), ("5x5", (5, 5), 2.0), ("empty-batch", (0, 3, 3), None)]:
        call_case(cases, f"det/{cid}", EG("det", T("A")), {"A": (well(g, *shape, shift=shift), True)},
                  lambda A: torch.det(A), terms=shape[-1] + 2, gen=g)
    call_case(cases, "det/0x0", EG("det", T("A")), {"A": (torch.zeros(2, 0, 0), True)}, lambda A: torch.det(A), gen=g)
    sing = torch.tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])
    call_case(cases, "det/singular-value", EG("det", T("A")), {"A": (sing, False)}, lambda A: torch.det(A), gen=g)


def logdet_cases(cases, g):
    for cid, shape, shift in [("3x3", (3, 3), 1.5), ("batched", (2, 3, 3), None), ("negative-det", (2, 2), -2.5)]:
        call_case(cases, f"slogdet/{cid}", EG("slogdet", T("A")), {"A": (well(g, *shape, shift=shift), True)},
                  lambda A: list(torch.linalg.slogdet(A)), terms=shape[-1] + 2, gen=g)
    for cid, A in [("spd", spd(g, 4, 4)), ("batched-spd", spd(g, 3, 2, 2))]:
        call_case(cases, f"logdet/{cid}", EG("logdet", T("A")), {"A": (A, True)}, lambda A: torch.logdet(A), terms=A.shape[-1] + 2, gen=g)


def inverse_cases(cases, g):
    for cid, shape in [("3x3", (3, 3)), ("batched", (2, 4, 4)), ("1x1", (1, 1)), ("4d-batch", (2, 1, 2, 2))]:
        call_case(cases, f"inverse/{cid}", EG("inverse", T("A")), {"A": (well(g, *shape), True)},
                  lambda A: torch.inverse(A), terms=2 * shape[-1] + 2, gen=g)


def solve_cases(cases, g):
    for cid, sa, sb in [("vector", (3, 3), (3,)), ("matrix", (3, 3), (3, 2)), ("batched-vector", (2, 3, 3), (2, 3)),
                        ("1d-rhs-batched-A", (2, 3, 3), (3,)), ("broadcast", (2, 1, 3, 3), (4, 3, 2)),
                        ("shared-A", (3, 3), (2, 3, 1))]:
        call_case(cases, f"solve/{cid}", EG("solve", T("A"), T("B")), {"A": (well(g, *sa), True), "B": (g.randn(*sb), True)},
                  lambda A, B: torch.linalg.solve(A, B), terms=2 * sa[-1] + 2, gen=g)


def cholesky_cases(cases, g):
    for cid, A, upper in [("3x3", spd(g, 3, 3), None), ("batched", spd(g, 2, 4, 4), None), ("upper", spd(g, 3, 3), True),
                          ("batched-upper", spd(g, 2, 2, 2), True), ("1x1", spd(g, 1, 1), False)]:
        args = [T("A")] + ([{"upper": upper}] if upper is not None else [])
        call_case(cases, f"cholesky/{cid}", EG("cholesky", *args), {"A": (A, True)},
                  lambda A, upper=upper: torch.linalg.cholesky(A, upper=bool(upper)), terms=2 * A.shape[-1] + 2, gen=g)


def power_cases(cases, g):
    for cid, shape, k in [("k3", (3, 3), 3), ("k-2", (3, 3), -2), ("k0", (2, 2, 2), 0), ("k1", (2, 2), 1),
                          ("batched-k5", (2, 2, 2), 5), ("k-1", (2, 2), -1)]:
        n = shape[-1]
        call_case(cases, f"matrixPower/{cid}", EG("matrixPower", T("A"), k), {"A": (well(g, *shape, shift=1.0) / n, True)},
                  lambda A, k=k: torch.linalg.matrix_power(A, k), terms=(abs(k) + 2) * (n + 2), gen=g)


def normalized(L, V):
    """eigh with each eigenvector's largest-magnitude entry (the first, on a tie) made positive, as edgegrad's."""
    idx = V.detach().abs().argmax(dim=-2, keepdim=True)
    s = torch.where(V.detach().gather(-2, idx) < 0, -1.0, 1.0)
    return {"eigenvalues": L, "eigenvectors": V * s}


def eigh_cases(cases, g):
    for cid, A, uplo in [("3x3", spd(g, 3, 3) - 3 * torch.eye(3), None), ("batched", spd(g, 2, 4, 4), None),
                         ("upper", g.randn(3, 3), "U"), ("lower-nonsymmetric", g.randn(3, 3), "L"), ("1x1", g.randn(1, 1), None)]:
        args = [T("A")] + ([{"uplo": uplo}] if uplo is not None else [])
        call_case(cases, f"eigh/{cid}", EG("eigh", *args), {"A": (A, True)},
                  lambda A, uplo=uplo: normalized(*torch.linalg.eigh(A, UPLO=uplo or "L")), terms=8 * A.shape[-1] + 8, gen=g)


def qr_cases(cases, g):
    for cid, shape in [("square", (3, 3)), ("tall", (5, 3)), ("wide", (2, 4)), ("batched-tall", (2, 4, 2)), ("batched-wide", (2, 2, 3)), ("1x1", (1, 1))]:
        call_case(cases, f"qr/{cid}", EG("qr", T("A")), {"A": (g.randn(*shape), True)},
                  lambda A: dict(zip("QR", torch.linalg.qr(A))), terms=4 * max(shape[-2:]) + 8, gen=g)


def main():
    cases, g = [], Gen(77)
    for f in [det_cases, logdet_cases, inverse_cases, solve_cases, cholesky_cases, power_cases, eigh_cases, qr_cases]:
        f(cases, g)
    write("tests/parity/cases/linalg.json", cases)


if __name__ == "__main__":
    main()
