import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { Tensor, tensor } from "../../src/ndarray/index.js";
import { digits, standardize } from "../../src/data/index.js";
import { accuracy } from "../../src/metrics/index.js";
import {
  crossValidate, formatResults, gridSearch, intUniform, kFold, logUniform, paramGrid, randomSearch, uniform,
} from "../../src/select/index.js";

/** A tiny nearest-centroid classifier, written here so these tests need no trainer from src/nn. */
function nearestCentroid(p: { norm: "l1" | "l2"; shrink: number; scale: boolean }, xt: Tensor, yt: Tensor, xv: Tensor, yv: Tensor): number {
  if (p.scale) {
    const s = standardize(xt);
    xt = s.transform(xt);
    xv = s.transform(xv);
  }
  const [n, f] = xt.shape;
  const k = 10;
  const centroids = new Float64Array(k * f);
  const counts = new Float64Array(k);
  const xd = xt.data, yd = yt.data;
  for (let i = 0; i < n; i++) {
    counts[yd[i]]++;
    for (let j = 0; j < f; j++) centroids[yd[i] * f + j] += xd[i * f + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < f; j++) centroids[c * f + j] = (1 - p.shrink) * (centroids[c * f + j] / counts[c]);
  const vd = xv.data;
  const pred = new Int32Array(xv.shape[0]);
  for (let i = 0; i < pred.length; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < f; j++) {
        const diff = vd[i * f + j] - centroids[c * f + j];
        d += p.norm === "l1" ? Math.abs(diff) : diff * diff;
      }
      if (d < best) { best = d; pred[i] = c; }
    }
  }
  return accuracy(yv, tensor(Array.from(pred), { dtype: "int32" }));
}

describe("crossValidate", () => {
  const x = tensor(Array.from({ length: 12 }, (_, i) => [i]));
  const y = tensor(Array.from({ length: 12 }, (_, i) => i % 2), { dtype: "int32" });

  it("calls the step once per fold with that fold's rows and summarizes mean ± std (population)", async () => {
    const seen: number[][] = [];
    const cv = await crossValidate((_p, xt, yt, xv, yv, info) => {
      seen.push(Array.from(xv.data));
      expect(xt.shape[0] + xv.shape[0]).toBe(12);
      expect(Array.from(xv.data)).toEqual(info.validationIndex);
      return info.fold; // scores 0, 1, 2
    }, x, y, { k: 3, shuffle: false });
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect([cv.scores, cv.mean, cv.std]).toEqual([[0, 1, 2], 1, Math.sqrt(2 / 3)]);
    expect(cv.folds).toEqual(kFold(12, { k: 3 }));
  });

  it("takes several named scores, async steps and the { create, fit, score } form", async () => {
    const cv = await crossValidate(async (_p, _xt, _yt, xv) => ({ acc: 0.5, size: xv.shape[0] }), x, y, { k: 4, seed: 1, metric: "size" });
    expect([cv.scores, cv.metrics.acc.mean]).toEqual([[3, 3, 3, 3], 0.5]);
    const calls: string[] = [];
    const est = {
      create: (p: { c: number }) => ({ c: p.c, fitted: 0 }),
      fit: async (m: { c: number; fitted: number }, xt: Tensor) => { calls.push("fit"); m.fitted = xt.shape[0]; },
      score: (m: { c: number; fitted: number }) => m.c + m.fitted,
    };
    const r = await crossValidate(est, x, y, { k: 2, params: { c: 100 }, stratify: true, seed: 3 });
    expect([r.scores, calls.length]).toEqual([[106, 106], 2]);
  });

  it("rejects NaN scores, a missing metric and mismatched rows", async () => {
    await expect(crossValidate(() => NaN, x, y, { k: 2 })).rejects.toThrow(ValueError);
    await expect(crossValidate(() => ({ a: 1 }), x, y, { k: 2, metric: "b" })).rejects.toThrow(/metric "b"/);
    await expect(crossValidate(() => 1, x, tensor([1, 2]), { k: 2 })).rejects.toThrow(/same number of rows/);
  });
});

describe("gridSearch and randomSearch", () => {
  it("paramGrid enumerates the product, last key fastest; lists of grids concatenate", () => {
    expect(paramGrid({ a: [1, 2], b: ["x", "y"] })).toEqual([{ a: 1, b: "x" }, { a: 1, b: "y" }, { a: 2, b: "x" }, { a: 2, b: "y" }]);
    expect(paramGrid([{ a: [1] }, { b: [2, 3] }])).toEqual([{ a: 1 }, { b: 2 }, { b: 3 }]);
    expect(() => paramGrid({ a: [] })).toThrow(ValueError);
  });

  it("searches 8 combinations on digits with 3-fold CV and reports a ranked table", async () => {
    const { x, y } = digits();
    const grid = { norm: ["l1", "l2"], shrink: [0, 0.5], scale: [false, true] };
    const r = await gridSearch(nearestCentroid as never, x, y, grid, { k: 3, stratify: true, seed: 0 });
    expect(r.results.length).toBe(8);
    for (const row of r.results) expect(row.scores.length).toBe(3);
    const best = Math.max(...r.results.map((q) => q.mean));
    expect(r.bestScore).toBe(best);
    expect(r.results[r.bestIndex].rank).toBe(1);
    expect(r.bestScore).toBeGreaterThan(0.85); // nearest centroid on digits scores ≈ 0.9
    const table = formatResults(r);
    expect(table.split("\n").length).toBe(10);
    expect(table.split("\n")[0]).toMatch(/^rank\s+mean\s+± std\s+time\s+norm\s+shrink\s+scale$/);
  });

  it("lower is better on request; ties share a rank and the first candidate wins", async () => {
    const x = tensor(Array.from({ length: 6 }, (_, i) => [i]));
    const r = await gridSearch((p: { v: number }) => p.v, x, x, { v: [3, 1, 2, 1] }, { k: 2, greaterIsBetter: false });
    expect([r.bestIndex, r.bestParams, r.results.map((q) => q.rank)]).toEqual([1, { v: 1 }, [4, 1, 3, 1]]);
  });

  it("randomSearch is seeded, samples within range, and draws lists without replacement", async () => {
    const x = tensor(Array.from({ length: 10 }, (_, i) => [i]));
    const space = { lr: logUniform(1e-4, 1e-1), dropout: uniform(0, 0.5), hidden: intUniform(16, 64), opt: ["adam", "sgd"] };
    const step = (p: Record<string, unknown>) => -Math.abs(Math.log10(p.lr as number) + 2);
    const a = await randomSearch(step, x, x, space, { nIter: 12, k: 2, seed: 5 });
    const b = await randomSearch(step, x, x, space, { nIter: 12, k: 2, seed: 5 });
    expect(a.results.map((r) => r.params)).toEqual(b.results.map((r) => r.params));
    for (const { params: p } of a.results) {
      expect(p.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.lr as number).toBeLessThan(1e-1);
      expect(Number.isInteger(p.hidden) && (p.hidden as number) >= 16 && (p.hidden as number) <= 64).toBe(true);
      expect(["adam", "sgd"]).toContain(p.opt);
    }
    const lists = await randomSearch(() => 1, x, x, { a: [1, 2, 3], b: [1, 2] }, { nIter: 10, k: 2, seed: 1 });
    expect(new Set(lists.results.map((r) => JSON.stringify(r.params))).size).toBe(6);
  });
});
