import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkLengths, distinct, labelsOf, shortList, type Values } from "./inputs.js";

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
  /**
   * Value of a ratio whose denominator is 0 (no predictions / no members of a class): a number in
   * [0, 1] or NaN; default 0.
   */
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
  checkOptions(where, o, ["average", "posLabel", "labels", "zeroDivision"]);
  const average = o.average ?? "binary";
  if (!["binary", "macro", "micro", "weighted"].includes(average)) throw new ValueError(`${where}: unknown average ${JSON.stringify(average)}`);
  const zd = o.zeroDivision ?? 0;
  // typeof first: "warn" (scikit-learn's default) or "1" would otherwise be returned as a score.
  if (typeof zd !== "number" || zd < 0 || zd > 1) throw new ValueError(`${where}: zeroDivision must be a number in [0, 1] (or NaN), got ${JSON.stringify(zd)}`);
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  checkLengths(t, p, where);
  const seen = distinct(t, p);
  if (o.labels !== undefined && !Array.isArray(o.labels)) throw new ValueError(`${where}: labels must be an array of numbers`);
  // Each applies to one kind of average only; elsewhere it would be ignored.
  if (average === "binary" && o.labels !== undefined) throw new ValueError(`${where}: labels applies to average "macro", "micro" or "weighted"; average "binary" scores posLabel alone`);
  if (average !== "binary" && o.posLabel !== undefined) throw new ValueError(`${where}: posLabel applies to average "binary" only, not ${JSON.stringify(average)}`);
  // Per-class counts over every label seen (no k×k matrix: memory grows with the classes, not
  // their square), so no sample is dropped; scoring then picks `labels`.
  const all = distinct(seen, o.labels ?? []);
  const { tp, predicted, actual } = classCounts(t, p, all);
  const ratio = (a: number, b: number) => (b === 0 ? zd : a / b);
  // F1 = 2tp / (2tp + fp + fn) = 2tp / (predicted + actual): defined even when precision or
  // recall alone is 0/0 (scikit-learn ≥ 1.3 computes it this way too).
  const f1Of = (tpi: number, pred: number, act: number) => (pred + act === 0 ? zd : (2 * tpi) / (pred + act));

  let scored: number[];
  if (average === "binary") {
    const pos = o.posLabel ?? 1;
    if (seen.length > 2) {
      throw new ValueError(`${where}: average "binary" needs at most two labels, got [${shortList(seen)}]; use average "macro", "micro" or "weighted"`);
    }
    if (seen.length === 2 && !seen.includes(pos)) throw new ValueError(`${where}: posLabel ${pos} is not one of the labels [${shortList(seen)}]`);
    scored = [all.indexOf(pos)].filter((i) => i >= 0);
    if (scored.length === 0) return { precision: zd, recall: zd, f1: zd };
  } else {
    const position = new Map(all.map((l, i) => [l, i]));
    scored = (o.labels ?? seen).map((l) => position.get(l)!);
  }

  if (average === "micro") {
    const sum = (a: Float64Array) => scored.reduce((s, i) => s + a[i], 0);
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
  // No true member of any scored class, but some predicted: those predictions are all wrong, so
  // precision and F1 are 0 (only recall is 0/0), as scikit-learn.
  if (total === 0 && scored.some((i) => predicted[i] > 0)) return { precision: 0, recall: zd, f1: 0 };
  const mean = (key: "p" | "r" | "f") => (total === 0 ? zd : per.reduce((s, c, i) => s + c[key] * weights[i], 0) / total);
  return { precision: mean("p"), recall: mean("r"), f1: mean("f") };
}

/** F1 alone: precisionRecallF1(...).f1. */
export function f1Score(yTrue: Values, yPred: Values, o: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, o).f1;
}

/** True positives, predicted and actual counts per class of `labels` (every label of t and p is in it). */
function classCounts(t: ArrayLike<number>, p: ArrayLike<number>, labels: number[]) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const tp = new Float64Array(k), predicted = new Float64Array(k), actual = new Float64Array(k);
  for (let i = 0; i < t.length; i++) {
    const r = index.get(t[i])!;
    const c = index.get(p[i])!;
    actual[r]++;
    predicted[c]++;
    if (r === c) tp[r]++;
  }
  return { tp, predicted, actual };
}
