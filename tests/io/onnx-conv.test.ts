// Exported CNNs run in onnxruntime-web and agree with edgegrad: f32 models within a bound derived
// from the network by a float64 interpreter of the exported layers (written here), int8 models
// bit for bit.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { quantizeModel } from "../../src/compress/index.js";
import {
  batchNorm, bounded, conv, expectWithin, flatten, linear, pool, relu, type Bounded,
} from "../support/cnn-reference.js";
import { runOrt } from "../support/onnx-runtime.js";

/** Float64 forward of exported layers with error bounds: what any float32 engine must be within. */
function reference(layers: eg.io.OnnxLayer[], x: Bounded): Bounded {
  let h = x;
  for (const l of layers) {
    switch (l.kind) {
      case "conv": {
        const sp = l.attrs.kernelShape.length;
        h = conv(h, { weight: l.weight, weightShape: l.weightShape, bias: l.bias, stride: l.attrs.strides, dilation: l.attrs.dilations,
          padBegin: l.attrs.pads.slice(0, sp), padEnd: l.attrs.pads.slice(sp), groups: l.attrs.group });
        break;
      }
      case "relu": h = relu(h); break;
      case "identity": break;
      case "maxPool": h = pool(h, "max", { kernel: l.kernelShape, stride: l.strides, padding: l.pads.slice(0, l.kernelShape.length), dilation: l.dilations, ceilMode: l.ceilMode }); break;
      case "averagePool": h = pool(h, "avg", { kernel: l.kernelShape, stride: l.strides, padding: l.pads.slice(0, l.kernelShape.length), ceilMode: l.ceilMode, countIncludePad: l.countIncludePad }); break;
      case "adaptiveAveragePool": case "adaptiveMaxPool": {
        const k = h.shape.slice(2).map((s, d) => s / (l.outputSize[d] ?? s));
        h = pool(h, l.kind === "adaptiveMaxPool" ? "max" : "avg", { kernel: k, stride: k, padding: k.map(() => 0) });
        break;
      }
      case "batchNormalization": h = batchNorm(h, l.mean, l.variance, l.scale, l.bias, l.epsilon); break;
      case "flatten": h = flatten(h); break;
      case "linear": h = linear(h, l.weight, l.bias, l.outFeatures); break;
      default: throw new Error(`reference: no rule for ${l.kind}`);
    }
  }
  return h;
}

/** Running statistics and affine parameters away from their defaults, so folding them matters. */
function randomizeBatchNorm(bn: eg.nn.BatchNorm2d | eg.nn.BatchNorm1d, seed: number): void {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  bn.runningMean!.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
  bn.runningVar!.storage.forEach((_, i, a) => { a[i] = 0.2 + next(); });
  bn.weight?.storage.forEach((_, i, a) => { a[i] = 0.5 + next(); });
  bn.bias?.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
}

function cnn(): eg.nn.Sequential {
  const { Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear, Dropout2d } = eg.nn;
  const bn1 = new BatchNorm2d(6), bn2 = new BatchNorm2d(8);
  randomizeBatchNorm(bn1, 1);
  randomizeBatchNorm(bn2, 2);
  return new Sequential(
    new Conv2d(2, 6, 3, { padding: 1, seed: 3 }), bn1, new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 8, 3, { padding: 1, seed: 4 }), new ReLU(), bn2, new Dropout2d(0.2), new AvgPool2d(2),
    new Flatten(), new Linear(72, 16, { seed: 5 }), new ReLU(), new Linear(16, 5, { seed: 6 }));
}

