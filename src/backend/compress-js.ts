import type { CsrMatrix, Qs8LinearOptions } from "./compress-types.js";
import type { CompressKernels, GemmOptions } from "./kernels.js";
import { f32MinMaxJs, qs8QuantizeF32Js } from "./qs8-quantize-js.js";
import type { Qs8PackedWeights } from "./qs8-types.js";

/** The JS reference of the compression kernels (same results as the wasm ones, see the tests). */
export function jsCompressKernels(base: Pick<CompressKernels, "qs8GemmF32">): Pick<CompressKernels, "f32SpmmCsr" | "qs8LinearF32"> {
  return {
    f32SpmmCsr(m: number, x: Float32Array, xOffset: number, w: CsrMatrix, y: Float32Array, yOffset: number,
               options: GemmOptions = {}): void {
      const n = w.rows, k = w.cols;
      const { rowPtr, colIdx, values } = w;
      for (let i = 0; i < m; i++) {
        const xi = xOffset + i * k;
        for (let j = 0; j < n; j++) {
          let acc = options.bias ? options.bias[j] : 0;
          for (let e = rowPtr[j]; e < rowPtr[j + 1]; e++) acc += values[e] * x[xi + colIdx[e]];
          y[yOffset + i * n + j] = options.relu && acc < 0 ? 0 : acc;
        }
      }
    },

    qs8LinearF32(m: number, x: Float32Array, xOffset: number, w: Qs8PackedWeights, c: Float32Array,
                 cOffset: number, o: Qs8LinearOptions): void {
      const size = m * w.k;
      const [lo, hi] = o.needsRange ? f32MinMaxJs(size, x, xOffset) : [NaN, NaN];
      const p = o.params(lo, hi);
      const q = o.signed ? new Int8Array(size) : new Uint8Array(size);
      qs8QuantizeF32Js(size, x, xOffset, p.scaleA, p.zeroPointA, q);
      base.qs8GemmF32(m, w.n, w.k, { data: q, offset: 0, rowStride: w.k, zeroPoint: p.zeroPointA }, w, c, cOffset,
                      { scaleA: p.scaleA, scaleB: o.scaleB, bias: p.bias, relu: o.relu });
    },
  };
}
