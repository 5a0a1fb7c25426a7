// Set-wise classification scores from per-class counts (true positives, predicted, actual):
// precision, recall, F-beta and Jaccard, with scikit-learn's binary/macro/micro/weighted averages.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkLengths, distinct, labelsOf, shortList, type Values } from "./inputs.js";
import { indicators, type Indicators } from "./multilabel.js";
import { sampleWeights } from "./weights.js";

export type Average = "binary" | "macro" | "micro" | "weighted" | "samples";

export interface PrfOptions {
  /**
   * binary (default): scores of `posLabel` alone, at most two labels allowed; macro: unweighted
   * mean of per-class scores; weighted: mean weighted by each class's true count; micro: scores
   * of the pooled counts (for single-label data all three equal accuracy); samples (multilabel
   * only): the mean over samples of each sample's scores over its labels.
   */
  average?: Average;
  /** The positive class for average "binary" (default 1). */
  posLabel?: number;
  /** Classes to score (default: every label in yTrue or yPred; multilabel: column indices, default all), as scikit-learn's `labels`. */
  labels?: readonly number[];
  /**
   * Value of a ratio whose denominator is 0 (no predictions / no members of a class): a number in
   * [0, 1] or NaN; default 0.
   */
  zeroDivision?: number;
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight): counts become sums of weights. */
  sampleWeight?: Values;
}

