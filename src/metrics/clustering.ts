// Agreement between two clusterings (or a clustering and class labels), as scikit-learn 1.2's
// rand_score, adjusted_rand_score, mutual_info_score, normalized_mutual_info_score and
// adjusted_mutual_info_score. Only which samples share a label matters, not the label values:
// each score works from the contingency table of the two labellings, kept sparse.
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { expectedMutualInformation } from "./expected-mutual-info.js";
import { labelsOf, type Values } from "./inputs.js";

export type AverageMethod = "min" | "geometric" | "arithmetic" | "max";

export interface MutualInfoOptions {
  /** How the two entropies combine into the normalizer (default "arithmetic", scikit-learn's). */
  averageMethod?: AverageMethod;
}

interface Contingency {
  n: number;
  /** Samples per class (labelsTrue) and per cluster (labelsPred), in ascending label order. */
  a: Float64Array;
  b: Float64Array;
  /** The nonzero cells, row-major: row, column, count. */
  rows: Int32Array;
  cols: Int32Array;
  counts: Float64Array;
}

/** One labelling as ascending-label indices 0..k−1 and the count of each. */
function encode(where: string, v: Values, name: string): { idx: Int32Array; sizes: Float64Array } {
  if (v instanceof Tensor && v.ndim !== 1) throw new ShapeError(`${where}: ${name} must be 1-D labels [n], got [${v.shape}]`);
  const l = labelsOf(v, where);
  const values = [...new Set(Array.from(l))].sort((x, y) => x - y);
  const index = new Map(values.map((x, i) => [x, i]));
  const idx = Int32Array.from(l, (x) => index.get(x)!);
  const sizes = new Float64Array(values.length);
  for (let i = 0; i < idx.length; i++) sizes[idx[i]]++;
  return { idx, sizes };
}

