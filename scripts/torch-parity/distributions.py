"""Differential cases for eg.distributions: torch.distributions' log_prob, entropy, cdf, icdf,
mean, variance and kl_divergence in float64 (validate_args on, PyTorch 1.13's default), the
values and the gradients of a random weighted sum of the output w.r.t. every parameter (and the
value, where it is continuous). No samples: the generators differ.
For tests/parity/distributions.test.ts, which builds the same distributions in float64; every
number is written with all 17 significant digits.
"""
import contextlib
import mpmath
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


MORE_CONTINUOUS = {
    "Gamma": (td.Gamma, ["concentration", "rate"]),
    "Beta": (td.Beta, ["concentration1", "concentration0"]),
    "LogNormal": (td.LogNormal, ["loc", "scale"]),
    "Gumbel": (td.Gumbel, ["loc", "scale"]),
    "Cauchy": (td.Cauchy, ["loc", "scale"]),
    "HalfNormal": (td.HalfNormal, ["scale"]),
    "StudentT": (td.StudentT, ["df", "loc", "scale"]),
}
# The cases name parameters as edgegrad does (camelCase); PyTorch's keywords are snake_case.
SNAKE = {"totalCount": "total_count", "covarianceMatrix": "covariance_matrix",
         "precisionMatrix": "precision_matrix", "scaleTril": "scale_tril"}


def build(dist, params):
    if dist in CONTINUOUS or dist in MORE_CONTINUOUS:
        cls, names = CONTINUOUS.get(dist) or MORE_CONTINUOUS[dist]
        return cls(*[params[n] for n in names])
    if dist == "MultivariateNormal":
        return td.MultivariateNormal(params["loc"], **{SNAKE[k]: v for k, v in params.items() if k != "loc"})
    cls = {"Bernoulli": td.Bernoulli, "Categorical": td.Categorical, "Dirichlet": td.Dirichlet, "Poisson": td.Poisson,
           "Geometric": td.Geometric, "Binomial": td.Binomial}[dist]
    return cls(**{SNAKE.get(k, k): v for k, v in params.items()})


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


class _ExactDigamma(torch.autograd.Function):
    """torch.digamma with an exact derivative: PyTorch 1.13's float64 trigamma is off by up to
    4.9e-10 relative (against mpmath, x in [0.05, 160]), which the gradients of the Gamma, Beta,
    Dirichlet and StudentT cases would carry (edgegrad's trigamma is exact to rounding)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _DIGAMMA(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        exact = torch.tensor([float(mpmath.psi(1, v)) for v in x.reshape(-1).tolist()], dtype=x.dtype).reshape(x.shape)
        return grad * exact


_DIGAMMA = torch.digamma


@contextlib.contextmanager
def exact_trigamma():
    """torch.digamma and Tensor.digamma with _ExactDigamma's derivative, for the cases generated inside."""
    method = torch.Tensor.digamma
    torch.digamma, torch.Tensor.digamma = _ExactDigamma.apply, lambda t: _ExactDigamma.apply(t)
    try:
        yield
    finally:
        torch.digamma, torch.Tensor.digamma = _DIGAMMA, method


def more_params(g, dist, shape_a, shape_b):
    if dist == "Gamma":
        return {"concentration": g.rand(*shape_a, lo=0.3, hi=4), "rate": g.rand(*shape_b, lo=0.3, hi=3)}
    if dist == "Beta":
        return {"concentration1": g.rand(*shape_a, lo=0.3, hi=4), "concentration0": g.rand(*shape_b, lo=0.3, hi=4)}
    if dist == "LogNormal":
        return {"loc": g.randn(*shape_a, scale=0.5), "scale": g.rand(*shape_b, lo=0.3, hi=1.5)}
    if dist in ("Gumbel", "Cauchy"):
        return {"loc": g.randn(*shape_a), "scale": g.rand(*shape_b, lo=0.3, hi=2.5)}
    if dist == "HalfNormal":
        return {"scale": g.rand(*shape_a, lo=0.3, hi=2.5)}
    return {"df": g.rand(*shape_a, lo=2.5, hi=8), "loc": g.randn(*shape_b), "scale": g.rand(*shape_a, lo=0.3, hi=2.5)}


def more_value(g, dist, shape):
    if dist == "Gamma":
        return g.rand(*shape, lo=0.1, hi=4)
    if dist == "Beta":
        return g.rand(*shape, lo=0.05, hi=0.95)
    if dist == "LogNormal":
        return g.rand(*shape, lo=0.1, hi=5)
    if dist == "HalfNormal":
        return g.rand(*shape, lo=0, hi=3)
    return g.randn(*shape, scale=2)


