// klDiv, poissonNll, gaussianNll and the margin losses (cosineEmbedding, marginRanking,
// hingeEmbedding, tripletMargin) against float64 formulas written out here from PyTorch's
// documentation, with every option; gradients by central differences for each differentiable
// argument (targets included).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, tensor, Tensor, Rng, ShapeError, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";

const U64 = 2 ** -53;
type Red = "mean" | "sum" | "none";
const f64 = (v: unknown) => tensor(v, { dtype: "float64" });
const leaf = (shape: number[], seed: number, f: (r: Rng) => number = (r) => r.normal()): Tensor => gradLeaf(shape, seed, f);
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const reduceRef = (per: number[], r: Red | "batchmean", batch = 1) =>
  r === "none" ? per : r === "sum" ? [sum(per)] : r === "batchmean" ? [sum(per) / batch] : [sum(per) / per.length];

/**
 * Compares with a tolerance of k float64 roundings of each element's magnitude `mag` (the size of
 * the terms it is computed from, which bounds any cancellation), plus one per term of a reduction.
 */
function expectClose(got: Tensor, want: number[], mag: number[], k = 16): void {
  const scale = sum(mag.map(Math.abs)) + 1e-300;
  want.forEach((v, i) => {
    const tol = want.length === mag.length ? k * U64 * Math.abs(mag[i]) + 1e-300 : (mag.length + k) * U64 * scale;
    if (!(Math.abs(got.data[i] - v) <= tol)) throw new Error(`element ${i}: got ${got.data[i]}, want ${v} (tol ${tol})`);
  });
}

const redArb = fc.constantFrom<Red>("mean", "sum", "none");
const shapeArb = fc.record({ n: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 1, max: 1e6 }) });

describe("distribution losses against float64 formulas", () => {
  it("klDivLoss: t·(log t − x) (0 where t = 0), e^t·(t − x) for log targets; batchmean divides by N", () => {
    fc.assert(fc.property(shapeArb, fc.constantFrom<Red | "batchmean">("mean", "sum", "none", "batchmean"), fc.boolean(), ({ n, d, seed }, reduction, logTarget) => {
      const rng = new Rng(seed);
      const x = Array.from({ length: n * d }, () => -3 * rng.uniform());
      const t = Array.from({ length: n * d }, () => (rng.uniform() < 0.2 ? 0 : logTarget ? -2 * rng.uniform() : rng.uniform()));
      const per = x.map((xi, i) => (logTarget ? Math.exp(t[i]) * (t[i] - xi) : t[i] === 0 ? 0 : t[i] * (Math.log(t[i]) - xi)));
      const got = nn.klDivLoss(f64(x).reshape([n, d]), f64(t).reshape([n, d]), { reduction, logTarget });
      const mag = x.map((xi, i) => (logTarget ? Math.exp(t[i]) * (Math.abs(t[i]) + Math.abs(xi)) : Math.abs(t[i] * Math.log(t[i] || 1)) + Math.abs(t[i] * xi)));
      expectClose(got, reduceRef(per, reduction, n), mag);
    }), { numRuns: 80 });
  });

  it("poissonNllLoss: e^x − t·x, or λ − t·log(λ + eps), plus Stirling's term where t > 1 when full", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.boolean(), fc.boolean(), ({ n, d, seed }, reduction, logInput, full) => {
      const rng = new Rng(seed);
      const x = Array.from({ length: n * d }, () => (logInput ? 2 * rng.normal() : 3 * rng.uniform()));
      const t = Array.from({ length: n * d }, () => Math.floor(5 * rng.uniform()));
      const per = x.map((xi, i) => {
        let l = logInput ? Math.exp(xi) - t[i] * xi : xi - t[i] * Math.log(xi + 1e-8);
        if (full && t[i] > 1) l += t[i] * Math.log(t[i]) - t[i] + 0.5 * Math.log(2 * Math.PI * t[i]);
        return l;
      });
      const got = nn.poissonNllLoss(f64(x).reshape([n, d]), f64(t).reshape([n, d]), { reduction, logInput, full });
      const mag = x.map((xi, i) => (logInput ? Math.exp(xi) + Math.abs(t[i] * xi) : xi + Math.abs(t[i] * Math.log(xi + 1e-8))) + 4 * t[i] * (1 + Math.log(t[i] + 1)));
      expectClose(got, reduceRef(per, reduction), mag, 64);
    }), { numRuns: 80 });
  });

  it("gaussianNllLoss: ½(log v + (x − t)²/v) with v = max(var, eps), var per element or per sample", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.boolean(), fc.constantFrom("full", "last1", "dropped"), ({ n, d, seed }, reduction, full, varShape) => {
      const rng = new Rng(seed);
      const x = Array.from({ length: n * d }, () => rng.normal()), t = Array.from({ length: n * d }, () => rng.normal());
      const perSample = varShape !== "full";
      const v = Array.from({ length: perSample ? n : n * d }, () => (rng.uniform() < 0.2 ? 1e-9 : 2 * rng.uniform()));
      const vAt = (i: number) => Math.max(perSample ? v[Math.floor(i / d)] : v[i], 1e-6);
      const per = x.map((xi, i) => 0.5 * (Math.log(vAt(i)) + (xi - t[i]) ** 2 / vAt(i)) + (full ? 0.5 * Math.log(2 * Math.PI) : 0));
      const vs = varShape === "full" ? [n, d] : varShape === "last1" ? [n, 1] : [n];
      const got = nn.gaussianNllLoss(f64(x).reshape([n, d]), f64(t).reshape([n, d]), f64(v).reshape(vs), { reduction, full });
      const mag = x.map((xi, i) => 0.5 * (Math.abs(Math.log(vAt(i))) + (xi - t[i]) ** 2 / vAt(i)) + 1);
      expectClose(got, reduceRef(per, reduction), mag, 64);
    }), { numRuns: 80 });
    expect(() => nn.gaussianNllLoss(f64([[1, 2]]), f64([[1, 2]]), f64([[-1, 1]]))).toThrow(/negative entry/);
    expect(() => nn.gaussianNllLoss(f64([[1, 2]]), f64([[1, 2]]), f64([1, 1, 1]))).toThrow(ShapeError);
  });
});

