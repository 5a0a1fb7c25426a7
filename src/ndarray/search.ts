// Binary search into sorted rows, as torch.searchsorted and torch.bucketize. The results are
// int32 positions (PyTorch's default is int64, which edgegrad has not); nothing to differentiate.
// The search is PyTorch's own loop (a NaN value lands past the end; NaNs in the sequence
// steer the search as they steer PyTorch's), so results agree even for unsorted input.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { boolean, oneOf } from "../checks.js";
import { checkOptions } from "../options.js";
import { Tensor } from "./tensor.js";

export interface SearchsortedOptions {
  /** The last position instead of the first where the value would keep the row sorted (default false). */
  right?: boolean;
  /** "left" or "right", the same choice by name; it may not contradict `right`. */
  side?: "left" | "right";
  /** Integer tensor of the sequence's shape: the positions that sort each row (as argsort gives). */
  sorter?: Tensor;
}

function bound(row: ArrayLike<number>, base: number, n: number, v: number, right: boolean, sorter: ArrayLike<number> | null): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    const m = sorter ? row[base + sorter[base + mid]] : row[base + mid];
    if (right ? !(m > v) : !(m >= v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each value, its insertion position in the matching row (the last dim) of sortedSequence,
 * as torch.searchsorted: a 1-D sequence serves every value; else its leading dims must equal the
 * values'. A number value gives a 0-d result.
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, o: SearchsortedOptions = {}): Tensor {
  checkOptions("searchsorted", o, ["right", "side", "sorter"]);
  if (!(sortedSequence instanceof Tensor)) throw new ValueError(`searchsorted: sortedSequence must be a Tensor, got ${typeof sortedSequence}`);
  if (o.right !== undefined) boolean("searchsorted", "right", o.right);
  if (o.side !== undefined) oneOf("searchsorted", "side", o.side, ["left", "right"] as const);
  if (o.right === false && o.side === "right") throw new ValueError('searchsorted: side "right" contradicts right: false');
  const right = o.right === true || o.side === "right";
  if (o.right === true && o.side === "left") throw new ValueError('searchsorted: side "left" contradicts right: true');
  const seq = sortedSequence;
  if (seq.ndim === 0) throw new ShapeError("searchsorted: sortedSequence must have at least 1 dimension, got a 0-d tensor");
  const vals = typeof values === "number" ? new Tensor(new Float64Array([values]), "float64", []) : values;
  if (!(vals instanceof Tensor)) throw new ValueError(`searchsorted: values must be a Tensor or a number, got ${typeof values}`);
  if (typeof values === "number" && seq.ndim !== 1) throw new ShapeError(`searchsorted: a number value needs a 1-D sortedSequence, got shape [${seq.shape}]`);
  if (seq.ndim > 1 && (vals.ndim !== seq.ndim || seq.shape.slice(0, -1).some((s, i) => s !== vals.shape[i]))) {
    throw new ShapeError(`searchsorted: sortedSequence of shape [${seq.shape}] and values of shape [${vals.shape}] must agree in all dims but the last`);
  }
  let order: ArrayLike<number> | null = null;
  const n = seq.shape[seq.ndim - 1];
  if (o.sorter !== undefined) {
    const s = o.sorter;
    if (!(s instanceof Tensor) || !["int32", "int8", "uint8"].includes(s.dtype)) {
      throw new DTypeError(`searchsorted: sorter must be an integer Tensor, got ${s instanceof Tensor ? s.dtype : typeof s}`);
    }
    if (s.ndim !== seq.ndim || s.shape.some((d, i) => d !== seq.shape[i])) {
      throw new ShapeError(`searchsorted: sorter of shape [${s.shape}] must have sortedSequence's shape [${seq.shape}]`);
    }
    order = s.data;
    for (let i = 0; i < order.length; i++) {
      if (!(order[i] >= 0 && order[i] < n)) throw new ValueError(`searchsorted: sorter index ${order[i]} is out of range for rows of ${n}`);
    }
  }
  const row = seq.data, v = vals.data;
  const inner = vals.ndim === 0 ? 1 : vals.shape[vals.ndim - 1];
  const out = new Int32Array(vals.size);
  for (let i = 0; i < out.length; i++) {
    const base = seq.ndim === 1 ? 0 : Math.floor(i / inner) * n;
    out[i] = bound(row, base, n, v[i], right, order);
  }
  return new Tensor(out, "int32", vals.shape.slice());
}

/**
 * The bucket of each entry of x among 1-D sorted `boundaries`, as torch.bucketize: i with
 * boundaries[i−1] < x ≤ boundaries[i] (right: boundaries[i−1] ≤ x < boundaries[i]).
 */
export function bucketize(x: Tensor | number, boundaries: Tensor, o: { right?: boolean } = {}): Tensor {
  checkOptions("bucketize", o, ["right"]);
  if (!(boundaries instanceof Tensor) || boundaries.ndim !== 1) {
    throw new ShapeError(`bucketize: boundaries must be a 1-D Tensor, got ${boundaries instanceof Tensor ? `shape [${boundaries.shape}]` : typeof boundaries}`);
  }
  return searchsorted(boundaries, x, { right: o.right === undefined ? false : boolean("bucketize", "right", o.right) });
}
