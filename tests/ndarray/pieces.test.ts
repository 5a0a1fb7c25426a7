import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices, layoutArb, makeTensor, valuesFrom } from "../support/reference.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// split, chunk, repeat, flip, unfold and pad move values without arithmetic: each output
// element is compared for equality with the input element an index formula says it copies.

const shapeAndDim = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 })));
const withDim = (i: number[], dim: number, v: number) => i.map((u, d) => (d === dim ? v : u));

describe("split and chunk", () => {
  it("pieces are views that tile the input along dim, of the sizes torch gives", () => {
    fc.assert(fc.property(shapeAndDim, fc.integer({ min: 1, max: 6 }), layoutArb, ([shape, dim], s, layout) => {
      const x = makeTensor(shape, valuesFrom(1), layout);
      const n = shape[dim];
      for (const [pieces, sizes] of [
        [eg.split(x, s, dim), Array.from({ length: Math.ceil(n / s) }, (_, k) => Math.min(s, n - k * s))],
        [eg.chunk(x, s, dim), Array.from({ length: Math.ceil(n / Math.ceil(n / s)) }, (_, k) => Math.min(Math.ceil(n / s), n - k * Math.ceil(n / s)))],
      ] as const) {
        expect(pieces.map((p) => p.shape[dim])).toEqual(sizes);
        let start = 0;
        for (const p of pieces) {
          expect(p.storage).toBe(x.storage);
          for (const i of indices(p.shape)) expect(at(p, i)).toBe(at(x, withDim(i, dim, i[dim] + start)));
          start += p.shape[dim];
        }
      }
    }));
  });
  it("explicit sections; wrong totals and sizes are refused", () => {
    const x = eg.arange(10).reshape([2, 5]);
    expect(eg.split(x, [2, 0, 3], 1).map((p) => p.toArray())).toEqual([[[0, 1], [5, 6]], [[], []], [[2, 3, 4], [7, 8, 9]]]);
    expect(() => eg.split(x, [2, 2], 1)).toThrow(/add up to 4, but dimension 1 has size 5/);
    expect(() => eg.split(x, 0, 1)).toThrow(eg.ValueError);
    expect(() => eg.chunk(x, 0)).toThrow(/positive integer/);
    expect(eg.chunk(x, 3, 1).map((p) => p.shape[1])).toEqual([2, 2, 1]);
    expect(eg.chunk(eg.arange(6), 4).map((p) => p.size)).toEqual([2, 2, 2]); // torch also gives 3 chunks here
  });
  it("gradient through the pieces", () => assertGradByDifferences((x) => eg.concat(eg.split(x, [1, 3], 1).map((p, k) => p.mul(k + 2)), 1), [X([2, 4], 1)], "split"));
});

describe("repeat and flip", () => {
  it("repeat: out[i] = x[i mod shape], with extra leading dims", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), layoutArb, (shape, lead, rs, layout) => {
        const x = makeTensor(shape, valuesFrom(2), layout);
        const reps = [...lead, ...shape.map((_, d) => rs[d])];
        const y = eg.repeat(x, ...reps);
        const full = [...lead.map(() => 1), ...shape];
        expect(y.shape).toEqual(full.map((n, d) => n * reps[d]));
        for (const i of indices(y.shape)) expect(at(y, i)).toBe(at(x, i.slice(lead.length).map((v, d) => v % shape[d])));
        expect(eg.repeat(x, reps).toArray()).toEqual(y.toArray());
      }));
    expect(() => eg.repeat(eg.zeros([2, 2]), 2)).toThrow(/1 repeats for a tensor of 2 dimensions/);
    expect(() => eg.repeat(eg.zeros([2]), -1)).toThrow(eg.ValueError);
  });
  it("flip: out[i] = x[n − 1 − i] on the flipped dims, in fresh contiguous storage", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), layoutArb,
      (shape, pick, layout) => {
        const x = makeTensor(shape, valuesFrom(3), layout);
        const dims = shape.map((_, d) => d).filter((d) => pick[d]);
        const y = eg.flip(x, dims);
        expect(y.isContiguous).toBe(true);
        expect(y.strides.every((s) => s > 0)).toBe(true);
        for (const i of indices(shape)) expect(at(y, i)).toBe(at(x, i.map((v, d) => (dims.includes(d) ? shape[d] - 1 - v : v))));
      }));
    expect(() => eg.flip(eg.zeros([2]), [0, 0])).toThrow(/repeated axis/);
  });
  it("gradients", () => {
    assertGradByDifferences((x) => eg.repeat(x, 2, 1, 3), [X([2, 2], 4)], "repeat");
    assertGradByDifferences((x) => eg.flip(x, [0, 2]).mul(eg.arange(12, undefined, 1, { dtype: "float64" }).reshape([2, 3, 2])), [X([2, 3, 2], 5)], "flip");
  });
});

