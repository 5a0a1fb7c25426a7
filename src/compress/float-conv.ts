// A Conv1d/Conv2d step of a compiled model kept in float32: the weights as they are (a pruned
// model's masked weights), any eval-mode BatchNorm folded in once, the ReLU in the epilogue.
// There is no sparse convolution kernel: a pruned convolution's zeros still cost their
// multiply-adds on the dense implicit GEMM, which at the sparsities pruning reaches is faster
// than a sparse kernel would be on these small filter banks.
import { noGrad, type Tensor } from "../ndarray/index.js";
import { convSupport, type FusedStep } from "../nn/fusion.js";
import { countNonZeros, type TensorInferenceLayer } from "./inference-model.js";

type ConvStep = Extract<FusedStep, { kind: "conv" }>;

export class FloatConvLayer implements TensorInferenceLayer {
  readonly kind = "dense-conv";
  readonly relu: boolean;
  readonly kernelSize: readonly number[];
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /** The step it was compiled from: its geometry (the exporter reads it). */
  constructor(readonly step: ConvStep) {
    const p = noGrad(() => convSupport().parameters(step));
    // Copies: the compiled model must not change when the float model trains on.
    this.weight = p.weight.detach().clone();
    this.bias = p.bias ? p.bias.detach().clone() : null;
    this.relu = step.relu;
    this.kernelSize = this.weight.shape.slice(2);
  }
  forward(x: Tensor): Tensor {
    return noGrad(() => convSupport().convolve(this.step, x.dtype === "float32" ? x : x.astype("float32"), this.weight, this.bias));
  }
  bytes(): number {
    return (this.weight.size + (this.bias?.size ?? 0)) * 4;
  }
  parameters(): number {
    return this.weight.size + (this.bias?.size ?? 0);
  }
  nonZeros(): number {
    return countNonZeros(this.weight.data, this.bias?.data ?? null);
  }
}
