import { boolean, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import type { RandomOptions, Rng, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { indexBatches, rowOrder, shuffleSource } from "./batches.js";
import { defaultCollate, type Collated } from "./collate.js";
import { checkDataset, checkIndex, Subset, TensorDataset, type MapDataset } from "./dataset.js";
import { takeRows } from "./rows.js";

/**
 * PyTorch's DataLoader (torch.utils.data, 1.13 semantics, single process): batches of samples
 * from a map-style dataset for a training loop written by hand, `for (const [x, y] of loader)`.
 * Each for…of is one epoch; with shuffle, each epoch's order is drawn from the loader's generator.
 */

export interface DataLoaderOptions<T = unknown, B = unknown> extends RandomOptions {
  /** Samples per batch (default 1); null yields the samples one by one, uncollated (PyTorch's batch_size=None). */
  batchSize?: number | null;
  /** A new random order each pass (default false). With `seed`, the same sequence of orders for the same seed. */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Makes a batch of a list of samples (default defaultCollate); with batchSize null, is given each sample alone. */
  collateFn?: (samples: T[]) => B;
  /** The indices of one pass, in order, instead of 0 … length−1; iterated anew each pass. Excludes shuffle. */
  sampler?: Iterable<number> & { readonly length?: number };
  /** Each pass's batches of indices, iterated anew each pass. Excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: Iterable<readonly number[]> & { readonly length?: number };
}

const OPTIONS = ["batchSize", "shuffle", "dropLast", "collateFn", "sampler", "batchSampler", "seed", "rng"];

/**
 * Refuses what is not iterable, and a one-shot iterator (a generator object), which would give
 * the second epoch nothing: a sampler must start a new pass at each [Symbol.iterator]().
 */
function checkReiterable(key: string, v: unknown): void {
  const iterate = (v as Iterable<unknown> | null)?.[Symbol.iterator];
  if (v === null || typeof v !== "object" || typeof iterate !== "function") {
    throw new ValueError(`DataLoader: ${key} must be iterable (an array, or an object with [Symbol.iterator]), got ${v === null ? "null" : typeof v}`);
  }
  if (typeof (v as Iterator<unknown>).next === "function" && iterate.call(v) === v) {
    throw new ValueError(`DataLoader: ${key} is a one-shot iterator, which would leave every epoch after the first empty; give an array or an object whose [Symbol.iterator] starts a new pass`);
  }
}

/**
 * The rows at `indices` of every tensor behind a TensorDataset (or Subsets of one), gathered
 * per tensor as `batches` does: what defaultCollate would make of the samples, without a view
 * per sample. null for any other dataset, or when a tensor requires grad (the stack is recorded then).
 */
function rowGatherer(d: MapDataset): ((indices: readonly number[]) => Tensor[]) | null {
  if (d instanceof TensorDataset) {
    if (d.tensors.some((t) => t.requiresGrad)) return null;
    // A view's elements are copied out at every read: once per pass here, not once per batch.
    const tensors = d.tensors.map((t) => t.contiguous());
    const n = d.length;
    return (indices) => {
      const rows = indices.map((i) => checkIndex("TensorDataset.get", i, n));
      return tensors.map((t) => takeRows(t, rows, "DataLoader"));
    };
  }
  if (d instanceof Subset) {
    const inner = rowGatherer(d.dataset as MapDataset);
    return inner && ((indices) => inner(indices.map((i) => d.indices[checkIndex("Subset.get", i, d.length)])));
  }
  return null;
}

/**
 * Iterable batches of a map-style dataset ({ length, get(i) }). Options are checked at
 * construction, as PyTorch does; the dataset is read while iterating. Differences from PyTorch:
 * no worker processes (numWorkers and its companions are unknown options), a seed or rng
 * without shuffle is refused (it would have no effect), and defaultCollate makes float32 of numbers.
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B> {
  readonly dataset: MapDataset<T>;
  /** null when batches come from a batchSampler, or with batchSize: null. */
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: (Iterable<number> & { readonly length?: number }) | null;
  readonly batchSampler: (Iterable<readonly number[]> & { readonly length?: number }) | null;
  private readonly collateFn: ((samples: T[]) => B) | null;
  private readonly shuffle: (() => Rng) | null;

  constructor(dataset: MapDataset<T>, o: DataLoaderOptions<T, B> = {}) {
    checkOptions("DataLoader", o, OPTIONS);
    checkDataset("DataLoader", "dataset", dataset);
    let batchSize = o.batchSize === undefined ? 1 : o.batchSize;
    if (batchSize !== null) positiveInt("DataLoader", "batchSize", batchSize);
    const shuffle = shuffleSource("DataLoader", o);
    const dropLast = boolean("DataLoader", "dropLast", o.dropLast ?? false);
    if (o.collateFn !== undefined && typeof o.collateFn !== "function") throw new ValueError(`DataLoader: collateFn must be a function, got ${typeof o.collateFn}`);
    if (o.sampler !== undefined) checkReiterable("sampler", o.sampler);
    if (o.batchSampler !== undefined) checkReiterable("batchSampler", o.batchSampler);
    // PyTorch's exclusions, in its order and words.
    if (o.sampler !== undefined && shuffle) throw new ValueError("DataLoader: sampler option is mutually exclusive with shuffle");
    if (o.batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || o.sampler !== undefined || dropLast) {
        throw new ValueError("DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast");
      }
      batchSize = null;
    } else if (batchSize === null && dropLast) {
      throw new ValueError("DataLoader: batchSize null disables batching and is mutually exclusive with dropLast");
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.sampler = o.sampler ?? null;
    this.batchSampler = o.batchSampler ?? null;
    this.collateFn = o.collateFn ?? null;
    this.shuffle = shuffle;
  }

  /** Batches per pass (PyTorch's len(loader)); samples per pass with batchSize null. */
  get length(): number {
    const count = (v: { readonly length?: number }, key: string): number => {
      if (typeof v.length !== "number") throw new ValueError(`DataLoader.length: the ${key} has no length`);
      return v.length;
    };
    if (this.batchSampler) return count(this.batchSampler, "batchSampler");
    const samples = this.sampler ? count(this.sampler, "sampler") : this.dataset.length;
    if (this.batchSize === null) return samples;
    return this.dropLast ? Math.floor(samples / this.batchSize) : Math.ceil(samples / this.batchSize);
  }

  /** One pass over the data: a new order (with shuffle) each time it is called. */
  *[Symbol.iterator](): IterableIterator<B> {
    const indices: Iterable<number> = this.sampler ?? rowOrder(this.dataset.length, this.shuffle && this.shuffle());
    const collate = this.collateFn;
    if (this.batchSampler === null && this.batchSize === null) {
      // No batching: each sample as get(i) gave it, or through collateFn alone.
      for (const i of indices) {
        const sample = this.dataset.get(i);
        yield collate ? collate(sample as never) : (sample as unknown as B);
      }
      return;
    }
    const rows = collate ? null : rowGatherer(this.dataset);
    for (const group of this.batchSampler ?? indexBatches(indices, this.batchSize!, this.dropLast)) {
      const batch = Array.from(group);
      if (rows) {
        yield rows(batch) as B;
        continue;
      }
      const samples = batch.map((i) => this.dataset.get(i));
      yield collate ? collate(samples) : (defaultCollate(samples) as B);
    }
  }
}
