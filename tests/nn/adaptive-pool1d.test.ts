// F.adaptiveAvgPool1d / F.adaptiveMaxPool1d and their modules against a float64 reference written
// here (output o pools inputs ⌊o·L/n⌋ … ⌈(o+1)·L/n⌉ − 1; the first maximum wins), over drawn
// lengths and output sizes, batched and unbatched, float32 and float64; gradients by central
// differences; indices; typed errors; the modules' options.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, ValueError, zeros, type Tensor } from "../../src/index.js";
import { describeSequential } from "../../src/io/onnx-layers.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, valuesFrom } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;

function filled(shape: number[], seed: number, dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -2, 2);
  return fromTypedArray(dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => v(i)) : Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

/** Per row of length L: the average and the first maximum (value, index) of each adaptive window. */
function reference(x: Tensor, n: number) {
  const L = x.shape[x.ndim - 1], rows = x.size / L, xd = x.data;
  const avg: number[] = [], max: number[] = [], arg: number[] = [], width: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < n; o++) {
      const lo = Math.floor((o * L) / n), hi = Math.ceil(((o + 1) * L) / n);
      let s = 0, best = -Infinity, at = lo;
      for (let i = lo; i < hi; i++) {
        const v = xd[r * L + i];
        s += v;
        if (v > best) { best = v; at = i; }
      }
      avg.push(s / (hi - lo));
      max.push(best);
      arg.push(at);
      width.push(hi - lo);
    }
  }
  return { avg, max, arg, width };
}

describe("adaptive 1-d pools against the window definitions", () => {
  const arb = fc.record({
    N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }), L: fc.integer({ min: 1, max: 17 }),
    n: fc.integer({ min: 1, max: 20 }), unbatched: fc.boolean(), asArray: fc.boolean(),
    dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(500),
  });

  it("averages, maxima and indices for drawn lengths and output sizes (smaller and larger than L)", () => {
    fc.assert(fc.property(arb, (a) => {
      const shape = a.unbatched ? [a.C, a.L] : [a.N, a.C, a.L];
      const x = filled(shape, a.seed, a.dtype), ref = reference(x, a.n);
      const size = a.asArray ? ([a.n] as const) : a.n;
      const outShape = [...shape.slice(0, -1), a.n];
      const avg = F.adaptiveAvgPool1d(x, size);
      expect(avg.shape).toEqual(outShape);
      expectWithin(avg.data, ref.avg, (i) => gammaOf(a.dtype, ref.width[i] + 2) * Math.abs(ref.avg[i]) * ref.width[i] + ETA32, "avg");
      const [max, indices] = F.adaptiveMaxPool1d(x, size, { returnIndices: true });
      expect(max.shape).toEqual(outShape);
      expect(indices.shape).toEqual(outShape);
      expect(Array.from(max.data)).toEqual(ref.max);
      expect(Array.from(indices.data)).toEqual(ref.arg);
      expect(Array.from(F.adaptiveMaxPool1d(x, size).data)).toEqual(ref.max);
    }), { numRuns: 200 });
  });

  it("null keeps the input length", () => {
    const x = filled([2, 3, 7], 1, "float64");
    expect(Array.from(F.adaptiveAvgPool1d(x, null).data)).toEqual(Array.from(x.data));
    expect(new nn.AdaptiveMaxPool1d(null).forward(x).shape).toEqual([2, 3, 7]);
  });

  it("gradients by central differences: spread over the window (avg), to the winner (max)", () => {
    const x = float64Input([2, 3, 7], 3);
    for (const n of [1, 3, 5, 7, 10]) {
      assertGradByDifferences((t) => F.adaptiveAvgPool1d(t, n), [x], `avg ${n}`);
      assertGradByDifferences((t) => F.adaptiveMaxPool1d(t, n), [x], `max ${n}`);
    }
    assertGradByDifferences((t) => F.adaptiveAvgPool1d(t, 4), [float64Input([3, 9], 4)], "avg unbatched");
  });
});

describe("AdaptiveAvgPool1d and AdaptiveMaxPool1d modules", () => {
  it("are the functions, with returnIndices giving [output, indices]; no state", () => {
    const x = filled([2, 3, 11], 5, "float32");
    expect(Array.from(new nn.AdaptiveAvgPool1d(4).forward(x).data)).toEqual(Array.from(F.adaptiveAvgPool1d(x, 4).data));
    const m = new nn.AdaptiveMaxPool1d([4], { returnIndices: true });
    const [y, idx] = m.forward(x);
    const [y2, idx2] = F.adaptiveMaxPool1d(x, 4, { returnIndices: true });
    expect(Array.from(y.data)).toEqual(Array.from(y2.data));
    expect(Array.from(idx.data)).toEqual(Array.from(idx2.data));
    expect(new nn.AdaptiveMaxPool1d(4).forward(x).shape).toEqual([2, 3, 4]);
    expect(Object.keys(m.stateDict())).toEqual([]);
  });

  it("refuse bad output sizes, ranks, dtypes and options with typed errors", () => {
    expect(() => new nn.AdaptiveAvgPool1d(0)).toThrow(/outputSize must be a positive integer/);
    expect(() => new nn.AdaptiveAvgPool1d([2, 3] as never)).toThrow(ValueError);
    expect(() => new nn.AdaptiveMaxPool1d(2, { returnIndices: 1 as never })).toThrow(ValueError);
    expect(() => new nn.AdaptiveMaxPool1d(2, { ceilMode: true } as never)).toThrow(/unknown option "ceilMode"/);
    expect(() => F.adaptiveAvgPool1d(zeros([1, 2, 3, 4]), 2)).toThrow(/adaptiveAvgPool1d: expected a 2-d or 3-d input, got shape \[1,2,3,4\]/);
    expect(() => F.adaptiveMaxPool1d(zeros([4]), 2)).toThrow(ShapeError);
    expect(() => F.adaptiveMaxPool1d(zeros([2, 0]), 2)).toThrow(ShapeError);
    expect(() => F.adaptiveAvgPool1d(zeros([2, 3], { dtype: "int32" }), 2)).toThrow(DTypeError);
    expect(() => F.adaptiveMaxPool1d(zeros([2, 3]), 2, { returnIndices: true, x: 1 } as never)).toThrow(/unknown option "x"/);
    for (const m of [new nn.AdaptiveAvgPool1d(2), new nn.AdaptiveMaxPool1d(2)]) expect(() => describeSequential(new nn.Sequential(m))).toThrow(ValueError);
  });
});
