import { withScratch, type Arena } from "./arena.js";
import { pin } from "./arena-pins.js";
import { QS8_FLOAT_OUT, QS8_RELU, SPMM_BIAS, SPMM_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import type { CsrMatrix, Qs8LinearOptions } from "./compress-types.js";
import type { CompressKernels, GemmOptions } from "./kernels.js";
import { QS8_GEMM } from "./manifest.js";
import { qs8GemmSplit } from "./parallel-qs8.js";
import { spmmSplit } from "./parallel-spmm.js";
import { qs8OutputScale, type Qs8PackedWeights } from "./qs8-types.js";
import { packedWeightsPtr } from "./qs8-wasm.js";
import { quantizeInputWasm } from "./qs8-quantize-wasm.js";

/** y = x · wᵀ (+ bias, ReLU) with w in CSR, everything copied into scratch for one f32_spmm call. */
function spmmCsr(wasm: KernelExports, arena: Arena, m: number, x: Float32Array, xOffset: number, w: CsrMatrix,
                 y: Float32Array, yOffset: number, options: GemmOptions): void {
  const n = w.rows, k = w.cols;
  if (m === 0 || n === 0) return;
  withScratch(arena, () => {
    const xPtr = arena.alloc(m * k * 4);
    arena.f32(xPtr, m * k).set(x.subarray(xOffset, xOffset + m * k));
    const nnz = w.values.length;
    const rp = arena.alloc((n + 1) * 4);
    arena.i32(rp, n + 1).set(w.rowPtr);
    const ci = arena.alloc(nnz * 4);
    arena.i32(ci, nnz).set(w.colIdx);
    const vp = arena.alloc(nnz * 4);
    arena.f32(vp, nnz).set(w.values);
    const bias = options.bias ? arena.copyIn(options.bias.subarray(0, n)) : 0;
    const yPtr = arena.alloc(m * n * 4);
    spmmSplit(wasm, arena, m, n, k, nnz, xPtr, [rp, ci, vp], bias, yPtr,
              (options.relu ? SPMM_RELU : 0) | (bias ? SPMM_BIAS : 0));
    y.set(arena.f32(yPtr, m * n), yOffset);
  });
}

/** Dynamic int8 linear: quantize x in wasm (range measured there if asked), then qs8_gemm to float32. */
function qs8Linear(wasm: KernelExports, arena: Arena, m: number, xs: Float32Array, xOffset: number,
                   w: Qs8PackedWeights, c: Float32Array, cOffset: number, o: Qs8LinearOptions): void {
  const { k, n } = w;
  if (m === 0 || n === 0) return;
  const pinned = pin(arena, w, w.data);
  withScratch(arena, () => {
    const { xPtr: aPtr, p } = quantizeInputWasm(wasm, arena, xs, xOffset, m * k, o);
    const wPtr = pinned ?? packedWeightsPtr(arena, w);
    // Bias and scale are read 8 at a time by the micro-kernel: padded to whole panels.
    const nPad = Math.ceil(n / QS8_GEMM.NR) * QS8_GEMM.NR;
    const biasPtr = arena.alloc(nPad * 4);
    const b = arena.i32(biasPtr, nPad);
    b.fill(0);
    if (p.bias) b.set(p.bias.subarray(0, n));
    const scalePtr = arena.alloc(nPad * 4);
    arena.f32(scalePtr, nPad).set(qs8OutputScale(n, { scaleA: p.scaleA, scaleB: o.scaleB }));
    const cPtr = arena.alloc(m * n * 4);
    qs8GemmSplit(wasm, arena, { m, n, k, a: aPtr, aRowStride: k, aSigned: o.signed ? 1 : 0, aZero: p.zeroPointA,
                                w: wPtr, c: cPtr, cRowStride: n, bias: biasPtr, scale: scalePtr,
                                flags: QS8_FLOAT_OUT | (o.relu ? QS8_RELU : 0) });
    c.set(arena.f32(cPtr, m * n), cOffset);
  });
}

export function wasmCompressKernels(wasm: KernelExports, arena: Arena):
    Pick<CompressKernels, "f32SpmmCsr" | "qs8LinearF32"> {
  return {
    f32SpmmCsr: (m: number, x: Float32Array, xOffset: number, w: CsrMatrix, y: Float32Array, yOffset: number,
                 options: GemmOptions = {}): void => spmmCsr(wasm, arena, m, x, xOffset, w, y, yOffset, options),
    qs8LinearF32: (m: number, xs: Float32Array, xOffset: number, w: Qs8PackedWeights, c: Float32Array,
                   cOffset: number, o: Qs8LinearOptions): void => qs8Linear(wasm, arena, m, xs, xOffset, w, c, cOffset, o),
  };
}
