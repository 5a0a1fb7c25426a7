import { ShapeError, ValueError } from "../errors.js";
import { maskedFill } from "../ndarray/indexing.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Bernoulli, Categorical, softplus } from "./discrete.js";
import type { Distribution } from "./distribution.js";
import { Exponential, Laplace } from "./exponential-laplace.js";
import { Normal, Uniform } from "./normal-uniform.js";

/**
 * KL(p ‖ q) in closed form for two distributions of the same family, PyTorch's formulas,
 * differentiable in both distributions' parameters; the batch shapes broadcast.
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  if (p instanceof Normal && q instanceof Normal) return klNormal(p, q);
  if (p instanceof Uniform && q instanceof Uniform) return klUniform(p, q);
  if (p instanceof Bernoulli && q instanceof Bernoulli) return klBernoulli(p, q);
  if (p instanceof Categorical && q instanceof Categorical) return klCategorical(p, q);
  if (p instanceof Exponential && q instanceof Exponential) return klExponential(p, q);
  if (p instanceof Laplace && q instanceof Laplace) return klLaplace(p, q);
  throw new ValueError(`klDivergence: no closed form for ${nameOf(p)} ‖ ${nameOf(q)}`);
}

const nameOf = (d: unknown) => (d !== null && typeof d === "object" && "name" in d ? String(d.name) : typeof d);

/** ½·(σp²/σq² + (μp − μq)²/σq² − 1 − log(σp²/σq²)). */
function klNormal(p: Normal, q: Normal): Tensor {
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
function klCategorical(p: Categorical, q: Categorical): Tensor {
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
