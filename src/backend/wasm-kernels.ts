import { Arena, withScratch } from "./arena.js";
import { GEMM_ACCUMULATE, GEMM_RELU, ISA_RELAXED_SIMD } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import type { BackendName, GemmOptions, Kernels, StridedBatch, StridedMatrix } from "./kernels.js";
import type { Threading } from "./threads.js";

/** A copied operand in the arena: byte pointer of matrix 0's element (0,0), strides in elements. */
interface ArenaWindow { ptr: number; batchStride: number; rowStride: number; colStride: number }

/**
 * Copies the elements a batch of strided rows×cols windows touches into the arena. A dense batch
 * (span at most twice its size: contiguous, transposed, padded, broadcast) is copied as one span
 * — a memcpy — and keeps its strides, since the kernel's packing reads any strides at full speed.
 * A sparse one (column slices of a wide matrix, a strided batch) is compacted line by line along
 * its unit stride, so it costs batch·rows·cols, not its span.
 */
function copyWindow(arena: Arena, m: StridedBatch, batch: number, rows: number, cols: number): ArenaWindow {
  const bs = batch > 1 ? m.batchStride : 0;
  const span = (batch - 1) * bs + (rows - 1) * m.rowStride + (cols - 1) * m.colStride + 1;
  const copies = bs === 0 ? 1 : batch, size = rows * cols;
  if (span > 2 * copies * size && (m.colStride === 1 || m.rowStride === 1)) {
    const byRows = m.colStride === 1;
    const lines = byRows ? rows : cols, len = byRows ? cols : rows, step = byRows ? m.rowStride : m.colStride;
    const ptr = arena.alloc(copies * size * 4);
    const dst = arena.f32(ptr, copies * size);
    for (let t = 0; t < copies; t++) {
      for (let l = 0; l < lines; l++) {
        const src = m.offset + t * bs + l * step;
        dst.set(m.data.subarray(src, src + len), t * size + l * len);
      }
    }
    const batchStride = bs === 0 ? 0 : size;
    return byRows ? { ptr, batchStride, rowStride: cols, colStride: 1 } : { ptr, batchStride, rowStride: 1, colStride: rows };
  }
  const ptr = arena.alloc(span * 4);
  arena.f32(ptr, span).set(m.data.subarray(m.offset, m.offset + span));
  return { ptr, batchStride: bs, rowStride: m.rowStride, colStride: m.colStride };
}

const EMPTY: ArenaWindow = { ptr: 0, batchStride: 0, rowStride: 0, colStride: 0 };

/** The core table on a kernel module; `threading`: the pool sharing its memory (threaded build), if any. */
export function wasmKernels(wasm: KernelExports, threading: Threading | null = null): Kernels & { arena: Arena } {
  const arena = new Arena(wasm.memory, wasm.heap_base());
  const name: BackendName = wasm.kernel_isa() === ISA_RELAXED_SIMD ? "wasm-relaxed-simd" : "wasm-simd";

  /** C_t = A_t·B_t for t < batch through one call of f32_gemm_batch. */
  function gemm(batch: number, m: number, n: number, k: number, a: StridedBatch, b: StridedBatch,
                c: Float32Array, cOffset: number, options: GemmOptions): void {
    if (batch === 0 || m === 0 || n === 0) return;
    withScratch(arena, () => {
      const { bias = null, relu = false, accumulate = false } = options;
      const size = batch * m * n;
      // k = 0 still defines C (bias or zeros); the kernel then reads no A or B at all.
      const aw = k > 0 ? copyWindow(arena, a, batch, m, k) : EMPTY;
      const bw = k > 0 ? copyWindow(arena, b, batch, k, n) : EMPTY;
      const cPtr = arena.alloc(size * 4);
      if (accumulate) arena.f32(cPtr, size).set(c.subarray(cOffset, cOffset + size));
      const biasPtr = bias ? arena.copyIn(bias.subarray(0, n)) : 0;
      const flags = (relu ? GEMM_RELU : 0) | (accumulate ? GEMM_ACCUMULATE : 0);
      // With a pool, the call is offered to it (split if large enough); one thread builds no call object.
      const pooled = threading?.gemm != null && threading.gemm(wasm, arena, {
        batch, m, n, k, a: aw.ptr, aBatchStride: aw.batchStride, aRowStride: aw.rowStride, aColStride: aw.colStride,
        b: bw.ptr, bBatchStride: bw.batchStride, bRowStride: bw.rowStride, bColStride: bw.colStride,
        c: cPtr, cBatchStride: m * n, cRowStride: n, bias: biasPtr, flags,
      });
      if (!pooled) {
        const work = arena.alloc(wasm.f32_gemm_workspace(m, n, k));
        wasm.f32_gemm_batch(batch, m, n, k, aw.ptr, aw.batchStride, aw.rowStride, aw.colStride,
                            bw.ptr, bw.batchStride, bw.rowStride, bw.colStride, cPtr, m * n, n, biasPtr, flags, work);
      }
      c.set(arena.f32(cPtr, size), cOffset);
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
