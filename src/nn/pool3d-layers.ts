// torch.nn.MaxPool3d, AvgPool3d, AdaptiveAvgPool3d and AdaptiveMaxPool3d: parameter-free wrappers
// of pooling3d.ts that check their arguments when built, so a bad kernel fails at construction,
// not mid-training. Sizes are [depth, height, width].
import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { registerLayers } from "./layer-registry.js";
import { Module } from "./module.js";
import { checkFlag, perDim } from "./pool-geometry.js";
import type { MaxPoolOptions } from "./pooling.js";
import {
  adaptiveAvgPool3d, adaptiveMaxPool3d, avgPool3d, checkAdaptiveSize3d, checkDivisorOverride, maxPool3d,
  type AdaptiveSize3d, type AvgPool3dOptions,
} from "./pooling3d.js";

type Size = number | readonly number[];
/** A max pool's output: the pooled tensor, or [pooled, indices] when built with returnIndices: true. */
type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** Kernel, stride (default: the kernel) and padding (at most half the kernel), checked. */
function windowOptions(where: string, kernelSize: Size, o: { stride?: Size | null; padding?: Size }) {
  const kernelSizes = perDim(where, "kernelSize", kernelSize, 3, 1);
  const stride = o.stride === undefined || o.stride === null ? kernelSizes : perDim(where, "stride", o.stride, 3, 1);
  const padding = perDim(where, "padding", o.padding ?? 0, 3, 0);
  padding.forEach((p, i) => {
    if (p > Math.floor(kernelSizes[i] / 2)) throw new ValueError(`${where}: padding ${p} must be at most half the kernel size ${kernelSizes[i]}`);
  });
  return { kernelSize: kernelSizes, stride, padding };
}

/** torch.nn.MaxPool3d over [N, C, D, H, W] or [C, D, H, W]; forward gives [output, indices] with returnIndices. */
export class MaxPool3d<R extends boolean = false> extends Module {
  static readonly typeName: string = "MaxPool3d";
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(kernelSize: Size, o: MaxPoolOptions & { returnIndices?: R } = {}) {
    super();
    checkOptions("MaxPool3d", o, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = windowOptions("MaxPool3d", kernelSize, o));
    this.dilation = perDim("MaxPool3d", "dilation", o.dilation ?? 1, 3, 1);
    this.ceilMode = checkFlag("MaxPool3d", "ceilMode", o.ceilMode, false);
    this.returnIndices = checkFlag("MaxPool3d", "returnIndices", o.returnIndices, false);
  }
  forward(x: Tensor): PoolOutput<R> {
    return maxPool3d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices,
    }) as PoolOutput<R>;
  }
}

/** torch.nn.AvgPool3d over [N, C, D, H, W] or [C, D, H, W]. */
export class AvgPool3d extends Module {
  static readonly typeName: string = "AvgPool3d";
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: Size, o: AvgPool3dOptions = {}) {
    super();
    checkOptions("AvgPool3d", o, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = windowOptions("AvgPool3d", kernelSize, o));
    this.ceilMode = checkFlag("AvgPool3d", "ceilMode", o.ceilMode, false);
    this.countIncludePad = checkFlag("AvgPool3d", "countIncludePad", o.countIncludePad, true);
    this.divisorOverride = checkDivisorOverride("AvgPool3d", o.divisorOverride) || null;
  }
  forward(x: Tensor): Tensor {
    return avgPool3d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
}

/** torch.nn.AdaptiveAvgPool3d: outputSize a number or [d, h, w]; null keeps that input dim. */
export class AdaptiveAvgPool3d extends Module {
  static readonly typeName: string = "AdaptiveAvgPool3d";
  readonly outputSize: AdaptiveSize3d;
  constructor(outputSize: AdaptiveSize3d) {
    super();
    this.outputSize = checkAdaptiveSize3d("AdaptiveAvgPool3d", outputSize);
  }
  forward(x: Tensor): Tensor { return adaptiveAvgPool3d(x, this.outputSize); }
}

/** torch.nn.AdaptiveMaxPool3d; forward gives [output, indices] with { returnIndices: true }. */
export class AdaptiveMaxPool3d<R extends boolean = false> extends Module {
  static readonly typeName: string = "AdaptiveMaxPool3d";
  readonly outputSize: AdaptiveSize3d;
  readonly returnIndices: boolean;
  constructor(outputSize: AdaptiveSize3d, o: { returnIndices?: R } = {}) {
    super();
    checkOptions("AdaptiveMaxPool3d", o, ["returnIndices"]);
    this.outputSize = checkAdaptiveSize3d("AdaptiveMaxPool3d", outputSize);
    this.returnIndices = checkFlag("AdaptiveMaxPool3d", "returnIndices", o.returnIndices, false);
  }
  forward(x: Tensor): PoolOutput<R> {
    return adaptiveMaxPool3d(x, this.outputSize, { returnIndices: this.returnIndices }) as PoolOutput<R>;
  }
}

// Code that reads models (the ONNX exporter) recognizes them through the registry.
registerLayers({ MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d });
