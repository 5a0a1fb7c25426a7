"""Differential cases for eg.distributions: torch.distributions' log_prob, entropy, cdf, icdf,
mean, variance and kl_divergence in float64 (validate_args on, PyTorch 1.13's default), the
values and the gradients of a random weighted sum of the output w.r.t. every parameter (and the
value, where it is continuous). No samples: the generators differ.
For tests/parity/distributions.test.ts, which builds the same distributions in float64; every
number is written with all 17 significant digits.
"""
import torch
import torch.distributions as td
from common import Gen, enc, write

FULL = 17
CONTINUOUS = {
    "Normal": (td.Normal, ["loc", "scale"]),
    "Laplace": (td.Laplace, ["loc", "scale"]),
    "Exponential": (td.Exponential, ["rate"]),
    "Uniform": (td.Uniform, ["low", "high"]),
}


def build(dist, params):
    if dist in CONTINUOUS:
        cls, names = CONTINUOUS[dist]
        return cls(*[params[n] for n in names])
    cls = {"Bernoulli": td.Bernoulli, "Categorical": td.Categorical}[dist]
    return cls(**params)


def case(cases, g, cid, dist, params, method, value=None, q=None, value_grad=False):
    """One case: `method` of dist(params) (of q's distribution too for "kl"), its value and gradients."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    q_leaves = {k: v.clone().requires_grad_(True) for k, v in (q[1] if q else {}).items()}
    v_leaf = value.clone().requires_grad_(value_grad) if value is not None else None
    p = build(dist, leaves)
    if method == "kl":
        out = td.kl_divergence(p, build(q[0], q_leaves))
    elif method in ("mean", "variance"):
        out = getattr(p, method)
    elif method == "entropy":
        out = p.entropy()
    else:
        out = getattr(p, {"logProb": "log_prob"}.get(method, method))(v_leaf)
    c = {"id": cid, "dist": dist, "method": method, "params": {k: enc(v, digits=FULL) for k, v in params.items()},
         "output": enc(out, digits=FULL)}
    if value is not None:
        c["value"] = enc(value, digits=FULL)
    if q:
        c["q"] = {"dist": q[0], "params": {k: enc(v, digits=FULL) for k, v in q[1].items()}}
    wrt = {**{"p." + k: t for k, t in leaves.items()}, **{"q." + k: t for k, t in q_leaves.items()}}
    if value_grad:
        wrt["value"] = v_leaf
    cot = g.randn(*out.shape)
    grads = torch.autograd.grad((out * cot).sum(), list(wrt.values()), allow_unused=True)
    c["cotangent"] = enc(cot, digits=FULL)
    c["grads"] = {k: enc(gr if gr is not None else torch.zeros_like(wrt[k]), digits=FULL) for k, gr in zip(wrt, grads)}
    cases.append(c)


def continuous_params(g, dist, shape_a, shape_b):
    if dist in ("Normal", "Laplace"):
        return {"loc": g.randn(*shape_a), "scale": g.rand(*shape_b, lo=0.3, hi=2.5)}
    if dist == "Exponential":
        return {"rate": g.rand(*shape_a, lo=0.3, hi=3)}
    return {"low": g.rand(*shape_a, lo=-2, hi=-0.5), "high": g.rand(*shape_b, lo=0.5, hi=2)}


def continuous_cases(cases, g):
    for dist in CONTINUOUS:
        for shape_a, shape_b, vshape in [((3,), (2, 1), (2, 3)), ((2, 2), (2,), (2, 2))]:
            name = f"{dist}/{'x'.join(map(str, shape_a))}-{'x'.join(map(str, shape_b))}"
            params = continuous_params(g, dist, shape_a, shape_b)
            if dist == "Uniform":
                value = g.rand(*vshape, lo=-0.4, hi=0.4)
            elif dist == "Exponential":
                value = g.rand(*vshape, lo=0, hi=3)
            else:
                value = g.randn(*vshape, scale=2)
            case(cases, g, f"{name}/logProb", dist, params, "logProb", value, value_grad=dist != "Uniform")
            case(cases, g, f"{name}/cdf", dist, params, "cdf", value, value_grad=True)
            case(cases, g, f"{name}/icdf", dist, params, "icdf", g.rand(*vshape, lo=0.05, hi=0.95), value_grad=True)
            case(cases, g, f"{name}/entropy", dist, params, "entropy")
            case(cases, g, f"{name}/mean", dist, params, "mean")
            case(cases, g, f"{name}/variance", dist, params, "variance")
            q = (dist, continuous_params(g, dist, shape_b, shape_a))
            if dist == "Uniform":
                # q's support holding p's, so the divergence is finite.
                q[1]["low"], q[1]["high"] = q[1]["low"] - 2, q[1]["high"] + 2
            case(cases, g, f"{name}/kl", dist, params, "kl", q=q)


def discrete_cases(cases, g):
    for key in ("probs", "logits"):
        def bern(shape):
            return {"probs": g.rand(*shape, lo=0.05, hi=0.95)} if key == "probs" else {"logits": g.randn(*shape, scale=2)}

        def cat(shape):
            return {"probs": g.rand(*shape, lo=0.05, hi=2)} if key == "probs" else {"logits": g.randn(*shape, scale=2)}
        b = bern((2, 3))
        case(cases, g, f"Bernoulli/{key}/logProb", "Bernoulli", b, "logProb", (g.rand(2, 3) > 0.5).to(torch.float64))
        for m in ("entropy", "mean", "variance"):
            case(cases, g, f"Bernoulli/{key}/{m}", "Bernoulli", b, m)
        case(cases, g, f"Bernoulli/{key}/kl", "Bernoulli", b, "kl", q=("Bernoulli", bern((2, 3))))
        c = cat((2, 4))
        case(cases, g, f"Categorical/{key}/logProb", "Categorical", c, "logProb", g.randint(0, 4, 3, 2))
        case(cases, g, f"Categorical/{key}/entropy", "Categorical", c, "entropy")
        case(cases, g, f"Categorical/{key}/kl", "Categorical", c, "kl", q=("Categorical", cat((3, 1, 4))))


def main():
    g = Gen(8081)
    cases = []
    continuous_cases(cases, g)
    discrete_cases(cases, g)
    write("tests/parity/cases/distributions.json", cases)


if __name__ == "__main__":
    main()
