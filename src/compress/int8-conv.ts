// One convolution compiled to int8 (the layer quantizeModel builds for a Conv1d/Conv2d step):
// weights quantized per output channel (symmetric int8) and packed once; each call quantizes its
// float32 input per tensor (uint8, dynamic or calibrated, as the int8 Linear) and runs the
// requantizing int8 convolution, bias and ReLU fused — one kernel call.
import { qconvKernels, qs8ConvPackWeights } from "../backend/index.js";
import type { Conv2dGeometry, Qs8ConvLayerStage, Qs8ConvPackedWeights, Qs8LinearOptions, Qs8LinearParams } from "../backend/index.js";
import { ShapeError, ValueError } from "../errors.js";
import { fromTypedArray, type Tensor } from "../ndarray/index.js";
import type { Module } from "../nn/module.js";
import { isPlainMaxPool2x2 } from "../nn/pool-layers.js";
import { countNonZeros, type RunUnit, type TensorInferenceLayer } from "./inference-model.js";
import { channelAbsSums, fitBiasByInputScale, fitBiasByWeightScale } from "./int32-headroom.js";
import { accumulatorBias, activationParams, type ActivationParams } from "./int8-linear.js";
import { quantize } from "./tensor-ops.js";

/** The arguments of a convolution as a layer holds them, per spatial dimension (one for Conv1d). */
export interface ConvArguments {
  stride: readonly number[];
  /** Zeros before each spatial dimension (PyTorch's padding; "same" resolved by the layer). */
  padding: readonly number[];
  /** Zeros after each one: the same as `padding` except for an even kernel under "same". */
  paddingEnd?: readonly number[];
  dilation: readonly number[];
  groups: number;
}

/** A convolution layer's arguments as PyTorch spells them (numbers or one per spatial dim, padding modes). */
export interface ConvLayerFields {
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: number | readonly number[] | "same" | "valid";
  readonly dilation?: number | readonly number[];
  readonly groups?: number;
}

/**
 * The ConvArguments of a layer with PyTorch's fields, for `spatial` dimensions: numbers spread
 * to every dimension, "valid" as no padding, "same" as PyTorch pads it (total d·(k − 1), the
 * odd one at the end).
 */
export function convArgumentsOf(m: ConvLayerFields, spatial: number): ConvArguments {
  const each = (v: number | readonly number[] | undefined, dflt: number, name: string): number[] => {
    const out = v === undefined ? new Array<number>(spatial).fill(dflt) : typeof v === "number" ? new Array<number>(spatial).fill(v) : [...v];
    if (out.length !== spatial || !out.every((x) => Number.isInteger(x) && x >= 0)) {
      throw new ValueError(`Int8ConvLayer: ${name} ${JSON.stringify(v)} is not ${spatial} non-negative integer(s)`);
    }
    return out;
  };
  const kernel = each(m.kernelSize, 1, "kernelSize"), dilation = each(m.dilation, 1, "dilation");
  const stride = each(m.stride, 1, "stride");
  let padding: number[], paddingEnd: number[];
  if (m.padding === "same") {
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    padding = total.map((t) => Math.floor(t / 2));
    paddingEnd = total.map((t, i) => t - padding[i]);
  } else {
    padding = m.padding === "valid" ? new Array<number>(spatial).fill(0) : each(m.padding, 0, "padding");
    paddingEnd = padding;
  }
  return { stride, padding, paddingEnd, dilation, groups: m.groups ?? 1 };
}

/** x's values as one contiguous float32 array (x's own when it already is one). */
const float32Data = (x: Tensor): Float32Array =>
  (x.dtype === "float32" && x.isContiguous ? x.data : x.astype("float32").contiguous().data) as Float32Array;

/** Thrown from the params callback to abandon a call whose input holds a NaN or ±∞. */
const NON_FINITE_INPUT = Symbol("non-finite input");

/** A Conv1d/Conv2d (weight [Cout, Cin/groups, (kH,) kW]) in int8, NC(H)W in and out. */
export class Int8ConvLayer implements TensorInferenceLayer {
  readonly kind = "int8-conv";
  readonly inChannels: number;
  readonly outChannels: number;
  /** int8 weights, the float weight's layout, and their per-output-channel scales. */
  readonly weight: Int8Array;
  readonly weightScale: Float32Array;
  readonly bias: Float32Array | null;
  /** Static input quantization, or null for dynamic (from each batch's range). */
  readonly input: ActivationParams | null;
  /** Kernel extent per spatial dimension. */
  readonly kernelSize: readonly number[];
  private readonly packed: Qs8ConvPackedWeights;
  private readonly staticBias: Int32Array | null;
  /** Σ|w| per output channel, for the dynamic path's int32 headroom check. */
  private readonly absSums: Float64Array;

