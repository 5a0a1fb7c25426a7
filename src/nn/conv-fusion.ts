// The float forward of a fused convolution step: Conv→ReLU as one convolution with the relu in
// its epilogue, an eval-mode BatchNorm folded into the convolution's weight and bias, and
// Conv2d→(BatchNorm2d→)ReLU→MaxPool2d(2) as one op.
import { Tensor } from "../ndarray/index.js";
import { conv1d, conv2d, conv2dReluMaxPool2x2 } from "./conv.js";
import { conv2dBatchNormReluMaxPool2x2 } from "./conv-bn-pool.js";
import { resolvePadding } from "./conv-options.js";
import type { Conv1d, Conv2d } from "./conv-layers.js";
import { registerConvFusions, type ConvPoolStep, type ConvStep, type FusedStep, type FusionPattern } from "./fusion.js";
import { ReLU } from "./layers.js";
import type { Module } from "./module.js";
import { BatchNorm1d, BatchNorm2d } from "./norm-layers.js";
import { isPlainMaxPool2x2, MaxPool2d } from "./pool-layers.js";
import { typeName } from "../type-name.js";
type FloatDType = "float32" | "float64";

const asDType = (t: Tensor, dtype: FloatDType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/**
 * The weight and bias of conv followed by an eval-mode BatchNorm as one convolution:
 *   s = γ/√(running_var + eps),  w' = w·s (per output channel),  b' = (b − running_mean)·s + β.
 * Folded afresh on every call, from the tensors as they are now: a cache would have to notice
 * optimizer steps, loadStateDict and in-place edits, and the fold costs one pass over the
 * weights, small next to the convolution itself. Built from autograd ops, so gradients still
 * reach the conv's and the BatchNorm's parameters (fine-tuning with frozen statistics).
 */
export function foldBatchNorm(conv: Conv1d | Conv2d, bn: BatchNorm1d | BatchNorm2d): { weight: Tensor; bias: Tensor } {
  const dtype = conv.weight.dtype as FloatDType;
  const c = conv.outChannels;
  const variance = bn.runningVar!.data;
  // 1/√(var + eps) in float64, rounded once: the running statistics carry no gradient.
  const inv = new Float64Array(c);
  for (let j = 0; j < c; j++) inv[j] = 1 / Math.sqrt(variance[j] + bn.eps);
  const invStd = new Tensor(dtype === "float64" ? inv : Float32Array.from(inv), dtype, [c]);
  const scale = bn.weight ? asDType(bn.weight, dtype).mul(invStd) : invStd;
  const weight = conv.weight.mul(scale.reshape([c, ...conv.weight.shape.slice(1).map(() => 1)]));
  const mean = asDType(bn.runningMean!, dtype);
  const shifted = (conv.bias ? conv.bias.sub(mean) : mean.neg()).mul(scale);
  return { weight, bias: bn.bias ? shifted.add(asDType(bn.bias, dtype)) : shifted };
}

/** The weight and bias a conv step convolves with: the layer's own, or with its BatchNorm folded in. */
export function convStepParameters(step: ConvStep): { weight: Tensor; bias: Tensor | null } {
  return step.batchNorm ? foldBatchNorm(step.layer, step.batchNorm) : { weight: step.layer.weight, bias: step.layer.bias };
}

/** The convolution of a conv step with the given weight and bias, the layer's geometry and the step's relu. */
export function convWith(step: ConvStep, x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const l = step.layer;
  const o = { stride: l.stride, padding: l.padding, dilation: l.dilation, groups: l.groups, relu: step.relu };
  return weight.ndim === 4 ? conv2d(x, weight, bias, o as Parameters<typeof conv2d>[3]) : conv1d(x, weight, bias, o as Parameters<typeof conv1d>[3]);
}

/** What the step's modules compute one after another, as one convolution. */
export function runConvStep(step: ConvStep, x: Tensor): Tensor {
  if (!step.batchNorm) return step.relu ? step.layer.forwardRelu(x) : step.layer.forward(x);
  // The fold normalizes per output channel whatever the layout, but the BatchNorm reads dim 1 as
  // the channels: it refuses an unbatched conv output (or reads [C, L] as [N, C]). Such an input
  // runs the modules, so eval mode accepts exactly what training does.
  if (x.ndim === step.layer.weight.ndim - 1) {
    const y = step.batchNorm.forward(step.layer.forward(x));
    return step.relu ? y.relu() : y;
  }
  const { weight, bias } = foldBatchNorm(step.layer, step.batchNorm);
  return convWith(step, x, weight, bias);
}

/**
 * A convPool step: the pool over the conv step's output, as one op on a batched input (a
 * BatchNorm that normalizes by the batch in place, conv-bn-pool.ts; else folded in); an
 * unbatched one runs the steps one after another.
 */
export function runConvPoolStep(step: ConvPoolStep, x: Tensor): Tensor {
  const l = step.conv.layer as Conv2d, bn = step.conv.batchNorm as BatchNorm2d | null;
  if (bn && normalizesByBatch(bn)) return conv2dBatchNormReluMaxPool2x2(x, l, bn, step.pool);
  if (x.ndim !== 4) return step.pool.forward(runConvStep(step.conv, x));
  const { weight, bias } = convStepParameters(step.conv);
  return conv2dReluMaxPool2x2(x, weight, bias, { stride: l.stride, padding: l.padding, dilation: l.dilation, groups: l.groups });
}

/** A conv layer's arguments per spatial dimension (one for Conv1d), "same"/"valid" resolved to zeros before and after. */
export interface ResolvedConvArguments {
  kernelSize: number[];
  stride: number[];
  padding: number[];
  paddingEnd: number[];
  dilation: number[];
  groups: number;
}

export function resolvedConvArguments(l: Conv1d | Conv2d): ResolvedConvArguments {
  const two = (v: number | readonly number[]): [number, number] => (typeof v === "number" ? [1, v] : [v[0], v[1]]);
  const oneD = typeof l.kernelSize === "number";
  const kernel = two(l.kernelSize), stride = two(l.stride), dilation = two(l.dilation);
  const padding = typeof l.padding === "string" ? l.padding : oneD ? [0, l.padding as number] : (l.padding as readonly number[]);
  const [top, bottom, left, right] = resolvePadding(typeName(l), padding, kernel, dilation, stride);
  const pick = (v: number[]) => (oneD ? [v[1]] : v);
  return {
    kernelSize: pick(kernel), stride: pick(stride), dilation: pick(dilation),
    padding: pick([top, left]), paddingEnd: pick([bottom, right]), groups: l.groups,
  };
}

/** A BatchNorm that normalizes by the batch's statistics: training, or eval without running ones. */
const normalizesByBatch = (bn: BatchNorm1d | BatchNorm2d): boolean => bn.training || bn.runningMean === null;

const foldable = ([conv, bn]: readonly Module[]): boolean => {
  const b = bn as BatchNorm1d | BatchNorm2d;
  // Without running statistics eval mode normalizes by the batch's own: nothing to fold. A
  // channel mismatch is left to the BatchNorm's own forward, which names it.
  return !b.training && b.runningMean !== null && b.numFeatures === (conv as Conv2d).outChannels;
};
const channelsMatch = ([conv, bn]: readonly Module[]): boolean => (bn as BatchNorm2d).numFeatures === (conv as Conv2d).outChannels;
const convStep = (relu: boolean, withBatchNorm: boolean) => (matched: readonly Module[], index: number): FusedStep =>
  ({ kind: "conv", layer: matched[0] as Conv1d | Conv2d, batchNorm: withBatchNorm ? (matched[1] as BatchNorm1d | BatchNorm2d) : null, relu, index });

/**
 * The conv rows of the fusion table, longest first: [Conv2d, BatchNorm2d, ReLU, MaxPool2d] and
 * [Conv2d, ReLU, MaxPool2d] (2×2, stride 2; for Sequential's forward only; the BatchNorm folded
 * in eval mode, normalizing in place in training), [Conv, BatchNorm, ReLU], [Conv, BatchNorm]
 * (eval mode, running statistics), [Conv, ReLU], [Conv]. Called once by conv-layers.ts with its
 * classes (passed in, so this file needs no runtime import of them).
 */
export function registerConvFusion(conv1d: typeof Conv1d, conv2d: typeof Conv2d): void {
  const rows: FusionPattern[] = [
    {
      // Eval mode: the BatchNorm folded into the convolution; training: normalized in place
      // between the convolution and the ReLU (conv-bn-pool.ts).
      sequence: [conv2d, BatchNorm2d, ReLU, MaxPool2d], convPool: true,
      applies: (m) => isPlainMaxPool2x2(m[3]) && (foldable(m) || (normalizesByBatch(m[1] as BatchNorm2d) && channelsMatch(m))),
      build: (m, index) => ({ kind: "convPool", conv: convStep(true, true)(m, index) as ConvStep, pool: m[3] as MaxPool2d, index }),
    },
    {
      sequence: [conv2d, ReLU, MaxPool2d], convPool: true, applies: (m) => isPlainMaxPool2x2(m[2]),
      build: (m, index) => ({ kind: "convPool", conv: convStep(true, false)(m, index) as ConvStep, pool: m[2] as MaxPool2d, index }),
    },
    { sequence: [conv2d, BatchNorm2d, ReLU], build: convStep(true, true), applies: foldable },
    { sequence: [conv1d, BatchNorm1d, ReLU], build: convStep(true, true), applies: foldable },
    { sequence: [conv2d, BatchNorm2d], build: convStep(false, true), applies: foldable },
    { sequence: [conv1d, BatchNorm1d], build: convStep(false, true), applies: foldable },
    { sequence: [conv2d, ReLU], build: convStep(true, false) },
    { sequence: [conv1d, ReLU], build: convStep(true, false) },
    { sequence: [conv2d], build: convStep(false, false) },
    { sequence: [conv1d], build: convStep(false, false) },
  ];
  registerConvFusions(rows, { run: runConvStep, runPool: runConvPoolStep, parameters: convStepParameters, convolve: convWith, convArguments: resolvedConvArguments });
}
