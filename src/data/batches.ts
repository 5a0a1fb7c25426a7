import { boolean, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { rngFrom, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { checkSameRows, takeRows } from "./rows.js";

export interface BatchOptions extends RandomOptions {
  batchSize?: number;
  /** Visit rows in a seeded random order (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

export interface Batch {
  x: Tensor;
  /** Present when y was given. */
  y?: Tensor;
  /** Rows of the original data in this batch. */
  indices: number[];
}

/**
 * The generator a shuffling batcher draws its orders from, or null without shuffle (a seed or
 * rng is then refused: it would have no effect). A seed makes one generator now, so successive
 * draws from it give successive epochs' orders; without seed or rng the global generator is
 * looked up at each draw, so a later manualSeed still reaches it. Shared by batches and DataLoader.
 */
export function shuffleSource(where: string, o: RandomOptions & { shuffle?: boolean }): (() => Rng) | null {
  const shuffle = boolean(where, "shuffle", o.shuffle ?? false);
  if (!shuffle && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`${where}: ${o.seed !== undefined ? "seed" : "rng"} has no effect without shuffle: true`);
  }
  if (!shuffle) return null;
  if (o.seed === undefined && o.rng === undefined) return () => rngFrom(undefined);
  const rng = rngFrom(o);
  return () => rng;
}

/** 0 … n−1, shuffled by the generator when there is one (Fisher–Yates). */
export function rowOrder(n: number, rng: Rng | null): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  rng?.shuffle(order);
  return order;
}

/** Consecutive groups of batchSize indices, the last one shorter unless dropLast (PyTorch's BatchSampler). */
export function* indexBatches(indices: Iterable<number>, batchSize: number, dropLast: boolean): Generator<number[]> {
  let batch: number[] = [];
  for (const i of indices) {
    batch.push(i);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0 && !dropLast) yield batch;
}

/**
 * Mini-batches over the rows of x (and y), one pass: call again for the next epoch (with the
 * same `rng` the order differs each epoch; with the same `seed` it repeats). Rows are copied per
 * batch, so the data stays untouched and a batch is contiguous.
 */
export function batches(x: Tensor, y?: Tensor, o: BatchOptions = {}): IterableIterator<Batch> {
  checkOptions("batches", o, ["batchSize", "shuffle", "dropLast", "seed", "rng"]);
  checkSameRows(x, y, "batches");
  const batchSize = o.batchSize ?? 32;
  positiveInt("batches", "batchSize", batchSize);
  // Arguments are checked and the order drawn now, at the call, not at the first next().
  const source = shuffleSource("batches", o);
  const order = rowOrder(x.shape[0], source && source());
  const dropLast = boolean("batches", "dropLast", o.dropLast ?? false);
  // A view (permuted, sliced) hands out its elements as a fresh copy of the whole tensor at every
  // read: copied once here, not once per batch (a permuted image set took minutes per epoch).
  const xs = x.contiguous(), ys = y?.contiguous();
  return (function* () {
    for (const indices of indexBatches(order, batchSize, dropLast)) {
      yield ys ? { x: takeRows(xs, indices), y: takeRows(ys, indices), indices } : { x: takeRows(xs, indices), indices };
    }
  })();
}
