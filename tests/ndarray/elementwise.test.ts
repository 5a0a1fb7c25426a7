import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import {
  at, broadcastIndex, broadcastableTo, expectClose, indices, layoutArb, makeTensor, shapeArb, roundTol, valuesFrom,
} from "../support/reference.js";

// The float64 reference of each op; results are compared with a bound of one rounding to the
// result's precision (2u·|ref|, as Math.exp & co. are themselves within an ulp of float64),
// plus the smallest subnormal for results that underflow.
const binaryRefs: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
};
const comparisonRefs: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, lt: (a, b) => a < b, le: (a, b) => a <= b, gt: (a, b) => a > b, ge: (a, b) => a >= b,
};
const unaryRefs: Record<string, [(x: number) => number, number, number]> = {
  neg: [(x) => -x, -3, 3], abs: [Math.abs, -3, 3], exp: [Math.exp, -10, 10], log: [Math.log, 0.01, 10],
  sqrt: [Math.sqrt, 0, 10], relu: [(x) => Math.max(x, 0), -3, 3], tanh: [Math.tanh, -5, 5],
  sigmoid: [(x) => 1 / (1 + Math.exp(-x)), -20, 20], sign: [Math.sign, -3, 3],
};

const binaryCase = shapeArb().chain((out) =>
  fc.record({ a: broadcastableTo(out), b: broadcastableTo(out), la: layoutArb, lb: layoutArb, seed: fc.integer({ min: 1, max: 1e6 }) }));

describe("binary elementwise ops broadcast like NumPy and match a float64 reference", () => {
  for (const [op, ref] of Object.entries(binaryRefs)) {
    it(`${op} over random broadcast shapes and non-contiguous views`, () => {
      fc.assert(fc.property(binaryCase, ({ a: sa, b: sb, la, lb, seed }) => {
        const a = makeTensor(sa, valuesFrom(seed), la);
        const b = makeTensor(sb, valuesFrom(seed + 1, 0.5, 3), lb); // b away from 0 for div
        const y = (a as unknown as Record<string, (o: eg.Tensor) => eg.Tensor>)[op](b);
        const outShape = sa.length >= sb.length ? sa.map((d, i) => Math.max(d, sb[i - (sa.length - sb.length)] ?? 1))
          : sb.map((d, i) => Math.max(d, sa[i - (sb.length - sa.length)] ?? 1));
        expect(y.shape).toEqual(outShape);
        for (const idx of indices(outShape)) {
          const want = Math.fround(ref(at(a, broadcastIndex(idx, sa)), at(b, broadcastIndex(idx, sb))));
          expectClose(at(y, idx), want, roundTol(y, want), `${op} at [${idx}]`);
        }
      }), { numRuns: 60 });
    });
  }

  for (const [op, ref] of Object.entries(comparisonRefs)) {
    it(`${op} gives exact bool results, ties included`, () => {
      fc.assert(fc.property(binaryCase, ({ a: sa, b: sb, la, lb, seed }) => {
        // Values on a coarse grid so that equal elements actually occur.
        const grid = (s: number) => (i: number) => Math.round(valuesFrom(s, -2, 2)(i));
        const a = makeTensor(sa, grid(seed), la);
        const b = makeTensor(sb, grid(seed + 7), lb);
        const y = (a as unknown as Record<string, (o: eg.Tensor) => eg.Tensor>)[op](b);
        expect(y.dtype).toBe("bool");
        for (const idx of indices(y.shape)) {
          expect(at(y, idx)).toBe(ref(at(a, broadcastIndex(idx, sa)), at(b, broadcastIndex(idx, sb))) ? 1 : 0);
        }
      }), { numRuns: 30 });
    });
  }

  it("pow matches Math.pow for positive bases and any exponent", () => {
    fc.assert(fc.property(binaryCase, ({ a: sa, b: sb, la, lb, seed }) => {
      const a = makeTensor(sa, valuesFrom(seed, 0.1, 3), la);
      const b = makeTensor(sb, valuesFrom(seed + 3, -2, 2), lb);
      const y = a.pow(b);
      for (const idx of indices(y.shape)) {
        const want = Math.fround(Math.pow(at(a, broadcastIndex(idx, sa)), at(b, broadcastIndex(idx, sb))));
        expectClose(at(y, idx), want, roundTol(y, want), `pow at [${idx}]`);
      }
    }), { numRuns: 40 });
  });

  it("where picks per element from broadcast operands", () => {
    fc.assert(fc.property(shapeArb().chain((out) => fc.tuple(broadcastableTo(out), broadcastableTo(out), broadcastableTo(out), fc.integer())),
      ([sc, sx, sy, seed]) => {
        const c = makeTensor(sc, valuesFrom(seed), { transposeLast: false, padLast: 0, offset: 0 }).gt(0);
        const x = makeTensor(sx, valuesFrom(seed + 1), { transposeLast: true, padLast: 1, offset: 1 });
        const y = makeTensor(sy, valuesFrom(seed + 2), { transposeLast: false, padLast: 0, offset: 2 });
        const r = eg.where(c, x, y);
        for (const idx of indices(r.shape)) {
          const want = at(c, broadcastIndex(idx, sc)) ? at(x, broadcastIndex(idx, sx)) : at(y, broadcastIndex(idx, sy));
          expect(at(r, idx)).toBe(want);
        }
      }), { numRuns: 40 });
  });

  it("mixes dtypes by promotion: int32 + float32 is float32, int8 + uint8 is int32, int / int is float32", () => {
    const i = eg.tensor([1, 2, 3], { dtype: "int32" });
    expect(i.add(eg.tensor([0.5, 0.5, 0.5])).dtype).toBe("float32");
    expect(eg.tensor([1], { dtype: "int8" }).add(eg.tensor([1], { dtype: "uint8" })).dtype).toBe("int32");
    expect(i.div(eg.tensor([2, 2, 2], { dtype: "int32" })).toArray()).toEqual([0.5, 1, 1.5]);
    expect(i.add(2).dtype).toBe("int32");
    expect(i.add(2.5).dtype).toBe("float32");
    expect(eg.tensor([1, 2], { dtype: "float64" }).mul(eg.tensor([3, 4])).dtype).toBe("float64");
  });
});

