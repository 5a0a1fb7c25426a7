"""Differential cases for the shape and indexing utilities (diag … rot90): values, integer results and gradients."""
import math
import torch
from common import Gen, T, call_case, write


def eg(name, *args):
    return {"on": "eg", "name": name, "args": list(args)}


INF = {"$num": "Infinity"}


def movement_cases(cases, g):
    x = g.randn(3, 4)
    for off in [0, 1, -2, -3]:
        call_case(cases, f"diag/2d/{off}", eg("diag", T("x"), off), {"x": (x, True)}, lambda x, off=off: torch.diag(x, off), gen=g)
    v = g.randn(3)
    for off in [0, 2, -1]:
        call_case(cases, f"diag/1d/{off}", eg("diag", T("v"), off), {"v": (v, True)}, lambda v, off=off: torch.diag(v, off), gen=g)
    x3 = g.randn(2, 3, 4)
    for off, d1, d2 in [(0, 0, 1), (1, -1, 0), (-1, 2, 1)]:
        call_case(cases, f"diagonal/{off}/{d1}/{d2}", eg("diagonal", T("x"), off, d1, d2), {"x": (x3, True)},
                  lambda x, off=off, d1=d1, d2=d2: torch.diagonal(x, off, d1, d2), gen=g)
    e = g.randn(2, 3)
    for off, d1, d2 in [(0, -2, -1), (1, 0, 2), (-2, 2, 0)]:
        call_case(cases, f"diagEmbed/{off}/{d1}/{d2}", eg("diagEmbed", T("x"), off, d1, d2), {"x": (e, True)},
                  lambda x, off=off, d1=d1, d2=d2: torch.diag_embed(x, off, d1, d2), gen=g)
    call_case(cases, "trace", eg("trace", T("x")), {"x": (x, True)}, lambda x: torch.trace(x), terms=3, gen=g)
    call_case(cases, "outer", eg("outer", T("a"), T("b")), {"a": (g.randn(3), True), "b": (g.randn(4), True)}, lambda a, b: torch.outer(a, b), gen=g)
    call_case(cases, "kron/2d", eg("kron", T("a"), T("b")), {"a": (g.randn(2, 3), True), "b": (g.randn(3, 2), True)}, lambda a, b: torch.kron(a, b), gen=g)
    call_case(cases, "kron/ranks", eg("kron", T("a"), T("b")), {"a": (g.randn(2, 1, 2), True), "b": (g.randn(3, 2), True)}, lambda a, b: torch.kron(a, b), gen=g)
    a, b = g.randn(2, 3, 3), g.randn(2, 3, 3)
    call_case(cases, "cross/default-dim", eg("cross", T("a"), T("b")), {"a": (a, True), "b": (b, True)}, lambda a, b: torch.cross(a, b), terms=2, gen=g)
    call_case(cases, "cross/dim-1", eg("cross", T("a"), T("b"), -1), {"a": (a, True), "b": (b, True)},
              lambda a, b: torch.cross(a, b, dim=-1), terms=2, gen=g)
    call_case(cases, "cross/broadcast", eg("cross", T("a"), T("b"), 1), {"a": (g.randn(4, 3), True), "b": (g.randn(1, 3), True)},
              lambda a, b: torch.cross(a, b, dim=1), terms=2, gen=g)
    call_case(cases, "tile", eg("tile", T("x"), [2, 1, 3]), {"x": (x, True)}, lambda x: torch.tile(x, (2, 1, 3)), gen=g)
    call_case(cases, "tile/short", eg("tile", T("x"), [2]), {"x": (x, True)}, lambda x: torch.tile(x, (2,)), gen=g)
    call_case(cases, "movedim", eg("movedim", T("x"), [0, -1], [2, 0]), {"x": (x3, True)}, lambda x: torch.movedim(x, (0, -1), (2, 0)), gen=g)
    call_case(cases, "swapaxes", eg("swapaxes", T("x"), 0, -1), {"x": (x3, True)}, lambda x: torch.swapaxes(x, 0, -1), gen=g)
    call_case(cases, "narrow", eg("narrow", T("x"), -1, -3, 2), {"x": (x3, True)}, lambda x: torch.narrow(x, -1, -3, 2), gen=g)
    idx = torch.tensor([[0, -1, 5], [11, 3, 3]])
    call_case(cases, "take", eg("take", T("x"), T("i")), {"x": (x, True), "i": (idx, False)}, lambda x, i: torch.take(x, i), gen=g)
    ia = torch.tensor([[2], [0], [3]])
    call_case(cases, "takeAlongDim/1", eg("takeAlongDim", T("x"), T("i"), 1), {"x": (x, True), "i": (ia, False)},
              lambda x, i: torch.take_along_dim(x, i, 1), gen=g)
    ib = torch.tensor([[1, 0, 2, 2]])
    call_case(cases, "takeAlongDim/broadcast", eg("takeAlongDim", T("x"), T("i"), 0), {"x": (x, True), "i": (ib, False)},
              lambda x, i: torch.take_along_dim(x, i, 0), gen=g)
    call_case(cases, "takeAlongDim/flat", eg("takeAlongDim", T("x"), T("i")), {"x": (x, True), "i": (torch.tensor([[11, 0], [1, 1]]), False)},
              lambda x, i: torch.take_along_dim(x, i), gen=g)
    for k in [1, 2, 3, -1, 6]:
        call_case(cases, f"rot90/{k}", eg("rot90", T("x"), k, [-1, 0]), {"x": (x3, True)}, lambda x, k=k: torch.rot90(x, k, (-1, 0)), gen=g)
    p, q, r = g.randn(3), g.randn(2), g.randn(4)
    for ix in ["ij", "xy"]:
        call_case(cases, f"meshgrid/{ix}", eg("meshgrid", T("p"), T("q"), T("r"), {"indexing": ix}),
                  {"p": (p, True), "q": (q, True), "r": (r, True)}, lambda p, q, r, ix=ix: torch.meshgrid(p, q, r, indexing=ix), gen=g)