def more_continuous_cases(cases, g):
    """Gamma, Beta, LogNormal, Gumbel, Cauchy, HalfNormal, StudentT: what PyTorch 1.13 defines of each
    (Cauchy's NaN mean and infinite variance are left out: JSON has no NaN)."""
    with_cdf = ("LogNormal", "Gumbel", "Cauchy", "HalfNormal")
    for dist in MORE_CONTINUOUS:
        for shape_a, shape_b, vshape in [((3,), (2, 1), (2, 3)), ((2, 2), (2,), (2, 2))]:
            name = f"{dist}/{'x'.join(map(str, shape_a))}-{'x'.join(map(str, shape_b))}"
            params = more_params(g, dist, shape_a, shape_b)
            value = more_value(g, dist, vshape)
            case(cases, g, f"{name}/logProb", dist, params, "logProb", value, value_grad=True)
            if dist in with_cdf:
                case(cases, g, f"{name}/cdf", dist, params, "cdf", value, value_grad=True)
                case(cases, g, f"{name}/icdf", dist, params, "icdf", g.rand(*vshape, lo=0.05, hi=0.95), value_grad=True)
            case(cases, g, f"{name}/entropy", dist, params, "entropy")
            if dist != "Cauchy":
                case(cases, g, f"{name}/mean", dist, params, "mean")
                case(cases, g, f"{name}/variance", dist, params, "variance")
            if dist != "StudentT":
                case(cases, g, f"{name}/kl", dist, params, "kl", q=(dist, more_params(g, dist, shape_b, shape_a)))


def spd(g, *batch, n=3):
    """A symmetric positive-definite matrix: A·Aᵀ + ½·I, symmetrized exactly."""
    a = g.randn(*batch, n, n)
    m = a @ a.transpose(-1, -2) + 0.5 * torch.eye(n)
    return (m + m.transpose(-1, -2)) / 2


def dirichlet_mvn_cases(cases, g):
    c = {"concentration": g.rand(2, 4, lo=0.3, hi=4)}
    value = torch.softmax(g.randn(2, 4), -1)
    case(cases, g, "Dirichlet/logProb", "Dirichlet", c, "logProb", value, value_grad=True)
    for m in ("entropy", "mean", "variance"):
        case(cases, g, f"Dirichlet/{m}", "Dirichlet", c, m)
    case(cases, g, "Dirichlet/kl", "Dirichlet", c, "kl", q=("Dirichlet", {"concentration": g.rand(3, 1, 4, lo=0.3, hi=4)}))
    tril = torch.tril(g.randn(3, 3), -1) + torch.diag(g.rand(3, lo=0.5, hi=1.5))
    forms = {"scaleTril": ({"loc": g.randn(2, 3), "scaleTril": tril}, (2, 3)),
             "covarianceMatrix": ({"loc": g.randn(3), "covarianceMatrix": spd(g, 2)}, (2, 3)),
             "precisionMatrix": ({"loc": g.randn(2, 3), "precisionMatrix": spd(g)}, (2, 3))}
    order = list(forms)
    for i, (form, (params, vshape)) in enumerate(forms.items()):
        name = f"MultivariateNormal/{form}"
        case(cases, g, f"{name}/logProb", "MultivariateNormal", params, "logProb", g.randn(*vshape), value_grad=True)
        for m in ("entropy", "mean", "variance"):
            case(cases, g, f"{name}/{m}", "MultivariateNormal", params, m)
        q = forms[order[(i + 1) % 3]][0]
        case(cases, g, f"{name}/kl", "MultivariateNormal", params, "kl", q=("MultivariateNormal", q))


