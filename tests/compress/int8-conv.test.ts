// The int8 convolution layer (what quantizeModel compiles a Conv1d/Conv2d into): its output equals
// the integer pipeline written out here — x quantized per tensor (ONNX QuantizeLinear), int32
// convolution with the layer's per-channel int8 weights, bias in accumulator units, f32
// requantization — exactly, in static and dynamic mode; and it stays within the quantization
// error bound of a float64 convolution, which checks the geometry (stride, asymmetric padding,
// dilation, groups, Conv1d) against the float layer's definition.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { convArgumentsOf, Int8ConvLayer, type ConvArguments } from "../../src/compress/int8-conv.js";
import { activationParams, Int8LinearLayer } from "../../src/compress/int8-linear.js";
import { InferenceSequential } from "../../src/compress/inference-model.js";
import { fromTypedArray } from "../../src/ndarray/index.js";
import { Flatten, Linear, predict } from "../../src/nn/index.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import { U32 } from "../support/tolerance.js";

interface Case {
  n: number; groups: number; cinG: number; coutG: number; size: number[]; kernel: number[];
  stride: number[]; pad: number[]; padEnd: number[]; dilation: number[]; seed: number; relu: boolean; bias: boolean;
}

const outLen = (i: number, c: Case) =>
  Math.floor((c.size[i] + c.pad[i] + c.padEnd[i] - c.dilation[i] * (c.kernel[i] - 1) - 1) / c.stride[i]) + 1;

/**
 * Σ x·w over in-bounds taps, float64, for [N, C, (H,) W] inputs (1 or 2 spatial dims): y[n][co][o]
 * for o over the output pixels, row-major. `xv(n, c, pos)` and `wv(co, ci, tap)` give the values.
 */
function convolve(c: Case, xv: (n: number, ch: number, pos: number) => number, wv: (co: number, ci: number, tap: number) => number,
                  each: (acc: number, absAcc: number, co: number) => number): Float64Array {
  const sp = c.size.length, outs = c.size.map((_, i) => outLen(i, c));
  const [oH, oW] = sp === 1 ? [1, outs[0]] : outs, [kH, kW] = sp === 1 ? [1, c.kernel[0]] : c.kernel;
  const [inH, inW] = sp === 1 ? [1, c.size[0]] : c.size;
  const at = (v: number[], i: number, dflt: number) => (sp === 1 ? (i === 0 ? dflt : v[0]) : v[i]);
  const y = new Float64Array(c.n * c.groups * c.coutG * oH * oW);
  let o = 0;
  for (let n = 0; n < c.n; n++) for (let co = 0; co < c.groups * c.coutG; co++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
    let acc = 0, absAcc = 0;
    const grp = Math.floor(co / c.coutG);
    for (let ci = 0; ci < c.cinG; ci++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const ih = oh * at(c.stride, 0, 1) - at(c.pad, 0, 0) + kh * at(c.dilation, 0, 1);
      const iw = ow * at(c.stride, 1, 1) - at(c.pad, 1, 0) + kw * at(c.dilation, 1, 1);
      if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
      const p = xv(n, grp * c.cinG + ci, ih * inW + iw) * wv(co, ci, kh * kW + kw);
      acc += p;
      absAcc += Math.abs(p);
    }
    y[o++] = each(acc, absAcc, co);
  }
  return y;
}

const spatial = fc.integer({ min: 1, max: 2 });
const cases: fc.Arbitrary<Case> = spatial.chain((sp) => {
  const dims = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: sp, maxLength: sp });
  return fc.record({
    n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 4 }),
    coutG: fc.integer({ min: 1, max: 6 }), size: dims(3, 11), kernel: dims(1, 3), stride: dims(1, 2),
    pad: dims(0, 2), padEnd: dims(0, 2), dilation: dims(1, 2), seed: fc.nat(), relu: fc.boolean(), bias: fc.boolean(),
  });
}).filter((c) => c.size.every((_, i) => outLen(i, c) >= 1));

function build(c: Case, input: "static" | "dynamic") {
  let s = c.seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const cin = c.cinG * c.groups, cout = c.coutG * c.groups;
  const xShape = [c.n, cin, ...c.size], wShape = [cout, c.cinG, ...c.kernel];
  const x = fromTypedArray(Float32Array.from({ length: xShape.reduce((a, b) => a * b) }, () => next() * 3 - 1), xShape);
  const w = fromTypedArray(Float32Array.from({ length: wShape.reduce((a, b) => a * b) }, () => next() - 0.5), wShape);
  const b = c.bias ? fromTypedArray(Float32Array.from({ length: cout }, () => next() - 0.5), [cout]) : null;
  const args: ConvArguments = { stride: c.stride, padding: c.pad, paddingEnd: c.padEnd, dilation: c.dilation, groups: c.groups };
  const fixed = input === "static" ? { scale: Math.fround(0.0137), zeroPoint: 80 } : null;
  return { x, w, b, layer: new Int8ConvLayer(w, b, args, c.relu, fixed), fixed };
}

