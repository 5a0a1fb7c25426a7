import type { Arena } from "./arena.js";
import type { CompressKernels } from "./kernels.js";
import {
  QS8_NR, qs8IsSigned, qs8OutputScale, type Qs8GemmOptions, type Qs8Matrix, type Qs8PackedWeights,
  type Qs8RequantOptions, type Qs8Weights,
} from "./qs8-types.js";

/** The raw int8 GEMM exports of the kernel module (assembly/qs8-*.ts). Pointers are bytes. */
export interface Qs8KernelExports {
  qs8_packw_gemm_size(k: number, n: number): number;
  qs8_packw_gemm(k: number, n: number, b: number, bRowStride: number, bColStride: number,
                 bSigned: number, zp: number, zpPerColumn: number, out: number): void;
  qs8_gemm_workspace(m: number, n: number, k: number): number;
  qs8_gemm(m: number, n: number, k: number, a: number, aRowStride: number, aSigned: number,
           aZero: number, w: number, c: number, cRowStride: number, bias: number, scale: number,
           flags: number, work: number): void;
}

// Same values as assembly/qs8-gemm-4x8c2-wasmsimd-dot16x2.ts.
const QS8_RELU = 1;
const QS8_FLOAT_OUT = 2;

/** Copies `bytes` of an int8/uint8 array from `offset` into the arena; returns the pointer. */
function copyBytes(arena: Arena, src: Int8Array | Uint8Array, offset: number, bytes: number): number {
  const ptr = arena.alloc(Math.max(bytes, 16));
  arena.u8(ptr, bytes).set(new Uint8Array(src.buffer, src.byteOffset + offset, bytes));
  return ptr;
}

/** Packed weights copied into scratch memory (when they could not be pinned). */
export function packedWeightsPtr(arena: Arena, w: Qs8PackedWeights): number {
  const ptr = arena.alloc(Math.max(w.data.length * 2, 16));
  arena.i16(ptr, w.data.length).set(w.data);
  return ptr;
}

export function wasmQs8Kernels(x: Qs8KernelExports & { memory: WebAssembly.Memory }, arena: Arena):
    Pick<CompressKernels, "qs8PackB" | "qs8Gemm" | "qs8GemmF32"> {
  const nPad = (n: number) => Math.ceil(n / QS8_NR) * QS8_NR;

  /** Runs qs8_gemm with everything copied in; returns C's pointer (valid until the reset). */
  function run(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights, pinned: number | null,
               bias: Int32Array | null | undefined, scale: Float32Array | null, flags: number): number {
    const aPtr = copyBytes(arena, a.data, a.offset, k > 0 ? (m - 1) * a.rowStride + k : 0);
    const wPtr = pinned ?? packedWeightsPtr(arena, w);
    // Bias and scale are read 8 at a time, so both are padded to whole panels.
    const biasPtr = arena.alloc(nPad(n) * 4);
    const b = arena.i32(biasPtr, nPad(n));
    b.fill(0);
    if (bias) b.set(bias.subarray(0, n));
    const scalePtr = arena.alloc(nPad(n) * 4);
    if (scale) arena.f32(scalePtr, nPad(n)).set(scale);
    const cPtr = arena.alloc(m * n * 4);
    const work = arena.alloc(x.qs8_gemm_workspace(m, n, k));
    x.qs8_gemm(m, n, k, aPtr, a.rowStride, qs8IsSigned(a.data) ? 1 : 0, a.zeroPoint,
               wPtr, cPtr, n, biasPtr, scalePtr, flags, work);
    return cPtr;
  }

  return {
    qs8PackB(k: number, n: number, b: Qs8Weights): Qs8PackedWeights {
      const size = x.qs8_packw_gemm_size(k, n);
      const data = new Int16Array(size / 2);
      if (k === 0 || n === 0) return { k, n, data };
      const mark = arena.mark();
      try {
        const bPtr = copyBytes(arena, b.data, b.offset, (k - 1) * b.rowStride + (n - 1) * b.colStride + 1);
        const perColumn = typeof b.zeroPoint !== "number";
        const zpPtr = arena.alloc(perColumn ? n * 4 : 4);
        const zp = arena.i32(zpPtr, perColumn ? n : 1);
        if (typeof b.zeroPoint === "number") zp[0] = b.zeroPoint;
        else for (let j = 0; j < n; j++) zp[j] = b.zeroPoint[j];
        const out = arena.alloc(size);
        x.qs8_packw_gemm(k, n, bPtr, b.rowStride, b.colStride, qs8IsSigned(b.data) ? 1 : 0,
                         zpPtr, perColumn ? 1 : 0, out);
        data.set(arena.i16(out, size / 2));
        return { k, n, data };
      } finally {
        arena.reset(mark);
      }
    },

    qs8Gemm(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
            c: Int32Array, cOffset: number, options: Qs8GemmOptions = {}): void {
      if (m === 0 || n === 0) return;
      const pinned = arena.pin(w, w.data);
      const mark = arena.mark();
      try {
        const cPtr = run(m, n, k, a, w, pinned, options.bias, null, options.relu ? QS8_RELU : 0);
        c.set(arena.i32(cPtr, m * n), cOffset);
      } finally {
        arena.reset(mark);
      }
    },

    qs8GemmF32(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
               c: Float32Array, cOffset: number, options: Qs8RequantOptions): void {
      if (m === 0 || n === 0) return;
      const pinned = arena.pin(w, w.data);
      const mark = arena.mark();
      try {
        const flags = QS8_FLOAT_OUT | (options.relu ? QS8_RELU : 0);
        const cPtr = run(m, n, k, a, w, pinned, options.bias, qs8OutputScale(n, options), flags);
        c.set(arena.f32(cPtr, m * n), cOffset);
      } finally {
        arena.reset(mark);
      }
    },
  };
}
