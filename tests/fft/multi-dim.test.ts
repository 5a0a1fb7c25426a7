// eg.fft.fftn / ifftn / rfftn / irfftn and the 2-d forms against the defining O(n²) sums in
// float64 (tests/fft/dft-reference.ts) applied dim by dim: fast-check draws the signal shape, the
// dims (any subset, in any order, negative or not, one as a number), s (padding, trimming, −1),
// the norm and the dtype; round trips; gradients by central differences; every refusal.
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
const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** A drawn n-dim case: the options as passed, and the dims and sizes they must resolve to. */
interface NdCase {
  signal: number[]; dims: number[]; sizes: number[]; options: eg.fft.FftnOptions; norm: Norm; dtype: FloatDType; seed: number;
}

/** Cases for a transform whose last listed dim is restored from its half (irfftn) when `restoresLast`. */
const ndCaseArb = (restoresLast: boolean): fc.Arbitrary<NdCase> =>
  fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }).chain((signal) => fc.record({
    signal: fc.constant(signal), picked: fc.shuffledSubarray(signal.map((_, i) => i), { minLength: 1 }),
    mode: fc.constantFrom("dim", "dim-number", "s-only", "none"), withS: fc.boolean(), negative: fc.boolean(),
    s: fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 8 })), { minLength: 3, maxLength: 3 }),
    norm: fc.constantFrom<Norm>(undefined, "backward", "forward", "ortho"), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
  })).map(({ signal, picked, mode, withS, negative, s, norm, dtype, seed }) => {
    const dims = mode === "none" ? signal.map((_, i) => i) : mode === "s-only" ? signal.map((_, i) => i).slice(signal.length - picked.length)
      : mode === "dim-number" ? picked.slice(0, 1) : picked;
    const given = mode === "none" || (mode !== "s-only" && !withS) ? undefined : s.slice(0, dims.length);
    const listed = dims.map((d) => (negative ? d - signal.length : d));
    const options: eg.fft.FftnOptions = { norm, s: given, dim: mode === "dim" ? listed : mode === "dim-number" ? listed[0] : undefined };
    const sizes = dims.map((d, i) => (given && given[i] !== -1 ? given[i] : restoresLast && i === dims.length - 1 ? 2 * (signal[d] - 1) : signal[d]));
    return { signal, dims, sizes, options, norm, dtype, seed };
  }).filter((c) => c.sizes.every((n) => n >= 1));

/**
 * Each element within its dtype's rounding of itself, one more rounding per pass of the
 * intermediates (reaching the output at most as the scaled Σ|x|, doubled where a half spectrum
 * stands for both halves), and the float64 FFTs' error over the whole size.
 */
function expectNd(got: eg.Tensor, want: Flat, complexOut: boolean, c: NdCase, input: ArrayLike<number>, inverse: boolean, what: string): void {
  expect(got.shape).toEqual(complexOut ? [...want.shape, 2] : want.shape);
  // Only a real output (irfftn) comes from a half spectrum.
  const scale = c.sizes.reduce((s, n) => s * scaleOf(c.norm, n, inverse), 1) * (complexOut ? 1 : 2);
  const reach = sumAbs(input) * scale, u = unitOf(got.dtype), total = product(c.sizes);
  const bound = c.dims.length * u * reach + fftErrorBound(total, reach, 1) + ETA32;
  expectWithin(list(got), want.data, (i) => u * Math.abs(want.data[i]) + bound, `${what} [${c.signal}] ${JSON.stringify(c.options)} ${c.dtype}`);
}

describe("fftn and ifftn", () => {
  for (const [name, sign] of [["fftn", -1], ["ifftn", 1]] as const) {
    it(`${name} is the DFT along every listed dim, each padded or trimmed to s, scaled by norm`, () => {
      fc.assert(fc.property(ndCaseArb(false), (c) => {
        const x = sampleTensor([...c.signal, 2], c.seed, c.dtype);
        const want = complexPasses({ data: list(x), shape: c.signal }, c.dims, c.sizes, sign, c.norm);
        expectNd(F[name](x, c.options), want, true, c, x.data, sign > 0, name);
      }), { numRuns: 80 });
    });
  }

  it("fftn with no dims is a copy, with the identity's gradient", () => {
    const x = float64Input([2, 3, 2], 5);
    for (const y of [F.fftn(x, { dim: [] }), F.ifftn(x, { s: [] })]) {
      expect(y).not.toBe(x);
      expect(list(y)).toEqual(list(x));
    }
    F.fftn(x, { dim: [], norm: "ortho" }).mul(2).sum().backward();
    expect(list(x.grad!)).toEqual(new Array(12).fill(2));
  });
});