  constructor(weight: Tensor, bias: Tensor | null, readonly args: ConvArguments, readonly relu: boolean,
              input: ActivationParams | null) {
    const spatial = weight.ndim - 2;
    if (spatial !== 1 && spatial !== 2) throw new ShapeError(`Int8ConvLayer: weight [${weight.shape}] is not a Conv1d/Conv2d weight`);
    for (const [name, v] of [["stride", args.stride], ["padding", args.padding], ["dilation", args.dilation]] as const) {
      if (v.length !== spatial) throw new ValueError(`Int8ConvLayer: ${name} [${v}] needs ${spatial} value(s) for weight [${weight.shape}]`);
    }
    this.outChannels = weight.shape[0];
    this.inChannels = weight.shape[1] * args.groups;
    this.kernelSize = weight.shape.slice(2);
    const q = quantize(weight, { scheme: "symmetric", axis: 0, dtype: "int8" });
    this.weight = q.values as Int8Array;
    this.weightScale = q.scale;
    this.bias = bias ? Float32Array.from(bias.data) : null;
    this.input = input;
    // Before packing: a channel whose bias would overflow the int32 accumulator gets a larger scale.
    if (input) fitBiasByWeightScale(weight.data, this.weight, this.weightScale, this.bias, input);
    this.absSums = channelAbsSums(this.weight, this.outChannels);
    this.packed = qs8ConvPackWeights(this.outChannels, weight.size / this.outChannels,
      { data: this.weight, offset: 0, zeroPoint: 0 });
    this.staticBias = input ? accumulatorBias(this.bias, input.scale, this.weightScale) : null;
  }

  /** The kernel's geometry for an input [N, C, (H,) W], checked. */
  geometry(shape: readonly number[]): Conv2dGeometry {
    const a = this.args, spatial = this.kernelSize.length;
    if (shape.length !== spatial + 2 || shape[1] !== this.inChannels) {
      throw new ShapeError(`int8 conv layer: input [${shape}] is not [N, ${this.inChannels}${", ·".repeat(spatial)}]`);
    }
    // Conv1d runs as a 2-D convolution of height 1.
    const dims = (v: readonly number[], one: number) => (spatial === 1 ? [one, v[0]] : [v[0], v[1]]);
    const [inH, inW] = dims(shape.slice(2), 1), [kH, kW] = dims(this.kernelSize, 1);
    const [sH, sW] = dims(a.stride, 1), [pT, pL] = dims(a.padding, 0), [pB, pR] = dims(a.paddingEnd ?? a.padding, 0);
    const [dH, dW] = dims(a.dilation, 1);
    const outH = Math.floor((inH + pT + pB - dH * (kH - 1) - 1) / sH) + 1;
    const outW = Math.floor((inW + pL + pR - dW * (kW - 1) - 1) / sW) + 1;
    if (outH < 1 || outW < 1) throw new ShapeError(`int8 conv layer: input [${shape}] is smaller than the (dilated) kernel [${this.kernelSize}]`);
    return {
      batch: shape[0], inChannels: this.inChannels, inH, inW, outChannels: this.outChannels, outH, outW,
      kernelH: kH, kernelW: kW, strideH: sH, strideW: sW, padTop: pT, padLeft: pL, dilationH: dH, dilationW: dW,
      groups: a.groups,
    };
  }

  /**
   * y [N, Cout, (oH,) oW] for x [N, Cin, (H,) W]. An image holding a NaN or ±∞ gives an all-NaN
   * output image (an int8 grid has no such values; a float convolution would spread them over
   * the pixels they reach); the other images are computed as if it were not in the batch.
   */
  forward(x: Tensor): Tensor {
    return this.run(x, this.geometry(x.shape), false);
  }

  /**
   * The forward of this layer and `next` as one call when `next` is a MaxPool2d of plain 2×2
   * windows after a 2-D convolution: the output is pooled in the kernels' memory (the bits of
   * the two steps), so the full-size output is never copied out. Null for any other module.
   */
  fuseNext(next: Module): ((x: Tensor) => Tensor) | null {
    if (this.kernelSize.length !== 2 || !isPlainMaxPool2x2(next)) return null;
    return (x) => {
      const g = this.geometry(x.shape);
      // An output too small to pool: the pool's own forward says what is wrong.
      return g.outH < 2 || g.outW < 2 ? next.forward(this.forward(x)) : this.run(x, g, true);
    };
  }

