import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, expectClose, indices, layoutArb, makeTensor, roundTol, valuesFrom, U32 } from "../support/reference.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// sort/argsort, cumprod, cummax/cummin, logcumsumexp, roll, tril/triu against float64 references
// written out here with plain loops (exact where the arithmetic is exact: indices, permutations,
// integers, copies), gradients by finite differences and by reference formulas, PyTorch 1.13's
// values at the edges, and the typed errors.

const U64 = 2 ** -53;
const shapeAndDim = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 })));
const dtypeArb = fc.constantFrom<"float32" | "float64">("float32", "float64");

/** The multi-index i with its entry along `dim` replaced by t. */
const along = (i: readonly number[], dim: number, t: number) => i.map((u, d) => (d === dim ? t : u));
/** Every line of `shape` along `dim`, as the multi-index of its first element. */
const lineStarts = (shape: readonly number[], dim: number) => indices(shape.map((n, d) => (d === dim ? 1 : n)));
const list = (t: eg.Tensor) => Array.from(t.data, Number);

/** Values with many ties, some NaN, ±0 and ±∞: the cases an order has to decide. */
const awkward = (seed: number) => (i: number) => {
  const r = valuesFrom(seed, 0, 1)(i);
  return r < 0.08 ? NaN : r < 0.12 ? -0 : r < 0.15 ? Infinity : r < 0.18 ? -Infinity : Math.floor(r * 5) - 2;
};

/** A stable insertion sort of (value, position) pairs, NaN the largest: written independently of src. */
function referenceOrder(vals: number[], descending: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  // NaN above +∞: compare (isNaN, value) lexicographically.
  const before = (a: number, b: number) => {
    const [na, nb] = [Number.isNaN(vals[a]), Number.isNaN(vals[b])];
    if (na !== nb) return descending ? na : nb;
    if (na) return false;
    return descending ? key(vals[a]) > key(vals[b]) : key(vals[a]) < key(vals[b]);
  };
  const order: number[] = [];
  for (let i = 0; i < vals.length; i++) {
    let j = order.length;
    while (j > 0 && before(i, order[j - 1])) j--; // strictly before: an equal value stays after
    order.splice(j, 0, i);
  }
  return order;
}

