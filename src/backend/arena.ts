import { BackendError } from "../errors.js";

const PAGE = 65536;
/** Bytes of pinned blocks kept at most (a 784×256 int8 layer packs to about 0.4 MB). */
const PIN_BUDGET = 32 * 1024 * 1024;

/**
 * Scratch memory inside the wasm instance. An op marks the arena, allocates its operands, runs
 * its kernel, copies the result out and resets to the mark (`withScratch`); nothing lives across
 * ops.
 *
 * Below the scratch area sit pinned blocks: long-lived operands with an owner (an inference
 * model's packed weights, copied in once and reused by every call; Adam's moments, kept
 * current there between steps), within a fixed budget. A block may hold newer values than its
 * owner's JS copy (Adam's moments do between state dicts): whoever keeps such blocks registers a
 * write-back with `beforeDrop`, which runs before the blocks are given up — the budget reached,
 * or the backend replaced by init() (`flush`).
 *
 * NOTE: growing memory detaches every view on the old buffer, so views are made fresh by
 * `f32()`/`i8()`… after the allocations of an op and never cached across calls.
 */
export class Arena {
  private top: number;
  /** Largest top ever reached: how much memory the arena really uses (for the memory report). */
  highWater: number;
  /** First byte above the pinned blocks; the scratch area starts here. */
  private pinnedEnd: number;
  private readonly start: number;
  private readonly pins = new WeakMap<object, { ptr: number; bytes: number; generation: number }>();
  /** Bumped whenever all pins are dropped, which makes every earlier pin stale. */
  private generation = 0;
  private readonly writeBacks: (() => void)[] = [];

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.start = align(base, 64);
    this.top = this.pinnedEnd = this.start;
    this.highWater = this.top;
  }

  /**
   * The byte pointer of `data` held in wasm memory for `owner` (which must not change `data`
   * afterwards): copied in on first use, reused after. At most PIN_BUDGET bytes stay pinned;
   * past that every pin is dropped and blocks are copied in again on their next use, so a user
   * who never releases a model still has bounded memory. Returns null while an op holds scratch
   * memory (pinning then would move the scratch area under it): the caller copies as usual.
   */
  pin(owner: object, data: Int16Array): number | null {
    const block = this.pinBlock(owner, data.byteLength);
    if (block?.fresh) this.u8(block.ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return block ? block.ptr : null;
  }

  /**
   * A block of `bytes` in the pinned area, kept for `owner` across ops (the budget and the
   * refusal while an op holds scratch as for pin), whose contents the caller writes: `fresh` when
   * the block is new — first use, or every pin was dropped since — so it holds nothing yet.
   */
  pinBlock(owner: object, bytes: number): { ptr: number; fresh: boolean } | null {
    const hit = this.pins.get(owner);
    if (hit && hit.generation === this.generation && hit.bytes === bytes) return { ptr: hit.ptr, fresh: false };
    if (this.top !== this.pinnedEnd || bytes > PIN_BUDGET) return null;
    if (this.pinnedEnd - this.start + bytes > PIN_BUDGET) {
      this.flush();
      this.generation++;
      this.top = this.pinnedEnd = this.start;
    }
    const ptr = this.alloc(bytes);
    this.pinnedEnd = this.top;
    this.pins.set(owner, { ptr, bytes, generation: this.generation });
    return { ptr, fresh: true };
  }

  /** Registers `writeBack`, run by flush(): it copies to JS whatever pinned values JS has not seen yet. */
  beforeDrop(writeBack: () => void): void {
    this.writeBacks.push(writeBack);
  }

  /** Runs every write-back: afterwards the JS copies hold what the pinned blocks hold. */
  flush(): void {
    for (const writeBack of this.writeBacks) writeBack();
  }

  mark(): number {
    return this.top;
  }

  reset(mark: number): void {
    this.top = mark;
  }

  /** Byte pointer to `bytes` fresh bytes, 64-byte aligned (a cache line; v128 loads need 16). */
  alloc(bytes: number): number {
    const ptr = align(this.top, 64);
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new BackendError(`wasm scratch memory cannot grow to ${end} bytes: ${(e as Error).message}`);
      }
    }
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return ptr;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  i16(ptr: number, length: number): Int16Array {
    return new Int16Array(this.memory.buffer, ptr, length);
  }
  i8(ptr: number, length: number): Int8Array {
    return new Int8Array(this.memory.buffer, ptr, length);
  }
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** Copies `src` into fresh arena memory and returns its byte pointer. */
  copyIn(src: Float32Array): number {
    const ptr = this.alloc(src.length * 4);
    this.f32(ptr, src.length).set(src);
    return ptr;
  }
}

/**
 * Runs `fn` with the arena's scratch area to itself: everything `fn` allocates is given back when
 * it returns or throws. Every op that enters wasm goes through here.
 */
export function withScratch<T>(arena: Arena, fn: () => T): T {
  const mark = arena.mark();
  try {
    return fn();
  } finally {
    arena.reset(mark);
  }
}

function align(x: number, to: number): number {
  return (x + to - 1) & -to;
}
