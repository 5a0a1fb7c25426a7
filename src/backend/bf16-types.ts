// The bfloat16 kernel family's interface (mixed-precision training): conversions, the GEMM with a
// bfloat16 B operand, and the convolution passes on bfloat16 weights and saved activations.
import type { Conv2dGeometry } from "./conv-geometry.js";
import type { Conv2dGrads, Conv2dGradsWanted } from "./conv-js.js";
import type { GemmOptions, StridedMatrix } from "./kernels.js";

/** A strided 2-D window onto bfloat16 bits: element (i, j) is bits[offset + i·rowStride + j·colStride]. */
export interface Bf16Matrix {
  bits: Uint16Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

export interface Bf16GemmOptions extends GemmOptions {
  /** Also write C rounded to bfloat16 here (m·n bits, row-major): what a layer saves of its output. */
  outBits?: Uint16Array | null;
}

export interface Bf16ConvOptions {
  relu?: boolean;
  /** Write x rounded to bfloat16 here (the input the backward reads for dW). */
  xBits?: Uint16Array | null;
  /** Write y rounded to bfloat16 here (the relu output the backward masks by). */
  yBits?: Uint16Array | null;
}

export interface Bf16Kernels {
  /** out[i] = x[i] rounded to bfloat16 (nearest, ties to even; NaN stays NaN), as bits. */
  f32ToBf16(x: Float32Array, out: Uint16Array): void;
  /** out[i] = the float32 value of bits[i] (exact). */
  bf16ToF32(bits: Uint16Array, out: Float32Array): void;
  /**
   * C[m×n] (row-major, row stride n, at offset 0) = A·B (+ bias) (relu) with A float32 and B
   * bfloat16, B widened exactly on load and every product summed in float32 (float64 in the JS
   * reference). Windows are copied by their span: meant for dense (plain or transposed) operands.
   */
  f32GemmBf16B(m: number, n: number, k: number, a: StridedMatrix, b: Bf16Matrix, c: Float32Array, options?: Bf16GemmOptions): void;
  /**
   * The gradient g [m×n] at a relu output masked by that output's bfloat16 bits (it passes where
   * the output is > 0: bits 0x0001..0x7f80; yBits null: g as it is) and, when `sums`, its column
   * sums (the bias gradient) in float64 row by row, rounded to float32.
   */
  reluBackwardBits(g: Float32Array, yBits: Uint16Array | null, m: number, n: number, sums: boolean): { g: Float32Array; db: Float32Array | null };
  /** conv2d (NCHW) of float32 x with float32 or bfloat16 (bits) weights, optionally saving x and y as bfloat16. */
  conv2d(x: Float32Array, w: Float32Array | Uint16Array, bias: Float32Array | null, g: Conv2dGeometry, o?: Bf16ConvOptions): Float32Array;
  /** conv2d's gradients from the bfloat16 input and (relu) output it saved, and its float32 or bfloat16 weights. */
  conv2dBackward(xBits: Uint16Array, w: Float32Array | Uint16Array, dy: Float32Array, yBits: Uint16Array | null, g: Conv2dGeometry,
                 want: Conv2dGradsWanted): Conv2dGrads<Float32Array>;
  /**
   * Conv→ReLU→2×2 max pooling as ConvKernels.conv2dReluMaxPool computes it (float32 weights),
   * with x and the pooled y also rounded to bfloat16 into xBits and yBits when given.
   */
  conv2dReluMaxPool(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry,
                    o: { xBits?: Uint16Array | null; yBits: Uint16Array }): { y: Float32Array; code: Uint8Array };
  /** Its gradients from the pooled gradient dy, the saved bfloat16 input and pooled output, and the packed taps. */
  conv2dReluMaxPoolBackward(xBits: Uint16Array, w: Float32Array, dy: Float32Array, yBits: Uint16Array, code: Uint8Array,
                            g: Conv2dGeometry, want: Conv2dGradsWanted): Conv2dGrads<Float32Array>;
}
