import { ShapeError, ValueError } from "../errors.js";
import { Tensor, fromTypedArray } from "../ndarray/index.js";
import type { TypedArray } from "../ndarray/index.js";

/** What a non-tensor argument is, for an error message. */
const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

/**
 * Refuses anything but a Tensor with a typed error naming the argument (an array or an options
 * object in its place would otherwise fail later on a missing shape, as a TypeError).
 */
export function checkTensor(where: string, key: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(`${where}: ${key} must be a Tensor, got ${kindOf(v)}`);
}

/** Elements per row (first axis) of a tensor; a 1-D tensor has rows of one element. */
export const rowSize = (t: Tensor): number => (t.shape[0] === 0 ? 0 : t.size / t.shape[0]);

/**
 * The rows of `t` (along its first axis) at the indices `rows`, copied into a fresh contiguous
 * tensor of the same dtype — the gather that splits, folds and batches all need. Indices are
 * checked once here.
 */
export function takeRows(t: Tensor, rows: ArrayLike<number> | Tensor, where = "takeRows"): Tensor {
  checkTensor(where, "t", t);
  const indices = rowIndices(rows, where);
  if (t.ndim === 0) throw new ShapeError(`${where}: expected a tensor with a first axis, got a scalar`);
  const n = t.shape[0];
  const width = rowSize(t);
  const src = t.data;
  const out = new (src.constructor as new (n: number) => TypedArray)(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new ValueError(`${where}: row index ${r} is outside [0, ${n})`);
    if (width === 1) out[i] = src[r];
    else out.set(src.subarray(r * width, (r + 1) * width), i * width);
  }
  const result = fromTypedArray(out, [indices.length, ...t.shape.slice(1)]);
  // bool tensors share uint8 storage; keep the dtype the caller gave us.
  return t.dtype === "bool" ? new Tensor(out, "bool", result.shape) : result;
}

/** Row indices given as an array, a typed array or a 1-D tensor (as index_select takes them). */
function rowIndices(rows: unknown, where: string): ArrayLike<number> {
  if (rows instanceof Tensor) {
    if (rows.ndim !== 1) throw new ShapeError(`${where}: row indices must be 1-D, got a tensor of shape [${rows.shape}]`);
    return rows.data;
  }
  if (Array.isArray(rows) || (ArrayBuffer.isView(rows) && !(rows instanceof DataView))) return rows as ArrayLike<number>;
  throw new ValueError(`${where}: row indices must be an array, a typed array or a 1-D Tensor, got ${kindOf(rows)}`);
}

/** The values of a tensor or array as a flat list of numbers (row-major). */
export function toNumbers(v: Tensor | ArrayLike<number>): ArrayLike<number> {
  return v instanceof Tensor ? v.data : v;
}

/** Number of rows of a tensor (first axis) or length of an array. */
export function lengthOf(v: Tensor | ArrayLike<number>): number {
  if (v instanceof Tensor) {
    if (v.ndim === 0) throw new ShapeError("expected a tensor with a first axis, got a scalar");
    return v.shape[0];
  }
  return v.length;
}

/** Checks that x and y have the same number of rows, naming both shapes if not. */
export function checkSameRows(x: Tensor, y: Tensor | undefined, where: string): void {
  checkTensor(where, "x", x);
  if (y !== undefined) checkTensor(where, "y", y);
  if (x.ndim === 0) throw new ShapeError(`${where}: x must have a first (sample) axis, got a scalar`);
  if (y && (y.ndim === 0 || y.shape[0] !== x.shape[0])) {
    throw new ShapeError(`${where}: x [${x.shape}] and y [${y.shape}] must have the same number of rows`);
  }
}
