// The JS reference of the convolution kernels: im2col of one image and group into a patch
// matrix, then the reference GEMM (gemmJs, float64 sums). It is the js backend's table, what the
// wasm kernels are tested against, and the float64 path of the convolution ops (it works on
// float32 and float64 arrays alike; sums are float64 and rounded once on store).
import type { Conv2dGeometry } from "./conv-geometry.js";
import { gemmJs } from "./js-kernels.js";

type Floats = Float32Array | Float64Array;

/** Sizes every pass derives from a geometry. */
function sizes(g: Conv2dGeometry) {
  const cg = g.inChannels / g.groups, mg = g.outChannels / g.groups;
  return { cg, mg, k: cg * g.kernelH * g.kernelW, hw: g.outH * g.outW, inImage: g.inChannels * g.inH * g.inW };
}

/**
 * Visits every (patch row p, output pixel j) of one group's patch matrix whose input pixel lies
 * inside the image, with that pixel's index relative to the group's first channel. Rows of the
 * matrix are p = (c·kH + kh)·kW + kw; columns j = oy·outW + ox.
 */
function forEachTap(g: Conv2dGeometry, visit: (p: number, j: number, pixel: number) => void): void {
  const { cg, hw } = sizes(g);
  for (let c = 0; c < cg; c++) {
    for (let kh = 0; kh < g.kernelH; kh++) {
      for (let kw = 0; kw < g.kernelW; kw++) {
        const p = (c * g.kernelH + kh) * g.kernelW + kw;
        for (let j = 0; j < hw; j++) {
          const oy = Math.floor(j / g.outW), ox = j - oy * g.outW;
          const iy = oy * g.strideH - g.padTop + kh * g.dilationH;
          const ix = ox * g.strideW - g.padLeft + kw * g.dilationW;
          if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) visit(p, j, (c * g.inH + iy) * g.inW + ix);
        }
      }
    }
  }
}

/** The k × hw patch matrix of the group starting at x[offset] (zeros where a patch is off the image). */
function im2col(g: Conv2dGeometry, x: Floats, offset: number, cols: Float64Array): void {
  const { hw } = sizes(g);
  cols.fill(0);
  forEachTap(g, (p, j, pixel) => { cols[p * hw + j] = x[offset + pixel]; });
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
      const offset = n * inImage + t * cg * g.inH * g.inW;
      forEachTap(g, (p, j, pixel) => { dx[offset + pixel] += cols[p * hw + j]; });
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
