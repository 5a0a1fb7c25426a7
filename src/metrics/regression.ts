import { ShapeError, ValueError } from "../errors.js";
import { valuesOf, type Values } from "./inputs.js";

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

/** A shape with [n] written as [n, 1], so that the two compare equal. */
const columnShape = (shape: readonly number[]) => (shape.length === 1 ? [shape[0], 1] : shape);

/** Mean squared error (over all elements: the uniform average over outputs). */
export function mse(yTrue: Values, yPred: Values): number {
  return meanSquaredError(yTrue, yPred, "mse");
}

export function rmse(yTrue: Values, yPred: Values): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred, "rmse"));
}

/** mse, with `where` naming the metric the caller asked for in error messages. */
function meanSquaredError(yTrue: Values, yPred: Values, where: string): number {
  const { t, p, n } = pairs(yTrue, yPred, where);
  let s = 0;
  for (let i = 0; i < n; i++) s += (t[i] - p[i]) ** 2;
  return s / n;
}

/** Mean absolute error. */
export function mae(yTrue: Values, yPred: Values): number {
  const { t, p, n } = pairs(yTrue, yPred, "mae");
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(t[i] - p[i]);
  return s / n;
}

/**
 * Coefficient of determination 1 − SS_res/SS_tot, per output column and then averaged. A
 * constant target scores 1 when predicted exactly and 0 otherwise (scikit-learn's force_finite);
 * a single row has no variance to explain: NaN, as scikit-learn.
 */
export function r2(yTrue: Values, yPred: Values): number {
  const { t, p, n, outputs } = pairs(yTrue, yPred, "r2");
  const rows = n / outputs;
  if (rows < 2) return NaN;
  let total = 0;
  for (let c = 0; c < outputs; c++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += t[i * outputs + c];
    mean /= rows;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < rows; i++) {
      const v = t[i * outputs + c];
      res += (v - p[i * outputs + c]) ** 2;
      tot += (v - mean) ** 2;
    }
    total += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return total / outputs;
}