describe("ONNX export of convolutional models", () => {
  it("a CNN (conv, BatchNorm folded and not, ReLU, max/avg pool, flatten, linear) gives edgegrad's outputs in onnxruntime-web within the derived bound", async () => {
    const model = cnn().eval();
    const x = eg.randn([3, 2, 12, 12], { seed: 7 });
    const bytes = eg.io.exportOnnx(model, { inputShape: [2, 12, 12] });
    const layers = eg.io.describeSequential(model);
    expect(layers.map((l) => l.kind)).toEqual(["conv", "identity", "relu", "maxPool", "conv", "relu", "batchNormalization",
      "identity", "averagePool", "flatten", "linear", "relu", "linear"]);
    const ref = reference(layers, bounded(x.shape, x.data));
    // Worst-case rounding through five layers: still a thousandth of the outputs' scale, far from a blanket tolerance.
    expect(Math.max(...ref.err)).toBeLessThan(1e-3 * Math.max(...ref.y.map(Math.abs)));
    expectWithin("edgegrad", eg.noGrad(() => model.forward(x)).data, ref);
    expectWithin("onnxruntime", await runOrt(bytes, x.data as Float32Array, x.shape), ref);
  });

  it("exporting a model in training mode exports its eval-mode graph and leaves the mode as it was", () => {
    const model = cnn().train();
    const bytes = eg.io.exportOnnx(model, { inputShape: [2, 12, 12] });
    expect(model.training).toBe(true);
    expect(Array.from(bytes)).toEqual(Array.from(eg.io.exportOnnx(model.eval(), { inputShape: [2, 12, 12] })));
  });

  it("the int8 CNN (quantizeModel with calibration) gives edgegrad's int8 outputs bit for bit", async () => {
    const model = cnn().eval();
    const q = quantizeModel(model, { calibration: eg.randn([32, 2, 12, 12], { seed: 8 }) });
    const x = eg.randn([4, 2, 12, 12], { seed: 9 });
    expect(q.layers.map((l) => l.kind)).toEqual(["int8-conv", "int8-conv", "int8", "int8"]);
    const ours = q.forward(x).data as Float32Array;
    const theirs = await runOrt(eg.io.exportOnnx(q, { inputShape: [2, 12, 12] }), x.data as Float32Array, x.shape);
    expect(Array.from(theirs)).toEqual(Array.from(ours));
  });

  it("pooling options and 1-D layers: ceil mode, padding, dilation, countIncludePad, Conv1d with groups and \"same\"", async () => {
    const { Sequential, Conv2d, Conv1d, MaxPool2d, AvgPool2d, MaxPool1d, AvgPool1d, ReLU, AdaptiveAvgPool2d, AdaptiveMaxPool2d } = eg.nn;
    const cases: [eg.nn.Sequential, number[]][] = [
      [new Sequential(new Conv2d(2, 4, [2, 3], { padding: "same", seed: 11 }), new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
        new AvgPool2d(2, { ceilMode: true, countIncludePad: false })), [2, 9, 11]],
      [new Sequential(new Conv2d(4, 4, 3, { groups: 2, stride: 2, dilation: 2, padding: [2, 1], seed: 12 }), new ReLU(),
        new MaxPool2d(2, { dilation: 2, stride: 1 }), new AvgPool2d(3, { padding: 1, stride: 2 })), [4, 13, 12]],
      [new Sequential(new Conv1d(3, 6, 4, { padding: "same", groups: 3, seed: 13 }), new ReLU(), new MaxPool1d(3, { stride: 2, ceilMode: true }),
        new AvgPool1d(2, { padding: 1 })), [3, 17]],
      [new Sequential(new Conv2d(2, 3, 3, { seed: 14 }), new AdaptiveAvgPool2d(1)), [2, 7, 8]],
      [new Sequential(new Conv2d(2, 3, 1, { seed: 15 }), new AdaptiveAvgPool2d([2, null])), [2, 6, 5]],
      [new Sequential(new Conv2d(2, 3, 3, { seed: 17 }), new AdaptiveMaxPool2d(1)), [2, 7, 8]],
      [new Sequential(new Conv2d(2, 3, 1, { seed: 18 }), new ReLU(), new AdaptiveMaxPool2d([null, 3])), [2, 4, 6]],
    ];
    for (const [model, shape] of cases) {
      const x = eg.randn([2, ...shape], { seed: 16 });
      const ref = reference(eg.io.describeSequential(model), bounded(x.shape, x.data));
      expectWithin("edgegrad", eg.noGrad(() => model.forward(x)).data, ref);
      expectWithin("onnxruntime", await runOrt(eg.io.exportOnnx(model, { inputShape: shape }), x.data as Float32Array, x.shape), ref);
    }
  });

  it("ceil-mode pooling whose last ONNX ceil_mode window would start in the padding (PyTorch drops it) loads and gives PyTorch's windows", async () => {
    const { Sequential, MaxPool2d, AvgPool2d, Conv2d, Flatten, Linear } = eg.nn;
    type Pool = (k: number, o: { stride: number; padding: number; ceilMode: true }) => eg.nn.Module;
    const pools: [string, Pool][] = [
      ["max", (k, o) => new MaxPool2d(k, o)],
      ["avg, countIncludePad", (k, o) => new AvgPool2d(k, { ...o, countIncludePad: true })],
      ["avg, not countIncludePad", (k, o) => new AvgPool2d(k, { ...o, countIncludePad: false })],
    ];
    // [kernel, stride, padding, per-sample input, output size]: each output is one less than ONNX's ceil_mode count.
    const geometries: [number, number, number, number[], number[]][] = [
      [2, 2, 1, [1, 5, 5], [3, 3]], [3, 3, 1, [2, 8, 8], [3, 3]], [4, 3, 2, [1, 10, 7], [4, 3]],
    ];
    for (const [name, make] of pools) for (const [k, s, p, shape, out] of geometries) {
      const alone = new Sequential(make(k, { stride: s, padding: p, ceilMode: true }));
      const withHead = new Sequential(new Conv2d(shape[0], 2, 1, { seed: 31 }), make(k, { stride: s, padding: p, ceilMode: true }),
        new Flatten(), new Linear(2 * out[0] * out[1], 3, { seed: 32 }));
      for (const model of [alone, withHead]) {
        const x = eg.randn([2, ...shape], { seed: 33 });
        const ref = reference(eg.io.describeSequential(model), bounded(x.shape, x.data));
        if (model === alone) expect(ref.shape, `${name} k${k} s${s} p${p} [${shape}]`).toEqual([2, shape[0], ...out]);
        expectWithin("edgegrad", eg.noGrad(() => model.forward(x)).data, ref);
        expectWithin(`onnxruntime (${name} k${k} s${s} p${p} [${shape}])`, await runOrt(eg.io.exportOnnx(model, { inputShape: shape }), x.data as Float32Array, x.shape), ref);
      }
    }
  });

  it("refuses a ceil-mode average that ONNX cannot express: one axis drops a window, another divides an overhanging one by its clipped size", async () => {
    const { Sequential, AvgPool2d, MaxPool2d } = eg.nn;
    // Height: 5 + 2·1 with k2 s2 drops ONNX's 4th window; width: 5 with k2 s2 p0 keeps [4, 6), overhanging by one.
    const geometry = { stride: 2, padding: [1, 0], ceilMode: true } as const;
    const shape = [1, 5, 5];
    expect(() => eg.io.exportOnnx(new Sequential(new AvgPool2d(2, { ...geometry, countIncludePad: true })), { inputShape: shape }))
      .toThrow(/layer 0 \(AveragePool, ceilMode, countIncludePad\) on input \[1,5,5\].*axis 1 divides a window overhanging/);
    // The same windows export exactly when the divisor does not involve the padding.
    for (const model of [new Sequential(new AvgPool2d(2, { ...geometry, countIncludePad: false })), new Sequential(new MaxPool2d(2, geometry))]) {
      const x = eg.randn([2, ...shape], { seed: 34 });
      const ref = reference(eg.io.describeSequential(model), bounded(x.shape, x.data));
      expect(ref.shape).toEqual([2, 1, 3, 3]);
      expectWithin("onnxruntime", await runOrt(eg.io.exportOnnx(model, { inputShape: shape }), x.data as Float32Array, x.shape), ref);
    }
  });

  it("ConvTranspose2d (stride, padding, outputPadding, groups) runs in onnxruntime-web with edgegrad's outputs", async () => {
    const layer = new eg.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, seed: 17 });
    const x = eg.randn([2, 4, 5, 6], { seed: 18 });
    const ours = eg.noGrad(() => layer.forward(x));
    const theirs = await runOrt(eg.io.exportOnnx(new eg.nn.Sequential(layer), { inputShape: [4, 5, 6] }), x.data as Float32Array, x.shape);
    // Each output is a sum over at most (4/2)·3·3 taps plus the bias: γ(k+1)·Σ|w·x| for both engines.
    const ref = transposedReference(layer, x);
    expect(ours.shape).toEqual([2, 6, 10, 12]);
    expectWithin("edgegrad", ours.data, ref);
    expectWithin("onnxruntime", theirs, ref);
  });

  it("refuses what ONNX cannot express, naming the module", () => {
    const { Sequential, Conv2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, BatchNorm2d, Linear } = eg.nn;
    const cases: [eg.nn.Module, number[], RegExp][] = [
      [new Sequential(new Conv2d(1, 2, 1), new AdaptiveAvgPool2d(4)), [1, 6, 6], /AdaptiveAvgPool2d\(\[4,4\]\) at layer 1 on input \[2,6,6\]/],
      [new Sequential(new Conv2d(1, 2, 1), new AdaptiveMaxPool2d([4, null])), [1, 6, 6], /AdaptiveMaxPool2d\(\[4,null\]\) at layer 1 on input \[2,6,6\]/],
      [new Sequential(new AdaptiveMaxPool2d(2, { returnIndices: true })), [1, 4, 4], /AdaptiveMaxPool2d at index 0 returns indices/],
      [new Sequential(new AvgPool2d(2, { divisorOverride: 3 })), [1, 4, 4], /divisorOverride 3/],
      [new Sequential(new MaxPool2d(2, { returnIndices: true })), [1, 4, 4], /returns indices/],
      [new Sequential(new Conv2d(1, 2, 1), new BatchNorm2d(2, { trackRunningStats: false })), [1, 4, 4], /no running statistics/],
      [new Sequential(new Conv2d(1, 2, 3), new Linear(8, 2)), [1, 4, 4], /layer 1 expects 8 features, gets per-sample \[2,2,2\]/],
      [new Sequential(new Conv2d(3, 2, 3)), [1, 4, 4], /layer 0 \(Conv\) needs a per-sample input \[3, ·, ·\], gets \[1,4,4\]/],
    ];
    for (const [model, shape, message] of cases) expect(() => eg.io.exportOnnx(model, { inputShape: shape })).toThrow(message);
    expect(() => eg.io.exportOnnx(new Conv2d(1, 2, 3))).toThrow(/give inputFeatures \(or inputShape\)/);
    expect(() => eg.io.exportOnnx(new Conv2d(1, 2, 3), { inputShape: [1, 0, 3] })).toThrow(eg.ValueError);
    expect(() => eg.io.exportOnnx(new Linear(2, 2), { inputShape: [2], inputFeatures: 2 })).toThrow(/not both/);
    const dynamic = quantizeModel(new Sequential(new Conv2d(1, 2, 3)));
    expect(() => eg.io.exportOnnx(dynamic, { inputShape: [1, 4, 4] })).toThrow(/quantizes its input dynamically/);
  });
});

