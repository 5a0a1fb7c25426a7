// Discounted cumulative gain and its normalized form, as scikit-learn 1.2's dcg_score and
// ndcg_score: each sample ranks its labels by score and sums their relevance discounted by
// 1 / log(rank + 1), tied scores sharing the average relevance of their group.
import { boolean, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Values } from "./inputs.js";
import { rankingInputs } from "./ranking-inputs.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

export interface NdcgOptions extends WeightOptions {
  /** Only the k highest-ranked labels count (default: all). */
  k?: number;
  /**
   * Rank tied scores in one arbitrary order instead of averaging over their permutations
   * (faster; default false). Here the later label of a tie ranks first, which is what scikit-learn
   * gives for rows of up to 16 labels (NumPy leaves the order of ties unspecified).
   */
  ignoreTies?: boolean;
}

export interface DcgOptions extends NdcgOptions {
  /** Base of the logarithm of the discount (default 2). */
  logBase?: number;
}

/** 1 / log_base(rank + 1) for ranks 1..L, zero past k (scikit-learn's expression, so its roundings). */
function discounts(L: number, k: number, logBase: number): Float64Array {
  const d = new Float64Array(L);
  const lb = Math.log(logBase);
  for (let r = 0; r < Math.min(k, L); r++) d[r] = 1 / (Math.log(r + 2) / lb);
  return d;
}

/** DCG of one row (t, s at offset o, L labels). */
function rowDcg(t: ArrayLike<number>, s: ArrayLike<number>, o: number, L: number, discount: Float64Array, cumulative: Float64Array, ignoreTies: boolean): number {
  const order = Array.from({ length: L }, (_, j) => j);
  if (ignoreTies) {
    // NumPy's argsort ascending (stable for short rows), reversed: the later of tied labels first.
    order.sort((a, b) => s[o + b] - s[o + a] || b - a);
    let gain = 0;
    for (let r = 0; r < L; r++) gain += discount[r] * t[o + order[r]];
    return gain;
  }
  // Compare, don't subtract: Infinity − Infinity is NaN and would corrupt the sort.
  order.sort((a, b) => (s[o + b] > s[o + a] ? 1 : s[o + b] < s[o + a] ? -1 : a - b));
  // A group of g tied labels at ranks r..r+g−1 gets its mean relevance times the sum of their discounts.
  let gain = 0;
  let before = 0;
  for (let r = 0; r < L; ) {
    let end = r;
    let relevance = 0;
    while (end < L && s[o + order[end]] === s[o + order[r]]) relevance += t[o + order[end++]];
    const sum = cumulative[end - 1];
    gain += (relevance / (end - r)) * (r === 0 ? sum : sum - before);
    before = sum;
    r = end;
  }
  return gain;
}

function dcgRows(where: string, yTrue: Values, yScore: Values, o: DcgOptions, logBase: number, normalize: boolean): number {
  const { n, L, t, s } = rankingInputs(where, yTrue, yScore, normalize ? "nonNegative" : "relevance");
  const k = o.k === undefined ? L : positiveInt(where, "k", o.k);
  const ignoreTies = o.ignoreTies === undefined ? false : boolean(where, "ignoreTies", o.ignoreTies);
  const w = sampleWeights(where, o.sampleWeight, n, true);
  const discount = discounts(L, k, logBase);
  const cumulative = new Float64Array(L);
  for (let r = 0, c = 0; r < L; r++) cumulative[r] = c += discount[r];
  const gains = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let g = rowDcg(t, s, i * L, L, discount, cumulative, ignoreTies);
    if (normalize) {
      // The ideal DCG ranks by relevance itself, where ties do not change the sum.
      const ideal = rowDcg(t, t, i * L, L, discount, cumulative, true);
      g = ideal === 0 ? 0 : g / ideal;
    }
    gains[i] = g;
  }
  return weightedMean(n, w, (i) => gains[i]);
}

/**
 * Discounted cumulative gain: per sample Σ relevance(rank r) / log_logBase(r + 1) over the labels
 * ranked by yScore (descending; ties averaged unless `ignoreTies`), the first k ranks only when
 * `k` is given, averaged over samples (weighted by `sampleWeight`). yTrue [n, labels] holds
 * relevance grades (any finite numbers), yScore [n, labels] the scores.
 */
export function dcgScore(yTrue: Values, yScore: Values, o: DcgOptions = {}): number {
  const where = "dcgScore";
  checkOptions(where, o, ["k", "logBase", "ignoreTies", "sampleWeight"]);
  const logBase = o.logBase ?? 2;
  if (typeof logBase !== "number" || !(logBase > 0) || logBase === 1 || !Number.isFinite(logBase)) {
    throw new ValueError(`${where}: logBase must be a finite number > 0 other than 1, got ${String(logBase)}`);
  }
  return dcgRows(where, yTrue, yScore, o, logBase, false);
}

/**
 * Normalized DCG in [0, 1]: each sample's DCG divided by the DCG of its ideal ranking (by yTrue
 * itself), 0 for a sample without relevant labels, averaged over samples (weighted by
 * `sampleWeight`). yTrue holds relevance ≥ 0: a negative grade is refused (ValueError), where
 * scikit-learn 1.2 warns and ≥ 1.4 raises.
 */
export function ndcgScore(yTrue: Values, yScore: Values, o: NdcgOptions = {}): number {
  const where = "ndcgScore";
  checkOptions(where, o, ["k", "ignoreTies", "sampleWeight"]);
  return dcgRows(where, yTrue, yScore, o, 2, true);
}
