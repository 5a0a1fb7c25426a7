import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ValueError } from "../../src/errors.js";

// The tensor operations outside the core arithmetic (norm, pad, maskedFill, randint, ...) where
// a differential sweep against PyTorch 1.13 found edgegrad disagreeing. Expected values are
// PyTorch 1.13's on the same inputs, written out; each test failed before its fix.

/** Every element of `got` within `rel` (relative to |want|, at least 1e-300) of `want`. */
function expectAllClose(got: eg.Tensor, want: number[], rel: number): void {
  const g = Array.from(got.data);
  expect(g.length).toBe(want.length);
  g.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(rel * Math.abs(want[i]) + 1e-300));
}

describe("norm: the orders torch.linalg.vector_norm accepts besides p > 0", () => {
  // float64 rows of three: a few roundings per value, so 1e-13 relative is ample.
  const rows = [[3, -4, 0.5], [1, 0, 0], [-2, 2, 1]];
  const leaf = () => eg.tensor(rows, { dtype: "float64", requiresGrad: true });
  const seed = eg.tensor([1, 2, 3], { dtype: "float64" });

  it("p = 0 counts the nonzero entries (NaN and ∞ included) and has no gradient", () => {
    const x = leaf();
    const y = eg.norm(x, 0, 1);
    // PyTorch 1.13: vector_norm(x, 0, dim=1) = [3, 1, 3]; backward leaves x.grad None.
    expect(Array.from(y.data)).toEqual([3, 1, 3]);
    y.backward(seed);
    expect(x.grad).toBeNull();
    // PyTorch 1.13: vector_norm([nan, 0, 2], 0) = vector_norm([inf, 0, 2], 0) = 2.
    expect(eg.norm(eg.tensor([NaN, 0, 2]), 0).item()).toBe(2);
    expect(eg.norm(eg.tensor([Infinity, 0, 2]), 0).item()).toBe(2);
    // PyTorch 1.13: the 0-norm of an empty dim is 0.
    expect(Array.from(eg.norm(eg.ones([0, 2]), 0, 0).data)).toEqual([0, 0]);
  });

  it("p = −∞ is the least |x|, its gradient shared by the tied least entries", () => {
    const x = leaf();
    const y = eg.norm(x, -Infinity, 1);
    // PyTorch 1.13: values [0.5, 0, 1]; grad [[0, -0, 1], [0, 0, 0], [-0, 0, 3]] (signed zeros too).
    expect(Array.from(y.data)).toEqual([0.5, 0, 1]);
    y.backward(seed);
    expect(Array.from(x.grad!.data)).toEqual([0, -0, 1, 0, 0, 0, -0, 0, 3]);
    const t = eg.tensor([2, -2, 3], { requiresGrad: true });
    eg.norm(t, -Infinity).backward();
    expect(Array.from(t.grad!.data)).toEqual([0.5, -0.5, 0]);
  });

  it("p < 0 is (Σ|x|^p)^(1/p): 0 when an entry is 0, with PyTorch's gradient", () => {
    // PyTorch 1.13, vector_norm(x, p, dim=1).backward([1, 2, 3]) in float64.
    const want: [number, number[], number[]][] = [
      [-1, [0.38709677419354843, 0, 0.5],
        [0.01664932362122789, -0.009365244536940688, 0.599375650364204, 0, 0, 0, -0.1875, 0.1875, 0.75]],
      [-0.5, [0.16108532003065917, 0, 0.17157287525380993],
        [0.01244233998798342, -0.008081536884087456, 0.18286430506071816, 0, 0, 0, -0.075378797541251, 0.075378797541251, 0.21320343559642577]],
      [-2, [0.48949020986880254, 0, 0.816496580927726],
        [0.004343784446977727, -0.0018325340635687287, 0.9382574405471891, 0, 0, 0, -0.2041241452319315, 0.2041241452319315, 1.632993161855452]],
    ];
    for (const [p, values, grad] of want) {
      const x = leaf();
      const y = eg.norm(x, p, 1);
      expectAllClose(y, values, 1e-13);
      y.backward(seed);
      expectAllClose(x.grad!, grad, 1e-13);
    }
  });

  it("−∞ and p < 0 over an empty dim are refused (no identity), as vector_norm; NaN p too", () => {
    expect(() => eg.norm(eg.ones([0, 2]), -Infinity, 0)).toThrow(ValueError);
    expect(() => eg.norm(eg.ones([0]), -1)).toThrow(/empty dimension/);
    expect(() => eg.norm(eg.ones([2]), NaN)).toThrow(ValueError);
  });
});

