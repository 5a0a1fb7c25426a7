// quantizeModel and sparsify on CNNs. The int8 CNN equals, bit for bit, an interpreter of its
// stored integers written here (x quantized as ONNX QuantizeLinear, Σ (q − z)·w in int32, int32
// bias, one float32 multiply by fround(s_x·s_w[j]), relu; max-pooling and flatten in float64,
// exact); one int8 Conv→BatchNorm→ReLU stays within the quantization error bound of the float
// layers computed in float64; a pruned CNN compiled by sparsify computes the float model's values.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  activationParams, magnitudePrune, quantizeLinearArray, quantizeModel, roundHalfToEven, sparsify, type InferenceSequential,
} from "../../src/compress/index.js";
import { FloatConvLayer } from "../../src/compress/float-conv.js";
import { Int8ConvLayer } from "../../src/compress/int8-conv.js";
import { fuseLayers, runStep } from "../../src/nn/fusion.js";
import { Int8LinearLayer } from "../../src/compress/int8-linear.js";
import { randn, noGrad } from "../../src/ndarray/index.js";
import * as nn from "../../src/nn/index.js";
import { batchNorm, bounded, conv, pool, relu, type Bounded } from "../support/cnn-reference.js";
import { gamma, U32 } from "../support/tolerance.js";

/** The CNN, reduced: conv+ReLU → maxpool → conv+BN+ReLU → maxpool → flatten → linear+ReLU → linear, on 12×12. */
function smallCnn(seed: number): nn.Sequential {
  const bn = new nn.BatchNorm2d(8);
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  bn.runningMean!.storage.forEach((_, i, a) => { a[i] = 0.3 * (next() - 0.5); });
  bn.runningVar!.storage.forEach((_, i, a) => { a[i] = 0.2 + next(); });
  bn.weight!.storage.forEach((_, i, a) => { a[i] = 0.5 + next(); });
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, seed }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 1, seed: seed + 1 }), bn, new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(72, 16, { seed: seed + 2 }), new nn.ReLU(), new nn.Linear(16, 10, { seed: seed + 3 }));
}

/** One int8 layer (conv, or a Linear as a 1×1 conv of a length-1 signal) from its stored integers. */
function int8Reference(x: Float32Array, shape: readonly number[], w: Int8Array, wShape: readonly number[], ws: Float32Array, bias: Float32Array | null,
                       input: { scale: number; zeroPoint: number } | null, args: { stride: number[]; pad: number[]; padEnd: number[]; dilation: number[]; groups: number },
                       reluOut: boolean): Bounded {
  let p = input;
  if (!p) {
    let lo = Infinity, hi = -Infinity;
    for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    p = activationParams(lo, hi, "reference");
  }
  const q = quantizeLinearArray(x, shape, p.scale, p.zeroPoint, { dtype: "uint8" }) as Uint8Array;
  const centered = Float64Array.from(q, (v) => v - p!.zeroPoint);
  const zeroBias = new Float64Array(wShape[0]);
  // Integer products summed in float64: exact (|Σ| < 2^53), so this is the int32 accumulator.
  const acc = conv(bounded(shape, centered), { weight: w, weightShape: wShape, bias: zeroBias, stride: args.stride, padBegin: args.pad, padEnd: args.padEnd, dilation: args.dilation, groups: args.groups });
  const plane = acc.y.length / (shape[0] * wShape[0]);
  const y = acc.y.map((a, i) => {
    const j = Math.floor(i / plane) % wShape[0], s = Math.fround(p!.scale * ws[j]);
    const v = Math.fround(Math.fround(a + (bias ? roundHalfToEven(bias[j] / s) : 0)) * s);
    return reluOut && v < 0 ? 0 : v;
  });
  return { shape: acc.shape, y, err: new Float64Array(y.length) };
}

/** Runs a compiled model's steps through the reference: int8 layers from their integers, max-pool and flatten in float64. */
function interpret(model: InferenceSequential, x: Float32Array, shape: readonly number[]): Bounded {
  let h = bounded(shape, x);
  for (const s of model.steps) {
    const data = Float32Array.from(h.y);
    if (s instanceof Int8ConvLayer) {
      const a = s.args;
      h = int8Reference(data, h.shape, s.weight, [s.outChannels, s.inChannels / a.groups, ...s.kernelSize], s.weightScale, s.bias, s.input,
        { stride: [...a.stride], pad: [...a.padding], padEnd: [...(a.paddingEnd ?? a.padding)], dilation: [...a.dilation], groups: a.groups }, s.relu);
    } else if (s instanceof Int8LinearLayer) {
      const r = int8Reference(data, [h.shape[0], s.inFeatures, 1], s.weight, [s.outFeatures, s.inFeatures, 1], s.weightScale, s.bias, s.input,
        { stride: [1], pad: [0], padEnd: [0], dilation: [1], groups: 1 }, s.relu);
      h = { ...r, shape: [h.shape[0], s.outFeatures] };
    } else if (s instanceof nn.MaxPool2d) {
      h = pool(h, "max", { kernel: s.kernelSize, stride: s.stride, padding: s.padding, dilation: s.dilation, ceilMode: s.ceilMode });
    } else if (s instanceof nn.Flatten) {
      h = { ...h, shape: [h.shape[0], h.y.length / h.shape[0]] };
    } else throw new Error(`interpret: unexpected step ${s.constructor.name}`);
  }
  return h;
}

