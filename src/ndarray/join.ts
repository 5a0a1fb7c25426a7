import { ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, promoteTypes } from "./dtype.js";
import { assignInto } from "./elementwise.js";
import { normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

/** Joins tensors along an existing axis; all other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ValueError("concat: needs a non-empty array of tensors");
  const first = tensors[0];
  const ax = normalizeAxis(axis, first.ndim, "concat");
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${tensors.map((x) => `[${x.shape}]`).join(", ")} differ outside axis ${ax}`);
    }
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = first.shape.slice();
  shape[ax] = tensors.reduce((a, t) => a + t.shape[ax], 0);
  const out = new Tensor(allocate(dtype, shape.reduce((a, b) => a * b, 1), shape), dtype, shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    const spec = shape.map((_, i) => (i === ax ? [at, at + t.shape[ax]] as const : null));
    assignInto(out.slice(...spec), t);
    at += t.shape[ax];
  }
  return record(out, "concat", tensors, (g) =>
    tensors.map((t, k) => (t.requiresGrad ? g.slice(...shape.map((_, i) => (i === ax ? [starts[k], starts[k] + t.shape[ax]] as const : null))).contiguous() : null)));
}

/** Joins equally shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ValueError("stack: needs a non-empty array of tensors");
  const ax = normalizeAxis(axis, tensors[0].ndim + 1, "stack");
  for (const t of tensors) {
    if (t.ndim !== tensors[0].ndim || t.shape.some((d, i) => d !== tensors[0].shape[i])) {
      throw new ShapeError(`stack: all tensors need the same shape, got ${tensors.map((x) => `[${x.shape}]`).join(", ")}`);
    }
  }
  return concat(tensors.map((t) => t.unsqueeze(ax)), ax);
}
