// The kernels beyond the f32 GEMM split over the pool — convolution forward and both gradients,
// Adam, the int8 GEMM and convolution, the CSR product — give the same bits with 1, 2 and 3
// threads (every call split, down to one tile per thread), and those bits are right: within the
// float64 bound of a reference written here, or exactly equal to an int32 one.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import {
  compressKernels, convKernels, optimKernels, poolKernels, qconvKernels, qs8ConvPackWeights,
  type BackendName, type Conv2dGeometry,
} from "../../src/backend/index.js";
import { parallelAdam } from "../../src/backend/parallel-adam.js";
import { parallelConv } from "../../src/backend/parallel-conv.js";
import { parallelElementwise } from "../../src/backend/parallel-elementwise.js";
import { parallelQs8 } from "../../src/backend/parallel-qs8.js";
import { parallelSpmm } from "../../src/backend/parallel-spmm.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";
import { gemmTol } from "../support/tolerance.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
const onWasm = backend !== "js";
const thresholds = [parallelConv, parallelQs8, parallelSpmm] as { minMacs: number }[];
const defaults = thresholds.map((t) => t.minMacs);
const defaultAdam = parallelAdam.minElements;
const defaultElementwise = { ...parallelElementwise };

function splitEverything(): void {
  thresholds.forEach((t) => { t.minMacs = 0; });
  parallelAdam.minElements = 0;
  parallelElementwise.minElements = 0;
  parallelElementwise.reluMinElements = 0;
  parallelElementwise.biasMinElements = 0;
}
afterEach(() => {
  thresholds.forEach((t, i) => { t.minMacs = defaults[i]; });
  parallelAdam.minElements = defaultAdam;
  Object.assign(parallelElementwise, defaultElementwise);
  vi.restoreAllMocks();
});
afterAll(() => eg.init({ backend })); // ends the last pool: no test leaves workers running

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const floats = (n: number, next: () => number) => Float32Array.from({ length: n }, next);
const bytes = (n: number, next: () => number) => Int8Array.from({ length: n }, () => Math.round(next() * 127));

/**
 * `compute()` with 1, 2 and 3 threads: the outputs, checked equal bit for bit, and that the pool
 * really ran each kernel named (at 2 and 3 threads, on wasm).
 */
async function acrossThreads<T extends ArrayLike<number>[]>(kernels: string[], compute: () => T): Promise<T> {
  const out: T[] = [];
  for (const threads of [1, 2, 3]) {
    const info = await eg.init({ backend, threads });
    expect(info.threads).toBe(onWasm ? threads : 1);
    splitEverything();
    const run = vi.spyOn(ThreadPool.prototype, "run");
    out.push(compute());
    const names: string[] = run.mock.calls.map((c) => c[1]);
    for (const kernel of kernels) expect(names.includes(kernel), `${threads} threads ran ${kernel}`).toBe(onWasm && threads > 1);
    run.mockRestore();
  }
  out.slice(1).forEach((o, t) => o.forEach((a, i) => expect(a, `${t + 2} threads, output ${i}`).toEqual(out[0][i])));
  return out[2];
}

const convArb = fc.record({
  batch: fc.integer({ min: 1, max: 5 }), groups: fc.constantFrom(1, 1, 2), cinG: fc.integer({ min: 1, max: 5 }),
  coutG: fc.integer({ min: 1, max: 11 }), inH: fc.integer({ min: 3, max: 9 }), inW: fc.integer({ min: 3, max: 9 }),
  kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }), stride: fc.constantFrom(1, 1, 2),
  pad: fc.integer({ min: 0, max: 1 }), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

interface Conv {
  batch: number; groups: number; cinG: number; coutG: number; inH: number; inW: number;
  kH: number; kW: number; stride: number; pad: number; seed: number;
}

