// rrelu / RReLU, dropout3d / Dropout3d and maxUnpool3d / MaxUnpool3d: values against float64
// references written here over shapes drawn by fast-check (the random ones replayed from a
// generator of the same seed), exact equality for the unpooling's data movement, statistics of the
// draws with bounds derived from their distributions, gradients by central differences or exactly,
// and the typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, full, manualSeed, nn, Rng, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;
type FloatDType = "float32" | "float64";
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const leaf = (x: Tensor): Tensor => { const t = new Tensor(x.data.slice(), x.dtype, x.shape.slice()); t.requiresGrad = true; return t; };
/**
 * A slope or scale rounded to the dtype, then the product rounded: two roundings of the dtype; a
 * subnormal slope's absolute error (≤ η/2) times |x| ≤ 3 adds up to 2η more.
 */
const twoRoundings = (dtype: FloatDType, want: ArrayLike<number>) => (i: number) => 2 * unitOf(dtype) * Math.abs(want[i]) + 3 * ETA32;

describe("rrelu", () => {
  const boundsArb = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, w]) => [a, a + w]);

  it("eval mode (the default) is a leaky ReLU of slope (lower + upper)/2", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), boundsArb, fc.constantFrom<FloatDType>("float32", "float64"), fc.nat(1000),
      (shape, [lower, upper], dtype, seed) => {
        const x = sampleTensor(shape, seed, dtype), xd = x.data;
        const want = Array.from(xd, (v) => (v > 0 ? v : (v * (lower + upper)) / 2));
        expectWithin(F.rrelu(x, { lower, upper }).data, want, twoRoundings(dtype, want), "rrelu eval");
        const byDefault = Array.from(xd, (v) => (v > 0 ? v : (v * (1 / 8 + 1 / 3)) / 2));
        expectWithin(F.rrelu(x).data, byDefault, twoRoundings(dtype, byDefault), "rrelu defaults");
      }), { numRuns: 100 });
  });

  it("training draws lower + (upper − lower)·u for each x ≤ 0 in order, none for x > 0; the gradient is the slope", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), boundsArb, fc.nat(1000), (shape, [lower, upper], seed) => {
      const x = leaf(sampleTensor(shape, seed, "float64"));
      x.data[0] = 0; // 0 draws, as PyTorch's x ≤ 0
      const y = F.rrelu(x, { lower, upper, training: true, seed });
      const replay = new Rng(seed), slopes = Array.from(x.data, (v) => (v <= 0 ? lower + (upper - lower) * replay.uniform() : 1));
      expect(list(y)).toEqual(Array.from(x.data, (v, i) => v * slopes[i]));
      y.sum().backward();
      expect(list(x.grad!)).toEqual(slopes);
    }), { numRuns: 100 });
  });

  it("the drawn slopes are uniform on [lower, upper] (mean, variance, median within 5 standard errors)", () => {
    const n = 40000, lower = 0.1, upper = 0.4;
    const slopes = list(F.rrelu(full([n], -1, { dtype: "float64" }), { lower, upper, training: true, seed: 3 })).map((v) => -v);
    expect(slopes.every((s) => s >= lower && s <= upper)).toBe(true);
    const w = upper - lower, mean = slopes.reduce((a, b) => a + b, 0) / n;
    const variance = slopes.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1);
    // U(l, u): σ² = w²/12, fourth central moment w⁴/80, so sd(s²) ≈ w²·√((1/80 − 1/144)/n).
    expect(Math.abs(mean - (lower + upper) / 2)).toBeLessThan((5 * w) / Math.sqrt(12 * n));
    expect(Math.abs(variance - w * w / 12)).toBeLessThan(5 * w * w * Math.sqrt((1 / 80 - 1 / 144) / n));
    const below = slopes.filter((s) => s < (lower + upper) / 2).length / n;
    expect(Math.abs(below - 0.5)).toBeLessThan(5 * 0.5 / Math.sqrt(n));
  });

  it("eval gradient by central differences", () => {
    const x = fromTypedArray(Float64Array.of(-1.5, -0.3, 0.4, 2, -0.01, 0.7), [2, 3], { requiresGrad: true });
    assertGradByDifferences((a) => F.rrelu(a, { lower: 0.2, upper: 0.5 }), [x], "rrelu eval");
  });

  it("RReLU: seeded draws in training, the mean slope in eval mode, the global generator when unseeded", () => {
    const x = sampleTensor([4, 5], 2);
    const m = new nn.RReLU({ lower: 0.05, upper: 0.25, seed: 4 });
    expect(list(m.forward(x))).toEqual(list(F.rrelu(x, { lower: 0.05, upper: 0.25, training: true, seed: 4 })));
    m.eval();
    expect(list(m.forward(x))).toEqual(list(F.rrelu(x, { lower: 0.05, upper: 0.25 })));
    const free = new nn.RReLU();
    manualSeed(7);
    const a = free.forward(x);
    manualSeed(7);
    expect(list(a)).toEqual(list(F.rrelu(x, { training: true })));
    expect([free.lower, free.upper]).toEqual([1 / 8, 1 / 3]);
    expect(Object.keys(free.stateDict())).toEqual([]);
  });

  it("refuses bad bounds, inputs and options", () => {
    const x = sampleTensor([3], 1);
    expect(() => F.rrelu(x, { lower: 0.5, upper: 0.1 })).toThrow(/lower \(0.5\) must be at most upper \(0.1\)/);
    expect(() => F.rrelu(x, { lower: NaN })).toThrow(ValueError);
    expect(() => F.rrelu(x, { seed: 1 })).toThrow(/training only/);
    expect(() => F.rrelu(x, { training: 1 as unknown as boolean })).toThrow(ValueError);
    expect(() => F.rrelu(zeros([3], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => F.rrelu(x, { inplace: true } as object)).toThrow(/unknown option "inplace"/);
    expect(() => new nn.RReLU({ lower: 1, upper: 0 })).toThrow(ValueError);
    expect(() => new nn.RReLU({ training: true } as object)).toThrow(ValueError);
    expect(() => new nn.RReLU().forward([1] as unknown as Tensor)).toThrow(ValueError);
  });
});

