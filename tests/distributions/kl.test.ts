// eg.distributions.klDivergence against KL(p‖q) written here in float64 (as E_p[log p − log q]
// in each family's own algebra), over broadcast batch shapes and both dtypes; gradients by
// central differences; +∞ where p's support leaves q's; a pair without a closed form refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ValueError } from "../../src/errors.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, broadcastIndex, indices, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const D = eg.distributions;
type FloatDType = "float32" | "float64";
const problemArb = fc.record({ n: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 3 }),
  dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat() });

/** Every element of kl (shape [m, n]) within K·u·magnitude of ref(i, j). */
function expectKl(kl: eg.Tensor, m: number, n: number, ref: (idx: number[]) => [number, number], what: string): void {
  expect(kl.shape).toEqual([m, n]);
  const u = unitOf(kl.dtype);
  for (const idx of indices([m, n])) {
    const [want, mag] = ref(idx), got = at(kl, idx), tol = 32 * u * mag + ETA32;
    if (!(got === want || Math.abs(got - want) <= tol)) throw new Error(`${what} at [${idx}]: got ${got}, expected ${want} (tol ${tol})`);
  }
}
const r = (t: eg.Tensor, idx: number[]) => at(t, broadcastIndex(idx, t.shape));

describe("klDivergence", () => {
  it("Normal ‖ Normal = log(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½", () => {
    fc.assert(fc.property(problemArb, ({ n, m, dtype, seed }) => {
      const pl = sampleTensor([n], seed, dtype), ps = sampleTensor([m, 1], seed + 1, dtype, 0.3, 3);
      const ql = sampleTensor([m, n], seed + 2, dtype), qs = sampleTensor([n], seed + 3, dtype, 0.3, 3);
      expectKl(D.klDivergence(new D.Normal(pl, ps), new D.Normal(ql, qs)), m, n, (i) => {
        const a = r(pl, i), s = r(ps, i), b = r(ql, i), t = r(qs, i);
        const v = Math.log(t / s) + (s * s + (a - b) ** 2) / (2 * t * t) - 0.5;
        return [v, 2 + Math.abs(Math.log(t / s)) + (s * s + (a - b) ** 2 + a * a + b * b) / (t * t)];
      }, "Normal");
    }), { numRuns: 30 });
  });

  it("Laplace ‖ Laplace and Exponential ‖ Exponential", () => {
    fc.assert(fc.property(problemArb, ({ n, m, dtype, seed }) => {
      const pl = sampleTensor([n], seed, dtype), ps = sampleTensor([m, 1], seed + 1, dtype, 0.3, 3);
      const ql = sampleTensor([m, n], seed + 2, dtype), qs = sampleTensor([n], seed + 3, dtype, 0.3, 3);
      expectKl(D.klDivergence(new D.Laplace(pl, ps), new D.Laplace(ql, qs)), m, n, (i) => {
        const a = r(pl, i), s = r(ps, i), b = r(ql, i), t = r(qs, i), d = Math.abs(a - b);
        // E_p|X − b| = d + s·e^(−d/s) for X ~ Laplace(a, s).
        const v = Math.log(t / s) - 1 + (d + s * Math.exp(-d / s)) / t;
        return [v, 2 + Math.abs(Math.log(t / s)) + (Math.abs(a) + Math.abs(b) + s) / t + d / s];
      }, "Laplace");
      expectKl(D.klDivergence(new D.Exponential(ps.expand([m, n])), new D.Exponential(qs)), m, n, (i) => {
        const a = r(ps, i), b = r(qs, i);
        return [Math.log(a / b) + b / a - 1, 2 + Math.abs(Math.log(a / b)) + b / a];
      }, "Exponential");
    }), { numRuns: 30 });
  });

  it("Uniform ‖ Uniform is log(wq/wp) when [lp, hp) ⊆ [lq, hq), else +∞", () => {
    fc.assert(fc.property(problemArb, ({ n, m, dtype, seed }) => {
      const pl = sampleTensor([n], seed, dtype, -2, 0), ph = sampleTensor([m, 1], seed + 1, dtype, 0.1, 2);
      const ql = sampleTensor([m, n], seed + 2, dtype, -3, 0), qh = sampleTensor([n], seed + 3, dtype, 0.1, 3);
      expectKl(D.klDivergence(new D.Uniform(pl, ph), new D.Uniform(ql, qh)), m, n, (i) => {
        const a = r(pl, i), b = r(ph, i), c = r(ql, i), d = r(qh, i);
        return [c <= a && b <= d ? Math.log((d - c) / (b - a)) : Infinity, 4 + Math.abs(Math.log((d - c) / (b - a))) * 2 + 6 / (b - a)];
      }, "Uniform");
    }), { numRuns: 30 });
  });

  it("Bernoulli ‖ Bernoulli and Categorical ‖ Categorical = Σ p·log(p/q), with 0·log 0 = 0 and p·log(p/0) = +∞", () => {
    fc.assert(fc.property(problemArb, ({ n, m, dtype, seed }) => {
      const pp = sampleTensor([n], seed, dtype, 0.05, 0.95), qp = sampleTensor([m, n], seed + 1, dtype, 0.05, 0.95);
      expectKl(D.klDivergence(new D.Bernoulli({ probs: pp }), new D.Bernoulli({ probs: qp })), m, n, (i) => {
        const a = r(pp, i), b = r(qp, i);
        return [a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b)), 8 * (1 + Math.abs(Math.log(a / b)) + Math.abs(Math.log((1 - a) / (1 - b)))) / Math.min(a, 1 - a, b, 1 - b)];
      }, "Bernoulli");
      const k = 3, pc = sampleTensor([n, k], seed + 2, dtype, 0.05, 1), qc = sampleTensor([m, n, k], seed + 3, dtype, -2, 2);
      expectKl(D.klDivergence(new D.Categorical({ probs: pc }), new D.Categorical({ logits: qc })), m, n, (i) => {
        const p = [0, 1, 2].map((c) => at(pc, [i[1], c])), sp = p[0] + p[1] + p[2];
        const ql = [0, 1, 2].map((c) => at(qc, [...i, c])), lse = Math.log(ql.reduce((s, l) => s + Math.exp(l), 0));
        const v = p.reduce((s, x, c) => s + (x / sp) * (Math.log(x / sp) - (ql[c] - lse)), 0);
        return [v, 32 * (1 + Math.abs(lse) + 20)];
      }, "Categorical");
    }), { numRuns: 30 });
    const zero = eg.tensor([0, 1, 0.5], { dtype: "float64" });
    const kl = D.klDivergence(new D.Bernoulli({ probs: zero }), new D.Bernoulli({ probs: eg.tensor([0.5, 0, 1], { dtype: "float64" }) }));
    // p = 0 counts as ε when it enters through the clamped logits, as in PyTorch: a few ulps off log 2.
    expect(Math.abs(kl.data[0] - Math.log(2))).toBeLessThan(4 * 2 ** -52);
    expect([kl.data[1], kl.data[2]]).toEqual([Infinity, Infinity]);
    const cat = D.klDivergence(new D.Categorical({ probs: eg.tensor([[0, 1], [0.5, 0.5]]) }), new D.Categorical({ probs: eg.tensor([[0.5, 0.5], [1, 0]]) }));
    expect(Math.abs(cat.data[0] - Math.log(2))).toBeLessThan(4 * 2 ** -24);
    expect(cat.data[1]).toBe(Infinity);
  });

  it("gradients reach both distributions' parameters", () => {
    const pos = (t: eg.Tensor) => t.abs().add(0.3);
    const a = float64Input([2, 3], 1), b = float64Input([3], 2), c = float64Input([2, 1], 3), d = float64Input([3], 4);
    assertGradByDifferences((w, x, y, z) => D.klDivergence(new D.Normal(w, pos(x)), new D.Normal(y, pos(z))), [a, b, c, d], "KL Normal");
    assertGradByDifferences((w, x, y, z) => D.klDivergence(new D.Laplace(w, pos(x)), new D.Laplace(y, pos(z))), [a, b, c, d], "KL Laplace");
    assertGradByDifferences((x, z) => D.klDivergence(new D.Exponential(pos(x)), new D.Exponential(pos(z))), [b, d], "KL Exponential");
    assertGradByDifferences((w, y) => D.klDivergence(new D.Bernoulli({ logits: w }), new D.Bernoulli({ logits: y })), [a, c], "KL Bernoulli");
    assertGradByDifferences((w, y) => D.klDivergence(new D.Categorical({ logits: w }), new D.Categorical({ logits: y })), [a, float64Input([1, 3], 7)], "KL Categorical");
    const lo = float64Input([3], 5, -1, -0.5), hi = float64Input([3], 6, 0.5, 1);
    assertGradByDifferences((l, h) => D.klDivergence(new D.Uniform(l, h), new D.Uniform(l.sub(1), h.add(1))), [lo, hi], "KL Uniform");
  });

  it("a pair without a closed form is a ValueError naming both classes", () => {
    expect(() => D.klDivergence(new D.Laplace(0, 1), new D.Normal(0, 1).mean as never)).toThrow(ValueError);
    expect(() => D.klDivergence(new D.Laplace(0, 1), new D.Cauchy(0, 1))).toThrow(ValueError);
    expect(() => D.klDivergence(new D.Laplace(0, 1), new D.Cauchy(0, 1))).toThrow(/Laplace ‖ Cauchy/);
    expect(() => D.klDivergence(new D.Categorical({ probs: eg.ones([2]) }), new D.Categorical({ probs: eg.ones([3]) }))).toThrow(/2 categories/);
  });
});
