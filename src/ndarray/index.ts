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
export { matmul } from "./matmul.js";
export { linear } from "./linear.js";
export type { LinearOptions } from "./linear.js";
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
export { registerHook, retainGrad, retainsGrad, isLeaf, type GradHook, type RemovableHandle } from "./tensor-hooks.js";

import type { Tensor } from "./tensor.js";

export * from "./function-forms.js";

/** repeat(x, 2, 3) or repeat(x, [2, 3]), as torch.Tensor.repeat. */
export const repeat = (x: Tensor, ...reps: number[] | [readonly number[]]) =>
  // A list followed by more arguments passes them as one list, which repeatOp refuses (not a number).
  repeatOp(x, Array.isArray(reps[0]) && reps.length === 1 ? reps[0] : (reps as number[]));
export { sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, floor, ceil, round, trunc, frac, reciprocal, erf, erfc, erfinv, lgamma, digamma, isnan, isinf, isfinite, nanToNum } from "./math-unary.js";
export type { RoundOptions, NanToNumOptions } from "./math-unary.js";
export { atan2, hypot, logaddexp, logaddexp2, xlogy, fmod, remainder, lerp } from "./math-binary.js";
export { isclose, allclose, equal } from "./math-compare.js";
export type { IscloseOptions } from "./math-compare.js";
export { prod, amax, amin, any, all, nansum, nanmean, countNonzero } from "./stats.js";
export { median, nanmedian, kthvalue, mode, quantile, nanquantile } from "./order-statistics.js";
export type { QuantileOptions, QuantileInterpolation } from "./order-statistics.js";
export { cov, corrcoef } from "./covariance.js";
export type { CovOptions } from "./covariance.js";
export { histc, bincount } from "./histogram.js";
export type { HistcOptions, BincountOptions } from "./histogram.js";
export { diff } from "./diff.js";
export type { DiffOptions } from "./diff.js";
export { diagonal, diagEmbed, diag, trace } from "./diagonal.js";
export { outer, kron, cross } from "./products.js";
export { tile, movedim, swapaxes, swapaxes as swapdims, narrow, take, takeAlongDim, rot90, meshgrid } from "./movement.js";
export type { MeshgridOptions } from "./movement.js";
export { searchsorted, bucketize } from "./search.js";
export type { SearchsortedOptions } from "./search.js";
export { nonzero, unique } from "./unique.js";
export type { UniqueOptions, UniqueResult } from "./unique.js";
export { scatter } from "./scatter.js";
export type { ScatterOptions } from "./scatter.js";
export { cdist } from "./cdist.js";
export { det, slogdet, logdet } from "./linalg-lu.js";
export { inverse, solve, matrixPower } from "./linalg-solve.js";
export { cholesky } from "./linalg-cholesky.js";
export type { CholeskyOptions } from "./linalg-cholesky.js";
export { eigh } from "./linalg-eigh.js";
export type { EighOptions } from "./linalg-eigh.js";
export { qr } from "./linalg-qr.js";
export type { QrOptions } from "./linalg-qr.js";
export * from "./linalg-more.js";
