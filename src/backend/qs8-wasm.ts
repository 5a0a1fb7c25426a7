import { withScratch, type Arena } from "./arena.js";
import { pin } from "./arena-pins.js";
import { QS8_FLOAT_OUT, QS8_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import type { CompressKernels } from "./kernels.js";
import { QS8_GEMM } from "./manifest.js";
import { qs8GemmSplit } from "./parallel-qs8.js";
import {
  qs8IsSigned, qs8OutputScale, qs8PackedLength, type Qs8GemmOptions, type Qs8Matrix, type Qs8PackedWeights,
  type Qs8RequantOptions, type Qs8Weights,
} from "./qs8-types.js";

/** Copies `bytes` of an int8/uint8 array from `offset` into the arena; returns the pointer. */
function copyBytes(arena: Arena, src: Int8Array | Uint8Array, offset: number, bytes: number): number {
  const ptr = arena.alloc(bytes);
  arena.u8(ptr, bytes).set(new Uint8Array(src.buffer, src.byteOffset + offset, bytes));
  return ptr;
}

/** Packed weights copied into scratch memory (when they could not be pinned). */
export function packedWeightsPtr(arena: Arena, w: Qs8PackedWeights): number {
  const ptr = arena.alloc(w.data.length * 2);
  arena.i16(ptr, w.data.length).set(w.data);
  return ptr;
}

const nPad = (n: number) => Math.ceil(n / QS8_GEMM.NR) * QS8_GEMM.NR;

/** Runs qs8_gemm on packed weights at wPtr, A copied in; returns C's pointer (valid until the reset). */
function runQs8Gemm(wasm: KernelExports, arena: Arena, m: number, n: number, k: number, a: Qs8Matrix, wPtr: number,
                    bias: Int32Array | null | undefined, scale: Float32Array | null, flags: number): number {
  const aPtr = copyBytes(arena, a.data, a.offset, k > 0 ? (m - 1) * a.rowStride + k : 0);
  // Bias and scale are read 8 at a time, so both are padded to whole panels.
  const biasPtr = arena.alloc(nPad(n) * 4);
  const b = arena.i32(biasPtr, nPad(n));
  b.fill(0);
  if (bias) b.set(bias.subarray(0, n));
  const scalePtr = arena.alloc(nPad(n) * 4);
  if (scale) arena.f32(scalePtr, nPad(n)).set(scale);
  const cPtr = arena.alloc(m * n * 4);
  qs8GemmSplit(wasm, arena, { m, n, k, a: aPtr, aRowStride: a.rowStride, aSigned: qs8IsSigned(a.data) ? 1 : 0,
                              aZero: a.zeroPoint, w: wPtr, c: cPtr, cRowStride: n, bias: biasPtr, scale: scalePtr, flags });
  return cPtr;
}

/**
 * Packs B into scratch with qs8_packw_gemm (widened, zero points off, in the micro-kernel's
 * layout); returns the packed block's pointer, valid until the scratch is reset.
 */
function packInScratch(wasm: KernelExports, arena: Arena, k: number, n: number, b: Qs8Weights): number {
  const bPtr = copyBytes(arena, b.data, b.offset, (k - 1) * b.rowStride + (n - 1) * b.colStride + 1);
  const perColumn = typeof b.zeroPoint !== "number";
  const zpPtr = arena.alloc(perColumn ? n * 4 : 4);
  const zp = arena.i32(zpPtr, perColumn ? n : 1);
  if (typeof b.zeroPoint === "number") zp[0] = b.zeroPoint;
  else for (let j = 0; j < n; j++) zp[j] = b.zeroPoint[j];
  const out = arena.alloc(qs8PackedLength(k, n) * 2);
  wasm.qs8_packw_gemm(k, n, bPtr, b.rowStride, b.colStride, qs8IsSigned(b.data) ? 1 : 0,
                      zpPtr, perColumn ? 1 : 0, out);
  return out;
}

export function wasmQs8Kernels(wasm: KernelExports, arena: Arena):
    Pick<CompressKernels, "qs8PackB" | "qs8Gemm" | "qs8GemmUnpacked" | "qs8GemmF32"> {
  const run = (m: number, n: number, k: number, a: Qs8Matrix, wPtr: number, bias: Int32Array | null | undefined,
               scale: Float32Array | null, flags: number) => runQs8Gemm(wasm, arena, m, n, k, a, wPtr, bias, scale, flags);
  return {
    qs8PackB(k: number, n: number, b: Qs8Weights): Qs8PackedWeights {
      const data = new Int16Array(qs8PackedLength(k, n));
      if (k === 0 || n === 0) return { k, n, data };
      return withScratch(arena, () => {
        data.set(arena.i16(packInScratch(wasm, arena, k, n, b), data.length));
        return { k, n, data };
      });
    },

    qs8GemmUnpacked(m: number, n: number, k: number, a: Qs8Matrix, b: Qs8Weights,
                    c: Int32Array | null, cOffset: number, options: Qs8GemmOptions = {}): Int32Array {
      if (m === 0 || n === 0) return c ?? new Int32Array(0);
      return withScratch(arena, () => {
        // k = 0: nothing to pack (no B bytes to copy); the kernel reads no weights then.
        const wPtr = k > 0 ? packInScratch(wasm, arena, k, n, b) : 0;
        const cPtr = run(m, n, k, a, wPtr, options.bias, null, options.relu ? QS8_RELU : 0);
        if (c === null) return new Int32Array(arena.i32(cPtr, m * n));
        c.set(arena.i32(cPtr, m * n), cOffset);
        return c;
      });
    },

    qs8Gemm(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
            c: Int32Array, cOffset: number, options: Qs8GemmOptions = {}): void {
      if (m === 0 || n === 0) return;
      const pinned = pin(arena, w, w.data);
      withScratch(arena, () => {
        const cPtr = run(m, n, k, a, pinned ?? packedWeightsPtr(arena, w), options.bias, null,
                         options.relu ? QS8_RELU : 0);
        c.set(arena.i32(cPtr, m * n), cOffset);
      });
    },

    qs8GemmF32(m: number, n: number, k: number, a: Qs8Matrix, w: Qs8PackedWeights,
               c: Float32Array, cOffset: number, options: Qs8RequantOptions): void {
      if (m === 0 || n === 0) return;
      const pinned = pin(arena, w, w.data);
      withScratch(arena, () => {
        const flags = QS8_FLOAT_OUT | (options.relu ? QS8_RELU : 0);
        const cPtr = run(m, n, k, a, pinned ?? packedWeightsPtr(arena, w), options.bias,
                         qs8OutputScale(n, options), flags);
        c.set(arena.f32(cPtr, m * n), cOffset);
      });
    },
  };
}
