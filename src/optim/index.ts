// Optimizers: each a pure step function on typed arrays plus a thin stateful class.
export { Optimizer } from "./optimizer.js";
export type { ParamGroup, ParamState, ParamsArg, OptionsArg, CommonOptions, OptimizerStateDict } from "./optimizer.js";
export { SGD, sgdStep } from "./sgd.js";
export type { SGDOptions } from "./sgd.js";
export { Adam, AdamW, adamStep } from "./adam.js";
export type { AdamOptions } from "./adam.js";
export { Adamax, adamaxStep } from "./adamax.js";
export type { AdamaxOptions } from "./adamax.js";
export { Nadam, nadamStep, nadamMu } from "./nadam.js";
export type { NadamOptions } from "./nadam.js";
export { RMSprop, rmspropStep } from "./rmsprop.js";
export type { RMSpropOptions } from "./rmsprop.js";
export { Adagrad, adagradStep } from "./adagrad.js";
export type { AdagradOptions } from "./adagrad.js";
export { Adadelta, adadeltaStep } from "./adadelta.js";
export type { AdadeltaOptions } from "./adadelta.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export * as lr from "./lr/index.js";
