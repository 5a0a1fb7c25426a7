import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor, type TypedArray } from "../ndarray/index.js";
import { crossEntropy } from "./cross-entropy.js";
import { binaryCrossEntropy, bceWithLogits, huberLoss, l1Loss, mseLoss, smoothL1Loss } from "./losses.js";
import { klDivLoss, poissonNllLoss } from "./losses-distribution.js";
import { hingeEmbeddingLoss } from "./losses-embedding.js";
import type { LossModule } from "./loss-module.js";
import { typeName } from "../type-name.js";

/** Dataset plumbing for fit/evaluate/predict: loss lookup, checks, batch gathering, accuracy. */

export type LossFn = (input: Tensor, target: Tensor, o?: { reduction?: "mean" | "sum" | "none" }) => Tensor;

// The first key of each loss is its canonical name (shorthand keys stay strings when minified).
const LOSSES: Record<string, LossFn> = {
  crossEntropy, cross_entropy: crossEntropy,
  mseLoss, mse: mseLoss, mean_squared_error: mseLoss,
  l1Loss, mae: l1Loss, mean_absolute_error: l1Loss,
  huberLoss, huber: huberLoss,
  binaryCrossEntropy, binary_crossentropy: binaryCrossEntropy,
  bceWithLogits,
  // Elementwise losses whose target has the output's shape, like the ones above.
  smoothL1Loss, smooth_l1: smoothL1Loss,
  klDivLoss, kl_div: klDivLoss,
  poissonNllLoss, poisson_nll: poissonNllLoss,
  hingeEmbeddingLoss, hinge_embedding: hingeEmbeddingLoss,
};

/** The name fit/evaluate give a loss that is not built in, whatever the function is called. */
export const CUSTOM_LOSS = "custom";

/**
 * A built-in loss's canonical name, found by identity (a minifier renames functions). Any other
 * function is CUSTOM_LOSS: its own `.name` must not make it pass for a built-in one.
 */
function canonicalName(fn: LossFn): string {
  return Object.keys(LOSSES).find((k) => LOSSES[k] === fn) ?? CUSTOM_LOSS;
}

/** batchSize must be a positive integer (0 would loop forever, a fraction would skip samples). */
export function checkBatchSize(where: string, v: unknown): number {
  return positiveInt(where, "batchSize", v);
}

/** A loss module, known by its shape: importing the class would bundle it into every program that trains. */
const isLossModule = (l: unknown): l is LossModule => typeof l === "object" && l !== null && typeof (l as LossModule).lossOptions === "function";

/**
 * A loss by name, function or module. A loss module (MSELoss, CrossEntropyLoss({ weight }), …)
 * is called as it is, its mean weighted by the batch's rows (`asCalled`), so a class-weighted
 * mean is logged as trained on; its function's name still selects the checks of the targets.
 * Its reduction must be a mean ("batchmean" too): fit logs and compares per-sample averages.
 */
export function resolveLoss(loss: string | LossFn | LossModule | undefined): { fn: LossFn; name: string; asCalled?: boolean } {
  if (isLossModule(loss)) {
    const kind = typeName(loss);
    if (loss.arity !== 2) throw new ValueError(`loss: ${kind} takes ${loss.arity} tensors; fit's loss takes (output, target)`);
    if (loss.reduction !== "mean" && loss.reduction !== "batchmean") {
      throw new ValueError(`loss: ${kind}'s reduction must be "mean" here (fit averages the loss over samples), got ${JSON.stringify(loss.reduction)}`);
    }
    return { fn: (input, target) => loss.forward(input, target), name: canonicalName(loss.lossFunction as LossFn), asCalled: true };
  }
  if (typeof loss === "function") {
    const name = canonicalName(loss);
    return { fn: name === CUSTOM_LOSS ? scalarResult(loss) : loss, name };
  }
  if (typeof loss === "string" && LOSSES[loss]) return { fn: LOSSES[loss], name: canonicalName(LOSSES[loss]) };
  throw new ValueError(`unknown loss ${JSON.stringify(loss)}; use a loss function, a loss module or one of ${Object.keys(LOSSES).join(", ")}`);
}