describe("quantizeModel on a CNN", () => {
  it("compiles Conv(+BatchNorm)(+ReLU) steps to int8 conv layers and pooling/flatten to float modules; equals the integer reference bit for bit", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 5 }), fc.constantFrom<"static" | "dynamic">("static", "dynamic"), (seed, n, mode) => {
      const model = smallCnn(seed);
      const q = mode === "static" ? quantizeModel(model, { calibration: randn([16, 1, 12, 12], { seed: seed + 5 }) }) : quantizeModel(model);
      expect(q.steps.map((s) => s.constructor.name)).toEqual(["Int8ConvLayer", "MaxPool2d", "Int8ConvLayer", "MaxPool2d", "Flatten", "Int8LinearLayer", "Int8LinearLayer"]);
      expect((q.steps[2] as Int8ConvLayer).relu).toBe(true);
      const x = randn([n, 1, 12, 12], { seed: seed + 6 });
      const ours = q.forward(x);
      expect(ours.shape).toEqual([n, 10]);
      expect(Array.from(ours.data)).toEqual(Array.from(interpret(q, x.data as Float32Array, x.shape).y));
    }), { numRuns: 12 });
  });

  it("one int8 Conv→BatchNorm→ReLU is within the quantization error bound of the float layers (float64)", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), (seed, n, stride) => {
      const cv = new nn.Conv2d(3, 5, 3, { padding: 1, stride, seed });
      const bn = new nn.BatchNorm2d(5);
      bn.runningMean!.storage.forEach((_, i, a) => { a[i] = 0.1 * i - 0.2; });
      bn.runningVar!.storage.forEach((_, i, a) => { a[i] = 0.5 + 0.1 * i; });
      const model = new nn.Sequential(cv, bn, new nn.ReLU());
      const x = randn([n, 3, 7, 6], { seed: seed + 1 });
      // Calibrated on x itself: no input is clipped, so every quantization error is at most half a step.
      const q = quantizeModel(model, { calibration: x });
      const layer = q.steps[0] as Int8ConvLayer;
      const got = q.forward(x).data;
      const k = 27, s = (j: number) => 1 / Math.sqrt(bn.runningVar!.data[j] + bn.eps);
      const spec = { weightShape: cv.weight.shape, stride: [stride, stride], padBegin: [1, 1], padEnd: [1, 1], dilation: [1, 1], groups: 1 };
      const exact = relu(batchNorm(conv(bounded(x.shape, x.data), { ...spec, weight: cv.weight.data, bias: cv.bias!.data }),
        bn.runningMean!.data, bn.runningVar!.data, null, null, bn.eps));
      // Σ|x| and Σ|w'| over each output's taps (|w'| = |w|·s), from convolutions of absolute values.
      const ones = new Float64Array(cv.weight.size).fill(1);
      const absX = conv(bounded(x.shape, x.data.map(Math.abs)), { ...spec, weight: ones, bias: null });
      const wAbs = Float64Array.from(cv.weight.data, (w, i) => Math.abs(w) * s(Math.floor(i / k)));
      const absW = conv(bounded(x.shape, new Float64Array(x.size).fill(1)), { ...spec, weight: wAbs, bias: null });
      const absWX = conv(bounded(x.shape, x.data.map(Math.abs)), { ...spec, weight: wAbs, bias: null });
      const plane = exact.y.length / (n * 5), dx = layer.input!.scale / 2;
      exact.y.forEach((y, i) => {
        const j = Math.floor(i / plane) % 5, dw = layer.weightScale[j] / 2, sj = Math.fround(layer.input!.scale * layer.weightScale[j]);
        // |x̂ŵ − xw| ≤ |w|Δx + |x|Δw + ΔxΔw per tap, the bias rounded to half an accumulator step, the
        // float32 output rounding and the fold's roundings (γ(k+4) of Σ|w'x|).
        const bound = absW.y[i] * dx + absX.y[i] * dw + k * dx * dw + sj / 2
          + 2 * U32 * Math.abs(y) + gamma(k + 4) * absWX.y[i] + 2 ** -120;
        if (!(Math.abs(got[i] - y) <= bound)) throw new Error(`output ${i}: int8 ${got[i]} vs float64 ${y} (bound ${bound})`);
      });
    }), { numRuns: 25 });
  });

  it("refuses float64 conv weights, naming the layer", () => {
    const model = new nn.Sequential(new nn.ReLU(), new nn.Conv2d(1, 2, 3, { dtype: "float64" }));
    expect(() => quantizeModel(model)).toThrow(/layer 1: Conv2d has float64 weights/);
  });
});

