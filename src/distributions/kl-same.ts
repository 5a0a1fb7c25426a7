import { ShapeError, ValueError } from "../errors.js";
import { maskedFill } from "../ndarray/indexing.js";
import { digamma, lgamma } from "../ndarray/math-unary.js";
import { any } from "../ndarray/stats.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Binomial } from "./binomial.js";
import { Bernoulli, Categorical, softplus } from "./discrete.js";
import { Beta, Dirichlet } from "./dirichlet-beta.js";
import type { Distribution } from "./distribution.js";
import { Exponential, Laplace } from "./exponential-laplace.js";
import { Gamma } from "./gamma.js";
import { Cauchy, EULER_GAMMA, Gumbel } from "./gumbel-cauchy.js";
import { HalfNormal, LogNormal } from "./lognormal-halfnormal.js";
import { halfLogDet, lowerSolve, mahalanobis, MultivariateNormal } from "./multivariate-normal.js";
import { Normal, Uniform } from "./normal-uniform.js";
import { Geometric, Poisson } from "./poisson-geometric.js";

// KL(p ‖ q) in closed form for two distributions of one family: PyTorch 1.13's formulas,
// differentiable in both distributions' parameters.

/** ½·(σp²/σq² + (μp − μq)²/σq² − 1 − log(σp²/σq²)). */
export function klNormal(p: Normal, q: Normal): Tensor {
  const varRatio = p.scale.div(q.scale).square();
  const t1 = p.loc.sub(q.loc).div(q.scale).square();
  return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
}

/** log(width q / width p) when p's support lies inside q's, else +∞. */
function klUniform(p: Uniform, q: Uniform): Tensor {
  const result = q.high.sub(q.low).div(p.high.sub(p.low)).log();
  return maskedFill(maskedFill(result, q.low.gt(p.low), Infinity), q.high.lt(p.high), Infinity);
}

