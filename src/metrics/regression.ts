import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { valuesOf, type Values } from "./inputs.js";
import { sampleWeights, type WeightOptions } from "./weights.js";

/**
 * Targets and predictions of the same shape, [n] or [n, outputs], and the number of outputs for
 * per-output metrics. [n] also pairs with [n, 1], as in scikit-learn (a model's single output
 * against a label vector); any other difference is refused, even with as many elements, since
 * the values would be paired out of place.
 */
export function pairs(yTrue: Values, yPred: Values, where: string) {
  const t = valuesOf(yTrue);
  const p = valuesOf(yPred);
  for (const [name, v] of [["yTrue", t], ["yPred", p]] as const) {
    if (v.shape.length !== 1 && v.shape.length !== 2) throw new ShapeError(`${where}: ${name} [${v.shape}] must be [n] or [n, outputs]`);
  }
  if (columnShape(t.shape).join() !== columnShape(p.shape).join()) {
    throw new ShapeError(`${where}: yTrue [${t.shape}] and yPred [${p.shape}] differ in shape (they must be equal; [n] and [n, 1] also pair)`);
  }
  if (t.data.length === 0) throw new ValueError(`${where}: no samples`);
  const outputs = t.shape.length === 2 ? t.shape[1] : 1;
  return { t: t.data, p: p.data, n: t.data.length, outputs };
}

/**
 * pairs() with the options checked (`sampleWeight` and the caller's `extraKeys`) and the
 * weights, one per row (null without).
 */
export function weightedPairs(yTrue: Values, yPred: Values, where: string, o: WeightOptions, extraKeys: readonly string[] = []) {
  checkOptions(where, o, ["sampleWeight", ...extraKeys]);
  const r = pairs(yTrue, yPred, where);
  const rows = r.n / r.outputs;
  return { ...r, rows, w: sampleWeights(where, o.sampleWeight, rows, true) };
}

/**
 * Mean over outputs of each column's weighted mean of f(true, predicted), as scikit-learn's
 * np.average(…, axis=0, weights) then the uniform average over outputs.
 */
export function meanOverOutputs(r: { t: ArrayLike<number>; p: ArrayLike<number>; rows: number; outputs: number; w: Float64Array | null }, f: (t: number, p: number) => number): number {
  const { t, p, rows, outputs, w } = r;
  let sum = 0;
  for (let c = 0; c < outputs; c++) {
    let s = 0;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const wi = w === null ? 1 : w[i];
      s += wi * f(t[i * outputs + c], p[i * outputs + c]);
      total += wi;
    }
    sum += s / total;
  }
  return sum / outputs;
}

/** A shape with [n] written as [n, 1], so that the two compare equal. */
const columnShape = (shape: readonly number[]) => (shape.length === 1 ? [shape[0], 1] : shape);

/** Mean squared error (the uniform average over outputs); with `sampleWeight`, weighted over rows. */
export function mse(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  return meanOverOutputs(weightedPairs(yTrue, yPred, "mse", o), (t, p) => (t - p) ** 2);
}

/**
 * Root mean squared error: of several outputs, the mean of their RMSEs (scikit-learn's
 * mean_squared_error(squared=False)), not the root of the pooled MSE.
 */
export function rmse(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  const r = weightedPairs(yTrue, yPred, "rmse", o);
  let sum = 0;
  for (let c = 0; c < r.outputs; c++) sum += Math.sqrt(meanOverOutputs({ ...r, outputs: 1, t: column(r.t, r.outputs, c), p: column(r.p, r.outputs, c) }, (t, p) => (t - p) ** 2));
  return sum / r.outputs;
}

/** Column c of a row-major [rows, outputs] array. */
function column(d: ArrayLike<number>, outputs: number, c: number): Float64Array {
  return Float64Array.from({ length: d.length / outputs }, (_, i) => d[i * outputs + c]);
}

/** Mean absolute error; with `sampleWeight`, weighted over rows. */
export function mae(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  return meanOverOutputs(weightedPairs(yTrue, yPred, "mae", o), (t, p) => Math.abs(t - p));
}

/**
 * Coefficient of determination 1 − SS_res/SS_tot, per output column and then averaged. A
 * constant target scores 1 when predicted exactly and 0 otherwise (scikit-learn's force_finite);
 * a single row has no variance to explain: NaN, as scikit-learn. With `sampleWeight`, the sums
 * and the mean are weighted.
 */
export function r2(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  const { t, p, rows, outputs, w } = weightedPairs(yTrue, yPred, "r2", o);
  if (rows < 2) return NaN;
  let total = 0;
  for (let c = 0; c < outputs; c++) {
    let mean = 0;
    let weight = 0;
    let first = NaN;
    let constant = true;
    for (let i = 0; i < rows; i++) {
      const wi = w === null ? 1 : w[i];
      const v = t[i * outputs + c];
      mean += wi * v;
      weight += wi;
      if (wi === 0) continue;
      if (Number.isNaN(first)) first = v;
      constant &&= v === first;
    }
    // A constant column (over the samples that weigh) has its value as mean: the rounded sum
    // (0.6·9/9 ≠ 0.6) would leave a variance of ~1e-32 and a score of −1e31 where force_finite
    // means 0 (or 1).
    mean = constant ? first : mean / weight;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < rows; i++) {
      const v = t[i * outputs + c];
      const wi = w === null ? 1 : w[i];
      res += wi * (v - p[i * outputs + c]) ** 2;
      tot += wi * (v - mean) ** 2;
    }
    total += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return total / outputs;
}
