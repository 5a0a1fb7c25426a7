// eg.distributions LogNormal, HalfNormal, Gumbel, Cauchy and StudentT: logProb, entropy, moments,
// cdf and icdf against float64 formulas written here, over broadcast parameter shapes, values and
// both float dtypes drawn by fast-check; gradients by central differences; draws against the CDF
// (Kolmogorov–Smirnov under the DKW bound) and the mean within 5σ/√n.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, indices } from "../support/reference.js";
import { column, expectMeanWithin, expectRef, param, pos, problemArb, read } from "./helpers.js";
import { digammaMag, digammaRef, lgammaMag, lgammaRef } from "./reference-more.js";
import { erfRef, erfinvRef, ksBound, ksDistance, normalCdfRef } from "./reference.js";

const D = eg.distributions;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const EULER = 0.5772156649015329;

describe("LogNormal and HalfNormal", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const loc = param(a, dtype, seed, -1, 1), scale = param(b, dtype, seed + 1, 0.2, 1.5);
      const x = param(batch, dtype, seed + 2, 0.05, 5), p = param(batch, dtype, seed + 3, 0.02, 0.98);
      const m = (i: number[]) => read(loc, i), s = (i: number[]) => read(scale, i), v = (i: number[]) => at(x, i), q = (i: number[]) => at(p, i);
      const d = new D.LogNormal(loc, scale);
      expect(d.batchShape).toEqual(batch);
      const z = (i: number[]) => (Math.log(v(i)) - m(i)) / s(i);
      const mag = (i: number[]) => 2 + z(i) ** 2 + Math.abs(Math.log(s(i))) + Math.abs(Math.log(v(i))) * (1 + 1 / s(i)) + Math.abs(m(i)) / s(i);
      expectRef(d.logProb(x), batch, (i) => [-0.5 * z(i) ** 2 - Math.log(s(i)) - HALF_LOG_2PI - Math.log(v(i)), mag(i)], "LogNormal.logProb");
      expectRef(d.entropy(), batch, (i) => [0.5 + HALF_LOG_2PI + Math.log(s(i)) + m(i), 2 + Math.abs(Math.log(s(i))) + Math.abs(m(i))], "LogNormal.entropy");
      expectRef(d.mean, batch, (i) => [Math.exp(m(i) + s(i) ** 2 / 2), Math.exp(m(i) + s(i) ** 2 / 2) * (2 + Math.abs(m(i)) + s(i) ** 2)], "LogNormal.mean");
      expectRef(d.variance, batch, (i) => {
        const want = Math.expm1(s(i) ** 2) * Math.exp(2 * m(i) + s(i) ** 2);
        return [want, want * (4 + 2 * Math.abs(m(i)) + 2 * s(i) ** 2)];
      }, "LogNormal.variance");
      expectRef(d.cdf(x), batch, (i) => [normalCdfRef(Math.log(v(i)), m(i), s(i)), 1 + mag(i)], "LogNormal.cdf");
      expectRef(d.icdf(p), batch, (i) => {
        const y = Math.SQRT2 * erfinvRef(2 * q(i) - 1), want = Math.exp(m(i) + s(i) * y);
        return [want, want * (1 + Math.abs(m(i)) + s(i) * (Math.abs(y) + 2) * Math.exp(y * y / 2) * 4)];
      }, "LogNormal.icdf", 64);
      const h = new D.HalfNormal(scale), t = (i: number[]) => v(i) / s(i);
      expectRef(h.logProb(x), batch, (i) => [Math.LN2 - 0.5 * t(i) ** 2 - Math.log(s(i)) - HALF_LOG_2PI, 2 + t(i) ** 2 + Math.abs(Math.log(s(i)))], "HalfNormal.logProb");
      expectRef(h.cdf(x), batch, (i) => [erfRef(t(i) / Math.SQRT2), 1 + t(i)], "HalfNormal.cdf");
      expectRef(h.icdf(p), batch, (i) => {
        const y = erfinvRef(q(i));
        return [s(i) * Math.SQRT2 * y, s(i) * (Math.abs(y) + 2) * Math.exp(y * y) * 2];
      }, "HalfNormal.icdf", 64);
      expectRef(h.entropy().expand(batch), batch, (i) => [0.5 + HALF_LOG_2PI + Math.log(s(i)) - Math.LN2, 2 + Math.abs(Math.log(s(i)))], "HalfNormal.entropy");
      expectRef(h.mean.expand(batch), batch, (i) => [s(i) * Math.sqrt(2 / Math.PI), s(i)], "HalfNormal.mean", 4);
      expectRef(h.variance.expand(batch), batch, (i) => [s(i) ** 2 * (1 - 2 / Math.PI), s(i) ** 2], "HalfNormal.variance", 4);
    }), { numRuns: 40 });
  });

  it("gradients reach the parameters and the value", () => {
    const loc = float64Input([2, 3], 1), scale = float64Input([3], 2), x = float64Input([2, 3], 3, 0.2, 3), p = float64Input([2, 3], 4, 0.1, 0.9);
    for (const m of ["logProb", "cdf", "icdf"] as const) {
      const v = m === "icdf" ? p : x;
      assertGradByDifferences((l, s, w) => new D.LogNormal(l, pos(s))[m](w), [loc, scale, v], `LogNormal.${m}`);
      assertGradByDifferences((s, w) => new D.HalfNormal(pos(s))[m](w), [scale, v], `HalfNormal.${m}`);
    }
    assertGradByDifferences((l, s) => new D.LogNormal(l, pos(s)).variance, [loc, scale], "LogNormal.variance");
    assertGradByDifferences((l, s) => new D.LogNormal(l, pos(s)).rsample([2], { seed: 1 }), [loc, scale], "LogNormal.rsample");
    assertGradByDifferences((s) => new D.HalfNormal(pos(s)).rsample([2], { seed: 1 }), [scale], "HalfNormal.rsample");
  });
});

