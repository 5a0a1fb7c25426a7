// Differential sweep of metrics and folds against scikit-learn 1.2: each case failed before its fix.
import { describe, expect, it } from "vitest";
import { Tensor, ValueError } from "../../src/index.js";
import { accuracy, averagePrecision, confusionMatrix, logLoss, precisionRecallF1, prCurve, r2, rocAuc, rocCurve } from "../../src/metrics/index.js";
import { stratifiedKFold } from "../../src/select/index.js";

const matrix = (rows: number[][]) => new Tensor(Float64Array.from(rows.flat()), "float64", [rows.length, rows[0].length]);

describe("[n, 2] probabilities with posLabel: the positive class's column", () => {
  const y = [0, 1, 1, 0, 1];
  const probs = [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6], [0.1, 0.9]];
  const classZero = probs.map((r) => r[0]);

  it("rocAuc and averagePrecision score class 0 with column 0", () => {
    // scikit-learn 1.2: roc_auc_score(y == 0, p[:, 0]) = 0.8333…, average_precision_score(y, p[:, 0], pos_label=0) = 0.8333…
    expect(rocAuc(y, matrix(probs), { posLabel: 0 })).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision(y, matrix(probs), { posLabel: 0 })).toBeCloseTo(5 / 6, 12);
    // Labels −1/+1: column 0 is class −1.
    const signed = y.map((v) => 2 * v - 1);
    expect(rocAuc(signed, matrix(probs), { posLabel: -1 })).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision(signed, matrix(probs), { posLabel: -1 })).toBeCloseTo(5 / 6, 12);
    // The default positive class is still column 1.
    expect(rocAuc(y, matrix(probs))).toBe(rocAuc(y, probs.map((r) => r[1])));
  });

  it("rocCurve and prCurve equal the curves of column 0 alone", () => {
    const roc = rocCurve(y, matrix(probs), { posLabel: 0 });
    // scikit-learn 1.2 roc_curve(y, p[:, 0], pos_label=0): fpr [0,0,⅓,⅓,1], tpr [0,½,½,1,1], thresholds (after the first) [0.8,0.6,0.4,0.1]
    expect(roc.fpr).toEqual([0, 0, 1 / 3, 1 / 3, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds.slice(1)).toEqual([0.8, 0.6, 0.4, 0.1]);
    expect(rocCurve(y, matrix(probs), { posLabel: 0 })).toEqual(rocCurve(y, classZero, { posLabel: 0 }));
    const pr = prCurve(y, matrix(probs), { posLabel: 0 });
    // scikit-learn 1.2 precision_recall_curve(y, p[:, 0], pos_label=0)
    expect(pr.thresholds).toEqual([0.1, 0.3, 0.4, 0.6, 0.8]);
    expect(pr.recall).toEqual([1, 1, 1, 0.5, 0.5, 0]);
    pr.precision.forEach((p, i) => expect(p).toBeCloseTo([0.4, 0.5, 2 / 3, 0.5, 1, 1][i], 12));
  });
});

describe("rocAuc and averagePrecision options", () => {
  const y = [0, 1, 2, 1];
  const scores = matrix([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]);

  it("refuse posLabel for multiclass scores (one-vs-rest makes every class positive in turn)", () => {
    for (const metric of [rocAuc, averagePrecision]) {
      expect(() => metric(y, scores, { posLabel: 2 })).toThrow(ValueError);
      expect(() => metric(y, scores, { posLabel: 2 })).toThrow(/posLabel applies to binary scores/);
      expect(metric(y, scores)).toBeGreaterThan(0);
    }
  });

  it("check average and multiClass for binary scores too", () => {
    expect(() => rocAuc([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.6], { average: "micro" as never })).toThrow(/average must be "macro" or "weighted"/);
    expect(() => averagePrecision([0, 1, 0, 1], [0.1, 0.9, 0.4, 0.6], { multiClass: "ovo" as never })).toThrow(/multiClass must be "ovr"/);
  });

  it("rocCurve refuses a dropIntermediate that is not a boolean (the string \"false\" was read as true)", () => {
    expect(() => rocCurve([0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8], { dropIntermediate: "false" as never })).toThrow(/dropIntermediate must be true or false/);
    // scikit-learn 1.2 roc_curve([0,1,0,1], [.1,.4,.35,.8], drop_intermediate=False): fpr [0,0,0,½,1], tpr [0,½,1,1,1]
    const full = rocCurve([0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8], { dropIntermediate: false });
    expect(full.fpr).toEqual([0, 0, 0, 0.5, 1]);
    expect(full.tpr).toEqual([0, 0.5, 1, 1, 1]);
  });
});

