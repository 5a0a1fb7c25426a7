/**
 * The JS reference of the int8 convolution: direct loops over the same packed weights as the wasm
 * kernel, so a packed-weights object is valid on every backend. Sums are exact in float64 and
 * then wrapped to int32 like the kernel's i32 adds.
 */
import { BackendError } from "../errors.js";
import type { Qs8LinearOptions } from "./compress-types.js";
import type { Conv2dGeometry } from "./conv-geometry.js";
import { maxPool2x2Js } from "./pool-kernels.js";
import { f32MinMaxJs, qs8QuantizeF32Js } from "./qs8-quantize-js.js";
import {
  convSizes, qs8ConvOutputScale, qs8ConvRowLength,
  type QconvKernels, type Qs8ConvInput, type Qs8ConvPackedWeights, type Qs8ConvRequantOptions,
} from "./qs8-conv-types.js";

/** The accumulators of one output channel of one image, + bias, into `acc` (outH·outW values). */
function channelSums(g: Conv2dGeometry, xz: Int32Array, n: number, co: number, w: Qs8ConvPackedWeights,
                     acc: Float64Array): void {
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  const c0 = Math.floor(co / coutG) * cinG;
  const wRow = co * qs8ConvRowLength(w.k);
  acc.fill(0);
  for (let ci = 0; ci < cinG; ci++) {
    const plane = (n * g.inChannels + c0 + ci) * g.inH * g.inW;
    for (let kh = 0; kh < g.kernelH; kh++) {
      for (let kw = 0; kw < g.kernelW; kw++) {
        const wv = w.data[wRow + (ci * g.kernelH + kh) * g.kernelW + kw];
        if (wv === 0) continue;
        for (let oh = 0; oh < g.outH; oh++) {
          const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
          if (ih < 0 || ih >= g.inH) continue;   // padding: x − zx = 0
          const rowX = plane + ih * g.inW, rowY = oh * g.outW;
          for (let ow = 0; ow < g.outW; ow++) {
            const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
            if (iw >= 0 && iw < g.inW) acc[rowY + ow] += xz[rowX + iw] * wv;
          }
        }
      }
    }
  }
}

/** Calls `emit(index in y, int32 accumulator + bias)` for every output, in NCHW order. */
function convolve(g: Conv2dGeometry, x: Qs8ConvInput, w: Qs8ConvPackedWeights, bias: Int32Array | null | undefined,
                  emit: (i: number, co: number, v: number) => void): void {
  const { xSize } = convSizes(g);
  const xz = new Int32Array(xSize);
  for (let i = 0; i < xSize; i++) xz[i] = x.data[x.offset + i] - x.zeroPoint;
  const pixels = g.outH * g.outW;
  const acc = new Float64Array(pixels);
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      channelSums(g, xz, n, co, w, acc);
      const b = bias ? bias[co] : 0;
      const base = (n * g.outChannels + co) * pixels;
      for (let p = 0; p < pixels; p++) emit(base + p, co, (acc[p] + b) | 0);
    }
  }
}

function qs8Conv2dF32Js(g: Conv2dGeometry, x: Qs8ConvInput, w: Qs8ConvPackedWeights, y: Float32Array, yOffset: number,
                        o: Qs8ConvRequantOptions): void {
  const scale = qs8ConvOutputScale(g.outChannels, o.scaleA, o.scaleB);
  convolve(g, x, w, o.bias, (i, co, v) => {
    // Same rounding as the kernel: int32 → f32, then one f32 multiply.
    const f = Math.fround(Math.fround(v) * scale[co]);
    y[yOffset + i] = o.relu && f < 0 ? 0 : f;
  });
}

export const jsQconvKernels: QconvKernels = {
  qs8Conv2d(g, x, w, y, yOffset, options = {}): void {
    convolve(g, x, w, options.bias, (i, _co, v) => { y[yOffset + i] = options.relu && v < 0 ? 0 : v; });
  },

  qs8Conv2dF32: qs8Conv2dF32Js,

  qs8Conv2dLayerF32(g: Conv2dGeometry, x: Float32Array, xOffset: number, w: Qs8ConvPackedWeights,
                    y: Float32Array | null, yOffset: number, o: Qs8LinearOptions, pool2x2 = false): Float32Array {
    const { xSize, ySize } = convSizes(g);
    if (y === null) {
      y = new Float32Array(pool2x2 ? g.batch * g.outChannels * (g.outH >> 1) * (g.outW >> 1) : ySize);
      yOffset = 0;
    }
    const [lo, hi] = o.needsRange ? f32MinMaxJs(xSize, x, xOffset) : [NaN, NaN];
    const p = o.params(lo, hi);
    const q = o.signed ? new Int8Array(xSize) : new Uint8Array(xSize);
    qs8QuantizeF32Js(xSize, x, xOffset, p.scaleA, p.zeroPointA, q);
    const out = pool2x2 ? new Float32Array(ySize) : y;
    qs8Conv2dF32Js(g, { data: q, offset: 0, zeroPoint: p.zeroPointA }, w, out, pool2x2 ? 0 : yOffset,
                   { scaleA: p.scaleA, scaleB: o.scaleB, bias: p.bias, relu: o.relu });
    if (!pool2x2) return y;
    const planes = g.batch * g.outChannels, pooled = planes * (g.outH >> 1) * (g.outW >> 1);
    maxPool2x2Js(planes, g.outH, g.outW, out, y.subarray(yOffset, yOffset + pooled), null);
    return y;
  },

  qs8Conv2dLayersF32(x, xOffset, stages): Float32Array {
    if (stages.length === 0) throw new BackendError("qs8Conv2dLayersF32: no stages to run");
    let y = x, offset = xOffset;
    for (const s of stages) {
      y = jsQconvKernels.qs8Conv2dLayerF32(s.g, y, offset, s.w, null, 0, s.o, s.pool2x2);
      offset = 0;
    }
    return y;
  },
};