describe("sort and argsort", () => {
  it("a stable order along dim, NaN the largest, against an insertion sort; values are x at the indices", () => {
    fc.assert(fc.property(shapeAndDim, layoutArb, fc.boolean(), fc.integer({ min: 1, max: 1000 }), dtypeArb,
      ([shape, dim], layout, descending, seed, dtype) => {
        const x = makeTensor(shape, awkward(seed), layout, dtype);
        const [values, idx] = eg.sort(x, { dim, descending });
        expect(idx.dtype).toBe("int32");
        expect(values.dtype).toBe(dtype);
        expect(values.shape).toEqual(shape);
        expect(idx.requiresGrad).toBe(false);
        for (const i of lineStarts(shape, dim)) {
          const vals = Array.from({ length: shape[dim] }, (_, t) => at(x, along(i, dim, t)));
          const order = referenceOrder(vals, descending);
          order.forEach((p, t) => {
            expect(at(idx, along(i, dim, t))).toBe(p);
            expect(Object.is(at(values, along(i, dim, t)), vals[p])).toBe(true); // -0 stays -0
          });
        }
        expect(list(eg.argsort(x, { dim: dim - shape.length, descending, stable: true }))).toEqual(list(idx));
      }));
  });

  it("integer and bool tensors sort exactly in their own dtype", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 12 }), fc.boolean(), (vals, descending) => {
      for (const dtype of ["int32", "int8"] as const) {
        const [v, i] = eg.sort(eg.tensor(vals, { dtype }), { descending });
        const order = referenceOrder(vals, descending);
        expect(v.dtype).toBe(dtype);
        expect(list(i)).toEqual(order);
        expect(list(v)).toEqual(order.map((p) => vals[p]));
      }
    }));
  });

  it("PyTorch 1.13's values: NaN, ties, ±0, ±∞, int8, bool, 0-d, an empty dim, a dim given from the end", () => {
    // torch.sort(x, stable=True) and descending=True, from PyTorch 1.13
    const x = eg.tensor([1, NaN, 3, 3, NaN, -1, 3]);
    expect(list(eg.sort(x).indices)).toEqual([5, 0, 2, 3, 6, 1, 4]);
    expect(list(eg.sort(x).values)).toEqual([-1, 1, 3, 3, 3, NaN, NaN]);
    expect(list(eg.sort(x, { descending: true }).indices)).toEqual([1, 4, 2, 3, 6, 0, 5]);
    expect(list(eg.argsort(x, { descending: true }))).toEqual([1, 4, 2, 3, 6, 0, 5]);
    expect(list(eg.sort(eg.tensor([Infinity, -Infinity, NaN, 0, -0]), { descending: true }).indices)).toEqual([2, 0, 3, 4, 1]);
    expect(list(eg.sort(eg.tensor([0, -0, 0, -0])).indices)).toEqual([0, 1, 2, 3]);
    expect(list(eg.sort(eg.tensor([-3, 100, -128, 127], { dtype: "int8" })).indices)).toEqual([2, 0, 1, 3]);
    const b = eg.sort(eg.tensor([true, false, true], { dtype: "bool" }));
    expect(b.values.toArray()).toEqual([false, true, true]);
    expect(list(b.indices)).toEqual([1, 0, 2]);
    expect(eg.sort(eg.tensor([[3, 1, 1, 2], [1, 2, 3, 0]]), { dim: 0, descending: true }).indices.toArray()).toEqual([[0, 1, 1, 0], [1, 0, 0, 1]]);
    expect(eg.argsort(eg.tensor([[3, 1], [1, 2], [2, 1]], { dtype: "int32" }), { dim: 0 }).toArray()).toEqual([[1, 0], [2, 2], [0, 1]]);
    const s = eg.sort(eg.tensor(2));
    expect(s.values.shape).toEqual([]);
    expect(s.values.item()).toBe(2);
    expect(s.indices.shape).toEqual([]);
    expect(s.indices.item()).toBe(0);
    expect(eg.sort(eg.tensor(2), { dim: -1 }).indices.item()).toBe(0);
    const e = eg.sort(eg.zeros([2, 0]), { dim: 1 });
    expect(e.values.shape).toEqual([2, 0]);
    expect(e.indices.shape).toEqual([2, 0]);
    expect(eg.sort(eg.zeros([0, 3]), { dim: 1 }).indices.shape).toEqual([0, 3]);
  });

  it("reads as a pair and by name, as PyTorch's named tuple", () => {
    const r = eg.sort(eg.tensor([2, 1]));
    const [v, i] = r;
    expect(r.length).toBe(2);
    expect(r.values).toBe(v);
    expect(r.indices).toBe(i);
  });

  it("gradient of the values scatters back through the indices", () => {
    // distinct values: a sort is smooth away from ties
    assertGradByDifferences((x) => eg.sort(x).values, [X([3, 5], 11)], "sort dim -1");
    assertGradByDifferences((x) => eg.sort(x, { dim: 0, descending: true }).values, [X([4, 3], 12)], "sort dim 0 descending");
    assertGradByDifferences((x) => eg.sort(x.transpose(0, 1), { dim: 1 }).values, [X([3, 4], 13)], "sort of a view");
    // PyTorch 1.13: x = [[3,1,1,2],[1,2,3,0]], sort(dim=1, descending=True), backward([[1,2,3,4],[5,6,7,8]])
    const x = eg.tensor([[3, 1, 1, 2], [1, 2, 3, 0]], { requiresGrad: true });
    const [v] = eg.sort(x, { dim: 1, descending: true });
    v.backward(eg.tensor([[1, 2, 3, 4], [5, 6, 7, 8]]));
    expect(x.grad!.toArray()).toEqual([[1, 3, 4, 2], [7, 6, 5, 8]]);
  });

  it("refuses bad options, dims and inputs with typed errors", () => {
    const x = eg.tensor([[3, 1], [2, 4]]);
    const before = x.toArray();
    expect(() => eg.sort(x, { axis: 0 } as never)).toThrow(/sort: unknown option "axis"/);
    expect(() => eg.argsort(x, { reverse: true } as never)).toThrow(eg.ValueError);
    expect(() => eg.sort(x, { descending: 1 } as never)).toThrow(/sort: descending must be true or false, got 1/);
    expect(() => eg.sort(x, { stable: "yes" } as never)).toThrow(eg.ValueError);
    expect(() => eg.sort(x, { dim: 2 })).toThrow(/sort: axis 2 is out of range for a tensor of 2 dimension/);
    expect(() => eg.sort(x, { dim: 0.5 })).toThrow(eg.ValueError);
    expect(() => eg.sort(x, 1 as never)).toThrow(/options must be an object/);
    expect(() => eg.sort([3, 1] as never)).toThrow(/sort: input must be a Tensor, got an array/);
    expect(x.toArray()).toEqual(before);
  });
});