describe("Gumbel and Cauchy", () => {
  it("logProb, entropy, moments, cdf and icdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const loc = param(a, dtype, seed, -2, 2), scale = param(b, dtype, seed + 1, 0.3, 3);
      const x = param(batch, dtype, seed + 2, -4, 6), p = param(batch, dtype, seed + 3, 0.02, 0.98);
      const m = (i: number[]) => read(loc, i), s = (i: number[]) => read(scale, i), v = (i: number[]) => at(x, i), q = (i: number[]) => at(p, i);
      const z = (i: number[]) => (v(i) - m(i)) / s(i), zmag = (i: number[]) => (Math.abs(v(i)) + Math.abs(m(i))) / s(i);
      const g = new D.Gumbel(loc, scale);
      expectRef(g.logProb(x), batch, (i) => [-z(i) - Math.exp(-z(i)) - Math.log(s(i)), 2 + zmag(i) * (1 + Math.exp(-z(i))) + Math.exp(-z(i)) + Math.abs(Math.log(s(i)))], "Gumbel.logProb");
      expectRef(g.cdf(x), batch, (i) => [Math.exp(-Math.exp(-z(i))), 1 + zmag(i) * Math.exp(-z(i))], "Gumbel.cdf");
      expectRef(g.icdf(p), batch, (i) => {
        const w = -Math.log(-Math.log(q(i)));
        return [m(i) + s(i) * w, Math.abs(m(i)) + s(i) * (Math.abs(w) + 2 / (q(i) * Math.abs(Math.log(q(i)))))];
      }, "Gumbel.icdf", 32);
      expectRef(g.entropy(), batch, (i) => [Math.log(s(i)) + 1 + EULER, 2 + Math.abs(Math.log(s(i)))], "Gumbel.entropy");
      expectRef(g.mean, batch, (i) => [m(i) + s(i) * EULER, Math.abs(m(i)) + s(i)], "Gumbel.mean", 4);
      expectRef(g.variance.expand(batch), batch, (i) => [(Math.PI * s(i)) ** 2 / 6, s(i) ** 2 * 2], "Gumbel.variance", 4);
      const c = new D.Cauchy(loc, scale);
      expectRef(c.logProb(x), batch, (i) => [-Math.log(Math.PI) - Math.log(s(i)) - Math.log1p(z(i) ** 2), 3 + Math.abs(Math.log(s(i))) + Math.log1p(z(i) ** 2) + 2 * zmag(i)], "Cauchy.logProb");
      expectRef(c.cdf(x), batch, (i) => [0.5 + Math.atan(z(i)) / Math.PI, 1 + zmag(i)], "Cauchy.cdf");
      expectRef(c.icdf(p), batch, (i) => {
        const w = Math.tan(Math.PI * (q(i) - 0.5));
        return [m(i) + s(i) * w, Math.abs(m(i)) + s(i) * (Math.abs(w) + 4 * (1 + w * w))];
      }, "Cauchy.icdf", 32);
      expectRef(c.entropy(), batch, (i) => [Math.log(4 * Math.PI * s(i)), 3 + Math.abs(Math.log(s(i)))], "Cauchy.entropy");
      expect(Array.from(c.mean.data).every(Number.isNaN) && Array.from(c.variance.data).every((w) => w === Infinity)).toBe(true);
    }), { numRuns: 40 });
  });

  it("gradients reach loc, scale and the value", () => {
    const loc = float64Input([2, 3], 1), scale = float64Input([3], 2), x = float64Input([2, 3], 3), p = float64Input([2, 3], 4, 0.1, 0.9);
    for (const F of [D.Gumbel, D.Cauchy]) {
      for (const m of ["logProb", "cdf", "icdf"] as const) {
        assertGradByDifferences((l, s, w) => new F(l, pos(s))[m](w), [loc, scale, m === "icdf" ? p : x], `${F.name}.${m}`);
      }
      assertGradByDifferences((l, s) => new F(l, pos(s)).rsample([2], { seed: 1 }), [loc, scale], `${F.name}.rsample`);
      assertGradByDifferences((s) => new F(0, pos(s)).entropy(), [scale], `${F.name}.entropy`);
    }
  });
});

