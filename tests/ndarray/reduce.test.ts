import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, expectClose, indices, layoutArb, makeTensor, shapeArb, valuesFrom, U32, ETA32 } from "../support/reference.js";

const gamma = (n: number, u: number) => (n * u) / (1 - n * u);

/** A shape with 1–4 dims, a subset of its axes (possibly negative), and keepdims. */
const reduceCase = shapeArb(4, 4).filter((s) => s.length > 0).chain((shape) => fc.record({
  shape: fc.constant(shape),
  axes: fc.subarray(shape.map((_, i) => i), { minLength: 1 }).chain((ax) => fc.constant(ax.map((a) => (a % 2 ? a - shape.length : a)))),
  keepdims: fc.boolean(),
  layout: layoutArb,
  seed: fc.integer(),
}));

/** Float64 reference: groups input elements by their output index. */
function groups(x: eg.Tensor, axes: number[]): Map<string, number[]> {
  const norm = axes.map((a) => (a < 0 ? a + x.ndim : a));
  const out = new Map<string, number[]>();
  for (const idx of indices(x.shape)) {
    const key = idx.filter((_, i) => !norm.includes(i)).join(",");
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(at(x, idx));
  }
  return out;
}

function outIndexKey(idx: number[], axes: number[], ndim: number, keepdims: boolean): string {
  const norm = axes.map((a) => (a < 0 ? a + ndim : a));
  return keepdims ? idx.filter((_, i) => !norm.includes(i)).join(",") : idx.join(",");
}

type Ref = (v: number[]) => number;
const refs: Record<string, [Ref, (v: number[], r: number) => number]> = {
  // Summation bound (Higham): |ŝ − s| ≤ γ(n−1)·Σ|x| plus the final rounding.
  sum: [(v) => v.reduce((a, b) => a + b, 0), (v, r) => gamma(v.length, U32) * v.reduce((a, b) => a + Math.abs(b), 0) + U32 * Math.abs(r) + ETA32],
  mean: [(v) => v.reduce((a, b) => a + b, 0) / v.length, (v, r) => gamma(v.length + 1, U32) * v.reduce((a, b) => a + Math.abs(b), 0) / v.length + U32 * Math.abs(r) + ETA32],
  max: [(v) => Math.max(...v), () => 0],
  min: [(v) => Math.min(...v), () => 0],
  logsumexp: [(v) => { const m = Math.max(...v); return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0)); },
    (v, r) => gamma(2 * v.length + 4, U32) * (Math.abs(r) + 1)],
  var: [(v) => { const m = v.reduce((a, b) => a + b, 0) / v.length; return v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(v.length - 1, 0); },
    (v, r) => gamma(3 * v.length + 4, U32) * (v.reduce((a, b) => a + b * b, 0) / Math.max(v.length - 1, 1)) + U32 * Math.abs(r) + ETA32],
};

describe("reductions over any set of axes, with keepdims, match a float64 reference", () => {
  for (const [op, [ref, tol]] of Object.entries(refs)) {
    it(`${op}`, () => {
      fc.assert(fc.property(reduceCase, ({ shape, axes, keepdims, layout, seed }) => {
        const x = makeTensor(shape, valuesFrom(seed), layout);
        // var and logsumexp are functions only; the others are methods.
        const y = op === "var" || op === "logsumexp" ? eg[op](x, axes, { keepdims })
          : (x as unknown as Record<string, (a: number[], o: object) => eg.Tensor>)[op](axes, { keepdims });
        const norm = axes.map((a) => (a < 0 ? a + shape.length : a));
        const expectedShape = keepdims ? shape.map((d, i) => (norm.includes(i) ? 1 : d)) : shape.filter((_, i) => !norm.includes(i));
        expect(y.shape).toEqual(expectedShape);
        const g = groups(x, axes);
        for (const idx of indices(y.shape)) {
          const vals = g.get(outIndexKey(idx, axes, shape.length, keepdims))!;
          const want = ref(vals);
          expectClose(at(y, idx), want, tol(vals, want), `${op} over [${axes}] of [${shape}] at [${idx}]`);
        }
      }), { numRuns: 50 });
    });
  }

  it("argmax/argmin give the first index of the extreme along an axis", () => {
    fc.assert(fc.property(reduceCase, ({ shape, layout, seed }) => {
      const x = makeTensor(shape, (i) => Math.round(valuesFrom(seed)(i)), layout); // ties on purpose
      const axis = shape.length - 1;
      for (const [fn, better] of [["argmax", (a: number, b: number) => a > b], ["argmin", (a: number, b: number) => a < b]] as const) {
        const y = x[fn](axis);
        for (const idx of indices(y.shape)) {
          let best = 0;
          for (let i = 1; i < shape[axis]; i++) if (better(at(x, [...idx, i]), at(x, [...idx, best]))) best = i;
          expect(at(y, idx)).toBe(best);
        }
      }
    }), { numRuns: 40 });
  });

  it("with no axis, reduce everything to a 0-d tensor", () => {
    const x = eg.tensor([[1, 2], [3, 4]]);
    expect(x.sum().shape).toEqual([]);
    expect(x.sum().item()).toBe(10);
    expect(x.argmax().item()).toBe(3);
    expect(eg.std(x).item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
    expect(eg.var(x, undefined, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
  });

  it("softmax rows sum to one and logSoftmax equals its log, even for logits of ±1e4", () => {
    const x = eg.tensor([[1e4, -1e4, 0], [1, 2, 3]]);
    const p = eg.softmax(x, -1).toArray() as number[][];
    const lp = eg.logSoftmax(x, -1).toArray() as number[][];
    for (const row of p) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(4 * U32);
    expect(lp.flat().every(Number.isFinite)).toBe(true);
    expect(lp[0][0]).toBe(0);
    const ref = [1, 2, 3].map((v) => v - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
    lp[1].forEach((v, i) => expectClose(v, ref[i], 8 * U32 * (Math.abs(ref[i]) + 3), `logSoftmax[1][${i}]`));
  });

  it("sums of integer tensors stay exact integers", () => {
    const x = eg.arange(0, 1000, 1, { dtype: "int32" }).reshape([10, 100]);
    expect(x.sum().item()).toBe(499500);
    expect(x.sum().dtype).toBe("int32");
  });
});
