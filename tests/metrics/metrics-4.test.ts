// Metrics added for scikit-learn users (MCC, kappa, balanced accuracy, Jaccard, F-beta, Hamming,
// Brier, hinge, the regression scores, classificationReport): fast-check properties against
// plain-loop float64 references written here, a table of scikit-learn 1.2.1 values
// (cases/metrics-4.json, written by the script named in it), and the typed errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { tensor, Tensor } from "../../src/ndarray/index.js";
import * as metrics from "../../src/metrics/index.js";
import {
  accuracy, balancedAccuracy, brierScoreLoss, classificationReport, cohenKappaScore, d2AbsoluteErrorScore, explainedVarianceScore, f1Score,
  fbetaScore, hammingLoss, hingeLoss, jaccardScore, matthewsCorrcoef, maxError, meanAbsolutePercentageError, meanSquaredLogError,
  medianAbsoluteError, precisionRecallF1, r2,
} from "../../src/metrics/index.js";
import { fixed } from "../../src/metrics/report.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });
const int = (v: number[]) => tensor(v, { dtype: "int32" });
const U64 = 2 ** -53;
/** Bound for two float64 evaluations of a formula over n terms in different orders. */
const tol = (n: number, magnitude: number) => 16 * (n + 4) * U64 * Math.max(1, Math.abs(magnitude));

// ---- plain-loop references --------------------------------------------------------------------

function confusion(t: number[], p: number[]) {
  const labels = [...new Set([...t, ...p])].sort((a, b) => a - b);
  const cm = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < t.length; i++) cm[labels.indexOf(t[i])][labels.indexOf(p[i])]++;
  return { labels, cm, k: labels.length };
}

/** MCC from the k×k confusion matrix: (c·s − Σ pₖtₖ) / √((s² − Σ pₖ²)(s² − Σ tₖ²)), 0 when a factor is 0. */
function mccRef(t: number[], p: number[]) {
  const { cm, k } = confusion(t, p);
  let c = 0, s = 0, pt = 0, pp = 0, tt = 0;
  for (let i = 0; i < k; i++) {
    c += cm[i][i];
    let row = 0, col = 0;
    for (let j = 0; j < k; j++) { row += cm[i][j]; col += cm[j][i]; s += cm[i][j]; }
    pt += row * col; pp += col * col; tt += row * row;
  }
  const d = (s * s - pp) * (s * s - tt);
  return d === 0 ? 0 : (c * s - pt) / Math.sqrt(d);
}

function kappaRef(t: number[], p: number[], weights: "linear" | "quadratic" | null) {
  const { cm, k } = confusion(t, p);
  const n = t.length;
  const w = (i: number, j: number) => (weights === null ? Number(i !== j) : weights === "linear" ? Math.abs(i - j) : (i - j) ** 2);
  let po = 0, pe = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let rowI = 0, colJ = 0;
      for (let m = 0; m < k; m++) { rowI += cm[i][m]; colJ += cm[m][j]; }
      po += w(i, j) * cm[i][j];
      pe += (w(i, j) * rowI * colJ) / n;
    }
  }
  return 1 - po / pe;
}

function balancedRef(t: number[], p: number[]) {
  const classes = [...new Set(t)];
  return classes.reduce((s, c) => s + t.filter((v, i) => v === c && p[i] === c).length / t.filter((v) => v === c).length, 0) / classes.length;
}

/** Per-class tp, fp, fn counted sample by sample. */
function perClass(t: number[], p: number[]) {
  return [...new Set([...t, ...p])].sort((a, b) => a - b).map((c) => {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === c && p[i] === c) tp++;
      else if (p[i] === c) fp++;
      else if (t[i] === c) fn++;
    }
    return { tp, fp, fn };
  });
}

const labelPairs = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 60 });
const split = (pairs: [number, number][]) => [pairs.map((q) => q[0]), pairs.map((q) => q[1])];