/** Σ_{k≥i} g[k]·Π_{j≤k, j≠i} x[j] and its magnitude, by the definition (O(n²), no division). */
function cumprodGradReference(x: number[], g: number[]): { grad: number[]; mag: number[] } {
  const grad: number[] = [], mag: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let s = 0, m = 0;
    for (let k = i; k < x.length; k++) {
      let p = g[k];
      for (let j = 0; j <= k; j++) if (j !== i) p *= x[j];
      s += p;
      m += Math.abs(p);
    }
    grad.push(s);
    mag.push(m);
  }
  return { grad, mag };
}

describe("cumprod", () => {
  it("y[…i…] = Π_{t ≤ i} x along dim, rounded once from the float64 product", () => {
    fc.assert(fc.property(shapeAndDim, layoutArb, fc.integer({ min: 1, max: 1000 }), dtypeArb, ([shape, dim], layout, seed, dtype) => {
      const x = makeTensor(shape, valuesFrom(seed, -2, 2), layout, dtype);
      const y = eg.cumprod(x, dim);
      expect(y.dtype).toBe(dtype);
      for (const i of indices(shape)) {
        let want = 1;
        for (let t = 0; t <= i[dim]; t++) want *= at(x, along(i, dim, t));
        // ≤ 5 float64 products (error ≤ 5·u64 relative), then one rounding to the dtype
        expectClose(at(y, i), want, roundTol(y, want) + 5 * U64 * Math.abs(want), `cumprod at [${i}]`);
      }
      expect(list(eg.cumprod(x, dim - shape.length))).toEqual(list(y));
    }));
  });

  it("gradient equals Σ_{k≥i} g[k]·Π_{j≤k, j≠i} x[j] with one zero, several zeros or none", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), fc.double({ min: -2, max: 2, noNaN: true })), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 1000 }), (vals, seed) => {
        const n = vals.length;
        const g = Array.from({ length: n }, (_, i) => valuesFrom(seed, -1, 1)(i));
        const x = eg.tensor(vals, { dtype: "float64", requiresGrad: true });
        eg.cumprod(x, 0).backward(eg.tensor(g, { dtype: "float64" }));
        const { grad, mag } = cumprodGradReference(vals, g);
        // P·S against a sum of n products of ≤ n factors each: within γ(2n) of the terms' magnitude
        grad.forEach((want, i) => expectClose(x.grad!.data[i], want, 4 * n * U64 * mag[i] + 1e-300, `cumprod grad [${i}] of [${vals}]`));
      }));
    assertGradByDifferences((x) => eg.cumprod(x, 1), [X([2, 5, 2], 21)], "cumprod dim 1");
    assertGradByDifferences((x) => eg.cumprod(x.transpose(0, 1), 0), [X([3, 4], 22)], "cumprod of a view");
  });

  it("PyTorch 1.13's gradients through zeros (no division by x), 0-d and integer inputs", () => {
    // x.grad after torch.cumprod(x, 0).backward(g), from PyTorch 1.13
    const cases: [number[], number[], number[]][] = [
      [[2, 0, 3, 0, 4], [1, 2, 3, 4, 5], [1, 22, 0, 0, 0]],
      [[2, 0, 3, 5, 4], [1, 2, 3, 4, 5], [1, 742, 0, 0, 0]],
      [[0, 0, 2, 3], [1, 2, 3, 4], [1, 0, 0, 0]],
      [[3, 0, 0, 2], [1, 2, 3, 4], [1, 6, 0, 0]],
    ];
    for (const dtype of ["float32", "float64"] as const) {
      for (const [vals, g, want] of cases) {
        const x = eg.tensor(vals, { dtype, requiresGrad: true });
        eg.cumprod(x, 0).backward(eg.tensor(g, { dtype }));
        expect(list(x.grad!)).toEqual(want);
      }
    }
    const x = eg.tensor([[1.5, -2, 0.5], [0, 4, -1]], { requiresGrad: true });
    const y = eg.cumprod(x, 1);
    expect(y.toArray()).toEqual([[1.5, -3, -1.5], [0, 0, -0]]);
    y.backward(eg.tensor([[1, 2, 3], [-1, 0.5, 2]]));
    // (0·(−1.5) is −0 here; PyTorch prints 0. — equal as numbers)
    expect(list(x.grad!).map((v) => v + 0)).toEqual([-6, 5.25, -9, -7, 0, 0]);
    expect(eg.cumprod(eg.tensor(3), -1).item()).toBe(3);
    expect(eg.cumprod(eg.tensor(3), 0).shape).toEqual([]);
    const ints = eg.cumprod(eg.tensor([2, 3, -4], { dtype: "int8" }), 0);
    expect(ints.dtype).toBe("int32"); // PyTorch: int64
    expect(list(ints)).toEqual([2, 6, -24]);
    expect(list(eg.cumprod(eg.tensor([true, false], { dtype: "bool" }), 0))).toEqual([1, 0]);
    expect(eg.cumprod(eg.zeros([2, 0]), 1).shape).toEqual([2, 0]);
  });

  it("integer products are exact in int32 and wrap as int32 arithmetic does", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 6 }), (vals) => {
      let acc = 1n;
      const want = vals.map((v) => Number(BigInt.asIntN(32, (acc *= BigInt(v)))));
      expect(list(eg.cumprod(eg.tensor(vals, { dtype: "int32" }), 0))).toEqual(want);
    }));
  });
});

