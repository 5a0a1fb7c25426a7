// Instance normalization (F.instance_norm, InstanceNorm1d/2d): each sample's channel normalized
// by its own mean and biased variance, which is group normalization with one group per channel,
// so the arithmetic and its backward are groupNorm's (normalization.ts); with running statistics
// in eval mode it is batchNorm's. What is new here is the running-statistics update PyTorch
// makes in training: each channel's running mean and (unbiased) variance move toward the
// average over the batch of its instances' statistics.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { registerLayers } from "./layer-registry.js";
import { NormBase, type FloatDType } from "./norm-base.js";
import { batchNorm, checkEps, checkFloat, checkVector, groupNorm } from "./normalization.js";

export interface InstanceNormOptions {
  /** Updated in place when useInputStats; normalize instead of the input's statistics otherwise. */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize by each instance's statistics (default true); false needs the running ones. */
  useInputStats?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Moves the running statistics toward the batch average of each instance's mean and unbiased
 * variance, as PyTorch's instance norm does (a batch norm over [1, N·C, …] with the running
 * buffers repeated N times, then averaged back).
 */
function updateRunning(xd: ArrayLike<number>, N: number, C: number, S: number, rm: Tensor | null, rv: Tensor | null, momentum: number): void {
  const mean = new Float64Array(C), variance = new Float64Array(C);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const shift = xd[i];
      let s = 0, ss = 0;
      for (const end = i + S; i < end; i++) { const d = xd[i] - shift; s += d; ss += d * d; }
      const m = s / S;
      mean[c] += shift + m;
      variance[c] += Math.max(0, ss - S * m * m) / (S - 1);
    }
  }
  for (let c = 0; c < C; c++) {
    if (rm) rm.storage[c] = (1 - momentum) * rm.storage[c] + (momentum * mean[c]) / N;
    if (rv) rv.storage[c] = (1 - momentum) * rv.storage[c] + (momentum * variance[c]) / N;
  }
}

/**
 * F.instance_norm over [N, C, *]: per sample and channel, (x − mean)/√(var + eps)·weight + bias.
 * With useInputStats (the default) the statistics are the instance's own, and runningMean /
 * runningVar, when given, are updated in place; otherwise the running ones normalize.
 */
export function instanceNorm(x: Tensor, o: InstanceNormOptions = {}): Tensor {
  const where = "instanceNorm";
  checkOptions(where, o, ["runningMean", "runningVar", "weight", "bias", "useInputStats", "momentum", "eps"]);
  checkFloat(where, "input", x);
  if (x.ndim < 2) throw new ShapeError(`${where}: expected an input of shape [N, C, ...], got [${x.shape}]`);
  const useInputStats = o.useInputStats ?? true;
  if (typeof useInputStats !== "boolean") throw new ValueError(`${where}: useInputStats must be a boolean, got ${JSON.stringify(useInputStats)}`);
  const [N, C] = x.shape, S = x.shape.slice(2).reduce((a, d) => a * d, 1);
  // PyTorch's check: one element per instance has no variance to normalize by.
  if (useInputStats && S === 1) throw new ValueError(`${where}: expected more than 1 spatial element when using the input's statistics, got input of shape [${x.shape}]`);
  const rm = checkVector(where, "runningMean", o.runningMean, [C]), rv = checkVector(where, "runningVar", o.runningVar, [C]);
  const weight = checkVector(where, "weight", o.weight, [C]), bias = checkVector(where, "bias", o.bias, [C]);
  const eps = checkEps(where, o.eps ?? 1e-5), momentum = o.momentum === undefined ? 0.1 : o.momentum;
  if (typeof momentum !== "number" || !Number.isFinite(momentum)) throw new ValueError(`${where}: momentum must be a finite number, got ${String(momentum)}`);
  for (const [name, t] of [["runningMean", rm], ["runningVar", rv]] as const) {
    if (t && (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size)) throw new ValueError(`${where}: ${name} must own its contiguous storage (it is updated in place)`);
  }
  if (!useInputStats) {
    if (!rm || !rv) throw new ValueError(`${where}: runningMean and runningVar are needed when useInputStats is false`);
    return batchNorm(x, rm, rv, { weight, bias, training: false, eps });
  }
  if (N * C * S === 0) return x.mul(1); // an empty batch: nothing to normalize, and no statistics to update with
  const y = groupNorm(x, C, { weight, bias, eps });
  if (rm || rv) updateRunning(x.data, N, C, S, rm, rv, momentum);
  return y;
}

export interface InstanceNormModuleOptions {
  eps?: number;
  /** Weight of each batch in the running averages (default 0.1). */
  momentum?: number;
  /** Learn a per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running statistics and normalize by them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

export abstract class InstanceNormBase extends NormBase {
  declare readonly momentum: number;

  /** `unbatchedRank`: the rank of one sample ([C, L]: 2, [C, H, W]: 3); a batch has one more. */
  constructor(where: string, private readonly unbatchedRank: number, numFeatures: number, o: InstanceNormModuleOptions) {
    super(where, numFeatures, o, { affine: false, trackRunningStats: false, nullMomentum: false });
  }

  forward(x: Tensor): Tensor {
    const r = this.unbatchedRank;
    if (!(x instanceof Tensor)) throw new ValueError(`${this.where}: input must be a Tensor`);
    if (x.ndim !== r && x.ndim !== r + 1) throw new ShapeError(`${this.where}: expected a ${r}-d (unbatched) or ${r + 1}-d input, got shape [${x.shape}]`);
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${this.where}: input must be float32 or float64, got ${x.dtype}`);
    // PyTorch only warns about other channel counts when there is no affine; a mismatch is a bug, so it is refused.
    const channels = x.shape[x.ndim - r];
    if (channels !== this.numFeatures) throw new ShapeError(`${this.where}: expected ${this.numFeatures} channels (dim ${x.ndim - r}), got input of shape [${x.shape}]`);
    const unbatched = x.ndim === r;
    const y = instanceNorm(unbatched ? x.unsqueeze(0) : x, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
}

/** torch.nn.InstanceNorm1d over [N, C, L] or unbatched [C, L]. */
export class InstanceNorm1d extends InstanceNormBase {
  static readonly typeName: string = "InstanceNorm1d";
  constructor(numFeatures: number, o: InstanceNormModuleOptions = {}) { super("InstanceNorm1d", 2, numFeatures, o); }
}

/** torch.nn.InstanceNorm2d over [N, C, H, W] or unbatched [C, H, W]. */
export class InstanceNorm2d extends InstanceNormBase {
  static readonly typeName: string = "InstanceNorm2d";
  constructor(numFeatures: number, o: InstanceNormModuleOptions = {}) { super("InstanceNorm2d", 3, numFeatures, o); }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ InstanceNorm1d, InstanceNorm2d });
