// The state the batch and instance normalization modules share, as PyTorch's _NormBase: eps,
// momentum, an optional per-channel weight and bias, and the running statistics as buffers under
// PyTorch's keys, registered in its order (weight, bias, running_mean, running_var,
// num_batches_tracked) so that stateDict() lists them as PyTorch does.
import { boolean, positive, positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { full, Tensor, zeros } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

export type FloatDType = "float32" | "float64";

/** A module's dtype option: float32 (the default) or float64. */
export function checkFloatDType(where: string, d: unknown): FloatDType {
  if (d !== undefined && d !== "float32" && d !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(d)}`);
  return (d ?? "float32") as FloatDType;
}

export interface NormBaseOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

/** What differs between the kinds: the defaults of affine and trackRunningStats, and whether momentum may be null. */
export interface NormDefaults {
  affine: boolean;
  trackRunningStats: boolean;
  /** BatchNorm's null momentum is a cumulative average; PyTorch's instance norm takes a number only. */
  nullMomentum: boolean;
}

const zeroCount = () => new Tensor(new Int32Array(1), "int32", []);

export abstract class NormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null = null;
  readonly bias: Tensor | null = null;
  readonly runningMean: Tensor | null = null;
  readonly runningVar: Tensor | null = null;
  readonly numBatchesTracked: Tensor | null = null;

  constructor(protected readonly where: string, readonly numFeatures: number, o: NormBaseOptions, defaults: NormDefaults) {
    super();
    positiveInt(where, "numFeatures", numFeatures);
    checkOptions(where, o, ["eps", "momentum", "affine", "trackRunningStats", "dtype"]);
    this.eps = positive(where, "eps", o.eps ?? 1e-5, true);
    const m = o.momentum === undefined ? 0.1 : o.momentum;
    if (!(m === null && defaults.nullMomentum) && (typeof m !== "number" || !Number.isFinite(m))) {
      throw new ValueError(`${where}: momentum must be a ${defaults.nullMomentum ? "number or null" : "finite number"}, got ${String(m)}`);
    }
    this.momentum = m;
    this.affine = boolean(where, "affine", o.affine ?? defaults.affine);
    this.trackRunningStats = boolean(where, "trackRunningStats", o.trackRunningStats ?? defaults.trackRunningStats);
    const dtype = checkFloatDType(where, o.dtype);
    if (this.affine) {
      this.weight = this.registerParameter("weight", full([numFeatures], 1, { dtype }));
      this.bias = this.registerParameter("bias", zeros([numFeatures], { dtype }));
    }
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.runningVar = this.registerBuffer("running_var", full([numFeatures], 1, { dtype }));
      this.numBatchesTracked = this.registerBuffer("num_batches_tracked", zeroCount());
    } else {
      for (const name of ["running_mean", "running_var", "num_batches_tracked"]) this.registerBuffer(name, null);
    }
  }

  /**
   * A dict without num_batches_tracked (checkpoints older than the counter, and many converted
   * ones) loads with the counter reset to 0, as PyTorch loads a plain dict; it only matters to
   * BatchNorm's `momentum: null`, whose cumulative average then starts over.
   */
  protected override stateDefault(name: string): Tensor | undefined {
    return name === "num_batches_tracked" ? zeroCount() : undefined;
  }

  /** Running statistics back to mean 0, variance 1, and no batches seen. */
  resetRunningStats(): void {
    this.runningMean?.storage.fill(0);
    this.runningVar?.storage.fill(1);
    this.numBatchesTracked?.storage.fill(0);
  }
}