describe("dropout3d", () => {
  const arb = fc.record({
    batched: fc.boolean(), N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }),
    spatial: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), p: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(10000),
  });

  it("zeroes whole channel volumes drawn in order (kept when u ≥ p), scales the rest by 1/(1−p); its gradient the same mask", () => {
    fc.assert(fc.property(arb, ({ batched, N, C, spatial, p, dtype, seed }) => {
      const shape = batched ? [N, C, ...spatial] : [C, ...spatial], x = leaf(sampleTensor(shape, seed, dtype));
      const y = F.dropout3d(x, p, { seed });
      const replay = new Rng(seed), S = prod(spatial), channels = batched ? N * C : C;
      const factor = Array.from({ length: channels }, () => (replay.uniform() >= p ? 1 / (1 - p) : 0));
      const want = Array.from(x.data, (v, i) => v * factor[Math.floor(i / S)]);
      expect(y.shape).toEqual(shape);
      expectWithin(y.data, want, twoRoundings(dtype, want), "dropout3d");
      y.sum().backward();
      const gradWant = want.map((_, i) => factor[Math.floor(i / S)]);
      expectWithin(x.grad!.data, gradWant, twoRoundings(dtype, gradWant), "dropout3d gradient");
    }), { numRuns: 150 });
  });

  it("drops a fraction p of the channels (within 5 standard errors)", () => {
    const y = F.dropout3d(full([100, 50, 1, 2, 1], 1), 0.3, { seed: 11 }), d = y.data;
    let dropped = 0;
    for (let c = 0; c < 5000; c++) if (d[2 * c] === 0) { dropped++; expect(d[2 * c + 1]).toBe(0); }
    expect(Math.abs(dropped / 5000 - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / 5000));
  });

  it("p = 0 and eval mode are the identity, p = 1 zeroes everything without drawing", () => {
    const x = sampleTensor([2, 3, 2, 2, 2], 4);
    expect(F.dropout3d(x, 0)).toBe(x);
    expect(F.dropout3d(x, 0.5, { training: false })).toBe(x);
    expect(list(F.dropout3d(x, 1)).every((v) => v === 0)).toBe(true);
    const m = new nn.Dropout3d(0.4, { seed: 2 });
    expect(list(m.forward(x))).toEqual(list(F.dropout3d(x, 0.4, { seed: 2 })));
    m.eval();
    expect(m.forward(x)).toBe(x);
    const free = new nn.Dropout3d();
    manualSeed(3);
    const a = free.forward(x);
    manualSeed(3);
    expect(list(a)).toEqual(list(F.dropout3d(x)));
    expect(Object.keys(free.stateDict())).toEqual([]);
  });

  it("refuses other ranks (in eval mode too), integer inputs, bad p and options", () => {
    expect(() => F.dropout3d(zeros([2, 3, 4]))).toThrow(/4-d \[C, D, H, W\] or 5-d \[N, C, D, H, W\] input, got shape \[2,3,4\]/);
    expect(() => F.dropout3d(zeros([2, 3, 4]), 0.5, { training: false })).toThrow(ShapeError);
    expect(() => new nn.Dropout3d().eval().forward(zeros([1, 2, 3, 4, 5, 6]))).toThrow(ShapeError);
    expect(() => F.dropout3d(zeros([1, 2, 2, 2], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => F.dropout3d(zeros([1, 2, 2, 2]), 1.5)).toThrow(ValueError);
    expect(() => new nn.Dropout3d(-0.1)).toThrow(ValueError);
    expect(() => F.dropout3d(zeros([1, 2, 2, 2]), 0.5, { inplace: true } as object)).toThrow(/unknown option "inplace"/);
  });
});