/** Float64 transposed convolution (scatter form) with the error bound of a float32 evaluation. */
function transposedReference(l: eg.nn.ConvTranspose2d, x: eg.Tensor): Bounded {
  const [N, Ci, H, W] = x.shape, [, coG, kH, kW] = l.weight.shape, G = l.groups, ciG = Ci / G, Co = coG * G;
  const [sH, sW] = l.stride, [pH, pW] = l.padding, [dH, dW] = l.dilation, [oPH, oPW] = l.outputPadding;
  const oH = (H - 1) * sH - 2 * pH + dH * (kH - 1) + oPH + 1, oW = (W - 1) * sW - 2 * pW + dW * (kW - 1) + oPW + 1;
  const y = new Float64Array(N * Co * oH * oW), abs = new Float64Array(y.length), terms = new Float64Array(y.length);
  const xd = x.data, wd = l.weight.data, bd = l.bias!.data;
  for (let n = 0; n < N; n++) for (let ci = 0; ci < Ci; ci++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    const g = Math.floor(ci / ciG);
    for (let co = 0; co < coG; co++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const oh = h * sH - pH + kh * dH, ow = w * sW - pW + kw * dW;
      if (oh < 0 || oh >= oH || ow < 0 || ow >= oW) continue;
      const o = ((n * Co + g * coG + co) * oH + oh) * oW + ow;
      const t = xd[((n * Ci + ci) * H + h) * W + w] * wd[((ci * coG + co) * kH + kh) * kW + kw];
      y[o] += t; abs[o] += Math.abs(t); terms[o]++;
    }
  }
  const err = new Float64Array(y.length);
  for (let o = 0; o < y.length; o++) {
    const b = bd[Math.floor(o / (oH * oW)) % Co];
    y[o] += b;
    const k = ciG * kH * kW;   // the most taps any output can have, whatever the engine sums
    err[o] = ((k + 1) * U32 / (1 - (k + 1) * U32)) * (abs[o] + Math.abs(b)) + (k + 1) * 2 ** -149;
  }
  return { shape: [N, Co, oH, oW], y, err };
}
const U32 = 2 ** -24;
