// The JS reference of the convolution kernels: im2col of one image and group into a patch
// matrix, then the reference GEMM (gemmJs, float64 sums). It is the js backend's table, what the
// wasm kernels are tested against, and the float64 path of the convolution ops (it works on
// float32 and float64 arrays alike; sums are float64 and rounded once on store).
import type { Conv2dGeometry } from "./conv-geometry.js";
import { gemmJs } from "./js-kernels.js";
import { maxPool2x2Js, packTapsJs, unpoolReluGradJs } from "./pool-kernels.js";

type Floats = Float32Array | Float64Array;

/** Sizes every pass derives from a geometry. */
function sizes(g: Conv2dGeometry) {
  const cg = g.inChannels / g.groups, mg = g.outChannels / g.groups;
  return { cg, mg, k: cg * g.kernelH * g.kernelW, hw: g.outH * g.outW, inImage: g.inChannels * g.inH * g.inW };
}

/**
 * Visits every patch row p = (c·kH + kh)·kW + kw of one group's patch matrix and every output
 * row oy, with the columns [ox0, ox1) whose input pixel lies inside the image: column
 * j = oy·outW + ox reads input pixel `base + ox·strideW` (relative to the group's first channel).
 */
function forEachTapRow(g: Conv2dGeometry, visit: (p: number, rowStart: number, ox0: number, ox1: number, base: number) => void): void {
  const cg = g.inChannels / g.groups;
  for (let c = 0; c < cg; c++) {
    for (let kh = 0; kh < g.kernelH; kh++) {
      for (let kw = 0; kw < g.kernelW; kw++) {
        const p = (c * g.kernelH + kh) * g.kernelW + kw;
        const dx = kw * g.dilationW - g.padLeft;
        // ox·strideW + dx in [0, inW) ⇔ ox in [ceil(−dx / strideW), ceil((inW − dx) / strideW)).
        const ox0 = Math.max(0, Math.ceil(-dx / g.strideW)), ox1 = Math.min(g.outW, Math.ceil((g.inW - dx) / g.strideW));
        for (let oy = 0; oy < g.outH; oy++) {
          const iy = oy * g.strideH - g.padTop + kh * g.dilationH;
          if (iy < 0 || iy >= g.inH || ox0 >= ox1) continue;
          visit(p, oy * g.outW, ox0, ox1, (c * g.inH + iy) * g.inW + dx);
        }
      }
    }
  }
}

/** The k × hw patch matrix of the group starting at x[offset] (zeros where a patch is off the image). */
function im2col(g: Conv2dGeometry, x: Floats, offset: number, cols: Float64Array): void {
  const hw = g.outH * g.outW, s = g.strideW;
  cols.fill(0);
  forEachTapRow(g, (p, rowStart, ox0, ox1, base) => {
    const out = p * hw + rowStart, src = offset + base;
    for (let ox = ox0; ox < ox1; ox++) cols[out + ox] = x[src + ox * s];
  });
}

const newLike = (a: Floats, n: number): Floats => (a instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));

export function conv2dJs(x: Floats, weight: Floats, bias: Floats | null, g: Conv2dGeometry,
                         options: { relu?: boolean } = {}): Floats {
  const { cg, mg, k, hw, inImage } = sizes(g);
  const y = newLike(x, g.batch * g.outChannels * hw);
  const cols = new Float64Array(k * hw), acc = new Float64Array(mg * hw);
  for (let n = 0; n < g.batch; n++) {
    for (let t = 0; t < g.groups; t++) {
      im2col(g, x, n * inImage + t * cg * g.inH * g.inW, cols);
      gemmJs(mg, hw, k, { data: weight, offset: t * mg * k, rowStride: k, colStride: 1 },
             { data: cols, offset: 0, rowStride: hw, colStride: 1 }, acc, 0);
      const base = (n * g.outChannels + t * mg) * hw;
      for (let i = 0; i < mg; i++) {
        const b = bias ? bias[t * mg + i] : 0;
        for (let j = 0; j < hw; j++) {
          const v = acc[i * hw + j] + b;
          y[base + i * hw + j] = options.relu && v < 0 ? 0 : v;
        }
      }
    }
  }
  return y;
}

export function conv2dBackwardInputJs(dy: Floats, weight: Floats, g: Conv2dGeometry): Floats {
  const { cg, mg, k, hw, inImage } = sizes(g);
  const dx = new Float64Array(g.batch * inImage);
  const cols = new Float64Array(k * hw);
  for (let n = 0; n < g.batch; n++) {
    for (let t = 0; t < g.groups; t++) {
      gemmJs(k, hw, mg, { data: weight, offset: t * mg * k, rowStride: 1, colStride: k },
             { data: dy, offset: (n * g.outChannels + t * mg) * hw, rowStride: hw, colStride: 1 }, cols, 0);
      const offset = n * inImage + t * cg * g.inH * g.inW, s = g.strideW;
      forEachTapRow(g, (p, rowStart, ox0, ox1, base) => {
        const src = p * hw + rowStart, dst = offset + base;
        for (let ox = ox0; ox < ox1; ox++) dx[dst + ox * s] += cols[src + ox];
      });
    }
  }
  return dy instanceof Float64Array ? dx : Float32Array.from(dx);
}