describe("precisionRecallF1", () => {
  it("weighted average over labels absent from yTrue but predicted: precision and F1 are 0, recall is zeroDivision", () => {
    // scikit-learn 1.2: precision_recall_fscore_support([0,0], [1,1], labels=[1], average="weighted", zero_division=1) = (0, 1, 0)
    expect(precisionRecallF1([0, 0], [1, 1], { labels: [1], average: "weighted", zeroDivision: 1 })).toEqual({ precision: 0, recall: 1, f1: 0 });
    // … labels=[1, 3] on [0,0,2] / [1,1,2]: the same
    expect(precisionRecallF1([0, 0, 2], [1, 1, 2], { labels: [1, 3], average: "weighted", zeroDivision: 1 })).toEqual({ precision: 0, recall: 1, f1: 0 });
    // … zero_division=0: (0, 0, 0); and with nothing predicted either, every value is zero_division
    expect(precisionRecallF1([0, 0], [1, 1], { labels: [1], average: "weighted", zeroDivision: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1([0, 0], [1, 1], { labels: [2], average: "weighted", zeroDivision: 1 })).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it("refuses a zeroDivision that is not a number in [0, 1]", () => {
    for (const zeroDivision of ["warn", "1", 2, -1]) {
      expect(() => precisionRecallF1([0, 0], [1, 1], { zeroDivision: zeroDivision as never })).toThrow(ValueError);
      expect(() => precisionRecallF1([0, 0], [1, 1], { zeroDivision: zeroDivision as never })).toThrow(/zeroDivision must be a number in \[0, 1\]/);
    }
    expect(precisionRecallF1([0, 0], [1, 1], { zeroDivision: NaN }).recall).toBeNaN();
  });

  it("refuses posLabel with a multiclass average and labels with the binary one (they would be ignored)", () => {
    expect(() => precisionRecallF1([0, 1, 1], [0, 1, 0], { average: "macro", posLabel: 0 })).toThrow(/posLabel applies to average "binary" only/);
    expect(() => precisionRecallF1([0, 1, 1], [0, 1, 0], { labels: [0] })).toThrow(/labels applies to average "macro", "micro" or "weighted"/);
  });
});

describe("NaN labels", () => {
  it("are refused by every classification metric, as scikit-learn (\"Input contains NaN\")", () => {
    const withNaN = [0, NaN, 1];
    // Before: precisionRecallF1 scored NaN as a class of its own (1, 1, 1); accuracy counted it a miss.
    expect(() => precisionRecallF1(withNaN, withNaN, { average: "macro" })).toThrow(/precisionRecallF1: label at index 1 is NaN/);
    expect(() => accuracy(withNaN, [0, 1, 1])).toThrow(/accuracy: label at index 1 is NaN/);
    expect(() => accuracy([0, 1, 1], withNaN)).toThrow(ValueError);
    expect(() => confusionMatrix(withNaN, [0, 1, 1])).toThrow(ValueError);
    expect(() => rocAuc(withNaN, [0.1, 0.2, 0.3])).toThrow(/label at index 1 is NaN/);
    expect(() => logLoss(withNaN, [0.1, 0.2, 0.3])).toThrow(/label at index 1 is NaN/);
  });
});

describe("stratifiedKFold without shuffling equals scikit-learn's StratifiedKFold", () => {
  // scikit-learn 1.2: [test for _, test in StratifiedKFold(k).split(X, y)]
  const cases: [number[], number, number[][]][] = [
    [[2, 2, 0, 1, 0, 2, 1, 0, 2, 2, 1], 3, [[0, 1, 2, 3], [4, 5, 6, 8], [7, 9, 10]]],
    [[1, 0, 0, 1, 1, 0, 0], 3, [[0, 1, 2], [3, 5], [4, 6]]],
    [[3, 3, 3, 1, 1, 2, 2, 2, 2, 1, 3], 4, [[0, 3, 5], [1, 4, 6], [2, 7, 9], [8, 10]]],
    [[0, 0, 1, 1], 2, [[0, 2], [1, 3]]],
  ];
  for (const [y, k, want] of cases) {
    it(`y = [${y}], k = ${k}`, () => {
      expect(stratifiedKFold(y, { k }).map((f) => f.validation)).toEqual(want);
    });
  }
});

describe("r2", () => {
  it("is NaN for a single row, which has no variance to explain", () => {
    // scikit-learn 1.2: r2_score([1.0], [2.0]) = nan (with a warning)
    expect(r2([1], [2])).toBeNaN();
    expect(r2(matrix([[1, 2]]), matrix([[1, 2]]))).toBeNaN();
    // Two rows with a constant target keep the force_finite rule: 1 if exact, else 0.
    expect(r2([1, 1], [1, 1])).toBe(1);
    expect(r2([1, 1], [1, 2])).toBe(0);
  });
});
