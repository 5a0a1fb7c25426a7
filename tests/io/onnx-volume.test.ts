// ONNX export of the 3-d layers: Conv3d and ConvTranspose3d (Conv/ConvTranspose), MaxPool3d and
// AvgPool3d (MaxPool/AveragePool), the adaptive 3-d pools (global pools, or a pool whose kernel
// divides the input), BatchNorm3d and InstanceNorm3d. Drawn modules are exported and run in
// onnxruntime-web; edgegrad's forward and onnxruntime's output must both lie within the error
// bound of an independent float64 reference (tests/support/volume-reference.ts). Where ONNX
// cannot express the module, the exporter must refuse it exactly then, with a ValueError.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { batchNorm, bounded, expectWithin, type Bounded } from "../support/cnn-reference.js";
import { runOrtOutput } from "../support/onnx-runtime.js";
import { valuesFrom } from "../support/reference.js";
import { adaptivePoolNd, convNd, convTransposeNd, instanceNormNd, pooledLength, poolNd } from "../support/volume-reference.js";

const nn = eg.nn;
const RUNS = 25;
type Triple = [number, number, number];
const triple = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min, max }));

function sample(shape: number[], seed: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -3, 3);
  return eg.fromTypedArray(Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

/** Exports `m` for per-sample `shape`, runs a batch of 2 in edgegrad and onnxruntime, checks both against `reference`. */
async function expectBothWithin(m: eg.nn.Module, shape: number[], seed: number, reference: (x: Bounded) => Bounded): Promise<void> {
  const x = sample([2, ...shape], seed);
  const ref = reference(bounded(x.shape, x.data));
  const ours = eg.noGrad(() => m.eval().forward(x)) as eg.Tensor;
  expect(ours.shape).toEqual(ref.shape);
  expectWithin("edgegrad", ours.data, ref);
  const theirs = await runOrtOutput(eg.io.exportOnnx(m, { inputShape: shape }), x.data as Float32Array, x.shape);
  expect(theirs.dims).toEqual(ref.shape);
  expectWithin("onnxruntime", theirs.data, ref);
}

/** The exporter refuses `m` with a ValueError whose message matches `re`. */
function expectRefused(m: eg.nn.Module, shape: number[], re: RegExp): void {
  expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(eg.ValueError);
  expect(() => eg.io.exportOnnx(m, { inputShape: shape })).toThrow(re);
}

describe("ONNX export of Conv3d and ConvTranspose3d", () => {
  it("Conv3d is Conv with its kernel, strides, pads (\"same\" and \"valid\" resolved), dilations and group", async () => {
    const arb = fc.record({
      groups: fc.integer({ min: 1, max: 2 }), cinPer: fc.integer({ min: 1, max: 2 }), coutPer: fc.integer({ min: 1, max: 2 }),
      kernel: triple(1, 3), stride: triple(1, 2), dilation: triple(1, 2), padding: fc.oneof(fc.constant("same" as const), fc.constant("valid" as const), triple(0, 2)),
      bias: fc.boolean(), extra: triple(0, 2), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const stride: Triple = c.padding === "same" ? [1, 1, 1] : c.stride;
      const ext = c.kernel.map((k, d) => c.dilation[d] * (k - 1) + 1);
      // PyTorch's "same": the total d·(k − 1) split with the odd one at the end.
      const begin = ext.map((e, d) => (c.padding === "same" ? Math.floor((e - 1) / 2) : c.padding === "valid" ? 0 : c.padding[d]));
      const end = ext.map((e, d) => (c.padding === "same" ? e - 1 - begin[d] : begin[d]));
      const size = ext.map((e, d) => Math.max(1, e - begin[d] - end[d]) + c.extra[d]);
      const outSize = size.map((L, d) => Math.floor((L + begin[d] + end[d] - ext[d]) / stride[d]) + 1);
      const m = new nn.Conv3d(c.groups * c.cinPer, c.groups * c.coutPer, c.kernel, { stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias, seed: c.seed });
      await expectBothWithin(m, [c.groups * c.cinPer, ...size], c.seed, (x) => convNd(x, {
        weight: m.weight.data, weightShape: m.weight.shape, bias: m.bias ? m.bias.data : null, stride, padBegin: begin, dilation: c.dilation, groups: c.groups, outSize,
      }));
    }), { numRuns: RUNS });
  });

  it("ConvTranspose3d is ConvTranspose with output_padding; outputPadding ≥ stride beyond the padding is refused (onnxruntime refuses it)", async () => {
    const arb = fc.record({
      groups: fc.integer({ min: 1, max: 2 }), cinPer: fc.integer({ min: 1, max: 2 }), coutPer: fc.integer({ min: 1, max: 2 }),
      kernel: triple(1, 3), stride: triple(1, 3), dilation: triple(1, 2), padding: triple(0, 2), outputPadding: triple(0, 2),
      bias: fc.boolean(), size: triple(1, 3), seed: fc.integer({ min: 1, max: 1e6 }),
    }).map((c) => ({ ...c, outputPadding: c.outputPadding.map((o, d) => o % Math.max(c.stride[d], c.dilation[d])) as Triple }))
      .filter((c) => c.size.every((L, d) => (L - 1) * c.stride[d] - 2 * c.padding[d] + c.dilation[d] * (c.kernel[d] - 1) + c.outputPadding[d] + 1 >= 1));
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const cin = c.groups * c.cinPer, shape = [cin, ...c.size];
      const m = new nn.ConvTranspose3d(cin, c.groups * c.coutPer, c.kernel, {
        stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups, bias: c.bias, seed: c.seed,
      });
      // Output rows past the full transposed convolution: as many as the end padding absorbs become fewer end pads; the rest must stay below the stride.
      if (c.outputPadding.some((o, d) => o - Math.min(o, c.padding[d]) >= c.stride[d])) {
        expectRefused(m, shape, /ConvTranspose\): outputPadding \d+ on axis \d is not smaller than the stride/);
        return;
      }
      await expectBothWithin(m, shape, c.seed, (x) => convTransposeNd(x, {
        weight: m.weight.data, weightShape: m.weight.shape, bias: m.bias ? m.bias.data : null,
        stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups,
      }));
    }), { numRuns: RUNS });
  });
});