export function conv2dBackwardWeightJs(x: Floats, dy: Floats, g: Conv2dGeometry): Floats {
  const { cg, mg, k, hw, inImage } = sizes(g);
  const dw = new Float64Array(g.outChannels * k);
  const cols = new Float64Array(k * hw);
  for (let n = 0; n < g.batch; n++) {
    for (let t = 0; t < g.groups; t++) {
      im2col(g, x, n * inImage + t * cg * g.inH * g.inW, cols);
      gemmJs(mg, k, hw, { data: dy, offset: (n * g.outChannels + t * mg) * hw, rowStride: hw, colStride: 1 },
             { data: cols, offset: 0, rowStride: 1, colStride: hw }, dw, t * mg * k, { accumulate: true });
    }
  }
  return x instanceof Float64Array ? dw : Float32Array.from(dw);
}

/** Which gradients conv2dBackward computes, and what it returns (null where not asked). */
export interface Conv2dGradsWanted { input: boolean; weight: boolean; bias: boolean }
export interface Conv2dGrads<T> { dx: T | null; dw: T | null; db: T | null }

/**
 * The reference of the combined backward: dy masked by y > 0 when y (a relu epilogue's output)
 * is given, then the input, weight and bias gradients that are wanted. Generic over float32 and
 * float64 (the float64 convolution ops run it).
 */
export function conv2dBackwardJs<T extends Floats>(x: T, weight: T, dy: T, y: T | null, g: Conv2dGeometry,
                                                   want: Conv2dGradsWanted): Conv2dGrads<T> {
  let d: Floats = dy;
  if (y) {
    d = newLike(dy, dy.length);
    for (let i = 0; i < dy.length; i++) d[i] = y[i] > 0 ? dy[i] : 0;
  }
  const plane = g.outH * g.outW;
  let db: Floats | null = null;
  if (want.bias) {
    const acc = new Float64Array(g.outChannels);
    for (let n = 0; n < g.batch; n++) {
      for (let c = 0; c < g.outChannels; c++) {
        const base = (n * g.outChannels + c) * plane;
        for (let j = 0; j < plane; j++) acc[c] += d[base + j];
      }
    }
    db = dy instanceof Float64Array ? acc : Float32Array.from(acc);
  }
  return {
    dx: want.input ? (conv2dBackwardInputJs(d, weight, g) as T) : null,
    dw: want.weight ? (conv2dBackwardWeightJs(x, d, g) as T) : null,
    db: db as T | null,
  };
}

/**
 * The JS reference of the fused Conv→ReLU→2×2 max pool (ConvKernels.conv2dReluMaxPool): the
 * pooled output and the winning taps, packed four to a byte.
 */
export function conv2dReluMaxPoolJs(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry,
                                   normalize?: (values: Float32Array) => void, withTaps = true): { y: Float32Array; code: Uint8Array } {
  const full = conv2dJs(x, w, bias, g, { relu: normalize === undefined }) as Float32Array;
  if (normalize) {
    normalize(full);
    // v < 0, not v > 0: NaN and −0 pass through, as in relu() and the epilogues (f32_relu).
    for (let i = 0; i < full.length; i++) if (full[i] < 0) full[i] = 0;
  }
  const planes = g.batch * g.outChannels, n = planes * (g.outH >> 1) * (g.outW >> 1);
  const y = new Float32Array(n), code = withTaps ? new Uint8Array(n) : null;
  maxPool2x2Js(planes, g.outH, g.outW, full, y, code);
  return { y, code: code ? packTapsJs(code) : new Uint8Array(0) };
}

/** Its backward from the pooled gradient dy, the pooled output y and the packed taps. */
export function conv2dReluMaxPoolBackwardJs(x: Float32Array, w: Float32Array, dy: Float32Array, y: Float32Array, code: Uint8Array,
                                            g: Conv2dGeometry, want: Conv2dGradsWanted,
                                            normalizeBackward?: (values: Float32Array) => void): Conv2dGrads<Float32Array> {
  const full = unpoolReluGradJs(dy, y, code, g.batch * g.outChannels, g.outH, g.outW);
  normalizeBackward?.(full);
  return conv2dBackwardJs(x, w, full, null, g, want);
}
