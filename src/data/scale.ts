import { boolean } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../ndarray/index.js";
import { checkTensor } from "./rows.js";

/**
 * A per-column affine map fitted on training data: transform(x) = (x − shift) / scale, applied
 * to any tensor whose last axis has the same number of columns (test data, a single sample).
 * Parameters are plain number arrays, so a scaler saves as JSON next to the model.
 */
export interface Scaler {
  readonly shift: number[];
  readonly scale: number[];
  transform(x: Tensor): Tensor;
  inverseTransform(x: Tensor): Tensor;
}

export interface StandardScaler extends Scaler {
  /** Column means of the training data (the shift; 0 when withMean is false). */
  readonly mean: number[];
  /** Column standard deviations (population, ddof = 0, as scikit-learn); 1 for constant columns, NaN for all-NaN ones. */
  readonly std: number[];
}

export interface MinMaxScaler extends Scaler {
  readonly min: number[];
  readonly max: number[];
}

/**
 * Column statistics in float64, whatever the tensor's dtype. Rows are the first axis; the
 * columns of [n, c, h, w] images are their c·h·w positions (as if flattened to [n, c·h·w]).
 */
function columns(x: Tensor, where: string): { n: number; f: number; v: ArrayLike<number>; featureShape: number[] } {
  checkTensor(where, "xTrain", x);
  if (x.ndim < 2) throw new ShapeError(`${where}: expected training data [n, features] (or [n, …features]), got [${x.shape}]`);
  if (x.shape[0] === 0) throw new ValueError(`${where}: cannot fit on zero rows`);
  const featureShape = x.shape.slice(1);
  const n = x.shape[0], f = featureShape.reduce((a, b) => a * b, 1), v = x.data;
  // NaN is a missing value (skipped), but ±∞ would make every statistic of its column infinite
  // or NaN: refused, as scikit-learn's scalers refuse it ("Input X contains infinity").
  for (let i = 0; i < v.length; i++) {
    if (v[i] === Infinity || v[i] === -Infinity) throw new ValueError(`${where}: training data hold ${v[i]} at row ${Math.floor(i / f)}, column ${i % f}; only finite values or NaN (missing) can be fitted`);
  }
  return { n, f, v, featureShape };
}

/** Whether x ends in the fitted per-row shape: [..., f] for [n, f] data, [..., c, h, w] for images. */
function endsWith(x: Tensor, featureShape: number[]): boolean {
  const k = featureShape.length;
  return x.ndim >= k && featureShape.every((d, i) => x.shape[x.ndim - k + i] === d);
}

function makeScaler(shift: number[], scale: number[], featureShape: number[], where: string): Scaler {
  const f = shift.length;
  const apply = (x: Tensor, forward: boolean): Tensor => {
    checkTensor(`${where}: ${forward ? "transform" : "inverseTransform"}`, "x", x);
    if (x.ndim === 0 || !endsWith(x, featureShape)) {
      const fitted = featureShape.length === 1 ? `${f} columns` : `rows of shape [${featureShape}]`;
      throw new ShapeError(`${where}: fitted on ${fitted}, got a tensor of shape [${x.shape}]`);
    }
    const src = x.data;
    const out = x.dtype === "float64" ? new Float64Array(src.length) : new Float32Array(src.length);
    for (let i = 0, c = 0; i < src.length; i++, c = c + 1 === f ? 0 : c + 1) {
      out[i] = forward ? (src[i] - shift[c]) / scale[c] : src[i] * scale[c] + shift[c];
    }
    return new Tensor(out, x.dtype === "float64" ? "float64" : "float32", x.shape);
  };
  return { shift, scale, transform: (x) => apply(x, true), inverseTransform: (x) => apply(x, false) };
}

/**
 * Fits zero-mean, unit-variance scaling on `xTrain` [n, features]; apply it to test data with
 * transform. Images [n, c, h, w] are scaled per pixel position (their mean and std hold c·h·w
 * values, row-major); for one mean and std per channel use data.transforms.normalize.
 * NaN is taken as a missing value, as scikit-learn's StandardScaler does: each column's mean and
 * std are those of its other values, transform passes NaN through, and a column with no value
 * at all gets NaN statistics (so it transforms to NaN). ±∞ is refused.
 */
