export { Tensor } from "./tensor.js";
export type { TensorLike, SliceSpec } from "./tensor.js";
export type { DType, TypedArray, FloatArray } from "./dtype.js";
export { noGrad, isGradEnabled, willRecord } from "./autograd.js";
export { Rng, manualSeed, rngFrom } from "./random.js";
export type { RandomOptions, RngState } from "./random.js";
export {
  tensor, fromTypedArray, full, zeros, ones, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
} from "./creation.js";
export type { CreateOptions, RandOptions } from "./creation.js";
export { where, binary, unary, asTensor, gradFor } from "./elementwise.js";
export { concat, stack } from "./join.js";
export { matmul, linear } from "./matmul.js";
export type { LinearOptions } from "./matmul.js";
export { sumToShape, variance as var, std } from "./reduce.js";
export type { ReduceOptions, VarOptions } from "./reduce.js";
export { record } from "./autograd.js";
export { gather, scatterAdd, indexSelect, maskedFill } from "./indexing.js";
export { cumsum } from "./scan.js";
export { norm } from "./norm.js";
export type { NormOptions, NormOrder } from "./norm.js";
export { topk } from "./topk.js";
export type { TopkOptions } from "./topk.js";
export { split, chunk } from "./split.js";
export { flip } from "./rearrange.js";
import { repeat as repeatOp } from "./rearrange.js";
export { unfold } from "./unfold.js";
export { pad } from "./pad.js";
export type { PadOptions, PadMode } from "./pad.js";
export { einsum } from "./einsum.js";

import { binary, clip as clipOp, unary } from "./elementwise.js";
import * as red from "./reduce.js";
import type { Tensor, TensorLike } from "./tensor.js";

// Function forms of the methods, for users who write eg.add(a, b) as in NumPy/PyTorch.
export const add = (a: TensorLike, b: TensorLike) => binary("add", a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary("sub", a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary("mul", a, b);
export const div = (a: TensorLike, b: TensorLike) => binary("div", a, b);
export const pow = (a: TensorLike, b: TensorLike) => binary("pow", a, b);
export const maximum = (a: TensorLike, b: TensorLike) => binary("maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary("minimum", a, b);
export const exp = (x: Tensor) => unary("exp", x);
export const log = (x: Tensor) => unary("log", x);
export const sqrt = (x: Tensor) => unary("sqrt", x);
export const abs = (x: Tensor) => unary("abs", x);
export const relu = (x: Tensor) => unary("relu", x);
export const sigmoid = (x: Tensor) => unary("sigmoid", x);
export const tanh = (x: Tensor) => unary("tanh", x);
export const log1p = (x: Tensor) => unary("log1p", x);
export const expm1 = (x: Tensor) => unary("expm1", x);
export const rsqrt = (x: Tensor) => unary("rsqrt", x);
/** repeat(x, 2, 3) or repeat(x, [2, 3]), as torch.Tensor.repeat. */
export const repeat = (x: Tensor, ...reps: number[] | [readonly number[]]) =>
  repeatOp(x, Array.isArray(reps[0]) ? reps[0] : (reps as number[]));
export const clip = (x: Tensor, lo: number | null, hi: number | null) => clipOp(x, lo, hi);
export const clamp = clip;
export const softmax = (x: Tensor, axis = -1) => red.softmax(x, axis);
export const logSoftmax = (x: Tensor, axis = -1) => red.logSoftmax(x, axis);
export const sum = red.sum;
export const mean = red.mean;
export const logsumexp = red.logsumexp;
