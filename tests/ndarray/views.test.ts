import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices } from "../support/reference.js";

describe("views are O(1) and read the right elements", () => {
  it("reshape of contiguous data, transpose, permute, squeeze, unsqueeze share storage", () => {
    const t = eg.arange(24).reshape([2, 3, 4]);
    for (const v of [t.reshape([6, 4]), t.transpose(0, 2), t.permute([1, 2, 0]), t.unsqueeze(1), t.unsqueeze(1).squeeze(1),
      t.slice(1, [0, 3, 2]), t.broadcastTo([5, 2, 3, 4]), t.T]) {
      expect(v.storage).toBe(t.storage);
    }
    expect(t.permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(t.unsqueeze(-1).shape).toEqual([2, 3, 4, 1]);
    expect(eg.ones([1, 3, 1]).squeeze().shape).toEqual([3]);
  });

  it("permute reads element [i,j,k] of the view at the permuted index of the source", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((s) =>
      fc.tuple(fc.constant(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }))), ([shape, perm]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const t = eg.arange(n).reshape(shape);
      const v = t.permute(perm);
      for (const idx of indices(v.shape)) {
        const src = new Array(shape.length);
        perm.forEach((p, i) => (src[p] = idx[i]));
        expect(at(v, idx)).toBe(at(t, src));
      }
    }));
  });

  it("slice with start, stop, step and negative indices matches Python's slicing", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: -14, max: 14 }), fc.integer({ min: -14, max: 14 }), fc.integer({ min: 1, max: 4 }),
      (n, start, stop, step) => {
        const t = eg.arange(n);
        const py: number[] = [];
        const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
        for (let i = norm(start); i < norm(stop); i += step) py.push(i);
        expect(t.slice([start, stop, step]).toArray()).toEqual(py);
      }));
  });

  it("a copy is made only when a view is not contiguous, and .data writes through for contiguous tensors", () => {
    const t = eg.zeros([2, 2]);
    t.data[1] = 5;
    expect(t.toArray()).toEqual([[0, 5], [0, 0]]);
    const tt = t.T;
    expect(tt.isContiguous).toBe(false);
    expect(Array.from(tt.data)).toEqual([0, 0, 5, 0]);
    expect(tt.contiguous().isContiguous).toBe(true);
  });

  it("reshape of a non-contiguous view copies and keeps the values in row-major order", () => {
    const t = eg.arange(6).reshape([2, 3]).T;
    expect(t.reshape([6]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it("reshape resolves one -1 and refuses shapes that do not hold the same elements", () => {
    expect(eg.arange(12).reshape([-1, 4]).shape).toEqual([3, 4]);
    expect(eg.zeros([0, 3]).reshape([3, 0, 2]).shape).toEqual([3, 0, 2]);
    const cannot = /reshape: cannot reshape \[2,3\] \(6 elements\) into \[/;
    expect(() => eg.zeros([2, 3]).reshape([4, -1])).toThrow(cannot);
    expect(() => eg.zeros([2, 3]).reshape([0, -1])).toThrow(cannot);
    expect(() => eg.zeros([2, 3]).reshape([7])).toThrow(cannot);
    expect(() => eg.zeros([0, 3]).reshape([0, -1])).toThrow(/cannot reshape \[0,3\] \(0 elements\) into \[0,-1\]/);
    expect(() => eg.zeros([2, 3]).reshape([-1, -1])).toThrow(/at most one -1/);
  });
});

describe("creation", () => {
  it("zeros, ones, full, arange, linspace, eye", () => {
    expect(eg.zeros([2]).toArray()).toEqual([0, 0]);
    expect(eg.full([2], 7, { dtype: "int32" }).toArray()).toEqual([7, 7]);
    expect(eg.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(eg.arange(0, 10, 3).toArray()).toEqual([0, 3, 6, 9]);
    expect(eg.arange(1, 0, -0.25).toArray()).toEqual([1, 0.75, 0.5, 0.25]);
    expect(eg.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eg.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eg.tensor([true, false]).dtype).toBe("bool");
    expect(eg.tensor(5).shape).toEqual([]);
  });

  it("the same seed gives the same numbers; manualSeed drives calls without a seed", () => {
    expect(eg.randn([5], { seed: 3 }).toArray()).toEqual(eg.randn([5], { seed: 3 }).toArray());
    expect(eg.rand([5], { seed: 3 }).toArray()).not.toEqual(eg.rand([5], { seed: 4 }).toArray());
    eg.manualSeed(11);
    const a = eg.rand([4]).toArray();
    eg.manualSeed(11);
    expect(eg.rand([4]).toArray()).toEqual(a);
  });

  it("rand is uniform on [0,1) and randn has mean 0 and variance 1 (statistical check, 20000 draws)", () => {
    const u = eg.rand([20000], { seed: 5, dtype: "float64" });
    const d = u.data;
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(1);
    // Mean of U(0,1) has sd 1/sqrt(12·n) ≈ 0.002: 5 sd bounds.
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.011);
    const z = eg.randn([20000], { seed: 6, dtype: "float64" });
    expect(Math.abs(z.mean().item())).toBeLessThan(5 / Math.sqrt(20000));
    expect(Math.abs(eg.var(z).item() - 1)).toBeLessThan(5 * Math.sqrt(2 / 20000));
  });

  it("xoshiro128** steps its state exactly as the published algorithm (first output from state 1,2,3,4 is 11520)", () => {
    // result = rotl(s1·5, 7)·9 with s1 = 2: rotl(10, 7) = 1280, ·9 = 11520.
    expect(eg.Rng.fromState([1, 2, 3, 4]).nextU32()).toBe(11520);
  });
});

describe("toString prints like NumPy", () => {
  it("aligns columns, drops trailing zeros uniformly and names non-default dtypes", () => {
    expect(eg.tensor([[1, 2], [3, 4]]).toString()).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(eg.tensor([0.5, 1.25, -3]).toString()).toBe("tensor([ 0.5 ,  1.25, -3.  ])");
    expect(eg.tensor([1, -2], { dtype: "int32" }).toString()).toBe("tensor([ 1, -2], dtype=int32)");
    expect(eg.tensor([0.1, 0.2]).toString()).toBe("tensor([0.1, 0.2])");
    expect(eg.tensor([1e-5, 1, 1000]).toString()).toBe("tensor([1.e-05, 1.e+00, 1.e+03])");
    expect(eg.tensor([true, false]).toString()).toBe("tensor([ True, False], dtype=bool)");
    expect(eg.tensor([NaN, Infinity, 1]).toString()).toBe("tensor([nan, inf,  1.])");
    expect(eg.tensor(3.5).toString()).toBe("tensor(3.5)");
  });

  it("summarizes past 1000 elements with ... and 3 items at each edge", () => {
    const s = eg.arange(2000, undefined, 1, { dtype: "int32" }).toString();
    expect(s).toBe("tensor([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int32)");
  });
});
