// eg.distributions Normal, Uniform, Exponential and Laplace: logProb, entropy, mean, variance,
// stddev, cdf and icdf against float64 formulas written here, over broadcast parameter shapes,
// values and both float dtypes drawn by fast-check; gradients by central differences.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, broadcastableTo, broadcastIndex, indices, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";
import { erfinvRef, laplaceCdfRef, normalCdfRef } from "./reference.js";

const D = eg.distributions;
type FloatDType = "float32" | "float64";
const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** A tensor of `shape` with values spread over [lo, hi) by a small LCG from `seed`. */
function param(shape: number[], dtype: FloatDType, seed: number, lo: number, hi: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = lo + ((hi - lo) * s) / 2 ** 32; }
  return eg.fromTypedArray(data, shape);
}

/** Each element of `got` (of the batch shape) within K·u·magnitude of the reference [value, magnitude]. */
function expectRef(got: eg.Tensor, shape: number[], ref: (idx: number[]) => [number, number], what: string, k = 16): void {
  expect(got.shape).toEqual(shape);
  const u = unitOf(got.dtype);
  for (const idx of indices(shape)) {
    const [want, magnitude] = ref(idx), g = at(got, idx), tol = k * u * magnitude + ETA32;
    if (!(Math.abs(g - want) <= tol)) throw new Error(`${what} at [${idx}]: got ${g}, expected ${want} (tol ${tol})`);
  }
}

/** Shapes of two parameters and a value that broadcast together to `batch`. */
const problemArb = shapeArb(3, 4).chain((batch) =>
  fc.record({ batch: fc.constant(batch), a: broadcastableTo(batch), b: broadcastableTo(batch), dtype: dtypeArb, seed: fc.nat() })
    .filter(({ a, b }) => a.length === batch.length || b.length === batch.length)
    .filter(({ a, b, batch: s }) => s.every((d, i) => d === 1 || a[i - s.length + a.length] === d || b[i - s.length + b.length] === d)));

const read = (t: eg.Tensor, idx: number[]) => at(t, broadcastIndex(idx, t.shape));

describe("Normal", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const loc = param(a, dtype, seed, -2, 2), scale = param(b, dtype, seed + 1, 0.2, 3);
      const x = param(batch, dtype, seed + 2, -4, 4), p = param(batch, dtype, seed + 3, 0.02, 0.98);
      const d = new D.Normal(loc, scale);
      expect(d.batchShape).toEqual(batch);
      expect(d.eventShape).toEqual([]);
      const m = (i: number[]) => read(loc, i), s = (i: number[]) => read(scale, i), v = (i: number[]) => at(x, i);
      expectRef(d.logProb(x), batch, (i) => {
        const z = (v(i) - m(i)) / s(i);
        return [-0.5 * z * z - Math.log(s(i)) - HALF_LOG_2PI, 0.5 * z * z + Math.abs(Math.log(s(i))) + 1 + Math.abs(v(i)) + Math.abs(m(i))];
      }, "logProb");
      expectRef(d.entropy(), batch, (i) => [0.5 * Math.log(2 * Math.PI * Math.E * s(i) ** 2), 2 + Math.abs(Math.log(s(i)))], "entropy");
      expectRef(d.mean.expand(batch), batch, (i) => [m(i), Math.abs(m(i))], "mean", 0);
      expectRef(d.variance.expand(batch), batch, (i) => [s(i) ** 2, s(i) ** 2], "variance", 2);
      expectRef(d.stddev.expand(batch), batch, (i) => [s(i), s(i)], "stddev", 0);
      expectRef(d.cdf(x), batch, (i) => [normalCdfRef(v(i), m(i), s(i)), 1 + Math.abs(v(i) - m(i)) / s(i)], "cdf");
      expectRef(d.icdf(p), batch, (i) => {
        const y = erfinvRef(2 * at(p, i) - 1);
        return [m(i) + s(i) * Math.SQRT2 * y, Math.abs(m(i)) + s(i) * (Math.abs(y) + 2) * Math.exp(y * y)];
      }, "icdf", 64);
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy, cdf and icdf reach loc, scale and the value", () => {
    const pos = (t: eg.Tensor) => t.abs().add(0.3);
    const loc = float64Input([2, 3], 1), scale = float64Input([3], 2), x = float64Input([2, 3], 3);
    assertGradByDifferences((l, s, v) => new D.Normal(l, pos(s)).logProb(v), [loc, scale, x], "Normal.logProb");
    assertGradByDifferences((l, s, v) => new D.Normal(l, pos(s)).cdf(v), [loc, scale, x], "Normal.cdf");
    assertGradByDifferences((s) => new D.Normal(0, pos(s)).entropy(), [scale], "Normal.entropy");
    const p = float64Input([2, 3], 4, 0.1, 0.9);
    assertGradByDifferences((l, s, q) => new D.Normal(l, pos(s)).icdf(q), [loc, scale, p], "Normal.icdf");
  });
});