function geometryOf(c: Conv): Conv2dGeometry {
  const out = (n: number, k: number) => Math.floor((n + 2 * c.pad - k) / c.stride) + 1;
  return {
    batch: c.batch, inChannels: c.cinG * c.groups, inH: c.inH, inW: c.inW, outChannels: c.coutG * c.groups,
    outH: out(c.inH, c.kH), outW: out(c.inW, c.kW), kernelH: c.kH, kernelW: c.kW, strideH: c.stride, strideW: c.stride,
    padTop: c.pad, padLeft: c.pad, dilationH: 1, dilationW: 1, groups: c.groups,
  };
}

/** Calls f(xIndex, wIndex, yIndex) for every tap of the convolution that reads inside the input. */
function forEachTap(g: Conv2dGeometry, f: (xi: number, wi: number, yi: number) => void): void {
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) for (let co = 0; co < g.outChannels; co++) {
    const grp = Math.floor(co / coutG);
    for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) {
      const yi = ((n * g.outChannels + co) * g.outH + oh) * g.outW + ow;
      for (let ci = 0; ci < cinG; ci++) for (let kh = 0; kh < g.kernelH; kh++) for (let kw = 0; kw < g.kernelW; kw++) {
        const ih = oh * g.strideH - g.padTop + kh, iw = ow * g.strideW - g.padLeft + kw;
        if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
        f(((n * g.inChannels + grp * cinG + ci) * g.inH + ih) * g.inW + iw, ((co * cinG + ci) * g.kernelH + kh) * g.kernelW + kw, yi);
      }
    }
  }
}

/** Each got[i] within the float64 bound of Σ terms (sum[i], with absolute sum abs[i] of count terms[i]). */
function expectWithinBound(got: Float32Array, sum: Float64Array, abs: Float64Array, terms: Int32Array, what: string): void {
  got.forEach((v, i) => {
    const err = Math.abs(v - sum[i]);
    if (!(err <= gemmTol(abs[i], sum[i], terms[i]))) throw new Error(`${what}[${i}] = ${v}, float64 ${sum[i]}`);
  });
}

