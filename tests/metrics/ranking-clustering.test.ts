// The ranking metrics (dcgScore, ndcgScore, coverageError, labelRankingAveragePrecisionScore,
// labelRankingLoss), zeroOneLoss, detCurve and the clustering scores (randScore,
// adjustedRandScore, mutual information and its normalized/adjusted forms, silhouetteScore):
// a table of scikit-learn 1.2.1 values (cases/ranking-clustering.json, written by
// scripts/sklearn-cases/ranking-clustering.py), fast-check properties against plain-loop float64
// references written here (the textbook formulas), and the typed errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { Rng, Tensor, tensor } from "../../src/ndarray/index.js";
import * as metrics from "../../src/metrics/index.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });

// Float64 counterparts of tests/support/tolerance.ts's U32 and gamma: the unit roundoff and
// Higham's γn = n·u / (1 − n·u), the relative error bound of n roundings in a row.
const U64 = 2 ** -53;
const gamma = (n: number) => (n * U64) / (1 - n * U64);

// ---- scikit-learn 1.2.1 table -----------------------------------------------------------------

interface Call { fn: string; options: Record<string, unknown>; expected: unknown; den?: number }
interface Draw { a: unknown[]; b: unknown[]; sampleWeight?: number[]; calls: Call[] }
const table = JSON.parse(readFileSync(new URL("./cases/ranking-clustering.json", import.meta.url), "utf8")) as { source: string; cases: Draw[] };
const special = (v: unknown) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
const input = (v: unknown[]) => (Array.isArray(v[0]) ? f64(v as number[][]) : (v as number[]));

/**
 * Results that are a ratio of integers (or integers) computed exactly, rounded once as
 * scikit-learn rounds them — and the normalized/adjusted mutual information where the
 * denominator is 0: a single cluster on one side or both, whose 0 or 1 is set, not computed.
 */
function exact(fn: string, o: Record<string, unknown>, c: Call): boolean {
  if (fn === "randScore" || fn === "adjustedRandScore" || c.den === 0) return true;
  return o.sampleWeight === undefined && (fn === "coverageError" || fn === "zeroOneLoss" || fn === "detCurve");
}

const rows = (v: unknown[]) => (Array.isArray(v[0]) ? [v.length, (v[0] as unknown[]).length] : [v.length, 1]);
const maxAbs = (v: unknown[]) => Math.max(...(v as number[][]).flat().map(Math.abs));

/**
 * The error bound of one call, from the problem's size (n samples, L labels) and magnitudes; each
 * derivation is in the comment of its case. Also covers scikit-learn's own roundings, which are
 * of the same order (it sums in other orders, pairwise where NumPy does).
 */
