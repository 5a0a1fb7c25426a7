import type { Tensor } from "./tensor.js";

/**
 * Row-sparse gradients. A lookup table's gradient (an Embedding with `sparse: true`) is zero
 * except in the rows a batch used. It stays an ordinary dense tensor of the table's shape, so
 * everything that reads gradients works unchanged, and carries the list of those rows: an
 * optimizer that knows the list (SGD, SparseAdam) updates only them, in time proportional to the
 * rows used rather than the table. The list is a promise that every other row is zero; writing
 * into another row of such a gradient by hand breaks it (replace the tensor instead: a new tensor
 * carries no list and is treated as dense).
 */
const touched = new WeakMap<Tensor, Int32Array>();

/** Marks `grad` (of shape [rows, …]) as zero outside `rows` (sorted, distinct). Returns grad. */
export function withTouchedRows(grad: Tensor, rows: Int32Array): Tensor {
  touched.set(grad, rows);
  return grad;
}

/** The rows outside which `grad` is zero, if it is a row-sparse gradient; else null. */
export function touchedRows(grad: Tensor): Int32Array | null {
  return touched.get(grad) ?? null;
}

