import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, type DType } from "./dtype.js";
import { asTensor, assignInto, where } from "./elementwise.js";
import { broadcastShapes, contiguousStrides, normalizeAxis, sameShape } from "./shape.js";
import { checkFillValue } from "./fill-value.js";
import { forEachRow } from "./strided.js";
import { Tensor } from "./tensor.js";

/**
 * Indexing by integer tensors: gather reads x at positions an index tensor names along one dim,
 * scatterAdd adds into them; each is the other's backward. indexSelect is a gather with a 1-D
 * index broadcast over the other dims, and maskedFill a `where`.
 */

const INDEX_DTYPES: readonly DType[] = ["int32", "int8", "uint8"];

export function checkIndex(index: unknown, where: string): asserts index is Tensor {
  if (!(index instanceof Tensor)) throw new DTypeError(`${where}: index must be an integer Tensor, got ${typeof index}`);
  if (!INDEX_DTYPES.includes(index.dtype)) {
    throw new DTypeError(`${where}: index must be an integer tensor (${INDEX_DTYPES.join(", ")}), got ${index.dtype}`);
  }
}

/** PyTorch's rule: index has x's rank, and is no larger than x (or src) in every other dim. */
export function checkIndexShape(where: string, x: Tensor, dim: number, index: Tensor, src?: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${where}: index of shape [${index.shape}] and input of shape [${x.shape}] need the same number of dimensions`);
  }
  index.shape.forEach((n, d) => {
    if (d !== dim && n > x.shape[d]) {
      throw new ShapeError(`${where}: index of shape [${index.shape}] is larger than the input [${x.shape}] in dimension ${d}`);
    }
    if (src && n > src.shape[d]) {
      throw new ShapeError(`${where}: index of shape [${index.shape}] is larger than src [${src.shape}] in dimension ${d}`);
    }
  });
}

const outOfRange = (where: string, k: number, dim: number, n: number) =>
  new ValueError(`${where}: index ${k} is out of range for dimension ${dim} of size ${n}`);

function gatherAlong(x: Tensor, dim: number, index: Tensor, where: string): Tensor {
  const out = allocate(x.dtype, index.size, index.shape);
  const n = x.shape[dim];
  const step = x.strides[dim];
  const I = index.storage;
  const X = x.storage;
  // x is walked with stride 0 along `dim`; the index value supplies the position there.
  const xWalk = x.strides.map((s, i) => (i === dim ? 0 : s));
  forEachRow(index.shape, [index.strides, xWalk, contiguousStrides(index.shape)], [index.offset, x.offset, 0], (off, len, inner) => {
    for (let j = 0; j < len; j++) {
      const k = I[off[0] + j * inner[0]];
      if (!(k >= 0 && k < n)) throw outOfRange(where, k, dim, n);
      out[off[2] + j] = X[off[1] + j * inner[1] + k * step];
    }
  });
  const y = new Tensor(out, x.dtype, index.shape.slice());
  return record(y, where, [x], (g) => [scatterAddAlong(new Tensor(allocate(g.dtype, x.size), g.dtype, x.shape.slice()), dim, index, g, where)]);
}

/** out[i][index[i][j]] = x[i][index[i][j]] along `dim` (here 1), as torch.gather. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex(index, "gather");
  const d = normalizeAxis(dim, x.ndim, "gather");
  // A 0-d input or index counts as one element along dim 0 (PyTorch); the result has the index's shape.
  if (x.ndim <= 1 && index.ndim <= 1 && x.ndim + index.ndim < 2) {
    return gather(x.reshape([x.size]), 0, index.reshape([index.size])).reshape(index.shape.slice());
  }
  checkIndexShape("gather", x, d, index);
  return gatherAlong(x, d, index, "gather");
}

function scatterAddAlong(x: Tensor, dim: number, index: Tensor, src: Tensor, where: string): Tensor {
  const out = x.detach().clone(); // fresh contiguous storage: x itself is never written
  const O = out.storage;
  const S = src.storage;
  const I = index.storage;
  const n = x.shape[dim];
  const step = out.strides[dim];
  const outWalk = out.strides.map((s, i) => (i === dim ? 0 : s));
  forEachRow(index.shape, [index.strides, src.strides, outWalk], [index.offset, src.offset, 0], (off, len, inner) => {
    for (let j = 0; j < len; j++) {
      const k = I[off[0] + j * inner[0]];
      if (!(k >= 0 && k < n)) throw outOfRange(where, k, dim, n);
      O[off[2] + j * inner[2] + k * step] += S[off[1] + j * inner[1]];
    }
  });
  return record(out, "scatterAdd", [x, src], (g) => {
    if (!src.requiresGrad) return [g, null];
    const picked = gatherAlong(g, dim, index, where);
    if (sameShape(picked.shape, src.shape)) return [g, picked];
    const full = new Tensor(allocate(g.dtype, src.size), g.dtype, src.shape.slice());
    assignInto(full.slice(...index.shape.map((m) => [0, m] as const)), picked);
    return [g, full];
  });
}

/**
 * A copy of x with src added at the positions index names along `dim` (out[index[i][j]][j] +=
 * src[i][j] for dim 0), as torch.Tensor.scatter_add; repeated indices accumulate.
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndex(index, "scatterAdd");
  if (!(src instanceof Tensor)) throw new DTypeError(`scatterAdd: src must be a Tensor, got ${typeof src}`);
  if (src.dtype !== x.dtype) throw new DTypeError(`scatterAdd: src is ${src.dtype} but the input is ${x.dtype}; they must match`);
  if (x.dtype === "bool") throw new DTypeError("scatterAdd: cannot add into a bool tensor");
  const d = normalizeAxis(dim, x.ndim, "scatterAdd");
  // 0-d tensors count as one element along dim 0, as in gather; the result has the input's shape.
  if (x.ndim <= 1 && index.ndim <= 1 && src.ndim <= 1 && x.ndim + index.ndim + src.ndim < 3) {
    return scatterAdd(x.reshape([x.size]), 0, index.reshape([index.size]), src.reshape([src.size])).reshape(x.shape.slice());
  }
  if (src.ndim !== x.ndim) throw new ShapeError(`scatterAdd: src of shape [${src.shape}] and input of shape [${x.shape}] need the same number of dimensions`);
  checkIndexShape("scatterAdd", x, d, index, src);
  return scatterAddAlong(x, d, index, src, "scatterAdd");
}

/** The entries of x at the positions of a 1-D index along `dim`, as torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex(index, "indexSelect");
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-D or 1-D, got shape [${index.shape}]`);
  if (x.ndim === 0) throw new ShapeError("indexSelect: the input must have at least one dimension");
  const d = normalizeAxis(dim, x.ndim, "indexSelect");
  const m = index.size;
  const outShape = x.shape.map((n, i) => (i === d ? m : n));
  // The index as a stride-0 view over the output's other dims: an O(1) broadcast.
  const spread = index.reshape(x.shape.map((_, i) => (i === d ? m : 1))).broadcastTo(outShape);
  return gatherAlong(x, d, spread, "indexSelect");
}

/** x with `value` where the bool mask (broadcast to x's shape) is true, as torch.masked_fill. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (!(mask instanceof Tensor) || mask.dtype !== "bool") {
    throw new DTypeError(`maskedFill: mask must be a bool Tensor, got ${mask instanceof Tensor ? mask.dtype : typeof mask}`);
  }
  if (!sameShape(broadcastShapes(x.shape, mask.shape, "maskedFill"), x.shape)) {
    throw new ShapeError(`maskedFill: mask of shape [${mask.shape}] does not broadcast to the input's shape [${x.shape}]`);
  }
  if (value instanceof Tensor && value.ndim !== 0) throw new ShapeError(`maskedFill: value must be a number or a 0-D tensor, got shape [${value.shape}]`);
  const v = asTensor(value, x, "maskedFill");
  checkFillValue("maskedFill", value instanceof Tensor ? value.item() : value, x.dtype);
  const y = where(mask, v, x);
  return y.dtype === x.dtype ? y : y.astype(x.dtype);
}
