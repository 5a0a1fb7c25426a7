// The bfloat16 kernels of mixed-precision training: a kernel family built on first use, so an
// application that never trains in bfloat16 carries none of this code.
import type { Bf16Kernels } from "./bf16-types.js";
import { jsBf16Kernels } from "./bf16-js.js";
import { wasmBf16Kernels } from "./bf16-wasm.js";
import { kernelFamily, type KernelFamily } from "./init.js";

const bf16Family: KernelFamily<Bf16Kernels> = {
  js: jsBf16Kernels,
  wasm: wasmBf16Kernels,
  exports: [
    "f32_bf16_vcvt", "bf16_f32_vcvt", "f32_gemm_bf16b_workspace", "f32_gemm_bf16b",
    "f32_conv2d_workspace", "f32_conv2d", "f32_conv2d_backward_input_workspace", "f32_conv2d_backward_input",
    "f32_conv2d_backward_weight_workspace", "f32_conv2d_backward_weight", "f32_relu_backward", "f32_bias_backward", "f32_column_sums",
    "f32_dwconv2d_workspace", "f32_dwconv2d", "f32_maxpool2d_2x2", "f32_maxpool2d_2x2_backward",
    "u8_pack_taps", "u8_unpack_taps",
  ],
  warmUp(k) {
    const a = new Float32Array(8 * 16).fill(0.5), bits = new Uint16Array(16 * 24).fill(0x3f80), c = new Float32Array(8 * 24);
    for (let i = 0; i < 3; i++) {
      k.f32GemmBf16B(8, 24, 16, { data: a, offset: 0, rowStride: 16, colStride: 1 }, { bits, offset: 0, rowStride: 24, colStride: 1 }, c);
      k.f32GemmBf16B(8, 16, 24, { data: c, offset: 0, rowStride: 24, colStride: 1 }, { bits, offset: 0, rowStride: 1, colStride: 24 }, a);
      k.f32ToBf16(c, new Uint16Array(c.length));
    }
  },
};

/** The bfloat16 kernels of the active backend (built on the first call after each init). */
export function bf16Kernels(): Bf16Kernels {
  return kernelFamily(bf16Family);
}
