// The int8 convolution (ONNX ConvInteger, and its requantized float32 form) against a direct
// convolution loop in int32 arithmetic written here: results must be EXACTLY equal, on every
// backend, across shapes, strides, asymmetric padding, dilation, groups (depthwise included),
// zero points and the edges of the 4×8 tile, the k-pair, the 8-pixel panels and the blocks.
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { backendInfo, init, QS8_GEMM, qconvKernels, qs8ConvPackWeights } from "../../src/backend/index.js";
import type { Conv2dGeometry } from "../../src/backend/index.js";
import { BackendError } from "../../src/errors.js";
import { bytes, type I8 } from "../support/int8-data.js";

/** y = Σ (x − zx)(w − zw[co]) over in-bounds taps (+ bias), int32 wrap-around, NCHW. */
function reference(g: Conv2dGeometry, x: I8, zx: number, w: I8, zw: number | ArrayLike<number>,
                   bias?: Int32Array): Int32Array {
  const y = new Int32Array(g.batch * g.outChannels * g.outH * g.outW);
  const cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups;
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const z = typeof zw === "number" ? zw : zw[co];
      const grp = Math.floor(co / coutG);
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          let acc = bias ? bias[co] : 0;
          for (let ci = 0; ci < cinG; ci++) {
            for (let kh = 0; kh < g.kernelH; kh++) {
              const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
              if (ih < 0 || ih >= g.inH) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                if (iw < 0 || iw >= g.inW) continue;
                const xv = x[((n * g.inChannels + grp * cinG + ci) * g.inH + ih) * g.inW + iw] - zx;
                const wv = w[((co * cinG + ci) * g.kernelH + kh) * g.kernelW + kw] - z;
                acc = (acc + Math.imul(xv, wv)) | 0;
              }
            }
          }
          y[o++] = acc;
        }
      }
    }
  }
  return y;
}

const outSize = (size: number, before: number, after: number, k: number, s: number, d: number) =>
  Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;

/** A geometry from PyTorch-style arguments, padding before/after drawn separately ("same" is asymmetric). */
function geometry(a: {
  batch: number; groups: number; cinG: number; coutG: number; inH: number; inW: number; kH: number; kW: number;
  sH: number; sW: number; pT: number; pB: number; pL: number; pR: number; dH: number; dW: number;
}): Conv2dGeometry | null {
  const outH = outSize(a.inH, a.pT, a.pB, a.kH, a.sH, a.dH), outW = outSize(a.inW, a.pL, a.pR, a.kW, a.sW, a.dW);
  if (outH < 1 || outW < 1) return null;
  return {
    batch: a.batch, inChannels: a.cinG * a.groups, inH: a.inH, inW: a.inW, outChannels: a.coutG * a.groups,
    outH, outW, kernelH: a.kH, kernelW: a.kW, strideH: a.sH, strideW: a.sW, padTop: a.pT, padLeft: a.pL,
    dilationH: a.dH, dilationW: a.dW, groups: a.groups,
  };
}

const { MR } = QS8_GEMM;
const shapes = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  groups: fc.integer({ min: 1, max: 3 }),
  cinG: fc.integer({ min: 1, max: 5 }),
  coutG: fc.integer({ min: 1, max: 2 * MR + 2 }),
  inH: fc.integer({ min: 1, max: 12 }),
  inW: fc.integer({ min: 1, max: 22 }),
  kH: fc.integer({ min: 1, max: 4 }),
  kW: fc.integer({ min: 1, max: 4 }),
  sH: fc.integer({ min: 1, max: 3 }),
  sW: fc.integer({ min: 1, max: 3 }),
  pT: fc.integer({ min: 0, max: 3 }),
  pB: fc.integer({ min: 0, max: 3 }),
  pL: fc.integer({ min: 0, max: 3 }),
  pR: fc.integer({ min: 0, max: 3 }),
  dH: fc.integer({ min: 1, max: 3 }),
  dW: fc.integer({ min: 1, max: 3 }),
});
const data = fc.record({
  xSigned: fc.boolean(),
  wSigned: fc.boolean(),
  perChannel: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

const zero = (signed: boolean, seed: number) => (signed ? (seed % 256) - 128 : seed % 256);

function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) return `y[${i}] = ${got[i]}, expected ${want[i]}`;
  }
  return null;
}

