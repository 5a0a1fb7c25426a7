// Two independent GEMMs as one pool job. A linear layer's backward makes dx = g·W and dW = gᵀ·x
// from the same g, with the same number of multiply-adds; in the Fashion-MNIST MLP's middle layer
// each is 2.1 M. Split one after the other, each becomes two parts too small to pay for a dispatch
// and for packing its shared operand twice (1.2× on 2 threads alone, 0.8–1.0× inside training:
// bench/RESULTS-threads.md). Side by side, one product per thread, they need one dispatch and pack
// nothing twice. Each product is the one-thread kernel call on its whole C, or with more threads
// splitGemm's tiles of it, so the bits are those of one thread.
import { withScratch, type Arena } from "./arena.js";
import { copyWindow, outputPtr } from "./gemm-windows.js";
import type { KernelExports } from "./kernel-exports.js";
import { residentOffset } from "./resident.js";
import { gemmArgs, parallelGemm, splitGemm, type GemmCall } from "./parallel-gemm.js";
import type { ThreadPool } from "./thread-pool.js";
import type { GemmProduct, Threading } from "./threads.js";

/** When two products are run side by side rather than each on its own. */
export const gemmPairing = {
  /** Largest ratio of the two products' multiply-adds: past it one thread would wait for the other. */
  maxImbalance: 2,
};

const macs = (p: GemmProduct) => p.m * p.n * p.k;

/** Bytes that `p`'s operand windows and C may take in the arena (whole spans: copyWindow copies at most those). */
function bytesPlaced(p: GemmProduct): number {
  const span = (x: GemmProduct["a"], rows: number, cols: number) => (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;
  return 4 * (span(p.a, p.m, p.k) + span(p.b, p.k, p.n) + p.m * p.n) + 3 * 64;
}

/** Copies `p`'s operands into the arena and makes room for its C: the kernel call on them. */
function place(arena: Arena, p: GemmProduct): GemmCall {
  const a = copyWindow(arena, { ...p.a, batchStride: 0 }, 1, p.m, p.k);
  const b = copyWindow(arena, { ...p.b, batchStride: 0 }, 1, p.k, p.n);
  const c = outputPtr(arena, p.c, 0, p.m * p.n, false);
  return {
    batch: 1, m: p.m, n: p.n, k: p.k,
    a: a.ptr, aBatchStride: 0, aRowStride: a.rowStride, aColStride: a.colStride,
    b: b.ptr, bBatchStride: 0, bRowStride: b.rowStride, bColStride: b.colStride,
    c, cBatchStride: p.m * p.n, cRowStride: p.n, bias: 0, flags: 0,
  };
}

/** The pooled pair op (Threading.gemmPair) for `pool`. */
export function gemmPairOnPool(pool: ThreadPool): NonNullable<Threading["gemmPair"]> {
  return (wasm: KernelExports, arena: Arena, first: GemmProduct, second: GemmProduct): boolean => {
    const small = Math.min(macs(first), macs(second)), large = Math.max(macs(first), macs(second));
    if (pool.threads < 2 || small === 0 || small + large < parallelGemm.minMacs || large > gemmPairing.maxImbalance * small) return false;
    withScratch(arena, () => {
      // The first product on the calling thread and, with 3 threads or more, on workers too; the
      // second on the other workers. With 2 threads the first's copies wait until the worker runs.
      const firstThreads = Math.ceil(pool.threads / 2);
      const secondCall = place(arena, second);
      const earlyFirst = firstThreads > 1 ? place(arena, first) : null;
      const workBytes = (c: GemmCall) => wasm.f32_gemm_workspace(c.m, c.n, c.k);
      const secondTiles = splitGemm(secondCall, pool.threads - firstThreads);
      const firstTiles = earlyFirst ? splitGemm(earlyFirst, firstThreads) : [];
      const workers = [...firstTiles.slice(1), ...secondTiles].map((t) => gemmArgs(t, arena.alloc(workBytes(t))));
      // The caller's copies happen during the job, when the memory must not grow (the caller grows
      // it before, docs/ARCHITECTURE.md): room for them is made now.
      let lateFirst: GemmCall | null = null;
      const lateBytes = earlyFirst ? 0 : bytesPlaced(first) + wasm.f32_gemm_workspace(first.m, first.n, first.k) + 64;
      const mark = arena.mark();
      arena.alloc(lateBytes);
      arena.reset(mark);
      const own = (): number[] => {
        const call = earlyFirst ? firstTiles[0] : (lateFirst = place(arena, first));
        return gemmArgs(call, arena.alloc(workBytes(call)));
      };
      pool.run(wasm, "f32_gemm_batch", [own, ...workers]);
      const firstC = (earlyFirst ?? lateFirst)!;
      // A resident C (fit's batches, resident.ts) was written where it is.
      if (residentOffset(first.c, arena) < 0) first.c.set(arena.f32(firstC.c, first.m * first.n));
      if (residentOffset(second.c, arena) < 0) second.c.set(arena.f32(secondCall.c, second.m * second.n));
    });
    return true;
  };
}