function tolerance(d: Draw, c: Call, expected: number): number {
  const [n, L] = rows(d.a);
  const o = c.options;
  switch (c.fn) {
    case "dcgScore":
    case "ndcgScore": {
      // Per row ≤ L groups, each a mean relevance (≤ L roundings) times a difference of the
      // discounts' running sum (absolute error ≤ γ(L)·L·maxDiscount): ≤ γ(3L+6)·L²·max|t|·maxDiscount
      // per row, then a weighted mean (γ(2n+2) relatively). NDCG divides by the ideal DCG ≥ max t·maxDiscount.
      const maxDiscount = Math.log((o.logBase as number | undefined) ?? 2) / Math.LN2;
      const row = c.fn === "dcgScore" ? gamma(3 * L + 6) * L * L * Math.max(1, maxAbs(d.a)) * maxDiscount : 2 * gamma(3 * L + 6) * L * L;
      return row + gamma(2 * n + 2) * Math.abs(expected);
    }
    case "labelRankingAveragePrecisionScore":
      // A mean of ≤ L exact ratios per row, then a weighted mean of rows in [0, 1].
      return gamma(L + 2 * n + 4);
    case "labelRankingLoss":
      return gamma(2 * n + 4); // one exact ratio per row, then a weighted mean of rows in [0, 1]
    case "coverageError":
      return gamma(2 * n + 4) * L; // a weighted mean of integers ≤ L
    case "zeroOneLoss": {
      // Weighted sums of n terms: relative γ(n) of the total weight.
      const total = (d.sampleWeight ?? []).reduce((s, w) => s + w, 0);
      return gamma(2 * n + 4) * (o.normalize === false ? total : 1);
    }
    case "detCurve":
      return gamma(3 * n + 6); // rates of running sums of weights ≥ 0: a few γ(n) relatively, rates ≤ 1
    case "mutualInfoScore":
    case "normalizedMutualInfoScore":
    case "adjustedMutualInfoScore": {
      // Each of ≤ n terms p·(log …) has magnitude ≤ p·4·ln n and error γ(8) of it: the mutual
      // information and the entropies are off by ≤ δ = γ(8n+64)·4·ln(n+2) (plus terms below ε,
      // which both sides drop: ≤ n·2ε). E[MI]'s terms exp(Σ ±ln k!) carry an absolute error of
      // ≈ 10 ulps of ln n! ≤ γ(16·n·ln n) relatively. A ratio (x − e)/den is then off by
      // (1 + |result|)·δ/den. (A denominator of a few ε — one side all singletons, averaged by
      // "min" — makes the result rounding noise on both sides, and the bound says so.)
      const logN = Math.log(n + 2);
      const delta = gamma(8 * n + 64) * 4 * logN + n * 2 ** -51 + (c.fn === "adjustedMutualInfoScore" ? gamma(16 * n * logN) * logN : 0);
      return c.fn === "mutualInfoScore" ? delta : ((1 + Math.abs(expected)) * delta) / Math.max(c.den ?? 1, 2 ** -52);
    }
    case "silhouetteScore": {
      // Integer coordinates: euclidean and manhattan distances are exact on both sides (the
      // square root correctly rounded); cluster means of ≤ n distances ≥ 0 are off by γ(n)
      // relatively, so each (b − a)/max(a, b) by ≤ 3γ(n+2) + u, and their mean by γ(n) more.
      const d2 = (d.a[0] as number[]).length;
      if (o.metric !== "cosine") return 4 * gamma(2 * n + 8);
      // Cosine: 1 − similarity is off by an absolute γ(2d+6) per distance, so a sample's score by
      // 4γ(2d+6)/max(a, b) more; the smallest max(a, b) comes from the reference below.
      return 4 * gamma(2 * n + 8) + (8 * gamma(2 * d2 + 2 * n + 16)) / silhouetteReference(d.a as number[][], d.b as number[], "cosine").minScale;
    }
  }
  throw new Error(`no tolerance for ${c.fn}`);
}

function expectClose(actual: unknown, expected: unknown, tol: number | "exact", path: string) {
  const e = special(expected);
  if (typeof e === "number") {
    expect(typeof actual, path).toBe("number");
    const a = actual as number;
    if (tol === "exact" || Number.isNaN(e) || !Number.isFinite(e)) expect(a, `${path}: ${a} vs scikit-learn ${e}`).toBe(e);
    else expect(Math.abs(a - e), `${path}: ${a} vs scikit-learn ${e} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
  } else if (Array.isArray(e)) {
    expect(Array.isArray(actual) && (actual as unknown[]).length, `${path} length`).toBe(e.length);
    e.forEach((x, i) => expectClose((actual as unknown[])[i], x, tol, `${path}[${i}]`));
  } else {
    const obj = e as Record<string, unknown>;
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(obj).sort());
    // Thresholds are scores as given: always exact.
    for (const k of Object.keys(obj)) expectClose((actual as Record<string, unknown>)[k], obj[k], k === "thresholds" ? "exact" : tol, `${path}.${k}`);
  }
}

describe(`scikit-learn values (${table.source})`, () => {
  const calls = table.cases.flatMap((d) => d.calls.map((c) => [d, c] as const));
  const functions = [...new Set(calls.map(([, c]) => c.fn))];
  it.each(functions)("%s agrees with scikit-learn within a bound derived from the problem (exact where the arithmetic is)", (fn) => {
    const failures: string[] = [];
    let count = 0;
    for (const [di, d] of table.cases.entries()) {
      for (const c of d.calls) {
        if (c.fn !== fn) continue;
        count++;
        const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, k === "sampleWeight" ? d.sampleWeight : special(v)]));
        const f = (metrics as unknown as Record<string, (a: unknown, b: unknown, o: unknown) => unknown>)[fn];
        const name = `draw ${di} ${fn}(${JSON.stringify(c.options)})`;
        try {
          const e = special(c.expected);
          const tol = exact(fn, options, c) ? "exact" : tolerance(d, c, typeof e === "number" ? e : 1);
          expectClose(f(input(d.a), input(d.b), options), c.expected, tol, name);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message.split("\n")[0]}`);
        }
      }
    }
    expect(count).toBeGreaterThan(80);
    expect(failures).toEqual([]);
  });

  it("the table covers the edge cases the brief names", () => {
    const all = table.cases.flatMap((d) => d.calls.map((c) => ({ d, c })));
    const ranking = all.filter(({ c }) => c.fn === "ndcgScore");
    // k larger than the labels; rows without relevance; tied scores.
    expect(ranking.some(({ d, c }) => (c.options.k as number) > rows(d.a)[1])).toBe(true);
    expect(ranking.some(({ d }) => (d.a as number[][]).some((r) => r.every((v) => v === 0)))).toBe(true);
    expect(ranking.some(({ d }) => (d.b as number[][]).some((r) => new Set(r).size < r.length))).toBe(true);
    const lrap = all.filter(({ c }) => c.fn === "labelRankingLoss");
    expect(lrap.some(({ d }) => (d.a as number[][]).some((r) => r.every((v) => v === 0)))).toBe(true);
    const clusters = all.filter(({ c }) => c.fn === "adjustedMutualInfoScore");
    expect(clusters.some(({ d }) => new Set(d.b as number[]).size === 1 && new Set(d.a as number[]).size > 1)).toBe(true);
    expect(clusters.some(({ d }) => new Set(d.a as number[]).size === 1 && new Set(d.b as number[]).size === 1)).toBe(true);
    expect(all.some(({ c }) => c.fn === "silhouetteScore" && c.options.metric === "manhattan")).toBe(true);
  });
});

