import { ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { rowOrder } from "./batches.js";
import { checkTensor } from "./rows.js";

/**
 * PyTorch's map-style datasets (torch.utils.data.Dataset, TensorDataset, Subset, ConcatDataset,
 * random_split) for training loops written by hand over a DataLoader. A dataset is any object
 * with a `length` and a `get(i)` — an application's own class may read, decode or augment one
 * sample per call — so these classes are conveniences, not a base class to extend.
 */

/**
 * A sample: a Tensor, a typed array, a number, a string, or an array or plain object of samples —
 * what defaultCollate knows how to batch. A dataset may hand out anything if its loader has its
 * own collateFn.
 */
export type Sample = Tensor | TypedArray | number | string | readonly Sample[] | { readonly [key: string]: Sample };

/**
 * The map-style dataset protocol (PyTorch's `__len__` and `__getitem__`): `length` samples,
 * `get(i)` for i in [0, length). The classes here also take i in [−length, 0), counted from the
 * end as Python's indexing does.
 */
export interface MapDataset<T = unknown> {
  readonly length: number;
  get(i: number): T;
}

const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

/** i as an index into n items: an integer in [−n, n), negative ones counted from the end. */
export function checkIndex(where: string, i: unknown, n: number): number {
  if (typeof i !== "number" || !Number.isInteger(i)) throw new ValueError(`${where}: index must be an integer, got ${typeof i === "number" ? i : kindOf(i)}`);
  if (i < -n || i >= n) throw new ValueError(`${where}: index ${i} is out of range for a dataset of length ${n}`);
  return i < 0 ? i + n : i;
}

/** Refuses anything without a non-negative integer `length` and a `get` method, naming the argument. */
export function checkDataset(where: string, key: string, d: unknown): asserts d is MapDataset {
  const o = d as MapDataset | null;
  if (o === null || typeof o !== "object" || typeof o.get !== "function") {
    throw new ValueError(`${where}: ${key} must be a dataset ({ length, get(i) }), got ${kindOf(d)}`);
  }
  if (!Number.isInteger(o.length) || o.length < 0) {
    throw new ValueError(`${where}: ${key}.length must be an integer ≥ 0, got ${String(o.length)}`);
  }
}

/**
 * Samples that are rows of tensors sharing their first dimension: get(i) is
 * [t0[i], t1[i], …], each a view of row i (a 0-d tensor for a 1-D tensor's row).
 */
export class TensorDataset implements MapDataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError("TensorDataset: needs at least one tensor");
    tensors.forEach((t, k) => checkTensor("TensorDataset", `tensor ${k}`, t));
    if (tensors.some((t) => t.ndim === 0 || t.shape[0] !== tensors[0].shape[0])) {
      throw new ShapeError(`TensorDataset: every tensor needs the same first dimension, got ${tensors.map((t) => `[${t.shape}]`).join(", ")}`);
    }
    this.tensors = tensors.slice();
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(i: number): Tensor[] {
    const r = checkIndex("TensorDataset.get", i, this.length);
    return this.tensors.map((t) => t.slice(r));
  }
}

/** The samples of `dataset` at `indices`, in that order: get(i) is dataset.get(indices[i]). */
export class Subset<T = unknown> implements MapDataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: readonly number[];

  constructor(dataset: MapDataset<T>, indices: ArrayLike<number>) {
    checkDataset("Subset", "dataset", dataset);
    if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
      throw new ValueError(`Subset: indices must be an array or a typed array, got ${kindOf(indices)}`);
    }
    // Checked now, so that a bad index fails here rather than in the middle of an epoch; copied,
    // so that the caller's array may change afterwards.
    const list = Array.from(indices as ArrayLike<number>);
    list.forEach((i) => checkIndex("Subset", i, dataset.length));
    this.dataset = dataset;
    this.indices = list;
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): T {
    return this.dataset.get(this.indices[checkIndex("Subset.get", i, this.indices.length)]);
  }
}

/** Several datasets one after the other: indices 0 … n₀−1 are the first's, then the second's, … */
export class ConcatDataset<T = unknown> implements MapDataset<T> {
  readonly datasets: readonly MapDataset<T>[];
  /** Running totals of the lengths (PyTorch's cumulative_sizes), as at construction. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly MapDataset<T>[]) {
    if (!Array.isArray(datasets as unknown) || datasets.length === 0) throw new ValueError("ConcatDataset: datasets must be a non-empty array");
    datasets.forEach((d, k) => checkDataset("ConcatDataset", `datasets[${k}]`, d));
    this.datasets = datasets.slice();
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  get(i: number): T {
    const r = checkIndex("ConcatDataset.get", i, this.length);
    // The first dataset whose running total passes r (bisect_right, as PyTorch): empty ones are skipped.
    let lo = 0, hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid] <= r) lo = mid + 1;
      else hi = mid;
    }
    return this.datasets[lo].get(lo === 0 ? r : r - this.cumulativeSizes[lo - 1]);
  }
}

/**
 * The lengths randomSplit cuts n samples into. Fractions (summing to 1 within 1e-9) as PyTorch
 * 1.13: floor(n·f) each, then the remainder one by one round-robin from the first. Otherwise
 * counts, which must be integers ≥ 0 summing to n. Like PyTorch, integer lengths that sum to 1
 * are read as fractions: [1] and [0, 1] put every sample in that part.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths as unknown) || lengths.length === 0) throw new ValueError("randomSplit: lengths must be a non-empty array of counts or fractions");
  const bad = lengths.findIndex((v) => typeof v !== "number" || !Number.isFinite(v) || v < 0);
  if (bad >= 0) throw new ValueError(`randomSplit: lengths[${bad}] must be a finite number ≥ 0, got ${String(lengths[bad])}`);
  const sum = lengths.reduce((a, b) => a + b, 0);
  // PyTorch asks math.isclose(sum, 1) (relative 1e-9) and sum ≤ 1; Python's and JS's float sums
  // may differ by an ulp, so here a sum a hair above 1 is taken as fractions too.
  if (Math.abs(sum - 1) <= 1e-9) {
    const over = lengths.findIndex((f) => f > 1);
    if (over >= 0) throw new ValueError(`randomSplit: fraction at index ${over} is not between 0 and 1, got ${lengths[over]}`);
    const out = lengths.map((f) => Math.floor(n * f));
    const remainder = n - out.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) out[i % out.length] += 1;
    return out;
  }
  const frac = lengths.findIndex((v) => !Number.isInteger(v));
  if (frac >= 0) throw new ValueError(`randomSplit: fractions must sum to 1, got ${JSON.stringify(lengths)} (sum ${sum})`);
  if (sum !== n) throw new ValueError(`randomSplit: lengths ${JSON.stringify(lengths)} sum to ${sum}, not to the dataset's length ${n}`);
  return lengths.slice();
}

/**
 * Splits a dataset into non-overlapping Subsets of the given lengths (counts, or fractions
 * summing to 1), from one random permutation of all its indices: the first part takes the first
 * lengths[0] of them, and so on. The permutation comes from edgegrad's generator (`seed`, `rng`,
 * else the global one), not torch's, so a seed does not pick the same samples as in PyTorch.
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], o: RandomOptions = {}): Subset<T>[] {
  checkOptions("randomSplit", o, ["seed", "rng"]);
  checkDataset("randomSplit", "dataset", dataset);
  const sizes = splitLengths(dataset.length, lengths);
  const order = rowOrder(dataset.length, rngFrom(o));
  let at = 0;
  return sizes.map((k) => new Subset(dataset, order.slice(at, (at += k))));
}
