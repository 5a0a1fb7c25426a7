import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import { averagePrecision, prCurve, rocAuc, rocCurve } from "../../src/metrics/index.js";
import { aucMannWhitney, apByDefinition } from "./reference.js";

const int = (v: number[]) => tensor(v, { dtype: "int32" });
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64" });

describe("ROC and PR curves (scikit-learn's documented example)", () => {
  const y = int([0, 0, 1, 1]);
  const s = f64([0.1, 0.4, 0.35, 0.8]);

  it("rocCurve starts at (0, 0) with an infinite threshold", () => {
    expect(rocCurve(y, s)).toEqual({ fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1] });
  });

  it("dropIntermediate removes only collinear points", () => {
    const full = rocCurve(int([1, 1, 1, 0]), f64([4, 3, 2, 1]), { dropIntermediate: false });
    expect(full.tpr).toEqual([0, 1 / 3, 2 / 3, 1, 1]);
    expect(rocCurve(int([1, 1, 1, 0]), f64([4, 3, 2, 1]))).toEqual({ fpr: [0, 0, 0, 1], tpr: [0, 1 / 3, 1, 1], thresholds: [Infinity, 4, 2, 1] });
  });

  it("prCurve ends at (recall 0, precision 1) with increasing thresholds", () => {
    const pr = prCurve(y, s);
    expect(pr.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
    expect(pr.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(pr.precision.map((v) => +v.toFixed(12))).toEqual([0.5, 0.666666666667, 0.5, 1, 1]);
  });

  it("rocAuc = 0.75 and averagePrecision = 0.8333…", () => {
    expect(rocAuc(y, s)).toBe(0.75);
    expect(averagePrecision(y, s)).toBeCloseTo(5 / 6, 15);
    expect(rocAuc(y, f64([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]]))).toBe(0.75);
  });

  it("ties count one half; one class alone is an error", () => {
    expect(rocAuc(int([0, 1]), f64([0.5, 0.5]))).toBe(0.5);
    expect(rocAuc(int([0, 1, 1, 0]), f64([1, 1, 2, 0]))).toBe(0.875);
    expect(() => rocAuc(int([1, 1]), f64([0.2, 0.3]))).toThrow(/only one class/);
    expect(() => rocAuc(int([2, 3]), f64([0.2, 0.3]))).toThrow(/posLabel/);
    expect(rocAuc(int([2, 3]), f64([0.2, 0.3]), { posLabel: 3 })).toBe(1);
    expect(rocAuc(int([0, 1, 0, 1, 1]), f64([-Infinity, Infinity, 0, Infinity, -Infinity]))).toBe(aucMannWhitney([0, 1, 0, 1, 1], [-Infinity, Infinity, 0, Infinity, -Infinity]));
    expect(() => rocAuc(int([0, 1]), f64([NaN, 1]))).toThrow(/NaN/);
  });
});

const scoreSets = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 60 });

describe("agreement with the independent reference (fuzzed, many ties)", () => {
  it("rocAuc equals the Mann–Whitney statistic; averagePrecision equals its definition", () => {
    fc.assert(
      fc.property(scoreSets, (pairs) => {
        const y = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1] / 6);
        fc.pre(y.includes(0) && y.includes(1));
        expect(Math.abs(rocAuc(int(y), f64(s)) - aucMannWhitney(y, s))).toBeLessThan(1e-12);
        expect(Math.abs(averagePrecision(int(y), f64(s)) - apByDefinition(y, s))).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it("rocCurve area (trapezoids) equals rocAuc whether or not intermediate points are dropped", () => {
    fc.assert(
      fc.property(scoreSets, fc.boolean(), (pairs, drop) => {
        const y = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1]);
        fc.pre(y.includes(0) && y.includes(1));
        const { fpr, tpr } = rocCurve(int(y), f64(s), { dropIntermediate: drop });
        let area = 0;
        for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
        expect(Math.abs(area - aucMannWhitney(y, s))).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it("one-vs-rest multiclass AUC is the macro / prevalence-weighted mean of per-class Mann–Whitney AUCs", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 3, maxLength: 40 }), (rows) => {
        const y = rows.map((r) => r[0]);
        fc.pre([0, 1, 2].every((c) => y.includes(c)) && y.some((c) => c !== y[0]));
        const scores = rows.map((r) => [r[1], r[2], r[3]]);
        const per = [0, 1, 2].map((c) => aucMannWhitney(y.map((v) => (v === c ? 1 : 0)), scores.map((r) => r[c])));
        const support = [0, 1, 2].map((c) => y.filter((v) => v === c).length);
        const macro = per.reduce((a, b) => a + b) / 3;
        const weighted = per.reduce((a, v, c) => a + v * support[c], 0) / y.length;
        expect(Math.abs(rocAuc(int(y), f64(scores)) - macro)).toBeLessThan(1e-12);
        expect(Math.abs(rocAuc(int(y), f64(scores), { average: "weighted" }) - weighted)).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects a class with no samples in one-vs-rest", () => {
    expect(() => rocAuc(int([0, 1, 1]), f64([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))).toThrow(ValueError);
  });
});
