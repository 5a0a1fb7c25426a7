// The kernel module: every export is pure math on byte pointers, element counts and strides.
// No allocation, no imports, no managed objects (runtime stub). src/backend is the only caller;
// src/backend/kernel-exports.ts declares these exports for it (a test checks the two agree).
import { ISA_RELAXED_SIMD, ISA_SIMD } from "./flags";

export { f32_gemm_batch, f32_gemm_workspace } from "./f32-gemm";
export { qs8_gemm, qs8_gemm_workspace } from "./qs8-gemm";
export { qs8_packw_gemm } from "./qs8-packw-gemm";
export { f32_spmm, f32_spmm_workspace } from "./f32-spmm";
export { f32_minmax, qs8_quantize_f32 } from "./qs8-quantize";
export { f32_adam } from "./f32-adam";
export { qs8_conv2d, qs8_conv2d_workspace } from "./qs8-conv2d";

/** First byte of linear memory that no static data uses: the scratch arena starts here. */
export function heap_base(): usize {
  return __heap_base;
}

/** ISA_RELAXED_SIMD for the relaxed-SIMD (FMA) build, ISA_SIMD for the plain SIMD build. */
export function kernel_isa(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? ISA_RELAXED_SIMD : ISA_SIMD;
}
export { f32_conv2d, f32_conv2d_workspace } from "./f32-conv2d";
export {
  f32_conv2d_backward_input, f32_conv2d_backward_input_workspace,
  f32_conv2d_backward_weight, f32_conv2d_backward_weight_workspace,
} from "./f32-conv2d-backward";
export { f32_bias_backward, f32_column_sums, f32_relu_backward } from "./f32-conv2d-epilogue-backward";
export { f32_relu } from "./f32-relu";
export { f32_dwconv2d, f32_dwconv2d_workspace } from "./f32-dwconv2d";
export { f32_maxpool2d_2x2, f32_maxpool2d_2x2_backward, u8_pack_taps, u8_unpack_taps } from "./f32-maxpool2d-2x2";
export { f32_bf16_vcvt, bf16_f32_vcvt } from "./f32-bf16-vcvt";
export { f32_gemm_bf16b, f32_gemm_bf16b_workspace } from "./f32-gemm-bf16";
export { f32_lstm_cell_backward, f32_lstm_cell_forward } from "./f32-lstm-cell";
export { f32_gru_cell_backward, f32_gru_cell_forward } from "./f32-gru-cell";
export { f32_rnn_cell_backward, f32_rnn_cell_forward } from "./f32-rnn-cell";
export {
  f32_attention_backward, f32_attention_backward_workspace, f32_attention_forward, f32_attention_forward_workspace,
} from "./f32-attention";
export { f32_conv2d_backward_weight_tile } from "./f32-conv2d-backward";
export { f32_gelu_backward, f32_gelu_forward } from "./f32-gelu";
export { f32_layernorm_backward, f32_layernorm_backward_workspace, f32_layernorm_forward } from "./f32-layernorm";