/** ONNX QuantizeLinear to uint8: float32 division, round half to even, saturate. */
function quantizeU8(v: number, scale: number, zp: number): number {
  const r = Math.fround(v / scale), f = Math.floor(r);
  const q = r - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(r);
  return Math.min(255, Math.max(0, q + zp));
}
const roundEven = (v: number) => { const f = Math.floor(v); return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v); };

describe("Int8ConvLayer", () => {
  for (const mode of ["static", "dynamic"] as const) {
    it(`(${mode}) equals the integer pipeline exactly and a float64 convolution within the quantization bound`, () => {
      fc.assert(fc.property(cases, (c) => {
        const { x, w, b, layer, fixed } = build(c, mode);
        const xd = x.data as Float32Array;
        let lo = Infinity, hi = -Infinity;
        for (const v of xd) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        const { scale: sx, zeroPoint: zx } = fixed ?? activationParams(lo, hi, "test");
        const xq = Uint8Array.from(xd, (v) => quantizeU8(v, sx, zx));
        // The layer's int8 weights are round-half-even(w / scale[co]) of its per-channel scales, the
        // quotient a float32 division as in QuantizeLinear (its double rounding can land on a tie).
        const k = w.size / w.shape[0];
        for (let i = 0; i < w.size; i++) {
          expect(layer.weight[i]).toBe(Math.max(-127, Math.min(127, roundEven(Math.fround(Math.fround(w.data[i]) / layer.weightScale[Math.floor(i / k)])))) | 0);
        }
        const plane = c.size.reduce((a, v) => a * v, 1), cin = c.cinG * c.groups;
        const xi = (n: number, ch: number, pos: number) => (n * cin + ch) * plane + pos;
        const wi = (co: number, ci: number, tap: number) => (co * c.cinG + ci) * (k / c.cinG) + tap;
        const want = convolve(c, (n, ch, pos) => xq[xi(n, ch, pos)] - zx, (co, ci, t) => layer.weight[wi(co, ci, t)], (acc, _abs, co) => {
          const sc = Math.fround(sx * layer.weightScale[co]);
          const bias = b ? Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, roundEven(b.data[co] / sc))) : 0;
          const f = Math.fround(Math.fround((acc + bias) | 0) * sc);
          return c.relu ? Math.max(f, 0) : f;
        });
        const y = layer.forward(x);
        expect(y.shape).toEqual([c.n, c.coutG * c.groups, ...c.size.map((_, i) => outLen(i, c))]);
        expect(Array.from(y.data)).toEqual(Array.from(want));
        // Against the float layer: |x̂ŵ − xw| ≤ (|x| + sx/2)(|w| + sw/2) − |x||w| per tap, summed; plus
        // the bias's rounding (sx·sw/2 ≤ sx) and float32 rounding of the accumulator and the product.
        const xf = (n: number, ch: number, pos: number) => xd[xi(n, ch, pos)];
        const wf = (co: number, ci: number, t: number) => w.data[wi(co, ci, t)];
        const exact = convolve(c, xf, wf, (acc, _abs, co) => acc + (b ? b.data[co] : 0));
        const absXW = convolve(c, xf, wf, (_acc, abs) => abs);
        const widened = convolve(c, (n, ch, pos) => Math.abs(xf(n, ch, pos)) + sx / 2,
          (co, ci, t) => Math.abs(wf(co, ci, t)) + layer.weightScale[co] / 2, (_acc, abs) => abs);
        const yd = y.data;
        for (let i = 0; i < yd.length; i++) {
          const ref = c.relu ? Math.max(exact[i], 0) : exact[i];
          const tol = widened[i] - absXW[i] + sx + 4 * U32 * (Math.abs(ref) + widened[i]);
          if (!(Math.abs(yd[i] - ref) <= tol)) throw new Error(`y[${i}] = ${yd[i]}, float ${ref}, bound ${tol}`);
        }
      }), { numRuns: mode === "static" ? 80 : 60 });
    });
  }

  it("gives an all-NaN output image for an input image with a NaN or ±∞; the other images are unchanged", () => {
    const c: Case = { n: 3, groups: 1, cinG: 2, coutG: 3, size: [5, 6], kernel: [3, 3], stride: [1, 1], pad: [1, 1], padEnd: [1, 1],
      dilation: [1, 1], seed: 9, relu: false, bias: true };
    const { x, layer } = build(c, "dynamic");
    const clean = layer.forward(x).data;
    const xd = x.data as Float32Array;
    const bad = Float32Array.from(xd);
    bad.fill(0, 60, 120);        // image 1 zeroed: what the layer computes the others with
    const zeroed = layer.forward(fromTypedArray(bad, x.shape)).data;
    bad[60 + 17] = Infinity;
    const y = layer.forward(fromTypedArray(bad, x.shape)).data;
    const img = 3 * 30;
    expect(Array.from(y.subarray(img, 2 * img)).every(Number.isNaN)).toBe(true);
    expect(Array.from(y.subarray(0, img))).toEqual(Array.from(zeroed.subarray(0, img)));
    expect(Array.from(y.subarray(2 * img))).toEqual(Array.from(zeroed.subarray(2 * img)));
    expect(clean.length).toBe(y.length);
  });

  it("refuses an input of the wrong rank, channel count or too small for the kernel", () => {
    const c: Case = { n: 1, groups: 1, cinG: 2, coutG: 2, size: [4, 4], kernel: [3, 3], stride: [1, 1], pad: [0, 0], padEnd: [0, 0],
      dilation: [1, 1], seed: 1, relu: false, bias: false };
    const { layer } = build(c, "dynamic");
    expect(() => layer.forward(fromTypedArray(new Float32Array(32), [2, 4, 4]))).toThrow(ShapeError);
    expect(() => layer.forward(fromTypedArray(new Float32Array(48), [1, 3, 4, 4]))).toThrow(/is not \[N, 2, ·, ·\]/);
    expect(() => layer.forward(fromTypedArray(new Float32Array(8), [1, 2, 2, 2]))).toThrow(/smaller than the \(dilated\) kernel/);
  });
});

