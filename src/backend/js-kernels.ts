import type { Kernels } from "./kernels.js";

/** A StridedMatrix over float32 or float64 data (the JS reference serves both). */
export interface FloatStridedMatrix {
  data: Float32Array | Float64Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

export interface FloatGemmOptions {
  bias?: Float32Array | Float64Array | null;
  relu?: boolean;
  accumulate?: boolean;
}

/**
 * The JS reference of the GEMM: C[m×n] (row-major at cOffset) = (accumulate ? C : 0) + A·B
 * (+ bias) (relu), summed in float64 and rounded once on store. It is the js backend's f32Gemm,
 * the implementation the wasm kernel is tested against, and the float64 matmul. Written for
 * clarity first, then for a reasonable speed (i-p-j loop order, so the inner loop walks B and C rows).
 */
export function gemmJs(m: number, n: number, k: number, a: FloatStridedMatrix, b: FloatStridedMatrix,
                       c: Float32Array | Float64Array, cOffset: number, options: FloatGemmOptions = {}): void {
  const { bias = null, relu = false, accumulate = false } = options;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const ci = cOffset + i * n;
    for (let j = 0; j < n; j++) row[j] = accumulate ? c[ci + j] : 0;
    const ai = a.offset + i * a.rowStride;
    for (let p = 0; p < k; p++) {
      const aip = a.data[ai + p * a.colStride];
      const bp = b.offset + p * b.rowStride;
      const bs = b.colStride;
      const bd = b.data;
      for (let j = 0; j < n; j++) row[j] += aip * bd[bp + j * bs];
    }
    for (let j = 0; j < n; j++) {
      let v = row[j] + (bias ? bias[j] : 0);
      if (relu && v < 0) v = 0;
      c[ci + j] = v;
    }
  }
}

/** The JS reference of the strided-batch GEMM: gemmJs for each of the `batch` problems. */
export function gemmBatchJs(batch: number, m: number, n: number, k: number,
                            a: FloatStridedMatrix & { batchStride: number }, b: FloatStridedMatrix & { batchStride: number },
                            c: Float32Array | Float64Array, cOffset: number, options: FloatGemmOptions = {}): void {
  for (let t = 0; t < batch; t++) {
    gemmJs(m, n, k, { ...a, offset: a.offset + t * a.batchStride }, { ...b, offset: b.offset + t * b.batchStride },
           c, cOffset + t * m * n, options);
  }
}

/**
 * The JS reference of the core kernels: the same table as the wasm build, for engines without
 * wasm SIMD and as a second implementation to test against.
 */
export const jsKernels: Kernels = {
  name: "js",
  f32Gemm: gemmJs,
  f32GemmBatch: gemmBatchJs,
};
