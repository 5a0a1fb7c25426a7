// The convolutional modules in the ONNX exporter's terms: Conv (a BatchNorm folded in when the
// fusion pass fused it), ConvTranspose, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
// BatchNormalization, and the int8 convolution of a quantized model; 1-, 2- and 3-d alike (ONNX's
// attributes list one entry per spatial dim, pads every begin then every end).
import { ValueError } from "../errors.js";
import { noGrad, type Tensor } from "../ndarray/index.js";
import type { Int8ConvLayer } from "../compress/int8-conv.js";
import type { FloatConvLayer } from "../compress/float-conv.js";
import { accumulatorBias } from "../compress/int8-linear.js";
import { convSupport, type FusedStep } from "../nn/fusion.js";
import { isRegisteredLayer as is } from "../nn/layer-registry.js";
import type { Module } from "../nn/module.js";
import type { BatchNorm1d, BatchNorm2d } from "../nn/norm-layers.js";
import type { BatchNorm3d } from "../nn/norm3d.js";
import type { Conv3d, ConvTranspose3d } from "../nn/conv3d-layers.js";
import { typeName } from "../type-name.js";

/** A convolution's ONNX attributes; `pads` in ONNX order: every begin, then every end. */
export interface ConvAttributes {
  kernelShape: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}

export type OnnxConvLayer =
  | { kind: "conv"; weight: Float32Array; weightShape: number[]; bias: Float32Array | null; attrs: ConvAttributes }
  | { kind: "convTranspose"; weight: Float32Array; weightShape: number[]; bias: Float32Array | null; attrs: ConvAttributes; outputPadding: number[] }
  | {
      kind: "convInt8"; attrs: ConvAttributes;
      /** int8 weights [Cout, Cin/group, ...kernel], symmetric per output channel (zero point 0). */
      weight: Int8Array; weightShape: number[]; weightScale: Float32Array;
      /** Static uint8 quantization of the layer's input. */
      inputScale: number; inputZeroPoint: number;
      /** int32 bias in units of inputScale·weightScale[j], or null. */
      bias: Int32Array | null;
    }
  | { kind: "maxPool"; kernelShape: number[]; strides: number[]; pads: number[]; dilations: number[]; ceilMode: boolean }
  | { kind: "averagePool"; kernelShape: number[]; strides: number[]; pads: number[]; ceilMode: boolean; countIncludePad: boolean }
  /** AdaptiveAvgPool2d/3d, AdaptiveMaxPool2d/3d: one size per spatial dim (null keeps the input's). */
  | { kind: "adaptiveAveragePool" | "adaptiveMaxPool"; outputSize: (number | null)[] }
  | {
      kind: "batchNormalization"; scale: Float32Array; bias: Float32Array; mean: Float32Array; variance: Float32Array; epsilon: number;
      /** Ranks of the batched input the module accepts (BatchNorm1d: [2, 3], BatchNorm2d: [4], BatchNorm3d: [5]); any rank ≥ 2 when absent. */
      inputRanks?: number[];
    };

export const ONNX_CONV_KINDS: readonly OnnxConvLayer["kind"][] =
  ["conv", "convTranspose", "convInt8", "maxPool", "averagePool", "adaptiveAveragePool", "adaptiveMaxPool", "batchNormalization"];

export const CONV_SUPPORTED = "Conv1d/2d/3d, ConvTranspose1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool2d/3d, AdaptiveMaxPool2d/3d, BatchNorm1d/2d/3d (eval), Dropout2d";

const f32 = (d: ArrayLike<number>): Float32Array => Float32Array.from(d);
type FusedConv = Extract<FusedStep, { kind: "conv" }>;

/** A Conv of the layer's geometry with the given weight and bias. */
function convOf(layer: FusedConv["layer"], weight: Tensor, bias: Tensor | null): OnnxConvLayer {
  const a = convSupport().convArguments(layer);
  return {
    kind: "conv", weight: f32(weight.data), weightShape: weight.shape.slice(), bias: bias ? f32(bias.data) : null,
    attrs: { kernelShape: a.kernelSize, strides: a.stride, pads: [...a.padding, ...a.paddingEnd], dilations: a.dilation, group: a.groups },
  };
}

