import { full } from "../ndarray/creation.js";
import { atan, tan } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { LocationScale } from "./location-scale.js";
import { finfo, real, unitInterval, type ParamLike } from "./params.js";

/** The Euler–Mascheroni constant γ (PyTorch's euler_constant). */
export const EULER_GAMMA = 0.57721566490153286061;

/**
 * Gumbel(loc, scale), PyTorch's: log p(x) = z − e^z − log scale with z = (loc − x)/scale; the
 * CDF exp(−e^(−(x − loc)/scale)) and draws loc − scale·log(−log u), u uniform on (tiny, 1 − ε)
 * as PyTorch's transformed Uniform draws it.
 */
export class Gumbel extends LocationScale {
  constructor(loc: ParamLike, scale: ParamLike) { super("Gumbel", loc, scale); }

  override get mean(): Tensor { return this.loc.add(this.scale.mul(EULER_GAMMA)); }
  override get stddev(): Tensor { return this.scale.mul(Math.PI / Math.sqrt(6)); }
  get variance(): Tensor { return this.scale.square().mul((Math.PI * Math.PI) / 6); }

  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const { eps, tiny } = finfo(this.loc.dtype);
    const u = this.standardDraws("Gumbel.rsample", "uniform", sampleShape, o, this.loc.dtype).mul(1 - eps - tiny).add(tiny);
    return this.loc.sub(this.scale.mul(u.log().neg().log()));
  }

  logProb(value: ParamLike): Tensor {
    const z = this.loc.sub(this.supportedValue("Gumbel.logProb", value, this.loc, real)).div(this.scale);
    return z.sub(z.exp()).sub(this.scale.log());
  }

  entropy(): Tensor { return this.scale.log().add(1 + EULER_GAMMA); }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Gumbel.cdf", value, this.loc, real);
    return this.loc.sub(v).div(this.scale).exp().neg().exp();
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Gumbel.icdf", p, this.loc, unitInterval);
    return this.loc.sub(this.scale.mul(v.log().neg().log()));
  }
}

/** Cauchy(loc, scale), PyTorch's: log p(x) = −log π − log scale − log(1 + ((x − loc)/scale)²). */
export class Cauchy extends LocationScale {
  constructor(loc: ParamLike, scale: ParamLike) { super("Cauchy", loc, scale); }

  /** Undefined: NaN, as PyTorch. */
  override get mean(): Tensor { return full(this.batchShape, NaN, { dtype: this.loc.dtype }); }
  /** Infinite, as PyTorch. */
  get variance(): Tensor { return full(this.batchShape, Infinity, { dtype: this.loc.dtype }); }

  /** loc + scale·tan(π(u − ½)), u uniform on [0, 1): the quantile function at u. */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const u = this.standardDraws("Cauchy.rsample", "uniform", sampleShape, o, this.loc.dtype);
    return this.loc.add(this.scale.mul(tan(u.sub(0.5).mul(Math.PI))));
  }

  logProb(value: ParamLike): Tensor {
    const z = this.supportedValue("Cauchy.logProb", value, this.loc, real).sub(this.loc).div(this.scale);
    return this.scale.log().neg().sub(z.square().log1p()).sub(Math.log(Math.PI));
  }

  entropy(): Tensor { return this.scale.log().add(Math.log(4 * Math.PI)); }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Cauchy.cdf", value, this.loc, real);
    return atan(v.sub(this.loc).div(this.scale)).div(Math.PI).add(0.5);
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Cauchy.icdf", p, this.loc, unitInterval);
    return tan(v.sub(0.5).mul(Math.PI)).mul(this.scale).add(this.loc);
  }
}