describe("maxUnpool3d", () => {
  const arb = fc.record({
    batched: fc.boolean(), lead: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 2 }),
    axes: fc.array(fc.record({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }), extra: fc.integer({ min: 0, max: 3 }) }), { minLength: 3, maxLength: 3 }),
    seed: fc.nat(10000),
  }).filter(({ axes }) => axes.every((a) => 2 * a.p < a.k));

  it("writes each value at its pool's flat D·H·W index in zeros; the gradient gathers back (exact)", () => {
    fc.assert(fc.property(arb, ({ batched, lead, axes, seed }) => {
      const spatial = axes.map((a) => a.k + a.extra), shape = batched ? [...lead, ...spatial] : [lead[0], ...spatial];
      const opts = { stride: axes.map((a) => a.s), padding: axes.map((a) => a.p) }, kernel = axes.map((a) => a.k);
      const [pooled, idx] = F.maxPool3d(sampleTensor(shape, seed, "float64"), kernel, { ...opts, returnIndices: true });
      // The default size, (n − 1)·s − 2p + k, misses the pool's input size when the stride left a
      // remainder: then outputSize gives it back (the indices may point into the remainder).
      const byDefault = pooled.shape.slice(-3).map((n, i) => (n - 1) * opts.stride[i] - 2 * opts.padding[i] + kernel[i]);
      const outSpatial = spatial, same = byDefault.every((n, i) => n === spatial[i]);
      const y = leaf(pooled), out = F.maxUnpool3d(y, idx, kernel, same ? opts : { ...opts, outputSize: spatial });
      expect(out.shape).toEqual([...pooled.shape.slice(0, -3), ...outSpatial]);
      const planes = prod(pooled.shape.slice(0, -3)), inPlane = prod(pooled.shape.slice(-3)), outPlane = prod(outSpatial);
      const want = new Float64Array(planes * outPlane), cot = sampleTensor(out.shape.slice(), seed + 1, "float64"), gradWant = new Float64Array(y.size);
      for (let i = 0; i < y.size; i++) want[Math.floor(i / inPlane) * outPlane + idx.data[i]] = y.data[i];
      for (let i = 0; i < y.size; i++) gradWant[i] = cot.data[Math.floor(i / inPlane) * outPlane + idx.data[i]];
      expect(list(out)).toEqual(Array.from(want));
      out.mul(cot).sum().backward();
      expect(list(y.grad!)).toEqual(Array.from(gradWant));
    }), { numRuns: 150 });
  });

  it("outputSize restores a size the default misses; MaxUnpool3d is the function", () => {
    const x = sampleTensor([1, 2, 5, 4, 5], 3);
    const [y, idx] = F.maxPool3d(x, 2, { returnIndices: true });
    const out = F.maxUnpool3d(y, idx, 2, { outputSize: [5, 4, 5] });
    expect(out.shape).toEqual([1, 2, 5, 4, 5]);
    expect(list(out).filter((v) => v !== 0).sort()).toEqual(list(y).sort());
    const m = new nn.MaxUnpool3d(2);
    expect(list(m.forward(y, idx, [1, 2, 5, 4, 5]))).toEqual(list(out));
    expect([m.kernelSize, m.stride, m.padding]).toEqual([[2, 2, 2], [2, 2, 2], [0, 0, 0]]);
  });

  it("refuses bad indices, shapes and options", () => {
    const y = sampleTensor([1, 1, 2, 2, 2], 1), idx = zeros([1, 1, 2, 2, 2], { dtype: "int32" });
    expect(() => F.maxUnpool3d(y, idx.add(64).astype("int32"), 2)).toThrow(/index 64 at position 0 of indices is outside the output plane of 64 elements/);
    expect(() => F.maxUnpool3d(y, idx.astype("float32"), 2)).toThrow(DTypeError);
    expect(() => F.maxUnpool3d(y, zeros([1, 1, 2, 2, 1], { dtype: "int32" }), 2)).toThrow(ShapeError);
    expect(() => F.maxUnpool3d(sampleTensor([2, 2, 2], 1), zeros([2, 2, 2], { dtype: "int32" }), 2)).toThrow(/expected a 4-d or 5-d input/);
    expect(() => F.maxUnpool3d(y, idx, 2, { outputSize: [9, 4, 4] })).toThrow(ShapeError);
    expect(() => new nn.MaxUnpool3d([2, 2])).toThrow(ValueError);
    expect(() => new nn.MaxUnpool3d(2, { outputSize: [4, 4, 4] } as object)).toThrow(/unknown option "outputSize"/);
  });
});