describe("margin losses against float64 formulas", () => {
  const cos = (a: number[], b: number[]) =>
    sum(a.map((v, i) => v * b[i])) / Math.sqrt((sum(a.map((v) => v * v)) + 1e-12) * (sum(b.map((v) => v * v)) + 1e-12));
  const rows = (flat: number[], d: number) => Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d));

  it("cosineEmbeddingLoss: 1 − cos for y = 1, max(0, cos − margin) for y = −1", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.double({ min: -0.5, max: 0.8, noNaN: true }), ({ n, d, seed }, reduction, margin) => {
      const rng = new Rng(seed);
      const a = Array.from({ length: n * d }, () => rng.normal()), b = Array.from({ length: n * d }, () => rng.normal());
      const y = Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : -1));
      const per = rows(a, d).map((r, i) => { const c = cos(r, rows(b, d)[i]); return y[i] === 1 ? 1 - c : Math.max(0, c - margin); });
      const got = nn.cosineEmbeddingLoss(f64(a).reshape([n, d]), f64(b).reshape([n, d]), tensor(y, { dtype: "int32" }), { reduction, margin });
      expectClose(got, reduceRef(per, reduction), per.map((p) => Math.abs(p) + 1), 8 * (d + 4));
    }), { numRuns: 80 });
  });

  it("marginRankingLoss: max(0, −y·(x1 − x2) + margin)", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.double({ min: -1, max: 1, noNaN: true }), ({ n, seed }, reduction, margin) => {
      const rng = new Rng(seed);
      const a = Array.from({ length: n }, () => rng.normal()), b = Array.from({ length: n }, () => rng.normal());
      const y = Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : -1));
      const per = a.map((v, i) => Math.max(0, -y[i] * (v - b[i]) + margin));
      expectClose(nn.marginRankingLoss(f64(a), f64(b), f64(y), { reduction, margin }), reduceRef(per, reduction), per.map((p) => p + 1));
    }), { numRuns: 60 });
  });

  it("hingeEmbeddingLoss: x for y = 1, max(0, margin − x) for y = −1", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.double({ min: 0, max: 2, noNaN: true }), ({ n, d, seed }, reduction, margin) => {
      const rng = new Rng(seed);
      const x = Array.from({ length: n * d }, () => 2 * rng.normal());
      const y = Array.from({ length: n * d }, () => (rng.uniform() < 0.5 ? 1 : -1));
      const per = x.map((v, i) => (y[i] === 1 ? v : Math.max(0, margin - v)));
      expectClose(nn.hingeEmbeddingLoss(f64(x).reshape([n, d]), f64(y).reshape([n, d]), { reduction, margin }), reduceRef(per, reduction), per.map((p) => Math.abs(p) + 1));
    }), { numRuns: 60 });
  });

  it("tripletMarginLoss: max(0, margin + ‖a − p + eps‖_p − ‖a − n + eps‖_p), with swap", () => {
    fc.assert(fc.property(shapeArb, redArb, fc.constantFrom(1, 2, 3, 1.5), fc.boolean(), ({ n, d, seed }, reduction, p, swap) => {
      const rng = new Rng(seed);
      const [A, P, N] = [0, 1, 2].map(() => Array.from({ length: n * d }, () => rng.normal()));
      const dist = (x: number[], y: number[]) => sum(x.map((v, i) => Math.abs(v - y[i] + 1e-6) ** p)) ** (1 / p);
      const per = rows(A, d).map((a, i) => {
        const pos = rows(P, d)[i], neg = rows(N, d)[i];
        const dn = swap ? Math.min(dist(a, neg), dist(pos, neg)) : dist(a, neg);
        return Math.max(0, 1 + dist(a, pos) - dn);
      });
      const got = nn.tripletMarginLoss(f64(A).reshape([n, d]), f64(P).reshape([n, d]), f64(N).reshape([n, d]), { reduction, p, swap });
      expectClose(got, reduceRef(per, reduction), per.map((q) => q + 4), 16 * (d + 4));
    }), { numRuns: 80 });
    expect(() => nn.tripletMarginLoss(f64([1]), f64([1]), f64([1]), { p: 0 })).toThrow(ValueError);
    expect(() => nn.tripletMarginLoss(f64([1]), f64([1, 2]), f64([1]))).toThrow(ShapeError);
  });
});

