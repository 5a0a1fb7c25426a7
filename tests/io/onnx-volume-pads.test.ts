// ONNX export of the padding modules added beside the 2-d ones (ZeroPad1d/3d, ConstantPad3d,
// ReflectionPad3d, ReplicationPad3d: Pad; CircularPad1d/2d/3d: Slice → Concat per axis, opset 13's
// Pad having no "wrap"), Softmax2d (Softmax on axis 1), the dropouts beyond Dropout/Dropout2d
// (nothing), a volume CNN of all the new layers, and the refusals: each by a ValueError naming
// the layer and the option. Values are checked against the float64 reference of
// tests/support/volume-reference.ts (pads exactly: every output is an input element or the fill).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { batchNorm, bounded, expectWithin, flatten, linear, relu, type Bounded } from "../support/cnn-reference.js";
import { runOrtOutput } from "../support/onnx-runtime.js";
import { valuesFrom } from "../support/reference.js";
import { adaptivePoolNd, channelSoftmax, convNd, convTransposeNd, instanceNormNd, padNd, poolNd } from "../support/volume-reference.js";

const nn = eg.nn;

function sample(shape: number[], seed: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -3, 3);
  return eg.fromTypedArray(Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

/** Both engines' outputs for a batch of 2 of per-sample `shape` (their dims checked equal), and the input. */
async function bothOutputs(m: eg.nn.Module, shape: number[], seed: number) {
  const x = sample([2, ...shape], seed);
  const ours = eg.noGrad(() => m.eval().forward(x)) as eg.Tensor;
  const theirs = await runOrtOutput(eg.io.exportOnnx(m, { inputShape: shape }), x.data as Float32Array, x.shape);
  expect(theirs.dims).toEqual(ours.shape);
  return { x, ours, theirs: theirs.data };
}

function expectRefused(m: eg.nn.Module, shape: number[], re: RegExp): void {
  expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(eg.ValueError);
  expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(re);
}

type PadMode = "constant" | "reflect" | "replicate" | "circular";
const PADS: { name: string; dims: number; mode: PadMode; make: (p: number[], value: number) => eg.nn.Module }[] = [
  { name: "ZeroPad1d", dims: 1, mode: "constant", make: (p) => new nn.ZeroPad1d(p) },
  { name: "ZeroPad3d", dims: 3, mode: "constant", make: (p) => new nn.ZeroPad3d(p) },
  { name: "ConstantPad3d", dims: 3, mode: "constant", make: (p, v) => new nn.ConstantPad3d(p, v) },
  { name: "ReflectionPad3d", dims: 3, mode: "reflect", make: (p) => new nn.ReflectionPad3d(p) },
  { name: "ReplicationPad3d", dims: 3, mode: "replicate", make: (p) => new nn.ReplicationPad3d(p) },
  { name: "CircularPad1d", dims: 1, mode: "circular", make: (p) => new nn.CircularPad1d(p) },
  { name: "CircularPad2d", dims: 2, mode: "circular", make: (p) => new nn.CircularPad2d(p) },
  { name: "CircularPad3d", dims: 3, mode: "circular", make: (p) => new nn.CircularPad3d(p) },
];

describe("ONNX export of the padding modules", () => {
  it("each pads as its module does, element for element: Pad (constant, reflect, edge) or Slice/Concat (circular)", async () => {
    const arb = fc.record({
      which: fc.integer({ min: 0, max: PADS.length - 1 }), sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      raw: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }), channel: fc.boolean(),
      value: fc.constantFrom(0, -2.5, 7), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const pad = PADS[c.which], spatial = c.sizes.slice(0, pad.dims);
      // Amounts each mode allows: reflect below the size, circular up to it, replicate any, constant down to cropping all but one.
      const padding = Array.from({ length: 2 * pad.dims }, (_, j) => {
        const L = spatial[pad.dims - 1 - (j >> 1)], r = c.raw[j];
        if (pad.mode === "reflect") return r % L;
        if (pad.mode === "circular") return r % (L + 1);
        if (pad.mode === "replicate") return r % 4;
        return (r % 5) - 1;
      });
      const kept = Array.from({ length: pad.dims }, (_, k) => spatial[pad.dims - 1 - k] + padding[2 * k] + padding[2 * k + 1]);
      fc.pre(kept.every((n) => n >= 1));
      const shape = c.channel ? [2, ...spatial] : spatial;
      const m = pad.make(padding, c.value);
      const { x, ours, theirs } = await bothOutputs(m, shape, c.seed);
      const want = Float32Array.from(padNd(bounded(x.shape, x.data), padding, pad.mode, pad.name.startsWith("Constant") ? c.value : 0).y);
      expect(Array.from(ours.data)).toEqual(Array.from(want));
      expect(Array.from(theirs)).toEqual(Array.from(want));
    }), { numRuns: 40 });
  });

  it("refuses a circular amount beyond the size, and an input rank its module refuses", () => {
    expectRefused(new nn.CircularPad1d([4, 0]), [2, 3], /layer 0 \(CircularPad\): circular padding \[4,0\] must be at most each padded size of \[2,3\]/);
    expectRefused(new nn.CircularPad2d(1), [1, 2, 3, 3], /layer 0 \(CircularPad\) takes a 3-d or 4-d input, gets \[batch, 1,2,3,3\]/);
    expectRefused(new nn.ReflectionPad3d(1), [3, 3], /layer 0 \(Pad\) takes a 4-d or 5-d input, gets \[batch, 3,3\]/);
    expectRefused(new nn.ReflectionPad3d([2, 0, 0, 0, 0, 0]), [1, 2, 2, 2], /reflect padding \[2,0,0,0,0,0\] must be less than each padded size/);
    expectRefused(new nn.ReplicationPad3d([0, 0, -1, 0, 0, 0]), [1, 2, 2, 2], /ReplicationPad3d\(\[0,0,-1,0,0,0\]\) at index 0 has a negative padding/);
  });
});

