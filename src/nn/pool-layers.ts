// Pooling modules (torch.nn.MaxPool2d and friends): parameter-free wrappers of pooling.ts that
// check their arguments when built, so a bad kernel fails at construction, not mid-training.
import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";
import { checkFlag, perDim } from "./pool-geometry.js";
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AdaptiveSize, type AvgPool1dOptions, type AvgPool2dOptions, type MaxPoolOptions,
} from "./pooling.js";
import { keepsNoOutputs } from "./step-safe.js";

type Size = number | readonly number[];
/** A max pool's output: the pooled tensor, or [pooled, indices] when built with returnIndices: true. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** The options of a strided pool, checked and with PyTorch's defaults filled in. */
function stridedOptions(where: string, dims: number, kernelSize: Size, o: MaxPoolOptions & AvgPool2dOptions, keys: string[]) {
  checkOptions(where, o, keys);
  const kernel = perDim(where, "kernelSize", kernelSize, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : perDim(where, "stride", o.stride, dims, 1);
  const padding = perDim(where, "padding", o.padding ?? 0, dims, 0);
  padding.forEach((p, i) => {
    if (p > Math.floor(kernel[i] / 2)) throw new ValueError(`${where}: padding ${p} must be at most half the kernel size ${kernel[i]}`);
  });
  return {
    kernelSize: kernel, stride, padding,
    dilation: perDim(where, "dilation", o.dilation ?? 1, dims, 1),
    ceilMode: checkFlag(where, "ceilMode", o.ceilMode, false),
    returnIndices: checkFlag(where, "returnIndices", o.returnIndices, false),
    countIncludePad: checkFlag(where, "countIncludePad", o.countIncludePad, true),
  };
}

const MAX_KEYS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"];

abstract class MaxPoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(where: string, dims: number, kernelSize: Size, o: MaxPoolOptions) {
    super();
    const s = stridedOptions(where, dims, kernelSize, o, MAX_KEYS);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation } = s);
    this.ceilMode = s.ceilMode;
    this.returnIndices = s.returnIndices;
  }
  protected get options() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }
}

/** torch.nn.MaxPool1d over [N, C, L]; forward gives [output, indices] with returnIndices. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd {
  static readonly typeName: string = "MaxPool1d";
  constructor(kernelSize: Size, o: MaxPoolOptions & { returnIndices?: R } = {}) { super("MaxPool1d", 1, kernelSize, o); }
  forward(x: Tensor): PoolOutput<R> {
    return (this.returnIndices ? maxPool1d(x, this.kernelSize, { ...this.options, returnIndices: true }) : maxPool1d(x, this.kernelSize, this.options)) as PoolOutput<R>;
  }
}
/** torch.nn.MaxPool2d over [N, C, H, W]; forward gives [output, indices] with returnIndices. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd {
  static readonly typeName: string = "MaxPool2d";
  constructor(kernelSize: Size, o: MaxPoolOptions & { returnIndices?: R } = {}) { super("MaxPool2d", 2, kernelSize, o); }
  forward(x: Tensor): PoolOutput<R> {
    return (this.returnIndices ? maxPool2d(x, this.kernelSize, { ...this.options, returnIndices: true }) : maxPool2d(x, this.kernelSize, this.options)) as PoolOutput<R>;
  }
}

/**
 * Whether `m` is a MaxPool2d the kernels' 2×2 pooling computes: 2×2 windows, stride 2, no
 * padding, dilation or ceil mode, no indices (what the fused conv→pool ops may absorb).
 */
export function isPlainMaxPool2x2(m: Module): boolean {
  if (!(m instanceof MaxPool2d)) return false;
  const all = (v: readonly number[], x: number) => v.every((e) => e === x);
  return all(m.kernelSize, 2) && all(m.stride, 2) && all(m.padding, 0) && all(m.dilation, 1) && !m.ceilMode && !m.returnIndices;
}

/** torch.nn.AvgPool1d over [N, C, L]. */
export class AvgPool1d extends Module {
  static readonly typeName: string = "AvgPool1d";
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: Size, o: AvgPool1dOptions = {}) {
    super();
    const s = stridedOptions("AvgPool1d", 1, kernelSize, o, ["stride", "padding", "ceilMode", "countIncludePad"]);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad } = s);
  }
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
}

/** torch.nn.AvgPool2d over [N, C, H, W]. */
export class AvgPool2d extends Module {
  static readonly typeName: string = "AvgPool2d";
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: Size, o: AvgPool2dOptions = {}) {
    super();
    const s = stridedOptions("AvgPool2d", 2, kernelSize, o, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad } = s);
    const d = o.divisorOverride ?? null;
    if (d !== null && !(Number.isSafeInteger(d) && d !== 0)) throw new ValueError(`AvgPool2d: divisorOverride must be a non-zero integer or null, got ${JSON.stringify(d)}`);
    this.divisorOverride = d;
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
}

function checkAdaptiveSize(where: string, s: AdaptiveSize): AdaptiveSize {
  const pair = Array.isArray(s) ? s : [s, s];
  if (pair.length !== 2 || !pair.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) >= 1))) {
    throw new ValueError(`${where}: outputSize must be a positive integer or a pair of them (null keeps the input's), got ${JSON.stringify(s)}`);
  }
  return s;
}

/** torch.nn.AdaptiveAvgPool2d: outputSize a number or [h, w]; null keeps that input dim. */
export class AdaptiveAvgPool2d extends Module {
  static readonly typeName: string = "AdaptiveAvgPool2d";
  readonly outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = checkAdaptiveSize("AdaptiveAvgPool2d", outputSize);
  }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
}

/** torch.nn.AdaptiveMaxPool2d; forward gives [output, indices] with { returnIndices: true }. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module {
  static readonly typeName: string = "AdaptiveMaxPool2d";
  readonly outputSize: AdaptiveSize;
  readonly returnIndices: boolean;
  constructor(outputSize: AdaptiveSize, o: { returnIndices?: R } = {}) {
    super();
    checkOptions("AdaptiveMaxPool2d", o, ["returnIndices"]);
    this.outputSize = checkAdaptiveSize("AdaptiveMaxPool2d", outputSize);
    this.returnIndices = checkFlag("AdaptiveMaxPool2d", "returnIndices", o.returnIndices, false);
  }
  forward(x: Tensor): PoolOutput<R> {
    return (this.returnIndices ? adaptiveMaxPool2d(x, this.outputSize, { returnIndices: true }) : adaptiveMaxPool2d(x, this.outputSize)) as PoolOutput<R>;
  }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d });

// fit may reuse the arrays of a model built of these (src/nn/step-safe.ts).
keepsNoOutputs("MaxPool2d");
