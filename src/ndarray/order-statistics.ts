// Order statistics along a dim, as torch.median, nanmedian, kthvalue, mode, quantile and
// nanquantile. Each line is ordered by a stable sort with NaN largest (sort.ts's order), and a
// selected element is gathered from the input, so its gradient goes to the returned index, as
// PyTorch's. Among tied values PyTorch's quickselect may return any of their indices; here it is
// the one at the selected place of the stable order (mode: the last index, as PyTorch).
import { ValueError, DTypeError } from "../errors.js";
import { oneOf } from "../checks.js";
import { record } from "./autograd.js";
import { isFloat } from "./dtype.js";
import { where as select } from "./elementwise.js";
import { gather } from "./indexing.js";
import { sum, wantsKeepdims, type ReduceOptions } from "./reduce.js";
import { tensorArg } from "./scan.js";
import { normalizeAxis } from "./shape.js";
import { sort } from "./sort.js";
import { runsOf } from "./stats.js";
import { Tensor } from "./tensor.js";
import type { TypedArray } from "./dtype.js";
import { valuesIndices, type ValuesIndices } from "./values-indices.js";

type Pick = (data: TypedArray, base: number, n: number, pos: number[]) => number;

/** Positions 0..n−1 of a run in stable ascending order, NaN last. */
function order(data: TypedArray, base: number, pos: number[]): number[] {
  for (let i = 0; i < pos.length; i++) pos[i] = i;
  return pos.sort((a, b) => {
    const va = data[base + a], vb = data[base + b];
    const na = va !== va, nb = vb !== vb;
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    return va < vb ? -1 : va > vb ? 1 : a - b;
  });
}

const nanCount = (data: TypedArray, base: number, n: number) => {
  let c = 0;
  for (let i = 0; i < n; i++) if (data[base + i] !== data[base + i]) c++;
  return c;
};

/** The element that `pick` chooses in each line along `dim`, and its index (int32). */
function selectAlong(where: string, x: Tensor, dim: number, o: ReduceOptions | undefined, pick: Pick): ValuesIndices {
  tensorArg(where, x);
  const keep = wantsKeepdims(where, o);
  const d = normalizeAxis(dim, x.ndim, where);
  if (x.ndim === 0) {
    const r = selectAlong(where, x.reshape([1]), 0, undefined, pick);
    return valuesIndices(r.values.reshape([]), r.indices.reshape([]));
  }
  const n = x.shape[d];
  if (n === 0) throw new ValueError(`${where}: cannot reduce dimension ${d} of size 0 (shape [${x.shape}])`);
  const runs = runsOf(x, [d]);
  const idx = new Int32Array(runs.outer);
  const pos = new Array<number>(n);
  for (let k = 0; k < runs.outer; k++) idx[k] = pick(runs.data, k * n, n, order(runs.data, k * n, pos));
  const indices = new Tensor(idx, "int32", runs.keptShape);
  const values = gather(x, d, indices);
  return keep ? valuesIndices(values, indices) : valuesIndices(values.squeeze(d), indices.squeeze(d));
}

// The lower median; a line holding NaN gives its first NaN (median) or the median of the rest (nanmedian).
const medianPick = (skipNaN: boolean): Pick => (data, base, n, pos) => {
  const nan = nanCount(data, base, n), m = n - nan;
  if (nan > 0 && (!skipNaN || m === 0)) return pos[m];
  return pos[(m - 1) >> 1];
};

/** The whole tensor's median as a 0-d tensor; the gradient is shared evenly between the elements equal to it (PyTorch). */
function wholeMedian(where: string, x: Tensor, skipNaN: boolean): Tensor {
  tensorArg(where, x);
  const v = x.size === 0 ? NaN : selectAlong(where, x.detach().reshape([x.size]), 0, undefined, medianPick(skipNaN)).values.item();
  const y = new Tensor(Float64Array.of(v), "float64", []).astype(x.dtype);
  return record(y, where, [x], (g) => {
    const hit = (v !== v ? x.ne(x) : x.eq(v)).astype(g.dtype);
    return [hit.div(sum(hit)).mul(g)];
  });
}

function medianOf(where: string, skipNaN: boolean, x: Tensor, dim?: number, o?: ReduceOptions) {
  if (dim === undefined) { wantsKeepdims(where, o); return wholeMedian(where, x, skipNaN); }
  return selectAlong(where, x, dim, o, medianPick(skipNaN));
}

/**
 * The lower median, as torch.median: of every element as a 0-d tensor when `dim` is omitted, else
 * `[values, indices]` along `dim`. NaN anywhere in a line makes its median NaN.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, o?: ReduceOptions): ValuesIndices;
export function median(x: Tensor, dim?: number, o?: ReduceOptions): Tensor | ValuesIndices {
  return medianOf("median", false, x, dim, o);
}

/** median of the non-NaN elements (NaN where all are NaN), as torch.nanmedian. */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, o?: ReduceOptions): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number, o?: ReduceOptions): Tensor | ValuesIndices {
  return medianOf("nanmedian", true, x, dim, o);
}

/** The k-th smallest element (k from 1) along `dim` (default -1) and its index, as torch.kthvalue. */
export function kthvalue(x: Tensor, k: number, dim = -1, o?: ReduceOptions): ValuesIndices {
  tensorArg("kthvalue", x);
  const n = x.ndim === 0 ? 1 : x.shape[normalizeAxis(dim, x.ndim, "kthvalue")];
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ValueError(`kthvalue: k = ${k} is out of range for a dimension of size ${n}`);
  return selectAlong("kthvalue", x, dim, o, (_d, _b, _n, pos) => pos[k - 1]);
}

