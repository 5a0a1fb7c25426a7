// fractionalMaxPool2d/3d and their modules against a reference written here: the window starts
// ⌊(i + u)·α⌋ − ⌊u·α⌋ (α = (in − k)/(out − 1), the last in − k) in the input's precision, each
// window's first largest value (or last NaN), over shapes, kernels, output sizes and samples drawn
// by fast-check; values and indices exact, the gradient scattered to the indices; seeded draws;
// the modules' "_random_samples" buffer; the typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";

const F = nn.functional;
type FloatDType = "float32" | "float64";
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

function windowStarts(u: number, n: number, out: number, k: number, dtype: FloatDType): number[] {
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  if (out === 0) return [];
  const alpha = out > 1 ? r((n - k) / (out - 1)) : 0;
  return Array.from({ length: out }, (_, i) => (i === out - 1 ? n - k : Math.floor(r(r(i + u) * alpha)) - Math.floor(r(u * alpha))));
}

/** Values and flat per-plane indices; u[plane][axis] with the 2-d planes' samples in [W, H] order. */
function reference(x: Tensor, dims: number, k: number[], out: number[], u: ArrayLike<number>) {
  const sizes = x.shape.slice(-dims), plane = prod(sizes), planes = x.size / plane, outPlane = prod(out), xd = x.data;
  const values: number[] = [], indices: number[] = [];
  for (let c = 0; c < planes; c++) {
    const starts = sizes.map((n, a) => windowStarts(u[c * dims + (dims === 2 ? 1 - a : a)], n, out[a], k[a], x.dtype as FloatDType));
    for (let o = 0; o < outPlane; o++) {
      const pos = out.map((_, a) => Math.floor(o / prod(out.slice(a + 1))) % out[a]);
      let best = -Infinity, at = -1;
      for (let t = 0; t < prod(k); t++) {
        const tap = k.map((_, a) => Math.floor(t / prod(k.slice(a + 1))) % k[a]);
        const idx = tap.reduce((s, d, a) => s * sizes[a] + starts[a][pos[a]] + d, 0), v = xd[c * plane + idx];
        if (at < 0 || v > best || Number.isNaN(v)) { best = v; at = idx; }
      }
      values.push(best);
      indices.push(at);
    }
  }
  return { values, indices };
}

const problemArb = fc.record({
  dims: fc.constantFrom(2, 3), batched: fc.boolean(), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
  axes: fc.array(fc.record({ n: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 3 }), out: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 3, maxLength: 3 }),
  dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(10000),
  u: fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 18, maxLength: 18 }),
}).filter(({ axes }) => axes.every((a) => a.k <= a.n));