def counting_cases(cases, g):
    rate = {"rate": g.rand(2, 3, lo=0.3, hi=6)}
    case(cases, g, "Poisson/logProb", "Poisson", rate, "logProb", g.randint(0, 9, 2, 3).to(torch.float64))
    for m in ("mean", "variance"):
        case(cases, g, f"Poisson/{m}", "Poisson", rate, m)
    case(cases, g, "Poisson/kl", "Poisson", rate, "kl", q=("Poisson", {"rate": g.rand(3, lo=0.3, hi=6)}))
    for key in ("probs", "logits"):
        def p_or_l(*shape):
            return {"probs": g.rand(*shape, lo=0.1, hi=0.9)} if key == "probs" else {"logits": g.randn(*shape, scale=1.5)}
        geo = p_or_l(2, 3)
        case(cases, g, f"Geometric/{key}/logProb", "Geometric", geo, "logProb", g.randint(0, 6, 2, 3).to(torch.float64))
        for m in ("entropy", "mean", "variance"):
            case(cases, g, f"Geometric/{key}/{m}", "Geometric", geo, m)
        case(cases, g, f"Geometric/{key}/kl", "Geometric", geo, "kl", q=("Geometric", p_or_l(3)))
        varied = {"totalCount": g.randint(1, 11, 2, 3).to(torch.float64), **p_or_l(2, 3)}
        value = torch.floor(g.rand(2, 3) * (varied["totalCount"] + 1))
        case(cases, g, f"Binomial/{key}/logProb", "Binomial", varied, "logProb", value)
        for m in ("mean", "variance"):
            case(cases, g, f"Binomial/{key}/{m}", "Binomial", varied, m)
        # PyTorch's entropy needs one totalCount for the batch; its KL needs p's count ≥ q's.
        same = {"totalCount": torch.full((2, 3), 7.0), **p_or_l(2, 3)}
        case(cases, g, f"Binomial/{key}/entropy", "Binomial", same, "entropy")
        case(cases, g, f"Binomial/{key}/kl", "Binomial", same, "kl", q=("Binomial", {"totalCount": torch.full((3,), 7.0), **p_or_l(3)}))


MIXED_PAIRS = [("Bernoulli", "Poisson"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
               ("Exponential", "Gamma"), ("Exponential", "Gumbel"), ("Exponential", "Normal"), ("Gamma", "Exponential"),
               ("Gamma", "Gumbel"), ("Gamma", "Normal"), ("Gumbel", "Normal"), ("Laplace", "Normal"), ("Normal", "Gumbel"),
               ("Normal", "Laplace"), ("Uniform", "Beta"), ("Uniform", "Exponential"), ("Uniform", "Gamma"),
               ("Uniform", "Gumbel"), ("Uniform", "Normal")]


def mixed_params(g, dist, shape, against):
    """Parameters of `dist` (of batch shape `shape`) for a finite KL against the family `against`."""
    if dist == "Uniform":
        if against == "Beta":
            return {"low": g.rand(*shape, lo=0.05, hi=0.4), "high": g.rand(*shape, lo=0.6, hi=0.95)}
        if against in ("Exponential", "Gamma"):
            return {"low": g.rand(*shape, lo=0.1, hi=1), "high": g.rand(*shape, lo=1.5, hi=3)}
        if against == "Beta-support":
            return {"low": g.rand(*shape, lo=-1.5, hi=-0.1), "high": g.rand(*shape, lo=1.1, hi=2.5)}
        return continuous_params(g, "Uniform", shape, shape)
    if dist == "Bernoulli":
        return {"probs": g.rand(*shape, lo=0.05, hi=0.95)}
    if dist == "Poisson":
        return {"rate": g.rand(*shape, lo=0.3, hi=6)}
    if dist in CONTINUOUS:
        return continuous_params(g, dist, shape, shape)
    return more_params(g, dist, shape, shape)


def mixed_kl_cases(cases, g):
    """The pairs of different families PyTorch 1.13 registers, with finite values (no JSON infinity)."""
    masked = [("Beta", "Uniform"), ("Uniform", "Beta"), ("Uniform", "Exponential"), ("Uniform", "Gamma")]
    for p_dist, q_dist in MIXED_PAIRS:
        # PyTorch's result[mask] = inf needs the mask of the result's shape: no broadcasting for those pairs.
        p_shape, q_shape = ((2, 3), (2, 3)) if (p_dist, q_dist) in masked else ((3,), (2, 1))
        params = mixed_params(g, p_dist, p_shape, q_dist)
        q = mixed_params(g, q_dist, q_shape, "Beta-support" if p_dist == "Beta" else p_dist)
        case(cases, g, f"kl/{p_dist}-{q_dist}", p_dist, params, "kl", q=(q_dist, q))


def main():
    g = Gen(8081)
    cases = []
    continuous_cases(cases, g)
    discrete_cases(cases, g)
    # Appended after the first families' cases, so that the generator's stream (and those cases) stay as they were.
    with exact_trigamma():
        more_continuous_cases(cases, g)
        dirichlet_mvn_cases(cases, g)
        counting_cases(cases, g)
        mixed_kl_cases(cases, g)
    write("tests/parity/cases/distributions.json", cases)


if __name__ == "__main__":
    main()
