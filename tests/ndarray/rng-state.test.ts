// Rng.getState/setState: a generator restored from a saved state continues the same stream
// (Box–Muller's pending value included); a bad state is refused and changes nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { Rng, ValueError } from "../../src/index.js";

const draw = (r: Rng, kinds: number[]) => kinds.map((k) => (k === 0 ? r.uniform() : k === 1 ? r.normal() : r.nextU32()));

describe("Rng state", () => {
  it("setState(getState()) continues the stream exactly, after any mix of draws", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 30 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 30 }), (seed, before, after) => {
        const a = new Rng(seed);
        draw(a, before);
        const state = a.getState();
        expect(state.words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
        const b = new Rng(seed + 1);
        b.setState(JSON.parse(JSON.stringify(state)));
        expect(draw(b, after)).toEqual(draw(a, after));
      }), { numRuns: 200 });
  });

  it("refuses malformed states without changing the generator", () => {
    const r = new Rng(1);
    const saved = r.getState();
    for (const bad of [{ words: [0, 0, 0, 0], spare: null }, { words: [1, 2, 3], spare: null }, { words: [1, 2, 3, -4], spare: null },
      { words: [1, 2, 3, 2 ** 32], spare: null }, { words: [1, 2, 3, 4], spare: "x" }, null]) {
      expect(() => r.setState(bad as never)).toThrow(ValueError);
      expect(r.getState()).toEqual(saved);
    }
  });

  it("fillUniform gives the next uniform() values in order and leaves the stream where they would", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 10 }),
      fc.integer({ min: 0, max: 300 }), (seed, before, n) => {
        const a = new Rng(seed), b = new Rng(seed);
        draw(a, before);
        draw(b, before);
        const filled = a.fillUniform(new Float64Array(n));
        expect(Array.from(filled)).toEqual(Array.from({ length: n }, () => b.uniform()));
        expect(a.getState()).toEqual(b.getState());
        expect(draw(a, [0, 1, 2, 1])).toEqual(draw(b, [0, 1, 2, 1]));
      }), { numRuns: 200 });
  });
});


describe("seeds", () => {
  const draw = (seed: number) => Array.from(eg.rand([4], { seed }).data);
  it("every safe integer is its own stream: the high bits and the sign count, as PyTorch's 64-bit seeds", () => {
    const seeds = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -1, -(2 ** 32), 2 ** 40 + 1, 2 ** 53 - 1];
    const streams = seeds.map((s) => draw(s).join(","));
    expect(new Set(streams).size).toBe(seeds.length);
    expect(draw(2 ** 40 + 1)).toEqual(draw(2 ** 40 + 1));
  });

  it("refuses a seed that is not a safe integer, an rng that is not an Rng, and seed and rng together", () => {
    for (const bad of [1.5, -0.5, 2 ** 53, Infinity, NaN]) expect(() => new eg.Rng(bad)).toThrow(eg.ValueError);
    expect(() => eg.rand([2], { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => eg.randn([2], { rng: 5 as never })).toThrow(/rng must be an Rng, got number/);
    expect(() => eg.randn([2], { seed: 1, rng: new eg.Rng(2) })).toThrow(/give seed or rng, not both/);
  });
});