describe("Uniform", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const low = param(a, dtype, seed, -3, -0.5), high = param(b, dtype, seed + 1, 0.5, 3);
      const t = param(batch, dtype, seed + 2, 0, 1), d = new D.Uniform(low, high);
      const lo = (i: number[]) => read(low, i), hi = (i: number[]) => read(high, i);
      // Values inside [low, high): the mid-point moved by less than half the width.
      const x = eg.noGrad(() => d.low.add(d.high).mul(0.5).add(t.sub(0.5).mul(0.9).mul(d.high.sub(d.low))));
      const w = (i: number[]) => hi(i) - lo(i), mag = (i: number[]) => Math.abs(lo(i)) + Math.abs(hi(i));
      expectRef(d.logProb(x), batch, (i) => [-Math.log(w(i)), Math.abs(Math.log(w(i))) + mag(i) / w(i)], "logProb");
      expectRef(d.entropy(), batch, (i) => [Math.log(w(i)), Math.abs(Math.log(w(i))) + mag(i) / w(i)], "entropy");
      expectRef(d.mean.expand(batch), batch, (i) => [(lo(i) + hi(i)) / 2, mag(i)], "mean", 2);
      expectRef(d.variance.expand(batch), batch, (i) => [w(i) ** 2 / 12, mag(i) ** 2], "variance", 4);
      expectRef(d.stddev.expand(batch), batch, (i) => [w(i) / Math.sqrt(12), mag(i)], "stddev", 4);
      expectRef(d.cdf(x), batch, (i) => [(at(x, i) - lo(i)) / w(i), 1 + mag(i) / w(i)], "cdf", 8);
      expectRef(d.icdf(t), batch, (i) => [lo(i) + at(t, i) * w(i), mag(i)], "icdf", 4);
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy, cdf, icdf and rsample reach low and high", () => {
    const low = float64Input([2, 3], 1, -3, -1), high = float64Input([3], 2, 1, 3), x = float64Input([2, 3], 3, -0.5, 0.5);
    assertGradByDifferences((l, h) => new D.Uniform(l, h).logProb(x.detach()), [low, high], "Uniform.logProb");
    assertGradByDifferences((l, h, v) => new D.Uniform(l, h).cdf(v), [low, high, x], "Uniform.cdf");
    assertGradByDifferences((l, h) => new D.Uniform(l, h).entropy(), [low, high], "Uniform.entropy");
    const p = float64Input([2, 3], 4, 0, 1);
    assertGradByDifferences((l, h, q) => new D.Uniform(l, h).icdf(q), [low, high, p], "Uniform.icdf");
    assertGradByDifferences((l, h) => new D.Uniform(l, h).rsample([4], { seed: 7 }), [low, high], "Uniform.rsample");
  });
});

describe("Exponential", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, dtype, seed }) => {
      const rate = param(a, dtype, seed, 0.2, 4), x = param(batch, dtype, seed + 2, 0, 5), p = param(batch, dtype, seed + 3, 0, 0.98);
      const d = new D.Exponential(rate), r = (i: number[]) => read(rate, i), v = (i: number[]) => at(x, i);
      expect(d.batchShape).toEqual(a);
      const full = (t: eg.Tensor) => t.expand(batch);
      expectRef(full(d.logProb(x)), batch, (i) => [Math.log(r(i)) - r(i) * v(i), Math.abs(Math.log(r(i))) + r(i) * v(i)], "logProb");
      expectRef(full(d.entropy()), batch, (i) => [1 - Math.log(r(i)), 1 + Math.abs(Math.log(r(i)))], "entropy");
      expectRef(full(d.mean), batch, (i) => [1 / r(i), 1 / r(i)], "mean", 1);
      expectRef(full(d.variance), batch, (i) => [1 / r(i) ** 2, 1 / r(i) ** 2], "variance", 2);
      expectRef(full(d.stddev), batch, (i) => [1 / r(i), 1 / r(i)], "stddev", 1);
      expectRef(full(d.cdf(x)), batch, (i) => [1 - Math.exp(-r(i) * v(i)), 1 + r(i) * v(i)], "cdf");
      expectRef(full(d.icdf(p)), batch, (i) => [-Math.log(1 - at(p, i)) / r(i), (1 - Math.log(1 - at(p, i)) + 1 / (1 - at(p, i))) / r(i)], "icdf");
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy, cdf, icdf and rsample reach the rate", () => {
    const rate = float64Input([2, 3], 1, 0.3, 3), x = float64Input([2, 3], 2, 0.1, 3), p = float64Input([3], 3, 0.1, 0.9);
    assertGradByDifferences((r, v) => new D.Exponential(r).logProb(v), [rate, x], "Exponential.logProb");
    assertGradByDifferences((r, v) => new D.Exponential(r).cdf(v), [rate, x], "Exponential.cdf");
    assertGradByDifferences((r) => new D.Exponential(r).entropy(), [rate], "Exponential.entropy");
    assertGradByDifferences((r, q) => new D.Exponential(r).icdf(q), [rate, p], "Exponential.icdf");
    assertGradByDifferences((r) => new D.Exponential(r).rsample([3], { seed: 5 }), [rate], "Exponential.rsample");
  });
});