describe("agreement scores against plain-loop references", () => {
  it("matthewsCorrcoef: the confusion-matrix formula, symmetric, relabelling-invariant, 1 for perfect", () => {
    fc.assert(fc.property(labelPairs, (pairs) => {
      const [t, p] = split(pairs);
      const m = matthewsCorrcoef(int(t), int(p));
      expect(Math.abs(m - mccRef(t, p))).toBeLessThanOrEqual(tol(t.length, 1));
      expect(Math.abs(m - matthewsCorrcoef(p, t))).toBeLessThanOrEqual(tol(t.length, 1));
      // Relabelling the classes (any injective map) leaves counts, hence the score, unchanged: exact.
      expect(matthewsCorrcoef(t.map((v) => 10 - 3 * v), p.map((v) => 10 - 3 * v))).toBe(m);
      expect(matthewsCorrcoef(t, t)).toBe(new Set(t).size > 1 ? 1 : 0);
      expect(m).toBeGreaterThanOrEqual(-1 - 1e-12);
      expect(m).toBeLessThanOrEqual(1 + 1e-12);
    }));
  });

  it("cohenKappaScore: observed vs expected disagreement, symmetric, 1 for perfect", () => {
    fc.assert(fc.property(labelPairs, fc.constantFrom(null, "linear", "quadratic" as const), (pairs, weights) => {
      const [t, p] = split(pairs);
      const k = cohenKappaScore(t, p, { weights });
      const ref = kappaRef(t, p, weights);
      if (Number.isNaN(ref)) expect(k).toBeNaN();
      else {
        expect(Math.abs(k - ref)).toBeLessThanOrEqual(tol(t.length * 25, ref));
        expect(Math.abs(k - cohenKappaScore(p, t, { weights }))).toBeLessThanOrEqual(tol(t.length * 25, ref));
      }
      if (new Set(t).size > 1) expect(cohenKappaScore(t, t, { weights })).toBe(1);
    }));
  });

  it("balancedAccuracy: mean recall over the true classes; adjusted maps chance to 0", () => {
    fc.assert(fc.property(labelPairs, (pairs) => {
      const [t, p] = split(pairs);
      const b = balancedAccuracy(int(t), int(p));
      expect(Math.abs(b - balancedRef(t, p))).toBeLessThanOrEqual(tol(t.length, 1));
      const c = new Set(t).size;
      if (c > 1) expect(Math.abs(balancedAccuracy(t, p, { adjusted: true }) - (b - 1 / c) / (1 - 1 / c))).toBeLessThanOrEqual(tol(t.length, 1));
    }));
  });

  it("hammingLoss is 1 − accuracy for labels; the fraction of differing entries for indicator matrices", () => {
    fc.assert(fc.property(labelPairs, (pairs) => {
      const [t, p] = split(pairs);
      expect(hammingLoss(t, p)).toBe(t.filter((v, i) => v !== p[i]).length / t.length);
      expect(hammingLoss(t, p) + accuracy(t, p)).toBeCloseTo(1, 14);
    }));
    expect(hammingLoss(f64([[0, 1], [1, 1]]), f64([[0, 0], [0, 0]]))).toBe(0.75);
    // [n, k] scores against [n] labels: argmax, as accuracy.
    expect(hammingLoss([1, 0], f64([[0.2, 0.8], [0.9, 0.1]]))).toBe(0);
  });
});

