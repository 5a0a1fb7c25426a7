import { full } from "../ndarray/creation.js";
import { maskedFill } from "../ndarray/indexing.js";
import { xlogy } from "../ndarray/math-binary.js";
import { digamma, erf, lgamma, reciprocal } from "../ndarray/math-unary.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Binomial } from "./binomial.js";
import { Bernoulli } from "./discrete.js";
import { Beta } from "./dirichlet-beta.js";
import type { Distribution } from "./distribution.js";
import { Exponential, Laplace } from "./exponential-laplace.js";
import { Gamma } from "./gamma.js";
import { EULER_GAMMA, Gumbel } from "./gumbel-cauchy.js";
import { Normal, Uniform } from "./normal-uniform.js";
import { Poisson } from "./poisson-geometric.js";

// KL(p ‖ q) for two distributions of different families: the pairs PyTorch 1.13 registers among
// the families here, with its formulas. Where q's support misses part of p's, the divergence is
// +∞ of p's batch shape (PyTorch's _infinite_like).

const LOG_2PI = Math.log(2 * Math.PI);

/** +∞ of p's batch shape, without gradient. */
const infinite = (p: Distribution) => full(p.batchShape, Infinity, { dtype: p.mean.dtype });
/** x·log x with 0·log 0 = 0 (PyTorch's _x_log_x gives NaN at 0). */
const xLogX = (x: Tensor) => xlogy(x, x);
const betaMean = (p: Beta) => p.concentration1.div(p.concentration1.add(p.concentration0));

const bernoulliPoisson = (p: Bernoulli, q: Poisson) => p.entropy().neg().sub(p.probs.mul(q.rate.log()).sub(q.rate));

const betaExponential = (p: Beta, q: Exponential) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(betaMean(p)));

function betaGamma(p: Beta, q: Gamma): Tensor {
  const t2 = lgamma(q.concentration).sub(q.concentration.mul(q.rate.log()));
  const t3 = q.concentration.sub(1).mul(digamma(p.concentration1).sub(digamma(p.concentration1.add(p.concentration0))));
  return p.entropy().neg().add(t2).sub(t3).add(q.rate.mul(betaMean(p)));
}

function betaNormal(p: Beta, q: Normal): Tensor {
  const e = betaMean(p), variance = q.scale.square();
  const t2 = variance.mul(2 * Math.PI).log().mul(0.5);
  const t3 = e.mul(e.neg().add(1)).div(p.concentration1.add(p.concentration0).add(1)).add(e.square()).mul(0.5);
  return p.entropy().neg().add(t2).add(t3.sub(q.loc.mul(e)).add(q.loc.square().mul(0.5)).div(variance));
}

function betaUniform(p: Beta, q: Uniform): Tensor {
  const result = p.entropy().neg().add(q.high.sub(q.low).log());
  return maskedFill(maskedFill(result, q.low.gt(0), Infinity), q.high.lt(1), Infinity);
}

function exponentialGamma(p: Exponential, q: Gamma): Tensor {
  const ratio = q.rate.div(p.rate), c = q.concentration;
  return c.neg().mul(ratio.log()).add(ratio).add(lgamma(c)).add(c.mul(EULER_GAMMA)).sub(1 + EULER_GAMMA);
}

function exponentialGumbel(p: Exponential, q: Gumbel): Tensor {
  const srp = p.rate.mul(q.scale), lsr = q.loc.div(q.scale);
  const t2 = lsr.exp().mul(srp).div(srp.add(1));
  return srp.log().sub(1).sub(lsr).add(t2).add(reciprocal(srp));
}

function exponentialNormal(p: Exponential, q: Normal): Tensor {
  const variance = q.scale.square(), r2 = p.rate.square();
  const t1 = r2.mul(variance).mul(2 * Math.PI).log().mul(0.5);
  return t1.sub(1).add(reciprocal(r2).sub(q.loc.div(p.rate)).add(q.loc.square().mul(0.5)).div(variance));
}

const gammaExponential = (p: Gamma, q: Exponential) =>
  p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.concentration).div(p.rate));

function gammaGumbel(p: Gamma, q: Gumbel): Tensor {
  const c = p.concentration, bsp = p.rate.mul(q.scale), lsr = q.loc.div(q.scale);
  const t1 = c.sub(1).mul(digamma(c)).sub(lgamma(c)).sub(c);
  const t2 = bsp.log().add(c.div(bsp));
  const t3 = lsr.exp().mul(reciprocal(bsp).add(1).pow(c.neg())).sub(lsr);
  return t1.add(t2).add(t3);
}

function gammaNormal(p: Gamma, q: Normal): Tensor {
  const c = p.concentration, variance = q.scale.square(), b2 = p.rate.square();
  const t1 = b2.mul(variance).mul(2 * Math.PI).log().mul(0.5).sub(c).sub(lgamma(c));
  const t2 = c.square().add(c).mul(0.5).div(b2), t3 = q.loc.mul(c).div(p.rate), t4 = q.loc.square().mul(0.5);
  return t1.add(c.sub(1).mul(digamma(c))).add(t2.sub(t3).add(t4).div(variance));
}

function gumbelNormal(p: Gumbel, q: Normal): Tensor {
  const ratio = p.scale.div(q.scale);
  const t1 = ratio.div(Math.sqrt(2 * Math.PI)).log();
  const t2 = ratio.mul(Math.PI * 0.5).square().div(3);
  const t3 = p.loc.add(p.scale.mul(EULER_GAMMA)).sub(q.loc).div(q.scale).square().mul(0.5);
  return t1.neg().add(t2).add(t3).sub(EULER_GAMMA + 1);
}

