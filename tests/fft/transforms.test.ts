// eg.fft.fft / ifft / rfft / irfft / fft2 / rfft2 against the defining O(n²) double sum in float64
// (tests/fft/dft-reference.ts), over leading shapes, lengths (1, 2, primes, powers of two and
// others), n padding and trimming, every norm and dim drawn by fast-check, in float32 and
// float64; round trips at audio lengths; gradients by central differences; typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";
import { alongDim, directDft, fftErrorBound, hermitianToReal, scaleOf, type Norm } from "./dft-reference.js";

type FloatDType = "float32" | "float64";
const F = eg.fft;
const lengthArb = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 31, 32, 64, 97, 100), fc.integer({ min: 1, max: 70 }));
const normArb = fc.constantFrom<Norm>(undefined, "backward", "forward", "ortho");
const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");
const list = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);
const sumAbs = (xs: ArrayLike<number>) => { let s = 0; for (let i = 0; i < xs.length; i++) s += Math.abs(xs[i]); return s; };

/** Each element within the dtype's rounding of itself plus the FFT's float64 error over the input. */
function expectDft(got: eg.Tensor, want: { data: number[]; shape: number[] }, n: number, input: ArrayLike<number>, scale: number, what: string) {
  expect(got.shape).toEqual(want.shape);
  const u = unitOf(got.dtype), bound = fftErrorBound(n, sumAbs(input), scale);
  expectWithin(list(got), want.data, (i) => u * Math.abs(want.data[i]) + bound + ETA32, what);
}

/** A complex case: leading dims, the transformed dim's length, and where it sits. */
const complexCaseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), len: lengthArb, n: fc.option(lengthArb, { nil: undefined }),
  at: fc.nat(2), norm: normArb, dtype: dtypeArb, seed: fc.nat(1000), negativeDim: fc.boolean(),
});

describe("fft and ifft", () => {
  for (const [name, inverse] of [["fft", false], ["ifft", true]] as const) {
    it(`${name} is the DFT along dim, padded or trimmed to n, scaled by norm`, () => {
      fc.assert(fc.property(complexCaseArb, ({ lead, len, n, at, norm, dtype, seed, negativeDim }) => {
        const dim = Math.min(at, lead.length), signal = [...lead.slice(0, dim), len, ...lead.slice(dim)];
        const x = sampleTensor([...signal, 2], seed, dtype);
        const size = n ?? len, scale = scaleOf(norm, size, inverse);
        const y = F[name](x, { n, dim: negativeDim ? dim - signal.length : dim, norm });
        const want = alongDim(x.data, signal, dim, 2, size, 2, (line) => directDft(line as [number, number][], size, inverse ? 1 : -1, scale));
        expectDft(y, { data: want.data, shape: [...want.shape, 2] }, size, x.data, scale, `${name} [${signal}] dim ${dim} n ${n} ${norm} ${dtype}`);
      }), { numRuns: 60 });
    });
  }

  it("ifft undoes fft at audio lengths (400, a prime 1009, 1024) and on non-contiguous input", () => {
    for (const n of [400, 1009, 1024]) {
      const x = sampleTensor([2, n, 2], n, "float64");
      const back = F.ifft(F.fft(x, { norm: "ortho" }), { norm: "ortho" });
      const bound = 4 * fftErrorBound(n, sumAbs(x.data), 1);
      expectWithin(list(back), list(x), () => bound, `round trip n ${n}`);
    }
    const t = sampleTensor([5, 3, 2], 3, "float64").transpose(0, 1);
    const want = alongDim(t.data, [3, 5], 1, 2, 5, 2, (line) => directDft(line as [number, number][], 5, -1, 1));
    expectDft(F.fft(t), { data: want.data, shape: [3, 5, 2] }, 5, t.data, 1, "transposed input");
  });
});