describe("an int8 CNN as an inference model", () => {
  it("runs Int8ConvLayer → Flatten → int8 Linear in InferenceSequential, as the layers run one by one", () => {
    const c: Case = { n: 4, groups: 1, cinG: 2, coutG: 5, size: [9, 8], kernel: [3, 3], stride: [2, 1], pad: [1, 1], padEnd: [1, 1],
      dilation: [1, 1], seed: 21, relu: true, bias: true };
    const { x, layer } = build(c, "dynamic");
    const features = 5 * outLen(0, c) * outLen(1, c);
    const fc1 = new Int8LinearLayer(new Linear(features, 3, { seed: 5 }), false, null);
    const model = new InferenceSequential([layer, new Flatten(), fc1]);
    const h = layer.forward(x);
    const want = fc1.run(h.data as Float32Array, c.n);
    const y = predict(model, x);
    expect(y.shape).toEqual([c.n, 3]);
    expect(Array.from(y.data)).toEqual(Array.from(want));
    expect(model.bytes()).toBe(layer.bytes() + fc1.bytes());
    expect(model.parameterCount()).toBe(5 * 2 * 9 + 5 + features * 3 + 3);
  });
});

describe("convArgumentsOf (a layer's PyTorch-style fields)", () => {
  it("spreads numbers, reads pairs, and pads 'same' as PyTorch (total d·(k−1), the odd one at the end)", () => {
    expect(convArgumentsOf({ kernelSize: 3, padding: 1, stride: 2 }, 2))
      .toEqual({ stride: [2, 2], padding: [1, 1], paddingEnd: [1, 1], dilation: [1, 1], groups: 1 });
    expect(convArgumentsOf({ kernelSize: [4, 3], padding: "same", dilation: [1, 2], groups: 4 }, 2))
      .toEqual({ stride: [1, 1], padding: [1, 2], paddingEnd: [2, 2], dilation: [1, 2], groups: 4 });
    expect(convArgumentsOf({ kernelSize: [5], padding: "valid" }, 1))
      .toEqual({ stride: [1], padding: [0], paddingEnd: [0], dilation: [1], groups: 1 });
    expect(() => convArgumentsOf({ kernelSize: [3, 3], padding: [1] }, 2)).toThrow(ValueError);
    expect(() => convArgumentsOf({ kernelSize: 3, stride: -1 }, 2)).toThrow(/stride -1 is not 2 non-negative integer/);
  });

  it("'same' keeps the size for stride 1, odd and even kernels, any dilation", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 }), (k, d, size) => {
      const a = convArgumentsOf({ kernelSize: k, dilation: d, padding: "same" }, 1);
      expect(Math.floor((size + a.padding[0] + a.paddingEnd![0] - d * (k - 1) - 1) / 1) + 1).toBe(size);
    }));
  });
});
