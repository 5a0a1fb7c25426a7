// torch.scatter: a copy of x with entries of src (or one value) written at the positions an
// index names along a dim; or, with reduce, added or multiplied into them. It shares
// scatterAdd's index checks (src/ndarray/indexing.ts). Backward, as PyTorch's: x's gradient is
// the incoming one with the overwritten positions zeroed, src's the incoming one read back at
// them (gather). PyTorch 1.13 has no gradient for the reduce forms, which are refused while
// recording.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { oneOf } from "../checks.js";
import { checkOptions } from "../options.js";
import { record, willRecord } from "./autograd.js";
import { allocate } from "./dtype.js";
import { assignInto } from "./elementwise.js";
import { checkFillValue } from "./fill-value.js";
import { checkIndex, checkIndexShape, gather } from "./indexing.js";
import { contiguousStrides, normalizeAxis, sameShape } from "./shape.js";
import { forEachRow } from "./strided.js";
import { Tensor } from "./tensor.js";

export interface ScatterOptions {
  /** Add into or multiply into the positions instead of overwriting them (torch 1.13's reduce). */
  reduce?: "add" | "multiply";
}

/** out = x's copy with out[…index…] (op)= src along dim; src a tensor or a number. */
function scatterInto(x: Tensor, dim: number, index: Tensor, src: Tensor | number, reduce: "add" | "multiply" | null): Tensor {
  const out = x.detach().contiguous().clone();
  const O = out.storage;
  const I = index.storage;
  const n = x.shape[dim];
  const step = out.strides[dim];
  const outWalk = out.strides.map((s, i) => (i === dim ? 0 : s));
  const srcT = typeof src === "number" ? null : src;
  const S = srcT ? srcT.storage : null;
  const value = typeof src === "number" ? src : 0;
  const srcStrides = srcT ? srcT.strides : contiguousStrides(index.shape);
  forEachRow(index.shape, [index.strides, srcStrides, outWalk], [index.offset, srcT ? srcT.offset : 0, 0], (off, len, inner) => {
    for (let j = 0; j < len; j++) {
      const k = I[off[0] + j * inner[0]];
      if (!(k >= 0 && k < n)) throw new ValueError(`scatter: index ${k} is out of range for dimension ${dim} of size ${n}`);
      const v = S ? S[off[1] + j * inner[1]] : value;
      const at = off[2] + j * inner[2] + k * step;
      O[at] = reduce === "add" ? O[at] + v : reduce === "multiply" ? O[at] * v : v;
    }
  });
  return out;
}

/**
 * A copy of x with src's entries written where index points along `dim` (dim 0: out[index[i][j]][j]
 * = src[i][j]), as torch.scatter; src may be a number. With a repeated index the last write wins
 * (PyTorch leaves the winner unspecified). reduce "add" / "multiply" combine instead of writing.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, o: ScatterOptions = {}): Tensor {
  checkOptions("scatter", o, ["reduce"]);
  const reduce = o.reduce === undefined ? null : oneOf("scatter", "reduce", o.reduce, ["add", "multiply"] as const);
  if (!(x instanceof Tensor)) throw new ValueError(`scatter: input must be a Tensor, got ${typeof x}`);
  checkIndex(index, "scatter");
  if (typeof src === "number") checkFillValue("scatter", src, x.dtype);
  else if (!(src instanceof Tensor)) throw new DTypeError(`scatter: src must be a Tensor or a number, got ${typeof src}`);
  else if (src.dtype !== x.dtype) throw new DTypeError(`scatter: src is ${src.dtype} but the input is ${x.dtype}; they must match`);
  const d = normalizeAxis(dim, x.ndim, "scatter");
  const srcT = typeof src === "number" ? null : src;
  // 0-d tensors count as one element along dim 0, as in gather and scatterAdd.
  if (x.ndim <= 1 && index.ndim <= 1 && (srcT === null || srcT.ndim <= 1) && (x.ndim === 0 || index.ndim === 0 || srcT?.ndim === 0)) {
    const s = srcT ? srcT.reshape([srcT.size]) : (src as number);
    return scatter(x.reshape([x.size]), 0, index.reshape([index.size]), s, o).reshape(x.shape.slice());
  }
  if (srcT && srcT.ndim !== x.ndim) throw new ShapeError(`scatter: src of shape [${srcT.shape}] and input of shape [${x.shape}] need the same number of dimensions`);
  checkIndexShape("scatter", x, d, index, srcT ?? undefined);
  const inputs = srcT ? [x, srcT] : [x];
  if (reduce !== null && willRecord(inputs)) {
    throw new ValueError(`scatter: reduce "${reduce}" has no gradient (as in PyTorch 1.13); detach the inputs or call it under noGrad`);
  }
  const out = scatterInto(x, d, index, src, reduce);
  return record(out, "scatter", inputs, (g) => {
    const gx = x.requiresGrad ? scatterInto(g, d, index, 0, null) : null;
    if (!srcT || !srcT.requiresGrad) return [gx, null];
    const picked = gather(g, d, index);
    if (sameShape(picked.shape, srcT.shape)) return [gx, picked];
    const full = new Tensor(allocate(g.dtype, srcT.size), g.dtype, srcT.shape.slice());
    assignInto(full.slice(...index.shape.map((m) => [0, m] as const)), picked);
    return [gx, full];
  });
}
