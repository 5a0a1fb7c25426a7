// sort and argsort along one dim, as torch.sort and torch.argsort. Always stable: equal values
// keep their input order, ascending or descending (PyTorch's `stable: true`; its default may
// order ties either way, and any order is allowed then, so `stable` is accepted and changes
// nothing). NaN sorts as the largest value, as in PyTorch; -0 and +0 are equal.
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { gather } from "./indexing.js";
import { forEachLine, tensorArg } from "./scan.js";
import { contiguousStrides, normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";
import { valuesIndices, type ValuesIndices } from "./values-indices.js";

export interface SortOptions {
  /** The dim to sort along (default -1, the last). */
  dim?: number;
  /** Largest first (default false: smallest first). */
  descending?: boolean;
  /** Keep equal values in input order (default false, as PyTorch; sorts here are always stable). */
  stable?: boolean;
}

/** The int32 positions that sort x along its dim, each line's ties in index order. */
function sortedPositions(x: Tensor, o: SortOptions, where: string): { d: number; indices: Tensor } {
  tensorArg(where, x);
  checkOptions(where, o, ["dim", "descending", "stable"]);
  if (o.descending !== undefined) boolean(where, "descending", o.descending);
  if (o.stable !== undefined) boolean(where, "stable", o.stable);
  const d = normalizeAxis(o.dim ?? -1, x.ndim, where);
  // Dim 0 (or -1) of a 0-d tensor is the tensor itself, as in PyTorch: one element, position 0.
  if (x.ndim === 0) return { d, indices: new Tensor(new Int32Array(1), "int32", []) };
  const n = x.shape[d], xs = x.strides[d];
  const outStrides = contiguousStrides(x.shape);
  const os = outStrides[d];
  const src = x.storage;
  const picked = new Int32Array(x.size);
  const key = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  // A NaN is larger than any number; equal keys (and two NaNs) compare by position, which makes
  // the sort stable whatever the engine's sort is.
  const sign = o.descending === true ? -1 : 1;
  const compare = (a: number, b: number): number => {
    const va = key[a], vb = key[b];
    if (va < vb) return -sign;
    if (va > vb) return sign;
    const nanA = va !== va, nanB = vb !== vb;
    if (nanA !== nanB) return nanA ? sign : -sign;
    return a - b;
  };
  forEachLine(x.shape, d, [x.strides, outStrides], [x.offset, 0], ([p, q]) => {
    for (let t = 0; t < n; t++) { key[t] = src[p + t * xs]; order[t] = t; }
    order.sort(compare);
    for (let t = 0; t < n; t++) picked[q + t * os] = order[t];
  });
  return { d, indices: new Tensor(picked, "int32", x.shape.slice()) };
}

/**
 * [values, indices] of x sorted along `dim`, as torch.sort (also readable as `.values` and
 * `.indices`); indices are int32. The values are a gather of x by the indices, so their gradient
 * scatters back to the positions the values came from.
 */
export function sort(x: Tensor, o: SortOptions = {}): ValuesIndices {
  const { d, indices } = sortedPositions(x, o, "sort");
  return valuesIndices(gather(x, d, indices), indices); // a 0-d x and index gather as one element
}

/** The int32 positions that sort x along `dim`, as torch.argsort (sort's indices). */
export function argsort(x: Tensor, o: SortOptions = {}): Tensor {
  return sortedPositions(x, o, "argsort").indices;
}
