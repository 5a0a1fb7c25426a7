// Regression metrics beyond mse/mae/r2, as scikit-learn 1.2 computes them: explained variance,
// MAPE, median and max absolute error, squared log error and D² of the absolute error. Inputs
// pair as in regression.ts ([n] or [n, outputs]); per-output scores are averaged uniformly.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { meanOverOutputs, weightedPairs } from "./regression.js";
import type { Values } from "./inputs.js";
import type { WeightOptions } from "./weights.js";

/** weightedPairs(), refusing NaN and ±Infinity (scikit-learn raises on both), with a column accessor. */
function columns(yTrue: Values, yPred: Values, where: string, o: WeightOptions) {
  const r = weightedPairs(yTrue, yPred, where, o);
  for (const [name, d] of [["yTrue", r.t], ["yPred", r.p]] as const) {
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) throw new ValueError(`${where}: ${name} holds ${d[i]} at flat index ${i}`);
  }
  const column = (d: ArrayLike<number>, c: number) => Float64Array.from({ length: r.rows }, (_, i) => d[i * r.outputs + c]);
  return { ...r, column };
}

/** Mean over outputs of f(true column, predicted column, weights or null). */
function perOutput(yTrue: Values, yPred: Values, where: string, o: WeightOptions, f: (t: Float64Array, p: Float64Array, w: Float64Array | null) => number): number {
  const { outputs, t, p, w, column } = columns(yTrue, yPred, where, o);
  let sum = 0;
  for (let c = 0; c < outputs; c++) sum += f(column(t, c), column(p, c), w);
  return sum / outputs;
}

/**
 * Σ wᵢ·aᵢ / Σ wᵢ (np.average), or the plain mean without weights; of equal values (among the
 * samples that weigh), that value: the rounded sum would not give it back, and a variance of
 * ~1e-32 would then be divided by.
 */
function mean(a: ArrayLike<number>, w: Float64Array | null = null): number {
  let s = 0;
  let total = 0;
  let first = NaN;
  let constant = true;
  for (let i = 0; i < a.length; i++) {
    if (w !== null && w[i] === 0) continue;
    if (Number.isNaN(first)) first = a[i];
    constant &&= a[i] === first;
  }
  if (constant) return first;
  for (let i = 0; i < a.length; i++) {
    const wi = w === null ? 1 : w[i];
    s += wi * a[i];
    total += wi;
  }
  return s / total;
}

/** Median of values (sorted copy): the mean of the middle two for an even count, as NumPy. */
function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * scikit-learn's weighted median (_weighted_percentile at 50): the smallest value whose
 * cumulative weight, in ascending order, reaches half the total — the lower median, no
 * averaging of two middle values.
 */
function weightedMedian(a: Float64Array, w: Float64Array): number {
  const order = Array.from(a.keys()).sort((i, j) => a[i] - a[j]);
  const cdf = new Float64Array(a.length);
  let s = 0;
  order.forEach((i, r) => (cdf[r] = s += w[i]));
  const half = 0.5 * s;
  let r = 0;
  while (r < a.length - 1 && cdf[r] < half) r++;
  return a[order[r]];
}

/**
 * 1 − Var(y − ŷ)/Var(y) per output (scikit-learn's force_finite): 1 when the residual variance
 * is 0, 0 when only the target's is. Unlike r2 it ignores a constant bias of the predictions.
 * With `sampleWeight`, weighted means and variances.
 */
export function explainedVarianceScore(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  return perOutput(yTrue, yPred, "explainedVarianceScore", o, (t, p, w) => {
    const diff = t.map((v, i) => v - p[i]);
    const dm = mean(diff, w);
    const num = mean(diff.map((d) => (d - dm) ** 2), w);
    const tm = mean(t, w);
    const den = mean(t.map((v) => (v - tm) ** 2), w);
    return num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
  });
}

/**
 * Mean of |y − ŷ| / max(|y|, ε) with ε = 2⁻⁵² (float64 epsilon), as scikit-learn: a fraction, not
 * a percentage; a zero target gives a huge (finite) term rather than Infinity. Weighted over rows
 * with `sampleWeight`.
 */
export function meanAbsolutePercentageError(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  return meanOverOutputs(columns(yTrue, yPred, "meanAbsolutePercentageError", o), (t, p) => Math.abs(p - t) / Math.max(Math.abs(t), Number.EPSILON));
}

/**
 * Median of |y − ŷ| per output: robust to outliers. With `sampleWeight`, scikit-learn 1.2's
 * weighted (lower) median: the smallest error whose cumulative weight reaches half the total.
 */
export function medianAbsoluteError(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  return perOutput(yTrue, yPred, "medianAbsoluteError", o, (t, p, w) => {
    const e = t.map((v, i) => Math.abs(p[i] - v));
    return w === null ? median(e) : weightedMedian(e, w);
  });
}

/** Largest |y − ŷ|: the worst case. Single output only, and no sampleWeight, as scikit-learn. */
export function maxError(yTrue: Values, yPred: Values, o: Record<string, never> = {}): number {
  // No options at all: a sampleWeight passed here is refused by name, not ignored.
  checkOptions("maxError", o, []);
  const { t, p, n, outputs } = columns(yTrue, yPred, "maxError", {});
  if (outputs > 1) throw new ValueError(`maxError: multioutput (${outputs} outputs) is not supported, as in scikit-learn; pass one column`);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(t[i] - p[i]));
  return max;
}

/**
 * Mean of (log(1 + y) − log(1 + ŷ))², weighted over rows with `sampleWeight`; negative targets
 * or predictions are refused (ValueError).
 */
export function meanSquaredLogError(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  const where = "meanSquaredLogError";
  const r = columns(yTrue, yPred, where, o);
  for (const [name, d] of [["yTrue", r.t], ["yPred", r.p]] as const) {
    for (let i = 0; i < r.n; i++) if (d[i] < 0) throw new ValueError(`${where}: ${name} holds ${d[i]} at flat index ${i}; the squared log error needs values ≥ 0`);
  }
  return meanOverOutputs(r, (t, p) => (Math.log1p(t) - Math.log1p(p)) ** 2);
}

/**
 * D² of the absolute error, 1 − Σ|y − ŷ| / Σ|y − median(y)| per output: the fraction of the
 * absolute deviation explained (r2's analogue for mae). 1 when the numerator is 0, 0 when only
 * the denominator is; fewer than two rows: NaN, as scikit-learn. With `sampleWeight`, weighted
 * sums around the weighted (lower) median, as scikit-learn 1.2.
 */
export function d2AbsoluteErrorScore(yTrue: Values, yPred: Values, o: WeightOptions = {}): number {
  const where = "d2AbsoluteErrorScore";
  const { rows } = columns(yTrue, yPred, where, o);
  if (rows < 2) return NaN;
  return perOutput(yTrue, yPred, where, o, (t, p, w) => {
    let med: number;
    if (w === null) {
      const s = Float64Array.from(t).sort();
      const m = s.length >> 1;
      // NumPy's percentile(50) interpolates b − (b − a)·0.5 for an even count.
      med = s.length % 2 === 1 ? s[m] : s[m] - (s[m] - s[m - 1]) * 0.5;
    } else {
      med = weightedMedian(t, w);
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < t.length; i++) {
      const wi = w === null ? 1 : w[i];
      num += wi * Math.abs(t[i] - p[i]);
      den += wi * Math.abs(t[i] - med);
    }
    return num === 0 ? 1 : den === 0 ? 0 : 1 - num / den;
  });
}
