import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/** What metrics accept: a Tensor (the norm) or a plain array of numbers. */
export type Values = Tensor | ArrayLike<number>;

/**
 * Class labels as numbers: a 1-D tensor/array (or [n, 1]) as is; a 2-D [n, k] tensor of scores,
 * probabilities or one-hot rows becomes its row-wise argmax, so accuracy(y, logits) just works.
 */
export function labelsOf(v: Values, where: string): ArrayLike<number> {
  if (!(v instanceof Tensor)) return notNaN(v, where);
  if (v.ndim === 1 || (v.ndim === 2 && v.shape[1] === 1)) return notNaN(v.data, where);
  if (v.ndim !== 2) throw new ShapeError(`${where}: labels must be [n] or scores [n, classes], got [${v.shape}]`);
  const [n, k] = v.shape;
  const d = v.data;
  const out = new Int32Array(n);
  // A 0/1 matrix with a row of several ones is a multilabel indicator, which scikit-learn scores
  // column by column; its row-wise argmax would silently misread it.
  let indicator = true, multi = -1;
  for (let i = 0; i < n; i++) {
    let best = 0, ones = 0;
    for (let c = 0; c < k; c++) {
      const x = d[i * k + c];
      if (x > d[i * k + best]) best = c;
      if (x === 1) ones++;
      else if (x !== 0) indicator = false;
    }
    if (ones > 1 && multi < 0) multi = i;
    out[i] = best;
  }
  if (indicator && multi >= 0) throw new ValueError(`${where}: [${v.shape}] is a 0/1 multilabel indicator matrix (row ${multi} has several ones); only accuracy, precisionRecallF1, f1Score, fbetaScore, jaccardScore and hammingLoss score multilabel targets, given yTrue and yPred both as 0/1 [n, k] matrices`);
  return out;
}

/** Labels as given, refusing NaN (it would otherwise form a class of its own, or never match itself) and non-numbers. */
function notNaN(labels: ArrayLike<number>, where: string): ArrayLike<number> {
  for (let i = 0; i < labels.length; i++) {
    const l: unknown = labels[i];
    // Strings ("cat") would be sorted and compared as numbers: map them to class indices first.
    if (typeof l !== "number") throw new ValueError(`${where}: labels must be numbers, got ${JSON.stringify(l) ?? String(l)} (${typeof l}) at index ${i}`);
    if (Number.isNaN(l)) throw new ValueError(`${where}: label at index ${i} is NaN`);
  }
  return labels;
}

/** Flat values with their logical shape (a plain array is 1-D). */
export function valuesOf(v: Values): { data: ArrayLike<number>; shape: readonly number[] } {
  return v instanceof Tensor ? { data: v.data, shape: v.shape } : { data: v, shape: [v.length] };
}

export function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>, where: string): number {
  if (a.length !== b.length) throw new ShapeError(`${where}: yTrue has ${a.length} values, the prediction has ${b.length}`);
  if (a.length === 0) throw new ValueError(`${where}: no samples`);
  return a.length;
}

/** Sorted distinct values of one or more label lists. */
export function distinct(...lists: ArrayLike<number>[]): number[] {
  const s = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) s.add(l[i]);
  return [...s].sort((a, b) => a - b);
}

/** A list for an error message: the first few values, then how many more. */
export function shortList(values: readonly number[], max = 8): string {
  return values.length <= max ? values.join(",") : `${values.slice(0, max).join(",")}, … ${values.length - max} more`;
}
