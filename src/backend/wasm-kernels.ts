import { Arena } from "./arena.js";
import type { BackendName, GemmOptions, Kernels, StridedMatrix } from "./kernels.js";
import { wasmQs8Kernels, type Qs8KernelExports } from "./qs8-wasm.js";

/** The raw exports of an edgegrad kernel module (assembly/index.ts). Pointers are bytes. */
export interface KernelExports extends Qs8KernelExports {
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

/** Copies the span of `m` that a strided rows×cols window touches; returns the byte pointer of (0,0). */
function copyWindow(arena: Arena, m: StridedMatrix, rows: number, cols: number): number {
  const span = (rows - 1) * m.rowStride + (cols - 1) * m.colStride + 1;
  const ptr = arena.alloc(span * 4);
  arena.f32(ptr, span).set(m.data.subarray(m.offset, m.offset + span));
  return ptr;
}

export function wasmKernels(exports: KernelExports): Kernels & { arena: Arena } {
  const arena = new Arena(exports.memory, exports.heap_base());
  const name: BackendName = exports.kernel_isa() === 1 ? "wasm-relaxed-simd" : "wasm-simd";
  return {
    name,
    arena,
    ...wasmQs8Kernels(exports, arena),
    f32Gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix,
            c: Float32Array, cOffset: number, options: GemmOptions = {}): void {
      if (m === 0 || n === 0) return;
      const mark = arena.mark();
      try {
        const { bias = null, relu = false, accumulate = false } = options;
        // k = 0 still defines C (bias or zeros): give the kernel a valid, empty window.
        const aPtr = k > 0 ? copyWindow(arena, a, m, k) : arena.alloc(16);
        const bPtr = k > 0 ? copyWindow(arena, b, k, n) : arena.alloc(16);
        const cPtr = arena.alloc(m * n * 4);
        if (accumulate) arena.f32(cPtr, m * n).set(c.subarray(cOffset, cOffset + m * n));
        const biasPtr = bias ? arena.copyIn(bias.subarray(0, n)) : 0;
        const work = arena.alloc(exports.f32_gemm_workspace(m, n, k));
        const flags = (relu ? GEMM_RELU : 0) | (accumulate ? GEMM_ACCUMULATE : 0);
        exports.f32_gemm(m, n, k, aPtr, a.rowStride, a.colStride, bPtr, b.rowStride, b.colStride,
                         cPtr, n, biasPtr, flags, work);
        c.set(arena.f32(cPtr, m * n), cOffset);
      } finally {
        arena.reset(mark);
      }
    },
  };
}
