/**
 * Types of the int8 convolution kernels (ONNX ConvInteger semantics, plus the requantizing
 * epilogue of an int8 layer), shared by the wasm and JS implementations; and the weight packing,
 * which is plain JS for both (it runs once per quantized layer).
 */
import type { Qs8LinearOptions } from "./compress-types.js";
import type { Conv2dGeometry } from "./conv-geometry.js";

/** An int8 or uint8 NCHW image batch, contiguous from `offset`; `zeroPoint` is x_zero_point. */
export interface Qs8ConvInput {
  data: Int8Array | Uint8Array;
  offset: number;
  zeroPoint: number;
}

/** int8/uint8 weights [Cout, Cin/groups, kH, kW], contiguous from `offset` (PyTorch's layout). */
export interface Qs8ConvWeights {
  data: Int8Array | Uint8Array;
  offset: number;
  /** One zero point for all weights, or one per output channel (ONNX w_zero_point). */
  zeroPoint: number | ArrayLike<number>;
}

/**
 * Weights packed once for any number of convolution calls: per output channel a row of
 * K = Cin/groups·kH·kW values (w − zero point) as i16, padded to an even length with a zero —
 * the A side of the int8 GEMM, as its micro-kernel reads it. An ordinary JS array: its owner (a
 * quantized model) keeps a reference, each call pins or copies it into wasm memory.
 */
export interface Qs8ConvPackedWeights {
  readonly outChannels: number;
  /** Taps per output channel, Cin/groups·kH·kW. */
  readonly k: number;
  /** outChannels rows of qs8ConvRowLength(k) i16. */
  readonly data: Int16Array;
}

export interface Qs8ConvOptions {
  /** Cout int32 values added to every output of the channel (a quantized layer's bias). */
  bias?: Int32Array | null;
  /** max(0, ·) last. */
  relu?: boolean;
}

export interface Qs8ConvRequantOptions extends Qs8ConvOptions {
  /** Scale of x (one for the whole tensor). */
  scaleA: number;
  /** Scale of the weights: one, or one per output channel. */
  scaleB: number | ArrayLike<number>;
}

/** The int8 convolution table (qconvKernels()). */
export interface QconvKernels {
  /**
   * ONNX ConvInteger: y[n, co, oh, ow] (int32, NCHW at yOffset) = Σ (x − zx)·(w − zw) over the
   * taps of co's group, where padding counts as zx (contributes 0), (+ bias[co]) (relu); exact
   * (int32 wrap-around only past 2³¹, as onnxruntime).
   */
  qs8Conv2d(g: Conv2dGeometry, x: Qs8ConvInput, w: Qs8ConvPackedWeights, y: Int32Array, yOffset: number,
            options?: Qs8ConvOptions): void;
  /** The same requantized for an int8 layer: y (float32) = f32(acc + bias[co])·fround(scaleA·scaleB[co]) (relu). */
  qs8Conv2dF32(g: Conv2dGeometry, x: Qs8ConvInput, w: Qs8ConvPackedWeights, y: Float32Array, yOffset: number,
               options: Qs8ConvRequantOptions): void;
  /**
   * One int8 convolution layer from float32 to float32: x quantized per tensor (ONNX QuantizeLinear,
   * parameters from o.params, given x's range if o.needsRange), then the requantizing int8 convolution.
   * With pool2x2, y gets the output's 2×2, stride-2 max pooling instead (planes of
   * ⌊outH/2⌋×⌊outW/2⌋, the bits of f32MaxPool2x2 on the output), pooled where the output is
   * made, so the full-size output never crosses into JS. y null: the output goes to a new array
   * (one copy, no zero-filled array written over). Returns the array written.
   */
  qs8Conv2dLayerF32(g: Conv2dGeometry, x: Float32Array, xOffset: number, w: Qs8ConvPackedWeights,
                    y: Float32Array | null, yOffset: number, o: Qs8LinearOptions, pool2x2?: boolean): Float32Array;
  /**
   * Int8 convolution layers back to back, each stage's (pooled) float output the next one's
   * input: the bits of qs8Conv2dLayerF32 called stage by stage, but the outputs between stages
   * stay in the kernels' memory (never copied out into new arrays and back in). Each stage's
   * geometry must take the previous stage's output shape. Returns the last output, a new array.
   */
  qs8Conv2dLayersF32(x: Float32Array, xOffset: number, stages: readonly Qs8ConvLayerStage[]): Float32Array;
}

/** One layer of qs8Conv2dLayersF32: qs8Conv2dLayerF32's arguments but the arrays. */
export interface Qs8ConvLayerStage {
  g: Conv2dGeometry;
  w: Qs8ConvPackedWeights;
  o: Qs8LinearOptions;
  pool2x2: boolean;
}

/** Length of one packed weight row: k rounded up to the GEMM's k-pair. */
export function qs8ConvRowLength(k: number): number {
  return (k + 1) & ~1;
}

/** Packs [Cout, k] weights (k = Cin/groups·kH·kW) for qs8Conv2d: zero points off, widened to i16. */
export function qs8ConvPackWeights(outChannels: number, k: number, w: Qs8ConvWeights): Qs8ConvPackedWeights {
  const row = qs8ConvRowLength(k);
  const data = new Int16Array(outChannels * row);
  const zp = w.zeroPoint;
  for (let co = 0; co < outChannels; co++) {
    const z = typeof zp === "number" ? zp : zp[co];
    const src = w.offset + co * k;
    for (let p = 0; p < k; p++) data[co * row + p] = w.data[src + p] - z;
  }
  return { outChannels, k, data };
}

/** Elements of x, y and the group's tap count of a geometry. */
export function convSizes(g: Conv2dGeometry): { xSize: number; ySize: number; k: number } {
  return {
    xSize: g.batch * g.inChannels * g.inH * g.inW,
    ySize: g.batch * g.outChannels * g.outH * g.outW,
    k: (g.inChannels / g.groups) * g.kernelH * g.kernelW,
  };
}

/** The geometry as the 16 i32 words qs8_conv2d reads, in Conv2dGeometry's field order. */
export function geometryWords(g: Conv2dGeometry): Int32Array {
  return Int32Array.of(g.batch, g.inChannels, g.inH, g.inW, g.outChannels, g.outH, g.outW,
    g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.groups);
}

/** fround(scaleA·scaleB[co]) per output channel: every backend multiplies by the same float32. */
export function qs8ConvOutputScale(outChannels: number, scaleA: number, scaleB: number | ArrayLike<number>): Float32Array {
  const s = new Float32Array(outChannels);
  for (let co = 0; co < outChannels; co++) s[co] = scaleA * (typeof scaleB === "number" ? scaleB : scaleB[co]);
  return s;
}
