import { rand } from "../ndarray/creation.js";
import { reciprocal } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { broadcastParams, checkValue, isPositive, isReal, requireParam, requireSupport, samplingSetup, type ParamLike } from "./params.js";

const inUnitInterval = (x: number) => x >= 0 && x <= 1;

/** Exponential(rate), PyTorch's: log p(x) = log rate − rate·x on x ≥ 0. */
export class Exponential extends Distribution {
  override readonly hasRsample = true;
  readonly rate: Tensor;

  constructor(rate: ParamLike) {
    const { values: [r], batchShape } = broadcastParams("Exponential", { rate });
    requireParam("Exponential", "rate", r, "positive", isPositive);
    super("Exponential", batchShape);
    this.rate = r;
  }

  get mean(): Tensor { return reciprocal(this.rate); }
  override get stddev(): Tensor { return reciprocal(this.rate); }
  get variance(): Tensor { return reciprocal(this.rate.square()); }

  /** −log(1 − u)/rate, u uniform on [0, 1) (so 1 − u > 0). */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Exponential.rsample", sampleShape, o);
    const u = rand(this.extendedShape(sampleShape), { dtype: this.rate.dtype, rng });
    return u.neg().log1p().neg().div(this.rate);
  }

  logProb(value: ParamLike): Tensor {
    const v = this.value("Exponential.logProb", value);
    return this.rate.log().sub(this.rate.mul(v));
  }

  entropy(): Tensor { return this.rate.log().neg().add(1); }

  cdf(value: ParamLike): Tensor {
    const v = this.value("Exponential.cdf", value);
    return this.rate.mul(v).neg().exp().neg().add(1);
  }

  icdf(p: ParamLike): Tensor {
    const v = checkValue("Exponential.icdf", p, this.rate, this.batchShape);
    requireSupport("Exponential.icdf", v, "[0, 1]", inUnitInterval);
    return v.neg().log1p().neg().div(this.rate);
  }

  private value(where: string, value: ParamLike): Tensor {
    const v = checkValue(where, value, this.rate, this.batchShape);
    requireSupport(where, v, "[0, ∞)", (x) => x >= 0);
    return v;
  }
}

/** Laplace(loc, scale), PyTorch's: log p(x) = −log(2·scale) − |x − loc|/scale. */
export class Laplace extends Distribution {
  override readonly hasRsample = true;
  readonly loc: Tensor;
  readonly scale: Tensor;

  constructor(loc: ParamLike, scale: ParamLike) {
    const { values: [l, s], batchShape } = broadcastParams("Laplace", { loc, scale });
    requireParam("Laplace", "loc", l, "real", isReal);
    requireParam("Laplace", "scale", s, "positive", isPositive);
    super("Laplace", batchShape);
    this.loc = l;
    this.scale = s;
  }

  get mean(): Tensor { return this.loc; }
  override get stddev(): Tensor { return this.scale.mul(Math.SQRT2); }
  get variance(): Tensor { return this.scale.square().mul(2); }

  /** loc − scale·sign(u)·log(1 − |u|), u uniform on (ε − 1, 1) as PyTorch draws it (never −1). */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Laplace.rsample", sampleShape, o);
    const eps = this.loc.dtype === "float64" ? 2 ** -52 : 2 ** -23;
    const u = rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, rng }).mul(2 - eps).add(eps - 1);
    return this.loc.sub(this.scale.mul(u.sign()).mul(u.abs().neg().log1p()));
  }

  logProb(value: ParamLike): Tensor {
    const v = this.value("Laplace.logProb", value);
    return this.scale.mul(2).log().neg().sub(v.sub(this.loc).abs().div(this.scale));
  }

  entropy(): Tensor { return this.scale.mul(2).log().add(1); }

  cdf(value: ParamLike): Tensor {
    const v = this.value("Laplace.cdf", value);
    const d = v.sub(this.loc);
    return d.sign().mul(d.abs().neg().div(this.scale).expm1()).mul(-0.5).add(0.5);
  }

  icdf(p: ParamLike): Tensor {
    const v = checkValue("Laplace.icdf", p, this.loc, this.batchShape);
    requireSupport("Laplace.icdf", v, "[0, 1]", inUnitInterval);
    const t = v.sub(0.5);
    return this.loc.sub(this.scale.mul(t.sign()).mul(t.abs().mul(-2).log1p()));
  }

  private value(where: string, value: ParamLike): Tensor {
    const v = checkValue(where, value, this.loc, this.batchShape);
    requireSupport(where, v, "real", isReal);
    return v;
  }
}
