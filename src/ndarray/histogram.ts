// Counting ops, as torch.histc and torch.bincount: their results count elements, so neither has
// a gradient (PyTorch's neither).
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { nonNegativeInt, positiveInt } from "../checks.js";
import { checkOptions } from "../options.js";
import { allocate, isFloat } from "./dtype.js";
import { tensorArg } from "./scan.js";
import { Tensor } from "./tensor.js";

export interface HistcOptions {
  /** Number of equal-width bins (default 100). */
  bins?: number;
  /** Lower end of the range (default 0; min = max = 0 takes the data's min and max). */
  min?: number;
  /** Upper end of the range (default 0). */
  max?: number;
}

/**
 * A histogram of x's elements in `bins` equal bins over [min, max], as torch.histc: elements
 * outside (and NaN) are not counted, max falls in the last bin; a float tensor of x's dtype.
 */
export function histc(x: Tensor, o: HistcOptions = {}): Tensor {
  tensorArg("histc", x);
  checkOptions("histc", o, ["bins", "min", "max"]);
  const bins = o.bins === undefined ? 100 : positiveInt("histc", "bins", o.bins);
  for (const key of ["min", "max"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "number") throw new ValueError(`histc: ${key} must be a number, got ${String(o[key])}`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`histc: input must be float32 or float64, got ${x.dtype}`);
  const data = x.contiguous().data;
  let lo = o.min ?? 0, hi = o.max ?? 0;
  if (lo > hi) throw new ValueError(`histc: max ${hi} must be larger than min ${lo}`);
  if (lo === hi && data.length > 0) {
    lo = Infinity; hi = -Infinity;
    for (const v of data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (lo === hi) { lo -= 1; hi += 1; }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError(`histc: range of [${lo}, ${hi}] is not finite`);
  const r = x.dtype === "float32" ? Math.fround : (v: number) => v;
  lo = r(lo); hi = r(hi);
  const out = allocate(x.dtype, bins);
  const width = r(hi - lo);
  for (const v of data) {
    if (!(v >= lo && v <= hi)) continue;
    // PyTorch's position, in the input's dtype: (v − min)·bins / (max − min), truncated.
    const p = Math.min(Math.trunc(r(r(r(v - lo) * bins) / width)), bins - 1);
    out[p] += 1;
  }
  return new Tensor(out, x.dtype, [bins]);
}

export interface BincountOptions {
  /** A weight per element of x (1-D, x's length): the bins sum these instead of counting. */
  weights?: Tensor;
  /** The least number of bins (default 0). */
  minlength?: number;
}

/**
 * How often each value 0, 1, … occurs in the 1-D non-negative integer tensor x, as torch.bincount:
 * int32 counts (PyTorch: int64), or with `weights` their sums (float64 unless the weights are
 * float32, as PyTorch).
 */
export function bincount(x: Tensor, o: BincountOptions = {}): Tensor {
  tensorArg("bincount", x);
  checkOptions("bincount", o, ["weights", "minlength"]);
  const minlength = o.minlength === undefined ? 0 : nonNegativeInt("bincount", "minlength", o.minlength);
  if (x.ndim !== 1) throw new ShapeError(`bincount: input must be 1-D, got shape [${x.shape}]`);
  if (isFloat(x.dtype) || x.dtype === "bool") throw new DTypeError(`bincount: input must be an integer tensor, got ${x.dtype}`);
  const w = o.weights;
  if (w !== undefined) {
    if (!(w instanceof Tensor)) throw new ValueError(`bincount: weights must be a Tensor, got ${typeof w}`);
    if (w.ndim !== 1 || w.shape[0] !== x.shape[0]) throw new ShapeError(`bincount: weights must have the input's shape [${x.shape}], got [${w.shape}]`);
  }
  const data = x.contiguous().data;
  let top = -1;
  for (const v of data) {
    if (v < 0) throw new ValueError(`bincount: input must be non-negative, got ${v}`);
    if (v > top) top = v;
  }
  const n = Math.max(top + 1, minlength);
  const dtype = w === undefined ? "int32" : w.dtype === "float32" ? "float32" : "float64";
  const acc = new Float64Array(n);
  const wd = w?.contiguous().data;
  for (let i = 0; i < data.length; i++) acc[data[i]] += wd ? wd[i] : 1;
  const out = allocate(dtype, n);
  out.set(acc);
  return new Tensor(out, dtype, [n]);
}
