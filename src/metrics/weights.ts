// scikit-learn's sample_weight for the metrics: one finite weight ≥ 0 per sample, checked once
// here so that every metric refuses the same bad input with the same message.
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import type { Values } from "./inputs.js";

export interface WeightOptions {
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight): a sample counts as that many (default: each 1). */
  sampleWeight?: Values;
}

/**
 * The weights as float64, or null when none were given. A weight that is negative, NaN or
 * infinite, a tensor that is not [n] (or [n, 1]), or a count other than n is refused.
 * `positiveTotal`: the metric is a weighted mean, so weights summing to 0 are refused too
 * (scikit-learn's np.average raises ZeroDivisionError there).
 */
export function sampleWeights(where: string, w: unknown, n: number, positiveTotal = false): Float64Array | null {
  if (w === undefined) return null;
  let data: ArrayLike<unknown>;
  if (w instanceof Tensor) {
    if (!(w.ndim === 1 || (w.ndim === 2 && w.shape[1] === 1))) throw new ShapeError(`${where}: sampleWeight must be [n], got [${w.shape}]`);
    data = w.data;
  } else if (Array.isArray(w) || ArrayBuffer.isView(w)) {
    data = w as ArrayLike<unknown>;
  } else {
    throw new ValueError(`${where}: sampleWeight must be a Tensor or an array of numbers, got ${w === null ? "null" : typeof w}`);
  }
  if (data.length !== n) throw new ShapeError(`${where}: sampleWeight has ${data.length} values for ${n} samples`);
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (typeof v !== "number" && typeof v !== "bigint") throw new ValueError(`${where}: sampleWeight must hold numbers, got ${JSON.stringify(v) ?? String(v)} at index ${i}`);
    const x = Number(v);
    if (!(x >= 0 && x < Infinity)) throw new ValueError(`${where}: sampleWeight ${x} at index ${i} is not a finite number ≥ 0`);
    out[i] = x;
    total += x;
  }
  if (positiveTotal && total === 0) throw new ValueError(`${where}: sampleWeight sums to 0, so the weighted mean is 0/0`);
  return out;
}

/** Σ wᵢ·f(i) / Σ wᵢ, or the plain mean without weights. */
export function weightedMean(n: number, w: Float64Array | null, f: (i: number) => number): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    s += wi * f(i);
    total += wi;
  }
  return s / total;
}
