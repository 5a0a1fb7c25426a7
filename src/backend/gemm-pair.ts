// Two independent float32 products at once: on the pool side by side when the active backend has
// one and they are worth it (parallel-gemm-pair.ts, loaded with the pool), else one after the
// other on the calling thread. Either way each C is the one-thread kernel's, bit for bit.
import { activeThreading, kernelFamily, kernels, type KernelFamily } from "./init.js";
import type { GemmProduct } from "./threads.js";

type PairOnPool = (first: GemmProduct, second: GemmProduct) => boolean;

const pairFamily: KernelFamily<PairOnPool | null> = {
  js: null,
  wasm(exports, arena) {
    const op = activeThreading()?.gemmPair;
    return op ? (first, second) => op(exports, arena, first, second) : null;
  },
  exports: ["f32_gemm_batch"],
};

/** first.c = first.a·first.b and second.c = second.a·second.b. */
export function gemmPair(first: GemmProduct, second: GemmProduct): void {
  if (kernelFamily(pairFamily)?.(first, second)) return;
  for (const p of [first, second]) kernels().f32Gemm(p.m, p.n, p.k, p.a, p.b, p.c, 0, {});
}
