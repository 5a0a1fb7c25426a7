export { Tensor } from "./tensor.js";
export type { TensorLike, SliceSpec } from "./tensor.js";
export type { DType, TypedArray, FloatArray } from "./dtype.js";
export { isGradEnabled, willRecord } from "./autograd.js";
export { noGrad } from "./no-grad.js";
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
export { cumsum, cumprod, cummax, cummin, logcumsumexp } from "./scan.js";
export { sort, argsort } from "./sort.js";
export type { SortOptions } from "./sort.js";
export type { ValuesIndices } from "./values-indices.js";
export { norm } from "./norm.js";
export type { NormOptions, NormOrder } from "./norm.js";
export { topk } from "./topk.js";
export type { TopkOptions } from "./topk.js";
export { split, chunk } from "./split.js";
export { flip, roll } from "./rearrange.js";
export { tril, triu } from "./triangular.js";
import { repeat as repeatOp } from "./rearrange.js";
export { unfold } from "./unfold.js";
export { pad } from "./pad.js";
export type { PadOptions, PadMode } from "./pad.js";
export { einsum } from "./einsum.js";

import type { Tensor } from "./tensor.js";

export * from "./function-forms.js";

/** repeat(x, 2, 3) or repeat(x, [2, 3]), as torch.Tensor.repeat. */
export const repeat = (x: Tensor, ...reps: number[] | [readonly number[]]) =>
  // A list followed by more arguments passes them as one list, which repeatOp refuses (not a number).
  repeatOp(x, Array.isArray(reps[0]) && reps.length === 1 ? reps[0] : (reps as number[]));
