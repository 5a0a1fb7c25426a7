import type { Arena } from "./arena.js";

/** Bytes of pinned blocks kept at most per arena (a 784×256 int8 layer packs to about 0.4 MB). */
const PIN_BUDGET = 32 * 1024 * 1024;

/**
 * Pinned blocks: long-lived operands with an owner, kept in wasm memory between ops (an inference
 * model's packed weights, copied in once and reused by every call; Adam's moments, kept current
 * there between steps), below the arena's scratch area and within a fixed budget. Here, not in
 * Arena, so that a program that never quantizes or steps an optimizer does not ship them.
 *
 * A block may hold newer values than its owner's JS copy (Adam's moments do between state dicts):
 * whoever keeps such blocks registers a write-back with `arena.beforeDrop`, which runs before the
 * blocks are given up — the budget reached, or the backend replaced by init() (`arena.flush`).
 */
interface Pins {
  /** First byte above the pinned blocks; the scratch area starts here. */
  end: number;
  /** Bumped whenever all pins are dropped, which makes every earlier pin stale. */
  generation: number;
  owners: WeakMap<object, { ptr: number; bytes: number; generation: number }>;
}
const pinsOf = new WeakMap<Arena, Pins>();

/**
 * A block of `bytes` in the pinned area, kept for `owner` across ops, whose contents the caller
 * writes: `fresh` when the block is new — first use, or every pin was dropped since — so it holds
 * nothing yet. At most PIN_BUDGET bytes stay pinned; past that every pin is dropped and blocks are
 * made again on their next use, so a user who never releases a model still has bounded memory.
 * Returns null while an op holds scratch memory (pinning then would move the scratch area under
 * it): the caller copies as usual.
 */
export function pinBlock(arena: Arena, owner: object, bytes: number): { ptr: number; fresh: boolean } | null {
  let pins = pinsOf.get(arena);
  if (!pins) pinsOf.set(arena, (pins = { end: arena.start, generation: 0, owners: new WeakMap() }));
  const hit = pins.owners.get(owner);
  if (hit && hit.generation === pins.generation && hit.bytes === bytes) return { ptr: hit.ptr, fresh: false };
  if (arena.mark() !== pins.end || bytes > PIN_BUDGET) return null;
  if (pins.end - arena.start + bytes > PIN_BUDGET) {
    arena.flush();
    pins.generation++;
    arena.reset(pins.end = arena.start);
  }
  const ptr = arena.alloc(bytes);
  pins.end = arena.mark();
  pins.owners.set(owner, { ptr, bytes, generation: pins.generation });
  return { ptr, fresh: true };
}

/**
 * The byte pointer of `data` held in wasm memory for `owner` (which must not change `data`
 * afterwards): copied in on first use, reused after; null as pinBlock.
 */
export function pin(arena: Arena, owner: object, data: Int16Array): number | null {
  const block = pinBlock(arena, owner, data.byteLength);
  if (block?.fresh) arena.u8(block.ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return block ? block.ptr : null;
}

/** Bumped each time every pin is dropped: pointers pinned under one generation stay valid together. */
export function pinGeneration(arena: Arena): number {
  return pinsOf.get(arena)?.generation ?? 0;
}
