// Arrays that are kernel memory (src/backend/resident.ts) and the pins they sit in: a hold keeps
// every pinned block in place, only views carve() made count as resident, and they survive the
// growth of a shared memory (an unshared one is never used for them).
import { describe, expect, it } from "vitest";
import { Arena } from "../../src/backend/arena.js";
import { holdPins, pinBlock } from "../../src/backend/arena-pins.js";
import { carve, residentOffset, viewsSurviveGrowth } from "../../src/backend/resident.js";

const sharedArena = () => new Arena(new WebAssembly.Memory({ initial: 1, maximum: 4096, shared: true }), 0);

describe("resident views (resident.ts)", () => {
  it("carves views a float apart at least and a cache line aligned, and only those count as resident", () => {
    const arena = sharedArena();
    const [a, b, c] = carve(arena, {}, [3, 16, 1])!;
    expect([a.length, b.length, c.length]).toEqual([3, 16, 1]);
    for (const v of [a, b, c]) {
      expect(v.byteOffset % 64).toBe(0);
      expect(residentOffset(v, arena)).toBe(v.byteOffset);
    }
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 4 * (a.length + 1));
    expect(c.byteOffset).toBeGreaterThanOrEqual(b.byteOffset + 4 * (b.length + 1));
    // The same memory seen through another view, a subarray, a JS array, another arena: copied.
    expect(residentOffset(arena.f32(a.byteOffset, 3), arena)).toBe(-1);
    expect(residentOffset(b.subarray(1), arena)).toBe(-1);
    expect(residentOffset(new Float32Array(3), arena)).toBe(-1);
    expect(residentOffset(a, sharedArena())).toBe(-1);
  });

  it("keeps its views valid and their values when the shared memory grows", () => {
    const arena = sharedArena();
    expect(viewsSurviveGrowth(arena)).toBe(true);
    expect(viewsSurviveGrowth(new Arena(new WebAssembly.Memory({ initial: 1 }), 0))).toBe(false);
    const [v] = carve(arena, {}, [1000])!;
    v.set(Float32Array.from({ length: 1000 }, (_, i) => i / 7));
    const mark = arena.mark();
    arena.alloc(8 << 20); // grows the memory
    arena.reset(mark);
    expect(v.length).toBe(1000);
    expect(arena.f32(v.byteOffset, 1000)).toEqual(Float32Array.from({ length: 1000 }, (_, i) => i / 7));
  });

  it("gives the same block to the same owner and sizes, another for other sizes", () => {
    const arena = sharedArena(), owner = {};
    const first = carve(arena, owner, [10, 20])!;
    expect(carve(arena, owner, [10, 20])![0].byteOffset).toBe(first[0].byteOffset);
    expect(carve(arena, owner, [10, 40])![0].byteOffset).not.toBe(first[0].byteOffset);
  });
});

describe("holding the pins (arena-pins.ts)", () => {
  it("drops no pin while held: a block past the budget is refused instead, and given after the release", () => {
    const arena = sharedArena(), owner = {};
    const kept = pinBlock(arena, owner, 4096)!;
    const release = holdPins(arena);
    expect(pinBlock(arena, {}, 32 << 20)).toBe(null); // would need every pin dropped
    expect(pinBlock(arena, owner, 4096)).toEqual({ ptr: kept.ptr, fresh: false });
    expect(pinBlock(arena, {}, 4096)).not.toBe(null); // within the budget: still pinned
    release();
    release(); // a second release gives back nothing more
    const second = holdPins(arena);
    second();
    expect(pinBlock(arena, {}, 32 << 20)).not.toBe(null); // no hold: the pins are dropped for it
    expect(pinBlock(arena, owner, 4096)!.fresh).toBe(true);
  });
});