// ---- independent float64 references (plain loops, textbook formulas) ------------------------

/** Every permutation of 0..L−1. */
function permutations(L: number): number[][] {
  if (L === 0) return [[]];
  return permutations(L - 1).flatMap((p) => Array.from({ length: L }, (_, i) => [...p.slice(0, i), L - 1, ...p.slice(i)]));
}

/**
 * NDCG@k with ties as their definition (McSherry & Najork): the DCG averaged over every ranking
 * that orders the labels by descending score, divided by the best DCG over all rankings.
 */
function ndcgReference(t: number[][], s: number[][], k: number): number {
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const L = t[i].length;
    const dcg = (p: number[]) => {
      let g = 0;
      for (let r = 0; r < Math.min(k, L); r++) g += t[i][p[r]] / Math.log2(r + 2);
      return g;
    };
    let sum = 0, count = 0, ideal = 0;
    for (const p of permutations(L)) {
      ideal = Math.max(ideal, dcg(p));
      let sorted = true;
      for (let r = 1; r < L; r++) if (s[i][p[r]] > s[i][p[r - 1]]) sorted = false;
      if (sorted) {
        sum += dcg(p);
        count++;
      }
    }
    total += ideal === 0 ? 0 : sum / count / ideal;
  }
  return total / t.length;
}

/** Hubert & Arabie's adjusted Rand index from pair counts over all pairs i < j. */
function ariReference(a: number[], b: number[]): { ari: number; bound: number } {
  let both = 0, onlyA = 0, onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      if (a[i] === a[j] && b[i] === b[j]) both++;
      else if (a[i] === a[j]) onlyA++;
      else if (b[i] === b[j]) onlyB++;
    }
  }
  const pairs = (a.length * (a.length - 1)) / 2;
  const sameA = both + onlyA, sameB = both + onlyB;
  const expected = pairs === 0 ? 0 : (sameA * sameB) / pairs;
  const max = (sameA + sameB) / 2;
  if (max === expected) return { ari: 1, bound: 0 };
  // Integer counts are exact; expected is one rounding, the differences two more.
  return { ari: (both - expected) / (max - expected), bound: (gamma(6) * (max + expected + both)) / Math.abs(max - expected) };
}

/**
 * Rousseeuw's silhouette: the full distance matrix, each sample's mean distance a to the rest of
 * its cluster and b to the nearest other cluster, s = (b − a)/max(a, b), 0 alone in its cluster.
 * minScale: the smallest max(a, b) among scored samples (what an absolute distance error divides by).
 */
