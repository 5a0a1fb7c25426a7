export { init, backendInfo, kernels } from "./init.js";
export type { InitOptions, BackendInfo } from "./init.js";
export type { Kernels, CompressKernels, StridedMatrix, GemmOptions, BackendName } from "./kernels.js";
export { compressKernels } from "./compress-kernels.js";
export { detectFeatures } from "./features.js";
export type { Qs8Matrix, Qs8Weights, Qs8PackedWeights, Qs8GemmOptions, Qs8RequantOptions } from "./qs8-types.js";
export type { CsrMatrix, Qs8LinearOptions, Qs8LinearParams } from "./compress-types.js";
export type { AdamConstants } from "./optim-kernels.js";
export { adamUpdate, optimKernels } from "./optim-kernels.js";
