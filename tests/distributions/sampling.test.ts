// eg.distributions sampling: shapes sampleShape + batchShape, the same seed giving the same draws,
// the sample mean within 5σ/√n of the true mean, the Kolmogorov–Smirnov distance of continuous
// samples under the DKW bound, and category frequencies within 5σ of n·p.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ksBound, ksDistance, laplaceCdfRef, normalCdfRef } from "./reference.js";

const D = eg.distributions;
const N = 20000;

/** The draws of the batch element `col` (of `cols`) from a flat sample of shape [N, cols]. */
const column = (t: eg.Tensor, col: number, cols: number) => Array.from(t.data as ArrayLike<number>).filter((_, i) => i % cols === col);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function checkContinuous(d: eg.distributions.Distribution, cdf: (x: number, col: number) => number, mean: number[], sd: number[], what: string): void {
  const cols = mean.length;
  for (const draw of ["sample", "rsample"] as const) {
    const xs = d[draw]([N], { seed: 11 });
    expect(xs.shape).toEqual([N, ...d.batchShape]);
    expect(Array.from(d[draw]([N], { seed: 11 }).data)).toEqual(Array.from(xs.data));
    for (let c = 0; c < cols; c++) {
      const col = column(xs, c, cols);
      const m = meanOf(col);
      if (!(Math.abs(m - mean[c]) <= (5 * sd[c]) / Math.sqrt(N))) throw new Error(`${what}.${draw}: mean ${m} vs ${mean[c]} in column ${c}`);
      const ks = ksDistance(col, (x) => cdf(x, c));
      if (!(ks <= ksBound(N))) throw new Error(`${what}.${draw}: KS distance ${ks} > ${ksBound(N)} in column ${c}`);
    }
  }
}

describe("sampling", () => {
  it("Normal, Uniform, Exponential and Laplace draw from their distributions", () => {
    const loc = [-1, 2], scale = [0.5, 3];
    checkContinuous(new D.Normal(eg.tensor(loc), eg.tensor(scale)), (x, c) => normalCdfRef(x, loc[c], scale[c]), loc, scale, "Normal");
    checkContinuous(new D.Laplace(eg.tensor(loc, { dtype: "float64" }), eg.tensor(scale, { dtype: "float64" })),
      (x, c) => laplaceCdfRef(x, loc[c], scale[c]), loc, scale.map((s) => s * Math.SQRT2), "Laplace");
    const rate = [0.5, 4];
    checkContinuous(new D.Exponential(eg.tensor(rate)), (x, c) => (x < 0 ? 0 : 1 - Math.exp(-rate[c] * x)), rate.map((r) => 1 / r), rate.map((r) => 1 / r), "Exponential");
    const lo = [-1, 3], hi = [1, 3.5];
    checkContinuous(new D.Uniform(eg.tensor(lo), eg.tensor(hi)), (x, c) => Math.min(1, Math.max(0, (x - lo[c]) / (hi[c] - lo[c]))),
      [0, 3.25], [2 / Math.sqrt(12), 0.5 / Math.sqrt(12)], "Uniform");
  });

  it("Bernoulli and Categorical frequencies are within 5σ of n·p", () => {
    const probs = [0.1, 0.5, 0.97];
    const b = new D.Bernoulli({ probs: eg.tensor(probs) }).sample([N], { seed: 3 });
    expect(b.shape).toEqual([N, 3]);
    probs.forEach((p, c) => {
      const col = column(b, c, 3);
      expect(col.every((x) => x === 0 || x === 1)).toBe(true);
      const count = col.reduce((a, x) => a + x, 0);
      expect(Math.abs(count - N * p)).toBeLessThanOrEqual(5 * Math.sqrt(N * p * (1 - p)));
    });
    const weights = [[1, 0, 3, 6], [0, 0, 1, 0]];
    const cat = new D.Categorical({ probs: eg.tensor(weights) });
    const s = cat.sample([N], { seed: 4 });
    expect(s.shape).toEqual([N, 2]);
    expect(s.dtype).toBe("int32");
    expect(Array.from(cat.sample([N], { seed: 4 }).data)).toEqual(Array.from(s.data));
    weights.forEach((w, r) => {
      const total = w.reduce((a, x) => a + x, 0), col = column(s, r, 2);
      w.forEach((wk, k) => {
        const p = wk / total, count = col.filter((x) => x === k).length;
        expect(Math.abs(count - N * p)).toBeLessThanOrEqual(5 * Math.sqrt(N * p * (1 - p)));
      });
    });
  });

  it("draws follow the global seed and an rng; sample carries no gradient, Bernoulli has no rsample", () => {
    const loc = eg.tensor([0, 1], { requiresGrad: true }), d = new D.Normal(loc, 1);
    eg.manualSeed(5);
    const first = d.sample([3]);
    eg.manualSeed(5);
    expect(Array.from(d.sample([3]).data)).toEqual(Array.from(first.data));
    expect(first.requiresGrad).toBe(false);
    expect(d.rsample([3], { seed: 1 }).requiresGrad).toBe(true);
    const rng = new eg.Rng(8), again = new eg.Rng(8);
    expect(Array.from(d.sample([2], { rng }).data)).toEqual(Array.from(d.sample([2], { rng: again }).data));
    expect(() => new D.Bernoulli({ probs: 0.5 }).rsample()).toThrow(eg.ValueError);
    expect(() => new D.Categorical({ probs: eg.ones([3]) }).rsample()).toThrow(/rsample is not defined/);
  });
});