describe("the threaded convolution", () => {
  it("gives the same bits for 1, 2 and 3 threads forward, for the input and the weight gradient, and they are right", async () => {
    const cases = fc.sample(convArb, { numRuns: 20, seed: 21 });
    for (const c of cases) {
      const g = geometryOf(c);
      const next = lcg(c.seed);
      const x = floats(g.batch * g.inChannels * g.inH * g.inW, next);
      const w = floats(g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW, next);
      const bias = floats(g.outChannels, next);
      const dy = floats(g.batch * g.outChannels * g.outH * g.outW, next);
      const [y, dx, dw] = await acrossThreads(["f32_conv2d", "f32_conv2d_backward_input", "f32_conv2d_backward_weight_tile"], () => {
        const k = convKernels();
        return [k.conv2d(x, w, bias, g), k.conv2dBackwardInput(dy, w, g), k.conv2dBackwardWeight(x, dy, g)];
      });
      const acc = (n: number) => ({ sum: new Float64Array(n), abs: new Float64Array(n), terms: new Int32Array(n) });
      const ys = acc(y.length), dxs = acc(dx.length), dws = acc(dw.length);
      y.forEach((_, i) => {
        const co = Math.floor(i / (g.outH * g.outW)) % g.outChannels;
        ys.sum[i] = bias[co]; ys.abs[i] = Math.abs(bias[co]); ys.terms[i] = 1;
      });
      const add = (a: ReturnType<typeof acc>, i: number, p: number) => { a.sum[i] += p; a.abs[i] += Math.abs(p); a.terms[i]++; };
      forEachTap(g, (xi, wi, yi) => {
        add(ys, yi, x[xi] * w[wi]);
        add(dxs, xi, w[wi] * dy[yi]);
        add(dws, wi, x[xi] * dy[yi]);
      });
      const context = JSON.stringify(c);
      expectWithinBound(y, ys.sum, ys.abs, ys.terms, `y ${context}`);
      expectWithinBound(dx, dxs.sum, dxs.abs, dxs.terms, `dx ${context}`);
      expectWithinBound(dw, dws.sum, dws.abs, dws.terms, `dw ${context}`);
    }
  });

  it("splits the weight gradient by output channels when patches are few (a first layer's 3×3 on one channel)", async () => {
    const g = geometryOf({ batch: 3, groups: 1, cinG: 1, coutG: 32, inH: 10, inW: 10, kH: 3, kW: 3, stride: 1, pad: 1, seed: 4 });
    const next = lcg(4);
    const x = floats(3 * 100, next), dy = floats(3 * 32 * 100, next), w = floats(32 * 9, next);
    await acrossThreads(["f32_conv2d_backward_weight_tile", "f32_conv2d"], () => {
      const k = convKernels();
      return [k.conv2dBackward(x, w, dy, null, g, { input: true, weight: true, bias: true }).dw!, k.conv2d(x, w, null, g, { relu: true })];
    });
  });

  it("splits the Winograd convolutions (3×3, channels in fours from 8) by images and by tiles of dw", async () => {
    // 12 → 8 channels: 108 patch elements, so the column tiles of dw cut input channels apart.
    for (const [cinG, coutG, pad] of [[12, 8, 1], [8, 16, 0]]) {
      const g = geometryOf({ batch: 5, groups: 1, cinG, coutG, inH: 9, inW: 7, kH: 3, kW: 3, stride: 1, pad, seed: 17 });
      const next = lcg(17);
      const x = floats(5 * cinG * 63, next), w = floats(coutG * cinG * 9, next), b = floats(coutG, next);
      const dy = floats(5 * coutG * g.outH * g.outW, next);
      await acrossThreads(["f32_conv2d", "f32_conv2d_backward_input", "f32_conv2d_backward_weight_tile"], () => {
        const k = convKernels();
        return [k.conv2d(x, w, b, g, { relu: true }), k.conv2dBackwardInput(dy, w, g), k.conv2dBackwardWeight(x, dy, g)];
      });
    }
  });

  it("splits the ReLU epilogue's backward by ranges: the fused backward's gradients keep their bits", async () => {
    const g = geometryOf({ batch: 3, groups: 1, cinG: 2, coutG: 5, inH: 6, inW: 7, kH: 3, kW: 3, stride: 1, pad: 1, seed: 7 });
    const next = lcg(7);
    const x = floats(3 * 2 * 42, next), w = floats(5 * 2 * 9, next), dy = floats(3 * 5 * 42, next), y = floats(3 * 5 * 42, next);
    const [dx] = await acrossThreads(["f32_relu_backward"], () => {
      const r = convKernels().conv2dBackward(x, w, dy, y, g, { input: true, weight: true, bias: true });
      return [r.dx!, r.dw!, r.db!];
    });
    // The mask applied: dx equals the input gradient of dy zeroed where y ≤ 0, on one thread.
    await eg.init({ backend, threads: 1 });
    expect(dx).toEqual(convKernels().conv2dBackwardInput(dy.map((v, i) => (y[i] > 0 ? v : 0)), w, g));
  });

  it("splits 2×2 max pooling by planes, each window's maximum and its tap exact", async () => {
    const planes = 7, h = 6, w = 9;
    const next = lcg(9);
    const x = floats(planes * h * w, next);
    const [y, code] = await acrossThreads(["f32_maxpool2d_2x2"], () => {
      const out = new Float32Array(planes * 3 * 4), taps = new Uint8Array(out.length);
      poolKernels().f32MaxPool2x2(planes, h, w, x, out, taps);
      return [out, taps];
    });
    for (let p = 0, o = 0; p < planes; p++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++, o++) {
      const r = (p * h + 2 * i) * w + 2 * j, window = [x[r], x[r + 1], x[r + w], x[r + w + 1]];
      expect(y[o]).toBe(Math.max(...window));
      expect(code[o]).toBe(window.indexOf(y[o]));
    }
  });

  it("splits the 2×2 max pooling backward by planes: each gradient at its window's tap, zeros elsewhere", async () => {
    const planes = 7, h = 7, w = 9, oh = 3, ow = 4; // odd sides: the row and column no window reads
    const next = lcg(11);
    const g = floats(planes * oh * ow, next), code = Uint8Array.from(g, (_, i) => (i * 7) % 4);
    const [gx] = await acrossThreads(["f32_maxpool2d_2x2_backward"], () => {
      const out = new Float32Array(planes * h * w).fill(5); // stale values must go
      poolKernels().f32MaxPool2x2Backward(planes, h, w, code, g, out);
      return [out];
    });
    const want = new Float32Array(planes * h * w);
    for (let p = 0, o = 0; p < planes; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
      want[(p * h + 2 * i + (code[o] >> 1)) * w + 2 * j + (code[o] & 1)] = g[o];
    }
    expect(gx).toEqual(want);
  });

  it("runs the fused Conv→ReLU→pool over the pool, forward and backward, with the bits of one thread", async () => {
    const g = geometryOf({ batch: 4, groups: 1, cinG: 3, coutG: 5, inH: 9, inW: 8, kH: 3, kW: 3, stride: 1, pad: 1, seed: 13 });
    const next = lcg(13);
    const x = floats(4 * 3 * 72, next), w = floats(5 * 3 * 9, next), b = floats(5, next), dy = floats(4 * 5 * 4 * 4, next);
    await acrossThreads(["f32_conv2d", "f32_maxpool2d_2x2", "f32_relu_backward", "f32_maxpool2d_2x2_backward",
                         "f32_conv2d_backward_input", "f32_conv2d_backward_weight_tile"], () => {
      const k = convKernels(), { y, code } = k.conv2dReluMaxPool(x, w, b, g);
      const r = k.conv2dReluMaxPoolBackward(x, w, dy, y, code, g, { input: true, weight: true, bias: true });
      // Without taps (inference): the same maxima, no codes.
      const inference = k.conv2dReluMaxPool(x, w, b, g, undefined, false);
      expect(inference.y).toEqual(y);
      expect(inference.code).toHaveLength(0);
      return [y, code, r.dx!, r.dw!, r.db!];
    });
  });

  it("splits a depthwise convolution by images", async () => {
    const g = geometryOf({ batch: 4, groups: 6, cinG: 1, coutG: 1, inH: 7, inW: 8, kH: 3, kW: 3, stride: 1, pad: 1, seed: 5 });
    const next = lcg(5);
    const x = floats(4 * 6 * 56, next), w = floats(6 * 9, next);
    const [y] = await acrossThreads(["f32_dwconv2d"], () => [convKernels().conv2d(x, w, null, g)]);
    const ys = { sum: new Float64Array(y.length), abs: new Float64Array(y.length), terms: new Int32Array(y.length) };
    forEachTap(g, (xi, wi, yi) => { const p = x[xi] * w[wi]; ys.sum[yi] += p; ys.abs[yi] += Math.abs(p); ys.terms[yi]++; });
    expectWithinBound(y, ys.sum, ys.abs, ys.terms, "depthwise y");
  });
});

