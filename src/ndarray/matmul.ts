import { kernels } from "../backend/init.js";
import { gemmBatchJs, gemmJs, type FloatStridedMatrix } from "../backend/js-kernels.js";
import type { StridedBatch, StridedMatrix } from "../backend/kernels.js";
import { DTypeError, ShapeError } from "../errors.js";
import { record } from "./autograd.js";
import { isFloat, promoteTypes, type FloatArray } from "./dtype.js";
import { broadcastShapes, sizeOf } from "./shape.js";
import { broadcastStrides } from "./strided.js";
import { sumToShape } from "./reduce.js";
import { Tensor } from "./tensor.js";

/**
 * Matrix products. float32 runs on the backend's GEMM, which reads any strided operand, so a
 * transposed view (the backward pass's Aᵀ·B and A·Bᵀ) costs no copy, and a batched product
 * crosses into wasm once (a strided-batch GEMM), not once per batch item. float64 (used by
 * gradient checks and users who want it) runs the backend's JS reference GEMM.
 */

export function matmulDType(a: Tensor, b: Tensor): "float32" | "float64" {
  const d = promoteTypes(a.dtype, b.dtype);
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) {
    throw new DTypeError(`matmul: needs floating-point operands, got ${a.dtype} @ ${b.dtype} (use compress.matmulInteger for integers)`);
  }
  return d as "float32" | "float64";
}

/** A float32 or float64 matrix window of a tensor: element (i, j) at data[offset + i·rowStride + j·colStride]. */
type Window = FloatStridedMatrix;

export function gemmInto(m: number, n: number, k: number, a: Window, b: Window,
                  out: FloatArray, cOffset: number, bias: FloatArray | null, relu: boolean): void {
  if (out instanceof Float32Array) {
    kernels().f32Gemm(m, n, k, a as StridedMatrix, b as StridedMatrix, out, cOffset, { bias: bias as Float32Array | null, relu });
  } else {
    gemmJs(m, n, k, a, b, out, cOffset, { bias, relu });
  }
}

/** The last two dims of `t` as a strided matrix over its storage. */
export function matrixWindow(t: Tensor): Window {
  return { data: t.storage as FloatArray, offset: t.offset, rowStride: t.strides[t.ndim - 2], colStride: t.strides[t.ndim - 1] };
}

/** One dimension of the broadcast batch: its size and each operand's stride along it. */
interface BatchDim { size: number; a: number; b: number }

/**
 * The batch dims merged into as few as possible: size-1 dims drop out, and a dim merges into the
 * one before it when both operands step through the pair as through one dim (outer stride =
 * inner stride · inner size, which a broadcast 0 stride on both also satisfies).
 */
function mergeBatchDims(shape: readonly number[], aStrides: readonly number[], bStrides: readonly number[]): BatchDim[] {
  const dims: BatchDim[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const outer = dims[dims.length - 1];
    if (outer && outer.a === aStrides[d] * shape[d] && outer.b === bStrides[d] * shape[d]) {
      outer.size *= shape[d];
      outer.a = aStrides[d];
      outer.b = bStrides[d];
    } else {
      dims.push({ size: shape[d], a: aStrides[d], b: bStrides[d] });
    }
  }
  return dims;
}

/**
 * C[batch…, m, n] = A·B over the broadcast batch dims: one strided-batch GEMM per index of the
 * outer merged dims (usually exactly one call). A batch whose B is shared and whose A rows follow
 * on from one item to the next is one GEMM with the batch folded into m: B is packed once.
 */
function batchedGemm(batch: readonly number[], aBatch: readonly number[], bBatch: readonly number[],
                     m: number, n: number, k: number, a: Window, b: Window, out: FloatArray): void {
  const dims = mergeBatchDims(batch, aBatch, bBatch);
  const inner = dims.pop() ?? { size: 1, a: 0, b: 0 };
  const outerCount = dims.reduce((p, d) => p * d.size, 1);
  for (let idx = 0; idx < outerCount; idx++) {
    let aOffset = a.offset, bOffset = b.offset;
    for (let d = dims.length - 1, rest = idx; d >= 0; d--) {
      const i = rest % dims[d].size;
      rest = Math.floor(rest / dims[d].size);
      aOffset += i * dims[d].a;
      bOffset += i * dims[d].b;
    }
    const cOffset = idx * inner.size * m * n;
    // Plain object literals, not spreads: a spread per call measurably slowed small GEMMs.
    const aw = { ...a, offset: aOffset, batchStride: inner.a };
    const bw = { ...b, offset: bOffset, batchStride: inner.b };
    if (inner.b === 0 && inner.a === m * a.rowStride) {
      gemmInto(inner.size * m, n, k, aw, bw, out, cOffset, null, false);
    } else if (out instanceof Float32Array) {
      kernels().f32GemmBatch(inner.size, m, n, k, aw as StridedBatch, bw as StridedBatch, out, cOffset);
    } else {
      gemmBatchJs(inner.size, m, n, k, aw, bw, out, cOffset);
    }
  }
}

export function matmul(aIn: Tensor, bIn: Tensor): Tensor {
  if (aIn.ndim === 0 || bIn.ndim === 0) throw new ShapeError(`matmul: operands must have at least 1 dimension, got [${aIn.shape}] @ [${bIn.shape}]`);
  const dtype = matmulDType(aIn, bIn);
  const a0 = aIn.dtype === dtype ? aIn : aIn.astype(dtype);
  const b0 = bIn.dtype === dtype ? bIn : bIn.astype(dtype);
  // Vectors are promoted to matrices and the added dim dropped again at the end (NumPy rule).
  const a = a0.ndim === 1 ? a0.unsqueeze(0) : a0;
  const b = b0.ndim === 1 ? b0.unsqueeze(1) : b0;
  // A batch of A against one shared B is one GEMM with the batch folded into m: B is packed
  // once instead of once per batch item.
  if (a0.ndim > 2 && b0.ndim === 2) {
    const [rows, inner] = a0.shape.slice(-2);
    // The row count is spelled out: reshape cannot infer a -1 next to an inner size of 0.
    const allRows = sizeOf(a0.shape.slice(0, -1));
    if (inner === b0.shape[0]) return matmul(a0.reshape([allRows, inner]), b0).reshape([...a0.shape.slice(0, -2), rows, b0.shape[1]]);
  }
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: [${aIn.shape}] @ [${bIn.shape}]`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
  const out = (dtype === "float32" ? new Float32Array(sizeOf(batch) * m * n) : new Float64Array(sizeOf(batch) * m * n));
  const aBatch = broadcastStrides(a.shape.slice(0, -2), a.strides.slice(0, -2), batch);
  const bBatch = broadcastStrides(b.shape.slice(0, -2), b.strides.slice(0, -2), batch);
  batchedGemm(batch, aBatch, bBatch, m, n, k,
    matrixWindow(a), matrixWindow(b), out);
  let y = new Tensor(out, dtype, [...batch, m, n]);
  y = record(y, "matmul", [a, b], (g) => [
    a.requiresGrad ? sumToShape(matmul(g, b.transpose()), a.shape) : null,
    b.requiresGrad ? sumToShape(matmul(a.transpose(), g), b.shape) : null,
  ]);
  if (a0.ndim === 1) y = y.squeeze(-2);
  if (b0.ndim === 1) y = y.squeeze(-1);
  return y;
}