function contingency(where: string, labelsTrue: Values, labelsPred: Values): Contingency {
  const t = encode(where, labelsTrue, "labelsTrue");
  const p = encode(where, labelsPred, "labelsPred");
  const n = t.idx.length;
  if (p.idx.length !== n) throw new ShapeError(`${where}: labelsTrue has ${n} labels, labelsPred has ${p.idx.length}`);
  if (n === 0) throw new ValueError(`${where}: no samples`);
  const C = p.sizes.length;
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = t.idx[i] * C + p.idx[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const keys = [...cells.keys()].sort((x, y) => x - y);
  return {
    n, a: t.sizes, b: p.sizes,
    rows: Int32Array.from(keys, (k) => Math.floor(k / C)),
    cols: Int32Array.from(keys, (k) => k % C),
    counts: Float64Array.from(keys, (k) => cells.get(k)!),
  };
}

const sumSquares = (v: Float64Array) => v.reduce((s, x) => s + BigInt(x) ** 2n, 0n);

/**
 * scikit-learn's pair confusion matrix: ordered pairs of distinct samples (each unordered pair
 * twice) that share a class and/or a cluster — tp both, fp only a cluster, fn only a class, tn
 * neither. In BigInt: its counts grow as n² and the adjusted Rand index multiplies two of them.
 */
function pairCounts(c: Contingency): { tn: bigint; fp: bigint; fn: bigint; tp: bigint } {
  const n = BigInt(c.n);
  const cells = sumSquares(c.counts);
  const tp = cells - n;
  const fp = sumSquares(c.b) - cells;
  const fn = sumSquares(c.a) - cells;
  return { tn: n * n - fp - fn - cells, fp, fn, tp };
}

/**
 * Rand index in [0, 1]: the fraction of sample pairs on which the labellings agree (together in
 * both, or apart in both). 1 for a single sample.
 */
export function randScore(labelsTrue: Values, labelsPred: Values): number {
  const { tn, fp, fn, tp } = pairCounts(contingency("randScore", labelsTrue, labelsPred));
  const agree = tp + tn, pairs = tp + tn + fp + fn;
  // NumPy divides its int64 counts as float64, exact below 2⁵³.
  return agree === pairs || pairs === 0n ? 1 : Number(agree) / Number(pairs);
}

/**
 * Adjusted Rand index: the Rand index corrected for chance, 1 for identical partitions (up to
 * renaming), about 0 for independent ones, down to −0.5. Symmetric. Computed from exact integer
 * pair counts, rounded as scikit-learn: 2.0 · float(tp·tn − fn·fp) / float(denominator).
 */
export function adjustedRandScore(labelsTrue: Values, labelsPred: Values): number {
  const { tn, fp, fn, tp } = pairCounts(contingency("adjustedRandScore", labelsTrue, labelsPred));
  if (fn === 0n && fp === 0n) return 1;
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** MI of a contingency table in nats, scikit-learn's terms in its order (each below ε set to 0). */
function mutualInfo(c: Contingency): number {
  if (c.a.length === 1 || c.b.length === 1) return 0;
  const logN = Math.log(c.n);
  let mi = 0;
  for (let z = 0; z < c.counts.length; z++) {
    const nij = c.counts[z];
    const pij = nij / c.n;
    const logOuter = -Math.log(c.a[c.rows[z]] * c.b[c.cols[z]]) + logN + logN;
    const term = pij * (Math.log(nij) - logN) + pij * logOuter;
    if (Math.abs(term) >= 2 ** -52) mi += term;
  }
  return Math.max(mi, 0);
}

/** Entropy in nats of a labelling with these class sizes (0 for a single class). */
function entropy(sizes: Float64Array, n: number): number {
  if (sizes.length === 1) return 0;
  const logN = Math.log(n);
  let h = 0;
  for (let i = 0; i < sizes.length; i++) h += (sizes[i] / n) * (Math.log(sizes[i]) - logN);
  return -h;
}

function averageOf(where: string, o: MutualInfoOptions): (u: number, v: number) => number {
  checkOptions(where, o, ["averageMethod"]);
  const m = o.averageMethod ?? "arithmetic";
  if (m === "min") return Math.min;
  if (m === "geometric") return (u, v) => Math.sqrt(u * v);
  if (m === "arithmetic") return (u, v) => (u + v) / 2;
  if (m === "max") return Math.max;
  throw new ValueError(`${where}: averageMethod must be "min", "geometric", "arithmetic" or "max", got ${JSON.stringify(m)}`);
}

/** Mutual information between two labellings, in nats (natural log); 0 when either is a single cluster. */
export function mutualInfoScore(labelsTrue: Values, labelsPred: Values): number {
  return mutualInfo(contingency("mutualInfoScore", labelsTrue, labelsPred));
}

/**
 * Mutual information divided by an average of the two entropies (`averageMethod`), in [0, 1].
 * 1 when both labellings are a single cluster; 0 when the mutual information is 0.
 */
export function normalizedMutualInfoScore(labelsTrue: Values, labelsPred: Values, o: MutualInfoOptions = {}): number {
  const where = "normalizedMutualInfoScore";
  const average = averageOf(where, o);
  const c = contingency(where, labelsTrue, labelsPred);
  if (c.a.length === 1 && c.b.length === 1) return 1;
  const mi = mutualInfo(c);
  if (mi === 0) return 0;
  return mi / average(entropy(c.a, c.n), entropy(c.b, c.n));
}

/**
 * Adjusted mutual information: (MI − E[MI]) / (average entropy − E[MI]), E[MI] the mutual
 * information expected by chance (hypergeometric model, as scikit-learn). 1 for identical
 * partitions (and when both are a single cluster), about 0 for independent ones; can be negative.
 * The denominator is kept at least ε away from 0 as scikit-learn does. Time O(n · min(classes, clusters)).
 */
export function adjustedMutualInfoScore(labelsTrue: Values, labelsPred: Values, o: MutualInfoOptions = {}): number {
  const where = "adjustedMutualInfoScore";
  const average = averageOf(where, o);
  const c = contingency(where, labelsTrue, labelsPred);
  if (c.a.length === 1 && c.b.length === 1) return 1;
  const mi = mutualInfo(c);
  const emi = expectedMutualInformation(c.a, c.b, c.n);
  let denominator = average(entropy(c.a, c.n), entropy(c.b, c.n)) - emi;
  denominator = denominator < 0 ? Math.min(denominator, -(2 ** -52)) : Math.max(denominator, 2 ** -52);
  return (mi - emi) / denominator;
}