export function standardize(xTrain: Tensor, o: { withMean?: boolean; withStd?: boolean } = {}): StandardScaler {
  checkOptions("standardize", o, ["withMean", "withStd"]);
  const withMean = boolean("standardize", "withMean", o.withMean ?? true);
  const withStd = boolean("standardize", "withStd", o.withStd ?? true);
  const { n, f, v, featureShape } = columns(xTrain, "standardize");
  const sum = new Float64Array(f), count = new Float64Array(f), m2 = new Float64Array(f);
  // Two passes: the one-pass sum-of-squares formula loses all digits when |mean| ≫ std.
  // `a === a` skips NaN (a missing value).
  for (let i = 0; i < n; i++) for (let c = 0; c < f; c++) { const a = v[i * f + c]; if (a === a) { sum[c] += a; count[c]++; } }
  const mean = Array.from(sum, (s, c) => (count[c] > 0 ? s / count[c] : NaN));
  for (let i = 0; i < n; i++) for (let c = 0; c < f; c++) { const a = v[i * f + c]; if (a === a) m2[c] += (a - mean[c]) ** 2; }
  const variance = Array.from(m2, (s, c) => (count[c] > 0 ? s / count[c] : NaN));
  const shift = withMean ? mean : new Array<number>(f).fill(0);
  // A constant column would divide by zero, and one of equal values whose mean was rounded has a
  // variance of pure rounding noise (seven 0.1s give std 1e-17, scaling them to 1). scikit-learn
  // leaves both unscaled (scale 1), taking as constant any variance within the two-pass
  // algorithm's error bound n·ε·var + (n·ε·mean)²; so do we.
  const constant = (c: number) => variance[c] <= count[c] * Number.EPSILON * variance[c] + (count[c] * Number.EPSILON * mean[c]) ** 2;
  const scale = withStd ? variance.map((s, c) => (constant(c) ? 1 : Math.sqrt(s))) : new Array<number>(f).fill(1);
  return { ...makeScaler(shift, scale, featureShape, "standardize"), mean: shift, std: scale };
}

/**
 * Fits scaling of each column of `xTrain` onto `range` (default [0, 1]); test data may fall
 * outside it. Images [n, c, h, w] are scaled per pixel position, as by standardize. NaN is a
 * missing value, as in scikit-learn's MinMaxScaler: skipped by min and max, passed through by
 * transform; a column with no value gets NaN bounds. ±∞ is refused.
 */
export function minMaxScale(xTrain: Tensor, o: { range?: readonly [number, number] } = {}): MinMaxScaler {
  checkOptions("minMaxScale", o, ["range"]);
  if (o.range !== undefined && (!Array.isArray(o.range) || o.range.length !== 2)) throw new ValueError("minMaxScale: range must be [min, max]");
  const [lo, hi] = o.range ?? [0, 1];
  // An infinite bound would make every scale 0 or ∞ (and a string would be coerced): refused.
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw new ValueError(`minMaxScale: range [${[lo, hi].map((b) => (typeof b === "string" ? JSON.stringify(b) : String(b)))}] must be two finite numbers, increasing`);
  const { n, f, v, featureShape } = columns(xTrain, "minMaxScale");
  const min = new Array<number>(f).fill(NaN);
  const max = new Array<number>(f).fill(NaN);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < f; c++) {
      // NaN (missing) is skipped; a column with no value keeps NaN bounds, as in scikit-learn.
      const a = v[i * f + c];
      if (a !== a) continue;
      if (!(a >= min[c])) min[c] = a;
      if (!(a <= max[c])) max[c] = a;
    }
  }
  // (x − min)/(max − min)·(hi − lo) + lo written as (x − shift)/scale. A constant column (a range
  // under 10ε, as scikit-learn decides) takes max − min as 1: its training rows map to lo, and
  // test rows to lo + (x − min)·(hi − lo), as in scikit-learn.
  const scale = min.map((m, c) => { const span = max[c] - m; return (span < 10 * Number.EPSILON ? 1 : span) / (hi - lo); });
  const shift = min.map((m, c) => m - lo * scale[c]);
  return { ...makeScaler(shift, scale, featureShape, "minMaxScale"), min, max };
}