function laplaceNormal(p: Laplace, q: Normal): Tensor {
  const variance = q.scale.square(), ratio = p.scale.square().div(variance);
  const t1 = ratio.mul(2 / Math.PI).log().mul(0.5);
  const t = p.loc.square().mul(0.5).sub(p.loc.mul(q.loc)).add(q.loc.square().mul(0.5));
  return t1.neg().add(ratio).add(t.div(variance)).sub(1);
}

function normalGumbel(p: Normal, q: Gumbel): Tensor {
  const msr = p.loc.div(q.scale), vssr = p.scale.div(q.scale).square(), lsr = q.loc.div(q.scale);
  const t3 = msr.neg().add(vssr.mul(0.5)).add(lsr).exp();
  return vssr.log().mul(-0.5).add(msr.sub(lsr)).add(t3).sub(0.5 * (1 + LOG_2PI));
}

function normalLaplace(p: Normal, q: Laplace): Tensor {
  const diff = p.loc.sub(q.loc), z = diff.div(p.scale);
  const t2 = p.scale.mul(Math.sqrt(2 / Math.PI)).mul(z.square().mul(-0.5).exp());
  const t3 = diff.mul(erf(z.mul(Math.SQRT1_2)));
  return p.scale.div(q.scale).log().neg().add(t2.add(t3).div(q.scale)).sub(0.5 * (1 + Math.log(0.5 * Math.PI)));
}

function uniformBeta(p: Uniform, q: Beta): Tensor {
  const width = p.high.sub(p.low), c1 = q.concentration1, c0 = q.concentration0;
  const t2 = c1.sub(1).mul(xLogX(p.high).sub(xLogX(p.low)).sub(width)).div(width);
  const t3 = c0.sub(1).mul(xLogX(p.high.neg().add(1)).sub(xLogX(p.low.neg().add(1))).add(width)).div(width);
  const t4 = lgamma(c1).add(lgamma(c0)).sub(lgamma(c1.add(c0)));
  const result = t3.add(t4).sub(width.log()).sub(t2);
  return maskedFill(maskedFill(result, p.high.gt(1), Infinity), p.low.lt(0), Infinity);
}

function uniformExponential(p: Uniform, q: Exponential): Tensor {
  const result = q.rate.mul(p.high.add(p.low)).mul(0.5).sub(p.high.sub(p.low).mul(q.rate).log());
  return maskedFill(result, p.low.lt(0), Infinity);
}

function uniformGamma(p: Uniform, q: Gamma): Tensor {
  const width = p.high.sub(p.low), c = q.concentration;
  const t2 = lgamma(c).sub(c.mul(q.rate.log()));
  const t3 = c.neg().add(1).mul(xLogX(p.high).sub(xLogX(p.low)).sub(width)).div(width);
  const result = width.log().neg().add(t2).add(t3).add(q.rate.mul(p.high.add(p.low)).mul(0.5));
  return maskedFill(result, p.low.lt(0), Infinity);
}

function uniformGumbel(p: Uniform, q: Gumbel): Tensor {
  const ct = q.scale.div(p.high.sub(p.low));
  const high = p.high.sub(q.loc).div(q.scale), low = p.low.sub(q.loc).div(q.scale);
  return ct.log().add(high.add(low).mul(0.5)).sub(ct.mul(high.neg().exp().sub(low.neg().exp())));
}

function uniformNormal(p: Uniform, q: Normal): Tensor {
  const width = p.high.sub(p.low);
  const t1 = q.scale.mul(Math.sqrt(2 * Math.PI)).div(width).log();
  const t3 = p.high.add(p.low).sub(q.loc.mul(2)).mul(0.5).square();
  return t1.add(width.square().div(12).add(t3).mul(0.5).div(q.scale.square()));
}

type Family = abstract new (...args: never[]) => Distribution;
type Rule = readonly [Family, Family, (p: never, q: never) => Tensor];
const toInfinity = (p: Family, qs: Family[]): Rule[] => qs.map((q) => [p, q, infinite] as const);

/** [p's class, q's class, KL] for each pair of different families PyTorch 1.13 registers. */
export const MIXED: readonly Rule[] = [
  [Bernoulli, Poisson, bernoulliPoisson],
  [Beta, Exponential, betaExponential], [Beta, Gamma, betaGamma], [Beta, Normal, betaNormal], [Beta, Uniform, betaUniform],
  ...toInfinity(Exponential, [Beta, Uniform]),
  [Exponential, Gamma, exponentialGamma], [Exponential, Gumbel, exponentialGumbel], [Exponential, Normal, exponentialNormal],
  ...toInfinity(Gamma, [Beta, Uniform]),
  [Gamma, Exponential, gammaExponential], [Gamma, Gumbel, gammaGumbel], [Gamma, Normal, gammaNormal],
  ...toInfinity(Gumbel, [Beta, Exponential, Gamma, Uniform]), [Gumbel, Normal, gumbelNormal],
  ...toInfinity(Laplace, [Beta, Exponential, Gamma, Uniform]), [Laplace, Normal, laplaceNormal],
  ...toInfinity(Normal, [Beta, Exponential, Gamma, Uniform]), [Normal, Gumbel, normalGumbel], [Normal, Laplace, normalLaplace],
  ...toInfinity(Poisson, [Bernoulli, Binomial]),
  [Uniform, Beta, uniformBeta], [Uniform, Exponential, uniformExponential], [Uniform, Gamma, uniformGamma],
  [Uniform, Gumbel, uniformGumbel], [Uniform, Normal, uniformNormal],
];
