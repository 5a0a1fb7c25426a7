import { randn } from "../ndarray/creation.js";
import { where } from "../ndarray/elementwise.js";
import { digamma, lgamma } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { constrainedParams, positive, real, samplingSetup, type ParamLike } from "./params.js";
import { standardGammaSample } from "./standard-gamma.js";

const HALF_LOG_PI = 0.5 * Math.log(Math.PI);

/**
 * StudentT(df, loc = 0, scale = 1), PyTorch's: log p(x) = −(ν+1)/2·log(1 + y²/ν) − log scale
 * − ½·log(νπ) − log Γ(ν/2) + log Γ((ν+1)/2), y = (x − loc)/scale. Draws are loc + scale·X/√(Z/ν)
 * with X standard normal and Z ~ χ²(ν) = 2·Gamma(ν/2, 1), reparameterized in ν through Z.
 */
export class StudentT extends Distribution {
  override readonly hasRsample = true;
  readonly df: Tensor;
  readonly loc: Tensor;
  readonly scale: Tensor;

  constructor(df: ParamLike, loc: ParamLike = 0, scale: ParamLike = 1) {
    const { values: [d, l, s], batchShape } = constrainedParams("StudentT", { df: [df, positive], loc: [loc, real], scale: [scale, positive] });
    super("StudentT", batchShape);
    this.df = d;
    this.loc = l;
    this.scale = s;
  }

  /** loc where ν > 1, else NaN. */
  get mean(): Tensor { return where(this.df.gt(1), this.loc.expand(this.batchShape), NaN); }

  /** scale²·ν/(ν − 2) where ν > 2, +∞ for 1 < ν ≤ 2, NaN for ν ≤ 1 (PyTorch's cases). */
  get variance(): Tensor {
    const above2 = this.df.gt(2);
    // ν − 2 only where it is positive, so that no 0/0 reaches the gradient of the other cases.
    const safeDf = where(above2, this.df, 3);
    const finite = this.scale.square().mul(safeDf).div(safeDf.sub(2));
    return where(above2, finite, where(this.df.gt(1), Infinity, NaN));
  }

  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("StudentT.rsample", sampleShape, o);
    const shape = this.extendedShape(sampleShape);
    const x = randn(shape, { dtype: this.df.dtype, rng });
    const chi2 = standardGammaSample(this.df.mul(0.5).expand(shape), rng).mul(2);
    return this.loc.add(this.scale.mul(x.mul(chi2.div(this.df).rsqrt())));
  }

  logProb(value: ParamLike): Tensor {
    const y = this.supportedValue("StudentT.logProb", value, this.df, real).sub(this.loc).div(this.scale);
    const half = this.df.mul(0.5), halfPlus = this.df.add(1).mul(0.5);
    const z = this.scale.log().add(this.df.log().mul(0.5)).add(HALF_LOG_PI).add(lgamma(half)).sub(lgamma(halfPlus));
    return halfPlus.neg().mul(y.square().div(this.df).log1p()).sub(z);
  }

  entropy(): Tensor {
    const half = this.df.mul(0.5), halfPlus = this.df.add(1).mul(0.5);
    const logBeta = lgamma(half).add(HALF_LOG_PI).sub(lgamma(halfPlus)); // log Γ(½) = ½·log π
    return this.scale.log().add(halfPlus.mul(digamma(halfPlus).sub(digamma(half))))
      .add(this.df.log().mul(0.5)).add(logBeta);
  }
}