export interface FbetaOptions extends PrfOptions {
  /** Weight of recall against precision, ≥ 0 (required, as in scikit-learn): 0 is precision, Infinity recall. */
  beta: number;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

/** One class's score from its counts: true positives, predicted and actual members; zd for 0/0. */
type CountScore = (tp: number, predicted: number, actual: number, zd: number) => number;

const precisionOf: CountScore = (tp, pred, _act, zd) => (pred === 0 ? zd : tp / pred);
const recallOf: CountScore = (tp, _pred, act, zd) => (act === 0 ? zd : tp / act);
const jaccardOf: CountScore = (tp, pred, act, zd) => (pred + act - tp === 0 ? zd : tp / (pred + act - tp));

/**
 * F-beta as scikit-learn 1.2 evaluates it, (1+β²)·P·R / (β²P + R) with P and R set to
 * zeroDivision where they are 0/0 and a 0 denominator read as 1: a class with no true positives
 * scores 0, or zeroDivision when it is neither true nor predicted. Algebraically it is
 * (1+β²)·tp / (β²·actual + predicted), but that form rounds differently (0.75 exactly where
 * scikit-learn has 0.7499…), which classificationReport's text would print as 0.8, not 0.7.
 * A NaN zeroDivision (not in scikit-learn 1.2) keeps the count form, so only 0/0 classes are NaN.
 */
function fbetaOf(beta: number): CountScore {
  if (beta === Infinity) return recallOf;
  const b2 = beta * beta;
  return (tp, pred, act, zd) => {
    if (Number.isNaN(zd)) return tp === 0 ? (pred === 0 && act === 0 ? zd : 0) : ((1 + b2) * tp) / (b2 * act + pred);
    const p = precisionOf(tp, pred, act, zd);
    const r = recallOf(tp, pred, act, zd);
    const denom = b2 * p + r;
    return ((1 + b2) * p * r) / (denom === 0 ? 1 : denom);
  };
}

/** The validated options and counts of one set-wise metric call. */
interface SetWise {
  average: Average;
  zd: number;
  /** Indices into the counts of the classes scored, in `labels` order (empty: binary posLabel absent). */
  scored: number[];
  tp: Float64Array;
  predicted: Float64Array;
  actual: Float64Array;
  /** Multilabel only: each sample's counts over the scored columns (unweighted) and the sample weights. */
  perSample?: { tp: Float64Array; predicted: Float64Array; actual: Float64Array; w: Float64Array | null };
}

/** Options checked (keys beyond PrfOptions' are the caller's) and per-class counts over every label seen. */
function setWise(where: string, yTrue: Values, yPred: Values, o: PrfOptions, extraKeys: readonly string[] = []): SetWise {
  checkOptions(where, o, ["average", "posLabel", "labels", "zeroDivision", "sampleWeight", ...extraKeys]);
  // null is scikit-learn's average=None (per-class scores): refused, not read as the default "binary".
  const average = o.average === undefined ? "binary" : o.average;
  if (average === null) throw new ValueError(`${where}: average null (per-class scores) is not supported; classificationReport(yTrue, yPred, { outputDict: true }) gives them`);
  if (!["binary", "macro", "micro", "weighted", "samples"].includes(average)) throw new ValueError(`${where}: unknown average ${JSON.stringify(average)}`);
  const zd = zeroDivisionOf(where, o.zeroDivision);
  // Empty, no class is scored: scikit-learn averages nothing (NaN for macro, 0 for micro and weighted).
  if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.length === 0)) throw new ValueError(`${where}: labels must be a non-empty array of numbers`);
  // Each applies to one kind of average only; elsewhere it would be ignored.
  if (average === "binary" && o.labels !== undefined) throw new ValueError(`${where}: labels applies to average "macro", "micro" or "weighted" (or "samples", multilabel); average "binary" scores posLabel alone`);
  if (average !== "binary" && o.posLabel !== undefined) throw new ValueError(`${where}: posLabel applies to average "binary" only, not ${JSON.stringify(average)}`);
  const m = indicators(yTrue, yPred, where);
  if (m !== null) return multilabelSetWise(where, m, o, average, zd);
  if (average === "samples") throw new ValueError(`${where}: average "samples" applies to multilabel targets only (yTrue and yPred both 0/1 [n, k] indicator matrices)`);
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const w = sampleWeights(where, o.sampleWeight, checkLengths(t, p, where));
  const seen = distinct(t, p);
  // Per-class counts over every label seen (no k×k matrix: memory grows with the classes, not
  // their square), so no sample is dropped; scoring then picks `labels`.
  const all = distinct(seen, o.labels ?? []);
  const { tp, predicted, actual } = classCounts(t, p, all, w);
  let scored: number[];
  if (average === "binary") {
    const pos = o.posLabel ?? 1;
    if (seen.length > 2) {
      throw new ValueError(`${where}: average "binary" needs at most two labels, got [${shortList(seen)}]; use average "macro", "micro" or "weighted"`);
    }
    if (seen.length === 2 && !seen.includes(pos)) throw new ValueError(`${where}: posLabel ${pos} is not one of the labels [${shortList(seen)}]`);
    scored = [all.indexOf(pos)].filter((i) => i >= 0);
  } else {
    const position = new Map(all.map((l, i) => [l, i]));
    scored = (o.labels ?? seen).map((l) => position.get(l)!);
  }
  return { average, zd, scored, tp, predicted, actual };
}

/**
 * Counts of two [n, k] indicator matrices: per column (label) for macro, micro and weighted, and
 * per sample over the scored columns for "samples". Every column is a label, even one that is
 * all 0 in both (as scikit-learn); `labels` picks columns by index.
 */
