// Positions and distinct values, as torch.nonzero and torch.unique. Their results are indices,
// counts and a selection of values, none of which PyTorch differentiates: the values come back
// off the tape. Indices and counts are int32 (PyTorch's int64, which edgegrad has not).
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { allocate } from "./dtype.js";
import { normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * The positions of x's nonzero entries (NaN counts as nonzero), as torch.nonzero: int32 of shape
 * [n, ndim] in row-major order, or with asTuple one 1-D tensor per dim (a 0-d x counts as 1-D).
 */
export function nonzero(x: Tensor, o?: { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, o: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, o?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(x: Tensor, o: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkOptions("nonzero", o, ["asTuple"]);
  if (!(x instanceof Tensor)) throw new ValueError(`nonzero: input must be a Tensor, got ${typeof x}`);
  const asTuple = o.asTuple === undefined ? false : boolean("nonzero", "asTuple", o.asTuple);
  const data = x.data;
  const shape = asTuple && x.ndim === 0 ? [1] : x.shape;
  const hits: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) hits.push(i);
  const nd = shape.length;
  const out = new Int32Array(hits.length * nd);
  hits.forEach((flat, r) => {
    for (let d = nd - 1; d >= 0; d--) {
      out[r * nd + d] = flat % shape[d];
      flat = Math.floor(flat / shape[d]);
    }
  });
  const all = new Tensor(out, "int32", [hits.length, nd]);
  if (!asTuple) return all;
  return shape.map((_, d) => all.slice(null, d).contiguous());
}

export interface UniqueOptions {
  /** Ascending order (default true). The values always come sorted here, which false (any order) allows. */
  sorted?: boolean;
  /** Also the position of each entry's value (or slice's) in the result. */
  returnInverse?: boolean;
  /** Also how many times each distinct value (or slice) occurs. */
  returnCounts?: boolean;
  /** Distinct slices along this dim instead of distinct values of the flattened tensor. */
  dim?: number;
}

export interface UniqueResult { values: Tensor; inverse?: Tensor; counts?: Tensor }

/** Compares two runs of `len` numbers lexicographically, NaN after every number (and unequal to NaN). */
function compareRuns(d: ArrayLike<number>, a: number, b: number, len: number): number {
  for (let k = 0; k < len; k++) {
    const u = d[a + k], v = d[b + k];
    if (u < v) return -1;
    if (u > v) return 1;
    if (u !== v) return u === u ? -1 : v === v ? 1 : 0; // a NaN: numbers first; two NaNs tie in the order
  }
  return 0;
}
const sameRun = (d: ArrayLike<number>, a: number, b: number, len: number) => {
  for (let k = 0; k < len; k++) if (d[a + k] !== d[b + k]) return false; // NaN ≠ NaN: each NaN is its own value
  return true;
};

/**
 * The distinct values of x in ascending order, as torch.unique; with dim, the distinct slices
 * along dim in lexicographic order. A Tensor, or { values, inverse, counts } when either extra is asked for.
 */
export function unique(x: Tensor, o?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, o: UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): UniqueResult;
export function unique(x: Tensor, o?: UniqueOptions): Tensor | UniqueResult;
export function unique(x: Tensor, o: UniqueOptions = {}): Tensor | UniqueResult {
  checkOptions("unique", o, ["sorted", "returnInverse", "returnCounts", "dim"]);
  if (!(x instanceof Tensor)) throw new ValueError(`unique: input must be a Tensor, got ${typeof x}`);
  if (o.sorted !== undefined) boolean("unique", "sorted", o.sorted);
  const wantInverse = o.returnInverse === undefined ? false : boolean("unique", "returnInverse", o.returnInverse);
  const wantCounts = o.returnCounts === undefined ? false : boolean("unique", "returnCounts", o.returnCounts);
  const byDim = o.dim !== undefined && o.dim !== null;
  const d = byDim ? normalizeAxis(o.dim as number, x.ndim, "unique") : 0;
  const flat = !byDim || x.ndim === 0;
  // Rows to de-duplicate: the entries one by one, or the slices along d as contiguous runs.
  const moved = flat ? x.detach().reshape([x.size, 1]) : x.detach().permute([d, ...x.shape.map((_, i) => i).filter((i) => i !== d)]).contiguous();
  const rows = flat ? x.size : x.shape[d];
  const len = rows === 0 ? (flat ? 1 : moved.size / Math.max(1, rows)) : moved.size / rows;
  const data = moved.data;
  const order = Array.from({ length: rows }, (_, i) => i);
  order.sort((a, b) => compareRuns(data, a * len, b * len, len) || a - b);
  const inverse = new Int32Array(rows);
  const firsts: number[] = [], counts: number[] = [];
  order.forEach((r, i) => {
    if (i === 0 || !sameRun(data, order[i - 1] * len, r * len, len)) {
      firsts.push(r);
      counts.push(0);
    }
    counts[counts.length - 1]++;
    inverse[r] = firsts.length - 1;
  });
  const out = allocate(x.dtype, firsts.length * len);
  firsts.forEach((r, i) => out.set(data.subarray(r * len, (r + 1) * len) as never, i * len));
  let values: Tensor;
  if (flat) values = new Tensor(out, x.dtype, [firsts.length]);
  else {
    const rest = x.shape.filter((_, i) => i !== d);
    const back = [...x.shape.keys()].map((i) => (i === d ? 0 : i < d ? i + 1 : i));
    values = new Tensor(out, x.dtype, [firsts.length, ...rest]).permute(back).contiguous();
  }
  if (!wantInverse && !wantCounts) return values;
  const result: UniqueResult = { values };
  if (wantInverse) result.inverse = new Tensor(inverse, "int32", flat ? x.shape.slice() : [rows]);
  if (wantCounts) result.counts = new Tensor(Int32Array.from(counts), "int32", [counts.length]);
  return result;
}