  /**
   * A run of 2-D int8 convolutions (this one first), each with its 2×2 max pool or alone, as one
   * call: every layer's output stays in the kernels' memory as the next one's input, never
   * copied out and back in. The same bits as the layers one by one, which the run falls back to
   * when an output is too small to pool or empty, or an image holds a NaN or ±∞.
   */
  fuseRun(units: readonly RunUnit[]): ((x: Tensor) => Tensor) | null {
    const layers = units.map((u) => u.layer);
    if (!layers.every((l): l is Int8ConvLayer => l instanceof Int8ConvLayer && l.kernelSize.length === 2)) return null;
    const oneByOne = (x: Tensor) => units.reduce((h, u) => u.forward(h), x);
    return (x) => {
      const stages: Qs8ConvLayerStage[] = [];
      let shape: readonly number[] = x.shape;
      for (let i = 0; i < layers.length; i++) {
        const g = layers[i].geometry(shape), pool2x2 = units[i].next !== null;
        if (g.batch * g.outChannels * g.outH * g.outW === 0 || (pool2x2 && (g.outH < 2 || g.outW < 2))) return oneByOne(x);
        stages.push({ g, w: layers[i].packed, o: layers[i].kernelOptions(), pool2x2 });
        shape = pool2x2 ? [g.batch, g.outChannels, g.outH >> 1, g.outW >> 1] : [g.batch, g.outChannels, g.outH, g.outW];
      }
      const data = float32Data(x);
      try {
        return fromTypedArray(qconvKernels().qs8Conv2dLayersF32(data, 0, stages), [...shape]);
      } catch (e) {
        if (e !== NON_FINITE_INPUT) throw e;
        return oneByOne(x);
      }
    };
  }

  private run(x: Tensor, g: Conv2dGeometry, pool2x2: boolean): Tensor {
    const data = float32Data(x);
    const [outH, outW] = pool2x2 ? [g.outH >> 1, g.outW >> 1] : [g.outH, g.outW];
    const outShape = [x.shape[0], this.outChannels, ...(this.kernelSize.length === 1 ? [outW] : [outH, outW])];
    try {
      return fromTypedArray(this.runKernel(g, data, null, pool2x2), outShape);
    } catch (e) {
      if (e !== NON_FINITE_INPUT) throw e;
      const y = new Float32Array(g.batch * g.outChannels * outH * outW);
      this.runWithNonFiniteImages(g, data, y, pool2x2);
      return fromTypedArray(y, outShape);
    }
  }

  /** The kernel's output into y, or (y null) into a new array; returns it. */
  private runKernel(g: Conv2dGeometry, x: Float32Array, y: Float32Array | null, pool2x2: boolean): Float32Array {
    return qconvKernels().qs8Conv2dLayerF32(g, x, 0, this.packed, y, 0, this.kernelOptions(), pool2x2);
  }

  /** The int8 layer kernel's options: the input's quantization (static, or from its range) and the epilogue. */
  private kernelOptions(): Qs8LinearOptions {
    const input = this.input;
    return {
      signed: false,
      // The range pass runs for static parameters too: it is what finds a NaN or ±∞.
      needsRange: true,
      params: (lo, hi): Qs8LinearParams => {
        if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw NON_FINITE_INPUT;
        if (input) return { scaleA: input.scale, zeroPointA: input.zeroPoint, bias: this.staticBias };
        const p = activationParams(lo, hi, "int8 conv layer (dynamic)");
        const scaleA = fitBiasByInputScale(p.scale, p.zeroPoint, this.bias, this.weightScale, this.absSums);
        return { scaleA, zeroPointA: p.zeroPoint, bias: accumulatorBias(this.bias, scaleA, this.weightScale) };
      },
      scaleB: this.weightScale,
      relu: this.relu,
    };
  }

  /** Images with a NaN or ±∞ are zeroed (a dynamic range always holds 0), run, and set to NaN. */
  private runWithNonFiniteImages(g: Conv2dGeometry, x: Float32Array, y: Float32Array, pool2x2: boolean): void {
    const size = g.inChannels * g.inH * g.inW, outSize = y.length / g.batch;
    const clean = x.slice(0, g.batch * size);
    const bad: number[] = [];
    for (let n = 0; n < g.batch; n++) {
      for (let t = n * size; t < (n + 1) * size; t++) {
        if (clean[t] - clean[t] !== 0) { bad.push(n); clean.fill(0, n * size, (n + 1) * size); break; }
      }
    }
    this.runKernel(g, clean, y, pool2x2);
    for (const n of bad) y.fill(NaN, n * outSize, (n + 1) * outSize);
  }

  /** int8 weights, one f32 scale and one int32 (or f32) bias per channel, the input scale and zero point. */
  bytes(): number {
    return this.weight.length + this.outChannels * 4 + (this.bias ? this.outChannels * 4 : 0) + (this.input ? 8 : 0);
  }
  parameters(): number {
    return this.weight.length + (this.bias?.length ?? 0);
  }
  nonZeros(): number {
    return countNonZeros(this.weight, this.bias);
  }
}