describe("jaccardScore and fbetaScore against plain-loop references", () => {
  it("per-class J = tp/(tp+fp+fn) and F-beta = (1+β²)PR/(β²P+R), macro/micro/weighted", () => {
    fc.assert(fc.property(labelPairs, fc.constantFrom(0, 0.5, 1, 2, 7.5), fc.constantFrom(0, 1), (pairs, beta, zd) => {
      const [t, p] = split(pairs);
      const cls = perClass(t, p);
      const b2 = beta * beta;
      const jac = (c: { tp: number; fp: number; fn: number }) => (c.tp + c.fp + c.fn === 0 ? zd : c.tp / (c.tp + c.fp + c.fn));
      const fb = (c: { tp: number; fp: number; fn: number }) => {
        const P = c.tp + c.fp === 0 ? zd : c.tp / (c.tp + c.fp);
        const R = c.tp + c.fn === 0 ? zd : c.tp / (c.tp + c.fn);
        return b2 * P + R === 0 ? 0 : ((1 + b2) * P * R) / (b2 * P + R);
      };
      const support = cls.map((c) => c.tp + c.fn);
      const n = t.length;
      const macro = (f: typeof jac) => cls.reduce((s, c) => s + f(c), 0) / cls.length;
      const weighted = (f: typeof jac) => cls.reduce((s, c, i) => s + f(c) * support[i], 0) / n;
      const pooled = cls.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), { tp: 0, fp: 0, fn: 0 });
      const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol(n, 1));
      close(jaccardScore(t, p, { average: "macro", zeroDivision: zd }), macro(jac));
      close(jaccardScore(t, p, { average: "weighted", zeroDivision: zd }), weighted(jac));
      close(jaccardScore(t, p, { average: "micro", zeroDivision: zd }), jac(pooled));
      close(fbetaScore(t, p, { beta, average: "macro", zeroDivision: zd }), macro(fb));
      close(fbetaScore(t, p, { beta, average: "weighted", zeroDivision: zd }), weighted(fb));
      close(fbetaScore(t, p, { beta, average: "micro", zeroDivision: zd }), fb(pooled));
      // β = 1 is F1 exactly; β = ∞ is recall; β = 0 is precision where recall is not 0.
      for (const average of ["macro", "micro", "weighted"] as const) {
        expect(fbetaScore(t, p, { beta: 1, average, zeroDivision: zd })).toBe(f1Score(t, p, { average, zeroDivision: zd }));
        expect(fbetaScore(t, p, { beta: Infinity, average, zeroDivision: zd })).toBe(precisionRecallF1(t, p, { average, zeroDivision: zd }).recall);
      }
    }));
  });

  it("binary: posLabel's class alone; a per-class Jaccard equals F1/(2 − F1)", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(1), fc.nat(1)), { minLength: 1, maxLength: 40 }), (pairs) => {
      const [t, p] = split(pairs);
      for (const posLabel of [0, 1]) {
        const f = f1Score(t, p, { posLabel });
        if (t.includes(posLabel) || p.includes(posLabel)) expect(Math.abs(jaccardScore(t, p, { posLabel }) - f / (2 - f))).toBeLessThanOrEqual(tol(4, 1));
      }
    }));
  });
});

describe("brierScoreLoss and hingeLoss", () => {
  it("brier: mean squared distance of the probability from the outcome; posLabel as scikit-learn 1.2", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 40 }), (pairs) => {
      const y = pairs.map((q) => q[0]);
      const pr = pairs.map((q) => q[1]);
      const ref = pairs.reduce((s, [a, b]) => s + (a - b) ** 2, 0) / y.length;
      expect(Math.abs(brierScoreLoss(y, f64(pr)) - ref)).toBeLessThanOrEqual(tol(y.length, ref));
      // labels {−1, 1}: positive 1; {5, 6}: the larger (a lone 5 is positive too: scikit-learn 1.2
      // takes the larger of yTrue's classes); posLabel 0 flips the outcome.
      expect(brierScoreLoss(y.map((v) => 2 * v - 1), pr)).toBe(brierScoreLoss(y, pr));
      if (new Set(y).size === 2) expect(brierScoreLoss(y.map((v) => v + 5), pr)).toBe(brierScoreLoss(y, pr));
      expect(Math.abs(brierScoreLoss(y, pr, { posLabel: 0 }) - brierScoreLoss(y, pr.map((v) => 1 - v)))).toBeLessThanOrEqual(tol(y.length, 1));
    }));
  });

  it("hinge: binary margin y·d with labels ±1; multiclass true score minus the best other", () => {
    expect(hingeLoss([-1, 1, 1], [-2.18, 2.36, 0.09])).toBeCloseTo(0.30333333333333334, 15);
    // scikit-learn 1.2.1's hinge_loss docstring examples (printed there as 0.30… and 0.56…)
    const d = f64([[1.27, 0.034, -0.68, -1.4], [-1.45, -0.58, -0.38, -0.17], [-2.36, -0.79, -0.27, 0.24]]);
    expect(hingeLoss([0, 2, 3], d, { labels: [0, 1, 2, 3] })).toBeCloseTo(0.5666666666666667, 15);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(2), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 30 }), (rows) => {
      const y = rows.map((r) => r[0]);
      const scores = rows.map((r) => [r[1], r[2], r[3]]);
      let ref = 0;
      for (let i = 0; i < y.length; i++) {
        const other = Math.max(...scores[i].filter((_, j) => j !== y[i]));
        ref += Math.max(0, 1 - (scores[i][y[i]] - other));
      }
      ref /= y.length;
      expect(Math.abs(hingeLoss(y, f64(scores), { labels: [0, 1, 2] }) - ref)).toBeLessThanOrEqual(tol(y.length, ref));
    }));
  });
});

