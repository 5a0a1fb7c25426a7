// The CSR sparse product Y = X·Wᵀ split over the pool by rows of X and Y: each thread
// transposes and multiplies its own rows. An element's sum runs over W's row in stored order
// whatever rows a thread has: the bits of one thread.
import type { Arena } from "./arena.js";
import type { KernelExports } from "./kernel-exports.js";
import { partCount, perThread, ranges, threadPool } from "./parallel-split.js";

export const parallelSpmm = {
  /** Multiply-adds (m · nonzeros) from which a product is split. Tests set 0 to split every size. */
  minMacs: 1 << 20,
};

/**
 * f32_spmm(m, n, k, x, rowPtr, colIdx, values, bias, y, flags, work) on the calling thread, or
 * over the pool in ranges of whole 4-row groups (the kernel's vector width) when worth it.
 */
export function spmmSplit(wasm: KernelExports, arena: Arena, m: number, n: number, k: number, nnz: number,
                          x: number, csr: readonly [number, number, number], bias: number, y: number, flags: number): void {
  const pool = threadPool();
  const parts = pool === null || m * nnz < parallelSpmm.minMacs ? [[0, m]] : ranges(m, 4, partCount(pool, 1));
  if (parts.length < 2) {
    wasm.f32_spmm(m, n, k, x, ...csr, bias, y, flags, arena.alloc(wasm.f32_spmm_workspace(m, n, k)));
    return;
  }
  const work = perThread(arena, Math.max(...parts.map(([i0, i1]) => wasm.f32_spmm_workspace(i1 - i0, n, k))), parts.length);
  pool!.run(wasm, "f32_spmm", parts.map(([i0, i1], t) =>
    [i1 - i0, n, k, x + 4 * i0 * k, ...csr, bias, y + 4 * i0 * n, flags, work.base + t * work.stride]));
}