function multilabelSetWise(where: string, m: Indicators, o: PrfOptions, average: Average, zd: number): SetWise {
  const { n, k, t, p } = m;
  if (average === "binary") {
    throw new ValueError(`${where}: yTrue and yPred are multilabel indicator matrices [${n}, ${k}]; average "binary" does not apply, use "macro", "micro", "weighted" or "samples"`);
  }
  const w = sampleWeights(where, o.sampleWeight, n);
  if (o.labels !== undefined) {
    const bad = o.labels.find((l) => !Number.isInteger(l) || l < 0 || l >= k);
    if (bad !== undefined) throw new ValueError(`${where}: label ${bad} is not a column of the multilabel matrices [${n}, ${k}]`);
  }
  const scored = o.labels === undefined ? Array.from({ length: k }, (_, c) => c) : [...o.labels];
  const tp = new Float64Array(k), predicted = new Float64Array(k), actual = new Float64Array(k);
  const perSample = { tp: new Float64Array(n), predicted: new Float64Array(n), actual: new Float64Array(n), w };
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    for (let c = 0; c < k; c++) {
      const a = t[i * k + c], b = p[i * k + c];
      actual[c] += a * wi;
      predicted[c] += b * wi;
      tp[c] += a * b * wi;
    }
    for (const c of scored) {
      const a = t[i * k + c], b = p[i * k + c];
      perSample.actual[i] += a;
      perSample.predicted[i] += b;
      perSample.tp[i] += a * b;
    }
  }
  if (average === "samples" && w !== null && !w.some((x) => x > 0)) throw new ValueError(`${where}: sampleWeight sums to 0, so the mean over samples is 0/0`);
  return { average, zd, scored, tp, predicted, actual, perSample };
}
/** zeroDivision as a number in [0, 1] or NaN (default 0). */
export function zeroDivisionOf(where: string, zd: unknown = 0): number {
  // typeof first: "warn" (scikit-learn's default) or "1" would otherwise be returned as a score.
  if (typeof zd !== "number" || zd < 0 || zd > 1) throw new ValueError(`${where}: zeroDivision must be a number in [0, 1] (or NaN), got ${JSON.stringify(zd)}`);
  return zd;
}

/**
 * Each score averaged as s.average says. Weighted with no true member in any scored class:
 * `noSupport` decides (scikit-learn treats precision/recall/F and Jaccard differently there).
 */
function averaged<K extends string>(s: SetWise, scores: Record<K, CountScore>, noSupport: (anyPredicted: boolean) => Record<K, number> | null): Record<K, number> {
  const keys = Object.keys(scores) as K[];
  const out = {} as Record<K, number>;
  const { scored, tp, predicted, actual, zd } = s;
  if (s.average === "binary" && scored.length === 0) {
    for (const k of keys) out[k] = zd;
    return out;
  }
  if (s.average === "samples") {
    const q = s.perSample!;
    for (const k of keys) {
      let sum = 0, total = 0;
      for (let i = 0; i < q.tp.length; i++) {
        const wi = q.w === null ? 1 : q.w[i];
        sum += wi * scores[k](q.tp[i], q.predicted[i], q.actual[i], zd);
        total += wi;
      }
      out[k] = sum / total;
    }
    return out;
  }
  if (s.average === "micro") {
    const sum = (a: Float64Array) => scored.reduce((acc, i) => acc + a[i], 0);
    for (const k of keys) out[k] = scores[k](sum(tp), sum(predicted), sum(actual), zd);
    return out;
  }
  let weights = scored.map((i) => (s.average === "weighted" ? actual[i] : 1));
  let total = weights.reduce((a, b) => a + b, 0);
  if (total === 0 && s.average === "weighted") {
    const fixed = noSupport(scored.some((i) => predicted[i] > 0));
    if (fixed) return fixed;
    weights = scored.map(() => 1);
    total = scored.length;
  }
  for (const k of keys) {
    out[k] = total === 0 ? zd : scored.reduce((acc, i, j) => acc + scores[k](tp[i], predicted[i], actual[i], zd) * weights[j], 0) / total;
  }
  return out;
}

/**
 * Precision, recall and F-score with scikit-learn's weighted-average rule when no scored class
 * has a true member: predictions exist but are all wrong, so precision and F are 0 (only recall
 * is 0/0); with no predictions either, all three are zeroDivision.
 */
function prfb(where: string, yTrue: Values, yPred: Values, o: PrfOptions, beta: number, extraKeys: readonly string[] = []): Prf {
  const s = setWise(where, yTrue, yPred, o, extraKeys);
  const r = averaged(s, { precision: precisionOf, recall: recallOf, f1: fbetaOf(beta) }, (anyPredicted) =>
    anyPredicted ? { precision: 0, recall: s.zd, f1: 0 } : { precision: s.zd, recall: s.zd, f1: s.zd },
  );
  return { precision: r.precision, recall: r.recall, f1: r.f1 };
}