/** p·log(p/q) + (1−p)·log((1−p)/(1−q)) through the logits; 0·log 0 = 0 and x·log(x/0) = +∞. */
function klBernoulli(p: Bernoulli, q: Bernoulli): Tensor {
  let t1 = p.probs.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
  t1 = maskedFill(maskedFill(t1, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  let t2 = p.probs.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
  t2 = maskedFill(maskedFill(t2, q.probs.eq(1), Infinity), p.probs.eq(1), 0);
  return t1.add(t2);
}

/** Σ p·(log p − log q) over the categories, with the same conventions at 0. */
export function klCategorical(p: Categorical, q: Categorical): Tensor {
  if (p.numEvents !== q.numEvents) {
    throw new ShapeError(`klDivergence: Categorical with ${p.numEvents} categories against one with ${q.numEvents}`);
  }
  let t = p.probs.mul(p.logits.sub(q.logits));
  t = maskedFill(maskedFill(t, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  return t.sum(-1);
}

/** λq/λp − 1 − log(λq/λp). */
function klExponential(p: Exponential, q: Exponential): Tensor {
  const rateRatio = q.rate.div(p.rate);
  return rateRatio.sub(1).sub(rateRatio.log());
}

/** −log(bp/bq) + |μp − μq|/bq + (bp/bq)·exp(−|μp − μq|/bp) − 1. */
function klLaplace(p: Laplace, q: Laplace): Tensor {
  const scaleRatio = p.scale.div(q.scale);
  const locAbsDiff = p.loc.sub(q.loc).abs();
  const t3 = scaleRatio.mul(locAbsDiff.neg().div(p.scale).exp());
  return scaleRatio.log().neg().add(locAbsDiff.div(q.scale)).add(t3).sub(1);
}

/** αq·log(βp/βq) + log Γ(αq) − log Γ(αp) + (αp − αq)·ψ(αp) + (βq − βp)·αp/βp. */
function klGamma(p: Gamma, q: Gamma): Tensor {
  const pc = p.concentration, qc = q.concentration;
  return qc.mul(p.rate.div(q.rate).log()).add(lgamma(qc)).sub(lgamma(pc))
    .add(pc.sub(qc).mul(digamma(pc))).add(q.rate.sub(p.rate).mul(pc.div(p.rate)));
}

function klBeta(p: Beta, q: Beta): Tensor {
  const sp = p.concentration1.add(p.concentration0), sq = q.concentration1.add(q.concentration0);
  const t1 = lgamma(q.concentration1).add(lgamma(q.concentration0)).add(lgamma(sp));
  const t2 = lgamma(p.concentration1).add(lgamma(p.concentration0)).add(lgamma(sq));
  const t3 = p.concentration1.sub(q.concentration1).mul(digamma(p.concentration1));
  const t4 = p.concentration0.sub(q.concentration0).mul(digamma(p.concentration0));
  return t1.sub(t2).add(t3).add(t4).add(sq.sub(sp).mul(digamma(sp)));
}

function klDirichlet(p: Dirichlet, q: Dirichlet): Tensor {
  if (p.eventShape[0] !== q.eventShape[0]) throw new ShapeError(`klDivergence: Dirichlet of ${p.eventShape[0]} categories against one of ${q.eventShape[0]}`);
  const pc = p.concentration, qc = q.concentration, sp = pc.sum(-1), sq = qc.sum(-1);
  const t1 = lgamma(sp).sub(lgamma(sq)), t2 = lgamma(pc).sub(lgamma(qc)).sum(-1);
  const t4 = digamma(pc).sub(digamma(sp).unsqueeze(-1));
  return t1.sub(t2).add(pc.sub(qc).mul(t4).sum(-1));
}

/** λp·(log λp − log λq) − (λp − λq). */
const klPoisson = (p: Poisson, q: Poisson) => p.rate.mul(p.rate.log().sub(q.rate.log())).sub(p.rate.sub(q.rate));

/** −H(p) − log(1 − q)/p − logit q. */
const klGeometric = (p: Geometric, q: Geometric) => p.entropy().neg().sub(q.probs.neg().log1p().div(p.probs)).sub(q.logits);

function klGumbel(p: Gumbel, q: Gumbel): Tensor {
  const ct1 = p.scale.div(q.scale), ct2 = q.loc.div(q.scale), ct3 = p.loc.div(q.scale);
  const t1 = ct1.log().neg().sub(ct2).add(ct3);
  const t3 = ct2.add(lgamma(ct1.add(1))).sub(ct3).exp();
  return t1.add(ct1.mul(EULER_GAMMA)).add(t3).sub(1 + EULER_GAMMA);
}

/** n·(p·(logit p − logit q) + log(1 − p) − log(1 − q)) for equal counts, +∞ where p's count is larger. */
function klBinomial(p: Binomial, q: Binomial): Tensor {
  if (any(p.totalCount.lt(q.totalCount)).item()) {
    throw new ValueError("klDivergence: Binomial ‖ Binomial where q's totalCount exceeds p's has no closed form (as in PyTorch)");
  }
  const kl = p.totalCount.mul(p.probs.mul(p.logits.sub(q.logits)).add(p.probs.neg().log1p()).sub(q.probs.neg().log1p()));
  return maskedFill(kl, p.totalCount.gt(q.totalCount), Infinity);
}

/** log((sp + sq)² + (μp − μq)²) − log(4·sp·sq). */
const klCauchy = (p: Cauchy, q: Cauchy) =>
  p.scale.add(q.scale).square().add(p.loc.sub(q.loc).square()).log().sub(p.scale.mul(q.scale).mul(4).log());

/** Σ log Lq − Σ log Lp + ½·(|Lq⁻¹·Lp|²_F + |Lq⁻¹(μq − μp)|² − n). */
function klMultivariateNormal(p: MultivariateNormal, q: MultivariateNormal): Tensor {
  const n = p.eventShape[0];
  if (q.eventShape[0] !== n) throw new ShapeError(`klDivergence: MultivariateNormal of event size ${n} against one of ${q.eventShape[0]}`);
  const Lp = p.unbroadcastedScaleTril, Lq = q.unbroadcastedScaleTril;
  const halfTerm1 = halfLogDet(Lq).sub(halfLogDet(Lp));
  const term2 = lowerSolve(Lq, Lp).square().sum([-2, -1]);
  const term3 = mahalanobis(Lq, q.loc.sub(p.loc));
  return halfTerm1.add(term2.add(term3).sub(n).mul(0.5));
}

type Family = abstract new (...args: never[]) => Distribution;
/** [p's class, q's class, KL] for each same-family pair PyTorch registers among these families. */
export const SAME_FAMILY: ReadonlyArray<readonly [Family, Family, (p: never, q: never) => Tensor]> = [
  [Normal, Normal, klNormal], [Uniform, Uniform, klUniform], [Bernoulli, Bernoulli, klBernoulli],
  [Categorical, Categorical, klCategorical], [Exponential, Exponential, klExponential], [Laplace, Laplace, klLaplace],
  [Gamma, Gamma, klGamma], [Beta, Beta, klBeta], [Dirichlet, Dirichlet, klDirichlet], [Poisson, Poisson, klPoisson],
  [Geometric, Geometric, klGeometric], [Gumbel, Gumbel, klGumbel], [Binomial, Binomial, klBinomial], [Cauchy, Cauchy, klCauchy],
  [MultivariateNormal, MultivariateNormal, klMultivariateNormal],
  // PyTorch: HalfNormal's rule and, for LogNormal, TransformedDistribution's (equal transforms): the bases' KL.
  [HalfNormal, HalfNormal, (p: HalfNormal, q: HalfNormal) => klNormal(p.base, q.base)],
  [LogNormal, LogNormal, (p: LogNormal, q: LogNormal) => klNormal(p.base, q.base)],
];
