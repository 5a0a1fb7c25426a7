import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkLengths, distinct, labelsOf, type Values } from "./inputs.js";
import { indicators } from "./multilabel.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

/**
 * Fraction of samples whose predicted label equals the true one (yPred may be [n, k] scores:
 * argmax), or with `sampleWeight` the fraction of the total weight. Two [n, k] 0/1 indicator
 * matrices (multilabel): subset accuracy, a sample is a hit when its whole row matches.
 */
export function accuracy(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  checkOptions("accuracy", o, ["sampleWeight"]);
  const m = indicators(yTrue, yPred, "accuracy");
  if (m !== null) {
    const w = sampleWeights("accuracy", o.sampleWeight, m.n, true);
    return weightedMean(m.n, w, (i) => {
      for (let j = i * m.k; j < (i + 1) * m.k; j++) if (m.t[j] !== m.p[j]) return 0;
      return 1;
    });
  }
  const t = labelsOf(yTrue, "accuracy");
  const p = labelsOf(yPred, "accuracy");
  const n = checkLengths(t, p, "accuracy");
  const w = sampleWeights("accuracy", o.sampleWeight, n, true);
  return weightedMean(n, w, (i) => (t[i] === p[i] ? 1 : 0));
}

/**
 * Fraction of samples whose true class is among the k highest scores of its row. Ties count in
 * the sample's favour: it is a hit when fewer than k classes score strictly higher than it.
 */
export function topKAccuracy(yTrue: Values, scores: Tensor, o: { k?: number } & WeightOptions = {}): number {
  checkOptions("topKAccuracy", o, ["k", "sampleWeight"]);
  const k = o.k ?? 5;
  positiveInt("topKAccuracy", "k", k);
  if (scores.ndim !== 2) throw new ShapeError(`topKAccuracy: scores must be [n, classes], got [${scores.shape}]`);
  const t = labelsOf(yTrue, "topKAccuracy");
  const [n, classes] = scores.shape;
  checkLengths(t, { length: n }, "topKAccuracy");
  const w = sampleWeights("topKAccuracy", o.sampleWeight, n, true);
  const s = scores.data;
  const hit = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = t[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new ValueError(`topKAccuracy: label ${c} at index ${i} is not a column of scores [${scores.shape}]`);
    const mine = s[i * classes + c];
    let above = 0;
    for (let j = 0; j < classes; j++) if (s[i * classes + j] > mine) above++;
    if (above < k) hit[i] = 1;
  }
  return weightedMean(n, w, (i) => hit[i]);
}

export interface ConfusionOptions {
  /** Number of classes for integer labels 0..k−1 (default: largest label + 1), at most MAX_CONFUSION_CLASSES. */
  numClasses?: number;
  /** The labels, in row/column order (default: 0..k−1 for non-negative integer labels, else the sorted distinct labels). */
  labels?: readonly number[];
  /** Divide counts by row sums ("true"), column sums ("pred") or the total ("all"); float32 result. */
  normalize?: "true" | "pred" | "all";
  /** One weight ≥ 0 per sample: cells sum weights instead of counting (float64 result unless normalized). */
  sampleWeight?: Values;
}

/**
 * The most classes confusionMatrix builds a matrix for: 4096² int32 counts are 64 MiB. Beyond it
 * (a stray label such as 30000 would otherwise ask for 30001² cells) it throws a ValueError
 * naming the label; `labels` lists arbitrary class values when they are sparse.
 */
export const MAX_CONFUSION_CLASSES = 4096;

/**
 * Counts [k, k] (int32): row = true class, column = predicted class, as scikit-learn. Integer
 * labels index rows directly, so a class never predicted still has its row and column. With
 * `sampleWeight` each cell sums its samples' weights (float64, as scikit-learn's float weights).
 */
export function confusionMatrix(yTrue: Values, yPred: Values, o: ConfusionOptions = {}): Tensor {
  checkOptions("confusionMatrix", o, ["numClasses", "labels", "normalize", "sampleWeight"]);
  if (o.normalize !== undefined && !["true", "pred", "all"].includes(o.normalize)) {
    throw new ValueError(`confusionMatrix: normalize must be "true", "pred" or "all", got ${JSON.stringify(o.normalize)}`);
  }
  if (o.labels !== undefined && o.numClasses !== undefined) throw new ValueError("confusionMatrix: pass labels or numClasses, not both");
  const labels = o.labels === undefined ? defaultLabels(yTrue, yPred, o.numClasses) : checkLabelList(o.labels);
  const { counts } = tally(yTrue, yPred, "confusionMatrix", labels, o.sampleWeight);
  const k = labels.length;
  if (!o.normalize) return o.sampleWeight === undefined ? new Tensor(Int32Array.from(counts), "int32", [k, k]) : new Tensor(counts, "float64", [k, k]);
  const out = new Float32Array(k * k);
  const total = counts.reduce((a, b) => a + b, 0);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      let d = total;
      if (o.normalize === "true") d = rowSum(counts, k, r);
      else if (o.normalize === "pred") d = colSum(counts, k, c);
      out[r * k + c] = d === 0 ? 0 : counts[r * k + c] / d;
    }
  }
  return new Tensor(out, "float32", [k, k]);
}

