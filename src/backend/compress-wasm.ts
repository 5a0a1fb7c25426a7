import type { Arena } from "./arena.js";
import type { CsrMatrix, Qs8LinearOptions } from "./compress-types.js";
import type { CompressKernels, GemmOptions } from "./kernels.js";
import { QS8_NR, qs8OutputScale, type Qs8PackedWeights } from "./qs8-types.js";
import { packedWeightsPtr } from "./qs8-wasm.js";

/** The raw compression exports of the kernel module (assembly/f32-spmm.ts, qs8-quantize.ts). */
export interface CompressKernelExports {
  f32_spmm_workspace(m: number, n: number, k: number): number;
  f32_spmm(m: number, n: number, k: number, x: number, rowPtr: number, colIdx: number, values: number,
           bias: number, y: number, flags: number, work: number): void;
  f32_minmax(n: number, x: number, out: number): void;
  qs8_quantize_f32(n: number, x: number, scale: number, zeroPoint: number, signed: number, out: number): void;
  qs8_gemm_workspace(m: number, n: number, k: number): number;
  qs8_gemm(m: number, n: number, k: number, a: number, aRowStride: number, aSigned: number,
           aZero: number, w: number, c: number, cRowStride: number, bias: number, scale: number,
           flags: number, work: number): void;
}

// Same values as assembly/f32-spmm.ts and assembly/qs8-gemm-4x8c2-wasmsimd-dot16x2.ts.
const SPMM_RELU = 1, SPMM_BIAS = 2;
const QS8_RELU = 1, QS8_FLOAT_OUT = 2;

export function wasmCompressKernels(x: CompressKernelExports & { memory: WebAssembly.Memory }, arena: Arena):
    Pick<CompressKernels, "f32SpmmCsr" | "qs8LinearF32"> {
  return {
    f32SpmmCsr(m: number, x0: Float32Array, xOffset: number, w: CsrMatrix, y: Float32Array, yOffset: number,
               options: GemmOptions = {}): void {
      const n = w.rows, k = w.cols;
      if (m === 0 || n === 0) return;
      const mark = arena.mark();
      try {
        const xPtr = arena.alloc(Math.max(m * k * 4, 16));
        arena.f32(xPtr, m * k).set(x0.subarray(xOffset, xOffset + m * k));
        const nnz = w.values.length;
        const rp = arena.alloc((n + 1) * 4);
        arena.i32(rp, n + 1).set(w.rowPtr);
        const ci = arena.alloc(Math.max(nnz * 4, 16));
        arena.i32(ci, nnz).set(w.colIdx);
        const vp = arena.alloc(Math.max(nnz * 4, 16));
        arena.f32(vp, nnz).set(w.values);
        const bias = options.bias ? arena.copyIn(options.bias.subarray(0, n)) : 0;
        const yPtr = arena.alloc(m * n * 4);
        const work = arena.alloc(x.f32_spmm_workspace(m, n, k));
        x.f32_spmm(m, n, k, xPtr, rp, ci, vp, bias, yPtr,
                   (options.relu ? SPMM_RELU : 0) | (bias ? SPMM_BIAS : 0), work);
        y.set(arena.f32(yPtr, m * n), yOffset);
      } finally {
        arena.reset(mark);
      }
    },

    qs8LinearF32(m: number, xs: Float32Array, xOffset: number, w: Qs8PackedWeights, c: Float32Array,
                 cOffset: number, o: Qs8LinearOptions): void {
      const { k, n } = w;
      if (m === 0 || n === 0) return;
      const pinned = arena.pin(w, w.data);
      const mark = arena.mark();
      try {
        const size = m * k;
        const xPtr = arena.alloc(Math.max(size * 4, 16));
        arena.f32(xPtr, size).set(xs.subarray(xOffset, xOffset + size));
        let lo = NaN, hi = NaN;
        if (o.needsRange) {
          const r = arena.alloc(16);
          x.f32_minmax(size, xPtr, r);
          const v = arena.f32(r, 2);
          lo = v[0];
          hi = v[1];
        }
        const p = o.params(lo, hi);
        const aPtr = arena.alloc(Math.max(size, 16));
        x.qs8_quantize_f32(size, xPtr, p.scaleA, p.zeroPointA, o.signed ? 1 : 0, aPtr);
        const wPtr = pinned ?? packedWeightsPtr(arena, w);
        // Bias and scale are read 8 at a time by the micro-kernel: padded to whole panels.
        const nPad = Math.ceil(n / QS8_NR) * QS8_NR;
        const biasPtr = arena.alloc(nPad * 4);
        const b = arena.i32(biasPtr, nPad);
        b.fill(0);
        if (p.bias) b.set(p.bias.subarray(0, n));
        const scalePtr = arena.alloc(nPad * 4);
        arena.f32(scalePtr, nPad).set(qs8OutputScale(n, { scaleA: p.scaleA, scaleB: o.scaleB }));
        const cPtr = arena.alloc(m * n * 4);
        const work = arena.alloc(x.qs8_gemm_workspace(m, n, k));
        x.qs8_gemm(m, n, k, aPtr, k, o.signed ? 1 : 0, p.zeroPointA, wPtr, cPtr, n, biasPtr, scalePtr,
                   QS8_FLOAT_OUT | (o.relu ? QS8_RELU : 0), work);
        c.set(arena.f32(cPtr, m * n), cOffset);
      } finally {
        arena.reset(mark);
      }
    },
  };
}