describe("rfft and irfft", () => {
  const realCaseArb = fc.record({
    lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), len: lengthArb, n: fc.option(lengthArb, { nil: undefined }),
    at: fc.nat(2), norm: normArb, dtype: dtypeArb, seed: fc.nat(1000),
  });
  it("rfft is the first ⌊n/2⌋+1 entries of the DFT of the real input", () => {
    fc.assert(fc.property(realCaseArb, ({ lead, len, n, at, norm, dtype, seed }) => {
      const dim = Math.min(at, lead.length), signal = [...lead.slice(0, dim), len, ...lead.slice(dim)];
      const x = sampleTensor(signal, seed, dtype), size = n ?? len, half = Math.floor(size / 2) + 1, scale = scaleOf(norm, size, false);
      const want = alongDim(x.data, signal, dim, 1, half, 2, (line) => directDft(line.map(([v]) => [v, 0]), size, -1, scale).slice(0, half));
      expectDft(F.rfft(x, { n, dim, norm }), { data: want.data, shape: [...want.shape, 2] }, size, x.data, scale, `rfft [${signal}] dim ${dim} n ${n} ${norm}`);
    }), { numRuns: 60 });
  });

  it("irfft is the inverse DFT of the Hermitian extension (n default 2·(m−1))", () => {
    fc.assert(fc.property(realCaseArb.filter(({ len, n }) => n !== undefined || len > 1), ({ lead, len, n, at, norm, dtype, seed }) => {
      const dim = Math.min(at, lead.length), signal = [...lead.slice(0, dim), len, ...lead.slice(dim)];
      const x = sampleTensor([...signal, 2], seed, dtype), size = n ?? 2 * (len - 1), scale = scaleOf(norm, size, true);
      const want = alongDim(x.data, signal, dim, 2, size, 1, (line) => hermitianToReal(line as [number, number][], size, 1, scale));
      expectDft(F.irfft(x, { n, dim, norm }), want, size, x.data, 2 * scale, `irfft [${signal}] dim ${dim} n ${n} ${norm}`);
    }), { numRuns: 60 });
  });

  it("irfft(rfft(x), n) gives x back for even and odd n, up to 1000", () => {
    for (const n of [1, 2, 7, 400, 401, 997, 1000]) {
      const x = sampleTensor([3, n], n, "float64");
      const bound = 4 * fftErrorBound(n, sumAbs(x.data), 1);
      expectWithin(list(F.irfft(F.rfft(x), { n })), list(x), () => bound, `rfft round trip n ${n}`);
    }
  });
});

describe("fft2 and rfft2", () => {
  it("are the two-dimensional DFT (with s and dims)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.option(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })), { nil: undefined }), normArb, fc.nat(100),
      (a, b, s, norm, seed) => {
        const x = sampleTensor([2, a, b, 2], seed, "float64"), [n0, n1] = s ?? [a, b], scale = scaleOf(norm, n0 * n1, false);
        const rows = alongDim(x.data, [2, a, b], 2, 2, n1, 2, (line) => directDft(line as [number, number][], n1, -1, 1));
        const want = alongDim(rows.data, rows.shape, 1, 2, n0, 2, (line) => directDft(line as [number, number][], n0, -1, scale));
        expectDft(F.fft2(x, { s, norm }), { data: want.data, shape: [...want.shape, 2] }, n0 * n1, x.data, scale, `fft2 [${a}, ${b}] s ${s}`);
        const r = sampleTensor([a, 2, b], seed, "float64");
        const realRows = alongDim(r.data, [a, 2, b], 2, 1, (n1 >> 1) + 1, 2, (line) => directDft(line.map(([v]) => [v, 0]), n1, -1, 1).slice(0, (n1 >> 1) + 1));
        const realWant = alongDim(realRows.data, realRows.shape, 0, 2, n0, 2, (line) => directDft(line as [number, number][], n0, -1, scale));
        expectDft(F.rfft2(r, { s, dim: [0, 2], norm }), { data: realWant.data, shape: [...realWant.shape, 2] }, n0 * n1, r.data, scale, `rfft2 [${a}, 2, ${b}]`);
        // The default dims [−2, −1] of a real [2, a, b] name the same dims of the complex result.
        const r3 = sampleTensor([2, a, b], seed + 1, "float64");
        const rows3 = alongDim(r3.data, [2, a, b], 2, 1, (n1 >> 1) + 1, 2, (line) => directDft(line.map(([v]) => [v, 0]), n1, -1, 1).slice(0, (n1 >> 1) + 1));
        const want3 = alongDim(rows3.data, rows3.shape, 1, 2, n0, 2, (line) => directDft(line as [number, number][], n0, -1, scale));
        expectDft(F.rfft2(r3, { s, norm }), { data: want3.data, shape: [...want3.shape, 2] }, n0 * n1, r3.data, scale, `rfft2 default dims [2, ${a}, ${b}]`);
      }), { numRuns: 30 });
  });
});