describe("ONNX export of Softmax2d and the dropouts", () => {
  it("Softmax2d is Softmax over axis 1 of [batch, C, H, W]", async () => {
    const arb = fc.record({ C: fc.integer({ min: 1, max: 6 }), H: fc.integer({ min: 1, max: 4 }), W: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1e6 }) });
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const { x, ours, theirs } = await bothOutputs(new nn.Softmax2d(), [c.C, c.H, c.W], c.seed);
      const ref = channelSoftmax(bounded(x.shape, x.data));
      expectWithin("edgegrad", ours.data, ref);
      expectWithin("onnxruntime", theirs, ref);
    }), { numRuns: 20 });
    expectRefused(new nn.Softmax2d(), [3, 4], /layer 0 \(Softmax2d\) needs a per-sample input \[C, H, W\], gets \[3,4\]/);
  });

  it("Dropout1d, AlphaDropout and FeatureAlphaDropout export as nothing (the identity at inference)", async () => {
    const m = new nn.Sequential(new nn.Dropout1d(0.5), new nn.AlphaDropout(0.3), new nn.FeatureAlphaDropout(0.2));
    expect(eg.io.describeSequential(m).map((l) => l.kind)).toEqual(["identity", "identity", "identity"]);
    const { x, theirs } = await bothOutputs(m, [3, 5], 4);
    expect(Array.from(theirs)).toEqual(Array.from(x.data));
  });
});

