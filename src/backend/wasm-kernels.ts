import { Arena, withScratch } from "./arena.js";
import { copyWindow, type ArenaWindow } from "./gemm-windows.js";
import { GEMM_ACCUMULATE, GEMM_RELU, ISA_RELAXED_SIMD } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import { residentOffset } from "./resident.js";
import type { BackendName, GemmOptions, Kernels, StridedBatch, StridedMatrix } from "./kernels.js";
import type { Threading } from "./threads.js";

const EMPTY: ArenaWindow = { ptr: 0, batchStride: 0, rowStride: 0, colStride: 0 };

/** The core table on a kernel module; `threading`: the pool sharing its memory (threaded build), if any. */
export function wasmKernels(wasm: KernelExports, threading: Threading | null = null): Kernels & { arena: Arena } {
  const arena = new Arena(wasm.memory, wasm.heap_base());
  const name: BackendName = wasm.kernel_isa() === ISA_RELAXED_SIMD ? "wasm-relaxed-simd" : "wasm-simd";

  /** C_t = A_t·B_t for t < batch through one call of f32_gemm_batch. */
  function gemm(batch: number, m: number, n: number, k: number, a: StridedBatch, b: StridedBatch,
                c: Float32Array, cOffset: number, options: GemmOptions): void {
    if (batch === 0 || m === 0 || n === 0) return;
    // With a pool, the whole op (its copies too) is offered to it: split if large enough.
    if (threading?.gemmOp?.(wasm, arena, batch, m, n, k, a, b, c, cOffset, options)) return;
    withScratch(arena, () => {
      const { bias = null, relu = false, accumulate = false } = options;
      const size = batch * m * n;
      // k = 0 still defines C (bias or zeros); the kernel then reads no A or B at all.
      const aw = k > 0 ? copyWindow(arena, a, batch, m, k) : EMPTY;
      const bw = k > 0 ? copyWindow(arena, b, batch, k, n) : EMPTY;
      // C is written where it is when resident (fit's batches, resident.ts): outputPtr's rule,
      // spelled out here because this is the tensor core's one GEMM and every byte of it ships.
      const resident = residentOffset(c, arena);
      const cPtr = resident >= 0 ? resident + 4 * cOffset : arena.alloc(size * 4);
      if (accumulate && resident < 0) arena.f32(cPtr, size).set(c.subarray(cOffset, cOffset + size));
      const biasPtr = bias ? arena.copyIn(bias.subarray(0, n)) : 0;
      const flags = (relu ? GEMM_RELU : 0) | (accumulate ? GEMM_ACCUMULATE : 0);
      const work = arena.alloc(wasm.f32_gemm_workspace(m, n, k));
      wasm.f32_gemm_batch(batch, m, n, k, aw.ptr, aw.batchStride, aw.rowStride, aw.colStride,
                          bw.ptr, bw.batchStride, bw.rowStride, bw.colStride, cPtr, m * n, n, biasPtr, flags, work);
      if (resident < 0) c.set(arena.f32(cPtr, size), cOffset);
    });
  }

  return {
    name,
    arena,
    f32Gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix,
            c: Float32Array, cOffset: number, options: GemmOptions = {}): void {
      // Passed as is, not spread into a new object (a spread per call cost ~15% at 64³);
      // copyWindow reads no batchStride when batch is 1.
      gemm(1, m, n, k, a as StridedBatch, b as StridedBatch, c, cOffset, options);
    },
    f32GemmBatch(batch: number, m: number, n: number, k: number, a: StridedBatch, b: StridedBatch,
                 c: Float32Array, cOffset: number, options: GemmOptions = {}): void {
      gemm(batch, m, n, k, a, b, c, cOffset, options);
    },
  };
}