/** The most frequent value along `dim` (default -1; the smallest of equally frequent ones) and its last index, as torch.mode. */
export function mode(x: Tensor, dim = -1, o?: ReduceOptions): ValuesIndices {
  return selectAlong("mode", x, dim, o, (data, base, n, pos) => {
    let best = -1, bestCount = 0;
    for (let i = 0; i < n;) {
      const v = data[base + pos[i]];
      let j = i + 1, last = pos[i];
      // Runs of equal values (NaNs together) in sorted order; the last index is the run's largest.
      while (j < n && (data[base + pos[j]] === v || (v !== v && data[base + pos[j]] !== data[base + pos[j]]))) last = Math.max(last, pos[j++]);
      if (j - i > bestCount) { bestCount = j - i; best = last; }
      i = j;
    }
    return best;
  });
}

export type QuantileInterpolation = "linear" | "lower" | "higher" | "midpoint" | "nearest";
export interface QuantileOptions extends ReduceOptions {
  /** How a quantile between two elements is taken (default "linear"), as PyTorch's `interpolation`. */
  interpolation?: QuantileInterpolation;
}

function quantileOf(where: string, skipNaN: boolean, x: Tensor, q: number | Tensor, dim: number | undefined, o: QuantileOptions = {}): Tensor {
  tensorArg(where, x);
  const keep = wantsKeepdims(where, o, ["interpolation"]);
  const mode = o.interpolation === undefined ? "linear"
    : oneOf(where, "interpolation", o.interpolation, ["linear", "lower", "higher", "midpoint", "nearest"]);
  if (!isFloat(x.dtype)) throw new DTypeError(`${where}: input must be float32 or float64, got ${x.dtype}`);
  let qs: number[];
  if (typeof q === "number") qs = [q];
  else if (q instanceof Tensor && q.ndim <= 1 && isFloat(q.dtype)) qs = Array.from(q.data);
  else throw new ValueError(`${where}: q must be a number or a 0-d or 1-D float tensor`);
  for (const v of qs) if (!(v >= 0 && v <= 1)) throw new ValueError(`${where}: q values must be in [0, 1], got ${v}`);
  if (x.size === 0) throw new ValueError(`${where}: input tensor must be non-empty`);
  const d = dim === undefined ? -1 : normalizeAxis(dim, x.ndim, where);
  const flat = dim === undefined || x.ndim === 0;
  const xl = flat ? x.reshape([x.size]) : x.permute([...x.shape.map((_, i) => i).filter((i) => i !== d), d]);
  const sorted = sort(xl, { dim: -1 }).values;
  const n = sorted.shape[sorted.ndim - 1], outer = sorted.size / n, nq = qs.length;
  const sd = sorted.detach().contiguous().data;
  const lo = new Int32Array(outer * nq), hi = new Int32Array(outer * nq);
  const w = new Float64Array(outer * nq);
  const round = x.dtype === "float32" ? Math.fround : (v: number) => v;
  for (let k = 0; k < outer; k++) {
    const nan = nanCount(sd, k * n, n);
    for (let j = 0; j < nq; j++) {
      // PyTorch's ranks: q·(m − 1) in the input's dtype; a line with NaN takes its last (NaN),
      // and an all-NaN line of nanquantile its first (NaN, so the gradient goes there).
      let rank = nan > 0 && !skipNaN ? n - 1 : nan === n ? 0 : round(round(qs[j]) * (n - nan - 1));
      if (mode === "lower") rank = Math.floor(rank);
      else if (mode === "higher") rank = Math.ceil(rank);
      else if (mode === "nearest") { const f = Math.floor(rank); rank = rank - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(rank); }
      const t = k * nq + j;
      lo[t] = Math.floor(rank); hi[t] = Math.ceil(rank);
      w[t] = mode === "midpoint" ? 0.5 : rank - lo[t];
    }
  }
  const ishape = [...sorted.shape.slice(0, -1), nq];
  const below = gather(sorted, -1, new Tensor(lo, "int32", ishape));
  let y = below;
  if (mode === "linear" || mode === "midpoint") {
    const above = gather(sorted, -1, new Tensor(hi, "int32", ishape));
    const wt = new Tensor(w, "float64", ishape).astype(x.dtype);
    // torch.lerp's two forms, each exact at its end.
    const diff = above.sub(below);
    y = select(wt.lt(0.5), below.add(wt.mul(diff)), above.sub(diff.mul(wt.neg().add(1))));
  }
  const rest = flat ? [] : x.shape.filter((_, i) => i !== d);
  const kept = flat ? x.shape.map(() => 1) : x.shape.map((s, i) => (i === d ? 1 : s));
  y = y.permute([y.ndim - 1, ...rest.map((_, i) => i)]).reshape([nq, ...(keep ? kept : rest)]);
  return typeof q === "number" || q.ndim === 0 ? y.reshape(y.shape.slice(1)) : y;
}

/**
 * The q-th quantiles along `dim` (of every element when omitted), as torch.quantile; a 1-D `q`
 * adds a leading dim of its length. A line holding NaN gives NaN. The gradient goes to the one
 * or two elements each quantile interpolates between.
 */
export const quantile = (x: Tensor, q: number | Tensor, dim?: number, o?: QuantileOptions): Tensor =>
  quantileOf("quantile", false, x, q, dim, o);
/** quantile of the non-NaN elements of each line (NaN where all are NaN), as torch.nanquantile. */
export const nanquantile = (x: Tensor, q: number | Tensor, dim?: number, o?: QuantileOptions): Tensor =>
  quantileOf("nanquantile", true, x, q, dim, o);