describe("a volume CNN of the new layers", () => {
  it("Conv3d → BatchNorm3d → ReLU → MaxPool3d → ReplicationPad3d → ConvTranspose3d → InstanceNorm3d → CircularPad3d → AvgPool3d → AdaptiveMaxPool3d(1) → Linear agrees with the reference in both engines", async () => {
    const conv = new nn.Conv3d(2, 4, 3, { padding: "same", seed: 1 }), bn = new nn.BatchNorm3d(4), up = new nn.ConvTranspose3d(4, 3, 2, { stride: 2, groups: 1, seed: 2 });
    const inorm = new nn.InstanceNorm3d(3, { affine: true }), head = new nn.Linear(3, 2, { seed: 3 });
    const v = valuesFrom(9, 0, 1);
    bn.runningMean!.storage.forEach((_, i, a) => { a[i] = v(i) - 0.5; });
    bn.runningVar!.storage.forEach((_, i, a) => { a[i] = 0.5 + v(10 + i); });
    inorm.weight!.storage.forEach((_, i, a) => { a[i] = 0.5 + v(20 + i); });
    // Weights of order 1 (not PyTorch's ±1/√24) keep each plane's spread well above the rounding that InstanceNorm divides by it.
    up.weight.storage.forEach((_, i, a) => { a[i] = 2 * v(30 + i) - 1; });
    const model = new nn.Sequential(conv, bn, new nn.ReLU(), new nn.MaxPool3d(2, { ceilMode: true }), new nn.ReplicationPad3d(1), up, inorm,
      new nn.CircularPad3d([1, 0, 0, 1, 1, 1]), new nn.AvgPool3d(2, { stride: 1 }), new nn.AdaptiveMaxPool3d(1), new nn.Flatten(), head);
    const shape = [2, 3, 4, 5], x = sample([2, ...shape], 11);
    let h: Bounded = convNd(bounded(x.shape, x.data), { weight: conv.weight.data, weightShape: conv.weight.shape, bias: conv.bias!.data,
      stride: [1, 1, 1], padBegin: [1, 1, 1], dilation: [1, 1, 1], groups: 1, outSize: [3, 4, 5] });
    h = relu(batchNorm(h, bn.runningMean!.data, bn.runningVar!.data, bn.weight!.data, bn.bias!.data, 1e-5));
    h = padNd(poolNd(h, "max", { kernel: [2, 2, 2], stride: [2, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1], ceilMode: true, countIncludePad: false }), [1, 1, 1, 1, 1, 1], "replicate");
    h = convTransposeNd(h, { weight: up.weight.data, weightShape: up.weight.shape, bias: up.bias!.data, stride: [2, 2, 2], padding: [0, 0, 0], outputPadding: [0, 0, 0], dilation: [1, 1, 1], groups: 1 });
    h = padNd(instanceNormNd(h, inorm.weight!.data, inorm.bias!.data, 1e-5), [1, 0, 0, 1, 1, 1], "circular");
    h = adaptivePoolNd(poolNd(h, "avg", { kernel: [2, 2, 2], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [1, 1, 1], ceilMode: false, countIncludePad: true }), "max", [1, 1, 1]);
    const ref = linear(flatten(h), head.weight.data, head.bias!.data, 2);
    // Worst-case rounding through eleven layers (InstanceNorm dividing by each plane's spread) stays
    // a few thousandths of the outputs' scale: a real check, not a blanket tolerance.
    expect(Math.max(...ref.err)).toBeLessThan(5e-3 * Math.max(...ref.y.map(Math.abs)));
    const ours = eg.noGrad(() => model.eval().forward(x)) as eg.Tensor;
    expectWithin("edgegrad", ours.data, ref);
    const theirs = await runOrtOutput(eg.io.exportOnnx(model, { inputShape: shape }), x.data as Float32Array, x.shape);
    expect(theirs.dims).toEqual([2, 2]);
    expectWithin("onnxruntime", theirs.data, ref);
  });
});