function checkLabelList(labels: readonly number[]): readonly number[] {
  if (!Array.isArray(labels) || labels.length === 0) throw new ValueError("confusionMatrix: labels must be a non-empty array of numbers");
  if (labels.length > MAX_CONFUSION_CLASSES) {
    throw new ValueError(`confusionMatrix: ${labels.length} labels, more than the ${MAX_CONFUSION_CLASSES} classes a confusion matrix is built for`);
  }
  return labels;
}

/**
 * 0..k−1 for non-negative integer labels (k = numClasses, or the largest label + 1), else the
 * sorted distinct labels; refused before anything of size k² is allocated when k is too large.
 */
function defaultLabels(yTrue: Values, yPred: Values, numClasses?: number): number[] {
  const where = "confusionMatrix";
  const lists: [string, ArrayLike<number>][] = [["yTrue", labelsOf(yTrue, where)], ["yPred", labelsOf(yPred, where)]];
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > MAX_CONFUSION_CLASSES) {
      throw new ValueError(`${where}: numClasses must be an integer in [1, ${MAX_CONFUSION_CLASSES}], got ${numClasses}`);
    }
    for (const [name, l] of lists) {
      for (let i = 0; i < l.length; i++) {
        const v = l[i];
        if (!(Number.isInteger(v) && v >= 0 && v < numClasses)) {
          throw new ValueError(`${where}: label ${v} at index ${i} of ${name} is not an integer in [0, ${numClasses})`);
        }
      }
    }
    return Array.from({ length: numClasses }, (_, i) => i);
  }
  const seen = distinct(lists[0][1], lists[1][1]);
  if (seen.some((v) => Number.isNaN(v))) throw new ValueError(`${where}: a label is NaN`);
  const integers = seen.every((v) => Number.isInteger(v) && v >= 0);
  const k = integers ? seen[seen.length - 1] + 1 : seen.length;
  if (k > MAX_CONFUSION_CLASSES) {
    const culprit = integers ? seen[seen.length - 1] : seen[MAX_CONFUSION_CLASSES];
    const [name, at] = locate(lists, culprit);
    throw new ValueError(
      `${where}: label ${culprit} at index ${at} of ${name} makes ${k} classes, more than the ${MAX_CONFUSION_CLASSES} ` +
        `a confusion matrix is built for; pass { labels } to name the classes (or { numClasses })`,
    );
  }
  return integers ? Array.from({ length: k }, (_, i) => i) : seen;
}

/** Which list holds `value` first, and where. */
function locate(lists: [string, ArrayLike<number>][], value: number): [string, number] {
  for (const [name, l] of lists) for (let i = 0; i < l.length; i++) if (l[i] === value) return [name, i];
  return [lists[0][0], -1];
}

/**
 * Each sample's true and predicted label (the first n of t and p) as its index in `labels`.
 * A label not in the list, or a list with duplicates, is an error.
 */
export function labelIndices(t: ArrayLike<number>, p: ArrayLike<number>, n: number, where: string, labels: readonly number[]): { rows: Int32Array; cols: Int32Array } {
  const index = new Map(labels.map((l, i) => [l, i]));
  if (index.size !== labels.length) throw new ValueError(`${where}: labels has duplicates`);
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = index.get(t[i]);
    const c = index.get(p[i]);
    if (r === undefined || c === undefined) {
      throw new ValueError(`${where}: label ${r === undefined ? t[i] : p[i]} at index ${i} of ${r === undefined ? "yTrue" : "yPred"} is not one of the ${labels.length} labels`);
    }
    rows[i] = r;
    cols[i] = c;
  }
  return { rows, cols };
}

/** Confusion counts (or summed sample weights) over the given label order (row = true). Unknown labels are an error. */
export function tally(yTrue: Values, yPred: Values, where: string, labels: readonly number[], sampleWeight?: Values): { labels: readonly number[]; counts: Float64Array } {
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const n = checkLengths(t, p, where);
  const w = sampleWeights(where, sampleWeight, n);
  const k = labels.length;
  // Checked before the k² counts exist, so a stray label costs no allocation.
  const { rows, cols } = labelIndices(t, p, n, where, labels);
  const counts = new Float64Array(k * k);
  for (let i = 0; i < n; i++) counts[rows[i] * k + cols[i]] += w === null ? 1 : w[i];
  return { labels, counts };
}

export const rowSum = (m: ArrayLike<number>, k: number, r: number) => { let s = 0; for (let c = 0; c < k; c++) s += m[r * k + c]; return s; };
export const colSum = (m: ArrayLike<number>, k: number, c: number) => { let s = 0; for (let r = 0; r < k; r++) s += m[r * k + c]; return s; };
