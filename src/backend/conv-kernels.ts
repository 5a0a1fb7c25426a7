// The convolution kernels (NCHW, contiguous float32, weight [Cout, Cin/groups, kH, kW]): a kernel
// family built on first use, so an application without convolutions carries none of this code.
import type { Conv2dGeometry } from "./conv-geometry.js";
import {
  conv2dBackwardInputJs, conv2dBackwardJs, conv2dBackwardWeightJs, conv2dJs, conv2dReluMaxPoolBackwardJs, conv2dReluMaxPoolJs,
  type Conv2dGrads, type Conv2dGradsWanted,
} from "./conv-js.js";
import { wasmConvKernels } from "./conv-wasm.js";
import { kernelFamily, type KernelFamily } from "./init.js";

export interface ConvKernels {
  /** y[N, Cout, outH, outW] = conv2d(x[N, Cin, inH, inW], weight) + bias (relu). */
  conv2d(x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry,
         options?: { relu?: boolean }): Float32Array;
  /** dx[N, Cin, inH, inW] for dy[N, Cout, outH, outW]: also the forward of a transposed convolution. */
  conv2dBackwardInput(dy: Float32Array, weight: Float32Array, g: Conv2dGeometry): Float32Array;
  /** dW[Cout, Cin/groups, kH, kW] for x and dy, summed over the batch. */
  conv2dBackwardWeight(x: Float32Array, dy: Float32Array, g: Conv2dGeometry): Float32Array;
  /**
   * The gradients conv2d's backward wants, from one copy of dy: masked by y > 0 first when y (the
   * output of a relu epilogue) is given; dx, dW and the bias gradient (Σ over batch and pixels)
   * each only if asked.
   */
  conv2dBackward(x: Float32Array, weight: Float32Array, dy: Float32Array, y: Float32Array | null, g: Conv2dGeometry,
                 want: Conv2dGradsWanted): Conv2dGrads<Float32Array>;
  /**
   * Conv→ReLU→2×2 max pooling (stride 2, floor mode) as one pass: y[N, Cout, ⌊outH/2⌋, ⌊outW/2⌋]
   * and each window's winning tap as f32MaxPool2x2 gives them (pool-kernels.ts), packed four to
   * a byte (packTapsJs). The full-size convolution output never leaves the kernels' memory.
   * withTaps false (no backward will run): the taps are not computed and code is empty.
   */
  conv2dReluMaxPool(x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry,
                    normalize?: ConvOutputHook, withTaps?: boolean): { y: Float32Array; code: Uint8Array };
  /**
   * Its backward from the pooled gradient dy: each window's gradient goes to its winning tap when
   * the pooled value y is positive (the relu's mask: the winning tap's output is y), zeros
   * elsewhere; then conv2dBackward's gradients. The bits of the three ops' backwards.
   */
  conv2dReluMaxPoolBackward(x: Float32Array, weight: Float32Array, dy: Float32Array, y: Float32Array, code: Uint8Array,
                            g: Conv2dGeometry, want: Conv2dGradsWanted, normalizeBackward?: ConvOutputHook): Conv2dGrads<Float32Array>;
}

/**
 * A step between the convolution and the ReLU of conv2dReluMaxPool (a training-mode BatchNorm):
 * given the full-size convolution output (forward) or the gradient at that point (backward), in
 * place, where the kernels hold it (for wasm, a view of its memory, valid during the call only).
 * With it, the forward's ReLU runs after the step instead of in the convolution's epilogue.
 */
export type ConvOutputHook = (values: Float32Array) => void;

export const jsConvKernels: ConvKernels = {
  conv2d: (x, w, b, g, o) => conv2dJs(x, w, b, g, o) as Float32Array,
  conv2dBackwardInput: (dy, w, g) => conv2dBackwardInputJs(dy, w, g) as Float32Array,
  conv2dBackwardWeight: (x, dy, g) => conv2dBackwardWeightJs(x, dy, g) as Float32Array,
  conv2dBackward: conv2dBackwardJs,
  conv2dReluMaxPool: conv2dReluMaxPoolJs,
  conv2dReluMaxPoolBackward: conv2dReluMaxPoolBackwardJs,
};

const convFamily: KernelFamily<ConvKernels> = {
  js: jsConvKernels,
  wasm: wasmConvKernels,
  exports: [
    "f32_conv2d_workspace", "f32_conv2d", "f32_conv2d_backward_input_workspace", "f32_conv2d_backward_input",
    "f32_conv2d_backward_weight_workspace", "f32_conv2d_backward_weight",
    "f32_relu_backward", "f32_relu", "f32_bias_backward", "f32_dwconv2d_workspace", "f32_dwconv2d",
    "f32_maxpool2d_2x2", "f32_maxpool2d_2x2_backward", "u8_pack_taps", "u8_unpack_taps",
  ],
  warmUp(k) {
    const g: Conv2dGeometry = {
      batch: 2, inChannels: 4, inH: 6, inW: 6, outChannels: 8, outH: 6, outW: 6, kernelH: 3, kernelW: 3,
      strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1,
    };
    const x = new Float32Array(2 * 4 * 36), w = new Float32Array(8 * 4 * 9), dy = new Float32Array(2 * 8 * 36);
    for (let i = 0; i < 3; i++) {
      k.conv2d(x, w, null, g);
      k.conv2dBackwardInput(dy, w, g);
      k.conv2dBackwardWeight(x, dy, g);
    }
  },
};

/** The convolution kernels of the active backend (built on the first call after each init). */
export function convKernels(): ConvKernels {
  return kernelFamily(convFamily);
}
