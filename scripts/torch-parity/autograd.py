"""Differential cases for eg.autograd: torch.autograd.grad with intermediate (non-leaf) inputs,
several outputs and grad_outputs (None for a scalar output), allow_unused; and
torch.autograd.functional.jacobian and vjp of small functions of one and two inputs, with torch's
tuple forms. For tests/parity/autograd.test.ts.

A case names its function ("program") by name; the test writes the same function with edgegrad's
ops. Inputs are float32 values computed on in float64 on both sides, so every number is written
with all 17 significant digits and compared in float64. Hooks on the inputs of grad are left out:
PyTorch 1.13 does not apply them to the gradient it returns, edgegrad does (as PyTorch 2 does).
"""
import torch
from common import Gen, enc, write

FULL = 17


def mlp(t):
    h = torch.tanh(t["x"] @ t["w"] + t["b"])
    return {"h": h, "y1": (h * h).sum(1), "y2": h.mean()}


def chain(t):
    a = torch.sin(t["x"])
    b = a * t["x"]
    c = torch.cumsum(b, 0)
    return {"a": a, "b": b, "y": torch.exp(c * 0.5)}


def softmax_fn(x):
    return torch.softmax(x, -1)


def tanh_matmul(x, y):
    return torch.tanh(x @ y)


def sum_and_square(x):
    return (x.sum(), x * x)


def scaled_by_sum(x, y):
    return (x * y.sum() + y.mean(), torch.exp(y))


PROGRAMS = {"mlp": mlp, "chain": chain}
FUNCTIONS = {"softmax": softmax_fn, "tanhMatmul": tanh_matmul, "sumAndSquare": sum_and_square, "scaledBySum": scaled_by_sum}


def encode(v):
    if v is None:
        return None
    if isinstance(v, torch.Tensor):
        return enc(v, digits=FULL)
    return [encode(x) for x in v]


def grad_case(cases, g, cid, program, leaves, outputs, inputs, grad_outputs, allow_unused=False, unused_leaf=None):
    t = {k: v.clone().requires_grad_(True) for k, v in leaves.items()}
    named = {**t, **PROGRAMS[program](t)}
    gos = [None if s is None else g.randn(*named[o].shape) for o, s in zip(outputs, grad_outputs)]
    extra = [] if unused_leaf is None else [t[unused_leaf]]
    got = torch.autograd.grad([named[o] for o in outputs], [named[i] for i in inputs] + extra, grad_outputs=gos, allow_unused=allow_unused)
    cases.append({"id": f"grad/{cid}", "kind": "grad", "program": program,
                  "leaves": {k: enc(v, digits=FULL) for k, v in leaves.items()}, "outputs": outputs,
                  "inputs": inputs + ([] if unused_leaf is None else [unused_leaf]),
                  "gradOutputs": [encode(x) for x in gos], "allowUnused": allow_unused, "grads": [encode(x) for x in got]})


def jacobian_case(cases, cid, fn, inputs, as_tuple):
    args = tuple(inputs) if as_tuple else inputs[0]
    jac = torch.autograd.functional.jacobian(FUNCTIONS[fn], args)
    cases.append({"id": f"jacobian/{cid}", "kind": "jacobian", "fn": fn, "inputs": [enc(x, digits=FULL) for x in inputs],
                  "tuple": as_tuple, "jacobian": encode(jac)})


def vjp_case(cases, g, cid, fn, inputs, as_tuple):
    args = tuple(inputs) if as_tuple else inputs[0]
    out = FUNCTIONS[fn](*inputs)
    v = tuple(g.randn(*o.shape) for o in out) if isinstance(out, tuple) else g.randn(*out.shape)
    outputs, products = torch.autograd.functional.vjp(FUNCTIONS[fn], args, v)
    cases.append({"id": f"vjp/{cid}", "kind": "vjp", "fn": fn, "inputs": [enc(x, digits=FULL) for x in inputs],
                  "tuple": as_tuple, "v": encode(v), "outputs": encode(outputs), "vjp": encode(products)})


def main():
    g = Gen(4242)
    cases = []
    mlp_leaves = lambda: {"x": g.randn(3, 4), "w": g.randn(4, 2, scale=0.7), "b": g.randn(2, scale=0.3)}
    grad_case(cases, g, "mlp-intermediate-and-weight", "mlp", mlp_leaves(), ["y1", "y2"], ["h", "w"], [True, None])
    grad_case(cases, g, "mlp-leaf-beside-intermediate", "mlp", mlp_leaves(), ["y1"], ["x", "h", "b"], [True])
    grad_case(cases, g, "mlp-output-and-hidden", "mlp", mlp_leaves(), ["h", "y2"], ["x"], [True, None])
    grad_case(cases, g, "chain-intermediates", "chain", {"x": g.randn(6)}, ["y"], ["b", "a", "x"], [True])
    grad_case(cases, g, "chain-unused-leaf", "chain", {"x": g.randn(4), "z": g.randn(2)}, ["y"], ["a"], [True], allow_unused=True, unused_leaf="z")
    jacobian_case(cases, "softmax", "softmax", [g.randn(5)], False)
    jacobian_case(cases, "softmax-rows", "softmax", [g.randn(2, 3)], False)
    jacobian_case(cases, "tanh-matmul", "tanhMatmul", [g.randn(2, 3), g.randn(3, 2)], True)
    jacobian_case(cases, "sum-and-square", "sumAndSquare", [g.randn(2, 2)], False)
    jacobian_case(cases, "scaled-by-sum", "scaledBySum", [g.randn(3), g.randn(2)], True)
    jacobian_case(cases, "softmax-one-tuple", "softmax", [g.randn(4)], True)
    vjp_case(cases, g, "tanh-matmul", "tanhMatmul", [g.randn(3, 2), g.randn(2, 4)], True)
    vjp_case(cases, g, "scaled-by-sum", "scaledBySum", [g.randn(4), g.randn(3)], True)
    vjp_case(cases, g, "softmax", "softmax", [g.randn(2, 5)], False)
    write("tests/parity/cases/autograd.json", cases)


if __name__ == "__main__":
    main()