describe("rfftn and irfftn", () => {
  it("rfftn: the real-to-half DFT along the last listed dim, then the complex DFT along the rest", () => {
    fc.assert(fc.property(ndCaseArb(false), (c) => {
      const x = sampleTensor(c.signal, c.seed, c.dtype), last = c.dims.length - 1, n = c.sizes[last];
      const half = alongDim(x.data, c.signal, c.dims[last], 1, (n >> 1) + 1, 2, (line) => realToHalf(line, n, -1, scaleOf(c.norm, n, false)));
      const want = complexPasses(half, c.dims.slice(0, last), c.sizes.slice(0, last), -1, c.norm);
      expectNd(F.rfftn(x, c.options), want, true, c, x.data, false, "rfftn");
    }), { numRuns: 80 });
  });

  it("irfftn: the inverse complex DFT along all but the last listed dim, then the Hermitian inverse along it", () => {
    fc.assert(fc.property(ndCaseArb(true), (c) => {
      const x = sampleTensor([...c.signal, 2], c.seed, c.dtype), last = c.dims.length - 1, n = c.sizes[last];
      const mixed = complexPasses({ data: list(x), shape: c.signal }, c.dims.slice(0, last), c.sizes.slice(0, last), 1, c.norm);
      const want = alongDim(mixed.data, mixed.shape, c.dims[last], 2, n, 1, (line) => hermitianToReal(line as [number, number][], n, 1, scaleOf(c.norm, n, true)));
      expectNd(F.irfftn(x, c.options), want, false, c, x.data, true, "irfftn");
    }), { numRuns: 80 });
  });

  it("irfftn(rfftn(x, s), s) and ifftn(fftn(x, s)) give x back, padded or trimmed to s", () => {
    fc.assert(fc.property(ndCaseArb(false), (c) => {
      const x = sampleTensor(c.signal, c.seed, "float64"), o = { ...c.options, s: c.sizes };
      const want = c.dims.reduce<Flat>((y, dim, i) => alongDim(y.data, y.shape, dim, 1, c.sizes[i], 1, (line) => line.slice(0, c.sizes[i])), { data: list(x), shape: c.signal });
      const bound = 8 * fftErrorBound(product(c.sizes), sumAbs(x.data), 1);
      const back = F.irfftn(F.rfftn(x, o), o);
      expect(back.shape).toEqual(want.shape);
      expectWithin(list(back), want.data, () => bound, `rfftn round trip [${c.signal}] ${JSON.stringify(o)}`);
      const z = sampleTensor([...c.signal, 2], c.seed, "float64"), zBack = F.ifftn(F.fftn(z, o), o);
      const zWant = c.dims.reduce<Flat>((y, dim, i) => alongDim(y.data, y.shape, dim, 2, c.sizes[i], 2, (line) => line.slice(0, c.sizes[i])), { data: list(z), shape: c.signal });
      expectWithin(list(zBack), zWant.data, () => 2 * fftErrorBound(product(c.sizes), sumAbs(z.data), 1), `fftn round trip [${c.signal}]`);
    }), { numRuns: 40 });
  });
});

describe("the 2-d forms default to dims [−2, −1] and take any list of dims", () => {
  it("irfft2, fft2, ifft2 and rfft2 on 3-d signals, by default and over three dims", () => {
    fc.assert(fc.property(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 })),
      fc.constantFrom<Norm>(undefined, "forward", "ortho"), fc.nat(100), (signal, norm, seed) => {
        const base = { signal, norm, dtype: "float64" as const, seed };
        const z = sampleTensor([...signal, 2], seed, "float64"), r = sampleTensor(signal, seed + 1, "float64");
        const twoDims = { ...base, dims: [1, 2], sizes: [signal[1], 2 * (signal[2] - 1)], options: { norm } };
        const mixed = complexPasses({ data: list(z), shape: signal }, [1], [signal[1]], 1, norm), n = twoDims.sizes[1];
        const want = alongDim(mixed.data, mixed.shape, 2, 2, n, 1, (line) => hermitianToReal(line as [number, number][], n, 1, scaleOf(norm, n, true)));
        expectNd(F.irfft2(z, { norm }), want, false, twoDims, z.data, true, "irfft2");
        const all = { ...base, dims: [2, 0, 1], sizes: [signal[2], signal[0], signal[1]], options: { dim: [2, 0, 1], norm } };
        expectNd(F.fft2(z, all.options), complexPasses({ data: list(z), shape: signal }, all.dims, all.sizes, -1, norm), true, all, z.data, false, "fft2");
        expectNd(F.ifft2(z, all.options), complexPasses({ data: list(z), shape: signal }, all.dims, all.sizes, 1, norm), true, all, z.data, true, "ifft2");
        const half = alongDim(r.data, signal, 1, 1, (signal[1] >> 1) + 1, 2, (line) => realToHalf(line, signal[1], -1, scaleOf(norm, signal[1], false)));
        const realWant = complexPasses(half, [2, 0], [signal[2], signal[0]], -1, norm);
        expectNd(F.rfft2(r, all.options), realWant, true, all, r.data, false, "rfft2");
      }), { numRuns: 30 });
  });
});

