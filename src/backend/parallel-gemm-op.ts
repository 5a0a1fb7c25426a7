// The GEMM op from JS arrays to a JS result on the pool: the core's f32GemmBatch, but with the
// copies that a worker cannot do (it cannot see a JS heap array) arranged around the workers'
// parts instead of before them all. The operand every tile reads whole is copied first, then
// each worker's own window of the other operand; the workers start, and only then does the
// calling thread copy its own window and run its tile. The kernel's calls are splitGemm's tiles
// with the same k blocking, so the bits are those of one thread.
import { withScratch, type Arena } from "./arena.js";
import { GEMM_ACCUMULATE, GEMM_RELU } from "./flags.js";
import { copyWindow, outputPtr, type ArenaWindow } from "./gemm-windows.js";
import type { KernelExports } from "./kernel-exports.js";
import { residentOffset } from "./resident.js";
import type { GemmOptions, StridedBatch } from "./kernels.js";
import { gemmArgs, gemmTiles, parallelGemm } from "./parallel-gemm.js";
import { partCount } from "./parallel-split.js";
import type { ThreadPool } from "./thread-pool.js";
import type { Threading } from "./threads.js";

/**
 * Bytes skipped before every other op's operands. A worker's core keeps the lines of the operands
 * it read; when the calling thread writes the next op's operands over the same addresses, each of
 * its stores must first take the line back from that core, and copies ran several times slower.
 * Two places 2 MB apart (more than a core's L2) take turns, so the caller writes lines that the
 * worker read two ops ago at the earliest (bench/RESULTS-threads.md: with the overlapped copies,
 * 2–14% off 2-thread products at 256³ and [64×784]·[784×256]).
 */
const PLACE_GAP = 2 << 20;

/** Where a tile's operand is: its own copied window, or an offset into the window all tiles share. */
type Placed = { window: ArenaWindow; offset: number };

/** The pooled GEMM op (Threading.gemmOp) for `pool`. */
export function gemmOpOnPool(pool: ThreadPool): NonNullable<Threading["gemmOp"]> {
  let farPlace = false;
  return (wasm, arena, batch, m, n, k, a, b, c, cOffset, options) => {
    if (pool.threads < 2 || k === 0 || batch * m * n * k < parallelGemm.minMacs) return false;
    const tiles = gemmTiles(batch, m, n, partCount(pool, 1));
    if (tiles.length < 2) return false;
    withScratch(arena, () => {
      if ((farPlace = !farPlace)) arena.alloc(PLACE_GAP);
      const { bias = null, relu = false, accumulate = false } = options;
      const size = batch * m * n;
      const cPtr = outputPtr(arena, c, cOffset, size, accumulate);
      const biasPtr = bias ? arena.copyIn(bias.subarray(0, n)) : 0;
      const flags = (relu ? GEMM_RELU : 0) | (accumulate ? GEMM_ACCUMULATE : 0);
      const bytes = Math.max(...tiles.map((t) => wasm.f32_gemm_workspace(t.i1 - t.i0, t.j1 - t.j0, k)));
      const work = arena.alloc(bytes * tiles.length);
      // An operand is copied whole, before the workers start, when every tile reads the same
      // window of it (A under a column split, B under a row split, either one broadcast over a
      // batch split) or when a tile's window is not one block of memory: compacting it line by
      // line (the columns of a row-major B) costs more in calls than the overlap saves.
      const aTiles = tiles.map((t) => tileWindow(a, batch, t.t0, t.t1, t.i0, t.i1, 0, k));
      const bTiles = tiles.map((t) => tileWindow(b, batch, t.t0, t.t1, 0, k, t.j0, t.j1));
      const aAll = copiedWhole(aTiles) ? copyWindow(arena, a, batch, m, k) : null;
      const bAll = copiedWhole(bTiles) ? copyWindow(arena, b, batch, k, n) : null;
      const placeA = (p: number): Placed => aAll ? { window: aAll, offset: tiles[p].t0 * aAll.batchStride + tiles[p].i0 * aAll.rowStride }
        : { window: copyTile(arena, aTiles[p]), offset: 0 };
      const placeB = (p: number): Placed => bAll ? { window: bAll, offset: tiles[p].t0 * bAll.batchStride + tiles[p].j0 * bAll.colStride }
        : { window: copyTile(arena, bTiles[p]), offset: 0 };
      const call = (p: number): number[] => {
        const t = tiles[p], pa = placeA(p), pb = placeB(p);
        return gemmArgs({
          batch: t.t1 - t.t0, m: t.i1 - t.i0, n: t.j1 - t.j0, k,
          a: pa.window.ptr + 4 * pa.offset, aBatchStride: pa.window.batchStride,
          aRowStride: pa.window.rowStride, aColStride: pa.window.colStride,
          b: pb.window.ptr + 4 * pb.offset, bBatchStride: pb.window.batchStride,
          bRowStride: pb.window.rowStride, bColStride: pb.window.colStride,
          c: cPtr + 4 * (t.t0 * m * n + t.i0 * n + t.j0), cBatchStride: m * n, cRowStride: n,
          bias: biasPtr === 0 ? 0 : biasPtr + 4 * t.j0, flags,
        }, work + p * bytes);
      };
      const workers = tiles.slice(1).map((_, p) => call(p + 1));
      // The caller copies its own windows once the workers run; a job never grows the memory
      // (the caller grows it before, docs/ARCHITECTURE.md), so room for them is made now.
      const ownBytes = (aAll ? 0 : 4 * aTiles[0].elements + 64) + (bAll ? 0 : 4 * bTiles[0].elements + 64);
      const mark = arena.mark();
      arena.alloc(ownBytes);
      arena.reset(mark);
      pool.run(wasm, "f32_gemm_batch", [() => call(0), ...workers]);
      if (residentOffset(c, arena) < 0) c.set(arena.f32(cPtr, size), cOffset);
    });
    return true;
  };
}

/** A tile's window of an operand: where it starts, its extent, and whether it is one block of memory. */
interface TileWindow { x: StridedBatch; batch: number; rows: number; cols: number; elements: number; key: string; dense: boolean }

/** Items t0..t1, rows r0..r1 and columns c0..c1 of `x` (a single matrix may carry no batch stride). */
function tileWindow(x: StridedBatch, batch: number, t0: number, t1: number, r0: number, r1: number, c0: number, c1: number): TileWindow {
  const bs = batch > 1 ? x.batchStride : 0, items = bs === 0 ? 1 : t1 - t0;
  const rows = r1 - r0, cols = c1 - c0;
  const span = (items - 1) * bs + (rows - 1) * x.rowStride + (cols - 1) * x.colStride + 1;
  const offset = x.offset + t0 * bs + r0 * x.rowStride + c0 * x.colStride;
  const elements = items * rows * cols;
  return { x: { ...x, offset }, batch: t1 - t0, rows, cols, elements, key: `${offset} ${items} ${rows} ${cols}`, dense: span === elements };
}

function copyTile(arena: Arena, w: TileWindow): ArenaWindow {
  return copyWindow(arena, w.x, w.batch, w.rows, w.cols);
}

/** Whether an operand is copied once for all tiles: they read the same window, or some window is not one block. */
function copiedWhole(windows: readonly TileWindow[]): boolean {
  return windows.every((w) => w.key === windows[0].key) || !windows.every((w) => w.dense);
}
