// Splitting one f32_gemm_batch call into per-thread calls on disjoint tiles of C. Each thread
// runs the unchanged kernel on its window — a range of batch items, of column panels or of row
// panels — with its own workspace, so every element of C is computed by exactly the same
// instructions in the same order as in the one-thread call (the k blocking depends on k alone):
// results are bit-identical for any thread count. The k-sum is never split.
import type { Arena } from "./arena.js";
import type { KernelExports } from "./kernel-exports.js";
import { F32_GEMM } from "./manifest.js";
import { partCount, ranges } from "./parallel-split.js";
import type { ThreadPool } from "./thread-pool.js";

/** The arguments of f32_gemm_batch but `work`, as byte pointers and element strides. */
export interface GemmCall {
  batch: number; m: number; n: number; k: number;
  a: number; aBatchStride: number; aRowStride: number; aColStride: number;
  b: number; bBatchStride: number; bRowStride: number; bColStride: number;
  c: number; cBatchStride: number; cRowStride: number;
  bias: number; flags: number;
}

/**
 * Below parallelGemm.minMacs multiply-adds a GEMM stays on the calling thread: waking a worker and waiting
 * for it costs about 15 µs (measured in Node 20, bench/threads-gemm.mjs), so a product must take
 * well over twice that for a share of it to pay.
 */
export const parallelGemm = {
  /** Multiply-adds (batch·m·n·k) from which a GEMM is split; tests set 0 to split every size. */
  minMacs: 1 << 20,
};

/** A tile of C: batch items t0..t1, rows i0..i1, columns j0..j1 (end-exclusive). */
export interface GemmTile { t0: number; t1: number; i0: number; i1: number; j0: number; j1: number }

/**
 * At most `threads` disjoint tiles covering a batch×m×n C. Batch items split first when there are
 * enough to balance (no operand is packed twice); otherwise the longer side of C splits in whole
 * micro-tile panels, columns when n ≥ m (each thread then packs all of A, the smaller operand,
 * and its own columns of B), rows otherwise.
 */
export function gemmTiles(batch: number, m: number, n: number, threads: number): GemmTile[] {
  if (batch >= threads && (batch % threads === 0 || batch >= 4 * threads)) {
    return ranges(batch, 1, threads).map(([t0, t1]) => ({ t0, t1, i0: 0, i1: m, j0: 0, j1: n }));
  }
  if (n >= m) return ranges(n, F32_GEMM.NR, threads).map(([j0, j1]) => ({ t0: 0, t1: batch, i0: 0, i1: m, j0, j1 }));
  return ranges(m, F32_GEMM.MR, threads).map(([i0, i1]) => ({ t0: 0, t1: batch, i0, i1, j0: 0, j1: n }));
}

/** Per-thread calls covering `call`'s C in at most `threads` disjoint tiles (gemmTiles). */
export function splitGemm(call: GemmCall, threads: number): GemmCall[] {
  return gemmTiles(call.batch, call.m, call.n, threads).map(({ t0, t1, i0, i1, j0, j1 }) => ({
    ...call, batch: t1 - t0, m: i1 - i0, n: j1 - j0,
    a: call.a + 4 * (t0 * call.aBatchStride + i0 * call.aRowStride),
    b: call.b + 4 * (t0 * call.bBatchStride + j0 * call.bColStride),
    c: call.c + 4 * (t0 * call.cBatchStride + i0 * call.cRowStride + j0),
    bias: call.bias === 0 ? 0 : call.bias + 4 * j0,
  }));
}

/** f32_gemm_batch's argument list for `call` with workspace `work`. */
export function gemmArgs(c: GemmCall, work: number): number[] {
  return [c.batch, c.m, c.n, c.k, c.a, c.aBatchStride, c.aRowStride, c.aColStride,
          c.b, c.bBatchStride, c.bRowStride, c.bColStride, c.c, c.cBatchStride, c.cRowStride, c.bias, c.flags, work];
}

/**
 * The pool's GEMM runner: splits a call worth a dispatch into disjoint tiles of C, one per
 * thread, each with its own workspace in the arena (workers never allocate), and runs them.
 * Returns false, having run nothing, for a call that belongs on the calling thread.
 */
export function gemmOnPool(pool: ThreadPool): (wasm: KernelExports, arena: Arena, call: GemmCall) => boolean {
  return (wasm, arena, call) => {
    if (pool.threads < 2 || call.batch * call.m * call.n * call.k < parallelGemm.minMacs) return false;
    const parts = splitGemm(call, partCount(pool, 1));
    if (parts.length < 2) return false;
    const bytes = Math.max(...parts.map((p) => wasm.f32_gemm_workspace(p.m, p.n, p.k)));
    const work = arena.alloc(bytes * parts.length);
    pool.run(wasm, "f32_gemm_batch", parts.map((p, t) => gemmArgs(p, work + t * bytes)));
    return true;
  };
}
