// sampleWeight on the metrics (scikit-learn's sample_weight) and a review of the set-wise,
// agreement and regression metrics against scikit-learn 1.2: a table of scikit-learn 1.2.1 values
// (cases/metrics-5.json, written by scripts/sklearn-cases/metrics-5.py), fast-check properties
// against plain-loop float64 references written here (integer weights = repeated samples), the
// regressions found by the review, and the typed errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { tensor, Tensor } from "../../src/ndarray/index.js";
import * as metrics from "../../src/metrics/index.js";
import { numpySum, pythonFloat } from "../../src/metrics/report.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });

// ---- scikit-learn 1.2.1 table -----------------------------------------------------------------

interface Call { fn: string; options: Record<string, unknown>; expected: unknown; yTrue?: unknown[]; yPred?: unknown[] }
interface Group { draw: { yTrue: unknown[]; yPred: unknown[]; sampleWeight: number[] }; calls: Call[] }
const table = JSON.parse(readFileSync(new URL("./cases/metrics-5.json", import.meta.url), "utf8")) as { source: string; cases: Group[] };
const special = (v: unknown) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
const input = (v: unknown[]) => (Array.isArray(v[0]) ? f64(v as number[][]) : (v as number[]));

/** Relative 1e-12 (absolute below 1): the cases are sums of at most a few hundred terms. */
function expectClose(actual: unknown, expected: unknown, path: string, rel = 1e-12) {
  const e = special(expected);
  if (actual instanceof Tensor) actual = actual.toArray();
  if (typeof e === "number") {
    expect(typeof actual, path).toBe("number");
    const a = actual as number;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a, path).toBe(e);
    else expect(Math.abs(a - e), `${path}: ${a} vs scikit-learn ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  } else if (typeof e === "string") {
    expect(actual, path).toBe(e);
  } else if (Array.isArray(e)) {
    expect(Array.isArray(actual) && (actual as unknown[]).length, `${path} length`).toBe(e.length);
    e.forEach((x, i) => expectClose((actual as unknown[])[i], x, `${path}[${i}]`, rel));
  } else {
    const obj = e as Record<string, unknown>;
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(obj).sort());
    for (const k of Object.keys(obj)) expectClose((actual as Record<string, unknown>)[k], obj[k], `${path}.${k}`, rel);
  }
}

describe(`scikit-learn values (${table.source})`, () => {
  const calls = table.cases.reduce((s, g) => s + g.calls.length, 0);
  it(`${calls} calls on ${table.cases.length} draws agree to 1e-12 (relative)`, () => {
    expect(calls).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const [gi, g] of table.cases.entries()) {
      for (const c of g.calls) {
        const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, k === "sampleWeight" ? g.draw.sampleWeight : special(v)]));
        const yTrue = input(c.yTrue ?? g.draw.yTrue);
        const yPred = input(c.yPred ?? g.draw.yPred);
        const fn = (metrics as unknown as Record<string, (a: unknown, b: unknown, o: unknown) => unknown>)[c.fn];
        const name = `draw ${gi} ${c.fn}(${JSON.stringify(c.options)})`;
        try {
          // A normalized confusion matrix is float32 (as documented); every other result float64.
          expectClose(fn(yTrue, yPred, options), c.expected, name, options.normalize === undefined ? 1e-12 : 1e-7);
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

// ---- review: each failed before its fix -------------------------------------------------------

describe("review against scikit-learn 1.2.1", () => {
  it("rmse of several outputs is the mean of their RMSEs, not the root of the pooled MSE", () => {
    // scikit-learn 1.2.1: mean_squared_error(t, p, squared=False) = 1.4789132060186212 (the pooled root was √3).
    expect(metrics.rmse(f64([[1, 2], [3, 4], [0, 0]]), f64([[1, 3], [3, 8], [1, 0]]))).toBeCloseTo(1.4789132060186212, 14);
  });

  it("logLoss of binary probabilities at exactly 0 or 1 clips the class-1 probability first, as scikit-learn", () => {
    // scikit-learn 1.2.1: log_loss([0, 1, 1], [1, 1, 0.25], eps=1e-15) = 11.975290117820256: class 0 of p = 1
    // gets 1 − (1 − 1e-15) = 1.11e-15, not 1e-15 (the old answer was 11.97502…).
    expect(metrics.logLoss([0, 1, 1], [1, 1, 0.25])).toBeCloseTo(11.975290117820256, 12);
  });

  it("F-beta rounds as scikit-learn's (1+β²)PR/(β²P+R): a report prints 0.7 where the count form's exact 0.75 printed 0.8", () => {
    const t = [0, 0, 0, 0, 0, 1], p = [0, 0, 0, 1, 1, 1];
    // scikit-learn 1.2.1: f1_score(t, p, pos_label=0) = 0.7499999999999999 (P = 1, R = 0.6).
    expect(metrics.f1Score(t, p, { posLabel: 0 })).toBe(0.7499999999999999);
    expect(metrics.fbetaScore(t, p, { beta: 1, posLabel: 0 })).toBe(0.7499999999999999);
    // scikit-learn 1.2.1: classification_report(t, p, digits=1)
    expect(metrics.classificationReport(t, p, { digits: 1 })).toBe(
      "              precision    recall  f1-score   support\n\n" +
        "           0        1.0       0.6       0.7         5\n" +
        "           1        0.3       1.0       0.5         1\n\n" +
        "    accuracy                            0.7         6\n" +
        "   macro avg        0.7       0.8       0.6         6\n" +
        "weighted avg        0.9       0.7       0.7         6\n",
    );
  });

  it("classificationReport prints supports as 1.0 when no sample is predicted right, as scikit-learn 1.2 does", () => {
    // scikit-learn 1.2.1: classification_report([0, 1, 1], [1, 0, 0]) (its counts are floats on that path).
    expect(metrics.classificationReport([0, 1, 1], [1, 0, 0])).toBe(
      "              precision    recall  f1-score   support\n\n" +
        "           0       0.00      0.00      0.00       1.0\n" +
        "           1       0.00      0.00      0.00       2.0\n\n" +
        "    accuracy                           0.00       3.0\n" +
        "   macro avg       0.00      0.00      0.00       3.0\n" +
        "weighted avg       0.00      0.00      0.00       3.0\n",
    );
    // One hit: integer supports.
    expect(metrics.classificationReport([0, 1, 1], [1, 0, 1])).toContain("           0       0.00      0.00      0.00         1\n");
  });
});

describe("a constant target (on purpose unlike scikit-learn 1.2.1)", () => {
  it("has itself as mean, so r2 and explained variance stay finite (scikit-learn: −1.73e31 from a mean an ulp off)", () => {
    // scikit-learn 1.2.1: r2_score([0.1]*3, [0.1, 0.2, 0.1]) = -1.7307656195116095e+31, explained_variance_score
    // -1.1538437463410733e+31, r2_score([0.6]*4, [0.6]*3 + [0.7], sample_weight=[2,3,2,2]) = -1.8e29; force_finite means 0.
    expect(metrics.r2([0.1, 0.1, 0.1], [0.1, 0.2, 0.1])).toBe(0);
    expect(metrics.explainedVarianceScore([0.1, 0.1, 0.1], [0.1, 0.2, 0.1])).toBe(0);
    expect(metrics.r2([0.6, 0.6, 0.6, 0.6], [0.6, 0.6, 0.6, 0.7], { sampleWeight: [2, 3, 2, 2] })).toBe(0);
    expect(metrics.r2([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toBe(1);
    // A sample of weight 0 does not make the target vary.
    expect(metrics.r2([0.6, 5, 0.6], [0.6, 0, 0.7], { sampleWeight: [3, 0, 1] })).toBe(0);
  });
});

// ---- sampleWeight: plain-loop references and properties ---------------------------------------

const U64 = 2 ** -53;
/** Bound for two float64 evaluations of a formula over n terms in different orders. */
const tol = (n: number, magnitude: number) => 64 * (n + 4) * U64 * Math.max(1, Math.abs(magnitude));

/** Each sample repeated w times (integer weights). */
function repeat<T>(xs: readonly T[], w: readonly number[]): T[] {
  return xs.flatMap((x, i) => Array.from({ length: w[i] }, () => x));
}

const labelsAndWeights = (minWeight: number) =>
  fc.integer({ min: 1, max: 24 }).chain((n) =>
    fc.record({
      t: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      p: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      w: fc.array(fc.integer({ min: minWeight, max: 3 }), { minLength: n, maxLength: n }),
    }),
  ).filter(({ w }) => w.some((x) => x > 0));

describe("sampleWeight", () => {
  it("weighted accuracy and confusion counts equal plain loops over the weights", () => {
    fc.assert(fc.property(labelsAndWeights(0), fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 24, maxLength: 24 }), ({ t, p }, real) => {
      const w = t.map((_, i) => real[i]);
      if (!w.some((x) => x > 0)) return;
      let hit = 0, total = 0;
      for (let i = 0; i < t.length; i++) { total += w[i]; if (t[i] === p[i]) hit += w[i]; }
      expect(Math.abs(metrics.accuracy(t, p, { sampleWeight: w }) - hit / total)).toBeLessThanOrEqual(tol(t.length, 1));
      const cm = metrics.confusionMatrix(t, p, { labels: [0, 1, 2, 3], sampleWeight: w });
      expect(cm.dtype).toBe("float64");
      const ref = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => t.reduce((s, v, i) => s + (v === r && p[i] === c ? w[i] : 0), 0)));
      const got = cm.toArray() as number[][];
      ref.forEach((row, r) => row.forEach((v, c) => expect(Math.abs(got[r][c] - v)).toBeLessThanOrEqual(tol(t.length, v))));
    }));
  });

  it("integer weights are repeated samples, for every label metric and average", () => {
    fc.assert(fc.property(labelsAndWeights(1), fc.constantFrom(0, 1), ({ t, p, w }, zd) => {
      const T = repeat(t, w), P = repeat(p, w);
      const same = (a: number, b: number) => (Number.isFinite(b) ? expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol(T.length, b)) : expect(a).toBe(b));
      const sw = { sampleWeight: w };
      same(metrics.accuracy(t, p, sw), metrics.accuracy(T, P));
      same(metrics.hammingLoss(t, p, sw), metrics.hammingLoss(T, P));
      same(metrics.matthewsCorrcoef(t, p, sw), metrics.matthewsCorrcoef(T, P));
      same(metrics.balancedAccuracy(t, p, { adjusted: true, ...sw }), metrics.balancedAccuracy(T, P, { adjusted: true }));
      for (const weights of [null, "linear", "quadratic"] as const) same(metrics.cohenKappaScore(t, p, { weights, ...sw }), metrics.cohenKappaScore(T, P, { weights }));
      for (const average of ["macro", "micro", "weighted"] as const) {
        const a = metrics.precisionRecallF1(t, p, { average, zeroDivision: zd, ...sw }), b = metrics.precisionRecallF1(T, P, { average, zeroDivision: zd });
        same(a.precision, b.precision); same(a.recall, b.recall); same(a.f1, b.f1);
        same(metrics.jaccardScore(t, p, { average, zeroDivision: zd, ...sw }), metrics.jaccardScore(T, P, { average, zeroDivision: zd }));
        same(metrics.fbetaScore(t, p, { beta: 0.5, average, labels: [1, 3], ...sw }), metrics.fbetaScore(T, P, { beta: 0.5, average, labels: [1, 3] }));
      }
      expect(metrics.confusionMatrix(t, p, { labels: [0, 1, 2, 3], ...sw }).toArray()).toEqual(metrics.confusionMatrix(T, P, { labels: [0, 1, 2, 3] }).toArray());
    }));
  });

  it("integer weights are repeated samples for the score, probability and regression metrics; weight 0 removes a sample", () => {
    const draw = fc.integer({ min: 2, max: 20 }).chain((n) => fc.record({
      y: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      s: fc.array(fc.integer({ min: 0, max: 10 }).map((v) => v / 10), { minLength: n, maxLength: n }),
      r: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
      w: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    }));
    fc.assert(fc.property(draw, ({ y, s, r, w }) => {
      const Y = repeat(y, w), S = repeat(s, w), R = repeat(r, w);
      if (Y.length < 2) return;
      const same = (a: unknown, b: unknown) => {
        if (typeof b === "number") {
          if (!Number.isFinite(b)) expect(a).toBe(b);
          else expect(Math.abs((a as number) - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol(Y.length, 4 * Math.max(1, Math.abs(b))));
        } else if (Array.isArray(b)) {
          expect((a as unknown[]).length).toBe(b.length);
          b.forEach((x, i) => same((a as unknown[])[i], x));
        } else {
          for (const k of Object.keys(b as object)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
        }
      };
      const sw = { sampleWeight: w };
      same(metrics.brierScoreLoss(y, s, sw), metrics.brierScoreLoss(Y, S));
      same(metrics.logLoss(y, s, sw), metrics.logLoss(Y, S));
      if (new Set(Y).size === 2 && new Set(y).size === 2) {
        same(metrics.hingeLoss(y, r, sw), metrics.hingeLoss(Y, R));
        same(metrics.rocAuc(y, s, sw), metrics.rocAuc(Y, S));
        same(metrics.averagePrecision(y, s, sw), metrics.averagePrecision(Y, S));
        same(metrics.rocCurve(y, s, sw), metrics.rocCurve(Y, S));
        same(metrics.rocCurve(y, s, { dropIntermediate: false, ...sw }), metrics.rocCurve(Y, S, { dropIntermediate: false }));
        same(metrics.prCurve(y, s, sw), metrics.prCurve(Y, S));
      }
      for (const f of ["mse", "rmse", "mae", "r2", "explainedVarianceScore", "meanAbsolutePercentageError"] as const) same(metrics[f](s, r, sw), metrics[f](S, R));
      same(metrics.meanSquaredLogError(s, r.map(Math.abs), sw), metrics.meanSquaredLogError(S, R.map(Math.abs)));
    }));
  });

  it("medianAbsoluteError and d2AbsoluteErrorScore use scikit-learn's weighted lower median", () => {
    /** Plain loop: the smallest value whose cumulative weight (ascending) reaches half the total. */
    const lowerMedian = (v: number[], w: number[]) => {
      const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
      const half = w.reduce((a, b) => a + b, 0) / 2;
      let c = 0;
      for (const i of idx) { c += w[i]; if (c >= half) return v[i]; }
      return v[idx[idx.length - 1]];
    };
    const draw = fc.integer({ min: 2, max: 20 }).chain((n) => fc.record({
      t: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      p: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      w: fc.array(fc.integer({ min: 0, max: 8 }).map((x) => x / 4), { minLength: n, maxLength: n }),
    })).filter(({ w }) => w.some((x) => x > 0));
    fc.assert(fc.property(draw, ({ t, p, w }) => {
      const e = t.map((v, i) => Math.abs(p[i] - v));
      expect(metrics.medianAbsoluteError(t, p, { sampleWeight: w })).toBe(lowerMedian(e, w));
      const m = lowerMedian(t, w);
      let num = 0, den = 0;
      t.forEach((v, i) => { num += w[i] * Math.abs(v - p[i]); den += w[i] * Math.abs(v - m); });
      const d2 = num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
      expect(Math.abs(metrics.d2AbsoluteErrorScore(t, p, { sampleWeight: w }) - d2)).toBeLessThanOrEqual(tol(t.length, d2));
    }));
    // scikit-learn 1.2.1: median_absolute_error([1,2,3,4], [0,0,0,0], sample_weight=[1,1,1,1]) = 2.0 (unweighted: 2.5).
    expect(metrics.medianAbsoluteError([1, 2, 3, 4], [0, 0, 0, 0], { sampleWeight: [1, 1, 1, 1] })).toBe(2);
    expect(metrics.medianAbsoluteError([1, 2, 3, 4], [0, 0, 0, 0])).toBe(2.5);
  });

  it("rocCurve leaves out zero-weight samples, thresholds included; a weighted confusion matrix is float64", () => {
    // scikit-learn 1.2.1: roc_curve([0,1,1,0,1], [0.1,0.4,0.35,0.8,0.9], sample_weight=[1,0,2,0.5,1]):
    // fpr [0,0,⅓,⅓,1], tpr [0,⅓,⅓,1,1], thresholds [1.9 (max + 1; ours +∞), 0.9, 0.8, 0.35, 0.1].
    const roc = metrics.rocCurve([0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.9], { sampleWeight: [1, 0, 2, 0.5, 1] });
    expect(roc.thresholds).toEqual([Infinity, 0.9, 0.8, 0.35, 0.1]);
    expect(roc.fpr).toEqual([0, 0, 1 / 3, 1 / 3, 1]);
    expect(roc.tpr).toEqual([0, 1 / 3, 1 / 3, 1, 1]);
    // scikit-learn 1.2.1: confusion_matrix([0,1,2,1], [0,2,2,1], sample_weight=[0.5,2,1,0])
    const cm = metrics.confusionMatrix([0, 1, 2, 1], [0, 2, 2, 1], { sampleWeight: [0.5, 2, 1, 0] });
    expect(cm.dtype).toBe("float64");
    expect(cm.toArray()).toEqual([[0.5, 0, 0], [0, 0, 2], [0, 0, 1]]);
    expect(metrics.confusionMatrix([0, 1], [0, 1]).dtype).toBe("int32");
  });

  it("accepts a Tensor [n] or [n, 1], a typed array or a plain array; unweighted results are unchanged by all-1 weights", () => {
    const t = [0, 1, 1, 0, 2], p = [0, 2, 1, 0, 2];
    const ones = [1, 1, 1, 1, 1];
    for (const sampleWeight of [ones, Float32Array.from(ones), f64(ones), f64(ones.map((v) => [v]))]) {
      expect(metrics.accuracy(t, p, { sampleWeight })).toBe(metrics.accuracy(t, p));
      expect(metrics.f1Score(t, p, { average: "macro", sampleWeight })).toBe(metrics.f1Score(t, p, { average: "macro" }));
    }
    const a = [1, 2, 3.5, 4], b = [1.5, 2, 3, 5];
    for (const f of ["mse", "rmse", "mae", "r2", "explainedVarianceScore", "meanAbsolutePercentageError", "medianAbsoluteError", "d2AbsoluteErrorScore", "meanSquaredLogError"] as const) {
      expect(metrics[f](a, b, { sampleWeight: [2, 2, 2, 2] }), f).toBeCloseTo(metrics[f](a, b), 14);
    }
  });
});

describe("classificationReport with sampleWeight", () => {
  it("prints supports as Python floats, as scikit-learn 1.2.1", () => {
    // scikit-learn 1.2.1: classification_report([0,1,1,2], [0,1,2,2], sample_weight=[0.5,2,1,1e-5])
    expect(metrics.classificationReport([0, 1, 1, 2], [0, 1, 2, 2], { sampleWeight: [0.5, 2, 1, 1e-5] })).toBe(
      "              precision    recall  f1-score   support\n\n" +
        "           0       1.00      1.00      1.00       0.5\n" +
        "           1       1.00      0.67      0.80       3.0\n" +
        "           2       0.00      1.00      0.00     1e-05\n\n" +
        "    accuracy                           0.71   3.50001\n" +
        "   macro avg       0.67      0.89      0.60   3.50001\n" +
        "weighted avg       1.00      0.71      0.83   3.50001\n",
    );
    // Python 3: str(x) of each
    const py: [number, string][] = [[3, "3.0"], [2.5, "2.5"], [1e-5, "1e-05"], [6e-5, "6e-05"], [1.5e-7, "1.5e-07"], [1e16, "1e+16"],
      [1.2345e17, "1.2345e+17"], [0.0001, "0.0001"], [123456789012345, "123456789012345.0"], [0.1 + 0.2, "0.30000000000000004"]];
    for (const [x, s] of py) expect(pythonFloat(x)).toBe(s);
  });

  it("numpySum adds in NumPy's pairwise order", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 300 }), (a) => {
      // Plain-loop reference of NumPy's pairwise_sum: < 8 sequential; ≤ 128 eight accumulators; else halves (multiple of 8).
      const ref = (lo: number, n: number): number => {
        if (n < 8) { let s = 0; for (let i = 0; i < n; i++) s += a[lo + i]; return s; }
        if (n <= 128) {
          const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[lo + j]);
          let i = 8;
          while (i + 8 <= n) { for (let j = 0; j < 8; j++) r[j] += a[lo + i + j]; i += 8; }
          let s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
          while (i < n) s += a[lo + i++];
          return s;
        }
        const h = Math.floor(n / 2 / 8) * 8;
        return ref(lo, h) + ref(lo + h, n - h);
      };
      expect(numpySum(a)).toBe(ref(0, a.length));
    }));
    // NumPy 1.24.2: np.sum([((i*7919) % 1000) * 1e-8 for i in range(1000)]) = 0.004995 (a plain loop: 0.004995000000000003)
    const xs = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) * 1e-8);
    expect(numpySum(xs)).toBe(0.004995);
    expect(xs.reduce((s, x) => s + x, 0)).toBe(0.004995000000000003);
  });
});

// ---- multilabel indicator matrices --------------------------------------------------------------

describe("multilabel indicator matrices", () => {
  const draw = fc.record({ n: fc.integer({ min: 1, max: 10 }), k: fc.integer({ min: 2, max: 5 }) }).chain(({ n, k }) => fc.record({
    t: fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: k, maxLength: k }), { minLength: n, maxLength: n }),
    p: fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: k, maxLength: k }), { minLength: n, maxLength: n }),
    w: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: n, maxLength: n }),
  }));

  it("subset accuracy, Hamming loss and the per-sample and pooled scores equal plain loops", () => {
    fc.assert(fc.property(draw, fc.constantFrom(0, 1), ({ t, p, w }, zd) => {
      const T = f64(t), P = f64(p);
      const n = t.length, k = t[0].length;
      let subset = 0, differ = 0, W = 0;
      let sP = 0, sR = 0, sF = 0, sJ = 0, TP = 0, PR = 0, AC = 0;
      for (let i = 0; i < n; i++) {
        let tp = 0, pr = 0, ac = 0, d = 0;
        for (let c = 0; c < k; c++) { tp += t[i][c] * p[i][c]; pr += p[i][c]; ac += t[i][c]; if (t[i][c] !== p[i][c]) d++; }
        W += w[i];
        if (d === 0) subset += w[i];
        differ += w[i] * d;
        const prec = pr === 0 ? zd : tp / pr, rec = ac === 0 ? zd : tp / ac;
        sP += w[i] * prec; sR += w[i] * rec;
        sF += w[i] * (prec + rec === 0 ? 0 : (2 * prec * rec) / (prec + rec));
        sJ += w[i] * (pr + ac - tp === 0 ? zd : tp / (pr + ac - tp));
        TP += w[i] * tp; PR += w[i] * pr; AC += w[i] * ac;
      }
      const sw = { sampleWeight: w };
      const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol(n * k, 1));
      near(metrics.accuracy(T, P, sw), subset / W);
      near(metrics.hammingLoss(T, P, sw), differ / (W * k));
      const s = metrics.precisionRecallF1(T, P, { average: "samples", zeroDivision: zd, ...sw });
      near(s.precision, sP / W); near(s.recall, sR / W); near(s.f1, sF / W);
      near(metrics.jaccardScore(T, P, { average: "samples", zeroDivision: zd, ...sw }), sJ / W);
      const m = metrics.precisionRecallF1(T, P, { average: "micro", zeroDivision: zd, ...sw });
      near(m.precision, PR === 0 ? zd : TP / PR); near(m.recall, AC === 0 ? zd : TP / AC);
      // Integer weights are repeated rows here too.
      const Tr = f64(repeat(t, w)), Pr = f64(repeat(p, w));
      for (const average of ["macro", "weighted", "samples"] as const) {
        near(metrics.f1Score(T, P, { average, zeroDivision: zd, ...sw }), metrics.f1Score(Tr, Pr, { average, zeroDivision: zd }));
      }
    }));
  });

  it("values from scikit-learn 1.2.1, and one-hot rows scored per column (every column is a label)", () => {
    const t = f64([[0, 1, 1], [1, 0, 0], [0, 0, 0]]), p = f64([[0, 1, 0], [1, 1, 0], [0, 0, 0]]);
    // scikit-learn 1.2.1: accuracy_score 1/3, hamming_loss 2/9, f1_score samples 0.4444444444444444 (the empty
    // row scores zero_division 0), micro 0.6666666666666666, macro 0.5555555555555555, jaccard samples 0.3333333333333333
    expect(metrics.accuracy(t, p)).toBeCloseTo(1 / 3, 15);
    expect(metrics.hammingLoss(t, p)).toBeCloseTo(2 / 9, 15);
    expect(metrics.f1Score(t, p, { average: "samples" })).toBeCloseTo(0.4444444444444444, 15);
    expect(metrics.f1Score(t, p, { average: "micro" })).toBeCloseTo(0.6666666666666666, 15);
    expect(metrics.f1Score(t, p, { average: "macro" })).toBeCloseTo(0.5555555555555555, 15);
    expect(metrics.jaccardScore(t, p, { average: "samples" })).toBeCloseTo(0.3333333333333333, 15);
    // scikit-learn 1.2.1: f1_score([[1,0,0],[0,1,0]], [[1,0,0],[1,0,0]], average="macro") = 0.2222222222222222:
    // column 2 is a label though neither side uses it.
    expect(metrics.f1Score(f64([[1, 0, 0], [0, 1, 0]]), f64([[1, 0, 0], [1, 0, 0]]), { average: "macro" })).toBeCloseTo(0.2222222222222222, 15);
  });
});

// ---- typed errors ---------------------------------------------------------------------------------

describe("typed errors", () => {
  const t = [0, 1, 1, 0], p = [0, 1, 0, 0];
  it("refuse negative, NaN and infinite weights, a wrong count or shape, and non-numbers, for every metric", () => {
    const calls: [string, (sampleWeight: unknown) => unknown][] = [
      ["accuracy", (sampleWeight) => metrics.accuracy(t, p, { sampleWeight } as never)],
      ["topKAccuracy", (sampleWeight) => metrics.topKAccuracy(t, f64([[1, 0], [0, 1], [1, 0], [1, 0]]), { k: 1, sampleWeight } as never)],
      ["confusionMatrix", (sampleWeight) => metrics.confusionMatrix(t, p, { sampleWeight } as never)],
      ["precisionRecallF1", (sampleWeight) => metrics.precisionRecallF1(t, p, { sampleWeight } as never)],
      ["fbetaScore", (sampleWeight) => metrics.fbetaScore(t, p, { beta: 2, sampleWeight } as never)],
      ["jaccardScore", (sampleWeight) => metrics.jaccardScore(t, p, { sampleWeight } as never)],
      ["matthewsCorrcoef", (sampleWeight) => metrics.matthewsCorrcoef(t, p, { sampleWeight } as never)],
      ["balancedAccuracy", (sampleWeight) => metrics.balancedAccuracy(t, p, { sampleWeight } as never)],
      ["cohenKappaScore", (sampleWeight) => metrics.cohenKappaScore(t, p, { sampleWeight } as never)],
      ["hammingLoss", (sampleWeight) => metrics.hammingLoss(t, p, { sampleWeight } as never)],
      ["logLoss", (sampleWeight) => metrics.logLoss(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["brierScoreLoss", (sampleWeight) => metrics.brierScoreLoss(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["hingeLoss", (sampleWeight) => metrics.hingeLoss(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["rocAuc", (sampleWeight) => metrics.rocAuc(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["averagePrecision", (sampleWeight) => metrics.averagePrecision(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["rocCurve", (sampleWeight) => metrics.rocCurve(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ["prCurve", (sampleWeight) => metrics.prCurve(t, [0.1, 0.9, 0.4, 0.3], { sampleWeight } as never)],
      ...(["mse", "rmse", "mae", "r2", "explainedVarianceScore", "meanAbsolutePercentageError", "medianAbsoluteError", "meanSquaredLogError", "d2AbsoluteErrorScore"] as const)
        .map((f) => [f, (sampleWeight: unknown) => metrics[f]([1, 2, 3, 4], [1, 2, 2, 5], { sampleWeight } as never)] as [string, (w: unknown) => unknown]),
    ];
    for (const [name, call] of calls) {
      expect(() => call([1, -1, 1, 1]), name).toThrow(ValueError);
      expect(() => call([1, -1, 1, 1]), name).toThrow(new RegExp(`^${name}: sampleWeight -1 at index 1 is not a finite number ≥ 0`));
      expect(() => call([1, 1, NaN, 1]), name).toThrow(/sampleWeight NaN at index 2 is not a finite number ≥ 0/);
      expect(() => call([1, 1, 1, Infinity]), name).toThrow(/sampleWeight Infinity at index 3/);
      expect(() => call([1, 1, 1]), name).toThrow(ShapeError);
      expect(() => call([1, 1, 1]), name).toThrow(/sampleWeight has 3 values for 4 samples/);
      expect(() => call(f64([[1, 1], [1, 1]])), name).toThrow(/sampleWeight must be \[n\], got \[2,2\]/);
      expect(() => call([1, "2", 1, 1]), name).toThrow(/sampleWeight must hold numbers, got "2" at index 1/);
      expect(() => call(3), name).toThrow(/sampleWeight must be a Tensor or an array of numbers, got number/);
    }
  });

  it("refuse all-zero weights where the metric is a weighted mean; maxError takes no sampleWeight", () => {
    const zero = { sampleWeight: [0, 0, 0, 0] };
    expect(() => metrics.accuracy(t, p, zero)).toThrow(/accuracy: sampleWeight sums to 0/);
    expect(() => metrics.hammingLoss(t, p, zero)).toThrow(ValueError);
    expect(() => metrics.logLoss(t, [0.1, 0.9, 0.4, 0.3], zero)).toThrow(/sums to 0/);
    expect(() => metrics.mse([1, 2, 3, 4], [1, 2, 2, 5], zero)).toThrow(/mse: sampleWeight sums to 0/);
    expect(() => metrics.f1Score(f64([[0, 1], [1, 1], [0, 0], [1, 0]]), f64([[0, 1], [1, 0], [0, 0], [1, 1]]), { average: "samples", ...zero })).toThrow(/sums to 0/);
    // Counts may all be 0: scikit-learn's zero_division decides (as with no sample of a class).
    expect(metrics.confusionMatrix(t, p, zero).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(metrics.f1Score(t, p, { zeroDivision: 1, ...zero })).toBe(1);
    expect(() => metrics.maxError([1, 2], [1, 3], { sampleWeight: [1, 1] } as never)).toThrow(/maxError: unknown option "sampleWeight" \(accepted: none\)/);
    // A class whose samples all weigh 0 is absent, as scikit-learn's curves leave those samples out.
    expect(() => metrics.rocAuc([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.3], { sampleWeight: [1, 0, 0, 1] })).toThrow(/only one class present in yTrue \(counting samples of weight > 0\)/);
    expect(() => metrics.averagePrecision([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.3], { sampleWeight: [1, 0, 0, 1] })).toThrow(/no positive samples \(of weight > 0\)/);
    // The weights' name next to kappa's class-distance weights.
    expect(() => metrics.cohenKappaScore(t, p, { sample_weight: [1, 1, 1, 1] } as never)).toThrow(/unknown option "sample_weight"/);
  });

  it("multilabel: average binary, labels outside the columns, mismatched shapes and samples outside multilabel are refused", () => {
    const T = f64([[0, 1, 1], [1, 0, 0]]), P = f64([[0, 1, 0], [1, 1, 0]]);
    expect(() => metrics.f1Score(T, P)).toThrow(/multilabel indicator matrices \[2, 3\]; average "binary" does not apply/);
    expect(() => metrics.f1Score(T, P, { average: "macro", labels: [0, 3] })).toThrow(/label 3 is not a column of the multilabel matrices \[2, 3\]/);
    expect(() => metrics.jaccardScore(T, f64([[0, 1], [1, 1]]), { average: "macro" })).toThrow(ShapeError);
    expect(() => metrics.accuracy(T, f64([[0, 1], [1, 1]]))).toThrow(ShapeError);
    expect(() => metrics.f1Score([0, 1, 2], [0, 2, 2], { average: "samples" })).toThrow(/average "samples" applies to multilabel targets only/);
    expect(() => metrics.f1Score(T, P, { average: "samples", posLabel: 1 })).toThrow(/posLabel applies to average "binary" only/);
    // A metric without multilabel scoring names the ones that have it.
    expect(() => metrics.balancedAccuracy(T, P)).toThrow(/only accuracy, precisionRecallF1, f1Score, fbetaScore, jaccardScore and hammingLoss score multilabel targets/);
  });
});
