// Channel dropout and resizing for image tensors: F.dropout2d / Dropout2d and F.interpolate /
// Upsample, each with its backward next to the forward; mode "nearest" is here, the weighted
// modes in interpolate-modes.ts.
import { probability } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, rngFrom, Tensor, type FloatArray, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";
import { checkModeRank, interpolateWeighted, resolveMode, type InterpolateMode } from "./interpolate-modes.js";

const allocLike = (t: Tensor, n: number): FloatArray => (t.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

/**
 * Zeroes whole channels of [N, C, H, W] with probability p, scaling the others by 1/(1−p); p = 1
 * multiplies every channel by 0 without drawing, as PyTorch's feature dropout.
 */
function channelDropout(x: Tensor, p: number, rng: Rng): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`dropout2d: expected a 4-d input [N, C, H, W], got shape [${x.shape}]`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`dropout2d: needs a float32 or float64 input, got ${x.dtype}`);
  const planes = x.shape[0] * x.shape[1], S = x.shape[2] * x.shape[3], scale = 1 / (1 - p);
  const keep = new Float64Array(planes);
  if (p < 1) for (let c = 0; c < planes; c++) keep[c] = rng.uniform() >= p ? scale : 0;
  const masked = (src: ArrayLike<number>): Tensor => {
    const out = allocLike(x, x.size);
    for (let c = 0, i = 0; c < planes; c++) {
      const k = keep[c];
      for (let end = i + S; i < end; i++) out[i] = src[i] * k;
    }
    return new Tensor(out, x.dtype, x.shape.slice());
  };
  return record(masked(x.data), "dropout2d", [x], (g) => [masked(g.data)]);
}

export interface Dropout2dOptions extends RandomOptions {
  /** Off (the identity) when false, as F.dropout2d(training=False). Default true. */
  training?: boolean;
}

/** F.dropout2d: channel-wise inverted dropout, drawing from { seed }, { rng } or the global generator. */
export function dropout2d(x: Tensor, p = 0.5, o: Dropout2dOptions = {}): Tensor {
  checkOptions("dropout2d", o, ["training", "seed", "rng"]);
  probability("dropout2d", "probability", p);
  return (o.training ?? true) && p > 0 ? channelDropout(x, p, rngFrom(o)) : x;
}

/** torch.nn.Dropout2d: zeroes whole channels in training; the identity in eval mode. */
export class Dropout2d extends Module {
  static readonly typeName: string = "Dropout2d";
  private readonly rng: Rng | null;
  constructor(readonly p = 0.5, o: RandomOptions = {}) {
    super();
    checkOptions("Dropout2d", o, ["seed", "rng"]);
    probability("Dropout2d", "probability", p);
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? channelDropout(x, this.p, this.rng ?? rngFrom(undefined)) : x;
  }
}

export interface InterpolateOptions {
  /** The output's spatial size (one number for every dim, or one per dim). */
  size?: number | readonly number[] | null;
  /** Multiplier of each spatial dim (output ⌊in·s⌋); give size or scaleFactor, not both. */
  scaleFactor?: number | readonly number[] | null;
  /** "nearest" (the default), "linear" (3-d), "bilinear" / "bicubic" (4-d), "area", "nearest-exact". */
  mode?: InterpolateMode;
  /** Linear family only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
  /** With scaleFactor: index the source by in/out sizes instead of 1/scaleFactor (default false). */
  recomputeScaleFactor?: boolean | null;
}

/**
 * For each output position along one axis, the input position PyTorch's nearest mode reads:
 * ⌊o·scale⌋ clipped to the input, computed in float32 as its kernel does, with scale = 1/factor
 * when a scale factor was given and in/out otherwise.
 */
function nearestSources(inSize: number, outSize: number, factor: number | null): Int32Array {
  const src = new Int32Array(outSize);
  const scale = Math.fround(factor !== null ? 1 / factor : Math.fround(inSize) / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) src[o] = o;
    else if (outSize === 2 * inSize) src[o] = o >> 1;
    else src[o] = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  }
  return src;
}

