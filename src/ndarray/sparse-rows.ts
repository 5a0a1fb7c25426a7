import { setGradHooks } from "./autograd.js";
import { touchedRows, withTouchedRows } from "./row-lists.js";
import { Tensor } from "./tensor.js";

/**
 * Summing and copying row-sparse gradients (the lists themselves: row-lists.ts), installed into the
 * autograd sweep by the first op that makes such a gradient: programs without a sparse lookup
 * table carry none of it.
 */

/** Sorted union of two sorted lists of distinct rows. */
function unionRows(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    if (i < a.length && a[i] === v) i++;
    if (j < b.length && b[j] === v) j++;
    out[n++] = v;
  }
  return out.slice(0, n);
}

/**
 * a + b when both are row-sparse gradients of one shape (a table used twice in a graph, or
 * gradients accumulated over two backward passes): a fresh tensor holding only the union of their
 * rows, so accumulating costs the rows used, and the result stays row-sparse. Null otherwise:
 * the caller adds densely, and the sum (dense in fact) carries no list.
 */
export function addRowSparse(a: Tensor, b: Tensor): Tensor | null {
  const ra = touchedRows(a), rb = touchedRows(b);
  if (!ra || !rb || a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return null;
  const A = a.contiguous(), B = b.contiguous();
  const width = a.shape[0] === 0 ? 0 : a.size / a.shape[0];
  const out = new (A.storage.constructor as Float32ArrayConstructor)(a.size);
  for (const [src, rows] of [[A, ra], [B, rb]] as const) {
    const S = src.storage;
    for (const r of rows) {
      const o = r * width;
      for (let k = 0; k < width; k++) out[o + k] += S[src.offset + o + k];
    }
  }
  return withTouchedRows(new Tensor(out, a.dtype, a.shape.slice()), unionRows(ra, rb));
}

/** A copy of a row-sparse gradient keeps its rows. */
export function keepTouchedRows(from: Tensor, copy: Tensor): Tensor {
  const rows = touchedRows(from);
  return rows ? withTouchedRows(copy, rows) : copy;
}

/** Makes the autograd sweep keep gradients row-sparse when it sums or copies them (idempotent). */
export function enableRowSparseGrads(): void {
  setGradHooks({ add: addRowSparse, copy: keepTouchedRows });
}
