"""Differential cases for F.pad, F.one_hot, F.unfold, F.fold and F.pdist (values and gradients),
for tests/nn/functional-extra.test.ts. F.gumbel_softmax draws from PyTorch's generator, so its
cases live in the test (its deterministic parts) rather than here.
"""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def pad_cases(cases, g):
    for cid, shape, pad, mode, value in [
        ("constant-1d", (2, 5), [1, 2], "constant", 0.0), ("constant-value-crop", (2, 3, 4), [2, -1, -1, 1], "constant", 1.5),
        ("reflect-2d", (1, 2, 4, 5), [2, 1, 3, 0], "reflect", None), ("replicate-2d", (1, 2, 3, 3), [2, 2, 1, 3], "replicate", None),
        ("circular-2d", (1, 1, 3, 4), [1, 4, 3, 2], "circular", None), ("reflect-3d", (1, 1, 3, 3, 4), [1, 1, 2, 1, 1, 2], "reflect", None),
        ("constant-all-dims", (3, 2), [1, 1, 0, 2], "constant", -2.0),
    ]:
        opts = {"mode": mode} if value is None else {"mode": mode, "value": value}
        kw = {"mode": mode} if value is None else {"mode": mode, "value": value}
        call_case(cases, f"pad/{cid}", F("pad", T("x"), pad, opts), {"x": (g.randn(*shape), True)},
                  lambda x, pad=pad, kw=kw: TF.pad(x, pad, **kw), gen=g)


def one_hot_cases(cases, g):
    for cid, labels, k in [("inferred", [[0, 3], [2, 1]], -1), ("given", [1, 0, 4], 6), ("0-d", 2, 4), ("empty", [], 3)]:
        t = torch.tensor(labels, dtype=torch.int64)
        call_case(cases, f"oneHot/{cid}", F("oneHot", T("t"), k), {"t": (t, False)}, lambda t, k=k: TF.one_hot(t, k), gen=g)


def unfold_fold_cases(cases, g):
    for cid, shape, k, kw in [
        ("k2", (2, 3, 4, 5), 2, {}), ("k3-pad1-stride2", (1, 2, 5, 6), 3, dict(padding=1, stride=2)),
        ("rect-dilation", (2, 1, 6, 7), (2, 3), dict(dilation=(2, 1), padding=(1, 0), stride=(1, 2))),
        ("unbatched", (2, 4, 4), 2, dict(stride=2)), ("kernel-is-image", (1, 2, 3, 3), 3, {}),
    ]:
        x = g.randn(*shape)
        call_case(cases, f"unfold/{cid}", F("unfold", T("x"), list(k) if isinstance(k, tuple) else k,
                  {a: (list(v) if isinstance(v, tuple) else v) for a, v in kw.items()}),
                  {"x": (x, True)}, lambda x, k=k, kw=kw: TF.unfold(x, k, **kw), gen=g)
        cols = TF.unfold(x, k, **kw)
        size = list(shape[-2:])
        call_case(cases, f"fold/{cid}", F("fold", T("c"), size, list(k) if isinstance(k, tuple) else k,
                  {a: (list(v) if isinstance(v, tuple) else v) for a, v in kw.items()}),
                  {"c": (g.randn(*cols.shape), True)}, lambda c, size=size, k=k, kw=kw: TF.fold(c, size, k, **kw),
                  terms=(k[0] * k[1] if isinstance(k, tuple) else k * k), gen=g)


def pdist_cases(cases, g):
    for cid, shape, p in [("p2", (5, 3), 2.0), ("p1", (4, 6), 1.0), ("p3", (4, 2), 3.0), ("p0.5", (3, 4), 0.5),
                          ("inf", (4, 3), float("inf")), ("one-row", (1, 3), 2.0), ("empty-features", (3, 0), 2.0)]:
        arg = {"$num": "Infinity"} if p == float("inf") else p
        call_case(cases, f"pdist/{cid}", F("pdist", T("x"), arg), {"x": (g.randn(*shape), True)},
                  lambda x, p=p: TF.pdist(x, p), terms=shape[1] + 2, gen=g)
    # A repeated row: the distance is 0 and PyTorch's gradient there is 0.
    x = g.randn(3, 2)
    x[2] = x[0]
    call_case(cases, "pdist/repeated-row", F("pdist", T("x")), {"x": (x, True)}, lambda x: TF.pdist(x), terms=4, gen=g)


def main():
    cases, g = [], Gen(71)
    for f in [pad_cases, one_hot_cases, unfold_fold_cases, pdist_cases]:
        f(cases, g)
    write("tests/parity/cases/functional-extra.json", cases)


if __name__ == "__main__":
    main()