/** Draws x, w and zero points for g; packs w. */
function problem(g: Conv2dGeometry, d: { xSigned: boolean; wSigned: boolean; perChannel: boolean; seed: number }) {
  const k = (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const x = bytes(g.batch * g.inChannels * g.inH * g.inW, d.xSigned, d.seed);
  const w = bytes(g.outChannels * k, d.wSigned, d.seed ^ 0x5bd1e995);
  const zx = zero(d.xSigned, d.seed >>> 3);
  const zw = d.perChannel
    ? Array.from({ length: g.outChannels }, (_, co) => zero(d.wSigned, (d.seed >>> 5) + 31 * co))
    : zero(d.wSigned, d.seed >>> 7);
  const packed = qs8ConvPackWeights(g.outChannels, k, { data: w, offset: 0, zeroPoint: zw });
  return { x, w, zx, zw, packed };
}

const ySize = (g: Conv2dGeometry) => g.batch * g.outChannels * g.outH * g.outW;

describe("qs8Conv2d (ConvInteger)", () => {
  it("equals the int32 convolution loop exactly over shapes, strides, padding, dilation and groups", () => {
    fc.assert(fc.property(shapes, data, (s, d) => {
      const g = geometry(s);
      fc.pre(g !== null);
      const { x, w, zx, zw, packed } = problem(g!, d);
      const y = new Int32Array(ySize(g!));
      qconvKernels().qs8Conv2d(g!, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0);
      const bad = firstMismatch(y, reference(g!, x, zx, w, zw));
      if (bad) throw new Error(`${bad} (${JSON.stringify(g)} zx=${zx} zw=${zw})`);
    }), { numRuns: 300 });
  });

  it("runs 3×3 stride-1 convolutions with an even Cin from 8 (the Winograd form) exactly, as int32 and requantized", () => {
    const winograd = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), cinG: fc.integer({ min: 4, max: 9 }).map((c) => 2 * c),
      coutG: fc.integer({ min: 1, max: 2 * MR + 3 }), inH: fc.integer({ min: 1, max: 13 }), inW: fc.integer({ min: 1, max: 21 }),
      pT: fc.nat(3), pB: fc.nat(3), pL: fc.nat(3), pR: fc.nat(3), relu: fc.boolean(),
    });
    fc.assert(fc.property(winograd, data, (s, d) => {
      const g = geometry({ ...s, groups: 1, kH: 3, kW: 3, sH: 1, sW: 1, dH: 1, dW: 1 });
      fc.pre(g !== null);
      const { x, w, zx, zw, packed } = problem(g!, d);
      const bias = Int32Array.from({ length: g!.outChannels }, (_, co) => ((d.seed * (co + 3)) % 200001) - 100000);
      const want = reference(g!, x, zx, w, zw, bias);
      const y = new Int32Array(ySize(g!));
      qconvKernels().qs8Conv2d(g!, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0, { bias, relu: s.relu });
      expect(firstMismatch(y, want.map((v) => (s.relu && v < 0 ? 0 : v)))).toBeNull();
      // Requantized: f32(acc + bias)·scale, the same epilogue as the direct form.
      const scaleA = 0.0173, scaleB = 0.02, sc = Math.fround(scaleA * scaleB);
      const yf = new Float32Array(ySize(g!));
      qconvKernels().qs8Conv2dF32(g!, { data: x, offset: 0, zeroPoint: zx }, packed, yf, 0, { bias, relu: s.relu, scaleA, scaleB });
      const wantF = Float32Array.from(want, (v) => { const f = Math.fround(Math.fround(v) * sc); return s.relu ? Math.max(f, 0) : f; });
      expect(firstMismatch(yf, wantF)).toBeNull();
    }), { numRuns: 150 });
  });

  it("pools 2×2 in the kernel: the full output's window maxima bit for bit, for scales of any sign, in both forms", () => {
    // The Winograd form takes a window's maximum before the float epilogue where that is exact
    // (a finite scale ≥ +0); −0, negative and positive scales side by side check both orders.
    const pooledCase = fc.record({
      batch: fc.integer({ min: 1, max: 2 }), cinG: fc.constantFrom(1, 3, 8, 10), coutG: fc.integer({ min: 1, max: 2 * MR + 1 }),
      inH: fc.integer({ min: 2, max: 11 }), inW: fc.integer({ min: 2, max: 19 }), pad: fc.nat(1), relu: fc.boolean(),
      scales: fc.array(fc.constantFrom(0.004, 0.0007, -0.003, 0, -0), { minLength: 2 * MR + 1, maxLength: 2 * MR + 1 }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    });
    fc.assert(fc.property(pooledCase, (s) => {
      const g = geometry({ ...s, groups: 1, kH: 3, kW: 3, sH: 1, sW: 1, dH: 1, dW: 1, pT: s.pad, pB: s.pad, pL: s.pad, pR: s.pad });
      fc.pre(g !== null && g.outH >= 2 && g.outW >= 2);
      const xf = Float32Array.from(bytes(g!.batch * g!.inChannels * g!.inH * g!.inW, true, s.seed), (v) => v / 50);
      const w = bytes(g!.outChannels * g!.inChannels * 9, true, s.seed ^ 0x2545f491);
      const packed = qs8ConvPackWeights(g!.outChannels, g!.inChannels * 9, { data: w, offset: 0, zeroPoint: 0 });
      const options = {
        signed: false, needsRange: false, scaleB: Float32Array.from(s.scales.slice(0, g!.outChannels)), relu: s.relu,
        params: () => ({ scaleA: 1 / 64, zeroPointA: 128, bias: Int32Array.from({ length: g!.outChannels }, (_, co) => (s.seed % 97) * (co - 2)) }),
      };
      const oh = g!.outH >> 1, ow = g!.outW >> 1, planes = g!.batch * g!.outChannels;
      const pooled = new Float32Array(planes * oh * ow), full = new Float32Array(planes * g!.outH * g!.outW);
      qconvKernels().qs8Conv2dLayerF32(g!, xf, 0, packed, pooled, 0, options, true);
      qconvKernels().qs8Conv2dLayerF32(g!, xf, 0, packed, full, 0, options, false);
      const want = new Float32Array(pooled.length);
      for (let q = 0, o = 0; q < planes; q++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
        const at = (r: number, c: number) => full[(q * g!.outH + 2 * i + r) * g!.outW + 2 * j + c];
        want[o] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
      expect(firstMismatch(pooled, want)).toBeNull();
    }), { numRuns: 150 });
  });

  it("runs depthwise convolutions (groups = channels, one or two filters each) exactly", () => {
    fc.assert(fc.property(shapes, data, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 2 }),
      (s, d, channels, multiplier) => {
        const g = geometry({ ...s, groups: channels, cinG: 1, coutG: multiplier });
        fc.pre(g !== null);
        const { x, w, zx, zw, packed } = problem(g!, d);
        const y = new Int32Array(ySize(g!));
        qconvKernels().qs8Conv2d(g!, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0);
        expect(firstMismatch(y, reference(g!, x, zx, w, zw))).toBeNull();
      }), { numRuns: 100 });
  });

  it("adds the int32 bias per output channel and applies relu last", () => {
    fc.assert(fc.property(shapes, data, fc.boolean(), (s, d, relu) => {
      const g = geometry(s);
      fc.pre(g !== null);
      const { x, w, zx, zw, packed } = problem(g!, d);
      const bias = Int32Array.from({ length: g!.outChannels }, (_, co) => ((d.seed * (co + 1)) % 200001) - 100000);
      const y = new Int32Array(ySize(g!));
      qconvKernels().qs8Conv2d(g!, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0, { bias, relu });
      const want = reference(g!, x, zx, w, zw, bias).map((v) => (relu && v < 0 ? 0 : v));
      expect(firstMismatch(y, want)).toBeNull();
    }), { numRuns: 100 });
  });

  it("requantizes to float32 as f32(acc + bias)·fround(scaleA·scaleB[co]), bit for bit", () => {
    fc.assert(fc.property(shapes, data, fc.boolean(), (s, d, relu) => {
      const g = geometry(s);
      fc.pre(g !== null);
      const { x, w, zx, zw, packed } = problem(g!, d);
      const bias = Int32Array.from({ length: g!.outChannels }, (_, co) => ((d.seed + 7 * co) % 2001) - 1000);
      const scaleA = 0.0173;
      const scaleB = d.perChannel ? Float32Array.from({ length: g!.outChannels }, (_, co) => 0.001 * (co + 1)) : 0.02;
      const y = new Float32Array(ySize(g!));
      qconvKernels().qs8Conv2dF32(g!, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0, { bias, relu, scaleA, scaleB });
      const pixels = g!.outH * g!.outW;
      const want = Float32Array.from(reference(g!, x, zx, w, zw, bias), (v, i) => {
        const co = Math.floor(i / pixels) % g!.outChannels;
        const sc = Math.fround(scaleA * (typeof scaleB === "number" ? scaleB : scaleB[co]));
        const f = Math.fround(Math.fround(v) * sc);
        return relu ? Math.max(f, 0) : f;
      });
      expect(firstMismatch(y, want)).toBeNull();
    }), { numRuns: 100 });
  });

  const layer = (batch: number, cin: number, cout: number, size: number, k: number, pad: number, stride = 1): Conv2dGeometry => {
    const out = outSize(size, pad, pad, k, stride, 1);
    return {
      batch, inChannels: cin, inH: size, inW: size, outChannels: cout, outH: out, outW: out, kernelH: k, kernelW: k,
      strideH: stride, strideW: stride, padTop: pad, padLeft: pad, dilationH: 1, dilationW: 1, groups: 1,
    };
  };

  it("covers real layer shapes and several weight-row and panel blocks exactly", () => {
    const cases: Conv2dGeometry[] = [
      layer(2, 1, 32, 28, 3, 1),          // the CNN's first layer
      layer(2, 32, 64, 14, 3, 1),         // its second
      layer(1, 512, 61, 4, 3, 1),         // K = 4608: rows in blocks, one panel per block
      layer(1, 1, 3, 100, 3, 1),          // 10000 pixels: several panel blocks at K = 9
      layer(2, 16, 24, 15, 3, 0, 2),      // stride 2, odd output width
      layer(1, 8, 8, 9, 1, 0),            // 1×1
    ];
    for (const g of cases) {
      const { x, w, zx, zw, packed } = problem(g, { xSigned: false, wSigned: true, perChannel: true, seed: g.inChannels * 7 + g.inH });
      const y = new Int32Array(ySize(g));
      qconvKernels().qs8Conv2d(g, { data: x, offset: 0, zeroPoint: zx }, packed, y, 0);
      expect(firstMismatch(y, reference(g, x, zx, w, zw)), JSON.stringify(g)).toBeNull();
    }
  });

  it("is exact at the extremes: (−128−127)·(255−0) over K = 4608 taps", () => {
    const g = layer(1, 512, 9, 3, 3, 0);
    const x = new Int8Array(512 * 9).fill(-128);
    const w = new Uint8Array(9 * 512 * 9).fill(255);
    const packed = qs8ConvPackWeights(9, 512 * 9, { data: w, offset: 0, zeroPoint: 0 });
    const y = new Int32Array(9);
    qconvKernels().qs8Conv2d(g, { data: x, offset: 0, zeroPoint: 127 }, packed, y, 0);
    expect(Array.from(y)).toEqual(new Array(9).fill(-255 * 255 * 4608));
  });

  it("reads x and w at offsets and writes y at an offset, leaving the rest alone", () => {
    const g = layer(2, 3, 5, 9, 3, 1);
    const k = 27;
    const x = bytes(2 * 3 * 81 + 5, true, 11), w = bytes(5 * k + 3, true, 13);
    const packed = qs8ConvPackWeights(5, k, { data: w, offset: 3, zeroPoint: 2 });
    const y = new Int32Array(ySize(g) + 4).fill(-7);
    qconvKernels().qs8Conv2d(g, { data: x, offset: 5, zeroPoint: -3 }, packed, y, 4);
    expect(Array.from(y.subarray(0, 4))).toEqual([-7, -7, -7, -7]);
    expect(firstMismatch(y.subarray(4), reference(g, x.subarray(5), -3, w.subarray(3), 2))).toBeNull();
  });

  it("quantizes a float32 input and runs the requantizing convolution in one call (an int8 layer)", () => {
    fc.assert(fc.property(shapes, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (s, seed, relu) => {
      const g = geometry(s);
      fc.pre(g !== null);
      const size = g!.batch * g!.inChannels * g!.inH * g!.inW;
      const raw = bytes(size, true, seed);
      const xf = Float32Array.from(raw, (v, i) => v / 37 + (i % 3) * 0.25);
      const k = (g!.inChannels / g!.groups) * g!.kernelH * g!.kernelW;
      const w = bytes(g!.outChannels * k, true, seed ^ 77);
      const packed = qs8ConvPackWeights(g!.outChannels, k, { data: w, offset: 0, zeroPoint: 0 });
      const scaleA = 0.03125 + (seed % 7) / 64, zx = 100 + (seed % 50), scaleB = 0.004;
      let seen: [number, number] | null = null;
      const y = new Float32Array(ySize(g!));
      qconvKernels().qs8Conv2dLayerF32(g!, xf, 0, packed, y, 0, {
        signed: false, needsRange: true, scaleB, relu,
        params: (lo, hi) => { seen = [lo, hi]; return { scaleA, zeroPointA: zx, bias: null }; },
      });
      let lo = Infinity, hi = -Infinity;
      for (const v of xf) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      expect(seen).toEqual([lo, hi]);
      // ONNX QuantizeLinear to uint8, rounding half to even, saturating.
      const q = Uint8Array.from(xf, (v) => {
        const r = Math.fround(v / scaleA), f = Math.floor(r);   // a float32 division, as onnxruntime
        const even = r - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(r);
        return Math.min(255, Math.max(0, even + zx));
      });
      const sc = Math.fround(scaleA * scaleB);
      const want = Float32Array.from(reference(g!, q, zx, w, 0), (v) => {
        const f = Math.fround(Math.fround(v) * sc);
        return relu ? Math.max(f, 0) : f;
      });
      expect(firstMismatch(y, want)).toBeNull();
    }), { numRuns: 60 });
  });
});