describe("the threaded Adam update", () => {
  it("gives the same bits for 1, 2 and 3 threads at odd lengths, with and without amsgrad and decay, and matches float64 within float32 arithmetic's error", async () => {
    for (const [n, amsgrad, decay] of [[1001, false, 0], [37, true, 0.01], [4099, true, 0]] as const) {
      const next = lcg(n);
      const start = [floats(n, next), floats(n, next), floats(n, () => next() * 0.1), floats(n, () => Math.abs(next()) * 0.01)];
      const k = { beta1: 0.9, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, stepSize: 1e-3 / 0.1,
                  invSqrtBc2: 1 / Math.sqrt(0.001), eps: 1e-8, shrink: 1, weightDecay: decay };
      const [param, m, v] = await acrossThreads(["f32_adam"], () => {
        const [p, g, m0, v0] = start.map((a) => a.slice());
        const vMax = amsgrad ? v0.map((x) => x * 1.5) : null;
        optimKernels().f32Adam(p, g, m0, v0, vMax, k);
        return [p, m0, v0];
      });
      const [p0, g0, m0, v0] = start;
      for (let i = 0; i < n; i++) {
        const g = g0[i] + decay * p0[i];
        const mi = 0.9 * m0[i] + 0.1 * g;
        const vi = 0.999 * v0[i] + 0.001 * g * g;
        const vHat = amsgrad ? Math.max(vi, Math.fround(v0[i] * 1.5)) : vi;
        const denom = Math.sqrt(vHat) * k.invSqrtBc2 + k.eps;
        const want = p0[i] - (k.stepSize * mi) / denom;
        // The kernel computes in float32 (as tests/optim/steps.test.ts derives): about ten
        // roundings, each within u = 2^-24 of the magnitude of the terms it sums.
        const gTerms = Math.abs(g0[i]) + Math.abs(decay * p0[i]), mTerms = 0.9 * Math.abs(m0[i]) + 0.1 * gTerms;
        const u32 = 32 * 2 ** -24;
        expect(Math.abs(m[i] - mi)).toBeLessThanOrEqual(u32 * mTerms);
        expect(Math.abs(v[i] - vi)).toBeLessThanOrEqual(u32 * (0.999 * v0[i] + 0.001 * Math.abs(g) * gTerms));
        expect(Math.abs(param[i] - want)).toBeLessThanOrEqual(u32 * (Math.abs(p0[i]) + Math.abs(want - p0[i]) + (k.stepSize * mTerms) / denom) + 2 ** -149);
      }
    }
  });
});