/**
 * Precision, recall and F1 from the confusion matrix, with scikit-learn's averages. Macro and
 * weighted F1 average the per-class F1 scores (not the F1 of averaged precision and recall).
 */
export function precisionRecallF1(yTrue: Values, yPred: Values, o: PrfOptions = {}): Prf {
  return prfb("precisionRecallF1", yTrue, yPred, o, 1);
}

/** F1 alone: precisionRecallF1(...).f1. */
export function f1Score(yTrue: Values, yPred: Values, o: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, o).f1;
}

/** F-beta, scikit-learn's fbeta_score: recall weighs beta times as much as precision; beta 1 is f1Score. */
export function fbetaScore(yTrue: Values, yPred: Values, o: FbetaOptions): number {
  const where = "fbetaScore";
  if (o === null || typeof o !== "object" || !("beta" in o)) throw new ValueError(`${where}: options { beta } are required (scikit-learn has no default beta)`);
  const { beta, ...rest } = o;
  if (typeof beta !== "number" || !(beta >= 0)) throw new ValueError(`${where}: beta must be a number ≥ 0, got ${JSON.stringify(beta) ?? String(beta)}`);
  return prfb(where, yTrue, yPred, rest, beta, ["beta"]).f1;
}

/**
 * Jaccard index tp / (tp + fp + fn) per class, averaged as precisionRecallF1 (scikit-learn's
 * jaccard_score). Weighted with no true member in any scored class falls back to the unweighted
 * mean, as scikit-learn.
 */
export function jaccardScore(yTrue: Values, yPred: Values, o: PrfOptions = {}): number {
  return averaged(setWise("jaccardScore", yTrue, yPred, o), { jaccard: jaccardOf }, () => null).jaccard;
}

/**
 * Per-class precision, recall, F1 and support for `labels` (scikit-learn's average=None), for
 * classificationReport; every label of yTrue and yPred is counted, listed or not (support and
 * counts are sums of the sample weights `w` when given).
 */
export function perClassPrf(t: ArrayLike<number>, p: ArrayLike<number>, labels: readonly number[], zd: number, w: Float64Array | null = null) {
  const all = distinct(t, p, labels);
  const position = new Map(all.map((l, i) => [l, i]));
  const { tp, predicted, actual } = classCounts(t, p, all, w);
  const f1 = fbetaOf(1);
  return labels.map((l) => {
    const i = position.get(l)!;
    return { precision: precisionOf(tp[i], predicted[i], actual[i], zd), recall: recallOf(tp[i], predicted[i], actual[i], zd), f1: f1(tp[i], predicted[i], actual[i], zd), support: actual[i] };
  });
}

/**
 * True positives, predicted and actual counts (or sums of the sample weights) per class of
 * `labels` (every label of t and p is in it).
 */
function classCounts(t: ArrayLike<number>, p: ArrayLike<number>, labels: number[], w: Float64Array | null = null) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const tp = new Float64Array(k), predicted = new Float64Array(k), actual = new Float64Array(k);
  for (let i = 0; i < t.length; i++) {
    const r = index.get(t[i])!;
    const c = index.get(p[i])!;
    const wi = w === null ? 1 : w[i];
    actual[r] += wi;
    predicted[c] += wi;
    if (r === c) tp[r] += wi;
  }
  // scikit-learn rebuilds the sums from its confusion cells, tp + (sum − tp): with fractional
  // weights that rounds (6e-05 comes back as 5.9999999999999995e-05, which a report prints).
  if (w !== null) {
    for (let c = 0; c < k; c++) {
      predicted[c] = tp[c] + (predicted[c] - tp[c]);
      actual[c] = tp[c] + (actual[c] - tp[c]);
    }
  }
  return { tp, predicted, actual };
}
