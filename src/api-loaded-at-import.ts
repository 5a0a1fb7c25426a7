// The top-level names that the default entry under Node loads at import (scripts/node-entry.mjs):
// errors, init, tensors, their creation, elementwise ops, reductions and matmul — what a program
// that only computes with tensors uses. The rest of api-core.ts (concat, gather, topk, pad,
// einsum, …) is read from its own file on a program's first call of one of them; a name added
// to api-core.ts lands there unless it is listed here. Imported from the defining modules, not
// from ndarray/index.ts: that one re-exports all of them, and a module reached from here is read
// at import whether or not its names are used.
export * from "./errors.js";
export { init, backendInfo } from "./backend/init.js";
export { Tensor } from "./ndarray/tensor.js";
export { isGradEnabled, willRecord, record } from "./ndarray/autograd.js";
export { noGrad } from "./ndarray/no-grad.js"; // the public one: it refuses an async fn
export { Rng, manualSeed, rngFrom } from "./ndarray/random.js";
export {
  tensor, fromTypedArray, full, zeros, ones, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
} from "./ndarray/creation.js";
export { where, binary, unary, asTensor, gradFor } from "./ndarray/elementwise.js";
export { matmul } from "./ndarray/matmul.js";
export { linear } from "./ndarray/linear.js";
export { sumToShape, variance as var, std } from "./ndarray/reduce.js";
export * from "./ndarray/function-forms.js";
