// ONNX export of InstanceNorm1d/2d, PixelShuffle, PixelUnshuffle, the padding modules and
// Unflatten: each exported model runs in onnxruntime-web and agrees with edgegrad's forward
// (exactly for the pure rearrangements and pads, within a bound from the problem for instance
// normalization); what has no faithful ONNX form is refused by name.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { runOrtOutput } from "../support/onnx-runtime.js";
import { valuesFrom } from "../support/reference.js";
import { U32 } from "../support/tolerance.js";

const nn = eg.nn;

function sample(shape: number[], seed: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -3, 3);
  return eg.fromTypedArray(Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

/** Exports `model` for one sample of shape `sample`, runs a batch of 2 in onnxruntime, returns both outputs. */
async function both(model: eg.nn.Module, sampleShape: number[], seed = 1) {
  const x = sample([2, ...sampleShape], seed);
  const ours = model.eval().forward(x) as eg.Tensor;
  const theirs = await runOrtOutput(eg.io.exportOnnx(model, { inputShape: sampleShape }), x.data as Float32Array, x.shape.slice());
  expect([...theirs.dims]).toEqual(ours.shape.slice());
  return { ours: Array.from(ours.data as Float32Array), theirs: Array.from(theirs.data), x };
}

describe("ONNX export of the rearranging and padding layers (exact)", () => {
  it("PixelShuffle is DepthToSpace (CRD) and PixelUnshuffle a Reshape/Transpose/Reshape, element for element", async () => {
    for (const [m, shape] of [[new nn.PixelShuffle(2), [12, 2, 3]], [new nn.PixelShuffle(3), [9, 1, 2]], [new nn.PixelUnshuffle(2), [3, 4, 6]], [new nn.PixelUnshuffle(3), [2, 3, 3]]] as const) {
      const { ours, theirs } = await both(m, [...shape]);
      expect(theirs).toEqual(ours);
    }
  });

  it("every padding module is a Pad of the same mode, amounts and fill", async () => {
    const cases: [eg.nn.Module, number[]][] = [
      [new nn.ZeroPad2d([1, 2, 0, 3]), [2, 3, 4]],
      [new nn.ConstantPad2d([2, -1, -1, 1], -2.5), [2, 3, 4]],
      [new nn.ConstantPad1d(2, 3.5), [2, 3, 4]],
      [new nn.ConstantPad1d([1, 0], 1), [5]],
      [new nn.ReflectionPad1d([3, 1]), [2, 4]],
      [new nn.ReflectionPad2d([1, 0, 2, 1]), [2, 3, 4]],
      [new nn.ReplicationPad1d([2, 0]), [3, 2]],
      [new nn.ReplicationPad2d(2), [1, 3, 2]],
    ];
    for (const [m, shape] of cases) {
      const { ours, theirs } = await both(m, shape);
      expect(theirs).toEqual(ours);
    }
  });

  it("Unflatten is a Reshape (−1 resolved, negative dims), in a model with the others", async () => {
    const { ours, theirs } = await both(new nn.Unflatten(-1, [2, -1]), [3, 6]);
    expect(theirs).toEqual(ours);
    const model = new nn.Sequential(new nn.Flatten(), new nn.Unflatten(1, [4, 2, 3]), new nn.ReflectionPad2d([1, 0, 1, 1]), new nn.PixelUnshuffle(2), new nn.PixelShuffle(2), new nn.Flatten(), new nn.Linear(64, 3));
    const r = await both(model, [24]);
    const tol = (i: number) => 64 * U32 * (Math.abs(r.ours[i]) + 5);
    r.ours.forEach((v, i) => expect(Math.abs(r.theirs[i] - v)).toBeLessThanOrEqual(tol(i)));
  });
});

describe("ONNX export of instance normalization", () => {
  /** Each output within a bound of float32 statistics over S elements of magnitude ≤ 3: γ(2S+8)·(|y| + |w|·3/σ). */
  function expectNear(ours: number[], theirs: number[], S: number, scale: number): void {
    const g = ((2 * S + 8) * U32) / (1 - (2 * S + 8) * U32);
    ours.forEach((v, i) => {
      const tol = 8 * g * (Math.abs(v) + scale) + 1e-6 * scale;
      if (!(Math.abs(theirs[i] - v) <= tol)) throw new Error(`element ${i}: onnxruntime ${theirs[i]}, edgegrad ${v} (tol ${tol})`);
    });
  }

  it("InstanceNorm1d/2d without running statistics are InstanceNormalization (affine or not)", async () => {
    const m1 = new nn.InstanceNorm1d(3, { affine: true });
    m1.loadStateDict({ weight: eg.tensor([1.5, -0.5, 2]), bias: eg.tensor([0.25, 0, -1]) });
    const r1 = await both(m1, [3, 7]);
    expectNear(r1.ours, r1.theirs, 7, 10);
    const r2 = await both(new nn.InstanceNorm2d(2, { eps: 1e-3 }), [2, 3, 4]);
    expectNear(r2.ours, r2.theirs, 12, 5);
  });

  it("with tracked statistics inference normalizes by them: BatchNormalization", async () => {
    const m = new nn.InstanceNorm2d(2, { affine: true, trackRunningStats: true });
    m.forward(sample([3, 2, 4, 4], 5)); // moves the running statistics
    const r = await both(m, [2, 3, 3]);
    r.ours.forEach((v, i) => expect(Math.abs(r.theirs[i] - v)).toBeLessThanOrEqual(16 * U32 * (Math.abs(v) + 5)));
  });
});

describe("what does not export is refused by name", () => {
  it("negative reflection/replication padding, Unflatten of the batch dim, wrong input shapes, two-input modules", () => {
    expect(() => eg.io.exportOnnx(new nn.ReflectionPad2d([1, -1, 0, 0]), { inputShape: [1, 4, 4] })).toThrow(/ReflectionPad2d\(\[1,-1,0,0\]\) at index 0 has a negative padding/);
    expect(() => eg.io.exportOnnx(new nn.ReplicationPad1d(-1), { inputShape: [1, 4] })).toThrow(/ReplicationPad1d/);
    expect(() => eg.io.exportOnnx(new nn.Unflatten(0, [1, -1]), { inputShape: [4] })).toThrow(/unflattens the batch dim/);
    expect(() => eg.io.exportOnnx(new nn.PixelShuffle(2), { inputShape: [6, 2, 2] })).toThrow(/not divisible/);
    expect(() => eg.io.exportOnnx(new nn.PixelShuffle(2), { inputShape: [2, 8, 2, 2] })).toThrow(/PixelShuffle/);
    expect(() => eg.io.exportOnnx(new nn.InstanceNorm1d(3), { inputShape: [3, 4, 4] })).toThrow(/InstanceNormalization/);
    expect(() => eg.io.exportOnnx(new nn.InstanceNorm1d(3), { inputShape: [3, 1] })).toThrow(/no variance/);
    expect(() => eg.io.exportOnnx(new nn.InstanceNorm2d(3, { trackRunningStats: true }), { inputShape: [3, 4] })).toThrow(/BatchNormalization/);
    expect(() => eg.io.exportOnnx(new nn.ReflectionPad1d(1), { inputShape: [2, 3, 4] })).toThrow(/Pad\) takes a 2-d or 3-d input/);
    expect(() => eg.io.exportOnnx(new nn.ReflectionPad1d(4), { inputShape: [2, 4] })).toThrow(/must be less than/);
    expect(() => eg.io.exportOnnx(new nn.Unflatten(1, [4, 2]), { inputShape: [6] })).toThrow(/cannot unflatten/);
    expect(() => eg.io.exportOnnx(new nn.CosineSimilarity(), { inputShape: [4] })).toThrow(/module CosineSimilarity at index 0 has no ONNX mapping/);
    expect(() => eg.io.exportOnnx(new nn.PairwiseDistance(), { inputShape: [4] })).toThrow(/module PairwiseDistance at index 0 has no ONNX mapping/);
  });

  it("a hand-written layer list of the new kinds is checked field by field", () => {
    const go = (l: object) => () => eg.io.exportOnnx([l] as eg.io.OnnxLayer[], { inputShape: [4, 2, 2] });
    expect(go({ kind: "depthToSpace", blocksize: 0 })).toThrow(/blocksize must be an integer ≥ 1/);
    expect(go({ kind: "pad", mode: "wrap", padding: [1, 1], value: 0 })).toThrow(/mode must be/);
    expect(go({ kind: "pad", mode: "edge", padding: [-1, 1], value: 0 })).toThrow(/padding must be/);
    expect(go({ kind: "unflatten", dim: 0, sizes: [-1, -1] })).toThrow(/sizes must be/);
    expect(go({ kind: "instanceNormalization", scale: new Float32Array(4), bias: new Float32Array(3), epsilon: 1e-5, inputRank: 4 })).toThrow(/bias must be/);
    expect(go({ kind: "pixelUnshuffle", blocksize: 2, extra: 1 })).toThrow(/unknown field "extra"/);
    expect(eg.io.exportOnnx([{ kind: "depthToSpace", blocksize: 2 }], { inputShape: [4, 2, 2] })).toBeInstanceOf(Uint8Array);
  });
});
