// A model as the ONNX exporter sees it: a flat list of layers, one per module of the model, in
// order. The model is walked through the fusion pass like every other consumer; a fused
// Linear+ReLU becomes Gemm then Relu (opset 13's Gemm has no activation), a fused Conv+BatchNorm
// +ReLU becomes Conv (BatchNorm folded in), an identity and Relu, so layer i is still module i
// and the exported names ("0.weight", "layer2") are those of the model. A compiled model
// exports its int8 layers (quantizeModel) or the f32 weights its layers run on (sparsify: a CSR
// Linear written out dense), each followed by its Relu.
import { ValueError } from "../errors.js";
import { ELU, Flatten, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, Dropout } from "../nn/layers.js";
import { isRegisteredLayer as registered } from "../nn/layer-registry.js";
import { InferenceSequential } from "../compress/inference-model.js";
import type { Int8ConvLayer } from "../compress/int8-conv.js";
import { accumulatorBias, type Int8LinearLayer } from "../compress/int8-linear.js";
import type { FloatConvLayer } from "../compress/float-conv.js";
import type { DenseLinearLayer, SparseLinearLayer } from "../compress/sparse.js";
import { unhandledStep } from "../nn/fusion.js";
import type { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import { fuseForInference, Sequential } from "../nn/sequential.js";
import { CONV_SUPPORTED, describeConvModule, describeConvStep, describeFloatConv, describeInt8Conv, type OnnxConvLayer } from "./onnx-conv-layers.js";
import { typeName } from "../type-name.js";
import { describeShapeModule, SHAPE_SUPPORTED, type OnnxShapeLayer } from "./onnx-shape-layers.js";
import { describeSequenceModule, SEQUENCE_SUPPORTED, type OnnxSequenceLayer } from "./onnx-sequence-layers.js";
import { describeResampleModule, RESAMPLE_SUPPORTED, type OnnxResampleLayer } from "./onnx-resample-layers.js";
import { refuseRecurrentLayer } from "./onnx-recurrent-export.js";

export type OnnxLayer =
  | { kind: "linear"; inFeatures: number; outFeatures: number; weight: Float32Array; bias: Float32Array | null }
  | {
      kind: "linearInt8"; inFeatures: number; outFeatures: number;
      /** [out, in] int8 weights, symmetric per output channel (zero point 0). */
      weight: Int8Array; weightScale: Float32Array;
      /** Static uint8 quantization of the layer's input. */
      inputScale: number; inputZeroPoint: number;
      /** int32 bias in units of inputScale·weightScale[j], or null. */
      bias: Int32Array | null;
    }
  | { kind: "relu" | "sigmoid" | "tanh" | "gelu" | "flatten" | "identity" }
  | { kind: "leakyRelu" | "elu"; alpha: number }
  | { kind: "softmax" | "logSoftmax"; axis: number }
  /** Softmax2d: Softmax over the channels (axis 1) of a [batch, C, H, W] input, the only rank its module takes here. */
  | { kind: "softmax2d" }
  /** PRelu: one slope, or one per channel (the per-sample shape's first dim). */
  | { kind: "prelu"; slope: Float32Array }
  | { kind: "clip"; min: number; max: number }
  /** Shrink: x + bias below −lambd, x − bias above lambd, 0 between. */
  | { kind: "shrink"; lambd: number; bias: number }
  | { kind: "thresholdedRelu"; alpha: number }
  | OnnxConvLayer
  | OnnxShapeLayer
  | OnnxSequenceLayer
  | OnnxResampleLayer;

const SUPPORTED = `Linear, ReLU, Sigmoid, Tanh, GELU, LeakyReLU, ELU, Softmax, LogSoftmax, Softmax2d, PReLU, ReLU6, Softshrink, Hardshrink, Threshold(t, 0), Flatten(1, -1), Dropout, Dropout1d, AlphaDropout, FeatureAlphaDropout, ${CONV_SUPPORTED}, ${SHAPE_SUPPORTED}, ${SEQUENCE_SUPPORTED}, ${RESAMPLE_SUPPORTED}`;

function describeLinear(m: Linear): OnnxLayer {
  return { kind: "linear", inFeatures: m.inFeatures, outFeatures: m.outFeatures,
    weight: Float32Array.from(m.weight.data), bias: m.bias ? Float32Array.from(m.bias.data) : null };
}

/** One module that runs on its own; `index` is its position in the model, for the message. */
function describeModule(m: Module, index: number): OnnxLayer {
  if (m instanceof ReLU) return { kind: "relu" };
  if (m instanceof Sigmoid) return { kind: "sigmoid" };
  if (m instanceof Tanh) return { kind: "tanh" };
  if (m instanceof GELU) return { kind: m.approximate === "tanh" ? "geluTanh" : "gelu" };
  if (m instanceof LeakyReLU) return { kind: "leakyRelu", alpha: m.negativeSlope };
  if (m instanceof ELU) return { kind: "elu", alpha: m.alpha };
  if (m instanceof Softmax) return { kind: "softmax", axis: m.dim };
  if (m instanceof LogSoftmax) return { kind: "logSoftmax", axis: m.dim };
  if (m instanceof Dropout) return { kind: "identity" };
  if (registered(m, "Dropout1d") || registered(m, "AlphaDropout") || registered(m, "FeatureAlphaDropout")) return { kind: "identity" };
  if (registered(m, "Softmax2d")) return { kind: "softmax2d" };
  // ONNX's direct counterparts: PRelu, Clip (ReLU6), Shrink (both shrinks: bias λ or 0) and
  // ThresholdedRelu, which writes 0 below its alpha, so it is Threshold(t, v) for v = 0 only.
  if (registered(m, "PReLU")) return { kind: "prelu", slope: Float32Array.from(m.weight.data) };
  if (registered(m, "ReLU6")) return { kind: "clip", min: 0, max: 6 };
  if (registered(m, "Softshrink")) return { kind: "shrink", lambd: m.lambd, bias: m.lambd };
  if (registered(m, "Hardshrink")) return { kind: "shrink", lambd: m.lambd, bias: 0 };
  if (registered(m, "Threshold")) {
    if (m.value !== 0) throw new ValueError(`exportOnnx: Threshold(${m.threshold}, ${m.value}) at index ${index} is not supported; ONNX's ThresholdedRelu gives 0 at and below the threshold, so only Threshold(t, 0) exports`);
    return { kind: "thresholdedRelu", alpha: m.threshold };
  }
  const conv = describeConvModule(m, index);
  if (conv) return conv;
  const shaped = describeShapeModule(m, index);
  if (shaped) return shaped;
  const sequence = describeSequenceModule(m, index);
  if (sequence) return sequence;
  const resampled = describeResampleModule(m, index);
  if (resampled) return resampled;
  if (m instanceof Flatten) {
    if (m.startDim === 1 && m.endDim === -1) return { kind: "flatten" };
    throw new ValueError(`exportOnnx: module Flatten(${m.startDim}, ${m.endDim}) at index ${index} is not supported; only Flatten(1, -1) is`);
  }
  refuseRecurrentLayer(m, index);
  // Recognized by name (nothing of theirs is needed to refuse them): im2col and col2im are no ONNX operator.
  const name = typeName(m);
  if (name === "Unfold" || name === "Fold") throw new ValueError(`exportOnnx: ${name} at index ${index} has no ONNX mapping: opset 13 has no ${name === "Unfold" ? "im2col" : "col2im"} operator`);
  const hint = m instanceof Sequential ? "; flatten nested Sequentials into one" : "";
  throw new ValueError(`exportOnnx: module ${name} at index ${index} has no ONNX mapping (supported: ${SUPPORTED})${hint}`);
}

/**
 * The layers of a model in the exporter's terms: a Sequential's modules, or a single module as
 * a one-layer model. Dropout is the identity at inference.
 */
export function describeSequential(model: Module): OnnxLayer[] {
  if (!(model instanceof Module)) throw new ValueError(`describeSequential: expected a Module, got ${model === null ? "null" : Array.isArray(model) ? "an array" : typeof model}`);
  if (model instanceof InferenceSequential) return describeCompiled(model);
  // ONNX models infer: fused as in eval mode, so an eval-mode BatchNorm folds into its Conv.
  const steps = fuseForInference(model);
  const out: OnnxLayer[] = [];
  for (const s of steps) {
    if (s.kind === "linear") {
      out.push(describeLinear(s.layer));
      if (s.relu) out.push({ kind: "relu" });
    } else if (s.kind === "conv") out.push(...describeConvStep(s));
    else if (s.kind === "module") out.push(describeModule(s.module, s.index));
    else unhandledStep(s);
  }
  return out;
}

/** A Linear of a sparsified model, from the weights it runs on (a CSR one written out dense: a Gemm). */
function describeFloatLinear(l: DenseLinearLayer | SparseLinearLayer): OnnxLayer {
  let weight: Float32Array;
  if (l.kind === "dense") weight = l.weight.slice();
  else {
    const { rowPtr, colIdx, values } = l.csr;
    weight = new Float32Array(l.inFeatures * l.outFeatures);
    for (let r = 0; r < l.outFeatures; r++) for (let e = rowPtr[r]; e < rowPtr[r + 1]; e++) weight[r * l.inFeatures + colIdx[e]] = values[e];
  }
  return { kind: "linear", inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight, bias: l.bias ? l.bias.slice() : null };
}

/** A model compiled by quantizeModel or sparsify: its int8 and dense layers, the modules between them. */
function describeCompiled(model: InferenceSequential): OnnxLayer[] {
  const out: OnnxLayer[] = [];
  model.steps.forEach((s, i) => {
    if (s instanceof Module) { out.push(describeModule(s, i)); return; }
    // By kind, not class: exporting an MLP must not bundle the int8 convolution.
    if (s.kind === "int8") {
      const l = s as Int8LinearLayer;
      if (!l.input) throw new ValueError(`exportOnnx: int8 layer at step ${i} quantizes its input dynamically; export a model quantized with calibration data (static activations)`);
      out.push({ kind: "linearInt8", inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight: l.weight, weightScale: l.weightScale,
        inputScale: l.input.scale, inputZeroPoint: l.input.zeroPoint, bias: accumulatorBias(l.bias, l.input.scale, l.weightScale) });
    } else if (s.kind === "int8-conv") out.push(describeInt8Conv(s as Int8ConvLayer, i));
    else if (s.kind === "dense" || s.kind === "sparse") out.push(describeFloatLinear(s as DenseLinearLayer | SparseLinearLayer));
    else if (s.kind === "dense-conv") out.push(describeFloatConv(s as FloatConvLayer));
    else throw new ValueError(`exportOnnx: compiled layer "${s.kind}" at step ${i} has no ONNX mapping; export the float model`);
    if (s.relu) out.push({ kind: "relu" });
  });
  return out;
}
