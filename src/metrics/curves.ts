import { boolean } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkLengths, distinct, labelsOf, shortList, valuesOf, type Values } from "./inputs.js";
import { sampleWeights } from "./weights.js";

export interface CurveOptions {
  /** The positive class (default 1). */
  posLabel?: number;
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight); samples of weight 0 are left out, thresholds included. */
  sampleWeight?: Values;
}

/** Cumulative counts at each distinct score, highest first: the common core of ROC and PR curves. */
export interface BinaryCounts {
  /** True/false positives (or their summed sample weights) among samples scoring ≥ thresholds[i]. */
  tps: Float64Array;
  fps: Float64Array;
  thresholds: number[];
  positives: number;
  negatives: number;
}

/**
 * One score per sample: [n], [n, 1], or [n, 2] probabilities whose columns are the two classes in
 * ascending order (as predict_proba), of which `column` is the positive class's.
 */
export function binaryScores(score: Values, where: string, column: 0 | 1 = 1): ArrayLike<number> {
  const { data, shape } = valuesOf(score);
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) return data;
  if (shape.length === 2 && shape[1] === 2) return Float64Array.from({ length: shape[0] }, (_, i) => data[2 * i + column]);
  throw new ShapeError(`${where}: binary scores must be [n], [n, 1] or [n, 2], got [${shape}]`);
}

/**
 * Sorts by score (descending) and counts positives/negatives above each distinct score, so tied
 * scores move the curve in one diagonal step — which makes the trapezoidal ROC area equal the
 * Mann–Whitney statistic with ties counted one half. With sample weights, samples of weight 0
 * are dropped first (as scikit-learn: they add no threshold) and the counts sum weights.
 */
export function binaryCounts(yTrue: Values, score: Values, where: string, posLabel = 1, sampleWeight?: unknown): BinaryCounts {
  const y = labelsOf(yTrue, where);
  const classes = distinct(y);
  if (classes.length > 2) throw new ValueError(`${where}: binary yTrue expected, got labels [${shortList(classes)}]; for multiclass use one-vs-rest`);
  if (classes.length === 2 && !classes.includes(posLabel)) {
    throw new ValueError(`${where}: posLabel ${posLabel} is not one of the labels [${shortList(classes)}]; pass { posLabel }`);
  }
  // Of [n, 2] probabilities, the positive class's column: 0 when it is the smaller label (of the
  // two in yTrue; with one label present, the 0/1 and −1/+1 conventions: posLabel ≤ 0).
  const column = (classes.length === 2 ? posLabel === classes[0] : posLabel <= 0) ? 0 : 1;
  const s = binaryScores(score, where, column);
  const n = checkLengths(y, s, where);
  const w = sampleWeights(where, sampleWeight, n);
  for (let i = 0; i < n; i++) if (Number.isNaN(s[i])) throw new ValueError(`${where}: score at index ${i} is NaN`);
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => w === null || w[i] > 0);
  const m = order.length;
  // Compare, don't subtract: Infinity − Infinity is NaN and would corrupt the sort.
  order.sort((a, b) => (s[b] > s[a] ? 1 : s[b] < s[a] ? -1 : 0));
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < m; j++) {
    const i = order[j];
    const wi = w === null ? 1 : w[i];
    if (y[i] === posLabel) tp += wi;
    else fp += wi;
    if (j === m - 1 || s[order[j + 1]] !== s[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(s[i]);
    }
  }
  return { tps: Float64Array.from(tps), fps: Float64Array.from(fps), thresholds, positives: tp, negatives: fp };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/**
 * The ROC curve as scikit-learn's roc_curve: starts at (0, 0) with threshold +Infinity, one point
 * per distinct score (descending); with dropIntermediate (default true) points on a straight
 * segment between their neighbours are dropped — the area is unchanged.
 */
export function rocCurve(yTrue: Values, score: Values, o: CurveOptions & { dropIntermediate?: boolean } = {}): RocCurve {
  checkOptions("rocCurve", o, ["posLabel", "dropIntermediate", "sampleWeight"]);
  const c = binaryCounts(yTrue, score, "rocCurve", o.posLabel, o.sampleWeight);
  let keep = Array.from({ length: c.thresholds.length }, (_, i) => i);
  if (boolean("rocCurve", "dropIntermediate", o.dropIntermediate ?? true) && keep.length > 2) {
    // NumPy's diff(·, 2), in its order of operations: with weighted (non-integer) counts a
    // regrouped sum could round to a nonzero and keep a point scikit-learn drops.
    const bend = (a: Float64Array, i: number) => (a[i + 1] - a[i]) - (a[i] - a[i - 1]);
    keep = keep.filter((i) => i === 0 || i === keep.length - 1 || bend(c.fps, i) !== 0 || bend(c.tps, i) !== 0);
  }
  // With no positives (or negatives) a rate is 0/0: NaN, as scikit-learn (which also warns).
  return {
    fpr: [0, ...keep.map((i) => c.fps[i] / c.negatives)],
    tpr: [0, ...keep.map((i) => c.tps[i] / c.positives)],
    thresholds: [Infinity, ...keep.map((i) => c.thresholds[i])],
  };
}

export interface PrCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/**
 * Precision–recall pairs as scikit-learn's precision_recall_curve: thresholds increasing,
 * precision[i]/recall[i] for scores ≥ thresholds[i], and a last point (recall 0, precision 1).
 */
export function prCurve(yTrue: Values, score: Values, o: CurveOptions = {}): PrCurve {
  checkOptions("prCurve", o, ["posLabel", "sampleWeight"]);
  const c = binaryCounts(yTrue, score, "prCurve", o.posLabel, o.sampleWeight);
  if (c.positives === 0) throw new ValueError("prCurve: yTrue has no positive samples, recall is undefined");
  const m = c.thresholds.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  for (let i = m - 1; i >= 0; i--) {
    precision.push(c.tps[i] / (c.tps[i] + c.fps[i]));
    recall.push(c.tps[i] / c.positives);
    thresholds.push(c.thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds };
}