describe("StudentT", () => {
  it("logProb, entropy, mean and variance match the float64 formulas (NaN and ∞ where PyTorch gives them)", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const df = param(a, dtype, seed, 0.5, 12), loc = param(b, dtype, seed + 1, -2, 2), scale = param(a, dtype, seed + 2, 0.3, 3);
      const x = param(batch, dtype, seed + 3, -5, 5);
      const n = (i: number[]) => read(df, i), m = (i: number[]) => read(loc, i), s = (i: number[]) => read(scale, i);
      const d = new D.StudentT(df, loc, scale);
      expect(d.batchShape).toEqual(batch);
      expectRef(d.logProb(x), batch, (i) => {
        const y = (at(x, i) - m(i)) / s(i), l1p = Math.log1p((y * y) / n(i));
        const want = lgammaRef((n(i) + 1) / 2) - lgammaRef(n(i) / 2) - 0.5 * Math.log(n(i) * Math.PI) - Math.log(s(i)) - ((n(i) + 1) / 2) * l1p;
        return [want, 4 + lgammaMag((n(i) + 1) / 2) + lgammaMag(n(i) / 2) + Math.abs(Math.log(n(i) * s(i))) + (n(i) + 1) * (l1p + 4 * (Math.abs(at(x, i)) + Math.abs(m(i))) / s(i))];
      }, "StudentT.logProb");
      expectRef(d.entropy().expand(batch), batch, (i) => {
        const h = n(i) / 2, hp = (n(i) + 1) / 2;
        const want = Math.log(s(i)) + hp * (digammaRef(hp) - digammaRef(h)) + 0.5 * Math.log(n(i)) + lgammaRef(h) + 0.5 * Math.log(Math.PI) - lgammaRef(hp);
        return [want, 4 + Math.abs(Math.log(s(i) * n(i))) + hp * (digammaMag(hp) + digammaMag(h)) + lgammaMag(h) + lgammaMag(hp)];
      }, "StudentT.entropy");
      const mean = d.mean, variance = d.variance;
      for (const i of indices(batch)) {
        expect(Number.isNaN(at(mean, i))).toBe(n(i) <= 1);
        if (n(i) > 1) expect(at(mean, i)).toBe(m(i));
        const want = n(i) > 2 ? (s(i) ** 2 * n(i)) / (n(i) - 2) : n(i) > 1 ? Infinity : NaN;
        const got = at(variance, i), tol = 8 * (dtype === "float64" ? 2 ** -53 : 2 ** -24) * want * (1 + n(i) / (n(i) - 2));
        expect(Number.isNaN(want) ? Number.isNaN(got) : got === want || Math.abs(got - want) <= tol, `variance at [${i}]: ${got} vs ${want}`).toBe(true);
      }
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy and variance reach df, loc, scale and the value", () => {
    const df = float64Input([2, 3], 1, 2.5, 8), loc = float64Input([3], 2), scale = float64Input([2, 3], 3), x = float64Input([2, 3], 4);
    assertGradByDifferences((n, l, s, v) => new D.StudentT(n, l, pos(s)).logProb(v), [df, loc, scale, x], "StudentT.logProb");
    assertGradByDifferences((n, s) => new D.StudentT(n, 0, pos(s)).entropy(), [df, scale], "StudentT.entropy");
    assertGradByDifferences((n, s) => new D.StudentT(n, 0, pos(s)).variance, [df, scale], "StudentT.variance");
  });
});

describe("draws", () => {
  it("LogNormal, HalfNormal, Gumbel and Cauchy follow their CDFs; the means within 5σ/√n", () => {
    const N = 20000, loc = [-0.5, 1], scale = [0.4, 1.3];
    const f = (v: number[]) => eg.tensor(v, { dtype: "float64" });
    const families: [eg.distributions.Distribution, (x: number, c: number) => number, string][] = [
      [new D.LogNormal(f(loc), f(scale)), (x, c) => (x <= 0 ? 0 : normalCdfRef(Math.log(x), loc[c], scale[c])), "LogNormal"],
      [new D.HalfNormal(f(scale)), (x, c) => (x <= 0 ? 0 : erfRef(x / (scale[c] * Math.SQRT2))), "HalfNormal"],
      [new D.Gumbel(f(loc), f(scale)), (x, c) => Math.exp(-Math.exp(-(x - loc[c]) / scale[c])), "Gumbel"],
      [new D.Cauchy(f(loc), f(scale)), (x, c) => 0.5 + Math.atan((x - loc[c]) / scale[c]) / Math.PI, "Cauchy"],
    ];
    for (const [d, cdf, what] of families) {
      const xs = d.rsample([N], { seed: 12 });
      expect(xs.shape).toEqual([N, 2]);
      expect(Array.from(d.sample([N], { seed: 12 }).data)).toEqual(Array.from(xs.data));
      for (let c = 0; c < 2; c++) {
        const ks = ksDistance(column(xs, c, 2), (x) => cdf(x, c));
        if (!(ks <= ksBound(N))) throw new Error(`${what}: KS distance ${ks} > ${ksBound(N)} in column ${c}`);
        if (what !== "Cauchy") expectMeanWithin(column(xs, c, 2), d.mean.data[c], Math.sqrt(d.variance.data[c]), `${what} mean ${c}`);
      }
    }
  });
});
