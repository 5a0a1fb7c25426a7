// The fully connected layer's op: one GEMM with the bias and ReLU in its epilogue, and that
// epilogue's backward in one pass. Apart from matmul.ts so that a program that multiplies
// matrices does not load it (the default entry under Node reads it on first use).
import { epilogueKernels } from "../backend/epilogue-kernels.js";
import { gemmPair } from "../backend/gemm-pair.js";
import type { FloatStridedMatrix } from "../backend/js-kernels.js";
import type { StridedMatrix } from "../backend/kernels.js";
import { stepArray } from "../backend/step-arrays.js";
import { ShapeError } from "../errors.js";
import { record, willRecord } from "./autograd.js";
import type { FloatArray } from "./dtype.js";
import { binary, gradFor } from "./elementwise.js";
import { markWeightGrad, takeWeightGradBuffer } from "./grad-buffers.js";
import { gemmInto, matmul, matmulDType, matrixWindow } from "./matmul.js";
import { mixedPrecision } from "./mixed-precision-hook.js";
import { sum } from "./reduce.js";
import { sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

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

/** A 2-D tensor's transpose as a strided matrix over its storage (matrixWindow's strides swapped). */
function transposedWindow(t: Tensor): FloatStridedMatrix {
  return { data: t.storage as FloatArray, offset: t.offset, rowStride: t.strides[1], colStride: t.strides[0] };
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
  // float32 outputs are step arrays: within fit's steps, last step's (src/backend/step-arrays.ts).
  const out = dtype === "float32" ? stepArray(m * outF) : new Float64Array(m * outF);
  gemmInto(m, outF, inF, matrixWindow(xs), transposedWindow(ws), out, 0, bs ? (bs.data as FloatArray) : null, o.relu === true);
  const y = new Tensor(out, dtype, [m, outF]);
  const inputs = bs ? [xs, ws, bs] : [xs, ws];
  record(y, o.relu ? "linearRelu" : "linear", inputs, (gIn) => {
    const { g, db } = epilogueGrads(gIn, o.relu === true ? out : null, bs?.requiresGrad === true, m, outF);
    if (xs.requiresGrad && ws.requiresGrad && bothFloat32(g, xs, ws)) return [...bothGrads(g, xs, ws), db];
    return [
      xs.requiresGrad ? inputGrad(g, ws) : null,
      ws.requiresGrad ? weightGrad(g, xs, ws) : null,
      db,
    ];
  });
  return y.reshape([...x.shape.slice(0, -1), outF]);
}

/** Whether the backward's products are float32 GEMMs written straight into arrays (no graph of them recorded). */
const bothFloat32 = (g: Tensor, xs: Tensor, ws: Tensor) =>
  g.dtype === "float32" && xs.dtype === "float32" && ws.dtype === "float32" && !willRecord([g, xs, ws]);

/**
 * dx = g·W and dW = gᵀ·x as one pair of products (src/backend/gemm-pair.ts: side by side on a
 * thread pool), into a step array and the storage fit handed back (or fresh): the GEMMs and
 * windows of inputGrad and weightGrad below, so their bits.
 */
function bothGrads(g: Tensor, xs: Tensor, ws: Tensor): [Tensor, Tensor] {
  const [m, outF] = g.shape, inF = xs.shape[1];
  const dx = stepArray(m * inF), dw = takeWeightGradBuffer(ws) ?? new Float32Array(outF * inF);
  const f32 = (w: FloatStridedMatrix) => w as StridedMatrix;
  gemmPair({ m, n: inF, k: outF, c: dx, a: f32(matrixWindow(g)), b: f32(matrixWindow(ws)) },
           { m: outF, n: inF, k: m, c: dw, a: f32(transposedWindow(g)), b: f32(matrixWindow(xs)) });
  return [new Tensor(dx, "float32", [m, inF]), markWeightGrad(new Tensor(dw, "float32", [outF, inF]))];
}

/**
 * dx = g·W: the gradient the layer passes back, into a step array when it is float32 and no graph
 * of the backward is being recorded (matmul's GEMM on the same windows: the same bits).
 */
function inputGrad(g: Tensor, ws: Tensor): Tensor {
  if (g.dtype !== "float32" || ws.dtype !== "float32" || willRecord([g, ws])) return matmul(g, ws);
  const [m, outF] = g.shape, inF = ws.shape[1];
  const out = stepArray(m * inF);
  gemmInto(m, inF, outF, matrixWindow(g), matrixWindow(ws), out, 0, null, false);
  return new Tensor(out, "float32", [m, inF]);
}

/**
 * dW = gᵀ·x for the weight `ws`, into the storage fit handed back from the step before when
 * there is one (src/ndarray/grad-buffers.ts): the same GEMM with the same operands, so the bits of
 * a fresh product.
 */
function weightGrad(g: Tensor, xs: Tensor, ws: Tensor): Tensor | null {
  const buffer = g.dtype === "float32" && xs.dtype === "float32" && ws.dtype === "float32" ? takeWeightGradBuffer(ws) : null;
  if (buffer === null) return markWeightGrad(gradFor(matmul(g.transpose(), xs), ws)!);
  const [m, outF] = g.shape, inF = xs.shape[1];
  gemmInto(outF, inF, m, transposedWindow(g), matrixWindow(xs), buffer, 0, null, false);
  return markWeightGrad(new Tensor(buffer, "float32", [outF, inF]));
}
