"""Differential cases for tensor ops: values and gradients against PyTorch in float64."""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, write


def method(name, *args, self="x"):
    return {"on": "method", "self": self, "name": name, "args": list(args)}


def eg(name, *args):
    return {"on": "eg", "name": name, "args": list(args)}


def unary_cases(cases, g):
    positive = {"log", "sqrt", "rsqrt", "log1p"}
    ops = {
        "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
        "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
        "log1p": torch.log1p, "expm1": torch.expm1, "rsqrt": torch.rsqrt,
    }
    for name, fn in ops.items():
        for i, shape in enumerate([(7,), (3, 5)]):
            x = g.rand(*shape, lo=0.1, hi=3.0) if name in positive else g.randn(*shape, scale=2.0)
            call_case(cases, f"op/{name}/{i}", method(name), {"x": (x, True)}, lambda x, fn=fn: fn(x), gen=g)


def binary_cases(cases, g):
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
           "maximum": torch.maximum, "minimum": torch.minimum}
    for name, fn in ops.items():
        for i, (sa, sb) in enumerate([((4, 3), (4, 3)), ((2, 4, 3), (3,)), ((4, 1), (1, 5))]):
            a, b = g.randn(*sa), g.randn(*sb)
            if name == "div":
                b = b.sign() * (b.abs() + 0.5)
            call_case(cases, f"op/{name}/{i}", method(name, T("b"), self="a"),
                      {"a": (a, True), "b": (b, True)}, lambda a, b, fn=fn: fn(a, b), gen=g)
    a, b = g.rand(3, 4, lo=0.5, hi=2.0), g.randn(3, 4)
    call_case(cases, "op/pow/tensor", method("pow", T("b"), self="a"), {"a": (a, True), "b": (b, True)},
              lambda a, b: a.pow(b), gen=g)
    for i, e in enumerate([2, 3, 0.5, -1.5]):
        a = g.rand(5, lo=0.5, hi=2.0)
        call_case(cases, f"op/pow/scalar{i}", method("pow", e, self="a"), {"a": (a, True)}, lambda a, e=e: a.pow(e), gen=g)
    # Zero bases: PyTorch's gradient conventions (x^0 has gradient 0; d/db of 0^b is masked to 0).
    a = torch.tensor([0.0, 0.0, 1.5, 2.0])
    call_case(cases, "op/pow/zero-exponent", method("pow", 0, self="a"), {"a": (a, True)}, lambda a: a.pow(0), gen=g)
    b = torch.tensor([2.0, 3.0, 0.5, 1.0])
    call_case(cases, "op/pow/zero-base", method("pow", T("b"), self="a"), {"a": (a, False), "b": (b, True)},
              lambda a, b: a.pow(b), gen=g)


def reduction_cases(cases, g):
    x = g.randn(4, 6)
    for name in ["sum", "mean", "max", "min", "logsumexp"]:
        for axis in [0, 1, [0, 1]]:
            fn = {"sum": lambda x, a: x.sum(a), "mean": lambda x, a: x.mean(a),
                  "max": lambda x, a: x.amax(a), "min": lambda x, a: x.amin(a),
                  "logsumexp": lambda x, a: torch.logsumexp(x, a)}[name]
            call = eg(name, T("x"), axis) if name == "logsumexp" else method(name, axis)
            call_case(cases, f"reduce/{name}/{axis}", call, {"x": (x, True)},
                      lambda x, fn=fn, axis=axis: fn(x, axis), terms=24, gen=g)
    for name, fn in [("var", torch.var), ("std", torch.std)]:
        for corr in [0, 1]:
            call_case(cases, f"reduce/{name}/c{corr}", eg(name, T("x"), 1, {"correction": corr}), {"x": (x, True)},
                      lambda x, fn=fn, corr=corr: fn(x, 1, correction=corr), terms=6, gen=g)
    for name in ["softmax", "logSoftmax"]:
        fn = torch.softmax if name == "softmax" else torch.log_softmax
        call_case(cases, f"reduce/{name}", eg(name, T("x"), -1), {"x": (x, True)}, lambda x, fn=fn: fn(x, -1), terms=6, gen=g)
    call_case(cases, "reduce/cumsum/0", eg("cumsum", T("x"), 0), {"x": (x, True)}, lambda x: torch.cumsum(x, 0), terms=4, gen=g)
    call_case(cases, "reduce/cumsum/1", eg("cumsum", T("x"), 1), {"x": (x, True)}, lambda x: torch.cumsum(x, 1), terms=6, gen=g)
    for i, (p, dim) in enumerate([(2, None), (1, 1), (float("inf"), 0), ("fro", None), (3, 1)]):
        arg = {"$num": "Infinity"} if p == float("inf") else p
        args = [arg] if dim is None else [arg, dim]
        tf = (lambda x, p=p, dim=dim: torch.linalg.vector_norm(x, ord=p if p != "fro" else 2, dim=dim))
        call_case(cases, f"reduce/norm/{i}", eg("norm", T("x"), *args), {"x": (x, True)}, tf, terms=24, gen=g)


