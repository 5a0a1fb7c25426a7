import type { Tensor } from "./tensor.js";

/**
 * The mixed-precision versions of the ops that save activations in bfloat16, installed by an
 * autocast scope while it runs (src/nn/autocast.ts). The ops look here first, so a program that
 * never opens a scope bundles none of the bfloat16 code. `conv2d` takes the op's resolved
 * geometry (src/backend/conv-geometry.ts), typed loosely here so that this file imports nothing.
 */
export interface MixedPrecisionOps {
  linear(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor;
  conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, geometry: unknown, relu: boolean): Tensor;
  /** Conv→ReLU→2×2 max pooling as one op (src/nn/conv.ts, conv2dReluMaxPool2x2). */
  conv2dReluMaxPool(x: Tensor, weight: Tensor, bias: Tensor | null, geometry: unknown): Tensor;
}

export const mixedPrecision: { active: MixedPrecisionOps | null } = { active: null };
