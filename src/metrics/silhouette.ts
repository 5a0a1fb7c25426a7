// The silhouette coefficient of a clustering, as scikit-learn 1.2's silhouette_score: for each
// sample, how much closer it is to its own cluster than to the nearest other one, averaged.
// Distances are computed row by row (O(n²·d) time, O(n + clusters) memory), never as an n×n matrix.
import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { labelsOf, type Values } from "./inputs.js";

export interface SilhouetteOptions {
  /** Distance between samples (default "euclidean"); "cosine" is 1 − cosine similarity (a zero row is at distance 1 from every row). */
  metric?: "euclidean" | "cosine" | "manhattan";
  /** Score a random subset of this many samples (drawn without replacement) instead of all: O(sampleSize²) time. */
  sampleSize?: number;
  /** Seed of the subset's draw (the library's generator, so not scikit-learn's random_state draw). */
  seed?: number;
  /** Generator of the subset's draw instead of `seed`. */
  rng?: Rng;
}

/**
 * Mean silhouette coefficient in [−1, 1] of samples x [n, features] (a Tensor or nested arrays)
 * clustered as `labels` [n]: per sample (b − a) / max(a, b), a its mean distance to the rest of
 * its cluster, b its mean distance to the nearest other cluster; a sample alone in its cluster
 * scores 0. Needs 2 ≤ clusters ≤ n − 1, as scikit-learn. With `sampleSize`, the score of that
 * many samples drawn without replacement from the library's generator (`seed` or `rng`, else the
 * global one) — scikit-learn's draw differs, so its subset (not the formula) does too.
 */
export function silhouetteScore(x: Tensor | readonly (readonly number[])[], labels: Values, o: SilhouetteOptions = {}): number {
  const where = "silhouetteScore";
  checkOptions(where, o, ["metric", "sampleSize", "seed", "rng"]);
  const metric = o.metric ?? "euclidean";
  if (metric !== "euclidean" && metric !== "cosine" && metric !== "manhattan") {
    throw new ValueError(`${where}: metric must be "euclidean", "cosine" or "manhattan", got ${JSON.stringify(metric)}`);
  }
  if (o.sampleSize === undefined && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`${where}: ${o.seed !== undefined ? "seed" : "rng"} has no effect without sampleSize`);
  }
  const { data, n: all, d } = matrix(where, x);
  if (labels instanceof Tensor && labels.ndim !== 1) throw new ShapeError(`${where}: labels must be [n], got [${labels.shape}]`);
  const l = labelsOf(labels, where);
  if (l.length !== all) throw new ShapeError(`${where}: x has ${all} samples, labels has ${l.length}`);
  let rows = Array.from({ length: all }, (_, i) => i);
  if (o.sampleSize !== undefined) {
    const size = positiveInt(where, "sampleSize", o.sampleSize);
    if (size > all) throw new ValueError(`${where}: sampleSize ${size} is more than the ${all} samples`);
    const rng = rngFrom({ seed: o.seed, rng: o.rng });
    rng.shuffle(rows);
    rows = rows.slice(0, size);
  }
  const n = rows.length;
  const values = [...new Set(rows.map((i) => l[i]))].sort((a, b) => a - b);
  const k = values.length;
  if (!(k >= 2 && k <= n - 1)) throw new ValueError(`${where}: ${k} cluster${k === 1 ? "" : "s"} among ${n} samples; the silhouette needs 2 to n − 1 clusters`);
  const index = new Map(values.map((v, c) => [v, c]));
  const cluster = Int32Array.from(rows, (i) => index.get(l[i])!);
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) sizes[cluster[i]]++;
  const norms = new Float64Array(n);
  if (metric === "cosine") {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += data[rows[i] * d + f] ** 2;
      norms[i] = Math.sqrt(s);
    }
  }
  const distance = (i: number, j: number): number => {
    const p = rows[i] * d, q = rows[j] * d;
    let s = 0;
    if (metric === "manhattan") {
      for (let f = 0; f < d; f++) s += Math.abs(data[p + f] - data[q + f]);
      return s;
    }
    if (metric === "euclidean") {
      for (let f = 0; f < d; f++) s += (data[p + f] - data[q + f]) ** 2;
      return Math.sqrt(s);
    }
    if (norms[i] === 0 || norms[j] === 0) return 1; // scikit-learn's normalize leaves a zero row zero: similarity 0
    for (let f = 0; f < d; f++) s += data[p + f] * data[q + f];
    return Math.min(2, Math.max(0, 1 - s / (norms[i] * norms[j])));
  };
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[cluster[j]] += distance(i, j);
    const own = cluster[i];
    if (sizes[own] === 1) continue; // alone in its cluster: 0, as scikit-learn
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c] / sizes[c]);
    const m = Math.max(a, b);
    if (m > 0) total += (b - a) / m; // a = b = 0 (duplicates of other clusters' points): 0/0 → 0, as scikit-learn
  }
  return total / n;
}

/** x as flat float64-readable values [n, d], refusing NaN and ±Infinity (scikit-learn raises on both). */
function matrix(where: string, x: unknown): { data: ArrayLike<number>; n: number; d: number } {
  let data: ArrayLike<number>, n: number, d: number;
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ShapeError(`${where}: x must be [samples, features], got [${x.shape}]`);
    [n, d] = x.shape;
    data = x.data;
  } else if (Array.isArray(x) && x.every((r) => Array.isArray(r))) {
    n = x.length;
    d = n === 0 ? 0 : (x[0] as number[]).length;
    const bad = x.findIndex((r) => (r as number[]).length !== d);
    if (bad >= 0) throw new ShapeError(`${where}: x row ${bad} has ${(x[bad] as number[]).length} features, row 0 has ${d}`);
    data = (x as number[][]).flat();
  } else {
    throw new ValueError(`${where}: x must be a Tensor [samples, features] or an array of rows`);
  }
  if (n === 0) throw new ValueError(`${where}: no samples`);
  if (d === 0) throw new ShapeError(`${where}: x has no features`);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${where}: x holds ${String(v)} at flat index ${i}; features must be finite numbers`);
  }
  return { data, n, d };
}