/**
 * Whether ONNX can express a ceil-mode pool (onnx-conv-export.ts's rule, restated from ONNX's and
 * PyTorch's window counts): where ONNX's ceil_mode count ⌈(L + 2p − ext)/s⌉ + 1 differs from
 * PyTorch's on some axis, the export runs floor mode with end pads e = (P − 1)·s + ext − L − p,
 * which runtimes refuse at e ≥ k, and which change an average's divisor (countIncludePad) at e > p.
 */
function ceilModeExpressible(size: number[], k: number[], s: number[], p: number[], dil: number[], averageIncludingPad: boolean): boolean {
  const ext = k.map((kd, d) => dil[d] * (kd - 1) + 1);
  const P = size.map((L, d) => pooledLength(L, k[d], s[d], p[d], dil[d], true));
  if (size.every((L, d) => Math.ceil((L + 2 * p[d] - ext[d]) / s[d]) + 1 === P[d])) return true;
  const e = size.map((L, d) => Math.max(0, (P[d] - 1) * s[d] + ext[d] - L - p[d]));
  return e.every((ed, d) => ed < k[d] && !(averageIncludingPad && ed > p[d]));
}

describe("ONNX export of the 3-d pools", () => {
  const windowArb = fc.record({
    kernel: triple(1, 3), stride: triple(1, 3), dilation: triple(1, 2), padRaw: triple(0, 1), ceilMode: fc.boolean(), countIncludePad: fc.boolean(),
    channels: fc.integer({ min: 1, max: 2 }), extra: triple(0, 3), seed: fc.integer({ min: 1, max: 1e6 }),
  }).map((c) => ({ ...c, padding: c.padRaw.map((r, d) => Math.min(r, Math.floor(c.kernel[d] / 2))) as Triple }));

  it("MaxPool3d is MaxPool with pads, dilations and ceil_mode (the same elements selected)", async () => {
    await fc.assert(fc.asyncProperty(windowArb, async (c) => {
      const size = c.kernel.map((k, d) => Math.max(1, c.dilation[d] * (k - 1) + 1 - 2 * c.padding[d]) + c.extra[d]);
      const m = new nn.MaxPool3d(c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode });
      // A dilated window with every tap in the padding: PyTorch's −∞, onnxruntime's −3.4e38.
      const missing = size.some((L, d) => Array.from({ length: pooledLength(L, c.kernel[d], c.stride[d], c.padding[d], c.dilation[d], c.ceilMode) }, (_, o) => o)
        .some((o) => Array.from({ length: c.kernel[d] }, (_, j) => o * c.stride[d] - c.padding[d] + j * c.dilation[d]).every((t) => t < 0 || t >= L)));
      if (missing) {
        expectRefused(m, [c.channels, ...size], /MaxPool\): window \d+ on axis \d of input .* lies entirely in the padding/);
        return;
      }
      if (c.ceilMode && !ceilModeExpressible(size, c.kernel, c.stride, c.padding, c.dilation, false)) {
        expectRefused(m, [c.channels, ...size], /MaxPool, ceilMode\) on input .* needs an end pad \d+ on axis \d, not smaller than the kernel/);
        return;
      }
      await expectBothWithin(m, [c.channels, ...size], c.seed, (x) => poolNd(x, "max", { ...c, countIncludePad: false }));
    }), { numRuns: RUNS });
  });

  it("AvgPool3d is AveragePool with count_include_pad and ceil_mode, refused where ONNX's divisor would differ", async () => {
    await fc.assert(fc.asyncProperty(windowArb, async (c) => {
      const ones: Triple = [1, 1, 1];
      const size = c.kernel.map((k, d) => Math.max(1, k - 2 * c.padding[d]) + c.extra[d]);
      const m = new nn.AvgPool3d(c.kernel, { stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad });
      if (c.ceilMode && !ceilModeExpressible(size, c.kernel, c.stride, c.padding, ones, c.countIncludePad)) {
        expectRefused(m, [c.channels, ...size], /AveragePool, ceilMode, countIncludePad\) on input .* ONNX cannot express both/);
        return;
      }
      await expectBothWithin(m, [c.channels, ...size], c.seed, (x) => poolNd(x, "avg", { ...c, dilation: ones }));
    }), { numRuns: RUNS });
  });

  it("AdaptiveAvgPool3d/AdaptiveMaxPool3d: global pools for size 1, pools of kernel = stride where the size divides the input, else refused", async () => {
    const axisArb = fc.record({ L: fc.integer({ min: 1, max: 6 }), choice: fc.constantFrom("one", "keep", "divisor", "any"), raw: fc.integer({ min: 1, max: 7 }) });
    const arb = fc.record({ max: fc.boolean(), axes: fc.tuple(axisArb, axisArb, axisArb), seed: fc.integer({ min: 1, max: 1e6 }) });
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const size = c.axes.map((a) => a.L);
      const outputSize = c.axes.map((a) => {
        if (a.choice === "one") return 1;
        if (a.choice === "keep") return null;
        const divisors = Array.from({ length: a.L }, (_, i) => i + 1).filter((q) => a.L % q === 0);
        return a.choice === "divisor" ? divisors[a.raw % divisors.length] : a.raw;
      }) as [number | null, number | null, number | null];
      const m = c.max ? new nn.AdaptiveMaxPool3d(outputSize) : new nn.AdaptiveAvgPool3d(outputSize);
      const out = outputSize.map((o, d) => o ?? size[d]);
      if (!out.every((o) => o === 1) && size.some((L, d) => L % out[d] !== 0)) {
        expectRefused(m, [2, ...size], new RegExp(`Adaptive${c.max ? "Max" : "Avg"}Pool3d\\(\\[.*\\]\\) at layer 0 on input \\[2,${size}\\]: the output size must divide`));
        return;
      }
      await expectBothWithin(m, [2, ...size], c.seed, (x) => adaptivePoolNd(x, c.max ? "max" : "avg", outputSize));
    }), { numRuns: RUNS });
  });
});

