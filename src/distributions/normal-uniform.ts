import { ValueError } from "../errors.js";
import { broadcastShapes as broadcastShape } from "../ndarray/shape.js";
import { erf, erfinv } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { LocationScale } from "./location-scale.js";
import { broadcastParams, checkValue, real, unitInterval, type ParamLike } from "./params.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** N(loc, scale²), PyTorch's Normal: log p(x) = −(x−loc)²/(2·scale²) − log scale − ½·log 2π. */
export class Normal extends LocationScale {
  constructor(loc: ParamLike, scale: ParamLike) { super("Normal", loc, scale); }

  override get stddev(): Tensor { return this.scale; }
  get variance(): Tensor { return this.scale.square(); }

  /** loc + ε·scale, ε standard normal: differentiable in loc and scale. */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const eps = this.standardDraws("Normal.rsample", "normal", sampleShape, o, this.loc.dtype);
    return this.loc.add(eps.mul(this.scale));
  }

  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Normal.logProb", value, this.loc, real);
    return v.sub(this.loc).square().div(this.variance.mul(2)).neg().sub(this.scale.log()).sub(HALF_LOG_2PI);
  }

  entropy(): Tensor { return this.scale.log().add(0.5 + HALF_LOG_2PI); }

  cdf(value: ParamLike): Tensor {
    const v = this.supportedValue("Normal.cdf", value, this.loc, real);
    return erf(v.sub(this.loc).div(this.scale.mul(Math.SQRT2))).add(1).mul(0.5);
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Normal.icdf", p, this.loc, unitInterval);
    return this.loc.add(this.scale.mul(erfinv(v.mul(2).sub(1))).mul(Math.SQRT2));
  }
}

/** Uniform on [low, high), PyTorch's Uniform. */
export class Uniform extends Distribution {
  override readonly hasRsample = true;
  readonly low: Tensor;
  readonly high: Tensor;

  constructor(low: ParamLike, high: ParamLike) {
    const { values: [lo, hi], batchShape } = broadcastParams("Uniform", { low, high });
    const l = lo.contiguous().data, h = hi.contiguous().data;
    for (let i = 0; i < l.length; i++) {
      if (!(l[i] < h[i])) throw new ValueError(`Uniform: low must be less than high, got low ${l[i]} and high ${h[i]} at flat index ${i}`);
    }
    super("Uniform", batchShape);
    this.low = lo;
    this.high = hi;
  }

  private get width(): Tensor { return this.high.sub(this.low); }
  get mean(): Tensor { return this.high.add(this.low).mul(0.5); }
  override get stddev(): Tensor { return this.width.div(Math.sqrt(12)); }
  get variance(): Tensor { return this.width.square().div(12); }

  /** low + u·(high − low), u uniform on [0, 1). */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const u = this.standardDraws("Uniform.rsample", "uniform", sampleShape, o, this.low.dtype);
    return this.low.add(u.mul(this.width));
  }

  /** −log(high − low) inside the support; a value outside it is refused, as PyTorch validates. */
  logProb(value: ParamLike): Tensor {
    const v = this.inSupport("Uniform.logProb", value);
    return this.width.log().neg().add(v.mul(0));
  }

  entropy(): Tensor { return this.width.log(); }

  cdf(value: ParamLike): Tensor {
    const v = this.inSupport("Uniform.cdf", value);
    return v.sub(this.low).div(this.width).clamp(0, 1);
  }

  icdf(p: ParamLike): Tensor {
    const v = this.supportedValue("Uniform.icdf", p, this.low, unitInterval);
    return v.mul(this.width).add(this.low);
  }

  private inSupport(where: string, value: ParamLike): Tensor {
    const v = checkValue(where, value, this.low, this.batchShape);
    const shape = broadcastShape(v.shape, this.batchShape, where);
    const vs = v.expand(shape).contiguous().data;
    const ls = this.low.expand(shape).contiguous().data, hs = this.high.expand(shape).contiguous().data;
    for (let i = 0; i < vs.length; i++) {
      if (!(vs[i] >= ls[i] && vs[i] < hs[i])) {
        throw new ValueError(`${where}: value ${vs[i]} at flat index ${i} is outside the support [${ls[i]}, ${hs[i]})`);
      }
    }
    return v;
  }
}
