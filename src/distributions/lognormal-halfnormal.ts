import { erf, erfinv } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { Normal } from "./normal-uniform.js";
import { constrainedParams, nonNegative, positive, positiveReals, real, unitInterval, type ParamLike } from "./params.js";

/**
 * LogNormal(loc, scale), PyTorch's: exp of a Normal(loc, scale) draw (PyTorch builds it as a
 * TransformedDistribution; here the Normal is `base` and the change of variables is written out).
 */
export class LogNormal extends Distribution {
  override readonly hasRsample = true;
  readonly base: Normal;

  constructor(loc: ParamLike, scale: ParamLike) {
    const { values: [l, s], batchShape } = constrainedParams("LogNormal", { loc: [loc, real], scale: [scale, positive] });
    super("LogNormal", batchShape);
    this.base = new Normal(l, s);
  }

  get loc(): Tensor { return this.base.loc; }
  get scale(): Tensor { return this.base.scale; }
  get mean(): Tensor { return this.loc.add(this.scale.square().mul(0.5)).exp(); }
  /** (e^(σ²) − 1)·e^(2μ + σ²), the first factor by expm1. */
  get variance(): Tensor {
    const s2 = this.scale.square();
    return s2.expm1().mul(this.loc.mul(2).add(s2).exp());
  }

  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    return this.base.rsample(sampleShape, o).exp();
  }

  /** The Normal's log-density of log x, minus log x (the Jacobian of exp). */
  logProb(value: ParamLike): Tensor {
    const y = this.supportedValue("LogNormal.logProb", value, this.loc, positiveReals).log();
    return this.base.logProb(y).sub(y);
  }

  entropy(): Tensor { return this.base.entropy().add(this.loc); }

  cdf(value: ParamLike): Tensor {
    return this.base.cdf(this.supportedValue("LogNormal.cdf", value, this.loc, positiveReals).log());
  }

  icdf(p: ParamLike): Tensor {
    return this.base.icdf(this.supportedValue("LogNormal.icdf", p, this.loc, unitInterval)).exp();
  }
}

/** HalfNormal(scale), PyTorch's: |X| for X ~ Normal(0, scale), on x ≥ 0. */
export class HalfNormal extends Distribution {
  override readonly hasRsample = true;
  readonly base: Normal;

  constructor(scale: ParamLike) {
    const { values: [s], batchShape } = constrainedParams("HalfNormal", { scale: [scale, positive] });
    super("HalfNormal", batchShape);
    this.base = new Normal(0, s);
  }

  get scale(): Tensor { return this.base.scale; }
  get mean(): Tensor { return this.scale.mul(Math.sqrt(2 / Math.PI)); }
  get variance(): Tensor { return this.scale.square().mul(1 - 2 / Math.PI); }

  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    return this.base.rsample(sampleShape, o).abs();
  }

  logProb(value: ParamLike): Tensor {
    return this.base.logProb(this.supportedValue("HalfNormal.logProb", value, this.scale, nonNegative)).add(Math.LN2);
  }

  entropy(): Tensor { return this.base.entropy().sub(Math.LN2); }

  /** erf(x/(scale·√2)): PyTorch's 2·Φ(x) − 1 without its cancellation near 0. */
  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("HalfNormal.cdf", value, this.scale, nonNegative);
    return erf(v.div(this.scale.mul(Math.SQRT2)));
  }

  /** scale·√2·erfinv(p): PyTorch's Φ⁻¹((p + 1)/2). */
  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("HalfNormal.icdf", p, this.scale, unitInterval);
    return this.scale.mul(Math.SQRT2).mul(erfinv(v));
  }
}
