// Neural-network building blocks (PyTorch names) and the Keras-style training loop.
export { Module } from "./module.js";
export { Linear } from "./linear.js";
export type { LinearOptions } from "./linear.js";
export { ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax, Dropout, Flatten } from "./layers.js";
export { Sequential } from "./sequential.js";
export { leakyRelu, elu, gelu, dropout } from "./functional.js";
export { erf, erfc } from "./erf.js";
export { mseLoss, l1Loss, huberLoss, binaryCrossEntropy, bceWithLogits } from "./losses.js";
export type { Reduction, LossOptions } from "./losses.js";
export { crossEntropy } from "./cross-entropy.js";
export type { CrossEntropyOptions } from "./cross-entropy.js";
export * as init from "./init.js";
export * as regularizers from "./regularizers.js";
export type { Regularizer } from "./regularizers.js";
export * as callbacks from "./callbacks.js";
export type { Callback, FitContext, Logs } from "./callbacks.js";
export { fit, evaluate, predict } from "./fit.js";
export type { FitOptions, History } from "./fit.js";
