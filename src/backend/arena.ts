import { BackendError } from "../errors.js";

const PAGE = 65536;

/**
 * Scratch memory inside the wasm instance. An op marks the arena, allocates its operands, runs
 * its kernel, copies the result out and resets to the mark (`withScratch`); nothing lives across
 * ops. Long-lived blocks (packed weights, Adam's moments) are pinned below the scratch area by
 * arena-pins.ts, which registers their write-backs here (`beforeDrop`).
 *
 * NOTE: growing memory detaches every view on the old buffer, so views are made fresh by
 * `f32()`/`i8()`… after the allocations of an op and never cached across calls.
 */
export class Arena {
  private top: number;
  /** Largest top ever reached: how much memory the arena really uses (for the memory report). */
  highWater: number;
  /** The first byte the arena hands out. */
  readonly start: number;
  private readonly writeBacks: (() => void)[] = [];

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.start = this.top = this.highWater = align(base, 64);
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

/** x rounded up to a multiple of `to`, in doubles: a bit mask would wrap past 2³¹ bytes. */
function align(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