describe("unfold", () => {
  it("an O(1) window view: out[…w…, j] = x[…w·step + j…]", () => {
    fc.assert(fc.property(shapeAndDim, fc.nat(), fc.integer({ min: 1, max: 4 }), layoutArb, ([shape, dim], sr, step, layout) => {
      const x = makeTensor(shape, valuesFrom(4), layout);
      const size = sr % (shape[dim] + 1);
      const y = eg.unfold(x, dim, size, step);
      const count = Math.floor((shape[dim] - size) / step) + 1;
      expect(y.shape).toEqual([...withDim(shape, dim, count), size]);
      expect(y.storage).toBe(x.storage);
      for (const i of indices(y.shape)) {
        const j = i[i.length - 1];
        const src = i.slice(0, -1);
        expect(at(y, i)).toBe(at(x, withDim(src, dim, src[dim] * step + j)));
      }
    }));
    expect(() => eg.unfold(eg.zeros([3]), 0, 4, 1)).toThrow(/window size 4/);
    expect(() => eg.unfold(eg.zeros([3]), 0, 2, 0)).toThrow(/step 0/);
  });
  it("backward adds each element's gradient from every window that holds it", () => {
    assertGradByDifferences((x) => eg.unfold(x, 1, 3, 1), [X([2, 5], 6)], "overlapping windows");
    assertGradByDifferences((x) => eg.unfold(eg.unfold(x, 0, 2, 3), 1, 2, 1), [X([7, 4], 7)], "im2col-like double unfold with gaps");
    const x = eg.ones([5], { requiresGrad: true });
    eg.unfold(x, 0, 3, 1).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 2, 3, 2, 1]);
  });
});

describe("pad", () => {
  type Mode = "constant" | "reflect" | "replicate" | "circular";
  const source = (i: number, n: number, mode: Mode): number | null => {
    if (i >= 0 && i < n) return i;
    if (mode === "constant") return null;
    if (mode === "replicate") return i < 0 ? 0 : n - 1;
    if (mode === "circular") return ((i % n) + n) % n;
    return i < 0 ? -i : 2 * (n - 1) - i;
  };
  it("every mode, last dim first, against the index formula of each", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.constantFrom<Mode>("constant", "reflect", "replicate", "circular"),
      fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), layoutArb, (shape, mode, raw, pairs, layout) => {
        const k = Math.min(pairs, shape.length);
        const x = makeTensor(shape, valuesFrom(5), layout);
        const padding: number[] = [];
        for (let p = 0; p < k; p++) {
          const n = shape[shape.length - 1 - p];
          const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : 3;
          // constant mode also crops: amounts from −(n−1)/2 up to 3
          const lo = mode === "constant" ? -Math.floor((n - 1) / 2) : 0;
          padding.push(lo + (raw[2 * p] % (limit - lo + 1)), lo + (raw[2 * p + 1] % (limit - lo + 1)));
        }
        const y = eg.pad(x, padding, { mode, ...(mode === "constant" ? { value: 7 } : {}) });
        const before = (d: number) => { const p = shape.length - 1 - d; return p < k ? padding[2 * p] : 0; };
        const after = (d: number) => { const p = shape.length - 1 - d; return p < k ? padding[2 * p + 1] : 0; };
        expect(y.shape).toEqual(shape.map((n, d) => n + before(d) + after(d)));
        for (const i of indices(y.shape)) {
          const src = i.map((v, d) => source(v - before(d), shape[d], mode));
          expect(at(y, i)).toBe(src.includes(null) ? 7 : at(x, src as number[]));
        }
      }));
  });
  it("too much padding, negative amounts in circular mode, odd lists and unknown options are refused", () => {
    const x = eg.zeros([2, 3]);
    expect(() => eg.pad(x, [3, 0], { mode: "reflect" })).toThrow(/less than the size 3 of dimension 1/);
    expect(() => eg.pad(x, [0, 0, 0, 3], { mode: "circular" })).toThrow(/at most the size 2 of dimension 0/);
    expect(() => eg.pad(x, [-1, 0], { mode: "circular" })).toThrow(/non-negative/);
    expect(() => eg.pad(x, [1])).toThrow(/even-length/);
    expect(() => eg.pad(x, [1, 1, 1, 1, 1, 1])).toThrow(/3 padded dims for a tensor of 2/);
    expect(() => eg.pad(x, [-2, -2])).toThrow(/negative size/);
    expect(() => eg.pad(x, [1, 1], { mode: "reflect", value: 1 })).toThrow(/takes no fill value/);
    expect(() => eg.pad(x, [1, 1], { mode: "wrap" as never })).toThrow(/unknown mode/);
    expect(() => eg.pad(x, [1, 1], { fill: 1 } as never)).toThrow(/unknown option "fill"/);
  });
  it("gradients: reflected and wrapped entries send theirs back to the source", () => {
    for (const mode of ["constant", "reflect", "replicate", "circular"] as const) {
      assertGradByDifferences((x) => eg.pad(x, [2, 1, 1, 2], { mode }), [X([3, 4], 8)], `pad ${mode}`);
    }
    assertGradByDifferences((x) => eg.pad(x, [-1, 2]), [X([2, 4], 9)], "pad with a crop");
  });
});