describe("unary elementwise ops match a float64 reference", () => {
  for (const [op, [ref, lo, hi]] of Object.entries(unaryRefs)) {
    it(`${op} on non-contiguous views`, () => {
      fc.assert(fc.property(shapeArb(), layoutArb, fc.integer(), fc.constantFrom<"float32" | "float64">("float32", "float64"),
        (shape, layout, seed, dtype) => {
          const x = makeTensor(shape, valuesFrom(seed, lo, hi), layout, dtype);
          const y = (x as unknown as Record<string, () => eg.Tensor>)[op]();
          expect(y.dtype).toBe(dtype);
          for (const idx of indices(shape)) {
            const raw = ref(at(x, idx));
            const want = dtype === "float32" ? Math.fround(raw) : raw;
            expectClose(at(y, idx), want, roundTol(y, want), `${op}(${at(x, idx)}) at [${idx}]`);
          }
        }), { numRuns: 40 });
    });
  }

  it("sigmoid neither overflows nor loses its tails at ±1e4", () => {
    expect(eg.tensor([-1e4, 0, 1e4]).sigmoid().toArray()).toEqual([0, 0.5, 1]);
  });

  it("clip limits to [lo, hi] with either bound optional", () => {
    const x = eg.tensor([-2, -0.5, 0.5, 2]);
    expect(eg.clip(x, -1, 1).toArray()).toEqual([-1, -0.5, 0.5, 1]);
    expect(eg.clip(x, null, 0).toArray()).toEqual([-2, -0.5, 0, 0]);
    expect(eg.clip(x, 0, null).toArray()).toEqual([0, 0, 0.5, 2]);
    expect(eg.clamp(x, -0.5, 0.25).toArray()).toEqual([-0.5, -0.5, 0.25, 0.25]); // torch.clamp is its other name
  });

  it("astype truncates floats toward zero and maps non-zero to true", () => {
    const x = eg.tensor([-2.7, -0.5, 0, 0.5, 2.7]);
    expect(x.astype("int32").toArray()).toEqual([-2, 0, 0, 0, 2]);
    expect(x.astype("bool").toArray()).toEqual([true, true, false, true, true]);
    expect(eg.tensor([1, 2]).astype("float64").dtype).toBe("float64");
  });
});
