// Normalization modules with PyTorch's parameters, buffers and state-dict keys: BatchNorm1d/2d
// (weight, bias, running_mean, running_var, num_batches_tracked), LayerNorm and GroupNorm
// (weight, bias). The arithmetic is in normalization.ts.
import { boolean, positive, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { full, Tensor, zeros } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";
import { checkFloatDType, NormBase, type FloatDType } from "./norm-base.js";
import { batchNorm, groupNorm, layerNorm, type BatchNormOptions } from "./normalization.js";

export interface BatchNormModuleOptions {
  eps?: number;
  /** Weight of each batch in the running averages (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses the batch's. */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

export abstract class BatchNormBase extends NormBase {
  constructor(where: string, numFeatures: number, o: BatchNormModuleOptions) {
    super(where, numFeatures, o, { affine: true, trackRunningStats: true, nullMomentum: true });
  }

  protected abstract checkRank(x: Tensor): void;

  forward(x: Tensor): Tensor {
    return batchNorm(x, this.runningMean, this.runningVar, this.stepOptions(x));
  }

  /**
   * batchNorm's options for one forward over x, after the module's checks; counts the batch when
   * training (so a fused step that normalizes x itself calls this exactly once, as forward does).
   */
  stepOptions(x: Tensor): BatchNormOptions {
    this.checkRank(x);
    if (x.shape[1] !== this.numFeatures) throw new ShapeError(`${this.where}: expected ${this.numFeatures} channels (dim 1), got input of shape [${x.shape}]`);
    // Exactly one value per channel has no variance; an empty batch (none) passes, as PyTorch:
    // its output is empty and the running statistics stay as they are.
    const perChannel = x.size / this.numFeatures;
    if (this.training && perChannel === 1) throw new ValueError(`${this.where}: expected more than 1 value per channel when training, got input of shape [${x.shape}]`);
    // Every input batchNorm refuses is refused before the batch is counted: a rejected forward leaves the module as it was.
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${this.where}: input must be float32 or float64, got ${x.dtype}`);
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const n = (this.numBatchesTracked.storage[0] += 1);
      if (this.momentum === null) factor = 1 / n;
    }
    // Eval mode without running statistics normalizes by the batch's, as PyTorch.
    const useBatch = this.training || !this.runningMean;
    return { weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps };
  }
}

/** torch.nn.BatchNorm1d over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  static readonly typeName: string = "BatchNorm1d";
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super("BatchNorm1d", numFeatures, o); }
  protected checkRank(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`BatchNorm1d: expected a 2-d or 3-d input, got shape [${x.shape}]`);
  }
}

/** torch.nn.BatchNorm2d over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  static readonly typeName: string = "BatchNorm2d";
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super("BatchNorm2d", numFeatures, o); }
  protected checkRank(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError(`BatchNorm2d: expected a 4-d input, got shape [${x.shape}]`);
  }
}

export interface LayerNormModuleOptions {
  eps?: number;
  /** Learn a weight (and bias) per normalized element (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
}

/** torch.nn.LayerNorm: normalizes over the trailing dims normalizedShape. */
export class LayerNorm extends Module {
  static readonly typeName: string = "LayerNorm";
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Tensor | null = null;
  readonly bias: Tensor | null = null;
  constructor(normalizedShape: number | readonly number[], o: LayerNormModuleOptions = {}) {
    super();
    checkOptions("LayerNorm", o, ["eps", "elementwiseAffine", "bias", "dtype"]);
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new ValueError(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape.slice();
    this.eps = positive("LayerNorm", "eps", o.eps ?? 1e-5, true);
    const affine = boolean("LayerNorm", "elementwiseAffine", o.elementwiseAffine ?? true);
    const withBias = boolean("LayerNorm", "bias", o.bias ?? true);
    const dtype = checkFloatDType("LayerNorm", o.dtype);
    if (affine) {
      this.weight = this.registerParameter("weight", full(shape, 1, { dtype }));
      if (withBias) this.bias = this.registerParameter("bias", zeros(shape, { dtype }));
    }
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}

/** torch.nn.GroupNorm: numChannels split into numGroups groups normalized per sample. */
export class GroupNorm extends Module {
  static readonly typeName: string = "GroupNorm";
  readonly eps: number;
  readonly weight: Tensor | null = null;
  readonly bias: Tensor | null = null;
  constructor(readonly numGroups: number, readonly numChannels: number, o: { eps?: number; affine?: boolean; dtype?: FloatDType } = {}) {
    super();
    checkOptions("GroupNorm", o, ["eps", "affine", "dtype"]);
    positiveInt("GroupNorm", "numGroups", numGroups);
    positiveInt("GroupNorm", "numChannels", numChannels);
    if (numChannels % numGroups !== 0) throw new ValueError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = positive("GroupNorm", "eps", o.eps ?? 1e-5, true);
    const dtype = checkFloatDType("GroupNorm", o.dtype);
    if (boolean("GroupNorm", "affine", o.affine ?? true)) {
      this.weight = this.registerParameter("weight", full([numChannels], 1, { dtype }));
      this.bias = this.registerParameter("bias", zeros([numChannels], { dtype }));
    }
  }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) throw new ShapeError(`GroupNorm: expected an input of shape [N, ${this.numChannels}, ...], got [${x.shape}]`);
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ BatchNorm1d, BatchNorm2d, LayerNorm });
