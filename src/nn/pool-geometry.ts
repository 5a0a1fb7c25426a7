// Where each pooling window lies, per spatial axis, with PyTorch's rules: the output size of a
// strided window (padding, dilation, ceilMode) and of an adaptive one, and for every output
// position the first in-bounds input position, how many in-bounds taps follow it, and the
// divisor an average uses. The pooling loops (pooling.ts) only read these tables.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

/** The windows of one spatial axis: output position o reads first[o] + j·step, j < count[o]. */
export interface AxisWindows {
  readonly inSize: number;
  readonly outSize: number;
  readonly step: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** The average's divisor along this axis (the 2-D divisor is the product of both axes'). */
  readonly divisor: Float64Array;
}

/** One axis of a strided pool, as PyTorch states it. */
export interface AxisSpec { kernel: number; stride: number; padding: number; dilation: number }

/**
 * PyTorch's pooling output size: ⌊(L + 2p − d(k−1) − 1 [+ s − 1 with ceilMode]) / s⌋ + 1, and
 * with ceilMode a last window that would start in the right padding is dropped.
 */
export function pooledSize(inSize: number, a: AxisSpec, ceilMode: boolean): number {
  const span = inSize + 2 * a.padding - a.dilation * (a.kernel - 1) - 1 + (ceilMode ? a.stride - 1 : 0);
  let out = Math.floor(span / a.stride) + 1;
  if (ceilMode && (out - 1) * a.stride >= inSize + a.padding) out--;
  return out;
}

/**
 * The windows of a strided pool along one axis. `countIncludePad`: the average divides by the
 * window's extent clipped to the padded input (PyTorch's count_include_pad), else by the number
 * of in-bounds taps.
 */
export function stridedWindows(inSize: number, a: AxisSpec, ceilMode: boolean, countIncludePad: boolean): AxisWindows {
  const outSize = pooledSize(inSize, a, ceilMode);
  const first = new Int32Array(outSize), count = new Int32Array(outSize), divisor = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * a.stride - a.padding;
    const lo = start < 0 ? Math.ceil(-start / a.dilation) : 0;
    const hi = start > inSize - 1 ? 0 : Math.min(a.kernel, Math.floor((inSize - 1 - start) / a.dilation) + 1);
    first[o] = start + lo * a.dilation;
    count[o] = Math.max(0, hi - lo);
    const padEnd = Math.min(start + a.kernel, inSize + a.padding);
    divisor[o] = countIncludePad ? padEnd - start : count[o];
  }
  return { inSize, outSize, step: a.dilation, first, count, divisor };
}

/** Adaptive windows: output o covers ⌊o·L/n⌋ .. ⌈(o+1)·L/n⌉ (exclusive), as PyTorch. */
export function adaptiveWindows(inSize: number, outSize: number): AxisWindows {
  const first = new Int32Array(outSize), count = new Int32Array(outSize), divisor = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    first[o] = start;
    count[o] = end - start;
    divisor[o] = end - start;
  }
  return { inSize, outSize, step: 1, first, count, divisor };
}

/** A positive (or, for padding, non-negative) integer, or one per spatial dim. */
export function perDim(where: string, name: string, v: unknown, dims: number, min: number): number[] {
  const list = typeof v === "number" ? new Array<number>(dims).fill(v) : v;
  if (!Array.isArray(list) || list.length !== dims || !list.every((d) => Number.isSafeInteger(d) && d >= min)) {
    const what = min === 0 ? "a non-negative integer" : "a positive integer";
    throw new ValueError(`${where}: ${name} must be ${what}${dims > 1 ? ` or ${dims} of them` : ""}, got ${JSON.stringify(v)}`);
  }
  return list.slice();
}

export function checkFlag(where: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new ValueError(`${where}: ${name} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks a pooling input: floating point, with `dims` spatial dims after one (unbatched) or two
 * (batched) leading dims. Returns the number of planes (N·C) and the spatial sizes.
 */
export function poolInput(where: string, x: Tensor, dims: number): { planes: number; spatial: number[] } {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(`${where}: expected a ${dims + 1}-d or ${dims + 2}-d input, got shape [${x.shape}]`);
  }
  const spatial = x.shape.slice(x.ndim - dims);
  if (spatial.some((d) => d === 0)) throw new ShapeError(`${where}: input of shape [${x.shape}] has an empty spatial dim`);
  const planes = x.shape.slice(0, x.ndim - dims).reduce((a, b) => a * b, 1);
  return { planes, spatial };
}

/**
 * Refuses what PyTorch refuses before pooling: padding over half the kernel (a window could lie
 * wholly in padding) and a padded input smaller than the dilated kernel (no output).
 */
export function checkStridedAxis(where: string, x: Tensor, inSize: number, a: AxisSpec, ceilMode: boolean): void {
  if (a.padding > Math.floor(a.kernel / 2)) {
    throw new ValueError(`${where}: padding ${a.padding} must be at most half the kernel size ${a.kernel}`);
  }
  if (pooledSize(inSize, a, ceilMode) < 1) {
    const extent = a.dilation * (a.kernel - 1) + 1;
    throw new ShapeError(`${where}: kernel extent ${extent} (kernel ${a.kernel}, dilation ${a.dilation}) is larger than the padded input (${inSize} + 2·${a.padding}) of shape [${x.shape}]`);
  }
}