/** PyTorch's cummax/cummin rule, written out: ties and NaN move the index to the latest. */
function runningExtremeReference(vals: number[], max: boolean): number[] {
  const out: number[] = [];
  let at = 0;
  for (let t = 0; t < vals.length; t++) {
    const v = vals[t], best = vals[at];
    if (t === 0 || Number.isNaN(v)) at = t;
    else if (!Number.isNaN(best) && (max ? v >= best : v <= best)) at = t;
    out.push(at);
  }
  return out;
}

describe("cummax and cummin", () => {
  it("the running extreme and its latest position, NaN propagating, exactly", () => {
    fc.assert(fc.property(shapeAndDim, layoutArb, fc.boolean(), fc.integer({ min: 1, max: 1000 }), dtypeArb,
      ([shape, dim], layout, max, seed, dtype) => {
        const x = makeTensor(shape, awkward(seed), layout, dtype);
        const [values, idx] = max ? eg.cummax(x, dim) : eg.cummin(x, dim);
        expect(idx.dtype).toBe("int32");
        expect(values.dtype).toBe(dtype);
        for (const i of lineStarts(shape, dim)) {
          const vals = Array.from({ length: shape[dim] }, (_, t) => at(x, along(i, dim, t)));
          runningExtremeReference(vals, max).forEach((p, t) => {
            expect(at(idx, along(i, dim, t))).toBe(p);
            expect(Object.is(at(values, along(i, dim, t)), vals[p])).toBe(true);
          });
        }
      }));
  });

  it("PyTorch 1.13's values: ties, NaN, -∞, int32, bool, 0-d, empty, a negative dim", () => {
    // torch.cummax / torch.cummin from PyTorch 1.13
    const y = eg.tensor([1, 3, 2, 3, NaN, 5, NaN, 1]);
    expect(list(eg.cummax(y, 0).values)).toEqual([1, 3, 3, 3, NaN, NaN, NaN, NaN]);
    expect(list(eg.cummax(y, 0).indices)).toEqual([0, 1, 1, 3, 4, 4, 6, 6]);
    expect(list(eg.cummin(y, 0).values)).toEqual([1, 1, 1, 1, NaN, NaN, NaN, NaN]);
    expect(list(eg.cummin(y, 0).indices)).toEqual([0, 0, 0, 0, 4, 4, 6, 6]);
    expect(list(eg.cummax(eg.tensor([2, 2, 1, 2]), 0).indices)).toEqual([0, 1, 1, 3]);
    expect(list(eg.cummin(eg.tensor([2, 2, 3, 2]), 0).indices)).toEqual([0, 1, 1, 3]);
    expect(list(eg.cummin(eg.tensor([NaN, 1, 0]), 0).indices)).toEqual([0, 0, 0]);
    expect(list(eg.cummax(eg.tensor([-Infinity, -Infinity, 0]), 0).indices)).toEqual([0, 1, 2]);
    const ints = eg.cummax(eg.tensor([1, 3, 2, 3], { dtype: "int32" }), 0);
    expect(ints.values.dtype).toBe("int32");
    expect(list(ints.values)).toEqual([1, 3, 3, 3]);
    expect(list(ints.indices)).toEqual([0, 1, 1, 3]);
    const bools = eg.cummax(eg.tensor([false, true, false], { dtype: "bool" }), 0);
    expect(bools.values.toArray()).toEqual([false, true, true]);
    expect(list(bools.indices)).toEqual([0, 1, 1]);
    const scalar = eg.cummax(eg.tensor(4), 0);
    expect(scalar.values.shape).toEqual([]);
    expect([scalar.values.item(), scalar.indices.item()]).toEqual([4, 0]);
    expect(eg.cummax(eg.zeros([2, 0]), 1).indices.shape).toEqual([2, 0]);
    const m = eg.cummax(eg.tensor([[1, 0], [0, 2]]), -2);
    expect(m.values.toArray()).toEqual([[1, 0], [1, 2]]);
    expect(m.indices.toArray()).toEqual([[0, 0], [0, 1]]);
  });

  it("gradient of the values goes to the position each was taken from", () => {
    assertGradByDifferences((x) => eg.cummax(x, 1).values, [X([3, 5], 31)], "cummax");
    assertGradByDifferences((x) => eg.cummin(x, 0).values, [X([4, 3], 32)], "cummin");
    // PyTorch 1.13: torch.cummax(x, 1) then values.backward(g)
    const x = eg.tensor([[1, 5, 5, 2], [7, 7, 0, -1]], { requiresGrad: true });
    const [v, i] = eg.cummax(x, 1);
    expect([v.requiresGrad, i.requiresGrad]).toEqual([true, false]);
    expect(i.toArray()).toEqual([[0, 1, 2, 2], [0, 1, 1, 1]]);
    v.backward(eg.tensor([[1, 2, 3, 4], [1, 10, 100, 1000]]));
    expect(x.grad!.toArray()).toEqual([[1, 2, 7, 0], [1, 1110, 0, 0]]);
  });
});