describe("regression scores against plain-loop references", () => {
  // Multiples of 1/64 in [−100, 100]: no subnormal variances, whose quotients have no useful bound.
  const value = fc.integer({ min: -6400, max: 6400 }).map((v) => v / 64);
  const rowsOf = fc.array(fc.tuple(value, value), { minLength: 2, maxLength: 40 });
  const sortedMedian = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

  it("explained variance, MAPE, median/max absolute error, D², squared log error", () => {
    fc.assert(fc.property(rowsOf, (rows) => {
      const t = rows.map((r) => r[0]);
      const p = rows.map((r) => r[1]);
      const n = t.length;
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const res = t.map((v, i) => v - p[i]);
      const num = mean(res.map((r) => (r - mean(res)) ** 2));
      const den = mean(t.map((v) => (v - mean(t)) ** 2));
      const ev = num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
      // Both sides divide by small variances: scale the bound by the ratio's magnitude.
      expect(Math.abs(explainedVarianceScore(f64(t), f64(p)) - ev)).toBeLessThanOrEqual(tol(n, 1 + (den === 0 ? 0 : num / den)) * 64);
      const mape = mean(t.map((v, i) => Math.abs(p[i] - v) / Math.max(Math.abs(v), Number.EPSILON)));
      expect(Math.abs(meanAbsolutePercentageError(t, p) - mape)).toBeLessThanOrEqual(tol(n, mape));
      expect(medianAbsoluteError(t, p)).toBe(sortedMedian(t.map((v, i) => Math.abs(p[i] - v))));
      expect(maxError(t, p)).toBe(Math.max(...t.map((v, i) => Math.abs(v - p[i]))));
      const med = sortedMedian(t);
      const a = t.reduce((s, v, i) => s + Math.abs(v - p[i]), 0);
      const b = t.reduce((s, v) => s + Math.abs(v - med), 0);
      const d2 = a === 0 ? 1 : b === 0 ? 0 : 1 - a / b;
      expect(Math.abs(d2AbsoluteErrorScore(t, p) - d2)).toBeLessThanOrEqual(tol(n, 1 + a / Math.max(b, 1e-300)));
      const at = t.map(Math.abs), ap = p.map(Math.abs);
      const msle = mean(at.map((v, i) => (Math.log(1 + v) - Math.log(1 + ap[i])) ** 2));
      expect(Math.abs(meanSquaredLogError(at, ap) - msle)).toBeLessThanOrEqual(tol(n, msle) * 4);
      // A constant shift of the predictions costs r2 but not explained variance.
      expect(explainedVarianceScore(t, t.map((v) => v + 8))).toBeCloseTo(1, 10);
      expect(r2(t, t)).toBe(1);
    }));
  });

  it("multi-output: per-column scores averaged uniformly", () => {
    const t = f64([[0.5, 1], [-1, 1], [7, -6]]);
    const p = f64([[0, 2], [-1, 2], [8, -5]]);
    const col = (m: Tensor, c: number) => (m.toArray() as number[][]).map((r) => r[c]);
    for (const f of [explainedVarianceScore, meanAbsolutePercentageError, medianAbsoluteError, d2AbsoluteErrorScore]) {
      expect(f(t, p)).toBeCloseTo((f(col(t, 0), col(p, 0)) + f(col(t, 1), col(p, 1))) / 2, 14);
    }
    // scikit-learn's documented example: explained_variance_score(multioutput="uniform_average") = 0.9838…
    expect(explainedVarianceScore(t, p)).toBeCloseTo(0.9838709677419355, 14);
  });
});

