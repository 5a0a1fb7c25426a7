import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import { mae, mse, r2, rmse } from "../../src/metrics/index.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });

describe("regression metrics", () => {
  it("match scikit-learn's documented examples", () => {
    const t = f64([3, -0.5, 2, 7]);
    const p = f64([2.5, 0, 2, 8]);
    expect(mse(t, p)).toBe(0.375);
    expect(rmse(t, p)).toBe(Math.sqrt(0.375));
    expect(mae(t, p)).toBe(0.5);
    expect(r2(t, p)).toBeCloseTo(0.9486081370449679, 15);
    // multi-output: r2 per column, uniform average
    expect(r2(f64([[0.5, 1], [-1, 1], [7, -6]]), f64([[0, 2], [-1, 2], [8, -5]]))).toBeCloseTo(0.9368005266622779, 14);
  });

  it("constant targets: r2 is 1 when exact, else 0; sizes must agree; [n] pairs with [n, 1]", () => {
    expect(r2(f64([2, 2]), f64([2, 2]))).toBe(1);
    expect(r2(f64([2, 2]), f64([2, 3]))).toBe(0);
    expect(mse(f64([1, 2]), f64([[1], [4]]))).toBe(2);
    expect(() => mse(f64([1, 2]), f64([1]))).toThrow(ShapeError);
  });

  it("shapes must agree, not just sizes: a ShapeError naming both shapes (scikit-learn raises too)", () => {
    // sklearn 1.2: mean_squared_error of [2, 3] vs [3, 2], or [4] vs [2, 2], raises ValueError
    // ("inconsistent numbers of samples"); it pairs [n] with [n, 1] only.
    const bad: [number[] | number[][], number[] | number[][], string][] = [
      [[[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4], [5, 6]], "yTrue [2,3] and yPred [3,2]"],
      [[1, 2, 3, 4], [[1, 2], [3, 4]], "yTrue [4] and yPred [2,2]"],
      [[[1, 2]], [1, 2], "yTrue [1,2] and yPred [2]"],
      [[[1, 2], [3, 4]], [[1], [2], [3], [4]], "yTrue [2,2] and yPred [4,1]"],
    ];
    for (const [t, p, shapes] of bad) {
      for (const [name, metric] of [["mse", mse], ["rmse", rmse], ["mae", mae], ["r2", r2]] as const) {
        expect(() => metric(f64(t), f64(p))).toThrow(ShapeError);
        expect(() => metric(f64(t), f64(p))).toThrow(`${name}: ${shapes}`);
      }
    }
    // More than two dimensions: sklearn refuses ("Found array with dim 3").
    const cube = tensor([[[1, 2], [3, 4]]], { dtype: "float64" });
    expect(() => r2(cube, cube)).toThrow(/r2: yTrue \[1,2,2\] .* \[n\] or \[n, outputs\]/);
  });

  it("[n] pairs with [n, 1] either way round, as in scikit-learn", () => {
    // sklearn 1.2: mean_squared_error([1, 2], [[1], [4]]) = 2.0, mean_absolute_error([[1], [2]],
    // [1, 4]) = 1.0, r2_score([1, 2, 3], [[1], [4], [2]]) = -1.5.
    expect(mse(f64([[1], [2]]), f64([1, 4]))).toBe(2);
    expect(mae(f64([[1], [2]]), f64([1, 4]))).toBe(1);
    expect(r2(f64([1, 2, 3]), f64([[1], [4], [2]]))).toBe(-1.5);
    expect(mse([1, 2], f64([[1], [4]]))).toBe(2);
  });

  it("r2 = 1 − mse / variance of yTrue (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 })), { minLength: 2, maxLength: 50 }), (pairs) => {
        const t = pairs.map((q) => q[0]);
        const p = pairs.map((q) => q[1]);
        const mean = t.reduce((a, b) => a + b) / t.length;
        const variance = t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length;
        fc.pre(variance > 0);
        expect(Math.abs(r2(f64(t), f64(p)) - (1 - mse(f64(t), f64(p)) / variance))).toBeLessThan(1e-9);
        expect(mae(f64(t), f64(p)) ** 2).toBeLessThanOrEqual(mse(f64(t), f64(p)) * (1 + 1e-12));
      }),
    );
  });
});