/** A fused conv step: the Conv (BatchNorm folded), then an identity for the BatchNorm and a Relu, one layer per module. */
export function describeConvStep(s: FusedConv): ({ kind: "identity" | "relu" } | OnnxConvLayer)[] {
  const { weight, bias } = noGrad(() => convSupport().parameters(s));
  const out: ({ kind: "identity" | "relu" } | OnnxConvLayer)[] = [convOf(s.layer, weight, bias)];
  if (s.batchNorm) out.push({ kind: "identity" });
  if (s.relu) out.push({ kind: "relu" });
  return out;
}

/** A convolution of a sparsified model: the (masked, BatchNorm-folded) weights it runs on, its step's geometry. */
export const describeFloatConv = (l: FloatConvLayer): OnnxConvLayer => convOf(l.step.layer, l.weight, l.bias);

/** A compiled int8 convolution with static input quantization. */
export function describeInt8Conv(l: Int8ConvLayer, index: number): OnnxConvLayer {
  if (!l.input) throw new ValueError(`exportOnnx: int8 conv layer at step ${index} quantizes its input dynamically; export a model quantized with calibration data (static activations)`);
  const a = l.args;
  return {
    kind: "convInt8", weight: l.weight, weightShape: [l.outChannels, l.inChannels / a.groups, ...l.kernelSize], weightScale: l.weightScale,
    inputScale: l.input.scale, inputZeroPoint: l.input.zeroPoint, bias: accumulatorBias(l.bias, l.input.scale, l.weightScale),
    attrs: { kernelShape: [...l.kernelSize], strides: [...a.stride], pads: [...a.padding, ...(a.paddingEnd ?? a.padding)], dilations: [...a.dilation], group: a.groups },
  };
}

function describeBatchNorm(m: BatchNorm1d | BatchNorm2d | BatchNorm3d, index: number): OnnxConvLayer {
  if (!m.runningMean || !m.runningVar) {
    throw new ValueError(`exportOnnx: ${typeName(m)} at index ${index} has no running statistics (trackRunningStats: false); ONNX's BatchNormalization needs them`);
  }
  const c = m.numFeatures;
  return {
    kind: "batchNormalization", scale: m.weight ? f32(m.weight.data) : new Float32Array(c).fill(1),
    bias: m.bias ? f32(m.bias.data) : new Float32Array(c), mean: f32(m.runningMean.data), variance: f32(m.runningVar.data), epsilon: m.eps,
    inputRanks: is(m, "BatchNorm2d") ? [4] : is(m, "BatchNorm3d") ? [5] : [2, 3],
  };
}

/**
 * A convolutional module that runs on its own, or null when m is none of them. The classes are
 * looked up in the layer registry, not imported: exporting an MLP must not bundle them.
 */
