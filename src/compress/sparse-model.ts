// A pruned Sequential MLP compiled for inference: each Linear runs on CSR if it is sparse enough
// for the sparse kernel to win (measured threshold), else on the dense f32 GEMM.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Module } from "../nn/module.js";
import { unhandledStep } from "../nn/fusion.js";
import { FloatConvLayer } from "./float-conv.js";
import { compileSteps, InferenceSequential, type Step } from "./inference-model.js";
import { DenseLinearLayer, SPARSE_MAX_DENSITY, SparseLinearLayer } from "./sparse.js";

export interface SparsifyOptions {
  /** "auto" (default): sparse where density ≤ maxDensity; or force one form for every Linear (convolutions always run dense). */
  format?: "auto" | "sparse" | "dense";
  /** Largest fraction of nonzero weights that still runs sparse in "auto" (default SPARSE_MAX_DENSITY). */
  maxDensity?: number;
}

/**
 * An inference model from a pruned Sequential (or a bare Linear): each Linear, with the ReLU
 * that follows it fused, runs on CSR or dense f32; each Conv1d/Conv2d (BatchNorm and ReLU fused)
 * runs as a dense f32 convolution of its masked weights. A NaN input reaches the outputs through the
 * weights that were kept: a dense layer gives a NaN row as the float model does, a CSR layer
 * skips the pruned weights and with them a NaN that only they would have multiplied.
 */
export function sparsify(model: Module, o: SparsifyOptions = {}): InferenceSequential {
  checkOptions("sparsify", o, ["format", "maxDensity"]);
  const format = o.format ?? "auto";
  if (format !== "auto" && format !== "sparse" && format !== "dense") {
    throw new ValueError(`sparsify: format must be "auto", "sparse" or "dense", got ${JSON.stringify(format)}`);
  }
  if (format !== "auto" && o.maxDensity !== undefined) {
    throw new ValueError(`sparsify: maxDensity only applies to format "auto" (format is ${JSON.stringify(format)})`);
  }
  const maxDensity = o.maxDensity ?? SPARSE_MAX_DENSITY;
  if (!(maxDensity >= 0 && maxDensity <= 1)) throw new ValueError(`sparsify: maxDensity must be in [0, 1], got ${maxDensity}`);
  const steps: Step[] = compileSteps(model, "sparsify").map((s) => {
    if (s.kind === "module") return s.module;
    // No sparse convolution kernel: a pruned Conv runs dense on its masked weights (float-conv.ts).
    if (s.kind === "conv") return new FloatConvLayer(s);
    if (s.kind !== "linear") return unhandledStep(s);
    const w = s.layer.weight.data;
    let nz = 0;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) nz++;
    const sparse = format === "sparse" || (format === "auto" && nz <= maxDensity * w.length);
    return sparse ? new SparseLinearLayer(s.layer, s.relu) : new DenseLinearLayer(s.layer, s.relu);
  });
  return new InferenceSequential(steps);
}
