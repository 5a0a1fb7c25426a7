// Metrics size their work by the classes they find in the labels: a stray label must be a typed
// error naming it, never a k² allocation that takes the process down.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import {
  accuracy, averagePrecision, confusionMatrix, f1Score, logLoss, prCurve, precisionRecallF1, rocAuc, rocCurve, topKAccuracy,
} from "../../src/metrics/index.js";
import { MAX_CONFUSION_CLASSES } from "../../src/metrics/classification.js";

const int = (v: number[]) => tensor(v, { dtype: "int32" });

describe("confusionMatrix bounds its class count", () => {
  it("a stray label beyond the cap is a ValueError naming the label, its index and the cap", () => {
    expect(() => confusionMatrix([0, 1, 30000], [0, 1, 1])).toThrow(ValueError);
    expect(() => confusionMatrix([0, 1, 30000], [0, 1, 1])).toThrow(/label 30000 at index 2 of yTrue makes 30001 classes, more than the 4096/);
    expect(() => confusionMatrix(int([0, 1]), int([2 ** 31 - 1, 0]))).toThrow(/label 2147483647 at index 0 of yPred/);
    // Non-integer labels count as distinct values: too many of them is refused the same way.
    const many = Array.from({ length: MAX_CONFUSION_CLASSES + 1 }, (_, i) => i + 0.5);
    expect(() => confusionMatrix(many, many)).toThrow(/more than the 4096/);
  });

  it("the cap itself is allowed, and labels names sparse classes without a k² matrix", () => {
    const k = MAX_CONFUSION_CLASSES;
    const cm = confusionMatrix([k - 1, 0], [k - 1, 0]);
    expect(cm.shape).toEqual([k, k]);
    expect([cm.data[(k - 1) * k + k - 1], cm.data[0]]).toEqual([1, 1]);
    expect(confusionMatrix([0, 1, 30000], [0, 1, 1], { labels: [0, 1, 30000] }).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 0]]);
  });

  it("numClasses bounds the labels: a label at or past it, or a numClasses past the cap, is a ValueError", () => {
    expect(confusionMatrix([0, 1], [1, 1], { numClasses: 3 }).toArray()).toEqual([[0, 1, 0], [0, 1, 0], [0, 0, 0]]);
    expect(() => confusionMatrix([0, 1, 3], [0, 1, 1], { numClasses: 3 })).toThrow(/label 3 at index 2 of yTrue is not an integer in \[0, 3\)/);
    expect(() => confusionMatrix([0, 1], [0, 1.5], { numClasses: 3 })).toThrow(/label 1.5 at index 1 of yPred/);
    expect(() => confusionMatrix([0], [0], { numClasses: MAX_CONFUSION_CLASSES + 1 })).toThrow(/numClasses must be an integer in \[1, 4096\], got 4097/);
    expect(() => confusionMatrix([0], [0], { numClasses: 0 })).toThrow(ValueError);
    expect(() => confusionMatrix([0], [0], { numClasses: 2, labels: [0, 1] })).toThrow(/labels or numClasses, not both/);
    expect(() => confusionMatrix([0], [0], { labels: Array.from({ length: MAX_CONFUSION_CLASSES + 1 }, (_, i) => i) })).toThrow(/4097 labels/);
  });

  it("unknown option keys and bad normalize values are ValueErrors", () => {
    expect(() => confusionMatrix([0], [0], { numClass: 3 } as never)).toThrow(/unknown option "numClass"/);
    expect(() => confusionMatrix([0], [0], { normalize: "rows" as never })).toThrow(/normalize must be/);
  });

  it("a label missing from labels names the label, its index and which side it is on", () => {
    expect(() => confusionMatrix([0, 1], [0, 2], { labels: [0, 1] })).toThrow(/label 2 at index 1 of yPred is not one of the 2 labels/);
  });

  it("counts equal a direct tally for any labels within the cap (fuzzed)", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(6), fc.nat(6)), { minLength: 1, maxLength: 40 }), (pairs) => {
      const t = pairs.map((q) => q[0]), p = pairs.map((q) => q[1]);
      const k = Math.max(...t, ...p) + 1;
      const expected = Array.from({ length: k }, () => new Array(k).fill(0));
      for (const [a, b] of pairs) expected[a][b]++;
      expect(confusionMatrix(t, p).toArray()).toEqual(expected);
    }));
  });
});

describe("other metrics with large or many labels", () => {
  it("precisionRecallF1 with thirty thousand distinct labels counts per class, not per pair of classes", () => {
    // 30 000 distinct labels: a k×k matrix of counts would take 7.2 GB; per-class counts take 720 KB.
    const n = 20_000;
    const t = Int32Array.from({ length: n }, (_, i) => 2 * i);
    const p = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 2 * i : 2 * i + 1));
    const r = precisionRecallF1(t, p, { average: "micro" });
    expect(r.precision).toBe(0.5);
    // macro over the 30 000 labels seen: the n/2 classes predicted right score F1 1, the rest 0.
    expect(f1Score(t, p, { average: "macro" })).toBeCloseTo((n / 2) / (2 * n - n / 2), 12);
  });

  it("huge label values are fine where nothing is sized by them", () => {
    expect(accuracy([2 ** 30, 1], [2 ** 30, 0])).toBe(0.5);
    expect(precisionRecallF1([2 ** 30, 0], [2 ** 30, 0], { average: "macro" }).f1).toBe(1);
  });

  it("metrics sized by the score columns refuse labels outside them", () => {
    const scores = tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]]);
    expect(() => rocAuc([0, 1, 30000], scores)).toThrow(/label 30000 is not a column of scores \[3,3\]/);
    expect(() => averagePrecision([0, 1, 30000], scores)).toThrow(ValueError);
    expect(() => topKAccuracy([0, 1, 30000], scores, { k: 1 })).toThrow(/label 30000 at index 2/);
    expect(() => logLoss([0, 1, 30000], scores)).toThrow(/label 30000 at index 2/);
  });

  it("a binary curve given many labels lists only a few of them in its error", () => {
    const y = Array.from({ length: 1000 }, (_, i) => i);
    const s = y.map((i) => i / 1000);
    let message = "";
    try { rocCurve(y, s); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/binary yTrue expected, got labels \[0,1,2,3,4,5,6,7, … 992 more\]/);
    expect(() => precisionRecallF1(y, y)).toThrow(/… 992 more/);
  });

  it("every metric refuses unknown option keys", () => {
    const y = [0, 1, 1, 0], s = [0.1, 0.9, 0.8, 0.3];
    const bad = { nope: 1 } as never;
    for (const call of [
      () => precisionRecallF1(y, y, bad), () => rocAuc(y, s, bad), () => averagePrecision(y, s, bad),
      () => rocCurve(y, s, bad), () => prCurve(y, s, bad), () => logLoss(y, s, bad), () => topKAccuracy(y, tensor([[1, 0], [0, 1], [0, 1], [1, 0]]), bad),
    ]) {
      expect(call).toThrow(/unknown option "nope"/);
    }
    expect(() => logLoss(y, s, { eps: 0 })).toThrow(/eps must be in/);
    expect(() => rocAuc(y, tensor([[1, 2, 3]]))).toThrow(ShapeError);
  });
});