describe("logcumsumexp", () => {
  it("y[…i…] = log Σ_{t ≤ i} e^x along dim, against a max-shifted float64 sum", () => {
    fc.assert(fc.property(shapeAndDim, layoutArb, fc.integer({ min: 1, max: 1000 }), dtypeArb, fc.constantFrom(1, 100, 1e4),
      ([shape, dim], layout, seed, dtype, scale) => {
        const x = makeTensor(shape, valuesFrom(seed, -3 * scale, 3 * scale), layout, dtype);
        const y = eg.logcumsumexp(x, dim);
        expect(y.dtype).toBe(dtype);
        for (const i of indices(shape)) {
          const prefix = Array.from({ length: i[dim] + 1 }, (_, t) => at(x, along(i, dim, t)));
          const m = Math.max(...prefix);
          const want = m + Math.log(prefix.reduce((a, v) => a + Math.exp(v - m), 0));
          // both float64 values carry a few ulps of |m| + log n per step; then one rounding
          const slack = 8 * prefix.length * U64 * (Math.abs(m) + 2);
          expectClose(at(y, i), want, roundTol(y, want) + slack, `logcumsumexp at [${i}]`);
        }
      }));
  });

  it("gradient Σ_{k≥i} g[k]·e^(x[i]−y[k]), by the formula and by differences", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 1000 }), (vals, seed) => {
        const n = vals.length;
        const g = Array.from({ length: n }, (_, i) => valuesFrom(seed, -1, 1)(i));
        const x = eg.tensor(vals, { dtype: "float64", requiresGrad: true });
        eg.logcumsumexp(x, 0).backward(eg.tensor(g, { dtype: "float64" }));
        const y = vals.map((_, k) => {
          const m = Math.max(...vals.slice(0, k + 1));
          return m + Math.log(vals.slice(0, k + 1).reduce((a, v) => a + Math.exp(v - m), 0));
        });
        // every y and x − y carries a few roundings of |x| + |y| ≤ 2·big, which e^(x−y) turns
        // into that relative error; then ≤ 2n roundings of the sum and the scan
        const big = Math.max(...vals.map(Math.abs)) + Math.log(n) + 1;
        for (let i = 0; i < n; i++) {
          let want = 0, mag = 0;
          for (let k = i; k < n; k++) { const w = g[k] * Math.exp(vals[i] - y[k]); want += w; mag += Math.abs(w); }
          expectClose(x.grad!.data[i], want, 8 * n * U64 * big * mag + 1e-300, `logcumsumexp grad [${i}] of [${vals}]`);
        }
      }));
    assertGradByDifferences((x) => eg.logcumsumexp(x, 1), [X([2, 5, 2], 41)], "logcumsumexp dim 1");
    assertGradByDifferences((x) => eg.logcumsumexp(x.transpose(0, 1), 0), [X([3, 4], 42, -20, 20)], "logcumsumexp of a view");
  });

  it("PyTorch 1.13's values; large values and −∞ inputs stay finite, NaN propagates", () => {
    // torch.logcumsumexp in float64, then backward(g), from PyTorch 1.13
    const x = eg.tensor([[0.5, -1, 2], [3, 3, -2]], { dtype: "float64", requiresGrad: true });
    const y = eg.logcumsumexp(x, 0);
    const yWant = [0.5, -1, 2, 3.0788897342925496, 3.01814992791781, 2.01814992791781];
    list(y).forEach((v, i) => expectClose(v, yWant[i], 4 * U64 * Math.abs(yWant[i]), `y[${i}]`));
    y.backward(eg.tensor([[1, -2, 0.5], [2, 1, -1]], { dtype: "float64" }));
    const gWant = [1.1517163600424871, -1.9820137900379085, -0.4820137900379084, 1.848283639957513, 0.9820137900379083, -0.017986209962091562];
    list(x.grad!).forEach((v, i) => expectClose(v, gWant[i], 16 * U64 * Math.abs(gWant[i]) + 1e-17, `grad[${i}]`));
    // float32, PyTorch 1.13: [-1e30, 0, -5] → [-1e30, 0, 0.006715348…]; 1e30 stays 1e30
    expect(list(eg.logcumsumexp(eg.tensor([-1e30, 0, -5]), 0))).toEqual([Math.fround(-1e30), 0, Math.fround(0.006715348456054926)]);
    expect(list(eg.logcumsumexp(eg.tensor([1e30, 1e30, -1e30, 0.5]), 0))).toEqual(new Array(4).fill(Math.fround(1e30)));
    // −∞ entries: PyTorch 1.13 gives y = [-inf, 0, 0, 1000, 1000.6931762695312] and gradient
    // [nan, 1, 0, 1.4999871, 0.49998546] (its float32 arithmetic); the −∞ entry's gradient is its
    // limit 0 here (a difference on purpose) and the others the exact 1.5 and 0.5, rounded once.
    const w = eg.tensor([-Infinity, 0, -Infinity, 1000, 1000], { requiresGrad: true });
    const l = eg.logcumsumexp(w, 0);
    expect(list(l)).toEqual([-Infinity, 0, 0, 1000, Math.fround(1000 + Math.LN2)]);
    l.backward(eg.tensor([1, -2, 3, 1, 1]));
    expect(list(w.grad!)).toEqual([0, 1, 0, 1.5, 0.5]);
    const allInf = eg.tensor([-Infinity, -Infinity, 1], { requiresGrad: true }); // PyTorch: [nan, nan, 1]
    eg.logcumsumexp(allInf, 0).sum().backward();
    expect(list(allInf.grad!)).toEqual([0, 0, 1]);
    expect(list(eg.logcumsumexp(eg.tensor([Infinity, 1, NaN, 1]), 0))).toEqual([Infinity, Infinity, NaN, NaN]);
    expect(eg.logcumsumexp(eg.tensor(3), 0).item()).toBe(3);
    const ints = eg.logcumsumexp(eg.tensor([0, 0], { dtype: "int32" }), 0); // PyTorch refuses integers
    expect(ints.dtype).toBe("float32");
    expect(list(ints)).toEqual([0, Math.fround(Math.LN2)]);
  });
});