describe("gradients of the new losses (float64 central differences), targets included", () => {
  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`klDiv, poissonNll, gaussianNll (reduction ${reduction})`, () => {
      const x = leaf([3, 4], 1), t = leaf([3, 4], 2, (r) => 0.1 + r.uniform()), lt = leaf([3, 4], 3);
      noMismatch(findGradMismatches(() => project(nn.klDivLoss(x, t, { reduction }), 4), [x, t]));
      noMismatch(findGradMismatches(() => project(nn.klDivLoss(x, lt, { reduction, logTarget: true }), 4), [x, lt]));
      const counts = leaf([3, 4], 5, (r) => 4 * r.uniform()), rate = leaf([3, 4], 6, (r) => 0.2 + r.uniform());
      noMismatch(findGradMismatches(() => project(nn.poissonNllLoss(x, counts, { reduction, full: true }), 4), [x, counts]));
      noMismatch(findGradMismatches(() => project(nn.poissonNllLoss(rate, counts, { reduction, logInput: false }), 4), [rate, counts]));
      const v = leaf([3, 1], 7, (r) => 0.3 + r.uniform());
      noMismatch(findGradMismatches(() => project(nn.gaussianNllLoss(x, lt, v, { reduction, full: true }), 4), [x, lt, v]));
    });

    it(`cosineEmbedding, marginRanking, hingeEmbedding, tripletMargin (reduction ${reduction})`, () => {
      const a = leaf([4, 3], 1), b = leaf([4, 3], 2), c = leaf([4, 3], 3);
      const y = f64([1, -1, -1, 1]);
      noMismatch(findGradMismatches(() => project(nn.cosineEmbeddingLoss(a, b, y, { reduction, margin: -0.9 }), 4), [a, b]));
      const s1 = leaf([4], 4), s2 = leaf([4], 5), ys = leaf([4], 6, (r) => (r.uniform() < 0.5 ? 1 : -1));
      noMismatch(findGradMismatches(() => project(nn.marginRankingLoss(s1, s2, ys, { reduction, margin: 5 }), 4), [s1, s2, ys]));
      noMismatch(findGradMismatches(() => project(nn.hingeEmbeddingLoss(a, f64([[1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, 1]]), { reduction, margin: 5 }), 4), [a]));
      for (const p of [2, 1.5]) {
        noMismatch(findGradMismatches(() => project(nn.tripletMarginLoss(a, b, c, { reduction, margin: 10, p, swap: true }), 4), [a, b, c]));
      }
    });
  }
});

describe("option checks", () => {
  it("unknown keys and bad values throw typed errors naming them", () => {
    const x = f64([[0.1, 0.2]]);
    expect(() => nn.klDivLoss(x, x, { log_target: true } as never)).toThrow(/unknown option "log_target"/);
    expect(() => nn.klDivLoss(x, x, { reduction: "avg" as never })).toThrow(/batchmean/);
    expect(() => nn.mseLoss(x, x, { reduction: "batchmean" as never })).toThrow(ValueError);
    expect(() => nn.poissonNllLoss(x, x, { logInputs: true } as never)).toThrow(/unknown option "logInputs"/);
    expect(() => nn.gaussianNllLoss(x, x, x, { eps: -1 })).toThrow(ValueError);
    expect(() => nn.cosineEmbeddingLoss(x, x, f64([1]), { marg: 1 } as never)).toThrow(/unknown option "marg"/);
    expect(() => nn.cosineEmbeddingLoss(x, x, f64([1, 1]))).toThrow(ShapeError);
    expect(() => nn.tripletMarginLoss(x, x, x, { p: Infinity })).toThrow(ValueError);
  });
});