/** A custom loss, checked at each call for what fit and evaluate read: one number in a Tensor. */
function scalarResult(fn: LossFn): LossFn {
  return (input, target, o) => {
    const l: unknown = fn(input, target, o);
    if (!(l instanceof Tensor)) throw new ValueError(`loss: a custom loss must return a scalar Tensor, got ${l === null ? "null" : typeof l}`);
    if (l.size !== 1) throw new ShapeError(`loss: a custom loss must return a scalar Tensor (reduce it, e.g. with .mean()), got shape [${l.shape}]`);
    return l;
  };
}

/** Rows of a dataset tensor as a flat array plus the per-row shape. */
export interface Rows {
  data: TypedArray;
  n: number;
  rowShape: number[];
  rowSize: number;
  dtype: Tensor["dtype"];
}
export function rowsOf(t: Tensor, what: string): Rows {
  if (!(t instanceof Tensor)) throw new ValueError(`${what} must be a Tensor`);
  if (t.ndim < 1) throw new ShapeError(`${what} must have a leading sample dimension, got shape [${t.shape}]`);
  const rowShape = t.shape.slice(1);
  return { data: t.data, n: t.shape[0], rowShape, rowSize: rowShape.reduce((a, b) => a * b, 1), dtype: t.dtype };
}

/** Throws a ValueError naming the first NaN/±∞ (sample index and position). */
export function checkFinite(r: Rows, what: string): void {
  const d = r.data;
  const i = d instanceof Float32Array ? firstNonFiniteF32(d) : d instanceof Float64Array ? firstNonFiniteF64(d) : -1; // integers are finite
  if (i >= 0) {
    throw new ValueError(`${what} contains ${d[i]} at sample ${Math.floor(i / r.rowSize)} (element ${i % r.rowSize}); clean or impute the data first`);
  }
}

// A whole data set is checked at every fit, so the scan matters (60,000 images are 47 M values):
// v·0 is 0 for finite v and NaN for NaN and ±∞, so four running sums of it tell a block clean
// without a branch per value, and only a block that is not is searched for its first bad value.
// The float32 and float64 copies keep each loop's element accesses monomorphic (a loop fed both
// types ran about twice as slow in Node 20).
const FINITE_BLOCK = 4096;

function firstNonFiniteF32(d: Float32Array): number {
  for (let s = 0; s < d.length; s += FINITE_BLOCK) {
    const e = Math.min(s + FINITE_BLOCK, d.length);
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0, i = s;
    for (; i + 4 <= e; i += 4) { z0 += d[i] * 0; z1 += d[i + 1] * 0; z2 += d[i + 2] * 0; z3 += d[i + 3] * 0; }
    for (; i < e; i++) z0 += d[i] * 0;
    if (z0 + z1 + z2 + z3 !== 0) for (let j = s; j < e; j++) if (d[j] - d[j] !== 0) return j;
  }
  return -1;
}
function firstNonFiniteF64(d: Float64Array): number {
  for (let s = 0; s < d.length; s += FINITE_BLOCK) {
    const e = Math.min(s + FINITE_BLOCK, d.length);
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0, i = s;
    for (; i + 4 <= e; i += 4) { z0 += d[i] * 0; z1 += d[i + 1] * 0; z2 += d[i + 2] * 0; z3 += d[i + 3] * 0; }
    for (; i < e; i++) z0 += d[i] * 0;
    if (z0 + z1 + z2 + z3 !== 0) for (let j = s; j < e; j++) if (d[j] - d[j] !== 0) return j;
  }
  return -1;
}

/** Float inputs stay in their dtype; integer/bool inputs (e.g. raw pixels) become float32. */
const featureDType = (r: Rows) => (r.dtype === "float64" ? "float64" : "float32");