describe("cumprod, cummax, cummin, logcumsumexp: errors and empty dims", () => {
  const scans: [string, (x: eg.Tensor, dim: number) => unknown][] = [
    ["cumprod", eg.cumprod], ["cummax", eg.cummax], ["cummin", eg.cummin], ["logcumsumexp", eg.logcumsumexp],
  ];
  for (const [name, op] of scans) {
    it(`${name} refuses a dim out of range or not an integer, and a non-tensor, leaving x as it was`, () => {
      const x = eg.tensor([[1, 2], [3, 4]]);
      expect(() => op(x, 2)).toThrow(new RegExp(`${name}: axis 2 is out of range for a tensor of 2 dimension`));
      expect(() => op(x, -3)).toThrow(eg.ValueError);
      expect(() => op(x, 0.5)).toThrow(eg.ValueError);
      expect(() => op(x, "1" as never)).toThrow(/axis "1" is out of range/);
      expect(() => op(eg.tensor(1), 1)).toThrow(eg.ValueError);
      expect(() => op([1, 2] as never, 0)).toThrow(new RegExp(`${name}: input must be a Tensor, got an array`));
      expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    });
    it(`${name} of an empty dim is empty, with a gradient of the input's shape`, () => {
      const x = eg.zeros([3, 0], { requiresGrad: true });
      const r = op(x, 1);
      const y = Array.isArray(r) ? r[0] : (r as eg.Tensor);
      expect(y.shape).toEqual([3, 0]);
      y.sum().backward();
      expect(x.grad!.shape).toEqual([3, 0]);
    });
  }
});

