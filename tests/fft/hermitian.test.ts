// eg.fft.hfft / ihfft / hfft2 / ihfft2 / hfftn / ihfftn against the defining O(n²) sums in float64
// (tests/fft/dft-reference.ts): hfft is the forward DFT of the Hermitian extension of its input
// (real output, unscaled under "backward"), ihfft the first half of the inverse DFT of a real
// input (1/n under "backward"). fast-check draws shapes, n or s, dims, norms and dtypes; round
// trips; gradients by central differences; every refusal.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";
import { alongDim, complexPasses, fftErrorBound, hermitianToReal, realToHalf, scaleOf, type Flat, type Norm } from "./dft-reference.js";

const F = eg.fft;
type FloatDType = "float32" | "float64";
const list = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);
const sumAbs = (xs: ArrayLike<number>) => { let s = 0; for (let i = 0; i < xs.length; i++) s += Math.abs(xs[i]); return s; };
const lengthArb = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 16, 17, 31, 64), fc.integer({ min: 1, max: 40 }));
const normArb = fc.constantFrom<Norm>(undefined, "backward", "forward", "ortho");
const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");

/**
 * Each element within its dtype's rounding of itself, one more per pass of the intermediates
 * (reaching the output at most as the scaled Σ|x|, doubled for a half spectrum read as a whole
 * one), and the float64 FFTs' error over the size.
 */
function expectSums(got: eg.Tensor, want: Flat, complexOut: boolean, passes: number, size: number, reach: number, what: string): void {
  expect(got.shape).toEqual(complexOut ? [...want.shape, 2] : want.shape);
  const u = unitOf(got.dtype), bound = passes * u * reach + fftErrorBound(size, reach, 1) + ETA32;
  expectWithin(list(got), want.data, (i) => u * Math.abs(want.data[i]) + bound, what);
}

const oneDimArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), len: lengthArb, n: fc.option(lengthArb, { nil: undefined }),
  at: fc.nat(2), negative: fc.boolean(), norm: normArb, dtype: dtypeArb, seed: fc.nat(1000),
});

describe("hfft and ihfft", () => {
  it("hfft is the forward DFT of the Hermitian extension (n default 2·(m−1)), scaled as a forward transform", () => {
    fc.assert(fc.property(oneDimArb.filter(({ len, n }) => n !== undefined || len > 1), ({ lead, len, n, at, negative, norm, dtype, seed }) => {
      const dim = Math.min(at, lead.length), signal = [...lead.slice(0, dim), len, ...lead.slice(dim)];
      const x = sampleTensor([...signal, 2], seed, dtype), size = n ?? 2 * (len - 1), scale = scaleOf(norm, size, false);
      const want = alongDim(x.data, signal, dim, 2, size, 1, (line) => hermitianToReal(line as [number, number][], size, -1, scale));
      const got = F.hfft(x, { n, dim: negative ? dim - signal.length : dim, norm });
      expectSums(got, want, false, 1, size, 2 * scale * sumAbs(x.data), `hfft [${signal}] dim ${dim} n ${n} ${norm} ${dtype}`);
    }), { numRuns: 60 });
  });

  it("ihfft is the first ⌊n/2⌋+1 entries of the inverse DFT of the real input, scaled as an inverse transform", () => {
    fc.assert(fc.property(oneDimArb, ({ lead, len, n, at, negative, norm, dtype, seed }) => {
      const dim = Math.min(at, lead.length), signal = [...lead.slice(0, dim), len, ...lead.slice(dim)];
      const x = sampleTensor(signal, seed, dtype), size = n ?? len, scale = scaleOf(norm, size, true);
      const want = alongDim(x.data, signal, dim, 1, (size >> 1) + 1, 2, (line) => realToHalf(line, size, 1, scale));
      const got = F.ihfft(x, { n, dim: negative ? dim - signal.length : dim, norm });
      expectSums(got, want, true, 1, size, scale * sumAbs(x.data), `ihfft [${signal}] dim ${dim} n ${n} ${norm} ${dtype}`);
    }), { numRuns: 60 });
  });

  it("hfft(ihfft(x), n) gives x back for even and odd n", () => {
    for (const n of [1, 2, 7, 400, 401, 997]) {
      const x = sampleTensor([2, n], n, "float64");
      for (const norm of ["backward", "forward", "ortho"] as const) {
        expectWithin(list(F.hfft(F.ihfft(x, { norm }), { n, norm })), list(x), () => 8 * fftErrorBound(n, sumAbs(x.data), 1), `round trip n ${n} ${norm}`);
      }
    }
  });
});

