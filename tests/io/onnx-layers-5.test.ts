// ONNX export of ConvTranspose1d, Upsample (Resize), LPPool1d/2d (LpPool), AdaptiveAvg/MaxPool1d
// of size 1 (GlobalAveragePool/GlobalMaxPool) and LocalResponseNorm (LRN): each exported model
// runs in onnxruntime-web and agrees with edgegrad's forward (exactly for the pure selections,
// within a bound from the problem otherwise); what has no faithful ONNX form is refused by name.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { runOrtOutput } from "../support/onnx-runtime.js";
import { valuesFrom } from "../support/reference.js";
import { gamma, U32 } from "../support/tolerance.js";

const nn = eg.nn;
const MAG = 3; // inputs are drawn from [−3, 3]

function sample(shape: number[], seed: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -MAG, MAG);
  return eg.fromTypedArray(Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

/** Exports `model` for one sample of shape `sampleShape`, runs a batch of 2 in onnxruntime, returns both outputs. */
async function both(model: eg.nn.Module, sampleShape: number[], seed = 1) {
  const x = sample([2, ...sampleShape], seed);
  const ours = model.eval().forward(x) as eg.Tensor;
  const theirs = await runOrtOutput(eg.io.exportOnnx(model, { inputShape: sampleShape }), x.data as Float32Array, x.shape.slice());
  expect([...theirs.dims]).toEqual(ours.shape.slice());
  return { ours: Array.from(ours.data as Float32Array), theirs: Array.from(theirs.data) };
}

/** Each output within `bound(i)`; the message names the element and both values. */
function expectWithin(ours: number[], theirs: number[], bound: (v: number) => number): void {
  ours.forEach((v, i) => {
    const tol = bound(v);
    if (!(Math.abs(theirs[i] - v) <= tol)) throw new Error(`element ${i}: onnxruntime ${theirs[i]}, edgegrad ${v} (tol ${tol})`);
  });
}

describe("ONNX export of ConvTranspose1d", () => {
  it("is ConvTranspose on [N, C, L] with its stride, padding, outputPadding, dilation and groups", async () => {
    const cases: [eg.nn.Module, number[]][] = [
      [new nn.ConvTranspose1d(3, 2, 3, { seed: 1 }), [3, 5]],
      [new nn.ConvTranspose1d(4, 6, 2, { stride: 3, padding: 1, outputPadding: 2, dilation: 2, groups: 2, seed: 2 }), [4, 4]],
      [new nn.ConvTranspose1d(2, 2, 4, { stride: 2, padding: 2, bias: false, seed: 3 }), [2, 6]],
      // outputPadding ≥ stride (allowed below the dilation): exported as fewer end pads.
      [new nn.ConvTranspose1d(2, 3, 3, { stride: 1, padding: 2, dilation: 2, outputPadding: 1, seed: 4 }), [2, 5]],
    ];
    for (const [m, shape] of cases) {
      const w = (m as eg.nn.ConvTranspose1d).weight, k = w.shape[2], cin = shape[0];
      const wMax = Math.max(...Array.from(w.data as Float32Array, Math.abs));
      // Each output is a sum of at most Cin·k products plus the bias: γ(Cin·k + 1)·Σ|w||x| + u·|y|.
      const { ours, theirs } = await both(m, shape);
      expectWithin(ours, theirs, (v) => 2 * gamma(cin * k + 1) * (cin * k * wMax * MAG + 1) + U32 * Math.abs(v));
    }
  });
});

describe("ONNX export of Upsample as Resize", () => {
  it("nearest and nearest-exact, by size and by scaleFactor, select the same elements", async () => {
    const cases: [eg.nn.Module, number[]][] = [
      [new nn.Upsample({ scaleFactor: 2 }), [2, 3, 4]],
      [new nn.Upsample({ scaleFactor: 1.5 }), [2, 5]],
      [new nn.Upsample({ size: [5, 7] }), [1, 3, 4]],
      [new nn.Upsample({ size: [2, 3] }), [1, 5, 7]],
      [new nn.Upsample({ size: [1, 3], mode: "nearest-exact" }), [1, 4, 7]],
      [new nn.Upsample({ scaleFactor: [2.5, 0.5], mode: "nearest-exact" }), [2, 3, 6]],
      [new nn.Upsample({ size: 7, mode: "nearest-exact" }), [2, 3]],
      [new nn.UpsamplingNearest2d({ size: [6, 5] }), [2, 4, 3]],
      // Factors whose float32 scale, used as given, makes ONNX read a neighbour of PyTorch's element.
      [new nn.Upsample({ scaleFactor: 0.6 }), [1, 17]],
      [new nn.Upsample({ scaleFactor: [1.2, 0.6] }), [1, 19, 21]],
      [new nn.Upsample({ scaleFactor: 1.3, mode: "nearest-exact" }), [1, 19]],
    ];
    for (const [m, shape] of cases) {
      const { ours, theirs } = await both(m, shape);
      expect(theirs).toEqual(ours);
    }
  });

  it("linear, bilinear and bicubic, corners aligned or not, agree within the interpolation's rounding", async () => {
    const cases: [eg.nn.Module, number[]][] = [
      [new nn.Upsample({ scaleFactor: 2, mode: "linear" }), [2, 5]],
      [new nn.Upsample({ size: 9, mode: "linear", alignCorners: true }), [2, 4]],
      [new nn.Upsample({ scaleFactor: 1.5, mode: "bilinear" }), [2, 3, 4]],
      [new nn.Upsample({ size: [2, 3], mode: "bilinear" }), [1, 5, 7]],
      [new nn.Upsample({ size: [1, 3], mode: "bilinear" }), [1, 4, 5]],
      [new nn.Upsample({ size: [1, 4], mode: "bilinear", alignCorners: true }), [1, 4, 5]],
      [new nn.UpsamplingBilinear2d({ scaleFactor: 2 }), [2, 3, 3]],
      [new nn.Upsample({ scaleFactor: 2, mode: "bicubic" }), [1, 4, 5]],
      [new nn.Upsample({ size: [7, 3], mode: "bicubic", alignCorners: true }), [2, 4, 4]],
    ];
    for (const [m, shape] of cases) {
      const { ours, theirs } = await both(m, shape);
      // At most 16 taps of weight ≤ 1.25 each; the runtimes compute the source coordinate in
      // float32 (its error, relative to the input length, moves a weight by that much).
      const len = Math.max(...shape.slice(1));
      expectWithin(ours, theirs, (v) => (16 * 1.25 * gamma(20) + 8 * len * U32) * MAG + U32 * Math.abs(v));
    }
  });

  it("refuses area mode and recomputeScaleFactor by name", () => {
    expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Upsample({ scaleFactor: 2, mode: "area" })), { inputShape: [1, 4, 4] })).toThrow(eg.ValueError);
    expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Upsample({ scaleFactor: 2, mode: "area" })), { inputShape: [1, 4, 4] })).toThrow(/Upsample at index 0 has mode "area"/);
    expect(() => eg.io.exportOnnx(new nn.Upsample({ scaleFactor: 2, recomputeScaleFactor: true }), { inputShape: [1, 4, 4] })).toThrow(/Upsample at index 0 has recomputeScaleFactor/);
    // ONNX indexes nearest by o/s: 21 → 6 needs s ≤ 2/7 (output 2 reads input 7) and 21·s ≥ 6, which no float32 meets.
    expect(() => eg.io.exportOnnx(new nn.Upsample({ size: 6 }), { inputShape: [1, 21] })).toThrow(/no float32 scale makes ONNX read PyTorch's source elements for size 21 → 6/);
    // ⌊7·1.1⌋ = 7: onnxruntime copies, PyTorch resamples by 1/1.1.
    expect(() => eg.io.exportOnnx(new nn.Upsample({ scaleFactor: 1.1, mode: "linear" }), { inputShape: [1, 7] })).toThrow(/scaleFactor \[1.1\] leaves the size \[7\] unchanged/);
    // ⌊10·fl(0.7)⌋ = 6 where PyTorch gives 7.
    expect(() => eg.io.exportOnnx(new nn.Upsample({ scaleFactor: 0.7, mode: "linear" }), { inputShape: [1, 10] })).toThrow(/scaleFactor 0.7 on a size of 10 gives 7 here but 6/);
  });
});