describe("fractionalMaxPool2d / fractionalMaxPool3d with given samples", () => {
  it("PyTorch's window sequence and first maximum, values and indices exact, 2-d and 3-d", () => {
    fc.assert(fc.property(problemArb, ({ dims, batched, N, C, axes, dtype, seed, u }) => {
      const ax = axes.slice(0, dims), sizes = ax.map((a) => a.n), k = ax.map((a) => a.k);
      // Any output size from 0 to the largest the kernel allows, in − k + 1.
      const out = ax.map((a) => Math.min(a.n - a.k + 1, Math.floor(a.out * (a.n - a.k + 2))));
      const shape = batched ? [N, C, ...sizes] : [C, ...sizes], n = batched ? N : 1;
      const x = sampleTensor(shape, seed, dtype), samples = fromTypedArray(Float64Array.from(u.slice(0, n * C * dims)), [n, C, dims]).astype(dtype);
      const pool = dims === 2 ? F.fractionalMaxPool2d : F.fractionalMaxPool3d;
      const [y, idx] = pool(x, k, { outputSize: out, randomSamples: samples, returnIndices: true });
      const want = reference(x, dims, k, out, samples.data);
      expect(y.shape).toEqual([...shape.slice(0, -dims), ...out]);
      expect(idx.dtype).toBe("int32");
      expect(list(idx)).toEqual(want.indices);
      expect(list(y)).toEqual(want.values);
    }), { numRuns: 300 });
  });

  it("the gradient adds the output gradient at each index (repeated indices summed)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      // Overlapping windows (k 3 over 7 → 4 outputs) pick the same maximum more than once.
      const x = sampleTensor([2, 2, 7, 6], 5, dtype), samples = fromTypedArray(Float64Array.of(0.3, 0.7, 0.1, 0.9, 0.5, 0.25, 0.8, 0.05), [2, 2, 2]).astype(dtype);
      x.requiresGrad = true;
      const [y, idx] = F.fractionalMaxPool2d(x, 3, { outputSize: [4, 3], randomSamples: samples, returnIndices: true });
      const cot = sampleTensor(y.shape.slice(), 6, dtype);
      y.mul(cot).sum().backward();
      const want = new Float64Array(x.size);
      for (let i = 0; i < y.size; i++) want[Math.floor(i / 12) * 42 + idx.data[i]] += cot.data[i];
      expectWithin(x.grad!.data, want, (i) => unitOf(dtype) * Math.abs(want[i]), `gradient ${dtype}`);
    }
    const x = sampleTensor([1, 2, 6, 5, 4], 8, "float64"), samples = fromTypedArray(Float64Array.of(0.2, 0.6, 0.4, 0.9, 0.1, 0.35), [1, 2, 3]);
    x.requiresGrad = true;
    expect(findGradMismatches(() => F.fractionalMaxPool3d(x, 2, { outputSize: [3, 3, 2], randomSamples: samples }).pow(2).sum(), [x])).toEqual([]);
  });

  it("ties keep the first maximum, a NaN wins (the last one), -∞ windows point at their first tap", () => {
    const x = fromTypedArray(Float32Array.of(1, 5, 5, 0, NaN, 2, NaN, 1, -Infinity, -Infinity, -Infinity, -Infinity), [1, 3, 2, 2]);
    const [y, idx] = F.fractionalMaxPool2d(x, 2, { outputSize: 1, randomSamples: zeros([1, 3, 2]), returnIndices: true });
    expect(list(idx)).toEqual([1, 2, 0]);
    expect(list(y).map(String)).toEqual(["5", "NaN", "-Infinity"]);
  });

  it("outputRatio gives ⌊in·ratio⌋ per dim", () => {
    const x = sampleTensor([2, 10, 9], 1);
    expect(F.fractionalMaxPool2d(x, 2, { outputRatio: [0.5, 0.7], seed: 1 }).shape).toEqual([2, 5, 6]);
    expect(F.fractionalMaxPool3d(sampleTensor([1, 7, 6, 9], 2), [2, 3, 2], { outputRatio: 0.5, seed: 1 }).shape).toEqual([1, 3, 3, 4]);
  });
});