def indexing_cases(cases, g):
    x = g.randn(4, 5)
    idx = g.randint(0, 5, 4, 3)
    call_case(cases, "index/gather/1", eg("gather", T("x"), 1, T("i")), {"x": (x, True), "i": (idx, False)},
              lambda x, i: torch.gather(x, 1, i), gen=g)
    idx0 = g.randint(0, 4, 2, 5)
    call_case(cases, "index/gather/0", eg("gather", T("x"), 0, T("i")), {"x": (x, True), "i": (idx0, False)},
              lambda x, i: torch.gather(x, 0, i), gen=g)
    sel = torch.tensor([3, 0, 3])
    for dim in [0, 1]:
        call_case(cases, f"index/indexSelect/{dim}", eg("indexSelect", T("x"), dim, T("i")),
                  {"x": (x, True), "i": (sel, False)}, lambda x, i, dim=dim: torch.index_select(x, dim, i), gen=g)
    mask = g.rand(4, 5) > 0.5
    call_case(cases, "index/maskedFill", eg("maskedFill", T("x"), T("m"), -2.5), {"x": (x, True), "m": (mask, False)},
              lambda x, m: torch.masked_fill(x, m, -2.5), gen=g)
    src = g.randn(4, 3)
    call_case(cases, "index/scatterAdd", eg("scatterAdd", T("x"), 1, T("i"), T("s")),
              {"x": (x, True), "i": (idx, False), "s": (src, True)}, lambda x, i, s: torch.scatter_add(x, 1, i, s), gen=g)
    for i, (k, dim, largest) in enumerate([(2, -1, True), (3, 0, False)]):
        call_case(cases, f"index/topk/{i}", eg("topk", T("x"), k, {"dim": dim, "largest": largest}), {"x": (x, True)},
                  lambda x, k=k, dim=dim, largest=largest: dict(zip(["values", "indices"], torch.topk(x, k, dim, largest))), gen=g)
    c = g.randn(2, 3, 4)
    call_case(cases, "index/where", eg("where", T("c"), T("a"), T("b")),
              {"c": (c > 0, False), "a": (g.randn(2, 3, 4), True), "b": (g.randn(3, 4), True)},
              lambda c, a, b: torch.where(c, a, b), gen=g)


def shape_cases(cases, g):
    x = g.randn(2, 3, 4)
    call_case(cases, "shape/permute", method("permute", [2, 0, 1]), {"x": (x, True)}, lambda x: x.permute(2, 0, 1), gen=g)
    call_case(cases, "shape/transpose", method("transpose", 0, 2), {"x": (x, True)}, lambda x: x.transpose(0, 2), gen=g)
    call_case(cases, "shape/reshape", method("reshape", [4, -1]), {"x": (x, True)}, lambda x: x.reshape(4, -1), gen=g)
    call_case(cases, "shape/split/size", eg("split", T("x"), 2, 2), {"x": (x, True)}, lambda x: list(torch.split(x, 2, 2)), gen=g)
    call_case(cases, "shape/split/sections", eg("split", T("x"), [1, 3], 2), {"x": (x, True)}, lambda x: list(torch.split(x, [1, 3], 2)), gen=g)
    call_case(cases, "shape/chunk", eg("chunk", T("x"), 2, 1), {"x": (x, True)}, lambda x: list(torch.chunk(x, 2, 1)), gen=g)
    call_case(cases, "shape/repeat", eg("repeat", T("x"), 2, 1, 3), {"x": (x, True)}, lambda x: x.repeat(2, 1, 3), gen=g)
    call_case(cases, "shape/flip", eg("flip", T("x"), [0, 2]), {"x": (x, True)}, lambda x: torch.flip(x, [0, 2]), gen=g)
    call_case(cases, "shape/unfold", eg("unfold", T("x"), 2, 2, 1), {"x": (x, True)}, lambda x: x.unfold(2, 2, 1), gen=g)
    call_case(cases, "shape/concat", eg("concat", [T("a"), T("b")], 1), {"a": (x, True), "b": (g.randn(2, 2, 4), True)},
              lambda a, b: torch.cat([a, b], 1), gen=g)
    call_case(cases, "shape/stack", eg("stack", [T("a"), T("b")], 1), {"a": (x, True), "b": (g.randn(2, 3, 4), True)},
              lambda a, b: torch.stack([a, b], 1), gen=g)
    img = g.randn(2, 3, 4, 5)
    for mode in ["constant", "reflect", "replicate", "circular"]:
        pad = [1, 2, 2, 1]
        opts = {"mode": mode, "value": 0.5} if mode == "constant" else {"mode": mode}
        call_case(cases, f"shape/pad/{mode}", eg("pad", T("x"), pad, opts), {"x": (img, True)},
                  lambda x, mode=mode, pad=pad: TF.pad(x, pad, mode=mode, **({"value": 0.5} if mode == "constant" else {})), gen=g)


def einsum_cases(cases, g):
    specs = [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]), ("ii->i", [(4, 4)]),
             ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("i,j->ij", [(3,), (4,)]), ("...ij,...jk", [(2, 3, 4), (2, 4, 2)]),
             ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)])]
    for i, (eq, shapes) in enumerate(specs):
        names = [chr(ord("a") + k) for k in range(len(shapes))]
        inputs = {n: (g.randn(*s), True) for n, s in zip(names, shapes)}
        call_case(cases, f"einsum/{i}", eg("einsum", eq, *[T(n) for n in names]), inputs,
                  lambda eq=eq, names=names, **kw: torch.einsum(eq, *[kw[n] for n in names]), terms=8, gen=g)


def matmul_cases(cases, g):
    for i, (sa, sb) in enumerate([((3, 4), (4, 5)), ((2, 3, 4), (4, 2)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (4, 3))]):
        call_case(cases, f"matmul/{i}", method("matmul", T("b"), self="a"), {"a": (g.randn(*sa), True), "b": (g.randn(*sb), True)},
                  lambda a, b: a.matmul(b), terms=4, gen=g)


def main():
    cases, g = [], Gen(0)
    for f in [unary_cases, binary_cases, reduction_cases, indexing_cases, shape_cases, einsum_cases, matmul_cases]:
        f(cases, g)
    write("tests/parity/cases/ops.json", cases)


if __name__ == "__main__":
    main()
