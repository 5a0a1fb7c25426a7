// eg.distributions.klDivergence for the families beyond the first six: every pair PyTorch 1.13
// registers among them, against KL(p ‖ q) = E_p[log p − log q] computed here in float64 — by
// double-exponential quadrature of log-densities written here (continuous p), by summing the
// series (discrete p), by explicit matrix algebra (MultivariateNormal) and by E[log xᵢ] = ψ(αᵢ) −
// ψ(Σα) (Dirichlet); +∞ where q's support misses part of p's; gradients by central differences;
// pairs PyTorch does not register refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { digammaRef, klByQuadrature, lgammaMag, lgammaRef } from "./reference-more.js";
import { pos } from "./helpers.js";

const D = eg.distributions;
type Dist = eg.distributions.Distribution;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** A family: how to build it from numbers, its log-density (at x, given 1 − x too), its support's break points, parameters from two uniforms. */
interface Family { make: (p: number[]) => Dist; logPdf: (p: number[]) => (x: number, toHi: number) => number; support: (p: number[]) => number[]; draw: (u: number[]) => number[] }
const f64 = (v: number) => eg.tensor(v, { dtype: "float64" });
const lnNormal = (m: number, s: number) => (x: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - HALF_LOG_2PI;
const lnGamma = (a: number, r: number) => (x: number) => a * Math.log(r) + (a - 1) * Math.log(x) - r * x - lgammaRef(a);
const lnBeta = (a: number, b: number) => (x: number, oneMinusX: number) => (a - 1) * Math.log(x) + (b - 1) * Math.log(oneMinusX) + lgammaRef(a + b) - lgammaRef(a) - lgammaRef(b);
const lnGumbel = (m: number, s: number) => (x: number) => { const z = (x - m) / s; return -z - Math.exp(-z) - Math.log(s); };

const FAMILIES: Record<string, Family> = {
  Normal: { make: ([m, s]) => new D.Normal(f64(m), f64(s)), logPdf: ([m, s]) => lnNormal(m, s), support: () => [-Infinity, Infinity], draw: ([a, b]) => [4 * a - 2, 0.3 + 2 * b] },
  Laplace: { make: ([m, s]) => new D.Laplace(f64(m), f64(s)), logPdf: ([m, s]) => (x) => -Math.log(2 * s) - Math.abs(x - m) / s, support: ([m]) => [-Infinity, m, Infinity], draw: ([a, b]) => [4 * a - 2, 0.3 + 2 * b] },
  Exponential: { make: ([r]) => new D.Exponential(f64(r)), logPdf: ([r]) => (x) => Math.log(r) - r * x, support: () => [0, Infinity], draw: ([a]) => [0.3 + 3 * a] },
  Uniform: { make: ([l, h]) => new D.Uniform(f64(l), f64(h)), logPdf: ([l, h]) => (x) => (x >= l && x < h ? -Math.log(h - l) : -Infinity), support: ([l, h]) => [l, h], draw: ([a, b]) => [-2 + 1.5 * a, 0.5 + 1.5 * b] },
  Gamma: { make: ([c, r]) => new D.Gamma(f64(c), f64(r)), logPdf: ([c, r]) => lnGamma(c, r), support: () => [0, Infinity], draw: ([a, b]) => [0.3 + 4 * a, 0.3 + 3 * b] },
  Beta: { make: ([a, b]) => new D.Beta(f64(a), f64(b)), logPdf: ([a, b]) => lnBeta(a, b), support: () => [0, 1], draw: ([a, b]) => [0.3 + 4 * a, 0.3 + 4 * b] },
  Gumbel: { make: ([m, s]) => new D.Gumbel(f64(m), f64(s)), logPdf: ([m, s]) => lnGumbel(m, s), support: () => [-Infinity, Infinity], draw: ([a, b]) => [2 * a - 1, 0.5 + 2 * b] },
  Cauchy: { make: ([m, s]) => new D.Cauchy(f64(m), f64(s)), logPdf: ([m, s]) => (x) => -Math.log(Math.PI * s) - Math.log1p(((x - m) / s) ** 2), support: ([m]) => [-Infinity, m, Infinity], draw: ([a, b]) => [4 * a - 2, 0.3 + 2 * b] },
  HalfNormal: { make: ([s]) => new D.HalfNormal(f64(s)), logPdf: ([s]) => (x) => Math.LN2 + lnNormal(0, s)(x), support: () => [0, Infinity], draw: ([a]) => [0.3 + 2 * a] },
  LogNormal: { make: ([m, s]) => new D.LogNormal(f64(m), f64(s)), logPdf: ([m, s]) => (x) => lnNormal(m, s)(Math.log(x)) - Math.log(x), support: () => [0, Infinity], draw: ([a, b]) => [2 * a - 1, 0.3 + b] },
};

/** KL(p ‖ q) by quadrature over p's support (split at its break points), with a rounding scale for the tolerance. */
function klRef(p: Family, pp: number[], q: Family, qp: number[]): { value: number; error: number; mag: number } {
  const lp = p.logPdf(pp), lq = q.logPdf(qp), cuts = p.support(pp);
  let value = 0, error = 0, mag = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    // 1 − x for the log-densities: the quadrature's exact distance to hi where hi is 1 (Beta's singular end).
    const oneMinus = (x: number, toHi: number) => (cuts[i + 1] === 1 ? toHi : 1 - x);
    const lpx = (x: number, t: number) => lp(x, oneMinus(x, t)), lqx = (x: number, t: number) => lq(x, oneMinus(x, t));
    const part = klByQuadrature(lpx, lqx, cuts[i], cuts[i + 1]);
    // ∫ p·(|log p| + |log q|): the size of what the closed forms add up, for the rounding bound.
    const size = klByQuadrature(lpx, (x, t) => lpx(x, t) - Math.abs(lpx(x, t)) - Math.abs(lqx(x, t)), cuts[i], cuts[i + 1]);
    value += part.value;
    error += part.error + size.error;
    mag += size.value;
  }
  return { value, error, mag: 4 + mag + [...pp, ...qp].reduce((s, v) => s + lgammaMag(Math.abs(v) + 0.1) + Math.abs(v), 0) };
}