/** A drawn n-dim case: signal shape, dims in the order listed, the sizes s gives (none: defaults). */
const ndArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }).chain((signal) => fc.record({
  signal: fc.constant(signal), dims: fc.shuffledSubarray(signal.map((_, i) => i), { minLength: 1 }),
  s: fc.option(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 3 }), { nil: undefined }),
  twoDim: fc.boolean(), norm: normArb, dtype: dtypeArb, seed: fc.nat(1000),
}));

describe("hfftn, ihfftn, hfft2, ihfft2", () => {
  it("hfftn: the forward DFT along all but the last listed dim, then the Hermitian forward DFT along it", () => {
    fc.assert(fc.property(ndArb, ({ signal, dims, s, twoDim, norm, dtype, seed }) => {
      const useTwo = twoDim && dims.length === 2, last = dims.length - 1;
      const sizes = dims.map((d, i) => s?.[i] ?? (i === last ? 2 * (signal[d] - 1) : signal[d]));
      fc.pre(sizes.every((n) => n >= 1));
      const x = sampleTensor([...signal, 2], seed, dtype), o = { s: s?.slice(0, dims.length), dim: dims, norm };
      const mixed = complexPasses({ data: list(x), shape: signal }, dims.slice(0, last), sizes.slice(0, last), -1, norm);
      const n = sizes[last], want = alongDim(mixed.data, mixed.shape, dims[last], 2, n, 1, (line) => hermitianToReal(line as [number, number][], n, -1, scaleOf(norm, n, false)));
      const scale = sizes.reduce((a, m) => a * scaleOf(norm, m, false), 1), size = sizes.reduce((a, b) => a * b, 1);
      expectSums((useTwo ? F.hfft2 : F.hfftn)(x, o), want, false, dims.length, size, 2 * scale * sumAbs(x.data), `hfftn [${signal}] ${JSON.stringify(o)} ${dtype}`);
    }), { numRuns: 60 });
  });

  it("ihfftn: the half inverse DFT along the last listed dim, then the inverse DFT along the rest", () => {
    fc.assert(fc.property(ndArb, ({ signal, dims, s, twoDim, norm, dtype, seed }) => {
      const useTwo = twoDim && dims.length === 2, last = dims.length - 1, sizes = dims.map((d, i) => s?.[i] ?? signal[d]);
      const x = sampleTensor(signal, seed, dtype), o = { s: s?.slice(0, dims.length), dim: dims, norm }, n = sizes[last];
      const half = alongDim(x.data, signal, dims[last], 1, (n >> 1) + 1, 2, (line) => realToHalf(line, n, 1, scaleOf(norm, n, true)));
      const want = complexPasses(half, dims.slice(0, last), sizes.slice(0, last), 1, norm);
      const scale = sizes.reduce((a, m) => a * scaleOf(norm, m, true), 1), size = sizes.reduce((a, b) => a * b, 1);
      expectSums((useTwo ? F.ihfft2 : F.ihfftn)(x, o), want, true, dims.length, size, scale * sumAbs(x.data), `ihfftn [${signal}] ${JSON.stringify(o)} ${dtype}`);
    }), { numRuns: 60 });
  });

  it("hfft2 and ihfft2 default to dims [−2, −1]; hfftn(ihfftn(x, s), s) gives x back", () => {
    const x = sampleTensor([2, 3, 5], 4, "float64"), z = sampleTensor([2, 3, 5, 2], 5, "float64");
    const rows = complexPasses({ data: list(z), shape: [2, 3, 5] }, [1], [3], -1, undefined);
    const want = alongDim(rows.data, rows.shape, 2, 2, 8, 1, (line) => hermitianToReal(line as [number, number][], 8, -1, 1));
    expectSums(F.hfft2(z), want, false, 2, 24, 2 * sumAbs(z.data), "hfft2 default dims");
    const half = alongDim(x.data, [2, 3, 5], 2, 1, 3, 2, (line) => realToHalf(line, 5, 1, 1 / 5));
    expectSums(F.ihfft2(x), complexPasses(half, [1], [3], 1, undefined), true, 2, 15, sumAbs(x.data) / 15, "ihfft2 default dims");
    const back = F.hfftn(F.ihfftn(x, { s: [3, 5] }), { s: [3, 5] });
    expectWithin(list(back), list(x), () => 8 * fftErrorBound(30, sumAbs(x.data), 1), "hfftn round trip");
  });
});

