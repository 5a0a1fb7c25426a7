/**
 * The typed kernel tables: operator-level functions on typed arrays, one call per op. Each table
 * has two implementations — wasm and the JS reference — and both must give the same results
 * within the tolerances of the tests. The core table (`kernels()` in init.ts) is what tensors
 * need; the compression and optimizer tables are families built on first use
 * (`compressKernels()`, `optimKernels()`), so an application that only multiplies tensors
 * does not carry their code.
 */
import type { Qs8Matrix, Qs8PackedWeights, Qs8Weights, Qs8GemmOptions, Qs8RequantOptions } from "./qs8-types.js";
import type { CsrMatrix, Qs8LinearOptions } from "./compress-types.js";

/** A strided 2-D window onto a Float32Array: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface StridedMatrix {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/**
 * Equally spaced strided matrices: matrix t is the StridedMatrix at offset + t·batchStride
 * (batchStride 0: the same matrix for every t, a broadcast batch dimension).
 */
export interface StridedBatch extends StridedMatrix {
  batchStride: number;
}

export interface GemmOptions {
  /** n values added to every row of the product. */
  bias?: Float32Array | null;
  /** Apply max(0, ·) after the bias. */
  relu?: boolean;
  /** C += A·B instead of C = A·B (bias and relu still apply to the sum). */
  accumulate?: boolean;
}

export type BackendName = "wasm-relaxed-simd" | "wasm-simd" | "js";

export interface Kernels {
  readonly name: BackendName;
  /**
   * C[m×n] = A[m×k]·B[k×n] (+ bias) (relu), C row-major at `cOffset` with row stride n.
   * A and B may be any strided view (a transposed operand is just swapped strides), so the
   * backward pass's Aᵀ·B and A·Bᵀ cost no transposed copy. Non-negative strides only.
   */
  f32Gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix,
          c: Float32Array, cOffset: number, options?: GemmOptions): void;
  /**
   * `batch` independent products in one call: C_t = A_t·B_t (+ bias) (relu) for t < batch, C_t
   * row-major at cOffset + t·m·n. Each A_t, B_t is any strided view, as in f32Gemm.
   */
  f32GemmBatch(batch: number, m: number, n: number, k: number, a: StridedBatch, b: StridedBatch,
               c: Float32Array, cOffset: number, options?: GemmOptions): void;
}

/** The int8 and sparse kernels of src/compress (compress-kernels.ts builds them per backend). */
export interface CompressKernels {
  /** Packs int8/uint8 B[k×n] (zero points off, widened to i16) once for any number of qs8Gemm calls. */
  qs8PackB(k: number, n: number, b: Qs8Weights): Qs8PackedWeights;
  /**
   * ONNX MatMulInteger: C[m×n] (int32, row stride n, at cOffset) = Σp (a[i,p]−za)·(b[p,j]−zb)
   * (+ bias) (relu), exact (int32 wrap-around only past 2³¹, as onnxruntime).
   */
  qs8Gemm(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
          c: Int32Array, cOffset: number, options?: Qs8GemmOptions): void;
  /**
   * qs8Gemm with B as it is stored, packed for this call only (a one-shot MatMulInteger): the
   * wasm backends pack it in kernel scratch memory, so the packed copy never leaves wasm. c null:
   * C goes to a new array (one copy out, no zero-filled array written over). Returns the array
   * written.
   */
  qs8GemmUnpacked(m: number, n: number, k: number, a: Qs8Matrix, b: Qs8Weights,
                  c: Int32Array | null, cOffset: number, options?: Qs8GemmOptions): Int32Array;
  /** The same, requantized for an int8 layer: C (float32) = f32(acc + bias)·fround(scaleA·scaleB[j]) (relu). */
  qs8GemmF32(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
             c: Float32Array, cOffset: number, options: Qs8RequantOptions): void;
  /**
   * Sparse × dense: Y[m×w.rows] (row-major at yOffset) = X[m×w.cols] (row-major at xOffset)·Wᵀ
   * (+ bias) (relu), W in CSR (a pruned Linear weight [out, in]).
   */
  f32SpmmCsr(m: number, x: Float32Array, xOffset: number, w: CsrMatrix, y: Float32Array, yOffset: number,
             options?: GemmOptions): void;
  /**
   * One int8 layer from float32 to float32: X[m×k] quantized per tensor (ONNX QuantizeLinear, with
   * parameters from o.params, given x's range if o.needsRange), then the requantizing int8 GEMM.
   */
  qs8LinearF32(m: number, x: Float32Array, xOffset: number, w: Qs8PackedWeights, c: Float32Array,
               cOffset: number, o: Qs8LinearOptions): void;
}