describe("the threaded int8 kernels", () => {
  it("qs8 GEMM: the same int32 bits for 1, 2 and 3 threads, split by rows and by columns, equal to int32 arithmetic", async () => {
    for (const [m, n, k] of [[37, 21, 19], [3, 70, 33], [64, 256, 100]]) {
      const next = lcg(m * n * k);
      const a = bytes(m * k, next), b = bytes(k * n, next), bias = Int32Array.from({ length: n }, () => Math.round(next() * 1000));
      const [c] = await acrossThreads(["qs8_gemm"], () => {
        const K = compressKernels();
        const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: 3 });
        const out = new Int32Array(m * n);
        K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: -2 }, w, out, 0, { bias, relu: true });
        return [out];
      });
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let acc = bias[j];
        for (let p = 0; p < k; p++) acc += (a[i * k + p] + 2) * (b[p * n + j] - 3);
        expect(c[i * n + j], `C[${i}][${j}] of ${m}×${n}×${k}`).toBe(Math.max(0, acc));
      }
    }
  });

  it("qs8 convolution: the same int32 bits for 1, 2 and 3 threads, equal to int32 arithmetic", async () => {
    // 3 input channels: the implicit GEMM; 8: the Winograd form.
    for (const cinG of [3, 8]) await qs8ConvAcrossThreads(cinG);
  });

  async function qs8ConvAcrossThreads(cinG: number): Promise<void> {
    const g = geometryOf({ batch: 5, groups: 1, cinG, coutG: 9, inH: 8, inW: 7, kH: 3, kW: 3, stride: 1, pad: 1, seed: 6 });
    const next = lcg(6);
    const x = bytes(g.batch * g.inChannels * g.inH * g.inW, next), w = bytes(g.outChannels * g.inChannels * 9, next);
    const [y] = await acrossThreads(["qs8_conv2d"], () => {
      const packed = qs8ConvPackWeights(g.outChannels, g.inChannels * 9, { data: w, offset: 0, zeroPoint: 1 });
      const out = new Int32Array(g.batch * g.outChannels * g.outH * g.outW);
      qconvKernels().qs8Conv2d(g, { data: x, offset: 0, zeroPoint: 4 }, packed, out, 0);
      return [out];
    });
    const want = new Int32Array(y.length);
    forEachTap(g, (xi, wi, yi) => { want[yi] += (x[xi] - 4) * (w[wi] - 1); });
    // Padding taps read the zero point, which contributes (4 − 4)·(w − 1) = 0: forEachTap may skip them.
    expect(y).toEqual(want);
  }

  it("an int8 layer's convolution pooled 2×2 in the kernel: the same bits for 1, 2 and 3 threads, the full output's window maxima", async () => {
    for (const cinG of [2, 8]) await pooledQs8ConvAcrossThreads(cinG);
  });

  async function pooledQs8ConvAcrossThreads(cinG: number): Promise<void> {
    // 7×9 outputs: a ragged row end and a dropped last row and column, as floor-mode pooling has.
    const g = geometryOf({ batch: 5, groups: 1, cinG, coutG: 6, inH: 7, inW: 9, kH: 3, kW: 3, stride: 1, pad: 1, seed: 7 });
    const next = lcg(7);
    const x = floats(g.batch * g.inChannels * g.inH * g.inW, next), w = bytes(g.outChannels * g.inChannels * 9, next);
    const options = {
      signed: false, needsRange: false, scaleB: 0.02, relu: true,
      params: () => ({ scaleA: 1 / 127, zeroPointA: 128, bias: Int32Array.from({ length: g.outChannels }, (_, i) => 40 * i - 100) }),
    };
    const oh = g.outH >> 1, ow = g.outW >> 1, planes = g.batch * g.outChannels;
    const [pooled, full] = await acrossThreads(["qs8_conv2d"], () => {
      const packed = qs8ConvPackWeights(g.outChannels, g.inChannels * 9, { data: w, offset: 0, zeroPoint: 0 });
      const p = new Float32Array(planes * oh * ow), f = new Float32Array(planes * g.outH * g.outW);
      qconvKernels().qs8Conv2dLayerF32(g, x, 0, packed, p, 0, options, true);
      qconvKernels().qs8Conv2dLayerF32(g, x, 0, packed, f, 0, options, false);
      return [p, f];
    });
    const want = new Float32Array(pooled.length);
    for (let q = 0; q < planes; q++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const at = (r: number, c: number) => full[(q * g.outH + 2 * i + r) * g.outW + 2 * j + c];
          want[(q * oh + i) * ow + j] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
        }
      }
    }
    expect(pooled).toEqual(want);
    expect(want.some((v) => v > 0)).toBe(true);
  }
});