function resizePlan(where: string, x: Tensor, o: InterpolateOptions): { sizes: number[]; factors: (number | null)[] } {
  const dims = x.ndim - 2;
  if (dims !== 1 && dims !== 2) throw new ShapeError(`${where}: expected a 3-d [N, C, L] or 4-d [N, C, H, W] input, got shape [${x.shape}]`);
  const hasSize = o.size !== undefined && o.size !== null, hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale) throw new ValueError(`${where}: give exactly one of size and scaleFactor`);
  const spread = (v: number | readonly number[]) => (typeof v === "number" ? new Array<number>(dims).fill(v) : v.slice());
  const inSizes = x.shape.slice(2);
  const recompute = o.recomputeScaleFactor ?? false;
  if (typeof recompute !== "boolean") throw new ValueError(`${where}: recomputeScaleFactor must be true, false or null, got ${JSON.stringify(o.recomputeScaleFactor)}`);
  if (hasSize && recompute) throw new ValueError(`${where}: recomputeScaleFactor is not meaningful with an explicit size`);
  if (hasSize) {
    const sizes = spread(o.size!);
    if (sizes.length !== dims || !sizes.every((s) => Number.isSafeInteger(s) && s >= 1)) throw new ValueError(`${where}: size must be a positive integer or ${dims} of them, got ${JSON.stringify(o.size)}`);
    return { sizes, factors: sizes.map(() => null) };
  }
  const factors = spread(o.scaleFactor!);
  if (factors.length !== dims || !factors.every((f) => typeof f === "number" && f > 0 && Number.isFinite(f))) {
    throw new ValueError(`${where}: scaleFactor must be a positive number or ${dims} of them, got ${JSON.stringify(o.scaleFactor)}`);
  }
  const sizes = factors.map((f, i) => Math.floor(inSizes[i] * f));
  if (sizes.some((s) => s < 1)) throw new ShapeError(`${where}: scaleFactor ${JSON.stringify(o.scaleFactor)} gives an empty output for input shape [${x.shape}]`);
  return { sizes, factors: recompute ? factors.map(() => null) : factors };
}

const INTERPOLATE_KEYS = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"];

/** F.interpolate over [N, C, L] or [N, C, H, W]. */
export function interpolate(x: Tensor, o: InterpolateOptions = {}): Tensor {
  checkOptions("interpolate", o, INTERPOLATE_KEYS);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`interpolate: needs a float32 or float64 input, got ${x.dtype}`);
  const { mode, alignCorners } = resolveMode("interpolate", o.mode, o.alignCorners);
  const { sizes, factors } = resizePlan("interpolate", x, o);
  checkModeRank("interpolate", mode, x);
  if (mode !== "nearest") return interpolateWeighted(x, mode, sizes, factors, alignCorners);
  const [H, W] = x.ndim === 4 ? x.shape.slice(2) : [1, x.shape[2]];
  const [OH, OW] = x.ndim === 4 ? sizes : [1, sizes[0]];
  const rows = x.ndim === 4 ? nearestSources(H, OH, factors[0]) : Int32Array.of(0);
  const cols = nearestSources(W, OW, factors[factors.length - 1]);
  const planes = x.shape[0] * x.shape[1], n = planes * OH * OW;
  const from = new Int32Array(n); // the input element each output copies
  for (let p = 0, k = 0; p < planes; p++) {
    for (let r = 0; r < OH; r++) {
      const base = p * H * W + rows[r] * W;
      for (let c = 0; c < OW; c++, k++) from[k] = base + cols[c];
    }
  }
  const xd = x.data, y = allocLike(x, n);
  for (let k = 0; k < n; k++) y[k] = xd[from[k]];
  return record(new Tensor(y, x.dtype, [...x.shape.slice(0, 2), ...sizes]), "interpolate", [x], (g) => {
    const gd = g.data, gx = allocLike(x, x.size);
    for (let k = 0; k < n; k++) gx[from[k]] += gd[k];
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
}

/** torch.nn.Upsample: { size } or { scaleFactor }, with F.interpolate's mode and alignCorners. */
export class Upsample extends Module {
  static readonly typeName: string = "Upsample";
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(o: InterpolateOptions = {}) {
    super();
    checkOptions("Upsample", o, INTERPOLATE_KEYS);
    this.mode = resolveMode("Upsample", o.mode, o.alignCorners).mode;
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
    if (this.recomputeScaleFactor !== null && typeof this.recomputeScaleFactor !== "boolean") {
      throw new ValueError(`Upsample: recomputeScaleFactor must be true, false or null, got ${JSON.stringify(o.recomputeScaleFactor)}`);
    }
    const hasSize = o.size !== undefined && o.size !== null, hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
    if (hasSize === hasScale) throw new ValueError("Upsample: give exactly one of size and scaleFactor");
    if (hasSize && this.recomputeScaleFactor === true) throw new ValueError("Upsample: recomputeScaleFactor is not meaningful with an explicit size");
    this.size = o.size ?? null;
    this.scaleFactor = o.scaleFactor ?? null;
  }
  forward(x: Tensor): Tensor {
    const { mode, alignCorners, recomputeScaleFactor } = this;
    return interpolate(x, this.size !== null ? { size: this.size, mode, alignCorners } : { scaleFactor: this.scaleFactor, mode, alignCorners, recomputeScaleFactor });
  }
}

registerLayers({ Upsample, Dropout2d });
