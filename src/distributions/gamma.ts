import { xlogy } from "../ndarray/math-binary.js";
import { digamma, lgamma } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { regularizedGammaP } from "./incomplete-gamma.js";
import { constrainedParams, nonNegative, positive, samplingSetup, type ParamLike } from "./params.js";
import { standardGammaSample } from "./standard-gamma.js";

/**
 * Gamma(concentration, rate), PyTorch's: log p(x) = α·log β + (α − 1)·log x − β·x − log Γ(α)
 * on x ≥ 0, with reparameterized draws (their gradient in α by implicit reparameterization,
 * standard-gamma.ts) and the CDF P(α, β·x) of PyTorch ≥ 2.0, differentiable in α as well.
 */
export class Gamma extends Distribution {
  override readonly hasRsample = true;
  readonly concentration: Tensor;
  readonly rate: Tensor;

  constructor(concentration: ParamLike, rate: ParamLike) {
    const { values: [c, r], batchShape } = constrainedParams("Gamma", { concentration: [concentration, positive], rate: [rate, positive] });
    super("Gamma", batchShape);
    this.concentration = c;
    this.rate = r;
  }

  get mean(): Tensor { return this.concentration.div(this.rate); }
  get variance(): Tensor { return this.concentration.div(this.rate.square()); }

  /** Standard gamma draws of the concentration, divided by the rate. */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Gamma.rsample", sampleShape, o);
    return standardGammaSample(this.concentration.expand(this.extendedShape(sampleShape)), rng).div(this.rate);
  }

  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Gamma.logProb", value, this.rate, nonNegative);
    const c = this.concentration;
    return xlogy(c, this.rate).add(xlogy(c.sub(1), v)).sub(this.rate.mul(v)).sub(lgamma(c));
  }

  entropy(): Tensor {
    const c = this.concentration;
    return c.sub(this.rate.log()).add(lgamma(c)).add(c.neg().add(1).mul(digamma(c)));
  }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Gamma.cdf", value, this.rate, nonNegative);
    return regularizedGammaP(this.concentration, this.rate.mul(v));
  }
}