def scatter_cases(cases, g):
    x = g.randn(3, 5)
    idx = torch.tensor([[0, 1, 2, 0, 1], [2, 0, 0, 1, 2]])
    src = g.randn(2, 5)
    call_case(cases, "scatter/src", eg("scatter", T("x"), 0, T("i"), T("s")), {"x": (x, True), "i": (idx, False), "s": (src, True)},
              lambda x, i, s: torch.scatter(x, 0, i, s), gen=g)
    call_case(cases, "scatter/index-smaller", eg("scatter", T("x"), 1, T("i"), T("s")),
              {"x": (x, True), "i": (torch.tensor([[4, 0], [1, 2]]), False), "s": (g.randn(2, 2), True)},
              lambda x, i, s: torch.scatter(x, 1, i, s), gen=g)
    call_case(cases, "scatter/value", eg("scatter", T("x"), -1, T("i"), 2.5), {"x": (x, True), "i": (torch.tensor([[4], [0], [2]]), False)},
              lambda x, i: torch.scatter(x, -1, i, 2.5), gen=g)
    for red in ["add", "multiply"]:
        call_case(cases, f"scatter/reduce-{red}", eg("scatter", T("x"), 0, T("i"), T("s"), {"reduce": red}),
                  {"x": (x, False), "i": (idx, False), "s": (src, False)}, lambda x, i, s, red=red: torch.scatter(x, 0, i, s, reduce=red), gen=g)
        call_case(cases, f"scatter/value-{red}", eg("scatter", T("x"), 0, T("i"), 3, {"reduce": red}),
                  {"x": (x, False), "i": (idx, False)}, lambda x, i, red=red: torch.scatter(x, 0, i, 3, reduce=red), gen=g)


def search_cases(cases, g):
    seq = torch.tensor([1.0, 2.0, 2.0, 3.0, 5.0])
    vals = torch.tensor([[2.0, 0.0, 5.0], [6.0, 1.0, 2.5]])
    for right in [False, True]:
        call_case(cases, f"searchsorted/1d/{right}", eg("searchsorted", T("s"), T("v"), {"right": right}),
                  {"s": (seq, False), "v": (vals, False)}, lambda s, v, right=right: torch.searchsorted(s, v, right=right), gen=g)
        call_case(cases, f"bucketize/{right}", eg("bucketize", T("v"), T("s"), {"right": right}),
                  {"s": (seq, False), "v": (vals, False)}, lambda s, v, right=right: torch.bucketize(v, s, right=right), gen=g)
    seq2 = torch.tensor([[1.0, 3.0, 5.0, 7.0], [2.0, 2.0, 4.0, 4.0]])
    call_case(cases, "searchsorted/nd/side-right", eg("searchsorted", T("s"), T("v"), {"side": "right"}),
              {"s": (seq2, False), "v": (torch.tensor([[3.0, 8.0], [2.0, 4.0]]), False)},
              lambda s, v: torch.searchsorted(s, v, side="right"), gen=g)
    uns = torch.tensor([5.0, 1.0, 3.0, 2.0])
    call_case(cases, "searchsorted/sorter", eg("searchsorted", T("s"), T("v"), {"sorter": T("o")}),
              {"s": (uns, False), "v": (torch.tensor([2.0, 4.0, 0.5, 9.0]), False), "o": (torch.argsort(uns), False)},
              lambda s, v, o: torch.searchsorted(s, v, sorter=o), gen=g)
    call_case(cases, "searchsorted/scalar", eg("searchsorted", T("s"), 2), {"s": (seq, False)},
              lambda s: torch.searchsorted(s, 2), gen=g)