function silhouetteReference(x: number[][], labels: number[], metric: "euclidean" | "cosine" | "manhattan"): { score: number; minScale: number } {
  const n = x.length;
  const dist = (p: number[], q: number[]) => {
    if (metric === "manhattan") return p.reduce((s, v, f) => s + Math.abs(v - q[f]), 0);
    if (metric === "euclidean") return Math.sqrt(p.reduce((s, v, f) => s + (v - q[f]) ** 2, 0));
    const np = Math.hypot(...p), nq = Math.hypot(...q);
    return np === 0 || nq === 0 ? 1 : 1 - p.reduce((s, v, f) => s + v * q[f], 0) / (np * nq);
  };
  let total = 0, minScale = Infinity;
  for (let i = 0; i < n; i++) {
    const mean = new Map<number, [number, number]>();
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const m = mean.get(labels[j]) ?? [0, 0];
      mean.set(labels[j], [m[0] + dist(x[i], x[j]), m[1] + 1]);
    }
    const own = mean.get(labels[i]);
    if (own === undefined) continue; // alone in its cluster
    const a = own[0] / own[1];
    let b = Infinity;
    for (const [l, [s, c]] of mean) if (l !== labels[i]) b = Math.min(b, s / c);
    const m = Math.max(a, b);
    if (m > 0) {
      total += (b - a) / m;
      minScale = Math.min(minScale, m);
    }
  }
  return { score: total / n, minScale };
}

const relevanceRows = fc.integer({ min: 2, max: 6 }).chain((L) =>
  fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: L, maxLength: L }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: L, maxLength: L })), { minLength: 1, maxLength: 4 }),
);

describe("agreement with the independent references (fuzzed, many ties)", () => {
  it("ndcgScore equals the DCG averaged over every ranking of the ties, over the ideal DCG", () => {
    fc.assert(
      fc.property(relevanceRows, fc.integer({ min: 1, max: 8 }), (pairs, k) => {
        const t = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1].map((v) => v / 4));
        const L = t[0].length;
        const ref = ndcgReference(t, s, k);
        // The reference averages ≤ L! DCGs of L terms each (≤ L!+L+8 roundings relative to the
        // largest, ≤ L·ideal); the metric sums ≤ L groups (derivation in tolerance()).
        const bound = 2 * gamma(720 + 3 * L + 16) * L * L + gamma(2 * t.length + 2);
        expect(Math.abs(metrics.ndcgScore(f64(t), f64(s), { k }) - ref)).toBeLessThanOrEqual(bound);
        // Distinct scores: ignoring ties changes nothing.
        const distinctScores = s.map((r) => r.map((v, j) => v + j / 64));
        expect(Math.abs(metrics.ndcgScore(f64(t), f64(distinctScores), { k, ignoreTies: true }) - ndcgReference(t, distinctScores, k))).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 150 },
    );
  });

  it("adjustedRandScore equals Hubert & Arabie's formula; it and randScore are exactly symmetric and ignore label names", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const { ari, bound } = ariReference(a, b);
        const got = metrics.adjustedRandScore(a, b);
        expect(Math.abs(got - ari), `${got} vs ${ari}`).toBeLessThanOrEqual(bound);
        expect(metrics.adjustedRandScore(b, a)).toBe(got);
        const renamed = b.map((v) => 10 - 3 * v);
        expect(metrics.adjustedRandScore(a, renamed)).toBe(got);
        expect(metrics.randScore(a, renamed)).toBe(metrics.randScore(b, a));
        // Mutual information: symmetric up to the order of its sum.
        expect(Math.abs(metrics.mutualInfoScore(a, b) - metrics.mutualInfoScore(b, a))).toBeLessThanOrEqual(gamma(8 * a.length + 64) * 8 * Math.log(a.length + 2));
      }),
      { numRuns: 300 },
    );
  });

  for (const metric of ["euclidean", "manhattan", "cosine"] as const) {
    it(`silhouetteScore (${metric}) equals Rousseeuw's definition`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }).chain((d) => fc.array(fc.tuple(fc.array(fc.integer({ min: -64, max: 64 }).map((v) => v / 8), { minLength: d, maxLength: d }), fc.integer({ min: 0, max: 3 })), { minLength: 3, maxLength: 30 })),
          (samples) => {
            const x = samples.map((s) => s[0]);
            const labels = samples.map((s) => s[1]);
            const k = new Set(labels).size;
            fc.pre(k >= 2 && k <= x.length - 1);
            const n = x.length, d = x[0].length;
            const { score, minScale } = silhouetteReference(x, labels, metric);
            // Distances ≥ 0 with relative error γ(d+2) (euclidean, manhattan) on both sides, means of
            // ≤ n of them: each sample's score off by ≤ 3γ(n+d+4) + u; cosine's 1 − similarity is off
            // absolutely (γ(2d+8)), so by that over max(a, b).
            const bound = 8 * gamma(2 * n + 2 * d + 16) * (metric === "cosine" ? 1 + 2 / minScale : 1);
            const got = metrics.silhouetteScore(f64(x), labels, { metric });
            expect(Math.abs(got - score), `${got} vs ${score}`).toBeLessThanOrEqual(bound);
          },
        ),
        { numRuns: 120 },
      );
    });
  }

  it("coverageError, labelRankingLoss and labelRankingAveragePrecisionScore equal their definitions", () => {
    const indicatorRows = fc.integer({ min: 2, max: 7 }).chain((L) =>
      fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: L, maxLength: L }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: L, maxLength: L })), { minLength: 1, maxLength: 6 }),
    );
    fc.assert(
      fc.property(indicatorRows, (pairs) => {
        const t = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1]);
        const L = t[0].length, n = t.length;
        let coverage = 0, loss = 0, lrap = 0;
        for (let i = 0; i < n; i++) {
          const rel = t[i].flatMap((v, j) => (v ? [j] : []));
          const irr = t[i].flatMap((v, j) => (v ? [] : [j]));
          // Coverage: how many top-scored labels (ties against it) cover every true label.
          if (rel.length > 0) coverage += s[i].filter((v) => v >= Math.min(...rel.map((j) => s[i][j]))).length;
          if (rel.length === 0 || irr.length === 0) {
            lrap += 1;
            continue;
          }
          let wrong = 0;
          for (const j of rel) for (const m of irr) if (s[i][m] >= s[i][j]) wrong++;
          loss += wrong / (rel.length * irr.length);
          let p = 0;
          for (const j of rel) p += rel.filter((m) => s[i][m] >= s[i][j]).length / s[i].filter((v) => v >= s[i][j]).length;
          lrap += p / rel.length;
        }
        expect(metrics.coverageError(f64(t), f64(s))).toBe(coverage / n); // a ratio of integers, rounded once
        expect(Math.abs(metrics.labelRankingLoss(f64(t), f64(s)) - loss / n)).toBeLessThanOrEqual(gamma(2 * n + 4));
        expect(Math.abs(metrics.labelRankingAveragePrecisionScore(f64(t), f64(s)) - lrap / n)).toBeLessThanOrEqual(gamma(2 * L + 2 * n + 4));
      }),
      { numRuns: 200 },
    );
  });

  it("zeroOneLoss is the fraction (or count) of samples with any label wrong; integer weights repeat samples", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 30 }), (rows3) => {
        const t = rows3.map((r) => r[0]), p = rows3.map((r) => r[1]), w = rows3.map((r) => r[2]);
        const wrong = rows3.filter((r) => r[0] !== r[1]).length;
        expect(metrics.zeroOneLoss(t, p, { normalize: false })).toBe(wrong);
        expect(metrics.zeroOneLoss(t, p)).toBe(1 - (rows3.length - wrong) / rows3.length);
        const rep = (v: number[]) => v.flatMap((x, i) => Array(w[i]).fill(x) as number[]);
        expect(metrics.zeroOneLoss(t, p, { sampleWeight: w })).toBe(metrics.zeroOneLoss(rep(t), rep(p)));
      }),
      { numRuns: 200 },
    );
  });
});

