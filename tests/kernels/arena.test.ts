import { describe, expect, it } from "vitest";
import { Arena } from "../../src/backend/arena.js";
import { pin, pinBlock } from "../../src/backend/arena-pins.js";

const block = (n: number, seed: number) => Int16Array.from({ length: n }, (_, i) => (i * seed) % 30000);
const read = (a: Arena, ptr: number, n: number) => new Int16Array(a.memory.buffer, ptr, n);

describe("scratch arena with pinned blocks (arena-pins.ts)", () => {
  it("pins a block once per owner and keeps it intact across ops and memory growth", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 100);
    const owner = {}, data = block(5000, 7);
    const ptr = pin(arena, owner, data)!;
    expect(ptr % 64).toBe(0);
    expect(pin(arena, owner, data)).toBe(ptr);
    const mark = arena.mark();
    const scratch = arena.alloc(8 << 20); // grows memory: old views detach, contents stay
    expect(scratch).toBeGreaterThanOrEqual(ptr + data.byteLength);
    new Uint8Array(arena.memory.buffer, scratch, 8 << 20).fill(0xff);
    arena.reset(mark);
    expect(Array.from(read(arena, ptr, data.length))).toEqual(Array.from(data));
  });

  it("refuses to pin while an op holds scratch memory (the caller copies instead)", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const mark = arena.mark();
    arena.alloc(64);
    expect(pin(arena, {}, block(10, 3))).toBe(null);
    arena.reset(mark);
    expect(pin(arena, {}, block(10, 3))).not.toBe(null);
  });

  it("stays within its budget when owners are never released: old pins are dropped and re-copied", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const owners = Array.from({ length: 40 }, () => ({}));
    const data = block(1 << 19, 5); // 1 MiB each, 40 MiB in all
    const ptrs = owners.map((o) => pin(arena, o, data)!);
    expect(arena.memory.buffer.byteLength).toBeLessThanOrEqual(33 << 20);
    const first = pin(arena, owners[0], data)!; // dropped earlier: pinned again, contents right
    expect(Array.from(read(arena, first, 16))).toEqual(Array.from(data.subarray(0, 16)));
    const last = ptrs[ptrs.length - 1];
    expect(last).toBeLessThan(33 << 20);
  });

  it("pinBlock: a block per owner, fresh on first use, for a new size and after the pins were dropped", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const owner = {};
    const first = pinBlock(arena, owner, 4096)!;
    expect(first.fresh).toBe(true);
    expect(pinBlock(arena, owner, 4096)).toEqual({ ptr: first.ptr, fresh: false });
    expect(pinBlock(arena, owner, 8192)!.fresh).toBe(true); // another size: another block
    expect(pinBlock(arena, owner, 8192)!.fresh).toBe(false);
    pinBlock(arena, {}, 32 << 20); // the whole budget: every other pin dropped
    expect(pinBlock(arena, owner, 8192)!.fresh).toBe(true);
    const mark = arena.mark();
    arena.alloc(64);
    expect(pinBlock(arena, {}, 64)).toBe(null); // refused while an op holds scratch
    arena.reset(mark);
  });

  it("runs the write-backs on flush() and before it drops the pins for room, while their blocks still hold their values", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const owner = {}, seen: number[] = [];
    const ptr = pinBlock(arena, owner, 64)!.ptr;
    arena.f32(ptr, 1)[0] = 7;
    arena.beforeDrop(() => seen.push(arena.f32(ptr, 1)[0]));
    arena.flush();
    expect(seen).toEqual([7]);
    arena.f32(ptr, 1)[0] = 8;
    pinBlock(arena, {}, 32 << 20); // the whole budget: the write-back runs before the drop
    expect(seen).toEqual([7, 8]);
    expect(pinBlock(arena, owner, 64)!.fresh).toBe(true);
  });
});


describe("scratch arena past 2 GiB", () => {
  it("aligns pointers above 2³¹ without wrapping to a negative offset", () => {
    // A stand-in memory: alloc reads only buffer.byteLength and grow(), so no 2 GiB is reserved.
    const memory = { buffer: { byteLength: 3 * 2 ** 30 }, grow: () => 0 } as unknown as WebAssembly.Memory;
    const arena = new Arena(memory, 0);
    arena.alloc(2 ** 31 + 1);
    const ptr = arena.alloc(64);
    expect(ptr).toBe(2 ** 31 + 64);
  });
});