describe("qs8_conv2d's memory reads", () => {
  // The patch packer reads whole vectors around the padded image (lanes it never stores), and the
  // operator trusts its workspace size: with the workspace flush against the end of linear
  // memory, any read or write past it traps.
  it("stay inside the workspace: placed at the very end of memory, every shape runs", () => {
    const module = new WebAssembly.Module(readFileSync(new URL("../../build/edgegrad-simd.wasm", import.meta.url)));
    const w = new WebAssembly.Instance(module, {}).exports as unknown as import("../../src/backend/kernel-exports.js").KernelExports;
    const base = (w.heap_base() + 63) & ~63;
    fc.assert(fc.property(shapes, (s) => {
      const g = geometry(s);
      fc.pre(g !== null);
      const k = (g!.inChannels / g!.groups) * g!.kernelH * g!.kernelW, kc = (k + 1) & ~1;
      const geo = base, x = geo + 64, wPtr = x + g!.batch * g!.inChannels * g!.inH * g!.inW + 64;
      const bias = wPtr + g!.outChannels * kc * 2 + 64, scale = bias + g!.outChannels * 4 + 64;
      const y = scale + g!.outChannels * 4 + 64, yEnd = y + ySize(g!) * 4 + 64;
      new Int32Array(w.memory.buffer, geo, 16).set([g!.batch, g!.inChannels, g!.inH, g!.inW, g!.outChannels, g!.outH, g!.outW,
        g!.kernelH, g!.kernelW, g!.strideH, g!.strideW, g!.padTop, g!.padLeft, g!.dilationH, g!.dilationW, g!.groups]);
      const bytesNeeded = w.qs8_conv2d_workspace(geo);
      const have = w.memory.buffer.byteLength;
      if (yEnd + bytesNeeded + 64 > have) w.memory.grow(Math.ceil((yEnd + bytesNeeded + 64 - have) / 65536));
      const work = (w.memory.buffer.byteLength - bytesNeeded) & ~63;
      expect(work).toBeGreaterThanOrEqual(yEnd);
      new Uint8Array(w.memory.buffer, bias, g!.outChannels * 4).fill(0);
      w.qs8_conv2d(geo, x, 0, 0, wPtr, bias, scale, y, 0, work);
    }), { numRuns: 200 });
  });
});

describe("qconvKernels on the core kernel build", () => {
  const restore = backendInfo().backend;
  afterAll(() => init({ backend: restore }));

  it("refuses with a BackendError naming the convolution kernels and the full build", async () => {
    await init({ module: new WebAssembly.Module(readFileSync(new URL("../../build/edgegrad-core-simd.wasm", import.meta.url))) });
    expect(() => qconvKernels()).toThrow(BackendError);
    expect(() => qconvKernels()).toThrow(/no qs8_conv2d_workspace, qs8_conv2d, qs8_quantize_f32, f32_minmax, f32_maxpool2d_2x2 kernel.*the full build/);
  });
});