describe("classificationReport", () => {
  it("formats as Python's format(x, '.Nf'): exact ties go to the even digit", () => {
    expect(fixed(0.125, 2)).toBe("0.12");
    expect(fixed(0.375, 2)).toBe("0.38");
    expect(fixed(0.5, 0)).toBe("0");
    expect(fixed(2.5, 0)).toBe("2");
    expect(fixed(1.5, 0)).toBe("2");
    expect(fixed(0.1, 20)).toBe("0.10000000000000000555");
    expect(fixed(2 / 3, 4)).toBe("0.6667");
    expect(fixed(NaN, 2)).toBe("nan");
  });

  it("is scikit-learn's text for its documented example", () => {
    // From scikit-learn 1.2.1's classification_report docstring.
    const text = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], { targetNames: ["class 0", "class 1", "class 2"] });
    expect(text).toBe(
      "              precision    recall  f1-score   support\n\n" +
        "     class 0       0.50      1.00      0.67         1\n" +
        "     class 1       0.00      0.00      0.00         1\n" +
        "     class 2       1.00      0.67      0.80         3\n\n" +
        "    accuracy                           0.60         5\n" +
        "   macro avg       0.50      0.56      0.49         5\n" +
        "weighted avg       0.70      0.60      0.61         5\n",
    );
    const dict = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], { outputDict: true });
    expect(dict.accuracy).toBe(0.6);
    expect(dict["2"]).toEqual({ precision: 1, recall: 2 / 3, "f1-score": 0.8, support: 3 });
  });
});

// ---- scikit-learn 1.2.1 table -----------------------------------------------------------------

interface Case { fn: string; yTrue: unknown[]; yPred: unknown[]; options: Record<string, unknown>; expected: unknown }
const table = JSON.parse(readFileSync(new URL("./cases/metrics-4.json", import.meta.url), "utf8")) as { source: string; cases: Case[] };
const special = (v: unknown) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
const input = (v: unknown[]) => (Array.isArray(v[0]) ? f64(v as number[][]) : (v as number[]));