describe("roll", () => {
  it("out[(i + s) mod n] = x[i] along each rolled dim, shifts summed over repeated dims", () => {
    fc.assert(fc.property(shapeAndDim, fc.array(fc.tuple(fc.integer({ min: -9, max: 9 }), fc.nat()), { minLength: 1, maxLength: 4 }),
      layoutArb, fc.integer({ min: 1, max: 1000 }), ([shape], pairs, layout, seed) => {
        const x = makeTensor(shape, valuesFrom(seed), layout);
        const shifts = pairs.map(([s]) => s);
        const dims = pairs.map(([, d]) => (d % (2 * shape.length)) - shape.length); // negative and positive
        const y = eg.roll(x, shifts, dims);
        const total = shape.map(() => 0);
        dims.forEach((d, k) => (total[(d + shape.length) % shape.length] += shifts[k]));
        for (const i of indices(shape)) {
          const j = i.map((u, d) => (((u - total[d]) % shape[d]) + shape[d]) % shape[d]);
          expect(at(y, i)).toBe(at(x, j));
        }
      }));
  });

  it("without dims rolls the flattened tensor and keeps the shape, any dtype", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }), fc.integer({ min: -30, max: 30 }), (shape, s) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const flat = Array.from({ length: n }, (_, i) => i - 5);
      for (const dtype of ["int32", "float64"] as const) {
        const y = eg.roll(eg.tensor(flat, { dtype }).reshape(shape), s);
        expect(y.shape).toEqual(shape);
        expect(y.dtype).toBe(dtype);
        expect(list(y)).toEqual(flat.map((_, i) => flat[(((i - s) % n) + n) % n]));
      }
    }));
  });

  it("PyTorch 1.13's values", () => {
    const a = eg.arange(0, 10, 1, { dtype: "int32" }).reshape([2, 5]);
    expect(eg.roll(a, 2).toArray()).toEqual([[8, 9, 0, 1, 2], [3, 4, 5, 6, 7]]);
    expect(eg.roll(a, [3]).toArray()).toEqual([[7, 8, 9, 0, 1], [2, 3, 4, 5, 6]]);
    expect(eg.roll(a, -1, 1).toArray()).toEqual([[1, 2, 3, 4, 0], [6, 7, 8, 9, 5]]);
    expect(eg.roll(a, [1, -2], [0, 1]).toArray()).toEqual([[7, 8, 9, 5, 6], [2, 3, 4, 0, 1]]);
    expect(eg.roll(a, [1, 1], [1, 1]).toArray()).toEqual([[3, 4, 0, 1, 2], [8, 9, 5, 6, 7]]);
    expect(eg.roll(a, 13, 1).toArray()).toEqual([[2, 3, 4, 0, 1], [7, 8, 9, 5, 6]]);
    expect(eg.roll(a, -13, 1).toArray()).toEqual([[3, 4, 0, 1, 2], [8, 9, 5, 6, 7]]);
    expect(eg.roll(eg.arange(0, 24, 1, { dtype: "int32" }).reshape([2, 3, 4]), [1, -5, 2], [0, -1, 1]).toArray()).toEqual(
      [[[17, 18, 19, 16], [21, 22, 23, 20], [13, 14, 15, 12]], [[5, 6, 7, 4], [9, 10, 11, 8], [1, 2, 3, 0]]]);
    expect(eg.roll(eg.tensor(5), 1).item()).toBe(5);
    expect(eg.roll(eg.zeros([0, 3]), 1, 0).shape).toEqual([0, 3]);
    expect(eg.roll(eg.zeros([0, 3]), 1).shape).toEqual([0, 3]);
  });

  it("gradient rolls back", () => {
    assertGradByDifferences((x) => eg.roll(x, [2, -1], [1, 0]), [X([3, 4], 51)], "roll two dims");
    assertGradByDifferences((x) => eg.roll(x, -4), [X([2, 3], 52)], "roll flattened");
    assertGradByDifferences((x) => eg.roll(x.transpose(0, 1), 1, 0), [X([2, 3], 53)], "roll of a view");
  });

  it("refuses bad shifts and dims with typed errors", () => {
    const a = eg.zeros([2, 5]);
    expect(() => eg.roll(a, [1, 2])).toThrow(/roll: 2 shifts \[1, 2\] without dims/);
    expect(() => eg.roll(a, [1, 2], [0])).toThrow(/shifts \[1, 2\] and dims \[0\] must be non-empty lists of the same length/);
    expect(() => eg.roll(a, [], [])).toThrow(eg.ValueError);
    expect(() => eg.roll(a, 1, 2)).toThrow(/roll: axis 2 is out of range/);
    expect(() => eg.roll(a, 1.5)).toThrow(/shifts must be an integer or a list of integers, got 1.5/);
    expect(() => eg.roll(a, 1, "0" as never)).toThrow(/dims must be an integer or a list of integers/);
    expect(() => eg.roll(eg.tensor(5), 1, 0)).toThrow(/0-d tensor/);
    expect(() => eg.roll([1, 2] as never, 1)).toThrow(/roll: input must be a Tensor/);
  });
});

