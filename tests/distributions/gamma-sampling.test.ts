// eg.distributions Gamma, Beta, Dirichlet and StudentT draws: shapes, the same seed giving the same
// draws, the Kolmogorov–Smirnov distance to the exact CDF (written here) under the DKW bound, and
// the reparameterized gradients — Gamma's dz/dα against −(∂F/∂α)/f with ∂F/∂α by central
// differences of the reference CDF (implicit reparameterization), and for every family the mean
// gradient within 5 standard errors of the derivative of the mean it estimates.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { column, expectMeanWithin, meanOf, sdOf } from "./helpers.js";
import { gammaLogPdfRef, gammaPRef } from "./reference-more.js";
import { ksBound, ksDistance } from "./reference.js";

const D = eg.distributions;
const N = 20000;
const f64 = (values: number[], requiresGrad = false) => eg.tensor(values, { dtype: "float64", requiresGrad });
const filled = (n: number, v: number) => eg.full([n], v, { dtype: "float64", requiresGrad: true });

/** Draws of a one-batch-dim distribution: the shape, sample = rsample for one seed, and each column's KS distance. */
function checkDraws(d: eg.distributions.Distribution, cdf: (x: number, col: number) => number, what: string): eg.Tensor {
  const cols = d.batchShape[0];
  const xs = d.sample([N], { seed: 11 });
  expect(xs.shape).toEqual([N, cols]);
  expect(Array.from(d.rsample([N], { seed: 11 }).data)).toEqual(Array.from(xs.data));
  for (let c = 0; c < cols; c++) {
    const ks = ksDistance(column(xs, c, cols), (x) => cdf(x, c));
    if (!(ks <= ksBound(N))) throw new Error(`${what}: KS distance ${ks} > ${ksBound(N)} in column ${c}`);
  }
  return xs;
}

describe("Gamma draws", () => {
  it("follow the Gamma CDF (Marsaglia–Tsang, and its boost below α = 1) in both dtypes", () => {
    const conc = [0.05, 0.3, 1, 4.5], rate = [1, 2, 1, 0.5];
    for (const dtype of ["float64", "float32"] as const) {
      const d = new D.Gamma(eg.tensor(conc, { dtype }), eg.tensor(rate, { dtype }));
      const xs = checkDraws(d, (x, c) => gammaPRef(conc[c], rate[c] * x), `Gamma ${dtype}`);
      conc.forEach((a, c) => expectMeanWithin(column(xs, c, 4), a / rate[c], Math.sqrt(a) / rate[c], `Gamma mean ${c}`));
      // Draws are floored at the smallest normal number, as PyTorch clamps them.
      expect(Math.min(...Array.from(xs.data))).toBeGreaterThanOrEqual(dtype === "float64" ? 2 ** -1022 : 2 ** -126);
    }
  });

  it("dz/dα is −(∂F/∂α)/f at the draw, ∂F/∂α by central differences of the reference CDF", () => {
    const alphas = Array.from({ length: 60 }, (_, i) => 0.05 * 1.1 ** i); // 0.05 … 15
    const alpha = f64(alphas, true), z = new D.Gamma(alpha, 1).rsample([], { seed: 4 });
    z.sum().backward();
    alphas.forEach((a, i) => {
      const x = z.data[i], g = alpha.grad!.data[i];
      const diff = (h: number) => (gammaPRef(a + h, x) - gammaPRef(a - h, x)) / (2 * h);
      const h = 1e-4 * a, fine = diff(h / 2), density = Math.exp(gammaLogPdfRef(a, 1, x));
      // The gap between steps h and h/2 bounds the truncation; P's rounding (≈ 1e-15) over h/2 adds.
      const tol = (4 * Math.abs(fine - diff(h)) + 4e-15 / h) / density + 1e-9 * Math.abs(g);
      if (!(Math.abs(g + fine / density) <= tol)) throw new Error(`α = ${a}, z = ${x}: dz/dα ${g} vs ${-fine / density} (tol ${tol})`);
    });
  });

  it("the mean gradient estimates d E[z]/dα = 1/rate and d E[z]/d rate = −α/rate²", () => {
    for (const [a, r] of [[0.4, 1], [3, 2]]) {
      const alpha = filled(N, a), rate = filled(N, r);
      new D.Gamma(alpha, rate).rsample([], { seed: 5 }).sum().backward();
      const ga = Array.from(alpha.grad!.data), gr = Array.from(rate.grad!.data);
      expectMeanWithin(ga, 1 / r, sdOf(ga), `dz/dα at α = ${a}`);
      expectMeanWithin(gr, -a / (r * r), sdOf(gr), `dz/drate at α = ${a}`);
    }
    const rate = float64Input([3], 2, 0.5, 2);
    assertGradByDifferences((r) => new D.Gamma(f64([0.5, 2, 7]), r).rsample([2], { seed: 3 }), [rate], "Gamma.rsample (rate)");
  });
});

