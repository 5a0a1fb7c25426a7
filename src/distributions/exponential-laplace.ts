import { reciprocal } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { LocationScale } from "./location-scale.js";
import { constrainedParams, nonNegative, positive, real, unitInterval, type ParamLike } from "./params.js";

/** Exponential(rate), PyTorch's: log p(x) = log rate − rate·x on x ≥ 0. */
export class Exponential extends Distribution {
  override readonly hasRsample = true;
  readonly rate: Tensor;

  constructor(rate: ParamLike) {
    const { values: [r], batchShape } = constrainedParams("Exponential", { rate: [rate, positive] });
    super("Exponential", batchShape);
    this.rate = r;
  }

  get mean(): Tensor { return reciprocal(this.rate); }
  override get stddev(): Tensor { return reciprocal(this.rate); }
  get variance(): Tensor { return reciprocal(this.rate.square()); }

  /** −log(1 − u)/rate, u uniform on [0, 1) (so 1 − u > 0). */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const u = this.standardDraws("Exponential.rsample", "uniform", sampleShape, o, this.rate.dtype);
    return u.neg().log1p().neg().div(this.rate);
  }

  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Exponential.logProb", value, this.rate, nonNegative);
    return this.rate.log().sub(this.rate.mul(v));
  }

  entropy(): Tensor { return this.rate.log().neg().add(1); }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Exponential.cdf", value, this.rate, nonNegative);
    return this.rate.mul(v).neg().exp().neg().add(1);
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Exponential.icdf", p, this.rate, unitInterval);
    return v.neg().log1p().neg().div(this.rate);
  }
}

/** Laplace(loc, scale), PyTorch's: log p(x) = −log(2·scale) − |x − loc|/scale. */
export class Laplace extends LocationScale {
  constructor(loc: ParamLike, scale: ParamLike) { super("Laplace", loc, scale); }

  override get stddev(): Tensor { return this.scale.mul(Math.SQRT2); }
  get variance(): Tensor { return this.scale.square().mul(2); }

  /** loc − scale·sign(u)·log(1 − |u|), u uniform on (ε − 1, 1) as PyTorch draws it (never −1). */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const eps = this.loc.dtype === "float64" ? 2 ** -52 : 2 ** -23;
    const u = this.standardDraws("Laplace.rsample", "uniform", sampleShape, o, this.loc.dtype).mul(2 - eps).add(eps - 1);
    return this.loc.sub(this.scale.mul(u.sign()).mul(u.abs().neg().log1p()));
  }

  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Laplace.logProb", value, this.loc, real);
    return this.scale.mul(2).log().neg().sub(v.sub(this.loc).abs().div(this.scale));
  }

  entropy(): Tensor { return this.scale.mul(2).log().add(1); }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Laplace.cdf", value, this.loc, real);
    const d = v.sub(this.loc);
    return d.sign().mul(d.abs().neg().div(this.scale).expm1()).mul(-0.5).add(0.5);
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Laplace.icdf", p, this.loc, unitInterval);
    const t = v.sub(0.5);
    return this.loc.sub(this.scale.mul(t.sign()).mul(t.abs().mul(-2).log1p()));
  }
}