describe("gradients by central differences", () => {
  const cases: [string, number[], (x: eg.Tensor) => eg.Tensor][] = [
    ["fftn, all dims", [3, 4, 2], (x) => F.fftn(x)],
    ["fftn, s pads and trims, ortho", [2, 3, 4, 2], (x) => F.fftn(x, { s: [5, -1, 3], norm: "ortho" })],
    ["ifftn, dims out of order, forward", [3, 2, 4, 2], (x) => F.ifftn(x, { dim: [2, 0], s: [3, 4], norm: "forward" })],
    ["rfftn, last dim halved", [3, 5], (x) => F.rfftn(x)],
    ["rfftn, dims out of order, padded even", [4, 3, 2], (x) => F.rfftn(x, { dim: [2, 0], s: [4, 6] })],
    ["irfftn, even last size", [3, 3, 2], (x) => F.irfftn(x)],
    ["irfftn, odd last size, trimmed and padded", [2, 4, 3, 2], (x) => F.irfftn(x, { dim: [2, 0, 1], s: [2, 3, 5], norm: "ortho" })],
    ["irfftn, input longer than the half", [3, 6, 2], (x) => F.irfftn(x, { s: [4, 5], norm: "forward" })],
    ["irfft2", [2, 3, 4, 2], (x) => F.irfft2(x, { s: [4, 6] })],
    ["fft2 over one dim", [3, 4, 2], (x) => F.fft2(x, { dim: [0] })],
  ];
  for (const [what, shape, f] of cases) it(what, () => assertGradByDifferences(f, [float64Input(shape, shape.length + 11)], what));
});

describe("typed errors, naming the value, before any pass runs", () => {
  const c = eg.zeros([3, 4, 2]), r = eg.zeros([3, 4]);
  it("refuses bad dims", () => {
    expect(() => F.fftn(c, { dim: [0, -2] })).toThrow(/fftn: dims must be unique, got \[0, -2\]/);
    expect(() => F.rfftn(r, { dim: [1, 1] })).toThrow(eg.ValueError);
    expect(() => F.irfftn(c, { dim: [2] })).toThrow(/irfftn: axis 2 is out of range/);
    expect(() => F.ifft2(eg.zeros([4, 2]))).toThrow(/ifft2: axis -2 is out of range/);
    expect(() => F.fftn(c, { dim: "0" as never })).toThrow(/dim must be a dim or a list of dims, got "0"/);
    expect(() => F.rfftn(r, { dim: [] })).toThrow(/rfftn: must transform at least one dim/);
    expect(() => F.irfft2(c, { dim: [] })).toThrow(/irfft2: must transform at least one dim/);
  });
  it("refuses s of the wrong length or with a size < 1", () => {
    expect(() => F.fftn(c, { s: [4, 4], dim: [0] })).toThrow(/fftn: s must give one size per dim \(1: \[0\]\), got \[4,4\]/);
    expect(() => F.irfft2(c, { s: [4] })).toThrow(/s must give one size per dim/);
    expect(() => F.rfftn(r, { s: [2, 2, 2] })).toThrow(/rfftn: s gives 3 sizes \[2,2,2\] but the input has 2 signal dim\(s\)/);
    expect(() => F.fftn(c, { s: [0, 4] })).toThrow(/fftn: s\[0\] must be a positive integer or -1, got 0/);
    expect(() => F.ifftn(c, { s: [3, -2] })).toThrow(/s\[1\] must be a positive integer or -1, got -2/);
    expect(() => F.rfftn(r, { s: [2.5] })).toThrow(/got 2\.5/);
    expect(() => F.fftn(c, { s: ["3"] as never })).toThrow(/got "3"/);
    expect(() => F.fftn(c, { s: 3 as never })).toThrow(/s must be a list of sizes, got 3/);
    expect(() => F.irfftn(eg.zeros([3, 1, 2]))).toThrow(/irfftn: the signal size of dim 1 must be a positive integer, got 0 = 2·\(1 − 1\)/);
    expect(() => F.irfftn(eg.zeros([3, 1, 2]), { s: [3, -1] })).toThrow(eg.ValueError);
    expect(() => F.fftn(eg.zeros([3, 0, 2]))).toThrow(/signal size of dim 1 must be a positive integer, got 0/);
  });
  it("refuses bad input, norms and options", () => {
    expect(() => F.fftn(r)).toThrow(eg.ShapeError);
    expect(() => F.irfftn(eg.zeros([2]))).toThrow(/irfftn: a complex input needs a trailing \(re, im\) dim/);
    expect(() => F.rfftn(eg.tensor(1))).toThrow(eg.ShapeError);
    expect(() => F.rfftn(eg.zeros([3], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => F.fftn(c, { norm: "none" as never })).toThrow(/fftn: norm must be/);
    expect(() => F.irfftn(c, { n: 3 } as never)).toThrow(/irfftn: unknown option "n"/);
  });
});