describe("tril and triu", () => {
  it("keep j ≤ i + diagonal (tril) or j ≥ i + diagonal (triu) in every matrix of a batch, any dtype, exactly", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: -6, max: 6 }),
      fc.boolean(), fc.constantFrom("float32", "float64", "int32", "int8", "uint8", "bool"), fc.integer({ min: 1, max: 1000 }),
      (shape, diagonal, lower, dtype, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const vals = Array.from({ length: n }, (_, i) => {
          const v = Math.round(valuesFrom(seed, -100, 100)(i));
          return dtype === "bool" ? v & 1 : dtype === "uint8" ? Math.abs(v) : v === 7 ? NaN : v;
        });
        const x = eg.tensor(dtype === "float32" || dtype === "float64" ? vals : vals.map((v) => (Number.isNaN(v) ? 0 : v)), { dtype }).reshape(shape);
        const y = lower ? eg.tril(x, diagonal) : eg.triu(x, diagonal);
        expect(y.dtype).toBe(dtype);
        expect(y.shape).toEqual(shape);
        for (const i of indices(shape)) {
          const [r, c] = i.slice(-2);
          const keep = lower ? c - r <= diagonal : c - r >= diagonal;
          expect(Object.is(at(y, i), keep ? at(x, i) : 0)).toBe(true);
        }
        // a transposed view gives the same as its copy
        const t = x.transpose(-1, -2);
        expect(list(lower ? eg.tril(t, diagonal) : eg.triu(t, diagonal))).toEqual(list(lower ? eg.tril(t.contiguous(), diagonal) : eg.triu(t.contiguous(), diagonal)));
      }));
  });

  it("PyTorch 1.13's values", () => {
    const m = eg.arange(1, 13, 1, { dtype: "int32" }).reshape([3, 4]);
    expect(eg.tril(m).toArray()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]]);
    expect(eg.tril(m, -1).toArray()).toEqual([[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]]);
    expect(eg.triu(m, 1).toArray()).toEqual([[0, 2, 3, 4], [0, 0, 7, 8], [0, 0, 0, 12]]);
    expect(eg.triu(m, -5).toArray()).toEqual(m.toArray());
    expect(eg.tril(m, 10).toArray()).toEqual(m.toArray());
    expect(eg.tril(eg.ones([2, 2], { dtype: "bool" })).toArray()).toEqual([[true, false], [true, true]]);
    const b = eg.arange(0, 24, 1, { dtype: "int32" }).reshape([2, 3, 4]);
    expect(eg.tril(b, -1).toArray()).toEqual([[[0, 0, 0, 0], [4, 0, 0, 0], [8, 9, 0, 0]], [[0, 0, 0, 0], [16, 0, 0, 0], [20, 21, 0, 0]]]);
    expect(eg.triu(b, 2).toArray()).toEqual([[[0, 0, 2, 3], [0, 0, 0, 7], [0, 0, 0, 0]], [[0, 0, 14, 15], [0, 0, 0, 19], [0, 0, 0, 0]]]);
    expect(eg.triu(eg.tensor([[NaN, 1], [2, Infinity]])).toArray()).toEqual([[NaN, 1], [0, Infinity]]);
    expect(eg.tril(eg.zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it("gradient is the same triangle of the incoming gradient", () => {
    assertGradByDifferences((x) => eg.tril(x, 1), [X([2, 3, 4], 61)], "tril");
    assertGradByDifferences((x) => eg.triu(x.transpose(-1, -2), -1), [X([3, 4], 62)], "triu of a view");
  });

  it("refuses fewer than 2 dims and a non-integer diagonal", () => {
    expect(() => eg.tril(eg.tensor([1, 2]))).toThrow(eg.ShapeError);
    expect(() => eg.triu(eg.tensor(1))).toThrow(/triu: the input must have at least 2 dimensions .* got shape \[\]/);
    expect(() => eg.tril(eg.zeros([2, 2]), 0.5)).toThrow(/tril: diagonal must be an integer, got 0.5/);
    expect(() => eg.triu(eg.zeros([2, 2]), "1" as never)).toThrow(eg.ValueError);
    expect(() => eg.tril({ shape: [2, 2] } as never)).toThrow(/tril: input must be a Tensor/);
  });
});
