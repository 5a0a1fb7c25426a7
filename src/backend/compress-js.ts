import type { CsrMatrix, Qs8LinearOptions } from "./compress-types.js";
import type { CompressKernels, GemmOptions } from "./kernels.js";
import type { Qs8PackedWeights } from "./qs8-types.js";

/** x / scale rounded half to even, + zp, saturated; NaN → 0 (ONNX QuantizeLinear as onnxruntime-web). */
function quantizeOne(v: number, scale: number, zp: number, lo: number, hi: number): number {
  if (v !== v) return 0;
  const t = Math.fround(v / scale);   // float64 quotient of two float32 values, rounded once: a float32 division
  let r = Math.round(t);
  if (r - t === 0.5 && r % 2 !== 0) r -= 1;
  r += zp;
  return r < lo ? lo : r > hi ? hi : r;
}

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
      let lo = NaN, hi = NaN;
      if (o.needsRange) {
        lo = Infinity;
        hi = -Infinity;
        for (let i = 0; i < size; i++) {
          const v = x[xOffset + i];
          if (v !== v) { lo = hi = NaN; break; }
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      const p = o.params(lo, hi);
      const q = o.signed ? new Int8Array(size) : new Uint8Array(size);
      const [qlo, qhi] = o.signed ? [-128, 127] : [0, 255];
      for (let i = 0; i < size; i++) q[i] = quantizeOne(x[xOffset + i], p.scaleA, p.zeroPointA, qlo, qhi);
      base.qs8GemmF32(m, w.n, w.k, { data: q, offset: 0, rowStride: w.k, zeroPoint: p.zeroPointA }, w, c, cOffset,
                      { scaleA: p.scaleA, scaleB: o.scaleB, bias: p.bias, relu: o.relu });
    },
  };
}
