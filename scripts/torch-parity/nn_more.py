"""Differential cases for nn.Unfold / nn.Fold, nn.Softmax2d, the 1-d/3-d and circular padding
modules, nn.utils.spectral_norm and the ParameterList / ParameterDict state-dict keys, written to
tests/parity/cases/nn-more.json for tests/parity/nn-more.test.ts.

ZeroPad1d, ZeroPad3d and CircularPad1d/2d/3d are PyTorch 2.1's modules: PyTorch 1.13 has none,
so their references are F.pad with the same mode (2.1's modules call exactly that). 1.13's
circular F.pad takes batched input only; the unbatched cases pad x.unsqueeze(0) and drop the dim
again, which is what 2.1 does for them.

A spectral-norm case seeds PyTorch, applies spectral_norm, replaces weight_orig and bias by
float32-valued draws and rounds u and v to float32; that state dict is what edgegrad loads, so
both start from the same numbers. Then three training forwards (outputs, u and v after each),
the gradients of the last one, an eval forward (no power step), the weight it used, and the
weight remove_spectral_norm leaves.
"""
import torch
import torch.nn as tnn
import torch.nn.functional as TF
from common import Gen, enc, f32, module_case, write


class Fn(tnn.Module):
    """A parameter-free module from a function: the reference for modules PyTorch 1.13 lacks."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def ctor(name, *args):
    return {"name": name, "args": list(args)}


def fold_cases(cases, g):
    # (id, input shape, kernelSize, options); PyTorch's keywords for the same options.
    unfolds = [("k2", (2, 3, 4, 5), 2, {}),
               ("k23-d12-p1-s21", (2, 2, 6, 5), [2, 3], {"dilation": [1, 2], "padding": 1, "stride": [2, 1]}),
               ("unbatched-s2", (3, 5, 5), 3, {"stride": 2, "padding": [1, 0]})]
    for cid, shape, k, o in unfolds:
        m = tnn.Unfold(k, **{key: v for key, v in o.items()})
        module_case(cases, f"Unfold/{cid}", ctor("Unfold", k, o), m, g.randn(*shape), g, terms=1)
    folds = [("k2", (2, 3 * 4, 12), [4, 5], 2, {}),
             ("k23-d12-p1-s21", (1, 2 * 6, 12), [6, 5], [2, 3], {"dilation": [1, 2], "padding": 1, "stride": [2, 1]}),
             ("unbatched-s2", (2 * 9, 9), [5, 5], 3, {"stride": 2, "padding": 1})]
    for cid, shape, out, k, o in folds:
        m = tnn.Fold(out, k, **o)
        module_case(cases, f"Fold/{cid}", ctor("Fold", out, k, o), m, g.randn(*shape), g, terms=9)


def softmax2d_cases(cases, g):
    for cid, shape in [("4d", (2, 5, 3, 4)), ("3d", (4, 2, 3))]:
        module_case(cases, f"Softmax2d/{cid}", ctor("Softmax2d"), tnn.Softmax2d(), g.randn(*shape, scale=2.0), g, terms=shape[-3] + 4)


def circular(pad, x, batched):
    return TF.pad(x, pad, mode="circular") if batched else TF.pad(x.unsqueeze(0), pad, mode="circular").squeeze(0)


def pad_cases(cases, g):
    # (edgegrad module, constructor arguments, input shape, PyTorch module or function)
    specs = [
        ("ConstantPad3d", [[1, 0, 2, 1, 0, 2], -1.5], (2, 1, 2, 3, 2), tnn.ConstantPad3d((1, 0, 2, 1, 0, 2), -1.5)),
        ("ConstantPad3d", [[-1, 2, 1, -1, 1, 1], 0.5], (3, 3, 4), tnn.ConstantPad3d((-1, 2, 1, -1, 1, 1), 0.5)),
        ("ReflectionPad3d", [[2, 1, 1, 2, 1, 1]], (1, 2, 3, 4, 3), tnn.ReflectionPad3d((2, 1, 1, 2, 1, 1))),
        ("ReflectionPad3d", [1], (2, 3, 3, 2), tnn.ReflectionPad3d(1)),
        ("ReplicationPad3d", [[0, 3, 2, 1, 1, 0]], (2, 1, 2, 2, 3), tnn.ReplicationPad3d((0, 3, 2, 1, 1, 0))),
        ("ReplicationPad3d", [2], (1, 2, 3, 2), tnn.ReplicationPad3d(2)),
        ("ZeroPad1d", [[2, -1]], (2, 3, 4), Fn(lambda x: TF.pad(x, (2, -1)))),
        ("ZeroPad1d", [1], (5,), Fn(lambda x: TF.pad(x, (1, 1)))),
        ("ZeroPad3d", [[1, 2, 0, 1, 2, 0]], (1, 2, 2, 3, 2), Fn(lambda x: TF.pad(x, (1, 2, 0, 1, 2, 0)))),
        ("CircularPad1d", [[3, 1]], (2, 2, 4), Fn(lambda x: circular((3, 1), x, True))),
        ("CircularPad1d", [2], (3, 5), Fn(lambda x: circular((2, 2), x, False))),
        ("CircularPad2d", [[1, 2, 3, 0]], (2, 1, 3, 4), Fn(lambda x: circular((1, 2, 3, 0), x, True))),
        ("CircularPad2d", [1], (2, 3, 3), Fn(lambda x: circular((1, 1, 1, 1), x, False))),
        ("CircularPad3d", [[1, 0, 2, 1, 1, 2]], (1, 2, 2, 3, 3), Fn(lambda x: circular((1, 0, 2, 1, 1, 2), x, True))),
        ("CircularPad3d", [1], (2, 2, 3, 2), Fn(lambda x: circular((1, 1, 1, 1, 1, 1), x, False))),
    ]
    for i, (name, args, shape, m) in enumerate(specs):
        module_case(cases, f"{name}/{i}", ctor(name, *args), m, g.randn(*shape), g, terms=1)


def f32_state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def spectral_case(cases, g, cid, spec, make, options, in_shape, seed):
    torch.manual_seed(seed)
    kw = {"n_power_iterations": options.get("nPowerIterations", 1), "eps": options.get("eps", 1e-12)}
    if "dim" in options:
        kw["dim"] = options["dim"]
    m = tnn.utils.spectral_norm(make(), **kw)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(g.randn(*p.shape))
        m.weight_u.copy_(f32(m.weight_u))
        m.weight_v.copy_(f32(m.weight_v))
    case = {"id": f"spectralNorm/{cid}", "kind": "spectral", "ctor": spec, "options": options, "state": f32_state(m), "steps": []}
    m.train()
    for step in range(3):
        x = g.randn(*in_shape)
        xi = x.clone().requires_grad_(True)
        out = m(xi)
        entry = {"input": enc(x), "output": enc(out), "u": enc(m.weight_u), "v": enc(m.weight_v)}
        if step == 2:
            cot = g.randn(*out.shape)
            (out * cot).sum().backward()
            entry.update({"cotangent": enc(cot), "inputGrad": enc(xi.grad),
                          "paramGrads": {k: enc(p.grad) for k, p in m.named_parameters()}})
        case["steps"].append(entry)
    m.eval()
    x = g.randn(*in_shape)
    with torch.no_grad():
        out = m(x)
    case["eval"] = {"input": enc(x), "output": enc(out), "weight": enc(m.weight)}
    tnn.utils.remove_spectral_norm(m)
    case["removed"] = f32_state(m)
    cases.append(case)


def spectral_cases(cases, g):
    spectral_case(cases, g, "Linear", ctor("Linear", 5, 4), lambda: tnn.Linear(5, 4), {}, (3, 5), 1)
    spectral_case(cases, g, "Linear-dim1-n3", ctor("Linear", 3, 6), lambda: tnn.Linear(3, 6),
                  {"dim": 1, "nPowerIterations": 3, "eps": 1e-6}, (2, 3), 2)
    spectral_case(cases, g, "Conv2d", ctor("Conv2d", 2, 3, 3), lambda: tnn.Conv2d(2, 3, 3), {"nPowerIterations": 2}, (1, 2, 5, 5), 3)
    spectral_case(cases, g, "ConvTranspose2d", ctor("ConvTranspose2d", 3, 2, 2), lambda: tnn.ConvTranspose2d(3, 2, 2), {}, (1, 3, 3, 3), 4)


def container_cases(cases, g):
    """ParameterList / ParameterDict under a holder, built by a list of steps the test replays:
    the state-dict keys, their order and values, and named_parameters, as PyTorch lists them.
    "dict" is a plain dict (ParameterDict sorts its keys), "update" a list of pairs (kept in order)."""
    t = lambda *shape: g.randn(*shape)
    steps = [("list", [t(2, 3), t(3)]), ("dict", [("beta", t(2)), ("alpha", t(1, 2))]), ("append", t(4)),
             ("dictSet", "beta", t(2)), ("dictSet", "gamma", t(3)), ("listSet", -3, t(2, 3)), ("listSet", 1, t(3)),
             ("update", [("zeta", t(2)), ("alpha", t(1, 2)), ("eta", t(1))])]
    holder = tnn.Module()
    for step in steps:
        if step[0] == "list":
            holder.ws = tnn.ParameterList([tnn.Parameter(v.clone()) for v in step[1]])
        elif step[0] == "dict":
            holder.table = tnn.ParameterDict({k: tnn.Parameter(v.clone()) for k, v in step[1]})
        elif step[0] == "append":
            holder.ws.append(tnn.Parameter(step[1].clone()))
        elif step[0] == "update":
            holder.table.update([(k, tnn.Parameter(v.clone())) for k, v in step[1]])
        elif step[0] == "dictSet":
            holder.table[step[1]] = tnn.Parameter(step[2].clone())
        else:
            holder.ws[step[1]] = tnn.Parameter(step[2].clone())

    def encoded(step):
        if step[0] == "list":
            return ["list", [enc(v) for v in step[1]]]
        if step[0] in ("dict", "update"):
            return [step[0], [[k, enc(v)] for k, v in step[1]]]
        if step[0] == "append":
            return ["append", enc(step[1])]
        return [step[0], step[1], enc(step[2])]

    cases.append({"id": "containers/holder", "kind": "containers", "steps": [encoded(s) for s in steps],
                  "stateDict": f32_state(holder), "namedParameters": [k for k, _ in holder.named_parameters()],
                  "dictKeys": list(holder.table.keys()), "listLength": len(holder.ws)})


def main():
    cases, g = [], Gen(83)
    for f in [fold_cases, softmax2d_cases, pad_cases, spectral_cases, container_cases]:
        f(cases, g)
    write("tests/parity/cases/nn-more.json", cases)


if __name__ == "__main__":
    main()