describe("Beta and Dirichlet draws", () => {
  it("follow the Beta CDF where it is closed-form: 1 − (1 − x)^b for a = 1, x^a for b = 1, a polynomial for (2, 3)", () => {
    const c1 = [1, 0.3, 2], c0 = [0.5, 1, 3];
    const cdfs = [(x: number) => 1 - (1 - x) ** 0.5, (x: number) => x ** 0.3, (x: number) => 6 * x * x - 8 * x ** 3 + 3 * x ** 4];
    const xs = checkDraws(new D.Beta(eg.tensor(c1), eg.tensor(c0)), (x, c) => cdfs[c](Math.min(1, Math.max(0, x))), "Beta");
    c1.forEach((a, c) => {
      const t = a + c0[c];
      expectMeanWithin(column(xs, c, 3), a / t, Math.sqrt((a * c0[c]) / (t * t * (t + 1))), `Beta mean ${c}`);
    });
  });

  it("Dirichlet draws lie on the simplex; a coordinate follows its Beta(αᵢ, Σα − αᵢ) marginal", () => {
    const alpha = [1, 0.5, 1.5], d = new D.Dirichlet(f64(alpha));
    const xs = d.sample([N], { seed: 6 });
    expect(xs.shape).toEqual([N, 3]);
    for (let i = 0; i < N; i += 97) expect(Math.abs(xs.data[3 * i] + xs.data[3 * i + 1] + xs.data[3 * i + 2] - 1)).toBeLessThanOrEqual(4 * 2 ** -52);
    // x₀ ~ Beta(1, 2): F(x) = 1 − (1 − x)².
    const ks = ksDistance(column(xs, 0, 3), (x) => 1 - (1 - x) ** 2);
    expect(ks).toBeLessThanOrEqual(ksBound(N));
    alpha.forEach((a, j) => expectMeanWithin(column(xs, j, 3), a / 3, Math.sqrt((a * (3 - a)) / 36), `Dirichlet mean ${j}`));
  });

  it("the mean gradients estimate the derivatives of the means", () => {
    const c1 = filled(N, 0.7), c0 = filled(N, 2.5);
    new D.Beta(c1, c0).rsample([], { seed: 7 }).sum().backward();
    const g1 = Array.from(c1.grad!.data), g0 = Array.from(c0.grad!.data), t = 3.2;
    expectMeanWithin(g1, 2.5 / (t * t), sdOf(g1), "dx/dc1");
    expectMeanWithin(g0, -0.7 / (t * t), sdOf(g0), "dx/dc0");
    const alpha = [0.6, 2, 1.4], conc = eg.tensor(Array.from({ length: N }, () => alpha), { dtype: "float64", requiresGrad: true });
    const x = new D.Dirichlet(conc).rsample([], { seed: 8 });
    x.slice(null, 0).sum().backward();
    alpha.forEach((a, j) => {
      const g = column(conc.grad!, j, 3), total = 4;
      expectMeanWithin(g, ((j === 0 ? total : 0) - alpha[0]) / (total * total), sdOf(g), `dx₀/dα${j}`);
      expect(Number.isFinite(meanOf(g))).toBe(true);
    });
  });
});

describe("StudentT draws", () => {
  it("follow the t CDF where it is closed-form (ν = 1: Cauchy; ν = 2) and X/√(χ²/ν) keeps loc and scale", () => {
    const loc = [0.5, -1], scale = [2, 0.7];
    const cdf = (x: number, c: number) => {
      const y = (x - loc[c]) / scale[c];
      return c === 0 ? 0.5 + Math.atan(y) / Math.PI : 0.5 + y / (2 * Math.sqrt(2 + y * y));
    };
    checkDraws(new D.StudentT(f64([1, 2]), f64(loc), f64(scale)), cdf, "StudentT");
    const l = float64Input([2], 1), s = float64Input([2], 2, 0.5, 2);
    assertGradByDifferences((a, b) => new D.StudentT(f64([3, 9]), a, b).rsample([3], { seed: 2 }), [l, s], "StudentT.rsample (loc, scale)");
  });

  it("the mean gradient of x² estimates d E[x²]/dν = −2·scale²/(ν − 2)²", () => {
    const df = filled(N, 7), scale = 1.5;
    new D.StudentT(df, 0, scale).rsample([], { seed: 9 }).square().sum().backward();
    const g = Array.from(df.grad!.data);
    expectMeanWithin(g, (-2 * scale * scale) / 25, sdOf(g), "d(x²)/dν");
  });
});