describe("Laplace", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const loc = param(a, dtype, seed, -2, 2), scale = param(b, dtype, seed + 1, 0.2, 3);
      const x = param(batch, dtype, seed + 2, -4, 4), p = param(batch, dtype, seed + 3, 0.02, 0.98);
      const d = new D.Laplace(loc, scale);
      const m = (i: number[]) => read(loc, i), s = (i: number[]) => read(scale, i), v = (i: number[]) => at(x, i);
      const mag = (i: number[]) => 1 + Math.abs(Math.log(2 * s(i))) + (Math.abs(v(i)) + Math.abs(m(i))) / s(i);
      expectRef(d.logProb(x), batch, (i) => [-Math.log(2 * s(i)) - Math.abs(v(i) - m(i)) / s(i), mag(i)], "logProb");
      expectRef(d.entropy(), batch, (i) => [1 + Math.log(2 * s(i)), mag(i)], "entropy");
      expectRef(d.mean.expand(batch), batch, (i) => [m(i), Math.abs(m(i))], "mean", 0);
      expectRef(d.variance.expand(batch), batch, (i) => [2 * s(i) ** 2, 2 * s(i) ** 2], "variance", 2);
      expectRef(d.stddev.expand(batch), batch, (i) => [Math.SQRT2 * s(i), s(i)], "stddev", 2);
      expectRef(d.cdf(x), batch, (i) => [laplaceCdfRef(v(i), m(i), s(i)), mag(i)], "cdf");
      expectRef(d.icdf(p), batch, (i) => {
        const q = at(p, i), y = q < 0.5 ? Math.log(2 * q) : -Math.log(2 - 2 * q);
        return [m(i) + s(i) * y, Math.abs(m(i)) + s(i) * (Math.abs(y) + 1 / Math.min(q, 1 - q))];
      }, "icdf");
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy, cdf, icdf and rsample reach loc and scale", () => {
    const pos = (t: eg.Tensor) => t.abs().add(0.3);
    const loc = float64Input([2, 3], 1), scale = float64Input([3], 2), x = float64Input([2, 3], 3);
    assertGradByDifferences((l, s, v) => new D.Laplace(l, pos(s)).logProb(v), [loc, scale, x], "Laplace.logProb");
    assertGradByDifferences((l, s, v) => new D.Laplace(l, pos(s)).cdf(v), [loc, scale, x], "Laplace.cdf");
    assertGradByDifferences((s) => new D.Laplace(0, pos(s)).entropy(), [scale], "Laplace.entropy");
    const p = float64Input([2, 3], 4, 0.05, 0.95);
    assertGradByDifferences((l, s, q) => new D.Laplace(l, pos(s)).icdf(q), [loc, scale, p], "Laplace.icdf");
    assertGradByDifferences((l, s) => new D.Laplace(l, pos(s)).rsample([2], { seed: 3 }), [loc, scale], "Laplace.rsample");
  });
});

describe("rsample", () => {
  it("Normal.rsample is loc + ε·scale: its gradient is 1 for loc and ε for scale", () => {
    const loc = float64Input([3], 1), scale = float64Input([2, 1], 2, 0.5, 2);
    assertGradByDifferences((l, s) => new D.Normal(l, s).rsample([2], { seed: 9 }), [loc, scale], "Normal.rsample");
    const y = new D.Normal(loc, scale).rsample([], { seed: 9 });
    const eps = eg.randn([2, 3], { dtype: "float64", seed: 9 });
    for (const i of indices([2, 3])) expect(at(y, i)).toBeCloseTo(at(loc, [i[1]]) + at(eps, i) * at(scale, [i[0], 0]), 12);
  });
});