def set_cases(cases, g):
    x = torch.tensor([[1.0, 0.0, 2.0], [0.0, 4.0, -3.0]])
    call_case(cases, "nonzero", eg("nonzero", T("x")), {"x": (x, False)}, lambda x: torch.nonzero(x), gen=g)
    call_case(cases, "nonzero/tuple", eg("nonzero", T("x"), {"asTuple": True}), {"x": (x, False)},
              lambda x: torch.nonzero(x, as_tuple=True), gen=g)
    call_case(cases, "nonzero/0d", eg("nonzero", T("x")), {"x": (torch.tensor(2.0), False)}, lambda x: torch.nonzero(x), gen=g)
    call_case(cases, "nonzero/empty", eg("nonzero", T("x")), {"x": (torch.zeros(0, 3), False)}, lambda x: torch.nonzero(x), gen=g)
    u = torch.tensor([[3, 1, 2], [1, 3, 3]], dtype=torch.int32)
    call_case(cases, "unique", eg("unique", T("x")), {"x": (u, False)}, lambda x: torch.unique(x), gen=g)
    call_case(cases, "unique/inverse-counts", eg("unique", T("x"), {"returnInverse": True, "returnCounts": True}), {"x": (u, False)},
              lambda x: dict(zip(["values", "inverse", "counts"], torch.unique(x, return_inverse=True, return_counts=True))), gen=g)
    m = torch.tensor([[1, 2, 1], [0, 5, 0], [1, 2, 1], [0, 1, 0]], dtype=torch.int32)
    for dim in [0, 1, -1]:
        call_case(cases, f"unique/dim{dim}", eg("unique", T("x"), {"dim": dim, "returnInverse": True, "returnCounts": True}), {"x": (m, False)},
                  lambda x, dim=dim: dict(zip(["values", "inverse", "counts"], torch.unique(x, dim=dim, return_inverse=True, return_counts=True))), gen=g)
    f = g.randn(7).round()
    call_case(cases, "unique/float", eg("unique", T("x"), {"returnCounts": True}), {"x": (f, False)},
              lambda x: dict(zip(["values", "counts"], torch.unique(x, return_counts=True))), gen=g)


def cdist_cases(cases, g):
    a, b = g.randn(2, 4, 3), g.randn(2, 5, 3)
    for name, p in [("2", 2.0), ("1", 1.0), ("0", 0.0), ("inf", math.inf), ("3", 3.0), ("0.5", 0.5)]:
        call_case(cases, f"cdist/p{name}", eg("cdist", T("a"), T("b"), INF if p == math.inf else p), {"a": (a, True), "b": (b, True)},
                  lambda a, b, p=p: torch.cdist(a, b, p), terms=6, gen=g)
    # Zero distances (a row repeated): PyTorch's gradient there is 0; batch dims broadcast.
    c = g.randn(3, 2)
    d = torch.cat([c[:1], g.randn(1, 2)])
    for name, p in [("2", 2.0), ("1.5", 1.5), ("inf", math.inf)]:
        call_case(cases, f"cdist/zero/p{name}", eg("cdist", T("a"), T("b"), INF if p == math.inf else p),
                  {"a": (c.reshape(1, 3, 2), True), "b": (d.reshape(1, 1, 2, 2).expand(2, 1, 2, 2).clone(), True)},
                  lambda a, b, p=p: torch.cdist(a, b, p), terms=4, gen=g)


def main():
    cases, g = [], Gen(71)
    for f in [movement_cases, scatter_cases, search_cases, set_cases, cdist_cases]:
        f(cases, g)
    write("tests/parity/cases/index-ops.json", cases)


if __name__ == "__main__":
    main()
