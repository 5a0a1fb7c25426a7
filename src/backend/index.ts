export { init, backendInfo, kernels, writeBackPinned } from "./init.js";
export type { InitOptions, BackendInfo } from "./init.js";
export type { Kernels, CompressKernels, StridedMatrix, StridedBatch, GemmOptions, BackendName } from "./kernels.js";
export { gemmJs, gemmBatchJs } from "./js-kernels.js";
export type { FloatStridedMatrix, FloatGemmOptions } from "./js-kernels.js";
export { roundHalfToEven, quantizeValue, qs8QuantizeF32Js, f32MinMaxJs } from "./qs8-quantize-js.js";
export { F32_GEMM, QS8_GEMM } from "./manifest.js";
export { qs8PackBJs } from "./qs8-js.js";
export { compressKernels } from "./compress-kernels.js";
export { detectFeatures } from "./features.js";
export type { Qs8Matrix, Qs8Weights, Qs8PackedWeights, Qs8GemmOptions, Qs8RequantOptions } from "./qs8-types.js";
export type { CsrMatrix, Qs8LinearOptions, Qs8LinearParams } from "./compress-types.js";
export type { AdamConstants } from "./optim-kernels.js";
export { adamUpdate, optimKernels } from "./optim-kernels.js";
export { convKernels, jsConvKernels } from "./conv-kernels.js";
export type { ConvKernels } from "./conv-kernels.js";
export type { Conv2dGeometry } from "./conv-geometry.js";
export { conv2dJs, conv2dBackwardInputJs, conv2dBackwardWeightJs, conv2dBackwardJs } from "./conv-js.js";
export type { Conv2dGrads, Conv2dGradsWanted } from "./conv-js.js";
export { poolKernels, maxPool2x2Js, maxPool2x2BackwardJs, packTapsJs, unpackTapsJs } from "./pool-kernels.js";
export type { PoolKernels } from "./pool-kernels.js";
export { qconvKernels } from "./qconv-kernels.js";
export { qs8ConvPackWeights, qs8ConvRowLength } from "./qs8-conv-types.js";
export type {
  QconvKernels, Qs8ConvInput, Qs8ConvWeights, Qs8ConvPackedWeights, Qs8ConvOptions, Qs8ConvRequantOptions, Qs8ConvLayerStage,
} from "./qs8-conv-types.js";
export { bf16Kernels } from "./bf16-kernels.js";
export { jsBf16Kernels, bf16BitsOfF32Bits } from "./bf16-js.js";
export type { Bf16Kernels, Bf16Matrix, Bf16GemmOptions, Bf16ConvOptions } from "./bf16-types.js";
export { recurrentKernels, jsRecurrentRunner, jsMachine } from "./recurrent-kernels.js";
export type { RecurrentKernels, RecurrentMachine } from "./recurrent-kernels.js";
export { recurrentForward, recurrentBackward, GATE_COUNT } from "./recurrent-sweep.js";
export type { CellKind, RecurrentShape, RecurrentWeights, RecurrentSaved, RecurrentGrads, MachineRunner } from "./recurrent-sweep.js";
export {
  lstmCellForwardJs, lstmCellBackwardJs, gruCellForwardJs, gruCellBackwardJs, rnnCellForwardJs, rnnCellBackwardJs,
} from "./recurrent-cells-js.js";
export { attentionKernels, jsAttentionKernels } from "./attention-kernels.js";
export type { AttentionBlocks, AttentionKernels } from "./attention-kernels.js";
export { attentionForwardJs, attentionBackwardJs } from "./attention-js.js";
export { geluKernels } from "./gelu-kernels.js";
export type { GeluKernels } from "./gelu-kernels.js";
export { layerNormKernels } from "./layernorm-kernels.js";
export type { LayerNormKernels, LayerNormForward, LayerNormGrads } from "./layernorm-kernels.js";
