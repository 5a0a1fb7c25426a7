import { kernels } from "../backend/init.js";
import { gemmBatchJs, gemmJs, type FloatStridedMatrix } from "../backend/js-kernels.js";
import type { StridedBatch, StridedMatrix } from "../backend/kernels.js";
import { epilogueKernels } from "../backend/epilogue-kernels.js";
import { DTypeError, ShapeError } from "../errors.js";
import { record } from "./autograd.js";
import { isFloat, promoteTypes, type FloatArray } from "./dtype.js";
import { binary, gradFor } from "./elementwise.js";
import { broadcastShapes, sizeOf } from "./shape.js";
import { broadcastStrides } from "./strided.js";
import { sum, sumToShape } from "./reduce.js";
import { Tensor } from "./tensor.js";
import { mixedPrecision } from "./mixed-precision-hook.js";

/**
 * Matrix products. float32 runs on the backend's GEMM, which reads any strided operand, so a
 * transposed view (the backward pass's Aᵀ·B and A·Bᵀ) costs no copy, and a batched product
 * crosses into wasm once (a strided-batch GEMM), not once per batch item. float64 (used by
 * gradient checks and users who want it) runs the backend's JS reference GEMM.
 */

function matmulDType(a: Tensor, b: Tensor): "float32" | "float64" {
  const d = promoteTypes(a.dtype, b.dtype);
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) {
    throw new DTypeError(`matmul: needs floating-point operands, got ${a.dtype} @ ${b.dtype} (use compress.matmulInteger for integers)`);
  }
  return d as "float32" | "float64";
}

/** A float32 or float64 matrix window of a tensor: element (i, j) at data[offset + i·rowStride + j·colStride]. */
type Window = FloatStridedMatrix;

function gemmInto(m: number, n: number, k: number, a: Window, b: Window,
                  out: FloatArray, cOffset: number, bias: FloatArray | null, relu: boolean): void {
  if (out instanceof Float32Array) {
    kernels().f32Gemm(m, n, k, a as StridedMatrix, b as StridedMatrix, out, cOffset, { bias: bias as Float32Array | null, relu });
  } else {
    gemmJs(m, n, k, a, b, out, cOffset, { bias, relu });
  }
}

/** One dimension of the broadcast batch: its size and each operand's stride along it. */
/** The last two dims of `t` as a strided matrix over its storage. */
function matrixWindow(t: Tensor): Window {
  return { data: t.storage as FloatArray, offset: t.offset, rowStride: t.strides[t.ndim - 2], colStride: t.strides[t.ndim - 1] };
}

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

export interface LinearOptions {
  /** Fuse max(0, ·) into the GEMM's epilogue (the backward masks by the output). */
  relu?: boolean;
}

/**
 * The backward of the GEMM's epilogue in one pass over the [m×n] gradient: masked where the relu
 * output `y` is 0 (when given), and summed over rows for the bias. The bias sum accumulates in
 * float64 in row order, exactly as sum(g, 0) does, so the bits equal the unfused ops'; one pass
 * instead of a broadcasting mask op and a reduction keeps the training step's overhead down.
 * float32 runs in wasm when the kernels have it (src/backend/epilogue-kernels.ts), with the bits
 * of the loops below.
 */
function epilogueGrads(gIn: Tensor, y: FloatArray | null, wantBias: boolean, m: number, n: number): { g: Tensor; db: Tensor | null } {
  if (!gIn.isContiguous || (y === null && !wantBias)) {
    const g = y === null ? gIn : binary("reluGrad", gIn, new Tensor(y, gIn.dtype, [m, n]));
    return { g, db: wantBias ? sum(g, 0) : null };
  }
  const src = gIn.storage as FloatArray, off = gIn.offset;
  const wasm = src instanceof Float32Array && (y === null || y instanceof Float32Array) ? epilogueKernels() : null;
  if (wasm !== null) {
    const r = wasm.reluMaskColumnSums(src as Float32Array, off, y as Float32Array | null, m, n, wantBias);
    return { g: r.masked ? new Tensor(r.masked, "float32", [m, n]) : gIn, db: r.sums ? new Tensor(Float32Array.from(r.sums), "float32", [n]) : null };
  }
  if (y === null && src instanceof Float32Array) {
    return { g: gIn, db: new Tensor(Float32Array.from(columnSumsF32(src, off, m, n)), "float32", [n]) };
  }
  if (y instanceof Float32Array && src instanceof Float32Array) {
    const masked = reluMaskF32(src, off, y, m * n);
    return { g: new Tensor(masked, "float32", [m, n]), db: wantBias ? new Tensor(Float32Array.from(columnSumsF32(masked, 0, m, n)), "float32", [n]) : null };
  }
  const masked = y === null ? null : (gIn.dtype === "float64" ? new Float64Array(m * n) : new Float32Array(m * n));
  const acc = wantBias ? new Float64Array(n) : null;
  for (let i = 0; i < m; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) {
      const v = y === null || y[base + j] > 0 ? src[off + base + j] : 0;
      if (masked) masked[base + j] = v;
      if (acc) acc[j] += v;
    }
  }
  const g = masked ? new Tensor(masked, gIn.dtype, [m, n]) : gIn;
  const db = acc ? new Tensor(gIn.dtype === "float64" ? Float64Array.from(acc) : Float32Array.from(acc), gIn.dtype, [n]) : null;
  return { g, db };
}