describe("drawn samples and the modules", () => {
  it("a seed draws the same samples every time; each output is the maximum of a window of the input", () => {
    const x = sampleTensor([2, 3, 11, 10], 4);
    const [a, ia] = F.fractionalMaxPool2d(x, 2, { outputSize: [5, 4], seed: 9, returnIndices: true });
    const [b, ib] = F.fractionalMaxPool2d(x, 2, { outputSize: [5, 4], seed: 9, returnIndices: true });
    expect(list(b)).toEqual(list(a));
    expect(list(ib)).toEqual(list(ia));
    const xd = x.data;
    list(ia).forEach((at, i) => expect(a.data[i]).toBe(xd[Math.floor(i / 20) * 110 + at]));
    // Six planes of two samples each: other seeds pick other windows somewhere (equal for all
    // twelve samples' sequences has negligible probability).
    expect([1, 2, 3].some((s) => list(F.fractionalMaxPool2d(x, 2, { outputSize: [5, 4], seed: s })).join() !== list(a).join())).toBe(true);
  });

  it("FractionalMaxPool2d/3d: the function with the module's options; _random_samples is a buffer when given", () => {
    const x = sampleTensor([1, 2, 8, 9], 3), samples = fromTypedArray(Float32Array.of(0.1, 0.2, 0.3, 0.4), [1, 2, 2]);
    const m = new nn.FractionalMaxPool2d(2, { outputSize: [4, 4], randomSamples: samples, returnIndices: true });
    expect(Object.keys(m.stateDict())).toEqual(["_random_samples"]);
    const [y, idx] = m.forward(x);
    const [fy, fidx] = F.fractionalMaxPool2d(x, 2, { outputSize: [4, 4], randomSamples: samples, returnIndices: true });
    expect([list(y), list(idx)]).toEqual([list(fy), list(fidx)]);
    m.loadStateDict({ _random_samples: fromTypedArray(Float32Array.of(0.9, 0.8, 0.7, 0.6), [1, 2, 2]) });
    expect(list(m.forward(x)[1])).toEqual(list(F.fractionalMaxPool2d(x, 2, { outputSize: [4, 4], randomSamples: m.stateDict()._random_samples, returnIndices: true })[1]));
    const seeded = new nn.FractionalMaxPool3d([2, 1, 2], { outputRatio: 0.5, seed: 5 });
    expect(Object.keys(seeded.stateDict())).toEqual([]);
    const v = sampleTensor([2, 6, 4, 6], 7);
    expect(list(seeded.forward(v))).toEqual(list(F.fractionalMaxPool3d(v, [2, 1, 2], { outputRatio: 0.5, seed: 5 })));
    expect([seeded.kernelSize, seeded.outputRatio, seeded.outputSize]).toEqual([[2, 1, 2], [0.5, 0.5, 0.5], null]);
  });

  it("refuses missing or doubled sizes, large kernels, bad samples, seeds with samples, ranks and options", () => {
    const x = sampleTensor([1, 2, 7, 9], 1), u = zeros([1, 2, 2]);
    expect(() => F.fractionalMaxPool2d(x, 2, {})).toThrow(/exactly one of outputSize and outputRatio/);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputSize: 3, outputRatio: 0.5 })).toThrow(ValueError);
    expect(() => F.fractionalMaxPool2d(x, 3, { outputSize: [6, 4], randomSamples: u })).toThrow(/kernel 3 is too large for output size 6 from input size 7/);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputSize: 3, randomSamples: zeros([2, 2, 2]) })).toThrow(/randomSamples must have shape \[1,2,2\]/);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputSize: 3, randomSamples: zeros([1, 2, 2], { dtype: "float64" }) })).toThrow(DTypeError);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputSize: 3, randomSamples: u.add(1) })).toThrow(/must lie in \[0, 1\), got 1 at flat index 0/);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputSize: 3, randomSamples: u, seed: 1 })).toThrow(/randomSamples or seed\/rng, not both/);
    expect(() => F.fractionalMaxPool2d(sampleTensor([7, 9], 1), 2, { outputSize: 3 })).toThrow(ShapeError);
    expect(() => F.fractionalMaxPool2d(zeros([1, 0, 4, 4]), 2, { outputSize: 2 })).toThrow(/empty non-batch dim/);
    expect(() => F.fractionalMaxPool2d(x.astype("int32"), 2, { outputSize: 3 })).toThrow(DTypeError);
    expect(() => F.fractionalMaxPool2d(x, 2, { outputRatio: -0.5 })).toThrow(ValueError);
    expect(() => F.fractionalMaxPool2d(x, 2, { output_size: 3 } as object)).toThrow(/unknown option "output_size"/);
    expect(() => new nn.FractionalMaxPool2d(2, { outputRatio: 1 })).toThrow(/in \(0, 1\)/);
    expect(() => new nn.FractionalMaxPool3d(2, {})).toThrow(ValueError);
    expect(() => new nn.FractionalMaxPool2d(2, { outputSize: 2, randomSamples: u, rng: undefined, seed: 3 })).toThrow(ValueError);
  });
});
