// Single-number agreement scores of single-label predictions, as scikit-learn 1.2 computes them:
// Matthews correlation, Cohen's kappa, balanced accuracy and Hamming loss. Each works from
// per-class counts (no k×k matrix unless the weighting needs class distances).
import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { labelIndices } from "./classification.js";
import { indicators } from "./multilabel.js";
import { checkLengths, distinct, labelsOf, type Values } from "./inputs.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

/**
 * Labels as class indices 0..k−1 over `labels` (default: the sorted labels of both lists), with
 * per-class counts — sums of the sample weights when given; `total` is their sum (n without).
 */
function encoded(where: string, yTrue: Values, yPred: Values, sampleWeight: unknown, labels?: readonly number[]) {
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const n = checkLengths(t, p, where);
  const w = sampleWeights(where, sampleWeight, n);
  const classes = labels ?? distinct(t, p);
  const { rows, cols } = labelIndices(t, p, n, where, classes);
  const k = classes.length;
  const actual = new Float64Array(k), predicted = new Float64Array(k), tp = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    actual[rows[i]] += wi;
    predicted[cols[i]] += wi;
    if (rows[i] === cols[i]) tp[rows[i]] += wi;
    total += wi;
  }
  return { n, k, rows, cols, w, total, actual, predicted, tp };
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/**
 * Matthews correlation coefficient (multiclass: Gorodkin's Rk), in [−1, 1]. 0 when either side
 * has a single class (the correlation is 0/0), as scikit-learn. With `sampleWeight`, of the
 * weighted confusion counts.
 */
export function matthewsCorrcoef(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  checkOptions("matthewsCorrcoef", o, ["sampleWeight"]);
  const { total: n, actual, predicted, tp } = encoded("matthewsCorrcoef", yTrue, yPred, o.sampleWeight);
  const correct = tp.reduce((a, b) => a + b, 0);
  const covTP = correct * n - dot(actual, predicted);
  const covPP = n * n - dot(predicted, predicted);
  const covTT = n * n - dot(actual, actual);
  return covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);
}

/**
 * Mean recall over the classes present in yTrue (a class only predicted is left out, as
 * scikit-learn, which warns). `adjusted` rescales so that chance scores 0 and perfect 1: with a
 * single true class that divides by 0 (NaN or −Infinity, as scikit-learn). With `sampleWeight`,
 * recalls of the weighted counts (a class whose true samples all weigh 0 is left out).
 */
export function balancedAccuracy(yTrue: Values, yPred: Values, o: { adjusted?: boolean } & WeightOptions = {}): number {
  const where = "balancedAccuracy";
  checkOptions(where, o, ["adjusted", "sampleWeight"]);
  const adjusted = o.adjusted === undefined ? false : boolean(where, "adjusted", o.adjusted);
  const { k, actual, tp } = encoded(where, yTrue, yPred, o.sampleWeight);
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (actual[c] === 0) continue;
    sum += tp[c] / actual[c];
    classes++;
  }
  let score = sum / classes;
  if (adjusted) {
    const chance = 1 / classes;
    score = (score - chance) / (1 - chance);
  }
  return score;
}

export interface KappaOptions {
  /** The classes, in the order whose distances "linear"/"quadratic" weigh (default: sorted labels of both raters). */
  labels?: readonly number[];
  /** Disagreement weights: none (default: every disagreement counts 1), |i − j| or (i − j)² between class positions. */
  weights?: "linear" | "quadratic" | null;
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight), not to be confused with `weights`. */
  sampleWeight?: Values;
}

/**
 * Cohen's kappa, 1 − Σ w·observed / Σ w·expected, where expected is the outer product of the two
 * raters' class frequencies. Symmetric in its arguments. NaN when both raters use one and the same
 * class (0/0, as scikit-learn). A sample whose label is not in `labels` is refused (ValueError);
 * scikit-learn drops it.
 */
export function cohenKappaScore(y1: Values, y2: Values, o: KappaOptions = {}): number {
  const where = "cohenKappaScore";
  checkOptions(where, o, ["labels", "weights", "sampleWeight"]);
  const weights = o.weights ?? null;
  if (weights !== null && weights !== "linear" && weights !== "quadratic") {
    throw new ValueError(`${where}: weights must be "linear", "quadratic" or null, got ${JSON.stringify(weights)}`);
  }
  if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.length === 0)) throw new ValueError(`${where}: labels must be a non-empty array of numbers`);
  const { n, k, rows, cols, w: sw, total, actual, predicted } = encoded(where, y1, y2, o.sampleWeight, o.labels);
  const w = (i: number, j: number) => (weights === null ? (i === j ? 0 : 1) : weights === "linear" ? Math.abs(i - j) : (i - j) ** 2);
  let observed = 0;
  for (let s = 0; s < n; s++) observed += w(rows[s], cols[s]) * (sw === null ? 1 : sw[s]);
  // Σ w(i, j)·predicted[i]·actual[j]/n: O(k²) time, no k×k storage.
  let expected = 0;
  for (let i = 0; i < k; i++) {
    if (predicted[i] === 0) continue;
    for (let j = 0; j < k; j++) expected += (w(i, j) * predicted[i] * actual[j]) / total;
  }
  return 1 - observed / expected;
}

/**
 * Fraction of wrong labels. Label vectors: 1 − accuracy. Two [n, k] 0/1 indicator matrices of the
 * same shape (multilabel): the fraction of differing entries, as scikit-learn. An [n, k] matrix
 * against [n] labels is read as scores (row-wise argmax), as accuracy does. `sampleWeight`
 * weighs each sample (each row of an indicator matrix).
 */
export function hammingLoss(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  const where = "hammingLoss";
  checkOptions(where, o, ["sampleWeight"]);
  const m = indicators(yTrue, yPred, where, true);
  if (m !== null) {
    const { t: a, p: b, n: rows, k } = m;
    const w = sampleWeights(where, o.sampleWeight, rows, true);
    // As scikit-learn: Σ wᵢ·(differing entries of row i) / (n·k·mean(w)).
    let differ = 0;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const wi = w === null ? 1 : w[i];
      for (let j = i * k; j < (i + 1) * k; j++) if (a[j] !== b[j]) differ += wi;
      total += wi;
    }
    return differ / (rows * k * (total / rows));
  }
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const n = checkLengths(t, p, where);
  const w = sampleWeights(where, o.sampleWeight, n, true);
  return weightedMean(n, w, (i) => (t[i] !== p[i] ? 1 : 0));
}
