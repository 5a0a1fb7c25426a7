import { ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate } from "./dtype.js";
import { normalizeAxis } from "./shape.js";
import { forEachRow } from "./strided.js";
import { Tensor } from "./tensor.js";

/** Shape and strides of the window view of (shape, strides) along `dim`. */
function windowLayout(shape: readonly number[], strides: readonly number[], dim: number, size: number, step: number) {
  const count = Math.floor((shape[dim] - size) / step) + 1;
  return {
    shape: [...shape.map((n, i) => (i === dim ? count : n)), size],
    strides: [...strides.map((s, i) => (i === dim ? s * step : s)), strides[dim]],
  };
}

/**
 * Every window of `size` elements, `step` apart, along `dim`, as a new last dim — an O(1) view
 * sharing x's storage (torch.Tensor.unfold), the basis of im2col and pooling. Windows overlap
 * when step < size; the backward adds each element's gradient from every window it is in.
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const d = normalizeAxis(dim, x.ndim, "unfold");
  // A 0-d tensor is one element along its dim 0 (PyTorch): its one window is `size` long.
  if (x.ndim === 0) return unfold(x.reshape([1]), 0, size, step).reshape([size]);
  const n = x.shape[d];
  if (!Number.isInteger(size) || size < 0 || size > n) {
    throw new ValueError(`unfold: window size ${size} must be an integer from 0 to the size ${n} of dimension ${d}`);
  }
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`unfold: step ${step} must be a positive integer`);
  const view = windowLayout(x.shape, x.strides, d, size, step);
  const y = new Tensor(x.storage, x.dtype, view.shape, view.strides, x.offset);
  return record(y, "unfold", [x], (g) => {
    const dx = new Tensor(allocate(g.dtype, x.size), g.dtype, x.shape.slice());
    const windows = windowLayout(dx.shape, dx.strides, d, size, step);
    addInto(dx.storage, windows.shape, windows.strides, g);
    return [dx];
  });
}

/** dst[view] += src, element by element in order, so positions the view repeats accumulate. */
function addInto(dst: Tensor["storage"], shape: number[], strides: number[], src: Tensor): void {
  const S = src.storage;
  forEachRow(shape, [strides, src.strides], [0, src.offset], (off, n, s) => {
    for (let j = 0; j < n; j++) dst[off[0] + j * s[0]] += S[off[1] + j * s[1]];
  });
}