/**
 * Σ over the m rows of src[off + i·n + j], in float64 in row order (the bits of the loop above),
 * four rows a pass over the sums, in a loop that only sees Float32Arrays (monomorphic).
 */
function columnSumsF32(src: Float32Array, off: number, m: number, n: number): Float64Array {
  const acc = new Float64Array(n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = off + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let j = 0; j < n; j++) {
      let s = acc[j];
      s += src[r0 + j]; s += src[r1 + j]; s += src[r2 + j]; s += src[r3 + j];
      acc[j] = s;
    }
  }
  for (; i < m; i++) for (let j = 0, r = off + i * n; j < n; j++) acc[j] += src[r + j];
  return acc;
}

/**
 * src where y > 0, else 0: the ReLU epilogue's backward, in a loop that only sees Float32Arrays
 * (its column sums, by columnSumsF32, then have the bits of the general loop above).
 */
function reluMaskF32(src: Float32Array, off: number, y: Float32Array, size: number): Float32Array {
  const masked = new Float32Array(size);
  for (let k = 0; k < size; k++) masked[k] = y[k] > 0 ? src[off + k] : 0;
  return masked;
}

/**
 * y = x·Wᵀ + b with W in PyTorch's [out, in] layout: one GEMM reading W transposed in place,
 * with the bias (and optionally relu) fused into its epilogue. x may have leading batch dims.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: LinearOptions = {}): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [out, in], got [${weight.shape}]`);
  const [outF, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input of shape [${x.shape}] does not end in ${inF} features (weight [${weight.shape}])`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias of shape [${bias.shape}] does not match ${outF} outputs`);
  }
  const dtype = matmulDType(x, weight);
  const mp = mixedPrecision.active;
  if (mp !== null && dtype === "float32") return mp.linear(x, weight, bias, o.relu === true);
  const x2 = x.reshape([sizeOf(x.shape.slice(0, -1)), inF]); // the rows spelled out: -1 is ambiguous when inF is 0
  const m = x2.shape[0];
  const xs = x2.dtype === dtype ? x2 : x2.astype(dtype);
  const ws = weight.dtype === dtype ? weight : weight.astype(dtype);
  const bs = bias && bias.dtype !== dtype ? bias.astype(dtype) : bias;
  const out = dtype === "float32" ? new Float32Array(m * outF) : new Float64Array(m * outF);
  gemmInto(m, outF, inF,
    { data: xs.storage as FloatArray, offset: xs.offset, rowStride: xs.strides[0], colStride: xs.strides[1] },
    { data: ws.storage as FloatArray, offset: ws.offset, rowStride: ws.strides[1], colStride: ws.strides[0] },
    out, 0, bs ? (bs.data as FloatArray) : null, o.relu === true);
  const y = new Tensor(out, dtype, [m, outF]);
  const inputs = bs ? [xs, ws, bs] : [xs, ws];
  record(y, o.relu ? "linearRelu" : "linear", inputs, (gIn) => {
    const { g, db } = epilogueGrads(gIn, o.relu === true ? out : null, bs?.requiresGrad === true, m, outF);
    return [
      xs.requiresGrad ? matmul(g, ws) : null,
      ws.requiresGrad ? gradFor(matmul(g.transpose(), xs), ws) : null,
      db,
    ];
  });
  return y.reshape([...x.shape.slice(0, -1), outF]);
}