function expectKl(p: [string, number[]], q: [string, number[]], what: string): void {
  const [pf, qf] = [FAMILIES[p[0]], FAMILIES[q[0]]];
  const got = D.klDivergence(pf.make(p[1]), qf.make(q[1])).item(), ref = klRef(pf, p[1], qf, q[1]);
  const tol = 64 * 2 ** -53 * ref.mag + 8 * ref.error;
  if (!(Math.abs(got - ref.value) <= tol)) throw new Error(`${what} ${JSON.stringify(p)} ‖ ${JSON.stringify(q)}: got ${got}, quadrature ${ref.value} (tol ${tol})`);
}

const unitPairs = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }));

describe("klDivergence of continuous families against quadrature", () => {
  it("the same-family pairs: Gamma, Beta, Gumbel, Cauchy, HalfNormal, LogNormal", () => {
    fc.assert(fc.property(unitPairs, unitPairs, (a, b) => {
      for (const name of ["Gamma", "Beta", "Gumbel", "Cauchy", "HalfNormal", "LogNormal"]) {
        const f = FAMILIES[name];
        expectKl([name, f.draw(a)], [name, f.draw(b)], name);
      }
    }), { numRuns: 8 });
  });

  it("the pairs of different families PyTorch 1.13 registers", () => {
    const pairs = [["Beta", "Exponential"], ["Beta", "Gamma"], ["Beta", "Normal"], ["Beta", "Uniform"], ["Exponential", "Gamma"], ["Exponential", "Gumbel"],
      ["Exponential", "Normal"], ["Gamma", "Exponential"], ["Gamma", "Gumbel"], ["Gamma", "Normal"], ["Gumbel", "Normal"], ["Laplace", "Normal"],
      ["Normal", "Gumbel"], ["Normal", "Laplace"], ["Uniform", "Beta"], ["Uniform", "Exponential"], ["Uniform", "Gamma"], ["Uniform", "Gumbel"], ["Uniform", "Normal"]];
    fc.assert(fc.property(unitPairs, unitPairs, (a, b) => {
      for (const [pn, qn] of pairs) {
        let pp = FAMILIES[pn].draw(a), qp = FAMILIES[qn].draw(b);
        // Supports that hold p's: q Uniform around [0, 1]; p Uniform inside (0, 1) or (0, ∞).
        if (qn === "Uniform") qp = [-0.5 - b[0], 1.5 + b[1]];
        if (pn === "Uniform") pp = qn === "Beta" ? [0.05 + 0.4 * a[0], 0.55 + 0.4 * a[1]] : qn === "Exponential" || qn === "Gamma" ? [0.1 + a[0], 1.2 + a[1]] : pp;
        expectKl([pn, pp], [qn, qp], `${pn} ‖ ${qn}`);
      }
    }), { numRuns: 6 });
  });

  it("is +∞ of p's batch shape where q's support misses part of p's", () => {
    const p = { Exponential: new D.Exponential(eg.ones([2])), Gamma: new D.Gamma(eg.ones([2]), 1), Gumbel: new D.Gumbel(eg.zeros([2]), 1), Laplace: new D.Laplace(eg.zeros([2]), 1), Normal: new D.Normal(eg.zeros([2]), 1) };
    const qs = { Beta: new D.Beta(2, 2), Uniform: new D.Uniform(-1, 1), Exponential: new D.Exponential(1), Gamma: new D.Gamma(2, 1) };
    const infinite = (kl: eg.Tensor) => { expect(kl.shape).toEqual([2]); expect(Array.from(kl.data)).toEqual([Infinity, Infinity]); };
    for (const [pn, pd] of Object.entries(p)) {
      for (const [qn, qd] of Object.entries(qs)) if (!((pn === "Exponential" || pn === "Gamma") && (qn === "Exponential" || qn === "Gamma"))) infinite(D.klDivergence(pd, qd));
    }
    infinite(D.klDivergence(new D.Poisson(eg.ones([2])), new D.Bernoulli({ probs: 0.5 })));
    infinite(D.klDivergence(new D.Poisson(eg.ones([2])), new D.Binomial({ totalCount: 5, probs: 0.5 })));
    const masked = (kl: eg.Tensor) => Array.from(kl.data);
    expect(masked(D.klDivergence(new D.Beta(eg.tensor([2, 2]), 3), new D.Uniform(eg.tensor([-1, 0.1]), 2)))[1]).toBe(Infinity);
    expect(masked(D.klDivergence(new D.Uniform(eg.tensor([-0.5, 0.2]), 0.8), new D.Beta(2, 3)))[0]).toBe(Infinity);
    expect(masked(D.klDivergence(new D.Uniform(eg.tensor([-0.5, 0.2]), 0.8), new D.Exponential(2)))[0]).toBe(Infinity);
    expect(masked(D.klDivergence(new D.Uniform(eg.tensor([-0.5, 0.2]), 0.8), new D.Gamma(2, 1)))[0]).toBe(Infinity);
  });
});

