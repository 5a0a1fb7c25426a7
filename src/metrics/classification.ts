import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkLengths, distinct, labelsOf, type Values } from "./inputs.js";

/** Fraction of samples whose predicted label equals the true one (yPred may be [n, k] scores: argmax). */
export function accuracy(yTrue: Values, yPred: Values): number {
  const t = labelsOf(yTrue, "accuracy");
  const p = labelsOf(yPred, "accuracy");
  const n = checkLengths(t, p, "accuracy");
  let hit = 0;
  for (let i = 0; i < n; i++) if (t[i] === p[i]) hit++;
  return hit / n;
}

/**
 * Fraction of samples whose true class is among the k highest scores of its row. Ties count in
 * the sample's favour: it is a hit when fewer than k classes score strictly higher than it.
 */
export function topKAccuracy(yTrue: Values, scores: Tensor, o: { k?: number } = {}): number {
  const k = o.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`topKAccuracy: k must be a positive integer, got ${k}`);
  if (scores.ndim !== 2) throw new ShapeError(`topKAccuracy: scores must be [n, classes], got [${scores.shape}]`);
  const t = labelsOf(yTrue, "topKAccuracy");
  const [n, classes] = scores.shape;
  checkLengths(t, { length: n }, "topKAccuracy");
  const s = scores.data;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const c = t[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new ValueError(`topKAccuracy: label ${c} at index ${i} is not a column of scores [${scores.shape}]`);
    const mine = s[i * classes + c];
    let above = 0;
    for (let j = 0; j < classes; j++) if (s[i * classes + j] > mine) above++;
    if (above < k) hit++;
  }
  return hit / n;
}

export interface ConfusionOptions {
  /** Number of classes for integer labels 0..k−1 (default: largest label + 1). */
  numClasses?: number;
  /** The labels, in row/column order (default: 0..k−1 for non-negative integer labels, else the sorted distinct labels). */
  labels?: readonly number[];
  /** Divide counts by row sums ("true"), column sums ("pred") or the total ("all"); float32 result. */
  normalize?: "true" | "pred" | "all";
}

/**
 * Counts [k, k] (int32): row = true class, column = predicted class, as scikit-learn. Integer
 * labels index rows directly, so a class never predicted still has its row and column.
 */
export function confusionMatrix(yTrue: Values, yPred: Values, o: ConfusionOptions = {}): Tensor {
  const { labels, counts } = tally(yTrue, yPred, "confusionMatrix", o.labels ?? defaultLabels(yTrue, yPred, o.numClasses));
  const k = labels.length;
  if (!o.normalize) return new Tensor(Int32Array.from(counts), "int32", [k, k]);
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

function defaultLabels(yTrue: Values, yPred: Values, numClasses?: number): number[] {
  const seen = distinct(labelsOf(yTrue, "confusionMatrix"), labelsOf(yPred, "confusionMatrix"));
  const integers = seen.every((v) => Number.isInteger(v) && v >= 0);
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`confusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    if (!integers || seen[seen.length - 1] >= numClasses) throw new ValueError(`confusionMatrix: labels [${seen}] are not all integers in [0, ${numClasses})`);
  }
  if (!integers) return seen;
  const k = numClasses ?? seen[seen.length - 1] + 1;
  return Array.from({ length: k }, (_, i) => i);
}

/** Confusion counts over the given label order (float64, row = true). Unknown labels are an error. */
export function tally(yTrue: Values, yPred: Values, where: string, labels: readonly number[]): { labels: readonly number[]; counts: number[] } {
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const n = checkLengths(t, p, where);
  const index = new Map(labels.map((l, i) => [l, i]));
  if (index.size !== labels.length) throw new ValueError(`${where}: labels [${labels}] has duplicates`);
  const k = labels.length;
  const counts = new Array<number>(k * k).fill(0);
  for (let i = 0; i < n; i++) {
    const r = index.get(t[i]);
    const c = index.get(p[i]);
    if (r === undefined || c === undefined) {
      throw new ValueError(`${where}: label ${r === undefined ? t[i] : p[i]} at index ${i} is not one of [${labels}]`);
    }
    counts[r * k + c]++;
  }
  return { labels, counts };
}

export const rowSum = (m: number[], k: number, r: number) => { let s = 0; for (let c = 0; c < k; c++) s += m[r * k + c]; return s; };
export const colSum = (m: number[], k: number, c: number) => { let s = 0; for (let r = 0; r < k; r++) s += m[r * k + c]; return s; };
