// What every parallel kernel shares: the pool of the active backend, how many parts to cut a job
// into, the even split of a count into whole units, and per-thread copies of a convolution's
// geometry for a range of images.
// Only types of the pool are imported: a program that never threads bundles none of its code.
import type { Arena } from "./arena.js";
import { activeThreadPool } from "./init.js";
import type { ThreadPool } from "./thread-pool.js";

/** The active pool when it has more than one thread, else null (run on the calling thread). */
export function threadPool(): ThreadPool | null {
  const pool = activeThreadPool();
  return pool !== null && pool.threads > 1 ? pool : null;
}

/**
 * The parts to cut a job into: `perThread` for each thread of the pool, but no more than one job
 * can hold (ThreadPool.maxParts: 64), which 4 parts a thread passes from 17 threads on. Every
 * splitter cuts by output (images, planes, tiles, ranges) and each element is computed by the
 * same instructions whichever part holds it, so fewer parts change no bit.
 */
export function partCount(pool: ThreadPool, perThread: number): number {
  return Math.min(perThread * pool.threads, pool.maxParts);
}

/** [start, end) ranges of 0..total in whole units, as even as units allow, at most `parts`, none empty. */
export function ranges(total: number, unit: number, parts: number): [number, number][] {
  const units = Math.ceil(total / unit);
  const count = Math.min(parts, units);
  const out: [number, number][] = [];
  for (let p = 0; p < count; p++) {
    const u0 = Math.floor((p * units) / count), u1 = Math.floor(((p + 1) * units) / count);
    out.push([u0 * unit, Math.min(total, u1 * unit)]);
  }
  return out;
}

/** One thread's share of a batch: images b0..b1 and a geometry (16 i32 in scratch) saying b1 − b0 images. */
export interface BatchPart { b0: number; b1: number; geometry: number }

/**
 * The batch of the geometry at `geometry` (16 i32, batch first) split over `threads` threads.
 * Images are independent in every convolution pass that splits this way, so each thread runs
 * the unchanged kernel on its images: the bits of the whole call.
 */
export function batchParts(arena: Arena, geometry: number, threads: number): BatchPart[] {
  const words = arena.i32(geometry, 16).slice();
  return ranges(words[0], 1, threads).map(([b0, b1]) => {
    const ptr = arena.alloc(64);
    const view = arena.i32(ptr, 16);
    view.set(words);
    view[0] = b1 - b0;
    return { b0, b1, geometry: ptr };
  });
}

/** `bytes` of scratch per thread, each part 64-byte aligned: the pointer of part t is base + t·stride. */
export function perThread(arena: Arena, bytes: number, threads: number): { base: number; stride: number } {
  const stride = Math.ceil(bytes / 64) * 64;
  return { base: arena.alloc(stride * threads), stride };
}
