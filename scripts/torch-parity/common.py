"""Shared pieces of the PyTorch differential-case generator.

Inputs are drawn in float64, rounded to float32 (so edgegrad and PyTorch start from the same
numbers), and PyTorch computes the reference in float64. A case names the edgegrad call as data
(see tests/parity/run-case.ts), so adding a case never needs new test code.
"""
import itertools
import json
import math
import torch

torch.set_default_dtype(torch.float64)


def f32(t):
    """Rounds a float64 tensor to the nearest float32 values (kept in float64)."""
    return t.to(torch.float32).to(torch.float64)


class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def randn(self, *shape, scale=1.0):
        return f32(torch.randn(tuple(shape), generator=self.g) * scale)

    def rand(self, *shape, lo=0.0, hi=1.0):
        return f32(torch.rand(tuple(shape), generator=self.g) * (hi - lo) + lo)

    def randint(self, lo, hi, *shape):
        return torch.randint(lo, hi, shape, generator=self.g)


def enc(t, requires_grad=False, digits=10):
    """A tensor as JSON: shape, edgegrad dtype and the values in row-major order."""
    t = t.detach()
    if t.dtype == torch.bool:
        dtype, data = "bool", [int(v) for v in t.reshape(-1).tolist()]
    elif t.dtype in (torch.int64, torch.int32):
        dtype, data = "int32", [int(v) for v in t.reshape(-1).tolist()]
    else:
        # 10 significant digits: float32 inputs round-trip exactly, float64 references keep 1e-10
        # (float64 computations, such as optimizer trajectories, ask for all 17).
        dtype, data = "float32", [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]
    out = {"shape": list(t.shape), "dtype": dtype, "data": data}
    if requires_grad:
        out["requiresGrad"] = True
    return out


def enc_out(v):
    """An op's result as JSON: a tensor, a list of results or a dict of results."""
    if isinstance(v, torch.Tensor):
        return {"tensor": enc(v)}
    if isinstance(v, (list, tuple)):
        return {"list": [enc_out(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": {k: enc_out(x) for k, x in v.items()}}
    raise TypeError(type(v))


def float_leaves(v):
    if isinstance(v, torch.Tensor):
        return [v] if v.is_floating_point() else []
    if isinstance(v, (list, tuple)):
        return [x for e in v for x in float_leaves(e)]
    return [x for e in v.values() for x in float_leaves(e)]


def T(name):
    """A reference to the case's input tensor `name`, inside args or options."""
    return {"$t": name}


def call_case(cases, cid, call, inputs, torch_fn, terms=1, grad=True, gen=None):
    """Runs torch_fn on the inputs, with gradients of Σ out·cot for inputs that need them."""
    leaves = {k: v.clone().requires_grad_(rg and v.is_floating_point()) for k, (v, rg) in inputs.items()}
    out = torch_fn(**leaves)
    case = {"id": cid, "kind": "call", "call": call, "terms": terms,
            "inputs": {k: enc(v, rg and v.is_floating_point()) for k, (v, rg) in inputs.items()},
            "output": enc_out(out)}
    wants = [k for k, (v, rg) in inputs.items() if rg and v.is_floating_point()]
    outs = float_leaves(out)
    if grad and wants and any(o.requires_grad for o in outs):
        cots = [gen.randn(*o.shape) for o in outs]
        total = sum((o * c).sum() for o, c in zip(outs, cots) if o.requires_grad)
        gs = torch.autograd.grad(total, [leaves[k] for k in wants], allow_unused=True)
        case["cotangents"] = [enc(c) for c in cots]
        case["grads"] = {k: enc(g if g is not None else torch.zeros_like(leaves[k])) for k, g in zip(wants, gs)}
    cases.append(case)


def module_case(cases, cid, ctor, module, x, gen, terms=16):
    """A module with PyTorch's parameters loaded: output, input gradient and parameter gradients.
    `terms` (the longest sum, for the tolerance) is a number or a function of the module and its output."""
    for p in module.parameters():
        p.data = gen.randn(*p.shape)
    xi = x.clone().requires_grad_(True)
    out = module(xi)
    cot = gen.randn(*out.shape)
    (out * cot).sum().backward()
    cases.append({"id": cid, "kind": "module", "ctor": ctor, "terms": terms(module, out) if callable(terms) else terms,
                  "state": {k: enc(v) for k, v in module.state_dict().items()},
                  "input": enc(x, True), "output": enc(out), "cotangent": enc(cot), "inputGrad": enc(xi.grad),
                  "paramGrads": {k: enc(p.grad) for k, p in module.named_parameters()}})


RECURRENT_CELLS = {"RNN": {"nonlinearity": "tanh"}, "RNN-relu": {"nonlinearity": "relu"}, "LSTM": {}, "GRU": {}}


def recurrent_settings(cell):
    """A cell's settings: numLayers 1-2 x bidirectional, each with two of the eight combinations
    of batchFirst, initial states given and a third flag, so the four settings cover all eight.
    Yields the case id's start and (layers, bidirectional, batch_first, with_state, third)."""
    flags = list(itertools.product([False, True], repeat=3))
    for k, (layers, bidirectional) in enumerate(itertools.product([1, 2], [False, True])):
        for batch_first, with_state, third in flags[2 * k:2 * k + 2]:
            cid = (f"{cell}/l{layers}{'-bi' if bidirectional else ''}{'-batchfirst' if batch_first else ''}"
                   f"{'-h0' if with_state else ''}")
            yield cid, (layers, bidirectional, batch_first, with_state, third)


def recurrent_inputs(module, x, h0, c0):
    """A recurrent case's loaded parameters, input and initial states (read by
    tests/parity/recurrent.test.ts and tests/parity/packed-sequence.test.ts)."""
    return {"state": {k: enc(v) for k, v in module.state_dict().items()},
            "input": enc(x), "h0": enc(h0), "c0": enc(c0)}


def recurrent_grads(module, cots, xi, hi, ci, cn, with_state):
    """A recurrent case's cotangents and gradients after backward, and the final cell state cn
    (None but for an LSTM); the initial states have gradients only when they were given."""
    fields = {"cotangents": [enc(c) for c in cots], "inputGrad": enc(xi.grad),
              "paramGrads": {k: enc(p.grad) for k, p in module.named_parameters()}}
    if cn is not None:
        fields["cN"] = enc(cn)
    if with_state:
        fields["h0Grad"] = enc(hi.grad)
        if cn is not None:
            fields["c0Grad"] = enc(ci.grad)
    return fields


def write(path, cases):
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"{path}: {len(cases)} cases")
