export { init, backendInfo, kernels } from "./init.js";
export type { InitOptions, BackendInfo } from "./init.js";
export type { Kernels, StridedMatrix, GemmOptions, BackendName } from "./kernels.js";
export { jsKernels } from "./js-kernels.js";
export { detectFeatures } from "./features.js";
export type { Qs8Matrix, Qs8Weights, Qs8PackedWeights, Qs8GemmOptions, Qs8RequantOptions } from "./qs8-types.js";
export type { CsrMatrix, Qs8LinearOptions, Qs8LinearParams } from "./compress-types.js";
export type { AdamConstants } from "./optim-kernels.js";
export { adamUpdate } from "./optim-kernels.js";
