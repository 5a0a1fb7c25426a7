import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { countWindows, languageModelBatches, splitSequence } from "../../src/data/index.js";
import { Tensor } from "../../src/ndarray/index.js";

describe("languageModelBatches", () => {
  it("every window fits, targets are the inputs shifted by one, each start once", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 12 }), fc.boolean(), (n, T, batchSize, stride, shuffle) => {
        fc.pre(n > T);
        // Distinct values, so a window's position can be read back from its contents.
        const ids = Int32Array.from({ length: n }, (_, i) => 1000 + i);
        const seen: number[] = [];
        for (const b of languageModelBatches(ids, { contextLength: T, batchSize, stride, shuffle, ...(shuffle ? { seed: 3 } : {}) })) {
          expect(b.x.shape).toEqual([b.starts.length, T]);
          expect(b.x.dtype).toBe("int32");
          b.starts.forEach((s, i) => {
            for (let t = 0; t < T; t++) {
              expect(b.x.data[i * T + t]).toBe(1000 + s + t);
              expect(b.y.data[i * T + t]).toBe(1000 + s + t + 1);
            }
          });
          seen.push(...b.starts);
        }
        // Every start s = k·stride whose target window ends inside the ids.
        const expected: number[] = [];
        for (let s = 0; s + T < n; s += stride) expected.push(s);
        expect([...seen].sort((a, b) => a - b)).toEqual(expected);
        expect(countWindows(n, T, stride)).toBe(expected.length);
        if (!shuffle) expect(seen).toEqual(expected);
      }));
  });

  it("a seed repeats the order; dropLast drops a short batch", () => {
    const ids = Array.from({ length: 101 }, (_, i) => i);
    const order = (seed: number) => [...languageModelBatches(ids, { contextLength: 4, batchSize: 7, seed })].flatMap((b) => b.starts);
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
    const sizes = [...languageModelBatches(ids, { contextLength: 4, batchSize: 7, dropLast: true, seed: 1 })].map((b) => b.starts.length);
    expect(sizes).toEqual([7, 7, 7]); // 25 windows → 3 full batches
  });

  it("refuses too little data and bad options", () => {
    expect(() => languageModelBatches([1, 2, 3], { contextLength: 3 })).toThrow(/make no window/);
    expect(() => languageModelBatches([1, 2, 3], { contextLength: 0 })).toThrow(ValueError);
    expect(() => languageModelBatches([1, 2, 3], { contextLength: 1, batchsize: 2 } as never)).toThrow(/unknown option/);
    expect(() => languageModelBatches(new Tensor(new Float32Array(4), "float32", [4]) as never, { contextLength: 1 })).toThrow(/int32/);
  });
});

describe("splitSequence", () => {
  it("splits by position", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 })), fc.double({ min: 0, max: 1, noNaN: true }), (ids, f) => {
      const { train, validation } = splitSequence(ids, f);
      expect(train.length).toBe(Math.round(ids.length * (1 - f)));
      expect([...train, ...validation]).toEqual(ids);
    }));
    expect(() => splitSequence([1, 2], 1.5)).toThrow(/validationFraction/);
  });
});