describe("gradients by central differences", () => {
  const cases: [string, number[], (x: eg.Tensor) => eg.Tensor][] = [
    ["hfft, even n", [2, 4, 2], (x) => F.hfft(x)],
    ["hfft, odd n padded, ortho", [3, 2], (x) => F.hfft(x, { n: 7, norm: "ortho" })],
    ["hfft, trimmed input, dim 0, forward", [6, 2, 2], (x) => F.hfft(x, { n: 5, dim: 0, norm: "forward" })],
    ["ihfft", [2, 7], (x) => F.ihfft(x)],
    ["ihfft, padded even, dim 0, ortho", [5, 2], (x) => F.ihfft(x, { n: 8, dim: 0, norm: "ortho" })],
    ["hfftn, dims out of order", [3, 2, 4, 2], (x) => F.hfftn(x, { dim: [2, 0], s: [4, 5] })],
    ["ihfftn, forward", [3, 4], (x) => F.ihfftn(x, { norm: "forward" })],
    ["hfft2", [2, 3, 3, 2], (x) => F.hfft2(x)],
    ["ihfft2, padded", [2, 3, 3], (x) => F.ihfft2(x, { s: [4, 6] })],
  ];
  for (const [what, shape, f] of cases) it(what, () => assertGradByDifferences(f, [float64Input(shape, shape.length + 17)], what));
});

describe("typed errors, naming the function and the value", () => {
  const c = eg.zeros([4, 2]);
  it("refuses n < 1, bad dims and norms in the 1-d forms", () => {
    expect(() => F.hfft(c, { n: 0 })).toThrow(/hfft: n must be a positive integer, got 0/);
    expect(() => F.hfft(eg.zeros([1, 2]))).toThrow(/hfft: n must be a positive integer, got 0 \(from dim 0 of shape \[1,2\]\)/);
    expect(() => F.ihfft(eg.zeros([4]), { n: -3 })).toThrow(/ihfft: n must be a positive integer, got -3/);
    expect(() => F.ihfft(eg.zeros([4]), { n: 1.5 })).toThrow(eg.ValueError);
    expect(() => F.hfft(c, { dim: 1 })).toThrow(/hfft: axis 1 is out of range/);
    expect(() => F.ihfft(eg.zeros([4]), { dim: -2 })).toThrow(/ihfft: axis -2 is out of range/);
    expect(() => F.hfft(c, { norm: "none" as never })).toThrow(/hfft: norm must be "backward", "forward" or "ortho", got "none"/);
    expect(() => F.ihfft(eg.zeros([4]), { norm: "Ortho" as never })).toThrow(/ihfft: norm must be/);
  });
  it("refuses bad input and options", () => {
    expect(() => F.hfft(eg.zeros([4, 3]))).toThrow(/hfft: a complex input needs a trailing \(re, im\) dim/);
    expect(() => F.hfftn(eg.zeros([4]))).toThrow(eg.ShapeError);
    expect(() => F.hfft(eg.zeros([4, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => F.ihfft(eg.tensor(2))).toThrow(eg.ShapeError);
    expect(() => F.hfft(c, { s: [4] } as never)).toThrow(/hfft: unknown option "s"/);
    expect(() => F.ihfftn(eg.zeros([4]), { n: 4 } as never)).toThrow(/ihfftn: unknown option "n"/);
  });
  it("refuses bad dims and s in the n-dim forms", () => {
    const z = eg.zeros([3, 4, 2]);
    expect(() => F.hfftn(z, { dim: [1, -1] })).toThrow(/hfftn: dims must be unique, got \[1, -1\]/);
    expect(() => F.ihfftn(eg.zeros([3, 4]), { dim: [] })).toThrow(/ihfftn: must transform at least one dim/);
    expect(() => F.hfft2(z, { s: [4] })).toThrow(/hfft2: s must give one size per dim/);
    expect(() => F.ihfft2(eg.zeros([3, 4]), { s: [0, 2] })).toThrow(/ihfft2: s\[0\] must be a positive integer or -1, got 0/);
    expect(() => F.hfftn(eg.zeros([3, 1, 2]))).toThrow(/hfftn: the signal size of dim 1 must be a positive integer, got 0/);
    expect(() => F.hfftn(z, { norm: "x" as never })).toThrow(/hfftn: norm must be/);
  });
});
