// eg.distributions Gamma, Beta and Dirichlet: logProb, entropy, mean, variance and Gamma's CDF
// against float64 formulas written here (log Γ, ψ and P(a, x) of reference-more.ts), over
// broadcast parameter shapes, values and both float dtypes drawn by fast-check; the CDF's
// derivative in the concentration against central differences of the reference P; gradients of
// every method by central differences.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, sampleTensor } from "../support/reference.js";
import { expectRef, param, pos, problemArb, read } from "./helpers.js";
import { digammaMag, digammaRef, gammaLogPdfRef, gammaPRef, lgammaMag, lgammaRef } from "./reference-more.js";

const D = eg.distributions;

describe("Gamma", () => {
  it("logProb, entropy, mean, variance and cdf match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const conc = param(a, dtype, seed, 0.2, 6), rate = param(b, dtype, seed + 1, 0.3, 3), x = param(batch, dtype, seed + 2, 0.05, 6);
      const d = new D.Gamma(conc, rate);
      expect(d.batchShape).toEqual(batch);
      const c = (i: number[]) => read(conc, i), r = (i: number[]) => read(rate, i), v = (i: number[]) => at(x, i);
      const full = (t: eg.Tensor) => t.expand(batch);
      expectRef(d.logProb(x), batch, (i) => {
        const want = gammaLogPdfRef(c(i), r(i), v(i));
        return [want, 2 + Math.abs(c(i) * Math.log(r(i))) + Math.abs((c(i) - 1) * Math.log(v(i))) + r(i) * v(i) + lgammaMag(c(i))];
      }, "logProb");
      expectRef(full(d.entropy()), batch, (i) => {
        const want = c(i) - Math.log(r(i)) + lgammaRef(c(i)) + (1 - c(i)) * digammaRef(c(i));
        return [want, 2 + c(i) + Math.abs(Math.log(r(i))) + lgammaMag(c(i)) + Math.abs(1 - c(i)) * digammaMag(c(i))];
      }, "entropy");
      expectRef(full(d.mean), batch, (i) => [c(i) / r(i), c(i) / r(i)], "mean", 2);
      expectRef(full(d.variance), batch, (i) => [c(i) / r(i) ** 2, c(i) / r(i) ** 2], "variance", 4);
      expectRef(d.cdf(x), batch, (i) => {
        // Rounding r·x to the dtype moves P by about its density times r·x; both sides scale a sum
        // by e^(a·log y − y − log Γ(a+1)), whose exponent's rounding is relative to its terms.
        const y = r(i) * v(i), density = Math.exp(gammaLogPdfRef(c(i), 1, y));
        return [gammaPRef(c(i), y), 1 + y * density + Math.abs(c(i) * Math.log(y)) + y + lgammaMag(c(i))];
      }, "cdf", 32);
    }), { numRuns: 40 });
  });

  it("cdf's derivative in the concentration matches central differences of the reference P, on both sides of x = a + 1", () => {
    const pairs = [[0.05, 0.2], [0.3, 0.01], [0.7, 3], [1, 1.9], [2.5, 3.4], [2.5, 3.6], [8, 4], [8, 15], [40, 35], [40, 48], [200, 190], [200, 215]];
    const c = eg.tensor(pairs.map(([a]) => a), { dtype: "float64", requiresGrad: true }), x = eg.tensor(pairs.map(([, v]) => v), { dtype: "float64" });
    const p = new D.Gamma(c, 1).cdf(x);
    p.sum().backward();
    pairs.forEach(([a, v], i) => {
      // Central differences with steps h and h/2: their gap bounds the truncation; the rounding of P (≈ 1e-15) over h adds.
      const h = 1e-4 * a, diff = (s: number) => (gammaPRef(a + s, v) - gammaPRef(a - s, v)) / (2 * s);
      const fine = diff(h / 2), tol = 4 * Math.abs(fine - diff(h)) + 1e-14 / h + 1e-9 * Math.abs(fine);
      expect(Math.abs(c.grad!.data[i] - fine), `dP/da at a = ${a}, x = ${v}: ${c.grad!.data[i]} vs ${fine}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(p.data[i] - gammaPRef(a, v))).toBeLessThanOrEqual(1e-12 * (1 + a));
    });
  });

  it("gradients of logProb, entropy, cdf and the moments reach the concentration, the rate and the value", () => {
    const conc = float64Input([2, 3], 1), rate = float64Input([3], 2), x = float64Input([2, 3], 3, 0.2, 4);
    assertGradByDifferences((c, r, v) => new D.Gamma(pos(c), pos(r)).logProb(v), [conc, rate, x], "Gamma.logProb");
    assertGradByDifferences((c, r, v) => new D.Gamma(pos(c), pos(r)).cdf(v), [conc, rate, x], "Gamma.cdf");
    assertGradByDifferences((c, r) => new D.Gamma(pos(c), pos(r)).entropy(), [conc, rate], "Gamma.entropy");
    assertGradByDifferences((c, r) => new D.Gamma(pos(c), pos(r)).variance, [conc, rate], "Gamma.variance");
  });
});

describe("Beta", () => {
  it("logProb, entropy, mean and variance match the float64 formulas", () => {
    fc.assert(fc.property(problemArb, ({ batch, a, b, dtype, seed }) => {
      const c1 = param(a, dtype, seed, 0.2, 5), c0 = param(b, dtype, seed + 1, 0.2, 5), x = param(batch, dtype, seed + 2, 0.02, 0.98);
      const d = new D.Beta(c1, c0);
      expect(d.batchShape).toEqual(batch);
      const p = (i: number[]) => read(c1, i), q = (i: number[]) => read(c0, i), v = (i: number[]) => at(x, i);
      const logB = (i: number[]) => lgammaRef(p(i)) + lgammaRef(q(i)) - lgammaRef(p(i) + q(i));
      const magB = (i: number[]) => lgammaMag(p(i)) + lgammaMag(q(i)) + lgammaMag(p(i) + q(i));
      expectRef(d.logProb(x), batch, (i) => {
        const want = (p(i) - 1) * Math.log(v(i)) + (q(i) - 1) * Math.log1p(-v(i)) - logB(i);
        // 1 − x rounds to the dtype: a relative error u·x/(1 − x) in it.
        return [want, 2 + magB(i) + Math.abs((p(i) - 1) * Math.log(v(i))) + Math.abs(q(i) - 1) * (Math.abs(Math.log1p(-v(i))) + v(i) / (1 - v(i)))];
      }, "logProb");
      expectRef(d.entropy().expand(batch), batch, (i) => {
        const t = p(i) + q(i);
        const terms = [logB(i), -(p(i) - 1) * digammaRef(p(i)), -(q(i) - 1) * digammaRef(q(i)), (t - 2) * digammaRef(t)];
        const mag = magB(i) + Math.abs(p(i) - 1) * digammaMag(p(i)) + Math.abs(q(i) - 1) * digammaMag(q(i)) + Math.abs(t - 2) * digammaMag(t);
        return [terms.reduce((s, x) => s + x, 0), 2 + mag];
      }, "entropy");
      expectRef(d.mean.expand(batch), batch, (i) => [p(i) / (p(i) + q(i)), 1], "mean", 4);
      expectRef(d.variance.expand(batch), batch, (i) => {
        const t = p(i) + q(i);
        return [(p(i) * q(i)) / (t * t * (t + 1)), (p(i) * q(i)) / (t * t * (t + 1))];
      }, "variance", 8);
    }), { numRuns: 40 });
  });

  it("gradients of logProb, entropy and the moments reach both concentrations and the value", () => {
    const c1 = float64Input([2, 3], 1), c0 = float64Input([3], 2), x = float64Input([2, 3], 3, 0.1, 0.9);
    assertGradByDifferences((a, b, v) => new D.Beta(pos(a), pos(b)).logProb(v), [c1, c0, x], "Beta.logProb");
    assertGradByDifferences((a, b) => new D.Beta(pos(a), pos(b)).entropy(), [c1, c0], "Beta.entropy");
    assertGradByDifferences((a, b) => new D.Beta(pos(a), pos(b)).variance, [c1, c0], "Beta.variance");
  });
});

describe("Dirichlet", () => {
  it("logProb, entropy, mean and variance match the float64 formulas over the simplex", () => {
    const problem = fc.record({ m: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 5 }), dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"), seed: fc.nat() });
    fc.assert(fc.property(problem, ({ m, k, dtype, seed }) => {
      const conc = param([m, k], dtype, seed, 0.2, 5), d = new D.Dirichlet(conc);
      expect(d.batchShape).toEqual([m]);
      expect(d.eventShape).toEqual([k]);
      const x = sampleTensor([m, k], seed + 1, "float64", -2, 2).softmax(-1).astype(dtype);
      const lp = d.logProb(x), h = d.entropy(), mean = d.mean, variance = d.variance;
      const u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
      for (let r = 0; r < m; r++) {
        const c = Array.from({ length: k }, (_, j) => at(conc, [r, j])), v = Array.from({ length: k }, (_, j) => at(x, [r, j]));
        const total = c.reduce((s, a) => s + a, 0);
        const terms = [lgammaRef(total), ...c.map((a) => -lgammaRef(a)), ...c.map((a, j) => (a - 1) * Math.log(v[j]))];
        const mag = lgammaMag(total) + c.reduce((s, a, j) => s + lgammaMag(a) + Math.abs((a - 1) * Math.log(v[j])) + Math.abs(a - 1), 0);
        const want = terms.reduce((s, t) => s + t, 0);
        expect(Math.abs(at(lp, [r]) - want), `logProb row ${r}`).toBeLessThanOrEqual(16 * (k + 2) * u * mag);
        const hTerms = [...c.map((a) => lgammaRef(a)), -lgammaRef(total), (total - k) * digammaRef(total), ...c.map((a) => -(a - 1) * digammaRef(a))];
        const hWant = hTerms.reduce((s, t) => s + t, 0);
        const hMag = lgammaMag(total) + Math.abs(total - k) * digammaMag(total) + c.reduce((s, a) => s + lgammaMag(a) + Math.abs(a - 1) * digammaMag(a), 0);
        expect(Math.abs(at(h, [r]) - hWant), `entropy row ${r}`).toBeLessThanOrEqual(16 * (k + 2) * u * hMag);
        c.forEach((a, j) => {
          expect(Math.abs(at(mean, [r, j]) - a / total)).toBeLessThanOrEqual(4 * (k + 2) * u);
          const vr = (a * (total - a)) / (total * total * (total + 1));
          expect(Math.abs(at(variance, [r, j]) - vr)).toBeLessThanOrEqual(8 * (k + 2) * u * (a * total) / (total * total * (total + 1)));
        });
      }
    }), { numRuns: 40 });
  });

  it("gradients of logProb (a value kept on the simplex by softmax), entropy and the moments", () => {
    const conc = float64Input([2, 3], 1), y = float64Input([2, 3], 2);
    assertGradByDifferences((c, w) => new D.Dirichlet(pos(c)).logProb(w.softmax(-1)), [conc, y], "Dirichlet.logProb");
    assertGradByDifferences((c) => new D.Dirichlet(pos(c)).entropy(), [conc], "Dirichlet.entropy");
    assertGradByDifferences((c) => new D.Dirichlet(pos(c)).variance, [conc], "Dirichlet.variance");
  });
});
