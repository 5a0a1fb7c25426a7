import type { GemmOptions, Kernels, StridedMatrix } from "./kernels.js";

/**
 * The JS reference of the core kernels: the same table as the wasm build, for engines without
 * wasm SIMD and as a second implementation to test against. Written for clarity first, then for a
 * reasonable speed (i-p-j loop order, so the inner loop walks B and C rows).
 */
export const jsKernels: Kernels = {
  name: "js",
  f32Gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix,
          c: Float32Array, cOffset: number, options: GemmOptions = {}): void {
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
  },
};