// ---- documented values and behaviour ---------------------------------------------------------

describe("documented values", () => {
  it("scikit-learn's docstring examples", () => {
    // scikit-learn 1.2.1's det_curve example.
    expect(metrics.detCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({ fpr: [0.5, 0.5, 0], fnr: [0, 0.5, 0.5], thresholds: [0.35, 0.4, 0.8] });
    // scikit-learn 1.2.1's ndcg_score examples: 0.6956940443813074, with k=1 and ties 1 / 0.75.
    const rel = f64([[10, 0, 0, 1, 5]]);
    expect(metrics.ndcgScore(rel, f64([[0.1, 0.2, 0.3, 4, 70]]))).toBeCloseTo(0.6956940443813074, 15);
    expect(metrics.ndcgScore(f64([[1, 0, 0, 0, 1]]), f64([[1, 0, 0, 0, 1]]), { k: 1 })).toBe(1);
    expect(metrics.ndcgScore(f64([[1, 0, 0, 0, 2]]), f64([[1, 0, 0, 0, 1]]), { k: 1 })).toBe(0.75);
    expect(metrics.ndcgScore(f64([[1, 0, 0, 0, 2]]), f64([[1, 0, 0, 0, 1]]), { k: 1, ignoreTies: true })).toBe(1);
    // scikit-learn 1.2.1: dcg_score of the same = 9.499457825916874; with k=1 and ties, 1.5.
    expect(metrics.dcgScore(rel, f64([[0.1, 0.2, 0.3, 4, 70]]))).toBeCloseTo(9.499457825916874, 13);
    expect(metrics.dcgScore(f64([[1, 0, 0, 0, 2]]), f64([[1, 0, 0, 0, 1]]), { k: 1 })).toBe(1.5);
    // scikit-learn 1.2.1: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714285714285714, rand_score 0.8333333333333334.
    expect(metrics.adjustedRandScore([0, 0, 1, 2], [0, 0, 1, 1])).toBe(0.5714285714285714);
    expect(metrics.randScore([0, 0, 1, 2], [0, 0, 1, 1])).toBe(0.8333333333333334);
    expect(metrics.randScore([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(metrics.adjustedRandScore([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(metrics.adjustedRandScore([5], [7])).toBe(1);
    // Pair counts beyond 2⁵³ (n = 200000: tp·tn ≈ 10²¹), exact as scikit-learn's Python integers.
    // scikit-learn 1.2.1: adjusted_rand_score = 0.6274429372866647.
    const A = Array.from({ length: 200000 }, (_, i) => i % 3);
    const B = A.map((v, i) => (i % 5 ? v : 1));
    expect(metrics.adjustedRandScore(A, B)).toBe(0.6274429372866647);
    expect(metrics.normalizedMutualInfoScore([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(metrics.adjustedMutualInfoScore([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(metrics.adjustedMutualInfoScore([3, 3, 3], [1, 1, 1])).toBe(1);
    // scikit-learn 1.2.1: label_ranking_average_precision_score([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    // = 0.41666666666666663, coverage_error of the next 2.0, label_ranking_loss 0.75.
    expect(metrics.labelRankingAveragePrecisionScore(f64([[1, 0, 0], [0, 0, 1]]), f64([[0.75, 0.5, 1], [1, 0.2, 0.1]]))).toBe(0.41666666666666663);
    expect(metrics.coverageError(f64([[1, 0, 0], [0, 1, 1]]), f64([[1, 0.5, 0.5], [1, 0.5, 0.5]]))).toBe(2);
    expect(metrics.labelRankingLoss(f64([[1, 0, 0], [0, 0, 1]]), f64([[0.75, 0.5, 1], [1, 0.2, 0.1]]))).toBe(0.75);
  });

  it("zeroOneLoss of multilabel indicator matrices counts a row wrong when any label is", () => {
    const t = f64([[1, 0, 1], [0, 1, 0], [1, 1, 0]]);
    const p = f64([[1, 0, 1], [0, 1, 1], [0, 1, 0]]);
    expect(metrics.zeroOneLoss(t, p)).toBe(1 - 1 / 3);
    expect(metrics.zeroOneLoss(t, p, { normalize: false })).toBe(2);
    expect(metrics.zeroOneLoss(t, p, { normalize: false, sampleWeight: [0.5, 2, 0] })).toBe(2);
    expect(metrics.zeroOneLoss([1, 2], [1, 2], { normalize: false, sampleWeight: [0, 0] })).toBe(0);
  });

  it("silhouetteScore: float32 input, nested arrays, and sampleSize drawn by the library's generator", () => {
    const x = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5], [2, 2]];
    const labels = [0, 0, 0, 1, 1, 1, 0];
    const full = metrics.silhouetteScore(f64(x), labels);
    expect(metrics.silhouetteScore(x, labels)).toBe(full);
    expect(Math.abs(metrics.silhouetteScore(tensor(x, { dtype: "float32" }), labels) - full)).toBeLessThanOrEqual(4 * gamma(30));
    // The whole set in another order: the same score up to the order of its sums.
    expect(Math.abs(metrics.silhouetteScore(x, labels, { sampleSize: 7, seed: 3 }) - full)).toBeLessThanOrEqual(4 * gamma(30));
    // A subset: the silhouette of exactly the samples that Rng(5).shuffle puts first.
    const order = [0, 1, 2, 3, 4, 5, 6];
    new Rng(5).shuffle(order);
    const pick = order.slice(0, 5);
    expect(metrics.silhouetteScore(x, labels, { sampleSize: 5, seed: 5 })).toBe(metrics.silhouetteScore(pick.map((i) => x[i]), pick.map((i) => labels[i])));
    expect(metrics.silhouetteScore(x, labels, { sampleSize: 5, rng: new Rng(5) })).toBe(metrics.silhouetteScore(x, labels, { sampleSize: 5, seed: 5 }));
  });

  it("detCurve with sample weights leaves zero-weight samples out, and reads [n, 2] probabilities", () => {
    const y = [0, 1, 0, 1, 1];
    const s = [0.1, 0.9, 0.5, 0.5, 0.3];
    expect(metrics.detCurve(y, s, { sampleWeight: [1, 1, 1, 1, 0] })).toEqual(metrics.detCurve([0, 1, 0, 1], [0.1, 0.9, 0.5, 0.5]));
    expect(metrics.detCurve(y, f64(s.map((v) => [1 - v, v])))).toEqual(metrics.detCurve(y, s));
  });
});

// ---- typed errors -------------------------------------------------------------------------------

describe("typed errors (scikit-learn's error conditions)", () => {
  const t = f64([[1, 0, 0], [0, 1, 1]]);
  const s = f64([[0.2, 0.5, 0.1], [0.3, 0.3, 0.9]]);
  const ranking = ["dcgScore", "ndcgScore", "coverageError", "labelRankingAveragePrecisionScore", "labelRankingLoss"] as const;

  it.each(ranking)("%s: shapes, values, options", (name) => {
    const f = metrics[name] as (a: unknown, b: unknown, o?: unknown) => number;
    expect(() => f([1, 0, 1], [0.1, 0.2, 0.3])).toThrow(ShapeError); // 1-D: "y_true … Expected 2D array"
    expect(() => f(t, f64([[0.2, 0.5], [0.3, 0.3]]))).toThrow(/differ in shape/);
    expect(() => f(t, f64([[0.2, 0.5, 0.1]]))).toThrow(ShapeError); // check_consistent_length
    expect(() => f(new Tensor(new Float64Array(0), "float64", [0, 2]), new Tensor(new Float64Array(0), "float64", [0, 2]))).toThrow(/no samples/);
    expect(() => f(t, f64([[NaN, 0.5, 0.1], [0.3, 0.3, 0.9]]))).toThrow(ValueError);
    expect(() => f(t, s, { sampleWeight: [1] })).toThrow(ShapeError);
    expect(() => f(t, s, { sampleWeight: [0, 0] })).toThrow(/sums to 0/);
    expect(() => f(t, s, { sampleWieght: [1, 1] })).toThrow(/unknown option "sampleWieght"/);
  });

  it("the target kinds scikit-learn refuses", () => {
    // One label column: "binary format is not supported" (LRAP accepts it: every row scores 1).
    expect(() => metrics.coverageError(f64([[1], [0]]), f64([[0.5], [0.2]]))).toThrow(/at least 2 labels/);
    expect(() => metrics.labelRankingLoss(f64([[1], [0]]), f64([[0.5], [0.2]]))).toThrow(ShapeError);
    expect(() => metrics.ndcgScore(f64([[1], [0]]), f64([[0.5], [0.2]]))).toThrow(ShapeError);
    expect(metrics.labelRankingAveragePrecisionScore(f64([[1], [0]]), f64([[0.5], [0.2]]))).toBe(1);
    // Not a 0/1 indicator matrix ("multiclass-multioutput format is not supported").
    expect(() => metrics.coverageError(f64([[2, 0, 1]]), f64([[0.1, 0.2, 0.3]]))).toThrow(/0\/1 label-indicator/);
    expect(() => metrics.labelRankingLoss(f64([[0.5, 0, 1]]), f64([[0.1, 0.2, 0.3]]))).toThrow(ValueError);
    // Relevance must be finite; NDCG's ≥ 0 (scikit-learn 1.2 warns, 1.4 raises).
    expect(() => metrics.dcgScore(f64([[Infinity, 0]]), f64([[0.1, 0.2]]))).toThrow(/finite/);
    expect(() => metrics.ndcgScore(f64([[-1, 0]]), f64([[0.1, 0.2]]))).toThrow(/relevance ≥ 0/);
    expect(metrics.dcgScore(f64([[-1, 0]]), f64([[0.1, 0.2]]))).toBe(-1 / Math.log2(3));
    expect(() => metrics.ndcgScore(t, s, { k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => metrics.ndcgScore(t, s, { k: 1.5 })).toThrow(ValueError);
    expect(() => metrics.ndcgScore(t, s, { ignoreTies: 1 as unknown as boolean })).toThrow(/ignoreTies must be true or false/);
    expect(() => metrics.dcgScore(t, s, { logBase: 1 })).toThrow(/logBase/);
    expect(() => metrics.ndcgScore(t, s, { logBase: 10 } as never)).toThrow(/unknown option "logBase"/);
  });

  it("zeroOneLoss and detCurve", () => {
    expect(() => metrics.zeroOneLoss([1, 0], [1])).toThrow(ShapeError);
    expect(() => metrics.zeroOneLoss([], [])).toThrow(/no samples/);
    expect(() => metrics.zeroOneLoss([1, 0], [1, 0], { normalize: "no" as unknown as boolean })).toThrow(/normalize must be true or false/);
    expect(() => metrics.zeroOneLoss([1, 0], [1, 0], { sampleWeight: [0, 0] })).toThrow(/sums to 0/);
    expect(() => metrics.zeroOneLoss(f64([[1, 0], [0, 1]]), f64([[1, 0, 0], [0, 1, 0]]))).toThrow(ShapeError);
    expect(() => metrics.zeroOneLoss([1, NaN], [1, 0])).toThrow(/NaN/);
    expect(() => metrics.detCurve([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/only one class/);
    expect(() => metrics.detCurve([0, 1, 2], [0.1, 0.2, 0.3])).toThrow(/binary yTrue/);
    expect(() => metrics.detCurve([2, 3], [0.1, 0.2])).toThrow(/posLabel/);
    expect(() => metrics.detCurve([0, 1], [0.1, NaN])).toThrow(/NaN/);
    expect(() => metrics.detCurve([0, 1], [0.1, 0.2, 0.3])).toThrow(ShapeError);
    expect(() => metrics.detCurve([0, 1], [0.1, 0.2], { sampleWeight: [0, 0] })).toThrow(/every sampleWeight is 0/);
    expect(() => metrics.detCurve([0, 1], [0.1, 0.2], { dropIntermediate: true } as never)).toThrow(/unknown option "dropIntermediate"/);
  });

  it("clustering scores: labels must be 1-D, of one length, not NaN; averageMethod is checked", () => {
    for (const name of ["randScore", "adjustedRandScore", "mutualInfoScore", "normalizedMutualInfoScore", "adjustedMutualInfoScore"] as const) {
      const f = metrics[name] as (a: unknown, b: unknown, o?: unknown) => number;
      expect(() => f(f64([[0], [1]]), [0, 1])).toThrow(/labelsTrue must be 1-D/); // "labels_true must be 1D"
      expect(() => f([0, 1], f64([[0, 1], [1, 0]]))).toThrow(/labelsPred must be 1-D/);
      expect(() => f([0, 1, 1], [0, 1])).toThrow(ShapeError);
      expect(() => f([], [])).toThrow(/no samples/);
      expect(() => f([0, NaN], [0, 1])).toThrow(/NaN/);
    }
    expect(() => metrics.normalizedMutualInfoScore([0, 1], [0, 1], { averageMethod: "mean" as never })).toThrow(/averageMethod must be/);
    expect(() => metrics.adjustedMutualInfoScore([0, 1], [0, 1], { average_method: "max" } as never)).toThrow(/unknown option "average_method"/);
  });

  it("silhouetteScore: 2 to n − 1 clusters, one label per sample, finite features, known options", () => {
    const x = f64([[0, 0], [1, 1], [4, 4], [5, 5]]);
    expect(() => metrics.silhouetteScore(f64([[0, 0]]), [0])).toThrow(/1 cluster among 1 samples/); // a single sample
    expect(() => metrics.silhouetteScore(x, [0, 0, 0, 0])).toThrow(/needs 2 to n − 1 clusters/);
    expect(() => metrics.silhouetteScore(x, [0, 1, 2, 3])).toThrow(/needs 2 to n − 1 clusters/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1])).toThrow(ShapeError);
    expect(() => metrics.silhouetteScore(f64([0, 1, 2]), [0, 0, 1])).toThrow(ShapeError);
    expect(() => metrics.silhouetteScore([[0, 1], [2]], [0, 1])).toThrow(/row 1 has 1 features/);
    expect(() => metrics.silhouetteScore(f64([[0, 0], [1, NaN], [4, 4], [5, 5]]), [0, 0, 1, 1])).toThrow(/finite/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { metric: "cityblock" as never })).toThrow(/metric must be/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { sampleSize: 5 })).toThrow(/sampleSize 5 is more than the 4 samples/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { sampleSize: 0 })).toThrow(/sampleSize must be a positive integer/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { seed: 1 })).toThrow(/no effect without sampleSize/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { sampleSize: 2, seed: 1 })).toThrow(/needs 2 to n − 1 clusters/);
    expect(() => metrics.silhouetteScore(x, [0, 0, 1, 1], { randomState: 1 } as never)).toThrow(/unknown option "randomState"/);
    expect(metrics.silhouetteScore(x, [0, 0, 1, 1])).toBeGreaterThan(0.7);
  });
});
