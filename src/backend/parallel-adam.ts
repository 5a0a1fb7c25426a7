// The Adam update split over the pool: each thread updates its own range of the parameter
// tensor. The update is elementwise, so any split gives the bits of one thread.
import type { KernelExports } from "./kernel-exports.js";
import { partCount, ranges, threadPool } from "./parallel-split.js";

export const parallelAdam = {
  /**
   * Elements from which an update is split. One element costs about 0.7 ns (a float32 division
   * and square root per four), a dispatch about 15 µs: below some 10^4 elements the split cannot pay.
   * Tests set 0 to split every size.
   */
  minElements: 1 << 14,
};

/**
 * f32_adam(n, ...pointers, ...constants) on the calling thread, or over the pool in one range per
 * thread of whole 4-element groups (each range but the last of even length, as the kernel's pairs
 * need; the last one's pair may reach the caller's padding float, as the whole call's does).
 * pointers: param, grad, m, v, vMax, mOut, vOut, vMaxOut (0 for an absent buffer), each offset to
 * its range.
 *
 * One range per thread, not more for balance: with two threads part 0 is always the caller's and
 * part 1 the worker's, so each thread updates the same range at every step and the moments, which
 * nothing but this update touches, stay in that thread's core. Taken by whichever thread came
 * first, half of them moved between the cores every step: on a host whose two vCPUs sit far
 * apart that made the MLP step's kernels on 2 threads as slow as on one (bench/RESULTS-threads.md).
 */
export function runAdam(wasm: KernelExports, n: number, pointers: readonly number[], constants: readonly number[]): void {
  const pool = threadPool();
  if (pool === null || n < parallelAdam.minElements) {
    (wasm.f32_adam as (...args: number[]) => void)(n, ...pointers, ...constants);
    return;
  }
  const parts = ranges(n, 4, partCount(pool, 1)).map(([i0, i1]) =>
    [i1 - i0, ...pointers.map((p) => (p === 0 ? 0 : p + 4 * i0)), ...constants]);
  pool.run(wasm, "f32_adam", parts);
}
