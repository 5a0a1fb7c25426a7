import { boolean, inRange, nonNegativeInt, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/**
 * Next-token training data from one long sequence of token ids: windows of contextLength ids as
 * inputs, the same windows shifted by one as targets.
 */

const MAX_ID = 2 ** 31 - 1;

/**
 * The ids as an Int32Array. Every id must be an integer in [0, 2³¹ − 1]: a plain array is
 * checked before it is copied (Int32Array.from would wrap 2³² + 5 to 5), and negative ids are
 * refused whatever holds them, as no embedding has a row for them.
 */
function idArray(ids: unknown, where: string): Int32Array {
  let a: Int32Array;
  if (ids instanceof Int32Array) a = ids;
  else if (ids instanceof Tensor) {
    if (ids.ndim !== 1 || ids.dtype !== "int32") throw new ValueError(`${where}: ids must be a 1-D int32 tensor, got ${ids.dtype} [${ids.shape}]`);
    a = ids.contiguous().data as Int32Array;
  } else if (Array.isArray(ids)) {
    ids.forEach((v, i) => {
      if (!(typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_ID)) {
        throw new ValueError(`${where}: id ${typeof v === "string" ? JSON.stringify(v) : String(v)} at index ${i} is not a token id (an integer in [0, ${MAX_ID}])`);
      }
    });
    return Int32Array.from(ids as number[]);
  } else throw new ValueError(`${where}: ids must be an Int32Array, an int32 tensor or an array of integers`);
  const bad = a.findIndex((v) => v < 0);
  if (bad >= 0) throw new ValueError(`${where}: id ${a[bad]} at index ${bad} is not a token id (an integer in [0, ${MAX_ID}])`);
  return a;
}

export interface SequenceSplit {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * The first (1 − validationFraction) of the ids for training, the rest for validation: a split
 * by position, so no validation window overlaps a training one (a random split of overlapping
 * windows would leak the validation text into training).
 */
export function splitSequence(ids: Int32Array | Tensor | number[], validationFraction = 0.1): SequenceSplit {
  const a = idArray(ids, "splitSequence");
  inRange("splitSequence", "validationFraction", validationFraction, 0, 1);
  // Rounded down, as Keras's validation_split and fit's: a fraction > 0 of a few ids still leaves
  // some for validation (rounding to nearest left none of 4 ids at 0.1).
  const cut = Math.floor(a.length * (1 - validationFraction));
  return { train: a.subarray(0, cut), validation: a.subarray(cut) };
}

export interface LanguageModelBatchOptions extends RandomOptions {
  contextLength: number;
  batchSize?: number;
  /** Visit windows in a seeded random order (default true). */
  shuffle?: boolean;
  /** Distance between window starts (default contextLength: windows do not overlap). */
  stride?: number;
  /** Skip a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

export interface LanguageModelBatch {
  /** [batch, contextLength] int32 input ids. */
  x: Tensor;
  /** [batch, contextLength] int32 targets: x shifted one position left, y[b][t] = ids[start + t + 1]. */
  y: Tensor;
  /** Where each window starts in ids. */
  starts: number[];
}

/** How many windows `languageModelBatches` makes of n ids: every start s with s + contextLength < n. */
export function countWindows(n: number, contextLength: number, stride = contextLength): number {
  nonNegativeInt("countWindows", "n", n);
  positiveInt("countWindows", "contextLength", contextLength);
  positiveInt("countWindows", "stride", stride);
  return n > contextLength ? Math.floor((n - contextLength - 1) / stride) + 1 : 0;
}

/**
 * One epoch of next-token batches over ids. Windows start at 0, stride, 2·stride, … as long as
 * the target window fits; the order is drawn at the call (with the same `rng`, the order differs
 * each epoch; with the same `seed` it repeats).
 */
export function languageModelBatches(ids: Int32Array | Tensor | number[], o: LanguageModelBatchOptions): IterableIterator<LanguageModelBatch> {
  checkOptions("languageModelBatches", o, ["contextLength", "batchSize", "shuffle", "stride", "dropLast", "seed", "rng"]);
  const a = idArray(ids, "languageModelBatches");
  const T = positiveInt("languageModelBatches", "contextLength", o?.contextLength);
  const batchSize = positiveInt("languageModelBatches", "batchSize", o.batchSize ?? 32);
  const stride = positiveInt("languageModelBatches", "stride", o.stride ?? T);
  const count = countWindows(a.length, T, stride);
  if (count === 0) throw new ValueError(`languageModelBatches: ${a.length} ids make no window of contextLength ${T} plus one target`);
  const starts = Array.from({ length: count }, (_, i) => i * stride);
  const dropLast = boolean("languageModelBatches", "dropLast", o.dropLast ?? false);
  const shuffle = boolean("languageModelBatches", "shuffle", o.shuffle ?? true);
  if (!shuffle && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`languageModelBatches: ${o.seed !== undefined ? "seed" : "rng"} has no effect with shuffle: false`);
  }
  if (shuffle) rngFrom(o).shuffle(starts);
  return (function* () {
    for (let b = 0; b < count; b += batchSize) {
      const chunk = starts.slice(b, b + batchSize);
      if (dropLast && chunk.length < batchSize) return;
      const x = new Int32Array(chunk.length * T);
      const y = new Int32Array(chunk.length * T);
      chunk.forEach((s, i) => {
        x.set(a.subarray(s, s + T), i * T);
        y.set(a.subarray(s + 1, s + T + 1), i * T);
      });
      yield { x: new Tensor(x, "int32", [chunk.length, T]), y: new Tensor(y, "int32", [chunk.length, T]), starts: chunk };
    }
  })();
}