describe("sparsify on a pruned CNN", () => {
  it("runs the convolutions dense on their masked weights (BatchNorm folded), with the float model's values, and snapshots them", () => {
    const model = smallCnn(3).eval();
    magnitudePrune(model, { sparsity: 0.6 });
    const conv0 = model.at(0) as nn.Conv2d;
    const zeros = Array.from(conv0.weight.data).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    const s = sparsify(model);
    expect(s.layers.map((l) => l.kind).slice(0, 2)).toEqual(["dense-conv", "dense-conv"]);
    // Each compiled conv computes what the float model's fused step computes (the Linear layers
    // run on other kernels, CSR or a strided GEMM, so the whole output is not compared bit for bit).
    const steps = fuseLayers([...model].map((m) => m.eval()));
    expect(steps.filter((st) => st.kind === "conv").map((st) => st.kind === "conv" && st.batchNorm !== null)).toEqual([false, true]);
    const x = randn([4, 1, 12, 12], { seed: 4 });
    const h1 = noGrad(() => runStep(steps[0], x)), h2 = noGrad(() => runStep(steps[2], noGrad(() => runStep(steps[1], h1))));
    const conv1 = s.layers[0] as FloatConvLayer, conv2 = s.layers[1] as FloatConvLayer;
    const want1 = Array.from(h1.data), want2 = Array.from(h2.data);
    expect(Array.from(conv1.forward(x).data)).toEqual(want1);
    expect(Array.from(conv2.forward(noGrad(() => runStep(steps[1], h1))).data)).toEqual(want2);
    expect(conv1.nonZeros()).toBe(conv0.weight.size - zeros + conv0.bias!.data.filter((v) => v !== 0).length);
    expect(s.forward(x).shape).toEqual([4, 10]);
    // A snapshot: training the float model on does not change the compiled one.
    conv0.weight.storage[0] += 1;
    expect(Array.from(conv1.forward(x).data)).toEqual(want1);
  });
});

describe("int32 headroom in the int8 convolution", () => {
  it("a conv channel whose bias would overflow int32 gets a larger weight scale (static) or input scale (dynamic); equal to the integer reference", () => {
    const INT32_MAX = 2 ** 31 - 1;
    const cv = new nn.Conv2d(1, 2, 2, { seed: 7 });
    cv.weight.storage.set([0.5, -0.25, 0.75, 0.1, 0.001, -0.001, 0.0005, 0.001]);
    cv.bias!.storage.set([0.2, 0.5]);
    const x = randn([2, 1, 3, 3], { seed: 8 }).mul(0.0002);
    // The rule written out: bias quantized for s_x·s_w plus Σ|w|·max(z, 255 − z) within int32, or a bias that rounds to 0.
    const fits = (b: number, sx: number, sw: number, w: ArrayLike<number>, z: number) => {
      const q = roundHalfToEven(b / Math.fround(sx * sw));
      return q === 0 || Math.abs(q) + Array.from(w).reduce((a, v) => a + Math.abs(v), 0) * Math.max(z, 255 - z) <= INT32_MAX;
    };
    for (const mode of ["static", "dynamic"] as const) {
      const q = mode === "static" ? quantizeModel(new nn.Sequential(cv), { calibration: x }) : quantizeModel(new nn.Sequential(cv));
      const l = q.steps[0] as Int8ConvLayer;
      expect(l.weightScale[0]).toBe(Math.fround(0.75 / 127));   // the ordinary channel keeps max|w|/127
      const d = x.data as Float32Array;
      const base = l.input ?? activationParams(Math.min(...d), Math.max(...d), "range");
      // Without the headroom the second channel's bias alone is far past int32.
      expect(Math.abs(0.5 / (base.scale * Math.fround(0.001 / 127)))).toBeGreaterThan(INT32_MAX);
      let p = l.input;
      if (!p) {
        p = { ...base };
        for (let j = 0; j < 2; j++) while (!fits(l.bias![j], p.scale, l.weightScale[j], l.weight.subarray(4 * j, 4 * j + 4), p.zeroPoint)) p.scale *= 2;
      }
      for (let j = 0; j < 2; j++) expect(fits(l.bias![j], p.scale, l.weightScale[j], l.weight.subarray(4 * j, 4 * j + 4), p.zeroPoint)).toBe(true);
      const want = int8Reference(x.data as Float32Array, x.shape, l.weight, [2, 1, 2, 2], l.weightScale, l.bias, p,
        { stride: [1, 1], pad: [0, 0], padEnd: [0, 0], dilation: [1, 1], groups: 1 }, false);
      expect(Array.from(q.forward(x).data)).toEqual(Array.from(want.y));
      // Channel 1 is the bias (0.5) up to rounding of a few tiny terms: the overflow gave values of the wrong sign before.
      const ours = q.forward(x).data;
      for (let i = 0; i < ours.length; i++) if (Math.floor(i / 4) % 2 === 1) expect(Math.abs(ours[i] - 0.5)).toBeLessThan(1e-5);
    }
  });
});
