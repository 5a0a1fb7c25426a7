import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import { accuracy, confusionMatrix, f1Score, logLoss, precisionRecallF1, topKAccuracy } from "../../src/metrics/index.js";
import { f1FromConfusion } from "./reference.js";

const int = (v: number[]) => tensor(v, { dtype: "int32" });

describe("accuracy and topKAccuracy", () => {
  it("counts matches; [n, k] predictions are argmaxed", () => {
    expect(accuracy(int([0, 1, 2, 1]), int([0, 2, 2, 1]))).toBe(0.75);
    expect(accuracy(int([1, 0]), tensor([[0.1, 0.9], [0.2, 0.8]]))).toBe(0.5);
    expect(accuracy([1, 0], [1, 0])).toBe(1);
    expect(() => accuracy(int([1]), int([1, 0]))).toThrow(ShapeError);
    expect(() => accuracy(int([]), int([]))).toThrow(ValueError);
  });

  it("top-k matches scikit-learn's documented example, ties count as hits", () => {
    const scores = tensor([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]]);
    expect(topKAccuracy(int([0, 1, 2, 2]), scores, { k: 2 })).toBe(0.75);
    expect(topKAccuracy(int([0, 1, 2, 2]), scores, { k: 1 })).toBe(0.5);
    expect(topKAccuracy(int([1]), tensor([[0.5, 0.5, 0.5]]), { k: 1 })).toBe(1);
    expect(topKAccuracy(int([2]), tensor([[0.5, 0.5, 0.1]]), { k: 3 })).toBe(1);
  });
});

describe("confusionMatrix", () => {
  it("rows are true labels, columns predictions (scikit-learn's example)", () => {
    const cm = confusionMatrix(int([2, 0, 2, 2, 0, 1]), int([0, 0, 2, 2, 0, 2]));
    expect([cm.dtype, cm.toArray()]).toEqual(["int32", [[2, 0, 0], [0, 0, 1], [1, 0, 2]]]);
  });

  it("keeps rows for classes never seen, normalizes on request", () => {
    expect(confusionMatrix(int([0, 0]), int([0, 1]), { numClasses: 3 }).toArray()).toEqual([[1, 1, 0], [0, 0, 0], [0, 0, 0]]);
    expect(confusionMatrix(int([0, 0, 1]), int([0, 1, 1]), { normalize: "true" }).toArray()).toEqual([[0.5, 0.5], [0, 1]]);
    expect(confusionMatrix([-1, 1], [1, 1]).toArray()).toEqual([[0, 1], [0, 1]]);
    expect(() => confusionMatrix(int([0, 3]), int([0, 1]), { numClasses: 3 })).toThrow(ValueError);
  });
});

describe("precisionRecallF1", () => {
  const t = [0, 1, 2, 0, 1, 2];
  const p = [0, 2, 1, 0, 0, 1];

  it("matches scikit-learn's documented example for each average", () => {
    const macro = precisionRecallF1(int(t), int(p), { average: "macro" });
    expect(macro.precision).toBeCloseTo(2 / 9, 15);
    expect(macro.recall).toBeCloseTo(1 / 3, 15);
    expect(macro.f1).toBeCloseTo(4 / 15, 15);
    const micro = precisionRecallF1(int(t), int(p), { average: "micro" });
    expect([micro.precision, micro.recall, micro.f1].map((v) => v.toFixed(12))).toEqual(new Array(3).fill((1 / 3).toFixed(12)));
    const weighted = precisionRecallF1(int(t), int(p), { average: "weighted" });
    expect(weighted.f1).toBeCloseTo(4 / 15, 15);
  });

  it("binary scores the positive class and refuses more than two labels", () => {
    // tp = 2, fp = 1, fn = 2
    const r = precisionRecallF1(int([1, 1, 1, 1, 0, 0]), int([1, 1, 0, 0, 1, 0]));
    expect(r.precision).toBeCloseTo(2 / 3, 15);
    expect(r.recall).toBeCloseTo(0.5, 15);
    expect(r.f1).toBeCloseTo(4 / 7, 15);
    expect(precisionRecallF1(int([1, 0]), int([1, 0]), { posLabel: 0 }).precision).toBe(1);
    expect(() => precisionRecallF1(int(t), int(p))).toThrow(/use average "macro"/);
    expect(precisionRecallF1(int([0, 0]), int([0, 0])).f1).toBe(0);
    expect(precisionRecallF1(int([0, 0]), int([0, 0]), { zeroDivision: 1 }).f1).toBe(1);
  });

  it("F1 equals the one computed from the confusion matrix (fuzzed against a reference)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        const yt = pairs.map((q) => q[0]);
        const yp = pairs.map((q) => q[1]);
        for (const average of ["macro", "weighted", "micro"] as const) {
          expect(Math.abs(f1Score(int(yt), int(yp), { average }) - f1FromConfusion(yt, yp, average))).toBeLessThan(1e-12);
        }
        const acc = accuracy(int(yt), int(yp));
        expect(Math.abs(precisionRecallF1(int(yt), int(yp), { average: "micro" }).recall - acc)).toBeLessThan(1e-12);
      }),
    );
  });
});

describe("logLoss", () => {
  it("matches scikit-learn's documented example and clips certainty", () => {
    const probs = tensor([[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]], { dtype: "float64" });
    const expected = -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4;
    expect(logLoss(int([1, 0, 0, 1]), probs)).toBeCloseTo(expected, 14);
    expect(logLoss(int([1, 0, 0, 1]), tensor([0.9, 0.1, 0.2, 0.65], { dtype: "float64" }))).toBeCloseTo(expected, 14);
    expect(logLoss(int([1]), tensor([0]))).toBeCloseTo(-Math.log(1e-15), 10);
    expect(() => logLoss(int([2]), tensor([[0.5, 0.5]]))).toThrow(ValueError);
  });
});
