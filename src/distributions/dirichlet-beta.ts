import { ShapeError, ValueError } from "../errors.js";
import { stack } from "../ndarray/join.js";
import { xlogy } from "../ndarray/math-binary.js";
import { digamma, lgamma } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { checkValue, constrainedParams, positive, samplingSetup, unitInterval, type ParamLike } from "./params.js";
import { standardGammaSample } from "./standard-gamma.js";

/** Index `i` of the last dim (dropped), as PyTorch's x[..., i]. */
export const lastIndex = (t: Tensor, i: number) => t.slice(...t.shape.slice(0, -1).map(() => null), i);

/**
 * Dirichlet(concentration), PyTorch's: a distribution on the probability simplex over the last
 * dimension (the event), log p(x) = Σ(αᵢ − 1)·log xᵢ + log Γ(Σαᵢ) − Σ log Γ(αᵢ). Draws are
 * normalized Gamma(αᵢ, 1) draws, reparameterized through each one's implicit gradient.
 */
export class Dirichlet extends Distribution {
  override readonly hasRsample = true;
  readonly concentration: Tensor;

  constructor(concentration: Tensor) {
    if (!(concentration instanceof Tensor) || concentration.ndim < 1) {
      throw new ValueError(`Dirichlet: concentration must be a Tensor of at least one dimension (the event last), got ${concentration instanceof Tensor ? "a 0-d tensor" : typeof concentration}`);
    }
    const { values: [c] } = constrainedParams("Dirichlet", { concentration: [concentration, positive] });
    super("Dirichlet", c.shape.slice(0, -1), c.shape.slice(-1));
    this.concentration = c;
  }

  get mean(): Tensor { return this.concentration.div(this.concentration.sum(-1, { keepdim: true })); }
  get variance(): Tensor {
    const c = this.concentration, total = c.sum(-1, { keepdim: true });
    return c.mul(total.sub(c)).div(total.square().mul(total.add(1)));
  }

  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Dirichlet.rsample", sampleShape, o);
    const g = standardGammaSample(this.concentration.expand(this.extendedShape(sampleShape)), rng);
    return g.div(g.sum(-1, { keepdim: true }));
  }

  /** Σ(αᵢ − 1)·log xᵢ (0·log 0 = 0, as PyTorch ≥ 2.0's xlogy) + log Γ(Σαᵢ) − Σ log Γ(αᵢ). */
  logProb(value: ParamLike): Tensor {
    const v = checkValue("Dirichlet.logProb", value, this.concentration, this.batchShape, this.eventShape);
    requireSimplex("Dirichlet.logProb", v, this.eventShape[0]);
    const c = this.concentration;
    return xlogy(c.sub(1), v).sum(-1).add(lgamma(c.sum(-1))).sub(lgamma(c).sum(-1));
  }

  entropy(): Tensor {
    const c = this.concentration, k = c.shape[c.ndim - 1], total = c.sum(-1);
    return lgamma(c).sum(-1).sub(lgamma(total)).sub(total.neg().add(k).mul(digamma(total)))
      .sub(c.sub(1).mul(digamma(c)).sum(-1));
  }
}

/** Refuses a value whose last-dim rows are not on the simplex (≥ 0, summing to 1 within 1e-6, PyTorch's check). */
function requireSimplex(where: string, v: Tensor, k: number): void {
  if (v.ndim < 1 || v.shape[v.ndim - 1] !== k) throw new ShapeError(`${where}: value must have the event dimension ${k} last, got shape [${v.shape}]`);
  const data = v.contiguous().data;
  for (let r = 0; r < data.length; r += k) {
    let sum = 0, ok = true;
    for (let i = 0; i < k; i++) { ok &&= data[r + i] >= 0; sum += data[r + i]; }
    if (!ok || !(Math.abs(sum - 1) < 1e-6)) {
      throw new ValueError(`${where}: row ${r / k} of the value, [${Array.from(data.subarray(r, r + k))}], is outside the support (the simplex: entries ≥ 0 summing to 1)`);
    }
  }
}

/** Beta(concentration1, concentration0), PyTorch's: the first coordinate of a two-event Dirichlet. */
export class Beta extends Distribution {
  override readonly hasRsample = true;
  readonly concentration1: Tensor;
  readonly concentration0: Tensor;

  constructor(concentration1: ParamLike, concentration0: ParamLike) {
    const { values: [c1, c0], batchShape } = constrainedParams("Beta", { concentration1: [concentration1, positive], concentration0: [concentration0, positive] });
    super("Beta", batchShape);
    this.concentration1 = c1;
    this.concentration0 = c0;
  }

  private get total(): Tensor { return this.concentration1.add(this.concentration0); }
  get mean(): Tensor { return this.concentration1.div(this.total); }
  get variance(): Tensor {
    const t = this.total;
    return this.concentration1.mul(this.concentration0).div(t.square().mul(t.add(1)));
  }

  /** G₁/(G₁ + G₀), Gᵢ ~ Gamma(concentrationᵢ, 1) drawn as the pair's Dirichlet draws them. */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Beta.rsample", sampleShape, o);
    const pair = stack([this.concentration1, this.concentration0], -1);
    const g = standardGammaSample(pair.expand([...this.extendedShape(sampleShape), 2]), rng);
    return lastIndex(g, 0).div(g.sum(-1));
  }

  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Beta.logProb", value, this.concentration1, unitInterval);
    const c1 = this.concentration1, c0 = this.concentration0;
    return xlogy(c1.sub(1), v).add(xlogy(c0.sub(1), v.neg().add(1)))
      .add(lgamma(this.total)).sub(lgamma(c1)).sub(lgamma(c0));
  }

  entropy(): Tensor {
    const c1 = this.concentration1, c0 = this.concentration0, t = this.total;
    return lgamma(c1).add(lgamma(c0)).sub(lgamma(t)).sub(t.neg().add(2).mul(digamma(t)))
      .sub(c1.sub(1).mul(digamma(c1))).sub(c0.sub(1).mul(digamma(c0)));
  }
}
