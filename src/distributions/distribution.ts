import { ValueError } from "../errors.js";
import { rand, randn } from "../ndarray/creation.js";
import { noGrad } from "../ndarray/no-grad.js";
import type { RandomOptions } from "../ndarray/random.js";
import type { DType } from "../ndarray/dtype.js";
import type { Tensor } from "../ndarray/tensor.js";
import { checkValue, requireSupport, samplingSetup, type Constraint, type ParamLike } from "./params.js";

/**
 * What every distribution has (torch.distributions.Distribution): its shapes, moments, sampling
 * and log-density. A sample has shape sampleShape + batchShape + eventShape.
 */
export abstract class Distribution {
  /** Whether rsample() is defined (a reparameterized, differentiable draw). */
  readonly hasRsample: boolean = false;

  // The class's name spelled out: an application's minifier renames classes.
  constructor(readonly name: string, readonly batchShape: readonly number[], readonly eventShape: readonly number[] = []) {}

  abstract get mean(): Tensor;
  abstract get variance(): Tensor;
  get stddev(): Tensor { return this.variance.sqrt(); }

  /** A draw without gradient. */
  sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    return noGrad(() => this.rsample(sampleShape, o)).detach();
  }

  /** A draw through which gradients flow to the parameters (refused where PyTorch has none). */
  rsample(_sampleShape: readonly number[] = [], _o?: RandomOptions): Tensor {
    throw new ValueError(`${this.name}: rsample is not defined (hasRsample is false); use sample`);
  }

  abstract logProb(value: ParamLike): Tensor;
  abstract entropy(): Tensor;

  protected extendedShape(sampleShape: readonly number[]): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /** Standard uniform ([0, 1)) or normal draws of the sample's shape, after the sampling checks. */
  protected standardDraws(where: string, kind: "uniform" | "normal", sampleShape: readonly number[], o: RandomOptions | undefined, dtype: DType): Tensor {
    const rng = samplingSetup(where, sampleShape, o);
    const shape = this.extendedShape(sampleShape);
    return kind === "normal" ? randn(shape, { dtype, rng }) : rand(shape, { dtype, rng });
  }

  /** A value for logProb, cdf or icdf: its shape checked, a number given `like`'s dtype, refused outside `support`. */
  protected supportedValue(where: string, value: ParamLike, like: Tensor, support: Constraint): Tensor {
    const v = checkValue(where, value, like, this.batchShape, this.eventShape);
    requireSupport(where, v, support);
    return v;
  }
}