describe("gradients by central differences", () => {
  const cases: [string, number[], (x: eg.Tensor) => eg.Tensor][] = [
    ["fft", [3, 5, 2], (x) => F.fft(x, { dim: 0 })],
    ["fft padded, ortho", [2, 5, 2], (x) => F.fft(x, { n: 8, norm: "ortho" })],
    ["ifft trimmed, forward", [6, 2], (x) => F.ifft(x, { n: 4, norm: "forward" })],
    ["rfft", [2, 7], (x) => F.rfft(x)],
    ["rfft padded even", [5], (x) => F.rfft(x, { n: 8, norm: "ortho" })],
    ["rfft trimmed, dim 0", [6, 2], (x) => F.rfft(x, { n: 3, dim: 0 })],
    ["irfft even n", [2, 4, 2], (x) => F.irfft(x)],
    ["irfft odd n, padded input", [3, 2], (x) => F.irfft(x, { n: 7, norm: "forward" })],
    ["irfft trimmed input", [6, 2], (x) => F.irfft(x, { n: 5, norm: "ortho" })],
    ["fft2", [3, 4, 2], (x) => F.fft2(x, { s: [4, 3] })],
    ["fftshift", [3, 4], (x) => F.fftshift(x)],
  ];
  for (const [what, shape, f] of cases) it(what, () => assertGradByDifferences(f, [float64Input(shape, shape.length + 7)], what));

  it("flows in float32 too (gradient of a weighted sum against the float64 one)", () => {
    const x64 = float64Input([2, 5], 3), x32 = eg.fromTypedArray(Float32Array.from(x64.data as Float64Array), [2, 5], { requiresGrad: true });
    F.rfft(x64, { n: 6 }).sum().backward();
    F.rfft(x32, { n: 6 }).sum().backward();
    expect(x32.grad!.dtype).toBe("float32");
    expectWithin(list(x32.grad!), list(x64.grad!), (i) => 16 * 2 ** -24 * (Math.abs(list(x64.grad!)[i]) + 6), "float32 gradient");
  });
});

describe("typed errors", () => {
  const c = eg.zeros([4, 2]);
  it("refuses bad input, dims, n and norms before computing", () => {
    expect(() => F.fft(eg.zeros([4, 3]))).toThrow(eg.ShapeError);
    expect(() => F.fft(eg.zeros([2]))).toThrow(/trailing \(re, im\) dim/);
    expect(() => F.irfft(eg.zeros([3, 3]))).toThrow(eg.ShapeError);
    expect(() => F.fft(c, { dim: 1 })).toThrow(eg.ValueError);
    expect(() => F.rfft(eg.zeros([4]), { dim: 2 })).toThrow(/axis 2 is out of range/);
    expect(() => F.fft(c, { n: 0 })).toThrow(/n must be a positive integer, got 0/);
    expect(() => F.rfft(eg.zeros([4]), { n: 2.5 })).toThrow(eg.ValueError);
    expect(() => F.irfft(eg.zeros([1, 2]))).toThrow(/n must be a positive integer, got 0/);
    expect(() => F.fft(c, { norm: "none" as never })).toThrow(/norm must be/);
    expect(() => F.fft(c, { nn: 3 } as never)).toThrow(/unknown option "nn"/);
    expect(() => F.rfft(eg.zeros([4], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => F.fft2(c.reshape([1, 4, 2]), { s: [4] })).toThrow(/s must give one size per dim/);
  });
});