export function describeConvModule(m: Module, index: number): OnnxConvLayer | { kind: "identity" } | null {
  if (is(m, "Dropout2d")) return { kind: "identity" };
  if (is(m, "BatchNorm1d") || is(m, "BatchNorm2d") || is(m, "BatchNorm3d")) return describeBatchNorm(m, index);
  if (is(m, "MaxPool1d") || is(m, "MaxPool2d") || is(m, "MaxPool3d")) {
    if (m.returnIndices) throw new ValueError(`exportOnnx: ${typeName(m)} at index ${index} returns indices; only the pooled tensor exports`);
    return { kind: "maxPool", kernelShape: m.kernelSize, strides: m.stride, pads: [...m.padding, ...m.padding], dilations: m.dilation, ceilMode: m.ceilMode };
  }
  if (is(m, "AvgPool1d") || is(m, "AvgPool2d") || is(m, "AvgPool3d")) {
    if ((is(m, "AvgPool2d") || is(m, "AvgPool3d")) && m.divisorOverride !== null) throw new ValueError(`exportOnnx: ${typeName(m)} at index ${index} has divisorOverride ${m.divisorOverride}; ONNX's AveragePool has no such attribute`);
    return { kind: "averagePool", kernelShape: m.kernelSize, strides: m.stride, pads: [...m.padding, ...m.padding], ceilMode: m.ceilMode, countIncludePad: m.countIncludePad };
  }
  if (is(m, "AdaptiveAvgPool2d") || is(m, "AdaptiveMaxPool2d")) {
    const max = is(m, "AdaptiveMaxPool2d");
    if (max && m.returnIndices) throw new ValueError(`exportOnnx: AdaptiveMaxPool2d at index ${index} returns indices; only the pooled tensor exports`);
    const s = m.outputSize;
    return { kind: max ? "adaptiveMaxPool" : "adaptiveAveragePool", outputSize: Array.isArray(s) ? [...s] : [s as number | null, s as number | null] };
  }
  const volume = describeVolumeModule(m, index);
  if (volume) return volume;
  if (is(m, "ConvTranspose2d")) {
    return {
      kind: "convTranspose", weight: f32(m.weight.data), weightShape: m.weight.shape.slice(), bias: m.bias ? f32(m.bias.data) : null,
      attrs: { kernelShape: [...m.kernelSize], strides: [...m.stride], pads: [...m.padding, ...m.padding], dilations: [...m.dilation], group: m.groups },
      outputPadding: [...m.outputPadding],
    };
  }
  if (typeName(m) === "ConvTranspose1d") {
    // Recognized by name, not imported, for the same reason as the registry's classes.
    const t = m as Module & { weight: Tensor; bias: Tensor | null; kernelSize: number; stride: number; padding: number; outputPadding: number; dilation: number; groups: number };
    return {
      kind: "convTranspose", weight: f32(t.weight.data), weightShape: t.weight.shape.slice(), bias: t.bias ? f32(t.bias.data) : null,
      attrs: { kernelShape: [t.kernelSize], strides: [t.stride], pads: [t.padding, t.padding], dilations: [t.dilation], group: t.groups },
      outputPadding: [t.outputPadding],
    };
  }
  return null;
}

/** The 3-d modules without a 1-d/2-d sibling above: Conv3d, ConvTranspose3d and the adaptive 3-d pools; null for any other. */
function describeVolumeModule(m: Module, index: number): OnnxConvLayer | null {
  if (is(m, "Conv3d")) return describeConv3d(m);
  if (is(m, "ConvTranspose3d")) return describeConvTranspose3d(m);
  if (is(m, "AdaptiveAvgPool3d") || is(m, "AdaptiveMaxPool3d")) {
    if (is(m, "AdaptiveMaxPool3d") && m.returnIndices) throw new ValueError(`exportOnnx: AdaptiveMaxPool3d at index ${index} returns indices; only the pooled tensor exports`);
    const s = m.outputSize;
    return { kind: is(m, "AdaptiveMaxPool3d") ? "adaptiveMaxPool" : "adaptiveAveragePool", outputSize: Array.isArray(s) ? [...s] : [s, s, s] as (number | null)[] };
  }
  return null;
}

/** Conv3d's resolved pads ([front, back, top, bottom, left, right], "same" included) in ONNX's order: the begins, then the ends. */
function describeConv3d(m: Conv3d): OnnxConvLayer {
  const p = m.pads;
  return {
    kind: "conv", weight: f32(m.weight.data), weightShape: m.weight.shape.slice(), bias: m.bias ? f32(m.bias.data) : null,
    attrs: { kernelShape: [...m.kernelSize], strides: [...m.stride], pads: [p[0], p[2], p[4], p[1], p[3], p[5]], dilations: [...m.dilation], group: m.groups },
  };
}

function describeConvTranspose3d(m: ConvTranspose3d): OnnxConvLayer {
  return {
    kind: "convTranspose", weight: f32(m.weight.data), weightShape: m.weight.shape.slice(), bias: m.bias ? f32(m.bias.data) : null,
    attrs: { kernelShape: [...m.kernelSize], strides: [...m.stride], pads: [...m.padding, ...m.padding], dilations: [...m.dilation], group: m.groups },
    outputPadding: [...m.outputPadding],
  };
}
