import { Arena } from "./arena.js";
import type { BackendName, GemmOptions, Kernels, StridedMatrix } from "./kernels.js";
import type { Qs8KernelExports } from "./qs8-wasm.js";
import type { CompressKernelExports } from "./compress-wasm.js";
import type { OptimKernelExports } from "./optim-kernels.js";

/** The raw exports of an edgegrad kernel module (assembly/index.ts). Pointers are bytes. */
export interface KernelExports extends Qs8KernelExports, CompressKernelExports, OptimKernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  kernel_isa(): number;
  f32_gemm_workspace(m: number, n: number, k: number): number;
  f32_gemm(m: number, n: number, k: number,
           a: number, aRowStride: number, aColStride: number,
           b: number, bRowStride: number, bColStride: number,
           c: number, cRowStride: number, bias: number, flags: number, work: number): void;
}

const GEMM_RELU = 1;
const GEMM_ACCUMULATE = 2;

/** A copied operand in the arena: byte pointer of element (0,0) and its strides in elements. */
interface ArenaWindow { ptr: number; rowStride: number; colStride: number }

/**
 * Copies the elements a strided rows×cols window touches into the arena. A dense window (span
 * at most twice its size: contiguous, transposed, padded) is copied as one span — a memcpy — and
 * keeps its strides, since the kernel's packing reads any strides at full speed. A sparse one (a
 * column slice of a wide matrix) is compacted line by line, so it costs rows·cols, not its span.
 */
function copyWindow(arena: Arena, m: StridedMatrix, rows: number, cols: number): ArenaWindow {
  const span = (rows - 1) * m.rowStride + (cols - 1) * m.colStride + 1;
  const size = rows * cols;
  if (span > 2 * size && (m.colStride === 1 || m.rowStride === 1)) {
    const byRows = m.colStride === 1;
    const lines = byRows ? rows : cols, len = byRows ? cols : rows, step = byRows ? m.rowStride : m.colStride;
    const ptr = arena.alloc(size * 4);
    const dst = arena.f32(ptr, size);
    for (let l = 0; l < lines; l++) dst.set(m.data.subarray(m.offset + l * step, m.offset + l * step + len), l * len);
    return byRows ? { ptr, rowStride: cols, colStride: 1 } : { ptr, rowStride: 1, colStride: rows };
  }
  const ptr = arena.alloc(span * 4);
  arena.f32(ptr, span).set(m.data.subarray(m.offset, m.offset + span));
  return { ptr, rowStride: m.rowStride, colStride: m.colStride };
}

const EMPTY: ArenaWindow = { ptr: 0, rowStride: 0, colStride: 0 };

export function wasmKernels(wasm: KernelExports): Kernels & { arena: Arena } {
  const arena = new Arena(wasm.memory, wasm.heap_base());
  const name: BackendName = wasm.kernel_isa() === 1 ? "wasm-relaxed-simd" : "wasm-simd";
  return {
    name,
    arena,
    f32Gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix,
            c: Float32Array, cOffset: number, options: GemmOptions = {}): void {
      if (m === 0 || n === 0) return;
      const mark = arena.mark();
      try {
        const { bias = null, relu = false, accumulate = false } = options;
        // k = 0 still defines C (bias or zeros); the kernel then reads no A or B at all.
        const aw = k > 0 ? copyWindow(arena, a, m, k) : EMPTY;
        const bw = k > 0 ? copyWindow(arena, b, k, n) : EMPTY;
        const cPtr = arena.alloc(m * n * 4);
        if (accumulate) arena.f32(cPtr, m * n).set(c.subarray(cOffset, cOffset + m * n));
        const biasPtr = bias ? arena.copyIn(bias.subarray(0, n)) : 0;
        const work = arena.alloc(wasm.f32_gemm_workspace(m, n, k));
        const flags = (relu ? GEMM_RELU : 0) | (accumulate ? GEMM_ACCUMULATE : 0);
        wasm.f32_gemm(m, n, k, aw.ptr, aw.rowStride, aw.colStride, bw.ptr, bw.rowStride, bw.colStride,
                         cPtr, n, biasPtr, flags, work);
        c.set(arena.f32(cPtr, m * n), cOffset);
      } finally {
        arena.reset(mark);
      }
    },
  };
}
