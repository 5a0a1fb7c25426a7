import { boolean, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { rngFrom, type RandomOptions, type Tensor } from "../ndarray/index.js";
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
 * Mini-batches over the rows of x (and y), one pass: call again for the next epoch (with the
 * same `rng` the order differs each epoch; with the same `seed` it repeats). Rows are copied per
 * batch, so the data stays untouched and a batch is contiguous.
 */
export function batches(x: Tensor, y?: Tensor, o: BatchOptions = {}): IterableIterator<Batch> {
  checkOptions("batches", o, ["batchSize", "shuffle", "dropLast", "seed", "rng"]);
  checkSameRows(x, y, "batches");
  const batchSize = o.batchSize ?? 32;
  positiveInt("batches", "batchSize", batchSize);
  const n = x.shape[0];
  const order = Array.from({ length: n }, (_, i) => i);
  // Arguments are checked and the order drawn now, at the call, not at the first next().
  const shuffle = boolean("batches", "shuffle", o.shuffle ?? false);
  if (!shuffle && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`batches: ${o.seed !== undefined ? "seed" : "rng"} has no effect without shuffle: true`);
  }
  if (shuffle) rngFrom(o).shuffle(order);
  const dropLast = boolean("batches", "dropLast", o.dropLast ?? false);
  // A view (permuted, sliced) hands out its elements as a fresh copy of the whole tensor at every
  // read: copied once here, not once per batch (a permuted image set took minutes per epoch).
  const xs = x.contiguous(), ys = y?.contiguous();
  return (function* () {
    for (let start = 0; start < n; start += batchSize) {
      const indices = order.slice(start, start + batchSize);
      if (dropLast && indices.length < batchSize) return;
      yield ys ? { x: takeRows(xs, indices), y: takeRows(ys, indices), indices } : { x: takeRows(xs, indices), indices };
    }
  })();
}
