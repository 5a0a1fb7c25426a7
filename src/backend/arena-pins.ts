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
  /** Holds taken by holdPins and not yet given back: while any is out, no pin is dropped. */
  holds: number;
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
  const pins = pinsFor(arena);
  const hit = pins.owners.get(owner);
  if (hit && hit.generation === pins.generation && hit.bytes === bytes) return { ptr: hit.ptr, fresh: false };
  if (arena.mark() !== pins.end || bytes > PIN_BUDGET) return null;
  if (pins.end - arena.start + bytes > PIN_BUDGET) {
    if (pins.holds > 0) return null;
    arena.flush();
    pins.generation++;
    arena.reset(pins.end = arena.start);
  }
  const ptr = arena.alloc(bytes);
  pins.end = arena.mark();
  pins.owners.set(owner, { ptr, bytes, generation: pins.generation });
  return { ptr, fresh: true };
}

function pinsFor(arena: Arena): Pins {
  let pins = pinsOf.get(arena);
  if (!pins) pinsOf.set(arena, (pins = { end: arena.start, generation: 0, owners: new WeakMap(), holds: 0 }));
  return pins;
}

/**
 * Keeps every pinned block where it is until the returned release is called: a pinBlock that
 * would need to drop them for room returns null instead (its caller copies as usual). For a
 * block whose memory JS arrays view directly (src/backend/resident.ts), which a drop would hand
 * to the next pin while those arrays still read and write it. Releasing twice releases once.
 */
export function holdPins(arena: Arena): () => void {
  const pins = pinsFor(arena);
  pins.holds++;
  let held = true;
  return () => {
    if (held) pins.holds--;
    held = false;
  };
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
