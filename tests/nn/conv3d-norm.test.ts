// BatchNorm3d and InstanceNorm3d against a float64 reference written here (per-channel or
// per-instance mean and biased variance over D·H·W, running statistics with the unbiased one),
// over shapes and options drawn by fast-check; gradients by finite differences; state-dict keys;
// updateBn over a BatchNorm3d; the rank refusals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { io, nn, optim, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { isRegisteredLayer } from "../../src/nn/layer-registry.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";
import { makeTensor, valuesFrom } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";

/** Mean, biased and unbiased variance of every group of `x` (float64), groups picked by groupOf(flat index). */
function stats(x: ArrayLike<number>, groups: number, groupOf: (i: number) => number) {
  const n = new Float64Array(groups), s = new Float64Array(groups), ss = new Float64Array(groups);
  for (let i = 0; i < x.length; i++) { const g = groupOf(i); n[g]++; s[g] += x[i]; }
  const mean = Array.from(s, (v, g) => v / n[g]);
  for (let i = 0; i < x.length; i++) { const g = groupOf(i); ss[g] += (x[i] - mean[g]) ** 2; }
  return { mean, biased: Array.from(ss, (v, g) => v / n[g]), unbiased: Array.from(ss, (v, g) => v / (n[g] - 1)) };
}

/** (x − mean)/√(var + eps)·w + b per group, with a bound of a few dozen roundings of its magnitude (float32). */
function expectNormalized(y: Tensor, x: ArrayLike<number>, st: ReturnType<typeof stats>, groupOf: (i: number) => number, channelOf: (i: number) => number,
                          eps: number, w: ArrayLike<number> | null, b: ArrayLike<number> | null, count: number): void {
  const data = y.data;
  for (let i = 0; i < x.length; i++) {
    const g = groupOf(i), c = channelOf(i), z = (x[i] - st.mean[g]) / Math.sqrt(st.biased[g] + eps);
    const want = z * (w ? w[c] : 1) + (b ? b[c] : 0), mag = (Math.abs(z) + 1) * (w ? Math.abs(w[c]) : 1) + (b ? Math.abs(b[c]) : 0);
    const tol = (y.dtype === "float64" ? 2 ** -29 : 1) * gamma(2 * count + 16) * mag;
    if (!(Math.abs(data[i] - want) <= tol)) throw new Error(`y[${i}] = ${data[i]}, expected ${want} ± ${tol}`);
  }
}

const shapeArb = fc.record({
  N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 3 }),
  dhw: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
  momentum: fc.double({ min: 0.05, max: 0.9, noNaN: true }), eps: fc.constantFrom(1e-5, 1e-3), affine: fc.boolean(),
  dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(1000),
  layout: fc.record({ transposeLast: fc.boolean(), padLast: fc.nat(2), offset: fc.nat(3) }),
});

describe("BatchNorm3d", () => {
  it("normalizes each channel over N·D·H·W in training and moves the running statistics; eval uses them", () => {
    fc.assert(fc.property(shapeArb, ({ N, C, dhw, momentum, eps, affine, dtype, seed, layout }) => {
      const S = dhw[0] * dhw[1] * dhw[2];
      fc.pre(N * S > 1);
      const m = new nn.BatchNorm3d(C, { momentum, eps, affine, dtype });
      if (affine) {
        m.weight!.storage.set(Array.from({ length: C }, (_, c) => 0.5 + c));
        m.bias!.storage.set(Array.from({ length: C }, (_, c) => c - 1));
      }
      const x = makeTensor([N, C, ...dhw], valuesFrom(seed, -2, 3), layout, dtype), xd = x.data;
      const channelOf = (i: number) => Math.floor(i / S) % C, st = stats(xd, C, channelOf);
      const w = m.weight ? m.weight.data : null, b = m.bias ? m.bias.data : null;
      expectNormalized(m.forward(x), xd, st, channelOf, channelOf, eps, w, b, N * S);
      const rm = Array.from(m.runningMean!.data), rv = Array.from(m.runningVar!.data);
      rm.forEach((v, c) => expect(Math.abs(v - momentum * st.mean[c])).toBeLessThanOrEqual(gamma(N * S + 4) * (Math.abs(momentum * st.mean[c]) + 3)));
      rv.forEach((v, c) => expect(Math.abs(v - ((1 - momentum) + momentum * st.unbiased[c]))).toBeLessThanOrEqual(gamma(2 * N * S + 8) * (1 + 9 * momentum)));
      expect(Array.from(m.numBatchesTracked!.data)).toEqual([1]);
      m.eval();
      const running = { mean: rm, biased: rv, unbiased: rv };
      expectNormalized(m.forward(x), xd, running, channelOf, channelOf, eps, w, b, 4);
    }), { numRuns: 60 });
  });

  it("has PyTorch's state-dict keys and the gradients of input, weight and bias", () => {
    const m = new nn.BatchNorm3d(3, { dtype: "float64" });
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const x = gradLeaf([2, 3, 2, 3, 2], 1, (r) => r.uniform() * 4 - 2);
    m.weight!.storage.set([0.5, 1.5, -1]);
    noMismatch(findGradMismatches(() => project(m.forward(x), 3), [x, m.weight!, m.bias!]));
  });

  it("refuses inputs that are not 5-d and channels that differ, naming the shape; updateBn recomputes its statistics", () => {
    const m = new nn.BatchNorm3d(2);
    expect(() => m.forward(zeros([2, 2, 3, 3]))).toThrow(/BatchNorm3d: expected a 5-d input, got shape \[2,2,3,3\]/);
    expect(() => m.forward(zeros([2, 3, 2, 2, 2]))).toThrow(/expected 2 channels \(dim 1\), got input of shape \[2,3,2,2,2\]/);
    expect(() => m.forward(zeros([1, 2, 1, 1, 1]))).toThrow(ValueError);
    expect(() => new nn.BatchNorm3d(2, { momentun: 0.1 } as never)).toThrow(/unknown option "momentun"/);
    expect(Array.from(m.numBatchesTracked!.data)).toEqual([0]);
    // updateBn: one pass as a cumulative average, so over one batch the running mean is its mean.
    const model = new nn.Sequential(new nn.BatchNorm3d(2, { dtype: "float64" }));
    const x = makeTensor([4, 2, 2, 2, 3], valuesFrom(7, -1, 2), { transposeLast: false, padLast: 0, offset: 0 }, "float64");
    optim.swa.updateBn([x], model);
    const st = stats(x.data, 2, (i) => Math.floor(i / 12) % 2), bn = model.children()[0] as nn.BatchNorm3d;
    Array.from(bn.runningMean!.data).forEach((v, c) => expect(v).toBeCloseTo(st.mean[c], 12));
    Array.from(bn.runningVar!.data).forEach((v, c) => expect(v).toBeCloseTo(st.unbiased[c], 12));
    expect(isRegisteredLayer(bn, "BatchNorm3d")).toBe(true);
    expect(isRegisteredLayer(bn, "BatchNorm2d")).toBe(false);
    expect(io.describeSequential(model).map((l) => l.kind)).toEqual(["batchNormalization"]);
  });
});