describe("klDivergence of discrete, multivariate and composite families", () => {
  /** Σₖ p(k)·(log p(k) − log q(k)) until p's remaining mass is below 1e-18. */
  const series = (lp: (k: number) => number, lq: (k: number) => number, top = Infinity) => {
    let sum = 0, mass = 0, mag = 0;
    for (let k = 0; k <= top && (mass < 1 - 1e-18 || k < 5) && k < 100000; k++) {
      const w = Math.exp(lp(k));
      if (w > 0) { sum += w * (lp(k) - lq(k)); mag += w * (Math.abs(lp(k)) + Math.abs(lq(k))); }
      mass += w;
    }
    return { sum, mag };
  };
  const logFact = (k: number) => lgammaRef(k + 1);

  it("Poisson ‖ Poisson, Geometric ‖ Geometric, Binomial ‖ Binomial and Bernoulli ‖ Poisson against the series", () => {
    fc.assert(fc.property(unitPairs, unitPairs, (a, b) => {
      const [l1, l2] = [0.2 + 8 * a[0], 0.2 + 8 * b[0]], [g1, g2] = [0.05 + 0.9 * a[1], 0.05 + 0.9 * b[1]], n = 1 + Math.floor(20 * a[0]);
      const check = (got: number, ref: { sum: number; mag: number }, what: string) =>
        expect(Math.abs(got - ref.sum), `${what}: ${got} vs ${ref.sum}`).toBeLessThanOrEqual(256 * 2 ** -53 * (4 + ref.mag + 3 * lgammaMag(n + 10)));
      const poisson = (l: number) => (k: number) => k * Math.log(l) - l - logFact(k);
      check(D.klDivergence(new D.Poisson(f64(l1)), new D.Poisson(f64(l2))).item(), series(poisson(l1), poisson(l2)), "Poisson");
      const geometric = (p: number) => (k: number) => k * Math.log1p(-p) + Math.log(p);
      check(D.klDivergence(new D.Geometric({ probs: f64(g1) }), new D.Geometric({ probs: f64(g2) })).item(), series(geometric(g1), geometric(g2)), "Geometric");
      const binomial = (p: number) => (k: number) => logFact(n) - logFact(k) - logFact(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
      const bp = new D.Binomial({ totalCount: f64(n), probs: f64(g1) }), bq = new D.Binomial({ totalCount: f64(n), probs: f64(g2) });
      check(D.klDivergence(bp, bq).item(), series(binomial(g1), binomial(g2), n), "Binomial");
      const bern = (k: number) => (k === 0 ? Math.log1p(-g1) : k === 1 ? Math.log(g1) : -Infinity);
      check(D.klDivergence(new D.Bernoulli({ probs: f64(g1) }), new D.Poisson(f64(l2))).item(), series(bern, poisson(l2), 1), "Bernoulli ‖ Poisson");
    }), { numRuns: 20 });
    const counts = (n: number[]) => eg.tensor(n, { dtype: "float64" });
    const kl = D.klDivergence(new D.Binomial({ totalCount: counts([5, 6]), probs: 0.3 }), new D.Binomial({ totalCount: counts([5, 5]), probs: 0.4 }));
    expect(kl.data[1]).toBe(Infinity);
    expect(() => D.klDivergence(new D.Binomial({ totalCount: 4, probs: 0.3 }), new D.Binomial({ totalCount: 5, probs: 0.3 }))).toThrow(/q's totalCount exceeds p's/);
  });

  it("MultivariateNormal ‖ MultivariateNormal = ½·(tr(Σq⁻¹Σp) + Δᵀ Σq⁻¹ Δ − n + log det Σq − log det Σp)", () => {
    const sp = [[2, 0.3], [0.3, 1]], sq = [[1, -0.4], [-0.4, 0.8]], mp = [0.5, -1], mq = [-0.2, 0.7];
    const det = (s: number[][]) => s[0][0] * s[1][1] - s[0][1] * s[1][0];
    const inv = [[sq[1][1] / det(sq), -sq[0][1] / det(sq)], [-sq[1][0] / det(sq), sq[0][0] / det(sq)]];
    const tr = inv[0][0] * sp[0][0] + inv[0][1] * sp[1][0] + inv[1][0] * sp[0][1] + inv[1][1] * sp[1][1];
    const d = [mq[0] - mp[0], mq[1] - mp[1]], maha = d[0] * (inv[0][0] * d[0] + inv[0][1] * d[1]) + d[1] * (inv[1][0] * d[0] + inv[1][1] * d[1]);
    const want = 0.5 * (tr + maha - 2 + Math.log(det(sq)) - Math.log(det(sp)));
    const t = (v: number[] | number[][]) => eg.tensor(v, { dtype: "float64" });
    const p = new D.MultivariateNormal(t(mp), { covarianceMatrix: t(sp) });
    for (const q of [new D.MultivariateNormal(t(mq), { covarianceMatrix: t(sq) }), new D.MultivariateNormal(t(mq), { precisionMatrix: eg.inverse(t(sq)) })]) {
      expect(Math.abs(D.klDivergence(p, q).item() - want)).toBeLessThanOrEqual(256 * 2 ** -53 * (10 + Math.abs(want)));
    }
    const batched = D.klDivergence(new D.MultivariateNormal(eg.zeros([3, 2], { dtype: "float64" }), { covarianceMatrix: t(sp) }), new D.MultivariateNormal(t(mq), { covarianceMatrix: t(sq) }));
    expect(batched.shape).toEqual([3]);
    expect(() => D.klDivergence(p, new D.MultivariateNormal(eg.zeros([3], { dtype: "float64" }), { scaleTril: eg.eye(3, 3, { dtype: "float64" }) }))).toThrow(ShapeError);
  });

  it("Dirichlet ‖ Dirichlet = log B(β)/B(α) + Σ(αᵢ − βᵢ)·E_p[log xᵢ], E_p[log xᵢ] = ψ(αᵢ) − ψ(Σα)", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.2, max: 5, noNaN: true }), { minLength: 2, maxLength: 5 }), fc.nat(), (alpha, seed) => {
      const beta = alpha.map((_, i) => 0.2 + ((seed * 7 + i * 13) % 48) / 10), a0 = alpha.reduce((s, v) => s + v, 0), b0 = beta.reduce((s, v) => s + v, 0);
      const logB = (v: number[], total: number) => v.reduce((s, x) => s + lgammaRef(x), 0) - lgammaRef(total);
      const want = logB(beta, b0) - logB(alpha, a0) + alpha.reduce((s, x, i) => s + (x - beta[i]) * (digammaRef(x) - digammaRef(a0)), 0);
      const got = D.klDivergence(new D.Dirichlet(eg.tensor(alpha, { dtype: "float64" })), new D.Dirichlet(eg.tensor(beta, { dtype: "float64" }))).item();
      const mag = [...alpha, ...beta, a0, b0].reduce((s, v) => s + lgammaMag(v) + v * (1 + 1 / v), 0);
      expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(64 * 2 ** -53 * mag);
    }), { numRuns: 30 });
  });

  it("Independent ‖ Independent sums the bases' KL; OneHotCategorical ‖ OneHotCategorical is the Categorical one", () => {
    const pl = float64Input([2, 3], 1), ql = float64Input([2, 3], 2);
    const kl = D.klDivergence(new D.Independent(new D.Normal(pl, 1), 1), new D.Independent(new D.Normal(ql, 1), 1));
    expect(kl.shape).toEqual([2]);
    for (let r = 0; r < 2; r++) {
      let want = 0;
      for (let c = 0; c < 3; c++) want += 0.5 * (pl.data[3 * r + c] - ql.data[3 * r + c]) ** 2;
      expect(Math.abs(kl.data[r] - want)).toBeLessThanOrEqual(32 * 2 ** -53 * (1 + want));
    }
    const oh = D.klDivergence(new D.OneHotCategorical({ logits: pl }), new D.OneHotCategorical({ logits: ql }));
    expect(Array.from(oh.data)).toEqual(Array.from(D.klDivergence(new D.Categorical({ logits: pl }), new D.Categorical({ logits: ql })).data));
    expect(() => D.klDivergence(new D.Independent(new D.Normal(pl, 1), 1), new D.Independent(new D.Normal(ql, 1), 2))).toThrow(/1 reinterpreted dims against one with 2/);
  });
});

