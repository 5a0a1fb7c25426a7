// Regression metrics beyond mse/mae/r2, as scikit-learn 1.2 computes them: explained variance,
// MAPE, median and max absolute error, squared log error and D² of the absolute error. Inputs
// pair as in regression.ts ([n] or [n, outputs]); per-output scores are averaged uniformly.
import { ValueError } from "../errors.js";
import { pairs } from "./regression.js";
import type { Values } from "./inputs.js";

/** pairs(), refusing NaN and ±Infinity (scikit-learn raises on both), with a column accessor. */
function columns(yTrue: Values, yPred: Values, where: string) {
  const r = pairs(yTrue, yPred, where);
  for (const [name, d] of [["yTrue", r.t], ["yPred", r.p]] as const) {
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) throw new ValueError(`${where}: ${name} holds ${d[i]} at flat index ${i}`);
  }
  const rows = r.n / r.outputs;
  const column = (d: ArrayLike<number>, c: number) => Float64Array.from({ length: rows }, (_, i) => d[i * r.outputs + c]);
  return { ...r, rows, column };
}

/** Mean over outputs of f(true column, predicted column). */
function perOutput(yTrue: Values, yPred: Values, where: string, f: (t: Float64Array, p: Float64Array) => number): number {
  const { outputs, t, p, column } = columns(yTrue, yPred, where);
  let sum = 0;
  for (let c = 0; c < outputs; c++) sum += f(column(t, c), column(p, c));
  return sum / outputs;
}

const mean = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s / a.length; };

/** Median of values (sorted copy): the mean of the middle two for an even count, as NumPy. */
function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * 1 − Var(y − ŷ)/Var(y) per output (scikit-learn's force_finite): 1 when the residual variance
 * is 0, 0 when only the target's is. Unlike r2 it ignores a constant bias of the predictions.
 */
export function explainedVarianceScore(yTrue: Values, yPred: Values): number {
  return perOutput(yTrue, yPred, "explainedVarianceScore", (t, p) => {
    const diff = t.map((v, i) => v - p[i]);
    const dm = mean(diff);
    const num = mean(diff.map((d) => (d - dm) ** 2));
    const tm = mean(t);
    const den = mean(t.map((v) => (v - tm) ** 2));
    return num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
  });
}

/**
 * Mean of |y − ŷ| / max(|y|, ε) with ε = 2⁻⁵² (float64 epsilon), as scikit-learn: a fraction, not
 * a percentage; a zero target gives a huge (finite) term rather than Infinity.
 */
export function meanAbsolutePercentageError(yTrue: Values, yPred: Values): number {
  return perOutput(yTrue, yPred, "meanAbsolutePercentageError", (t, p) => mean(t.map((v, i) => Math.abs(p[i] - v) / Math.max(Math.abs(v), Number.EPSILON))));
}

/** Median of |y − ŷ| per output: robust to outliers. */
export function medianAbsoluteError(yTrue: Values, yPred: Values): number {
  return perOutput(yTrue, yPred, "medianAbsoluteError", (t, p) => median(t.map((v, i) => Math.abs(p[i] - v))));
}

/** Largest |y − ŷ|: the worst case. Single output only, as scikit-learn. */
export function maxError(yTrue: Values, yPred: Values): number {
  const { t, p, n, outputs } = columns(yTrue, yPred, "maxError");
  if (outputs > 1) throw new ValueError(`maxError: multioutput (${outputs} outputs) is not supported, as in scikit-learn; pass one column`);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(t[i] - p[i]));
  return max;
}

/** Mean of (log(1 + y) − log(1 + ŷ))²; negative targets or predictions are refused (ValueError). */
export function meanSquaredLogError(yTrue: Values, yPred: Values): number {
  const where = "meanSquaredLogError";
  const { t, p, n } = columns(yTrue, yPred, where);
  for (const [name, d] of [["yTrue", t], ["yPred", p]] as const) {
    for (let i = 0; i < n; i++) if (d[i] < 0) throw new ValueError(`${where}: ${name} holds ${d[i]} at flat index ${i}; the squared log error needs values ≥ 0`);
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += (Math.log1p(t[i]) - Math.log1p(p[i])) ** 2;
  return s / n;
}

/**
 * D² of the absolute error, 1 − Σ|y − ŷ| / Σ|y − median(y)| per output: the fraction of the
 * absolute deviation explained (r2's analogue for mae). 1 when the numerator is 0, 0 when only
 * the denominator is; fewer than two rows: NaN, as scikit-learn.
 */
export function d2AbsoluteErrorScore(yTrue: Values, yPred: Values): number {
  const where = "d2AbsoluteErrorScore";
  const { rows } = columns(yTrue, yPred, where);
  if (rows < 2) return NaN;
  return perOutput(yTrue, yPred, where, (t, p) => {
    const s = Float64Array.from(t).sort();
    const m = s.length >> 1;
    // NumPy's percentile(50) interpolates b − (b − a)·0.5 for an even count.
    const med = s.length % 2 === 1 ? s[m] : s[m] - (s[m] - s[m - 1]) * 0.5;
    let num = 0;
    let den = 0;
    for (let i = 0; i < t.length; i++) {
      num += Math.abs(t[i] - p[i]);
      den += Math.abs(t[i] - med);
    }
    return num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
  });
}
