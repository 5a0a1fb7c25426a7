import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/**
 * The layout of a classification input and its targets, shared by crossEntropy and nllLoss.
 * Scores are [C], [N, C] or [N, C, d1, …] (PyTorch's layout: the class dim is dim 1). A
 * "position" is one (n, d1, …) cell; it owns C scores at `base(p) + c·stride`.
 */
export interface ClassLayout {
  /** Number of positions (N·d1·…, or 1 for an unbatched [C] input). */
  readonly positions: number;
  readonly classes: number;
  /** Distance between consecutive classes of one position (d1·…·dk). */
  readonly stride: number;
  /** Shape of the per-position result: [N, d1, …], or [] for a [C] input. */
  readonly positionShape: number[];
}

export function classLayout(input: Tensor, name: string): ClassLayout {
  if (!(input instanceof Tensor)) throw new ValueError(`${name}: input must be a Tensor`);
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new DTypeError(`${name}: input must be float32 or float64, got ${input.dtype}`);
  }
  if (input.ndim === 0) throw new ShapeError(`${name}: input must be [C], [N, C] or [N, C, d1, …], got a scalar`);
  if (input.ndim === 1) return { positions: 1, classes: input.shape[0], stride: 1, positionShape: [] };
  const stride = input.shape.slice(2).reduce((a, b) => a * b, 1);
  return {
    positions: input.shape[0] * stride, classes: input.shape[1], stride,
    positionShape: [input.shape[0], ...input.shape.slice(2)],
  };
}

/** Offset of position p's class-0 score in the contiguous input. */
export const baseOf = (L: ClassLayout, p: number): number =>
  Math.floor(p / L.stride) * L.classes * L.stride + (p % L.stride);

export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Class indices, one per position; −1 marks a position whose label equals ignoreIndex. Every
 * other label must be an integer in [0, C). `probabilities`: the loss also takes targets of the
 * input's shape (crossEntropy), which the shape error then names.
 */
export function readLabels(target: Tensor, L: ClassLayout, ignoreIndex: number, name: string, inputShape: readonly number[],
                           probabilities: boolean): Int32Array {
  if (!sameShape(target.shape, L.positionShape)) {
    const wanted = probabilities ? `fits neither class labels [${L.positionShape}] nor probabilities [${inputShape}]` : `must be class labels [${L.positionShape}]`;
    throw new ShapeError(`${name}: target of shape [${target.shape}] ${wanted} for input [${inputShape}]`);
  }
  const d = target.data;
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v === ignoreIndex) { out[i] = -1; continue; }
    if (!Number.isInteger(v) || v < 0 || v >= L.classes) {
      throw new ValueError(`${name}: label ${v} at index ${i} is not a class index in [0, ${L.classes}) nor ignoreIndex (${ignoreIndex})`);
    }
    out[i] = v;
  }
  return out;
}

/** Per-class weights as float64 [C], or null for none. */
export function classWeights(weight: unknown, C: number, name: string): Float64Array | null {
  if (weight === undefined || weight === null) return null;
  if (!(weight instanceof Tensor)) throw new ValueError(`${name}: weight must be a Tensor of shape [${C}]`);
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new ShapeError(`${name}: weight must have shape [${C}] (one per class), got [${weight.shape}]`);
  }
  return Float64Array.from(weight.data);
}

export function checkIgnoreIndex(ignoreIndex: unknown, name: string): number {
  const v = ignoreIndex ?? -100;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ValueError(`${name}: ignoreIndex must be an integer, got ${String(v)}`);
  return v;
}

type FloatDType = "float32" | "float64";

/**
 * The reduced result from per-position losses: "none" keeps the position shape, "sum" adds,
 * "mean" divides by `denominator` (the weight total of the counted positions, as PyTorch).
 */
export function reducePositions(per: Float64Array, L: ClassLayout, reduction: string, denominator: number, dtype: FloatDType): Tensor {
  const F = dtype === "float64" ? Float64Array : Float32Array;
  if (reduction === "none") return new Tensor(F.from(per), dtype, L.positionShape.slice());
  let total = 0;
  for (let i = 0; i < per.length; i++) total += per[i];
  const r = new F(1);
  r[0] = reduction === "mean" ? total / denominator : total;
  return new Tensor(r, dtype, []);
}

/** The upstream gradient that reaches position p's loss, for the same reduction. */
export function positionGrad(g: Tensor, reduction: string, denominator: number): (p: number) => number {
  const gd = g.data;
  if (reduction === "none") return (p) => gd[p];
  const s = reduction === "mean" ? gd[0] / denominator : gd[0];
  return () => s;
}