function expectClose(actual: unknown, expected: unknown, path: string) {
  const e = special(expected);
  if (typeof e === "number") {
    expect(typeof actual, path).toBe("number");
    const a = actual as number;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a, path).toBe(e);
    else expect(Math.abs(a - e), `${path}: ${a} vs scikit-learn ${e}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
  } else if (typeof e === "string") {
    expect(actual, path).toBe(e);
  } else {
    const obj = e as Record<string, unknown>;
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(obj).sort());
    for (const k of Object.keys(obj)) expectClose((actual as Record<string, unknown>)[k], obj[k], `${path}.${k}`);
  }
}

describe(`scikit-learn values (${table.source})`, () => {
  it(`${table.cases.length} cases agree to 1e-12 (relative), report text exactly`, () => {
    expect(table.cases.length).toBeGreaterThan(100);
    table.cases.forEach((c, i) => {
      const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, special(v)]));
      const fn = (metrics as unknown as Record<string, (a: unknown, b: unknown, o: unknown) => unknown>)[c.fn];
      expectClose(fn(input(c.yTrue), input(c.yPred), options), c.expected, `case ${i} ${c.fn}(${JSON.stringify(c.yTrue)}, ${JSON.stringify(c.yPred)}, ${JSON.stringify(c.options)})`);
    });
  });
});

// ---- errors -----------------------------------------------------------------------------------

describe("typed errors", () => {
  it("refuse bad options and inputs, naming them", () => {
    const t = [0, 1, 1, 0];
    const p = [0, 1, 0, 0];
    expect(() => fbetaScore(t, p, {} as never)).toThrow(/options \{ beta \} are required/);
    expect(() => fbetaScore(t, p, { beta: -1 })).toThrow(/beta must be a number ≥ 0, got -1/);
    expect(() => fbetaScore(t, p, { beta: 1, betta: 2 } as never)).toThrow(/unknown option "betta"/);
    expect(() => jaccardScore([0, 1, 2], [0, 1, 2])).toThrow(/average "binary" needs at most two labels/);
    expect(() => jaccardScore(t, p, { zeroDivision: "warn" as never })).toThrow(/zeroDivision must be a number/);
    expect(() => jaccardScore([3, 4], [3, 4])).toThrow(/posLabel 1 is not one of the labels \[3,4\]/);
    expect(() => balancedAccuracy(t, p, { adjusted: "yes" as never })).toThrow(ValueError);
    expect(() => cohenKappaScore(t, p, { weights: "cubic" as never })).toThrow(/weights must be "linear", "quadratic" or null/);
    expect(() => cohenKappaScore(t, [0, 1, 5, 0], { labels: [0, 1] })).toThrow(/label 5 at index 2 of yPred is not one of the 2 labels/);
    expect(() => matthewsCorrcoef([], [])).toThrow(/no samples/);
    expect(() => matthewsCorrcoef([0, NaN], [0, 1])).toThrow(/label at index 1 is NaN/);
    expect(() => matthewsCorrcoef([0, 1], [0])).toThrow(ShapeError);
    expect(() => hammingLoss(f64([[0, 1], [1, 0]]), f64([[0, 0.7], [1, 0]]))).toThrow(/0\/1 label-indicator matrix, but holds 0.7/);
    expect(() => hammingLoss(f64([[0, 1], [1, 0]]), f64([[0, 1, 0], [1, 0, 0]]))).toThrow(ShapeError);
  });

  it("brier and hinge refuse what scikit-learn refuses", () => {
    expect(() => brierScoreLoss([0, 1, 2], [0.1, 0.2, 0.3])).toThrow(/binary yTrue expected/);
    expect(() => brierScoreLoss([0, 1], [0.1, 1.2])).toThrow(/probability 1.2 at index 1 is outside \[0, 1\]/);
    expect(() => brierScoreLoss([0, 1], [0.1, NaN])).toThrow(/holds NaN at flat index 1/);
    expect(() => brierScoreLoss([0, 1], f64([[0.1, 0.9], [0.2, 0.8]]))).toThrow(ShapeError);
    expect(() => hingeLoss([0, 1, 2], [0.1, 0.2, 0.3])).toThrow(/3 classes need decision values \[3, 3\]/);
    expect(() => hingeLoss([0, 1, 2], f64([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]))).toThrow(/pass \{ labels \} naming all 4 classes/);
    expect(() => hingeLoss([0, 1, 7], f64([[1, 2, 3], [1, 2, 3], [1, 2, 3]]), { labels: [0, 1, 2] })).toThrow(/label 7 at index 2 is not one of labels/);
    expect(() => hingeLoss([0, 1, 2], [0.1, 0.2, 0.3], { labels: [0, 1] })).toThrow(/labels name 2 classes but yTrue has 3/);
  });

  it("regression scores refuse NaN, negative log inputs and multioutput maxError", () => {
    expect(() => explainedVarianceScore([1, NaN], [1, 2])).toThrow(/yTrue holds NaN at flat index 1/);
    expect(() => medianAbsoluteError([1, 2], [1, Infinity])).toThrow(/yPred holds Infinity/);
    expect(() => meanSquaredLogError([1, -2], [1, 2])).toThrow(/yTrue holds -2 at flat index 1; the squared log error needs values ≥ 0/);
    expect(() => maxError(f64([[1, 2], [3, 4]]), f64([[1, 2], [3, 4]]))).toThrow(/multioutput \(2 outputs\) is not supported/);
    expect(() => meanAbsolutePercentageError([1, 2, 3], [1, 2])).toThrow(ShapeError);
    expect(() => d2AbsoluteErrorScore([], [])).toThrow(/no samples/);
    expect(d2AbsoluteErrorScore([1], [2])).toBeNaN();
  });

  it("classificationReport refuses mismatched targetNames, bad digits and unknown options", () => {
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ["a"] })).toThrow(/2 classes but 1 targetNames; pass labels/);
    expect(() => classificationReport([0, 1], [0, 1], { labels: [0, 1, 2], targetNames: ["a", "b"] })).toThrow(/3 classes but 2 targetNames/);
    expect(() => classificationReport([0, 1], [0, 1], { digits: 1.5 })).toThrow(/digits must be an integer ≥ 0/);
    expect(() => classificationReport([0, 1], [0, 1], { labels: [0, 0] })).toThrow(/labels has duplicates/);
    expect(() => classificationReport([0, 1], [0, 1], { output_dict: true } as never)).toThrow(/unknown option "output_dict"/);
  });
});
