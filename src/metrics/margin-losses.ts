// Losses of scores against labels beyond the log loss: the Brier score of binary probabilities
// and the (Crammer–Singer) hinge loss of decision values, as scikit-learn 1.2 computes them.
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { distinct, labelsOf, shortList, valuesOf, type Values } from "./inputs.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

/** Flat values, refusing NaN and ±Infinity (scikit-learn raises on both). */
function finiteValues(v: Values, where: string, name: string) {
  const { data, shape } = valuesOf(v);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new ValueError(`${where}: ${name} holds ${data[i]} at flat index ${i}`);
  return { data, shape };
}

/**
 * Mean squared difference between the probability of the positive class and the 0/1 outcome.
 * yTrue is binary (at most two labels). The positive class defaults to 1 when the labels are a
 * subset of {0, 1} or {−1, 1}, else to the larger label, as scikit-learn 1.2. probs: [n] or [n, 1].
 * With `sampleWeight`, the weighted mean.
 */
export function brierScoreLoss(yTrue: Values, probs: Values, o: { posLabel?: number } & WeightOptions = {}): number {
  const where = "brierScoreLoss";
  checkOptions(where, o, ["posLabel", "sampleWeight"]);
  if (o.posLabel !== undefined && typeof o.posLabel !== "number") throw new ValueError(`${where}: posLabel must be a number, got ${JSON.stringify(o.posLabel)}`);
  const y = labelsOf(yTrue, where);
  const { data, shape } = finiteValues(probs, where, "probs");
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) throw new ShapeError(`${where}: probabilities must be [n] or [n, 1], got [${shape}]`);
  if (y.length !== data.length) throw new ShapeError(`${where}: yTrue has ${y.length} values, probabilities are [${shape}]`);
  if (y.length === 0) throw new ValueError(`${where}: no samples`);
  const w = sampleWeights(where, o.sampleWeight, y.length, true);
  const classes = distinct(y);
  if (classes.length > 2) throw new ValueError(`${where}: binary yTrue expected (at most two labels), got [${shortList(classes)}]`);
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] > 1) throw new ValueError(`${where}: probability ${data[i]} at index ${i} is outside [0, 1]`);
  }
  const conventional = classes.every((c) => c === 1 || c === 0) || classes.every((c) => c === 1 || c === -1);
  const pos = o.posLabel ?? (conventional ? 1 : classes[classes.length - 1]);
  return weightedMean(data.length, w, (i) => ((y[i] === pos ? 1 : 0) - data[i]) ** 2);
}

/**
 * Mean of max(0, 1 − margin). Binary (at most two classes among `labels`, default the labels of
 * yTrue): decision values [n], margin y·d with yTrue's larger label +1 and the other −1.
 * Multiclass: decision values [n, k] whose columns are `labels` in ascending order (default:
 * yTrue's labels, which must then be all k classes); margin = the true class's value minus the
 * largest other value (Crammer–Singer). With `sampleWeight`, the weighted mean.
 */
export function hingeLoss(yTrue: Values, decision: Values, o: { labels?: readonly number[] } & WeightOptions = {}): number {
  const where = "hingeLoss";
  checkOptions(where, o, ["labels", "sampleWeight"]);
  if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.length === 0)) throw new ValueError(`${where}: labels must be a non-empty array of numbers`);
  const y = labelsOf(yTrue, where);
  const { data, shape } = finiteValues(decision, where, "decision");
  const n = y.length;
  if (shape[0] !== n) throw new ShapeError(`${where}: yTrue has ${n} values, decision values are [${shape}]`);
  if (n === 0) throw new ValueError(`${where}: no samples`);
  const w = sampleWeights(where, o.sampleWeight, n, true);
  const classes = distinct(o.labels ?? y);
  const loss = new Float64Array(n);
  if (classes.length > 2) {
    if (shape.length !== 2) throw new ShapeError(`${where}: ${classes.length} classes need decision values [${n}, ${classes.length}], got [${shape}]`);
    const k = shape[1];
    if (k !== classes.length) {
      throw new ShapeError(
        o.labels === undefined
          ? `${where}: yTrue has ${classes.length} classes, decision values [${shape}] have ${k} columns; pass { labels } naming all ${k} classes`
          : `${where}: labels name ${classes.length} classes, decision values [${shape}] have ${k} columns`,
      );
    }
    const column = new Map(classes.map((l, i) => [l, i]));
    for (let i = 0; i < n; i++) {
      const c = column.get(y[i]);
      if (c === undefined) throw new ValueError(`${where}: label ${y[i]} at index ${i} is not one of labels [${shortList(classes)}]`);
      let other = -Infinity;
      for (let j = 0; j < k; j++) if (j !== c && data[i * k + j] > other) other = data[i * k + j];
      loss[i] = Math.max(0, 1 - (data[i * k + c] - other));
    }
    return weightedMean(n, w, (i) => loss[i]);
  }
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) throw new ShapeError(`${where}: binary decision values must be [n] or [n, 1], got [${shape}]`);
  // As scikit-learn's LabelBinarizer: yTrue's own classes, the larger one +1; a single class is all −1.
  const own = distinct(y);
  if (own.length > 2) throw new ValueError(`${where}: labels name ${classes.length} classes but yTrue has ${own.length}: [${shortList(own)}]`);
  const positive = own.length === 2 ? own[1] : NaN;
  return weightedMean(n, w, (i) => Math.max(0, 1 - (y[i] === positive ? 1 : -1) * data[i]));
}