describe("fill values an integer tensor cannot hold are refused, not wrapped or zeroed", () => {
  const int = (v: number[], dtype: eg.DType) => eg.tensor(v, { dtype });
  it("maskedFill", () => {
    // PyTorch 1.13: masked_fill of an int8 tensor with 300, of an int32 one with NaN or inf:
    // RuntimeError "value cannot be converted to type … without overflow" (we gave 44 and 0).
    expect(() => eg.maskedFill(int([1], "int8"), eg.tensor([true]), 300)).toThrow(/300 cannot be stored in int8/);
    expect(() => eg.maskedFill(int([1], "int32"), eg.tensor([true]), NaN)).toThrow(ValueError);
    expect(() => eg.maskedFill(int([1], "int32"), eg.tensor([true]), Infinity)).toThrow(ValueError);
    expect(() => eg.maskedFill(int([1], "int8"), eg.tensor([true]), -128.5)).toThrow(ValueError);
    expect(() => eg.maskedFill(int([1], "uint8"), eg.tensor([true]), eg.tensor(256, { dtype: "int32" }))).toThrow(ValueError);
    // PyTorch 1.13: a fraction in range truncates: masked_fill([1, 2, 3], [T, F, T], 2.5) = [2, 2, 2].
    expect(eg.maskedFill(int([1, 2, 3], "int32"), eg.tensor([true, false, true]), 2.5).toArray()).toEqual([2, 2, 2]);
    expect(eg.maskedFill(int([1, 2], "int8"), eg.tensor([true, false]), -128).toArray()).toEqual([-128, 2]);
    // Float tensors take NaN; bool ones any number (PyTorch 1.13: masked_fill([F], [T], 2) = [True]).
    expect(eg.maskedFill(eg.tensor([1]), eg.tensor([true]), NaN).data[0]).toBeNaN();
    expect(eg.maskedFill(eg.tensor([false]), eg.tensor([true]), 2).toArray()).toEqual([true]);
  });
  it("pad's constant value", () => {
    // PyTorch 1.13: F.pad(int8 [1], (1, 1), value=300) and F.pad(int32 [1], (1, 1), value=inf)
    // raise "value cannot be converted … without overflow" (we gave [44, 1, 44] and [0, 1, 0]).
    expect(() => eg.pad(int([1], "int8"), [1, 1], { value: 300 })).toThrow(/300 cannot be stored in int8/);
    expect(() => eg.pad(int([1], "int32"), [1, 1], { value: Infinity })).toThrow(ValueError);
    expect(() => eg.pad(int([1], "uint8"), [1, 1], { value: -1 })).toThrow(ValueError);
    // PyTorch 1.13: F.pad(int [1, 2, 3], (1, 1), value=2.5) = [2, 1, 2, 3, 2].
    expect(eg.pad(int([1, 2, 3], "int32"), [1, 1], { value: 2.5 }).toArray()).toEqual([2, 1, 2, 3, 2]);
    expect(eg.pad(int([1], "uint8"), [1, 1], { value: 255 }).toArray()).toEqual([255, 1, 255]);
  });
});

describe("randint", () => {
  it("refuses a range an int32 result cannot hold (it wrapped to negative values)", () => {
    // PyTorch 1.13 draws randint(0, 2**32) in int64; ours is int32, so the range must fit.
    expect(() => eg.randint(0, 2 ** 32, [5], { seed: 1 })).toThrow(ValueError);
    expect(() => eg.randint(-(2 ** 33), 0, [5], { seed: 1 })).toThrow(/int32/);
    const wide = eg.randint(-(2 ** 31), 2 ** 31, [1000], { seed: 1 });
    expect(Array.from(wide.data).some((v) => v < 0) && Array.from(wide.data).some((v) => v > 0)).toBe(true);
    const top = eg.randint(2 ** 31 - 2, 2 ** 31, [100], { seed: 2 });
    expect(Array.from(top.data).every((v) => v === 2 ** 31 - 2 || v === 2 ** 31 - 1)).toBe(true);
  });
});

