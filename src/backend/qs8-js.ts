import type { CompressKernels } from "./kernels.js";
import { QS8_GEMM } from "./manifest.js";
import {
  qs8OutputScale, qs8PackedLength,
  type Qs8GemmOptions, type Qs8Matrix, type Qs8PackedWeights, type Qs8RequantOptions, type Qs8Weights,
} from "./qs8-types.js";

const { NR: QS8_NR, KR: QS8_KR } = QS8_GEMM;

/**
 * The JS reference of the int8 GEMM. It reads the same packed layout as the wasm kernel, so a
 * packed-weights object stays valid if the backend is switched, and the packing is tested on
 * every backend. Sums are exact in float64 up to k ≈ 1.4·10¹¹ and then wrapped to int32 like the
 * wasm i32 adds.
 */
export function qs8PackBJs(k: number, n: number, b: Qs8Weights): Qs8PackedWeights {
  const data = new Int16Array(qs8PackedLength(k, n));
  const pairs = Math.ceil(k / QS8_KR);
  const zp = b.zeroPoint;
  let o = 0;
  for (let j0 = 0; j0 < n; j0 += QS8_NR) {
    for (let q = 0; q < pairs; q++) {
      for (let jj = 0; jj < QS8_NR; jj++, o += QS8_KR) {
        const j = j0 + jj;
        if (j >= n) continue;
        const z = typeof zp === "number" ? zp : zp[j];
        for (let t = 0; t < QS8_KR; t++) {
          const p = q * QS8_KR + t;
          if (p < k) data[o + t] = b.data[b.offset + p * b.rowStride + j * b.colStride] - z;
        }
      }
    }
  }
  return { k, n, data };
}

/** acc(i, j) + bias, for every j of row i, into `row` (float64, exact integers, not yet wrapped). */
function accumulateRow(i: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
                       bias: Int32Array | null | undefined, arow: Float64Array, row: Float64Array): void {
  const pairs = Math.ceil(k / QS8_KR);
  const base = a.offset + i * a.rowStride;
  for (let p = 0; p < k; p++) arow[p] = a.data[base + p] - a.zeroPoint;
  const wd = w.data;
  for (let j0 = 0; j0 < n; j0 += QS8_NR) {
    const panel = (j0 / QS8_NR) * pairs * QS8_NR * QS8_KR;
    for (let jj = 0; jj < QS8_NR && j0 + jj < n; jj++) {
      let acc = 0;
      let o = panel + jj * QS8_KR;
      for (let p = 0; p < k; p += QS8_KR, o += QS8_NR * QS8_KR) {
        acc += arow[p] * wd[o] + (p + 1 < k ? arow[p + 1] * wd[o + 1] : 0);
      }
      row[j0 + jj] = acc + (bias ? bias[j0 + jj] : 0);
    }
  }
}

function qs8GemmJs(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
                   c: Int32Array, cOffset: number, options: Qs8GemmOptions = {}): void {
  const arow = new Float64Array(k);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    accumulateRow(i, n, k, a, w, options.bias, arow, row);
    for (let j = 0; j < n; j++) {
      const v = row[j] | 0;
      c[cOffset + i * n + j] = options.relu && v < 0 ? 0 : v;
    }
  }
}

export const jsQs8Kernels: Pick<CompressKernels, "qs8PackB" | "qs8Gemm" | "qs8GemmUnpacked" | "qs8GemmF32"> = {
  qs8PackB: qs8PackBJs,
  qs8Gemm: qs8GemmJs,

  qs8GemmUnpacked(m: number, n: number, k: number, a: Qs8Matrix, b: Qs8Weights,
                  c: Int32Array | null, cOffset: number, options?: Qs8GemmOptions): Int32Array {
    const out = c ?? new Int32Array(m * n);
    qs8GemmJs(m, n, k, a, qs8PackBJs(k, n, b), out, c ? cOffset : 0, options);
    return out;
  },

  qs8GemmF32(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
             c: Float32Array, cOffset: number, options: Qs8RequantOptions): void {
    const scale = qs8OutputScale(n, options);
    const arow = new Float64Array(k);
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      accumulateRow(i, n, k, a, w, options.bias, arow, row);
      for (let j = 0; j < n; j++) {
        // Same rounding as the kernel: int32 → f32, then one f32 multiply.
        const v = Math.fround(Math.fround(row[j] | 0) * scale[j]);
        c[cOffset + i * n + j] = options.relu && v < 0 ? 0 : v;
      }
    }
  },
};
