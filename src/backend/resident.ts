// JS arrays that are kernel memory. On the threaded build's shared memory a Float32Array view of
// the memory stays valid when the memory grows (a shared buffer is never detached), so an array
// a tensor holds can be the very operand a kernel reads and writes: no copy in, no copy out.
// fit uses that during an epoch's batches (src/nn/fit-resident.ts): the parameters, their weight
// gradients and the step's internal arrays then live in a pinned block, and a 784-256-128-10 MLP
// step copies about 5.9 MB less between JS and the kernels (bench/RESULTS-threads.md). Only
// views made here count as resident: any other view of the memory (an op's scratch) may be
// overwritten by the next op, so it is still copied.
import type { Arena } from "./arena.js";
import { pinBlock } from "./arena-pins.js";

/** The views carve() made, each with the arena whose memory it views. */
const residentIn = new WeakMap<object, Arena>();

/** Byte offset of `a` in `arena`'s memory when `a` is a resident view of it, else -1. */
export function residentOffset(a: object, arena: Arena): number {
  return residentIn.get(a) === arena ? (a as Float32Array).byteOffset : -1;
}

/**
 * Byte pointer of `a`'s `size` elements from `offset` for a kernel that only reads them: where they
 * are when `a` is resident, else a copy in fresh scratch.
 */
export function readable(arena: Arena, a: Float32Array, offset: number, size: number): number {
  const at = residentOffset(a, arena);
  return at >= 0 ? at + 4 * offset : arena.copyIn(a.subarray(offset, offset + size));
}

/** Whether `arena`'s memory is shared, so views of it survive its growth. */
export function viewsSurviveGrowth(arena: Arena): boolean {
  return typeof SharedArrayBuffer !== "undefined" && arena.memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Floats a view of `n` elements takes: at least one past its end, since f32_adam works in pairs
 * and an odd-length update reads and writes the float after the last, and whole cache lines, so
 * that two views never share a line that two threads write.
 */
const slotFloats = (n: number) => Math.ceil((n + 1) / 16) * 16;

/**
 * Views of `lengths` elements each, of undefined contents, in one pinned block kept for `owner`
 * (arena-pins.ts): the same block as `owner`'s last carve of the same lengths while it is still
 * pinned, else a new one; null when no block can be pinned now (an op holds scratch, or the pin
 * budget is spent while pins are held). The caller holds the pins for as long as it uses them.
 */
export function carve(arena: Arena, owner: object, lengths: readonly number[]): Float32Array[] | null {
  const bytes = 4 * lengths.reduce((sum, n) => sum + slotFloats(n), 0);
  const block = pinBlock(arena, owner, bytes);
  if (block === null) return null;
  const buffer = arena.memory.buffer;
  let at = block.ptr;
  const views = lengths.map((n) => {
    const view = new Float32Array(buffer, at, n);
    residentIn.set(view, arena);
    at += 4 * slotFloats(n);
    return view;
  });
  return views;
}