describe("pad: negative amounts in reflect and replicate modes crop, as PyTorch", () => {
  it("values and gradients, 1-D and 2-D", () => {
    const row = () => eg.tensor([[[1, 2, 3, 4, 5]]]);
    // PyTorch 1.13, F.pad(arange(1, 6).reshape(1, 1, 5), (l, r), mode) (we refused every negative amount).
    expect(Array.from(eg.pad(row(), [-1, 1], { mode: "reflect" }).data)).toEqual([2, 3, 4, 5, 4]);
    expect(Array.from(eg.pad(row(), [-5, 3], { mode: "reflect" }).data)).toEqual([4, 3, 2]);
    expect(Array.from(eg.pad(row(), [2, -3], { mode: "reflect" }).data)).toEqual([3, 2, 1, 2]);
    expect(Array.from(eg.pad(row(), [-2, -2], { mode: "reflect" }).data)).toEqual([3]);
    expect(Array.from(eg.pad(row(), [-5, 1], { mode: "replicate" }).data)).toEqual([5]);
    expect(Array.from(eg.pad(row(), [3, -4], { mode: "replicate" }).data)).toEqual([1, 1, 1, 1]);
    for (const mode of ["reflect", "replicate"] as const) {
      // PyTorch 1.13 refuses a negative size; its 2-d and 3-d kernels give an empty dim for size 0.
      expect(() => eg.pad(row(), [-3, -3], { mode })).toThrow(/negative size/);
      expect(eg.pad(eg.ones([1, 1, 3, 3]), [0, 0, -2, -1], { mode }).shape).toEqual([1, 1, 0, 3]);
    }
    // Reflect still needs each amount below the size.
    expect(() => eg.pad(row(), [-1, 5], { mode: "reflect" })).toThrow(eg.ShapeError);
    // PyTorch 1.13, F.pad(arange(1, 13).reshape(1, 1, 3, 4), (-1, 2, 1, -2), mode), backward of
    // (y · arange(1, 11).reshape(y.shape)).sum().
    const want = {
      reflect: [[6, 7, 8, 7, 6, 2, 3, 4, 3, 2], [0, 16, 16, 8, 0, 6, 6, 3, 0, 0, 0, 0]],
      replicate: [[2, 3, 4, 4, 4, 2, 3, 4, 4, 4], [0, 7, 9, 39, 0, 0, 0, 0, 0, 0, 0, 0]],
    };
    for (const mode of ["reflect", "replicate"] as const) {
      const x = eg.arange(1, 13).reshape([1, 1, 3, 4]);
      x.requiresGrad = true;
      const y = eg.pad(x, [-1, 2, 1, -2], { mode });
      expect(y.shape).toEqual([1, 1, 2, 5]);
      expect(Array.from(y.data)).toEqual(want[mode][0]);
      y.mul(eg.arange(1, 11).reshape([1, 1, 2, 5])).sum().backward();
      expect(Array.from(x.grad!.data)).toEqual(want[mode][1]);
    }
  });
  it("circular still refuses them (PyTorch 1.13 reads outside its input there)", () => {
    expect(() => eg.pad(eg.tensor([[[1, 2, 3, 4, 5]]]), [-1, 2], { mode: "circular" })).toThrow(/non-negative/);
  });
});

describe("Rng.fromState", () => {
  it("refuses words that are not four 32-bit integers, or all zero (a generator stuck at 0)", () => {
    // It took [0, 0, 0, 0] and then drew 0 forever; NaN and fractions became other words silently.
    expect(() => eg.Rng.fromState([0, 0, 0, 0])).toThrow(ValueError);
    expect(() => eg.Rng.fromState([1.5, 1, 1, 1])).toThrow(/32-bit integer words/);
    expect(() => eg.Rng.fromState([NaN, 1, 1, 1])).toThrow(ValueError);
    expect(() => eg.Rng.fromState([2 ** 32, 1, 1, 1])).toThrow(ValueError);
    expect(() => eg.Rng.fromState([1] as never)).toThrow(ValueError);
    // Signed words are their unsigned two's complement, as before.
    expect(eg.Rng.fromState([-1, 2, 3, 4]).getState().words).toEqual([2 ** 32 - 1, 2, 3, 4]);
    expect(eg.Rng.fromState([1, 2, 3, 4]).nextU32()).toBe(11520);
  });
});

describe("repeat", () => {
  it("refuses a list followed by more repeats (it used the list and dropped the rest)", () => {
    // PyTorch 1.13: x.repeat([2], 3) raises TypeError; we returned x repeated twice.
    expect(() => (eg.repeat as (x: eg.Tensor, ...r: unknown[]) => eg.Tensor)(eg.tensor([1, 2]), [2], 3)).toThrow(ValueError);
    expect(eg.repeat(eg.tensor([1, 2]), [2]).toArray()).toEqual([1, 2, 1, 2]);
    expect(eg.repeat(eg.tensor([1, 2]), 1, 2).toArray()).toEqual([[1, 2, 1, 2]]);
  });
});