describe("InstanceNorm3d", () => {
  it("normalizes each instance over D·H·W, batched or unbatched, and tracks running statistics when asked", () => {
    fc.assert(fc.property(shapeArb, fc.boolean(), fc.boolean(), ({ N, C, dhw, momentum, eps, affine, dtype, seed, layout }, track, unbatched) => {
      const S = dhw[0] * dhw[1] * dhw[2];
      fc.pre(S > 1);
      const m = new nn.InstanceNorm3d(C, { momentum, eps, affine, trackRunningStats: track, dtype });
      if (affine) m.weight!.storage.set(Array.from({ length: C }, (_, c) => 1.5 - c));
      const n = unbatched ? 1 : N;
      const x = makeTensor([...(unbatched ? [] : [N]), C, ...dhw], valuesFrom(seed, -2, 3), layout, dtype), xd = x.data;
      const groupOf = (i: number) => Math.floor(i / S), channelOf = (i: number) => groupOf(i) % C, st = stats(xd, n * C, groupOf);
      const y = m.forward(x);
      expect(y.shape).toEqual(x.shape);
      expectNormalized(y, xd, st, groupOf, channelOf, eps, m.weight ? m.weight.data : null, m.bias ? m.bias.data : null, S);
      if (!track) { expect(m.runningMean).toBeNull(); return; }
      // The running statistics move toward the batch average of the instances' statistics.
      for (let c = 0; c < C; c++) {
        let mean = 0, variance = 0;
        for (let k = 0; k < n; k++) { mean += st.mean[k * C + c] / n; variance += st.unbiased[k * C + c] / n; }
        expect(Math.abs(m.runningMean!.data[c] - momentum * mean)).toBeLessThanOrEqual(gamma(S + 2 * n + 4) * (momentum * 3 + 1e-30));
        expect(Math.abs(m.runningVar!.data[c] - (1 - momentum + momentum * variance))).toBeLessThanOrEqual(gamma(2 * S + 2 * n + 8) * (1 + 9 * momentum));
      }
    }), { numRuns: 60 });
  });

  it("has PyTorch's defaults and keys, and the gradients of input, weight and bias", () => {
    const plain = new nn.InstanceNorm3d(3);
    expect([plain.affine, plain.trackRunningStats, Object.keys(plain.stateDict())]).toEqual([false, false, []]);
    const m = new nn.InstanceNorm3d(2, { affine: true, trackRunningStats: true, dtype: "float64" });
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const x = gradLeaf([2, 2, 2, 2, 3], 4, (r) => r.uniform() * 4 - 2);
    m.weight!.storage.set([0.7, -1.2]);
    noMismatch(findGradMismatches(() => project(m.forward(x), 5), [x, m.weight!, m.bias!]));
  });

  it("refuses other ranks and channel counts, naming the shape", () => {
    const m = new nn.InstanceNorm3d(2);
    expect(() => m.forward(zeros([2, 3, 3]))).toThrow(/InstanceNorm3d: expected a 4-d \(unbatched\) or 5-d input, got shape \[2,3,3\]/);
    expect(() => m.forward(zeros([1, 3, 2, 2, 2]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([3, 2, 2, 2]))).toThrow(/expected 2 channels \(dim 0\), got input of shape \[3,2,2,2\]/);
    expect(() => m.forward(zeros([1, 2, 1, 1, 1]))).toThrow(/more than 1 spatial element/);
    expect(isRegisteredLayer(m, "InstanceNorm3d")).toBe(true);
    expect(isRegisteredLayer(m, "InstanceNorm2d")).toBe(false);
  });
});
