import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

// Gradients where a naive rule goes wrong: shared gradient tensors reaching several leaves, and
// pow at the points where PyTorch defines the derivative by a mask.
describe("each leaf owns its .grad", () => {
  it("two leaves that receive the same gradient get different tensors", () => {
    const w1 = eg.tensor([1, 2, 3], { requiresGrad: true });
    const w2 = eg.tensor([4, 5, 6], { requiresGrad: true });
    const c = eg.tensor([2, 3, 4]);
    w1.add(w2).mul(c).sum().backward();
    expect(w1.grad).not.toBe(w2.grad);
    expect(w1.grad!.storage).not.toBe(w2.grad!.storage);
    w1.grad!.data[0] = 100; // an in-place edit, as gradient clipping does
    expect(Array.from(w2.grad!.data)).toEqual([2, 3, 4]);
    expect(Array.from(w1.grad!.data)).toEqual([100, 3, 4]);
  });

  it("a leaf reached through views of one gradient (reshape, identity ops) owns its gradient", () => {
    const a = eg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = eg.tensor([1, 2, 3, 4], { requiresGrad: true });
    a.reshape([4]).add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    a.grad!.data.fill(7);
    expect(Array.from(b.grad!.data)).toEqual([1, 1, 1, 1]);
  });

  it("the seed passed to backward stays the caller's, also when it is a view of something else", () => {
    const x = eg.tensor([1, 2, 3], { requiresGrad: true });
    const y = eg.tensor([1, 1, 1], { requiresGrad: true });
    const base = eg.tensor([[9, 8, 7], [6, 5, 4]]);
    const seed = base.slice(1); // a view of base's storage
    x.add(y).backward(seed);
    expect(x.grad!.storage).not.toBe(base.storage);
    x.grad!.data[0] = -1;
    y.grad!.data[1] = -1;
    expect(Array.from(base.data)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(Array.from(x.grad!.data)).toEqual([-1, 5, 4]);
    expect(Array.from(y.grad!.data)).toEqual([6, -1, 4]);
    // A leaf that is itself the root gets a copy of the seed.
    const z = eg.tensor([1, 2], { requiresGrad: true });
    const s = eg.tensor([3, 4]);
    z.backward(s);
    expect(z.grad).not.toBe(s);
    z.grad!.data[0] = 0;
    expect(Array.from(s.data)).toEqual([3, 4]);
  });

  it("a second backward accumulates into the leaf's gradient without touching the other leaf", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 6 }), (cs) => {
      const n = cs.length;
      const w1 = eg.zeros([n], { requiresGrad: true });
      const w2 = eg.zeros([n], { requiresGrad: true });
      const c = eg.tensor(cs);
      w1.add(w2).mul(c).sum().backward();
      const g2 = w2.grad;
      w1.mul(c).sum().backward();
      expect(Array.from(w1.grad!.data)).toEqual(cs.map((v) => 2 * v));
      expect(w2.grad).toBe(g2);
      expect(Array.from(w2.grad!.data)).toEqual(cs);
    }));
  });
});

describe("pow gradients at the special points follow PyTorch", () => {
  const gradOf = (base: number[], exponent: number[]) => {
    const a = eg.tensor(base, { dtype: "float64", requiresGrad: true });
    const b = eg.tensor(exponent, { dtype: "float64", requiresGrad: true });
    a.pow(b).sum().backward();
    return { da: Array.from(a.grad!.data), db: Array.from(b.grad!.data) };
  };

  it("x.pow(0) at x = 0 has gradient 0, not NaN", () => {
    const x = eg.tensor([0, 0, 2], { requiresGrad: true });
    x.pow(0).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
  });

  it("the exponent's gradient is 0 where the base is 0 and the exponent ≥ 0", () => {
    const { da, db } = gradOf([0, 0, 0, 0], [0, 1, 2, 0.5]);
    expect(db).toEqual([0, 0, 0, 0]);
    // d/da: 0 (masked, b = 0), 1·0⁰ = 1, 2·0¹ = 0, 0.5·0^−0.5 = ∞ (as PyTorch)
    expect(da).toEqual([0, 1, 0, Infinity]);
  });

  it("base 0 with a negative exponent keeps PyTorch's infinities", () => {
    const { da, db } = gradOf([0], [-1]);
    // y = 0⁻¹ = ∞; d/db = y·log 0 = −∞ (not masked for b < 0); d/da = −1·0⁻² = −∞
    expect(db).toEqual([-Infinity]);
    expect(da).toEqual([-Infinity]);
  });

  it("a negative base with integer exponents: b·a^(b−1) for the base, NaN (log of a negative) for the exponent", () => {
    fc.assert(fc.property(fc.double({ min: -4, max: -0.25, noNaN: true }), fc.integer({ min: -3, max: 4 }), (a, b) => {
      const { da, db } = gradOf([a], [b]);
      const want = b === 0 ? 0 : b * Math.pow(a, b - 1);
      expect(Math.abs(da[0] - want)).toBeLessThanOrEqual(8 * 2 ** -53 * Math.abs(want));
      expect(db[0]).toBeNaN();
    }));
  });
});