/** Running statistics and affine parameters away from their defaults, drawn from `seed`. */
function randomize(tensors: (eg.Tensor | null | undefined)[], seed: number): void {
  const v = valuesFrom(seed, 0, 1);
  let k = 0;
  const [mean, variance, weight, bias] = tensors;
  mean?.storage.forEach((_, i, a) => { a[i] = v(k++) - 0.5; });
  variance?.storage.forEach((_, i, a) => { a[i] = 0.2 + v(k++); });
  weight?.storage.forEach((_, i, a) => { a[i] = 2 * v(k++) - 1; });
  bias?.storage.forEach((_, i, a) => { a[i] = v(k++) - 0.5; });
}

describe("ONNX export of BatchNorm3d and InstanceNorm3d", () => {
  it("BatchNorm3d is BatchNormalization of its running statistics; InstanceNorm3d is InstanceNormalization, or BatchNormalization of tracked statistics", async () => {
    const arb = fc.record({
      instance: fc.boolean(), affine: fc.boolean(), track: fc.boolean(), eps: fc.constantFrom(1e-5, 1e-3, 0.1),
      channels: fc.integer({ min: 1, max: 3 }), size: triple(1, 3), seed: fc.integer({ min: 1, max: 1e6 }),
    }).filter((c) => !(c.instance && !c.track && c.size.every((L) => L === 1)));
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const o = { affine: c.affine, trackRunningStats: c.track, eps: c.eps };
      const m = c.instance ? new nn.InstanceNorm3d(c.channels, o) : new nn.BatchNorm3d(c.channels, o);
      randomize([m.runningMean, m.runningVar, m.weight, m.bias], c.seed);
      const shape = [c.channels, ...c.size];
      if (!c.instance && !c.track) {
        expectRefused(m, shape, /BatchNorm3d at index 0 has no running statistics \(trackRunningStats: false\)/);
        return;
      }
      const weight = m.weight ? m.weight.data : null, bias = m.bias ? m.bias.data : null;
      await expectBothWithin(m, shape, c.seed, (x) => (c.track
        ? batchNorm(x, m.runningMean!.data, m.runningVar!.data, weight, bias, c.eps)
        : instanceNormNd(x, weight, bias, c.eps)));
    }), { numRuns: RUNS });
  });

  it("InstanceNorm3d and BatchNorm3d refuse inputs of another rank, as their modules do", () => {
    expectRefused(new nn.BatchNorm3d(2), [2, 3, 4], /layer 0 \(BatchNormalization\) takes a 5-d input, gets \[batch, 2,3,4\]/);
    expectRefused(new nn.InstanceNorm3d(2), [2, 3, 4], /layer 0 \(InstanceNormalization\) needs a per-sample input of 4 dims with 2 channels/);
    expectRefused(new nn.InstanceNorm3d(2, { trackRunningStats: true }), [2, 3, 4], /BatchNormalization\) takes a 5-d input/);
  });
});