describe("the threaded CSR product", () => {
  it("gives the same bits for 1, 2 and 3 threads, split by rows, and matches float64", async () => {
    const m = 27, k = 40, n = 13;
    const next = lcg(8);
    const dense = floats(n * k, () => (next() > 0.4 ? next() : 0));
    const rowPtr = new Int32Array(n + 1), colIdx: number[] = [], values: number[] = [];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) if (dense[r * k + c] !== 0) { colIdx.push(c); values.push(dense[r * k + c]); }
      rowPtr[r + 1] = colIdx.length;
    }
    const csr = { rows: n, cols: k, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
    const x = floats(m * k, next), bias = floats(n, next);
    const [y] = await acrossThreads(["f32_spmm"], () => {
      const out = new Float32Array(m * n);
      compressKernels().f32SpmmCsr(m, x, 0, csr, out, 0, { bias });
      return [out];
    });
    const sum = new Float64Array(m * n), abs = new Float64Array(m * n), terms = new Int32Array(m * n).fill(k + 1);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      sum[i * n + j] = bias[j]; abs[i * n + j] = Math.abs(bias[j]);
      for (let p = 0; p < k; p++) { const t = x[i * k + p] * dense[j * k + p]; sum[i * n + j] += t; abs[i * n + j] += Math.abs(t); }
    }
    expectWithinBound(y, sum, abs, terms, "spmm y");
  });
});