describe("ONNX export of LPPool, the global 1-d pools and LocalResponseNorm", () => {
  it("LPPool1d/2d of even normType are LpPool", async () => {
    const cases: [eg.nn.Module, number[], number][] = [
      [new nn.LPPool1d(2, 3), [2, 7], 3],
      [new nn.LPPool2d(2, [2, 3], { stride: [1, 2] }), [2, 4, 5], 6],
      [new nn.LPPool2d(4, 2), [1, 4, 4], 4],
    ];
    for (const [m, shape, window] of cases) {
      const { ours, theirs } = await both(m, shape);
      // A sum of `window` p-th powers, then its p-th root: γ(window + p + 2) relative to the output.
      expectWithin(ours, theirs, (v) => 4 * gamma(window + 8) * Math.abs(v) + 1e-30);
    }
  });

  it("AdaptiveAvgPool1d(1) and AdaptiveMaxPool1d(1) are GlobalAveragePool and GlobalMaxPool", async () => {
    const avg = await both(new nn.AdaptiveAvgPool1d(1), [3, 9]);
    expectWithin(avg.ours, avg.theirs, (v) => 2 * gamma(10) * MAG + U32 * Math.abs(v));
    const max = await both(new nn.AdaptiveMaxPool1d(1), [3, 9]);
    expect(max.theirs).toEqual(max.ours);
  });

  it("LocalResponseNorm of odd size is LRN", async () => {
    for (const [m, shape] of [[new nn.LocalResponseNorm(3), [5, 2, 3]], [new nn.LocalResponseNorm(5, { alpha: 0.5, beta: 0.6, k: 2 }), [6, 4, 1]]] as const) {
      const { ours, theirs } = await both(m, [...shape]);
      // A sum of n squares, a power and a division: γ(n + 8) relative to the output.
      expectWithin(ours, theirs, (v) => 8 * gamma(m.size + 8) * Math.abs(v) + 1e-30);
    }
  });

  it("refuses what ONNX computes differently, naming the layer and option", () => {
    const refuse = (m: eg.nn.Module, shape: number[], re: RegExp) => {
      expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(eg.ValueError);
      expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(re);
    };
    refuse(new nn.LPPool1d(3, 2), [2, 6], /LPPool1d at index 0 has normType 3/);
    refuse(new nn.LPPool2d(1.5, 2), [2, 6, 6], /LPPool2d at index 0 has normType 1.5/);
    refuse(new nn.LPPool2d(2, 2, { ceilMode: true }), [2, 5, 5], /LPPool2d at index 0 has ceilMode true/);
    refuse(new nn.AdaptiveAvgPool1d(2), [2, 6], /AdaptiveAvgPool1d\(2\) at index 0/);
    refuse(new nn.AdaptiveMaxPool1d(1, { returnIndices: true }), [2, 6], /AdaptiveMaxPool1d at index 0 returns indices/);
    refuse(new nn.LocalResponseNorm(4), [5, 3], /LocalResponseNorm\(4\) at index 0 has an even size/);
    refuse(new nn.LocalResponseNorm(3), [5, 3], /layer 0 \(LRN\) needs a per-sample input \[C, H, W\]/);
  });
});
