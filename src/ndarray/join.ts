import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, promoteTypes } from "./dtype.js";
import { assignInto, gradFor } from "./elementwise.js";
import { normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

/** Refuses anything but a non-empty array of Tensors, naming the first element that is not one. */
function checkTensorList(where: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ValueError(`${where}: needs a non-empty array of tensors`);
  const bad = tensors.findIndex((t) => !(t instanceof Tensor));
  if (bad >= 0) {
    const t: unknown = tensors[bad];
    throw new DTypeError(`${where}: element ${bad} is not a Tensor (got ${Array.isArray(t) ? "an array" : t === null ? "null" : typeof t})`);
  }
}

/** Joins tensors along an existing axis; all other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList("concat", tensors);
  const zeroDim = tensors.findIndex((t) => t.ndim === 0);
  if (zeroDim >= 0) throw new ShapeError(`concat: element ${zeroDim} is zero-dimensional and cannot be concatenated (stack makes a new axis)`);
  // A 1-D empty tensor joins tensors of any rank, adding nothing (as torch.cat allows), though
  // its dtype still takes part in the result's and it gets an empty gradient.
  const first = tensors.find((t) => !(t.ndim === 1 && t.size === 0)) ?? tensors[0];
  const filler = (t: Tensor) => t.ndim === 1 && t.size === 0 && first.ndim !== 1;
  const ax = normalizeAxis(axis, first.ndim, "concat");
  const lengths = tensors.map((t) => (filler(t) ? 0 : t.shape[ax]));
  for (const t of tensors) {
    if (filler(t)) continue;
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${tensors.map((x) => `[${x.shape}]`).join(", ")} differ outside axis ${ax}`);
    }
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = first.shape.slice();
  shape[ax] = lengths.reduce((a, n) => a + n, 0);
  const out = new Tensor(allocate(dtype, shape.reduce((a, b) => a * b, 1), shape), dtype, shape);
  const starts: number[] = [];
  let at = 0;
  tensors.forEach((t, k) => {
    starts.push(at);
    const spec = shape.map((_, i) => (i === ax ? [at, at + lengths[k]] as const : null));
    if (!filler(t)) assignInto(out.slice(...spec), t);
    at += lengths[k];
  });
  // Each input's gradient in its own dtype (a float32 input joined with a float64 one gets float32).
  return record(out, "concat", tensors, (g) =>
    tensors.map((t, k) => (!t.requiresGrad ? null : filler(t) ? new Tensor(allocate(t.dtype, 0), t.dtype, [0])
      : gradFor(g.slice(...shape.map((_, i) => (i === ax ? [starts[k], starts[k] + lengths[k]] as const : null))).contiguous(), t))));
}

/** Joins equally shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList("stack", tensors);
  const ax = normalizeAxis(axis, tensors[0].ndim + 1, "stack");
  for (const t of tensors) {
    if (t.ndim !== tensors[0].ndim || t.shape.some((d, i) => d !== tensors[0].shape[i])) {
      throw new ShapeError(`stack: all tensors need the same shape, got ${tensors.map((x) => `[${x.shape}]`).join(", ")}`);
    }
  }
  return concat(tensors.map((t) => t.unsqueeze(ax)), ax);
}
