import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { distinct, labelsOf, valuesOf, type Values } from "./inputs.js";
import { binaryCounts, type BinaryCounts } from "./curves.js";

export interface ScoreAverageOptions {
  /** Positive class for binary input (default 1). */
  posLabel?: number;
  /** Multiclass scores [n, k]: one-vs-rest (the only strategy offered). */
  multiClass?: "ovr";
  /** How one-vs-rest scores combine: unweighted mean (default) or weighted by class prevalence. */
  average?: "macro" | "weighted";
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight); "weighted" then weighs classes by their summed weights. */
  sampleWeight?: Values;
}

/** Area under the ROC curve by the trapezoidal rule over distinct thresholds: ties count one half. */
function rocArea(c: BinaryCounts, where: string): number {
  if (c.positives === 0 || c.negatives === 0) {
    throw new ValueError(`${where}: only one class present in yTrue (counting samples of weight > 0); ROC AUC is not defined`);
  }
  let area = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    area += (c.fps[i] - fp) * (c.tps[i] + tp);
    tp = c.tps[i];
    fp = c.fps[i];
  }
  return area / (2 * c.positives * c.negatives);
}

/** Σ (Rᵢ − Rᵢ₋₁)·Pᵢ over thresholds from highest score down (scikit-learn's average_precision_score). */
function apArea(c: BinaryCounts, where: string): number {
  if (c.positives === 0) throw new ValueError(`${where}: yTrue has no positive samples (of weight > 0); average precision is not defined`);
  let ap = 0;
  let tp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    ap += ((c.tps[i] - tp) / c.positives) * (c.tps[i] / (c.tps[i] + c.fps[i]));
    tp = c.tps[i];
  }
  return ap;
}

/**
 * A binary score, or one-vs-rest over the columns of [n, k] scores (k > 2): class c's column
 * against "label = c", combined by macro or prevalence-weighted mean. [n, 2] is binary (the
 * posLabel's column).
 */
function scoreCurves(yTrue: Values, score: Values, o: ScoreAverageOptions, where: string, area: (c: BinaryCounts, w: string) => number): number {
  checkOptions(where, o, ["posLabel", "multiClass", "average", "sampleWeight"]);
  // Checked for binary scores too (where they do not apply), so a misspelt value is not ignored.
  if ((o.multiClass ?? "ovr") !== "ovr") throw new ValueError(`${where}: multiClass must be "ovr", got ${JSON.stringify(o.multiClass)}`);
  const average = o.average ?? "macro";
  if (average !== "macro" && average !== "weighted") throw new ValueError(`${where}: average must be "macro" or "weighted", got ${JSON.stringify(average)}`);
  const { data, shape } = valuesOf(score);
  if (shape.length === 1 || (shape.length === 2 && shape[1] <= 2)) return area(binaryCounts(yTrue, score, where, o.posLabel, o.sampleWeight), where);
  if (shape.length !== 2) throw new ShapeError(`${where}: scores must be [n] or [n, classes], got [${shape}]`);
  // One-vs-rest makes each class positive in turn: a single positive class has no meaning here.
  if (o.posLabel !== undefined) throw new ValueError(`${where}: posLabel applies to binary scores; multiclass scores [${shape}] score every class one-vs-rest`);
  const [n, k] = shape;
  const y = labelsOf(yTrue, where);
  if (y.length !== n) throw new ShapeError(`${where}: yTrue has ${y.length} values, scores are [${shape}]`);
  const bad = distinct(y).find((l) => !Number.isInteger(l) || l < 0 || l >= k);
  if (bad !== undefined) throw new ValueError(`${where}: label ${bad} is not a column of scores [${shape}]`);
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < k; c++) {
    const isC = Float64Array.from({ length: n }, (_, i) => (y[i] === c ? 1 : 0));
    const col = Float64Array.from({ length: n }, (_, i) => data[i * k + c]);
    const counts = binaryCounts(isC, col, where, 1, o.sampleWeight);
    const w = average === "weighted" ? counts.positives : 1;
    sum += w * area(counts, `${where} (class ${c} vs rest)`);
    weights += w;
  }
  return sum / weights;
}

/** ROC AUC: binary scores [n] (or [n, 2] probabilities), or multiclass [n, k] one-vs-rest. */
export function rocAuc(yTrue: Values, score: Values, o: ScoreAverageOptions = {}): number {
  return scoreCurves(yTrue, score, o, "rocAuc", rocArea);
}

/**
 * Average precision, AP = Σ (Rₙ − Rₙ₋₁)·Pₙ over decreasing thresholds — the step sum, not the
 * (optimistic) trapezoidal area under the PR curve. Binary or one-vs-rest like rocAuc.
 */
export function averagePrecision(yTrue: Values, score: Values, o: ScoreAverageOptions = {}): number {
  return scoreCurves(yTrue, score, o, "averagePrecision", apArea);
}
