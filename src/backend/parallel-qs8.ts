// The int8 kernels split over the pool, by output only: qs8_gemm by rows of C (each thread
// widens only its rows of A) or, for few rows, by 8-column panels of C; qs8_conv2d by images.
// An output element is computed by the same instructions in the same order whatever the tile,
// and the arithmetic is integer until the one float epilogue per element: the bits of one thread.
import type { Arena } from "./arena.js";
import type { KernelExports } from "./kernel-exports.js";
import { QS8_GEMM } from "./manifest.js";
import { batchParts, partCount, perThread, ranges, threadPool } from "./parallel-split.js";

export const parallelQs8 = {
  /** Multiply-adds from which a call is split (as the f32 GEMM's). Tests set 0 to split every size. */
  minMacs: 1 << 20,
};

/** qs8_gemm's arguments but `work`: byte pointers, A's row stride in bytes, C's in elements. */
export interface Qs8GemmCall {
  m: number; n: number; k: number; a: number; aRowStride: number; aSigned: number; aZero: number;
  w: number; c: number; cRowStride: number; bias: number; scale: number; flags: number;
}

const args = (c: Qs8GemmCall, work: number) =>
  [c.m, c.n, c.k, c.a, c.aRowStride, c.aSigned, c.aZero, c.w, c.c, c.cRowStride, c.bias, c.scale, c.flags, work];

/** Per-thread calls covering `call`'s C in disjoint tiles: row panels, or column panels when rows are too few. */
function splitQs8Gemm(call: Qs8GemmCall, threads: number): Qs8GemmCall[] {
  const { MR, NR } = QS8_GEMM;
  if (Math.ceil(call.m / MR) >= 2 * threads || call.m >= call.n) {
    return ranges(call.m, MR, threads).map(([i0, i1]) => ({
      ...call, m: i1 - i0, a: call.a + i0 * call.aRowStride, c: call.c + 4 * i0 * call.cRowStride,
    }));
  }
  const panelBytes = ((call.k + 1) & ~1) * 2 * NR;
  const offset = (p: number, j0: number) => (p === 0 ? 0 : p + 4 * j0);
  return ranges(call.n, NR, threads).map(([j0, j1]) => ({
    ...call, n: j1 - j0, w: call.w + (j0 / NR) * panelBytes, c: call.c + 4 * j0,
    bias: offset(call.bias, j0), scale: offset(call.scale, j0),
  }));
}

/** qs8_gemm on the calling thread, or split over the pool when worth it (workspace allocated here). */
export function qs8GemmSplit(wasm: KernelExports, arena: Arena, call: Qs8GemmCall): void {
  const pool = threadPool();
  const parts = pool === null || call.m * call.n * call.k < parallelQs8.minMacs ? [call] : splitQs8Gemm(call, partCount(pool, 1));
  if (parts.length < 2) {
    (wasm.qs8_gemm as (...a: number[]) => void)(...args(call, arena.alloc(wasm.qs8_gemm_workspace(call.m, call.n, call.k))));
    return;
  }
  const work = perThread(arena, Math.max(...parts.map((p) => wasm.qs8_gemm_workspace(p.m, p.n, p.k))), parts.length);
  pool!.run(wasm, "qs8_gemm", parts.map((p, t) => args(p, work.base + t * work.stride)));
}

/**
 * qs8_conv2d(geometry, x, xSigned, xZero, w, bias, scale, y, flags, work) on the calling thread,
 * or split by images over the pool when worth it. xImage: bytes of one input image; yImage: of one output image.
 */
export function qs8ConvSplit(wasm: KernelExports, arena: Arena, geometry: number, macs: number,
                           xImage: number, yImage: number, a: readonly number[]): void {
  const [x, xSigned, xZero, w, bias, scale, y, flags] = a;
  const pool = threadPool();
  const batch = arena.i32(geometry, 1)[0];
  if (pool === null || batch < 2 || macs < parallelQs8.minMacs) {
    wasm.qs8_conv2d(geometry, x, xSigned, xZero, w, bias, scale, y, flags, arena.alloc(wasm.qs8_conv2d_workspace(geometry)));
    return;
  }
  const parts = batchParts(arena, geometry, partCount(pool, 1));
  const work = perThread(arena, wasm.qs8_conv2d_workspace(parts[0].geometry), parts.length);
  pool.run(wasm, "qs8_conv2d", parts.map((p, t) =>
    [p.geometry, x + p.b0 * xImage, xSigned, xZero, w, bias, scale, y + p.b0 * yImage, flags, work.base + t * work.stride]));
}