describe("klDivergence gradients and refusals", () => {
  it("gradients reach both distributions' parameters", () => {
    const a = float64Input([2, 3], 1), b = float64Input([3], 2), c = float64Input([2, 1], 3), d = float64Input([3], 4);
    const two = (f: (x: eg.Tensor, z: eg.Tensor) => eg.Tensor): [(...t: eg.Tensor[]) => eg.Tensor, eg.Tensor[]] => [f, [b, d]];
    const four = (f: (w: eg.Tensor, x: eg.Tensor, y: eg.Tensor, z: eg.Tensor) => eg.Tensor): [(...t: eg.Tensor[]) => eg.Tensor, eg.Tensor[]] => [f, [a, b, c, d]];
    const cases: [string, [(...t: eg.Tensor[]) => eg.Tensor, eg.Tensor[]]][] = [
      ["Gamma", four((w, x, y, z) => D.klDivergence(new D.Gamma(pos(w), pos(x)), new D.Gamma(pos(y), pos(z))))],
      ["Beta", four((w, x, y, z) => D.klDivergence(new D.Beta(pos(w), pos(x)), new D.Beta(pos(y), pos(z))))],
      ["Gumbel", four((w, x, y, z) => D.klDivergence(new D.Gumbel(w, pos(x)), new D.Gumbel(y, pos(z))))],
      ["Cauchy", four((w, x, y, z) => D.klDivergence(new D.Cauchy(w, pos(x)), new D.Cauchy(y, pos(z))))],
      ["LogNormal", four((w, x, y, z) => D.klDivergence(new D.LogNormal(w, pos(x)), new D.LogNormal(y, pos(z))))],
      ["HalfNormal", two((x, z) => D.klDivergence(new D.HalfNormal(pos(x)), new D.HalfNormal(pos(z))))],
      ["Poisson", two((x, z) => D.klDivergence(new D.Poisson(pos(x)), new D.Poisson(pos(z))))],
      ["Geometric", two((x, z) => D.klDivergence(new D.Geometric({ logits: x }), new D.Geometric({ logits: z })))],
      ["Binomial", two((x, z) => D.klDivergence(new D.Binomial({ totalCount: 6, logits: x }), new D.Binomial({ totalCount: 6, logits: z })))],
      ["Dirichlet", [(w, y) => D.klDivergence(new D.Dirichlet(pos(w)), new D.Dirichlet(pos(y))), [a, float64Input([1, 3], 7)]]],
      ["Gamma ‖ Normal", four((w, x, y, z) => D.klDivergence(new D.Gamma(pos(w), pos(x)), new D.Normal(y, pos(z))))],
      ["Gamma ‖ Gumbel", four((w, x, y, z) => D.klDivergence(new D.Gamma(pos(w), pos(x)), new D.Gumbel(y, pos(z))))],
      ["Beta ‖ Gamma", four((w, x, y, z) => D.klDivergence(new D.Beta(pos(w), pos(x)), new D.Gamma(pos(y), pos(z))))],
      ["Normal ‖ Laplace", four((w, x, y, z) => D.klDivergence(new D.Normal(w, pos(x)), new D.Laplace(y, pos(z))))],
      ["Uniform ‖ Gumbel", four((w, x, y, z) => D.klDivergence(new D.Uniform(w, w.add(pos(x))), new D.Gumbel(y, pos(z))))],
      ["Exponential ‖ Gumbel", [(w, y, z) => D.klDivergence(new D.Exponential(pos(w)), new D.Gumbel(y, pos(z))), [a, c, d]]],
    ];
    for (const [what, [f, inputs]] of cases) assertGradByDifferences(f, inputs, `KL ${what}`);
    const w = float64Input([3, 3], 5, -1, 1), loc = float64Input([3], 6);
    const mvn = (l: eg.Tensor, m: eg.Tensor) => new D.MultivariateNormal(l, { scaleTril: eg.tril(m).add(eg.eye(3, 3, { dtype: "float64" }).mul(2)) });
    assertGradByDifferences((l, m) => D.klDivergence(mvn(l, m), mvn(l.mul(0.5), m.mul(-0.7))), [loc, w], "KL MultivariateNormal");
  });

  it("a pair PyTorch 1.13 does not register is a ValueError naming both families", () => {
    const refused: [Dist, Dist][] = [[new D.Gamma(1, 1), new D.Laplace(0, 1)], [new D.HalfNormal(1), new D.Normal(0, 1)], [new D.StudentT(3), new D.StudentT(4)],
      [new D.LogNormal(0, 1), new D.Gamma(1, 1)], [new D.Cauchy(0, 1), new D.Normal(0, 1)], [new D.Poisson(1), new D.Geometric({ probs: 0.5 })]];
    for (const [p, q] of refused) {
      expect(() => D.klDivergence(p, q)).toThrow(ValueError);
      expect(() => D.klDivergence(p, q)).toThrow(new RegExp(`${p.name} ‖ ${q.name}`));
    }
  });
});
