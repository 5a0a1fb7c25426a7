import { ValueError } from "../errors.js";
import { colSum, rowSum, tally } from "./classification.js";
import { distinct, labelsOf, type Values } from "./inputs.js";

export type Average = "binary" | "macro" | "micro" | "weighted";

export interface PrfOptions {
  /**
   * binary (default): scores of `posLabel` alone, at most two labels allowed; macro: unweighted
   * mean of per-class scores; weighted: mean weighted by each class's true count; micro: scores
   * of the pooled counts (for single-label data all three equal accuracy).
   */
  average?: Average;
  /** The positive class for average "binary" (default 1). */
  posLabel?: number;
  /** Classes to score (default: every label in yTrue or yPred), as scikit-learn's `labels`. */
  labels?: readonly number[];
  /** Value of a ratio whose denominator is 0 (no predictions / no members of a class); default 0. */
  zeroDivision?: number;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 from the confusion matrix, with scikit-learn's averages. Macro and
 * weighted F1 average the per-class F1 scores (not the F1 of averaged precision and recall).
 */
export function precisionRecallF1(yTrue: Values, yPred: Values, o: PrfOptions = {}): Prf {
  const where = "precisionRecallF1";
  const average = o.average ?? "binary";
  if (!["binary", "macro", "micro", "weighted"].includes(average)) throw new ValueError(`${where}: unknown average ${JSON.stringify(average)}`);
  const zd = o.zeroDivision ?? 0;
  const seen = distinct(labelsOf(yTrue, where), labelsOf(yPred, where));
  // The matrix covers every label seen, so no sample is dropped; scoring then picks `labels`.
  const all = distinct(seen, o.labels ?? []);
  const { counts } = tally(yTrue, yPred, where, all);
  const k = all.length;
  const tp = all.map((_, i) => counts[i * k + i]);
  const predicted = all.map((_, i) => colSum(counts, k, i));
  const actual = all.map((_, i) => rowSum(counts, k, i));
  const ratio = (a: number, b: number) => (b === 0 ? zd : a / b);
  // F1 = 2tp / (2tp + fp + fn) = 2tp / (predicted + actual): defined even when precision or
  // recall alone is 0/0 (scikit-learn ≥ 1.3 computes it this way too).
  const f1Of = (tpi: number, pred: number, act: number) => (pred + act === 0 ? zd : (2 * tpi) / (pred + act));

  let scored: number[];
  if (average === "binary") {
    const pos = o.posLabel ?? 1;
    if (seen.length > 2) {
      throw new ValueError(`${where}: average "binary" needs at most two labels, got [${seen}]; use average "macro", "micro" or "weighted"`);
    }
    if (seen.length === 2 && !seen.includes(pos)) throw new ValueError(`${where}: posLabel ${pos} is not one of the labels [${seen}]`);
    scored = [all.indexOf(pos)].filter((i) => i >= 0);
    if (scored.length === 0) return { precision: zd, recall: zd, f1: zd };
  } else {
    const wanted = o.labels ?? seen;
    scored = wanted.map((l) => all.indexOf(l));
  }

  if (average === "micro") {
    const sum = (a: number[]) => scored.reduce((s, i) => s + a[i], 0);
    const [t, p, a] = [sum(tp), sum(predicted), sum(actual)];
    return { precision: ratio(t, p), recall: ratio(t, a), f1: f1Of(t, p, a) };
  }
  const per = scored.map((i) => {
    const p = ratio(tp[i], predicted[i]);
    const r = ratio(tp[i], actual[i]);
    return { p, r, f: f1Of(tp[i], predicted[i], actual[i]), w: actual[i] };
  });
  const weights = average === "weighted" ? per.map((c) => c.w) : per.map(() => 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = (key: "p" | "r" | "f") => (total === 0 ? zd : per.reduce((s, c, i) => s + c[key] * weights[i], 0) / total);
  return { precision: mean("p"), recall: mean("r"), f1: mean("f") };
}

/** F1 alone: precisionRecallF1(...).f1. */
export function f1Score(yTrue: Values, yPred: Values, o: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, o).f1;
}
