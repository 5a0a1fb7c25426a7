import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/**
 * ctcLoss's arguments read and checked in one place, before any work: the log-probabilities'
 * layout, each sample's input and target lengths, and each sample's labels from a padded [N, S]
 * or a concatenated 1-D target. PyTorch 1.13 leaves a label out of range, a label equal to the
 * blank and a negative length unchecked (undefined results); here each is a ValueError.
 */

/** Lengths as PyTorch takes them: an integer tensor, or numbers (one number for a single sample). */
export type CtcLengths = Tensor | readonly number[] | number;

export interface CtcBatch {
  /** Frames T, batch N (1 when unbatched), classes C. */
  readonly frames: number;
  readonly batch: number;
  readonly classes: number;
  /** Whether logProbs was [T, C]: "none" then gives a 0-d loss. */
  readonly unbatched: boolean;
  readonly inputLengths: Int32Array;
  /** Each sample's target labels (its first targetLengths[b] values). */
  readonly labels: Int32Array[];
}

/** Whole numbers ≥ 0 from a tensor or numbers; `what` names them in errors. */
function wholeNumbers(name: string, what: string, v: unknown): number[] {
  let values: number[];
  if (v instanceof Tensor) {
    if (v.dtype === "bool") throw new DTypeError(`${name}: ${what} must hold integers, got dtype bool`);
    if (v.ndim > 1) throw new ShapeError(`${name}: ${what} must be 0-d or 1-d, got shape [${v.shape}]`);
    values = Array.from(v.contiguous().data as ArrayLike<number>, Number);
  } else if (typeof v === "number") values = [v];
  else if (Array.isArray(v)) values = v as number[];
  else throw new ValueError(`${name}: ${what} must be a Tensor or an array of integers, got ${v === null ? "null" : typeof v}`);
  values.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0) {
      throw new ValueError(`${name}: ${what} must be integers ≥ 0, got ${String(x)} at index ${i}`);
    }
  });
  return values;
}

function lengthsOf(name: string, what: string, v: CtcLengths, batch: number): Int32Array {
  const values = wholeNumbers(name, what, v);
  if (values.length !== batch) {
    throw new ShapeError(`${name}: ${what} must hold one length per sample (${batch}), got ${values.length}`);
  }
  return Int32Array.from(values);
}

/** Sample b's labels, each a class in [0, C) other than the blank; `at` names its place in targets. */
function checkedLabels(name: string, values: number[], start: number, length: number, classes: number, blank: number,
                       at: (i: number) => string): Int32Array {
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[start + i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(`${name}: target ${v} at ${at(i)} is not a class index in [0, ${classes})`);
    }
    if (v === blank) throw new ValueError(`${name}: target at ${at(i)} is the blank label ${blank}`);
    out[i] = v;
  }
  return out;
}

/** Each sample's labels from padded [N, S] (S ≥ every target length) or concatenated Σ targetLengths targets. */
function labelsOf(name: string, targets: unknown, targetLengths: Int32Array, classes: number, blank: number): Int32Array[] {
  if (!(targets instanceof Tensor)) throw new ValueError(`${name}: targets must be a Tensor`);
  if (targets.dtype === "bool") throw new DTypeError(`${name}: targets must hold integers, got dtype bool`);
  const values = Array.from(targets.contiguous().data as ArrayLike<number>, Number);
  const batch = targetLengths.length;
  if (targets.ndim === 1) {
    const total = targetLengths.reduce((a, b) => a + b, 0);
    if (targets.shape[0] !== total) {
      throw new ShapeError(`${name}: concatenated targets must hold sum(targetLengths) = ${total} labels, got shape [${targets.shape}]`);
    }
    let start = 0;
    return Array.from(targetLengths, (length) => {
      const from = start;
      start += length;
      return checkedLabels(name, values, from, length, classes, blank, (i) => `index ${from + i}`);
    });
  }
  if (targets.ndim !== 2 || targets.shape[0] !== batch) {
    throw new ShapeError(`${name}: targets must be padded [N, S] with N = ${batch} or concatenated 1-d, got shape [${targets.shape}]`);
  }
  const width = targets.shape[1];
  return Array.from(targetLengths, (length, b) => {
    if (length > width) throw new ShapeError(`${name}: targetLengths[${b}] = ${length} exceeds the padded targets' width S = ${width} (shape [${targets.shape}])`);
    return checkedLabels(name, values, b * width, length, classes, blank, (i) => `[${b}, ${i}]`);
  });
}

/** The blank: an integer class index of this C. */
export function checkBlank(name: string, blank: unknown, classes?: number): number {
  const ok = typeof blank === "number" && Number.isInteger(blank) && blank >= 0 && (classes === undefined || blank < classes);
  if (!ok) {
    const range = classes === undefined ? "an integer ≥ 0" : `a class index in [0, ${classes})`;
    throw new ValueError(`${name}: blank must be ${range}, got ${String(blank)}`);
  }
  return blank as number;
}

/** logProbs [T, N, C] or [T, C] and the rest checked against it. */
export function readCtcBatch(name: string, logProbs: unknown, targets: unknown, inputLengths: CtcLengths,
                             targetLengths: CtcLengths, blankOption: unknown): CtcBatch {
  if (!(logProbs instanceof Tensor)) throw new ValueError(`${name}: logProbs must be a Tensor`);
  if (logProbs.dtype !== "float32" && logProbs.dtype !== "float64") {
    throw new DTypeError(`${name}: logProbs must be float32 or float64, got ${logProbs.dtype}`);
  }
  if (logProbs.ndim !== 2 && logProbs.ndim !== 3) {
    throw new ShapeError(`${name}: logProbs must be [T, N, C] or unbatched [T, C], got shape [${logProbs.shape}]`);
  }
  const unbatched = logProbs.ndim === 2;
  const frames = logProbs.shape[0], batch = unbatched ? 1 : logProbs.shape[1], classes = logProbs.shape[logProbs.ndim - 1];
  const blank = checkBlank(name, blankOption, classes);
  const inputs = lengthsOf(name, "inputLengths", inputLengths, batch);
  const targetLens = lengthsOf(name, "targetLengths", targetLengths, batch);
  inputs.forEach((n, b) => {
    if (n > frames) throw new ValueError(`${name}: inputLengths[${b}] = ${n} exceeds the ${frames} frames of logProbs [${logProbs.shape}]`);
  });
  const labels = labelsOf(name, targets, targetLens, classes, blank);
  return { frames, batch, classes, unbatched, inputLengths: inputs, labels };
}
