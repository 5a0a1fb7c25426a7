import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { data, Tensor, ValueError } from "../../src/index.js";

const { countWindows, languageModelBatches, splitSequence } = data;

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

  it("refuses ids that are not token ids (negative, fractional, past int32) rather than wrapping them, naming index and value", () => {
    // 2³² + 5 would wrap to 5 in an Int32Array; 2³¹ to −2³¹.
    const cases: [number[], RegExp][] = [
      [[2 ** 32 + 5, 2, 3, 4], /id 4294967301 at index 0/],
      [[1, 2, 2 ** 31, 4], /id 2147483648 at index 2/],
      [[1, -1, 3, 4], /id -1 at index 1/],
      [[1, 2, 3, 4.5], /id 4.5 at index 3/],
      [[1, 2, NaN, 4], /id NaN at index 2/],
    ];
    for (const [ids, message] of cases) {
      expect(() => languageModelBatches(ids, { contextLength: 2 }), String(ids)).toThrow(ValueError);
      expect(() => languageModelBatches(ids, { contextLength: 2 }), String(ids)).toThrow(message);
      expect(() => splitSequence(ids), String(ids)).toThrow(message);
    }
    expect(() => splitSequence(Int32Array.of(3, -2))).toThrow(/splitSequence: id -2 at index 1/);
    expect(() => splitSequence(new Tensor(Int32Array.of(-7, 1), "int32", [2]))).toThrow(/splitSequence: id -7 at index 0/);
    // The largest int32 is a valid id and is kept as it is.
    expect(Array.from(splitSequence([0, 2 ** 31 - 1], 0).train)).toEqual([0, 2 ** 31 - 1]);
  });
});

describe("countWindows", () => {
  it("refuses sizes that are not counts instead of returning Infinity or NaN", () => {
    expect(countWindows(10, 3)).toBe(3);
    expect(countWindows(0, 3)).toBe(0);
    expect(() => countWindows(10, 3, 0)).toThrow(ValueError);
    expect(() => countWindows(10, 3, 0)).toThrow(/countWindows: stride must be a positive integer, got 0/);
    expect(() => countWindows(10, 0)).toThrow(/countWindows: contextLength must be a positive integer, got 0/);
    expect(() => countWindows(-1, 3)).toThrow(/countWindows: n must be an integer ≥ 0, got -1/);
    expect(() => countWindows(10.5, 3)).toThrow(/countWindows: n must be an integer ≥ 0, got 10.5/);
    expect(() => countWindows(10, 3, 1.5)).toThrow(/stride must be a positive integer, got 1.5/);
  });
});

describe("splitSequence", () => {
  it("splits by position", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 })), fc.double({ min: 0, max: 1, noNaN: true }), (ids, f) => {
      const { train, validation } = splitSequence(ids, f);
      expect(train.length).toBe(Math.floor(ids.length * (1 - f)));
      expect([...train, ...validation]).toEqual(ids);
    }));
    expect(() => splitSequence([1, 2], 1.5)).toThrow(/validationFraction/);
  });
});