/**
 * Copies the rows idx[start..end) into `buf` (reused across batches, so memory stays flat) and
 * wraps it as a tensor. Targets keep their dtype (integer labels stay integers).
 */
export function gather(r: Rows, idx: Int32Array, start: number, end: number, buf: TypedArray, asFeatures: boolean): Tensor {
  const m = end - start, w = r.rowSize, src = r.data;
  if (w === 1) for (let b = 0; b < m; b++) buf[b] = src[idx[b + start]];
  else if (src.constructor === buf.constructor) {
    // Same element type: one native copy per row (a memcpy) instead of an element loop.
    for (let b = 0; b < m; b++) { const s = idx[b + start] * w; buf.set(src.subarray(s, s + w), b * w); }
  } else {
    for (let b = 0; b < m; b++) {
      const s = idx[b + start] * w, o = b * w;
      for (let j = 0; j < w; j++) buf[o + j] = src[s + j];
    }
  }
  const view = buf.length === m * w ? buf : buf.subarray(0, m * w);
  const dtype = asFeatures ? featureDType(r) : r.dtype;
  return new Tensor(view, dtype, [m, ...r.rowShape]);
}
export function batchBuffer(r: Rows, size: number, asFeatures: boolean): TypedArray {
  const dtype = asFeatures ? featureDType(r) : r.dtype;
  const n = size * r.rowSize;
  switch (dtype) {
    case "float64": return new Float64Array(n);
    case "float32": return new Float32Array(n);
    case "int32": return new Int32Array(n);
    case "int8": return new Int8Array(n);
    default: return new Uint8Array(n);
  }
}

/**
 * Correct predictions in a batch: argmax over classes for multi-column outputs (labels or
 * one-hot targets), a threshold for single outputs (0 on logits, 0.5 on probabilities). Classes
 * lie on axis 1 (PyTorch's layout): an output [n, C, d…] is scored at each of its positions, as
 * Keras's sparse_categorical_accuracy does, and a sample counts the fraction it gets right.
 */
export function countCorrect(out: Tensor, y: Tensor, logits: boolean): number {
  const o = out.data, t = y.data;
  const n = out.shape[0] ?? 1;
  const C = out.ndim > 2 ? out.shape[1] : out.size / Math.max(n, 1);
  const P = out.size / Math.max(n * C, 1);
  let correct = 0;
  if (C > 1) {
    const oneHot = y.size === out.size;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < P; p++) {
        const base = i * C * P + p;
        const label = oneHot ? argmaxRow(t, base, C, P) : t[i * P + p];
        if (argmaxRow(o, base, C, P) === label) correct++;
      }
    }
  } else {
    const cut = logits ? 0 : 0.5;
    for (let i = 0; i < out.size; i++) if ((o[i] > cut ? 1 : 0) === (t[i] >= 0.5 ? 1 : 0)) correct++;
  }
  return correct / P;
}
/** The class c in [0, C) with the largest d[base + c·stride]. */
function argmaxRow(d: ArrayLike<number>, base: number, C: number, stride: number): number {
  let best = 0, v = d[base];
  for (let c = 1; c < C; c++) if (d[base + c * stride] > v) { v = d[base + c * stride]; best = c; }
  return best;
}

/**
 * Labels for a classification loss must be integers in [0, C) (checked once, up front): one per
 * sample, or one per position for an output [n, C, d…] (`positions` = Πd).
 */
export function checkLabels(y: Rows, classes: number, lossName: string, positions = 1): void {
  if (y.rowSize !== positions || (positions === 1 && y.rowShape.length > 0)) return; // probability targets
  const d = y.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      const at = positions > 1 ? `sample ${Math.floor(i / positions)} (position ${i % positions})` : `sample ${i}`;
      throw new ValueError(`${lossName}: label ${v} of ${at} is not a class index in [0, ${classes}) (the model has ${classes} ${positions > 1 ? "classes on axis 1" : "outputs"})`);
    }
  }
}
