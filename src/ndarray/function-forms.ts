// Function forms of the methods, for users who write eg.add(a, b) as in NumPy/PyTorch. (repeat's
// is in index.ts: it needs rearrange.ts, which a program that only computes elementwise does
// not load under Node, see src/api-loaded-at-import.ts.)
import { binary, clip as clipOp, unary } from "./elementwise.js";
import * as red from "./reduce.js";
import type { Tensor, TensorLike } from "./tensor.js";

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
export const clip = (x: Tensor, lo: number | null, hi: number | null) => clipOp(x, lo, hi);
export const clamp = clip;
export const softmax = (x: Tensor, axis = -1) => red.softmax(x, axis);
export const logSoftmax = (x: Tensor, axis = -1) => red.logSoftmax(x, axis);
export const sum = red.sum;
export const mean = red.mean;
export const logsumexp = red.logsumexp;
