import { record } from "./autograd.js";
import { allocate, isFloat } from "./dtype.js";
import { contiguousStrides, normalizeAxis } from "./shape.js";
import { forEachRow } from "./strided.js";
import { Tensor } from "./tensor.js";

/**
 * Running sums along `dim` (from the end when `reverse`), accumulated in float64 and rounded
 * once per output. Integer and bool inputs give int32 (PyTorch: int64).
 */
function runningSum(x: Tensor, dim: number, reverse: boolean): Tensor {
  const dtype = isFloat(x.dtype) ? x.dtype : "int32";
  const out = allocate(dtype, x.size, x.shape);
  const outStrides = contiguousStrides(x.shape);
  const n = x.shape[dim];
  const xs = x.strides[dim];
  const os = outStrides[dim];
  const src = x.storage;
  // One callback row per run of lines: the line dim is collapsed to size 1 and walked here.
  const lineStarts = x.shape.map((s, i) => (i === dim ? 1 : s));
  forEachRow(lineStarts, [x.strides, outStrides], [x.offset, 0], (off, len, inner) => {
    for (let j = 0; j < len; j++) {
      const p = off[0] + j * inner[0];
      const q = off[1] + j * inner[1];
      let acc = 0;
      if (reverse) for (let t = n - 1; t >= 0; t--) { acc += src[p + t * xs]; out[q + t * os] = acc; }
      else for (let t = 0; t < n; t++) { acc += src[p + t * xs]; out[q + t * os] = acc; }
    }
  });
  return new Tensor(out, dtype, x.shape.slice());
}

/** y[i] = x[0] + … + x[i] along `dim`, as torch.cumsum. Its backward is the reversed running sum. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeAxis(dim, x.ndim, "cumsum"); // 0 or -1 on a 0-d tensor: the tensor itself
  if (x.ndim === 0) return cumsum(x.reshape([1]), 0).reshape([]);
  const y = runningSum(x, d, false);
  return record(y, "cumsum", [x], (g) => [runningSum(g, d, true)]);
}