describe("what ONNX cannot express is refused by name", () => {
  it("divisorOverride, returned indices, missing running statistics, Unfold and Fold", () => {
    expectRefused(new nn.AvgPool3d(2, { divisorOverride: 3 }), [1, 4, 4, 4], /AvgPool3d at index 0 has divisorOverride 3; ONNX's AveragePool has no such attribute/);
    expectRefused(new nn.MaxPool3d(2, { returnIndices: true }), [1, 4, 4, 4], /MaxPool3d at index 0 returns indices/);
    expectRefused(new nn.AdaptiveMaxPool3d(1, { returnIndices: true }), [1, 4, 4, 4], /AdaptiveMaxPool3d at index 0 returns indices/);
    expectRefused(new nn.BatchNorm3d(1, { trackRunningStats: false }), [1, 2, 2, 2], /BatchNorm3d at index 0 has no running statistics/);
    expectRefused(new nn.Unfold(2), [1, 4, 4], /Unfold at index 0 has no ONNX mapping: opset 13 has no im2col operator/);
    expectRefused(new nn.Fold([4, 4], 2), [4, 9], /Fold at index 0 has no ONNX mapping: opset 13 has no col2im operator/);
  });

  it("geometries ONNX computes differently: an all-padding max window, ceil-mode windows, a non-dividing adaptive size, outputPadding", () => {
    // Window 0 of axis 1 reads −1 and 1 of a length-1 axis: PyTorch −∞, onnxruntime −3.4e38.
    expectRefused(new nn.MaxPool3d([1, 2, 1], { padding: [0, 1, 0], dilation: [1, 2, 1] }), [1, 1, 1, 1], /window 0 on axis 1 of input \[1,1,1,1\] lies entirely in the padding/);
    // Axis 0 (L 5, k 2, s 2, p 1): PyTorch drops ONNX's last ceil window; axis 1 (L 4, k 3, s 2, p 1) keeps a window overhanging the padding.
    expectRefused(new nn.AvgPool3d([2, 3, 1], { stride: [2, 2, 1], padding: [1, 1, 0], ceilMode: true }), [1, 5, 4, 1], /ONNX cannot express both/);
    expectRefused(new nn.AdaptiveAvgPool3d([2, 3, 1]), [1, 4, 4, 4], /AdaptiveAvgPool3d\(\[2,3,1\]\) at layer 0 on input \[1,4,4,4\]: the output size must divide the input's/);
    // outputPadding 2 ≥ stride 1 (allowed below the dilation 3) with no padding to absorb it.
    expectRefused(new nn.ConvTranspose3d(1, 1, 2, { dilation: 3, outputPadding: [2, 0, 0] }), [1, 2, 2, 2], /outputPadding 2 on axis 0 is not smaller than the stride 1/);
  });

  it("a hand-written layer list of the 3-d and new kinds is checked field by field", () => {
    const go = (l: object, shape = [1, 2, 2, 2]) => () => eg.io.exportOnnx([l] as eg.io.OnnxLayer[], { inputShape: shape });
    const w = new Float32Array(8), attrs = { kernelShape: [2, 2, 2], strides: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], dilations: [1, 1, 1], group: 1 };
    expect(go({ kind: "conv", weight: w, weightShape: [1, 1, 2, 2, 2], bias: null, attrs })()).toBeInstanceOf(Uint8Array);
    expect(go({ kind: "conv", weight: new Float32Array(16), weightShape: [1, 1, 2, 2, 2, 2], bias: null, attrs })).toThrow(/weightShape must be \[out, in\/group, \.\.\.kernel\] with 1, 2 or 3 spatial dims/);
    expect(go({ kind: "maxPool", kernelShape: [2, 2, 2, 2], strides: [1, 1, 1, 1], pads: [0, 0, 0, 0, 0, 0, 0, 0], dilations: [1, 1, 1, 1], ceilMode: false })).toThrow(/kernelShape must be 1, 2 or 3 positive integers/);
    expect(go({ kind: "adaptiveMaxPool", outputSize: [1, null, 1] })()).toBeInstanceOf(Uint8Array);
    expect(go({ kind: "adaptiveMaxPool", outputSize: [0, 1, 1] })).toThrow(/outputSize must be 1, 2 or 3 entries/);
    expect(go({ kind: "circularPad", padding: [1, 1] }, [2, 3])()).toBeInstanceOf(Uint8Array);
    expect(go({ kind: "circularPad", padding: [-1, 1] })).toThrow(/padding must be a non-empty even-length list of non-negative integers/);
    expect(go({ kind: "softmax2d" }, [2, 3, 3])()).toBeInstanceOf(Uint8Array);
    expect(go({ kind: "softmax2d", axis: 1 }, [2, 3, 3])).toThrow(/\(softmax2d\) has unknown field "axis"/);
  });
});
