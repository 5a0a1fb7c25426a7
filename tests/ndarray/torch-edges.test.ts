// Edge cases where a differential run against PyTorch 1.13 found other results: reductions with
// an axis on a 0-d tensor, empty dims, std's gradient where std is 0, gradients of mixed-dtype
// joins, expand's -1, clip's type promotion and NaN bounds, and C's pow(1, y) = 1.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectClose, roundTol } from "../support/reference.js";

describe("a 0-d tensor's dim 0 or -1 is the tensor itself", () => {
  const x = eg.tensor(5);
  for (const axis of [0, -1]) {
    it(`reductions along ${axis}`, () => {
      for (const [name, y, want] of [
        ["sum", x.sum(axis), 5], ["mean", x.mean(axis), 5], ["max", x.max(axis), 5], ["min", x.min(axis), 5],
        ["argmax", x.argmax(axis), 0], ["argmin", x.argmin(axis), 0], ["logsumexp", x.logsumexp(axis), 5],
        ["softmax", x.softmax(axis), 1], ["logSoftmax", x.logSoftmax(axis), 0], ["cumsum", eg.cumsum(x, axis), 5],
        ["norm", eg.norm(x, 2, axis), 5], ["topk", eg.topk(x, 1, { dim: axis }).values, 5],
        ["sum keepdim", x.sum(axis, { keepdim: true }), 5],
      ] as const) {
        expect(y.shape, name).toEqual([]);
        expect(y.item(), name).toBe(want);
      }
      expect(Number.isNaN(x.var(axis).item())).toBe(true); // one value, correction 1: 0/0, as PyTorch
    });
  }
  it("any other axis is refused, naming the 0 dimensions", () => {
    for (const f of [() => x.sum(1), () => x.max(-2), () => x.argmax(1), () => x.softmax(2), () => eg.cumsum(x, 3)]) {
      expect(f).toThrow(eg.ValueError);
      expect(f).toThrow(/0 dimension/);
    }
  });
  it("gradients flow through a 0-d reduction along an axis", () => {
    const t = eg.tensor(2, { requiresGrad: true });
    t.mean(0).mul(3).add(t.sum(-1)).backward();
    expect(t.grad!.item()).toBe(4);
  });
});

describe("empty dims", () => {
  it("logsumexp over an empty dim is -inf; softmax over it is empty", () => {
    expect(eg.zeros([2, 0]).logsumexp(1).toArray()).toEqual([-Infinity, -Infinity]);
    expect(eg.zeros([2, 0]).logsumexp(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(eg.zeros([2, 0]).softmax(1).shape).toEqual([2, 0]);
  });
  it("matmul of a batch by a matrix with inner size 0 is zeros (the fold-into-rows path)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const y = eg.matmul(eg.ones([2, 3, 0], { dtype }), eg.ones([0, 4], { dtype }));
      expect(y.shape).toEqual([2, 3, 4]);
      expect(Array.from(y.data)).toEqual(new Array(24).fill(0));
    }
  });
});

describe("std's gradient", () => {
  it("is 0 where the std is 0 (all values equal), overall and per row", () => {
    const x = eg.tensor([2, 2], { requiresGrad: true });
    x.std().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
    const m = eg.tensor([[1, 1, 1], [1, 2, 4]], { dtype: "float64", requiresGrad: true });
    m.std(1).sum().backward();
    expect(Array.from(m.grad!.data).slice(0, 3)).toEqual([0, 0, 0]);
    // The other row: (x − mean)/(std·(n − 1)) in float64.
    const row = [1, 2, 4], mean = 7 / 3, sd = Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
    row.forEach((v, i) => expectClose(m.grad!.data[3 + i], (v - mean) / (sd * 2), 4 * 2 ** -53, `d std/dx[${i}]`));
  });
  it("matches finite differences away from 0", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(0, 1, undefined), (seed, axis) => {
      const x = float64Input([3, 4], seed);
      assertGradByDifferences((t) => (axis === undefined ? t.std() : t.std(axis)), [x], `std(${axis})`);
    }), { numRuns: 20 });
  });
});

describe("joins give each input a gradient of its own dtype", () => {
  for (const join of ["stack", "concat"] as const) {
    it(`${join} of a float32 and a float64 input`, () => {
      const a = eg.tensor([1, 2], { requiresGrad: true });
      const b = eg.tensor([3, 4], { dtype: "float64", requiresGrad: true });
      const y = join === "stack" ? eg.stack([a, b]) : eg.concat([a, b]);
      expect(y.dtype).toBe("float64");
      y.mul(eg.tensor(join === "stack" ? [[1, 2], [3, 4]] : [1, 2, 3, 4], { dtype: "float64" })).sum().backward();
      expect(a.grad!.dtype).toBe("float32");
      expect(b.grad!.dtype).toBe("float64");
      expect(Array.from(a.grad!.data)).toEqual([1, 2]);
      expect(Array.from(b.grad!.data)).toEqual([3, 4]);
    });
  }
});

describe("expand", () => {
  it("-1 keeps the size of an existing dim; not of a new leading one", () => {
    const x = eg.tensor([[1], [2], [3]]);
    expect(x.expand([-1, 4]).shape).toEqual([3, 4]);
    expect(x.expand([2, -1, 2]).toArray()).toEqual([[[1, 1], [2, 2], [3, 3]], [[1, 1], [2, 2], [3, 3]]]);
    expect(() => x.expand([-1, 3, 4])).toThrow(eg.ShapeError);
    expect(() => x.expand([-2, 4])).toThrow(eg.ShapeError);
  });
});

describe("clip and pow at the IEEE special cases", () => {
  it("clip of an integer tensor promotes with non-integer bounds (PyTorch's type promotion)", () => {
    const i = eg.tensor([0, 1, 5], { dtype: "int32" });
    const y = i.clip(0.5, 2.5);
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([0.5, 1, 2.5]);
    expect(i.clip(0, 2).dtype).toBe("int32");
    expect(i.clip(0, 2).toArray()).toEqual([0, 1, 2]);
  });
  it("a NaN bound makes every value NaN", () => {
    for (const [lo, hi] of [[NaN, 2], [0, NaN], [NaN, null], [null, NaN]] as const) {
      expect(Array.from(eg.tensor([0, 1, 5]).clip(lo, hi).data).every(Number.isNaN)).toBe(true);
    }
  });
  it("pow(1, y) = 1 and pow(−1, ±∞) = 1 for every y, pow(x, 0) = 1 for every x (C's pow)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const t = (v: number[]) => eg.tensor(v, { dtype });
      expect(Array.from(t([1, 1, 1, -1, -1]).pow(t([NaN, Infinity, -Infinity, Infinity, -Infinity])).data)).toEqual([1, 1, 1, 1, 1]);
      expect(Array.from(t([NaN, Infinity, 0]).pow(0).data)).toEqual([1, 1, 1]);
      expect(Number.isNaN(t([2]).pow(NaN).item())).toBe(true);
    }
  });
  it("pow elsewhere still matches Math.pow", () => {
    fc.assert(fc.property(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (a, b) => {
      const y = eg.tensor([a], { dtype: "float64" }).pow(eg.tensor([b], { dtype: "float64" }));
      const want = a === 1 ? 1 : Math.pow(a, b);
      expectClose(y.item(), want, roundTol(y, want), `pow(${a}, ${b})`);
    }), { numRuns: 200 });
  });
});
