// F.gridSample against a float64 reference written here from the textbook definitions (pixel
// coordinate of a grid value, clamp for border, a triangle wave for reflection, bilinear corner
// weights, round-half-to-even for nearest, Keys' cubic kernel with a = −0.75 for bicubic), over
// shapes, modes, paddings and grids drawn by fast-check (points far outside [−1, 1] too); the
// gradients of input and grid by central differences; non-finite grid values; the refusals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { mulberry32 } from "../support/mulberry32.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;
type Mode = "bilinear" | "nearest" | "bicubic";
type Padding = "zeros" | "border" | "reflection";
type FloatDType = "float32" | "float64";
const MODES: Mode[] = ["bilinear", "nearest", "bicubic"];
const PADDINGS: Padding[] = ["zeros", "border", "reflection"];
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const toPixel = (g: number, n: number, align: boolean) => (align ? ((g + 1) * (n - 1)) / 2 : ((g + 1) * n - 1) / 2);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Reflection as a triangle wave of period 2·len over [lo, lo + len], then clamped to the pixels. */
function reflected(u: number, n: number, align: boolean): number {
  const lo = align ? 0 : -0.5, len = align ? n - 1 : n;
  if (len === 0) return 0;
  let r = (((u - lo) % (2 * len)) + 2 * len) % (2 * len);
  if (r > len) r = 2 * len - r;
  return clamp(lo + r, 0, n - 1);
}
function padded(u: number, n: number, padding: Padding, align: boolean): number {
  return padding === "zeros" ? u : padding === "border" ? clamp(u, 0, n - 1) : reflected(u, n, align);
}
function roundHalfEven(u: number): number {
  const f = Math.floor(u), d = u - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}
function keys(s: number): number {
  const a = -0.75, t = Math.abs(s);
  return t <= 1 ? (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1 : t < 2 ? a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a : 0;
}

/** Weighted pixels [flat spatial index, weight] one point reads; `sizes` and `u` in spatial-axis order ([D,] H, W). */
function pointTaps(u: number[], sizes: number[], mode: Mode, padding: Padding, align: boolean): [number, number][] {
  const flat = (idx: number[]) => idx.reduce((s, i, a) => s * sizes[a] + i, 0);
  const inside = (idx: number[]) => idx.every((i, a) => i >= 0 && i < sizes[a]);
  if (mode === "nearest") {
    const idx = u.map((v, a) => roundHalfEven(padded(v, sizes[a], padding, align)));
    return inside(idx) ? [[flat(idx), 1]] : [];
  }
  const out: [number, number][] = [];
  if (mode === "bilinear") {
    const p = u.map((v, a) => padded(v, sizes[a], padding, align));
    for (let m = 0; m < 1 << p.length; m++) {
      const idx = p.map((v, a) => Math.floor(v) + ((m >> a) & 1));
      const w = p.reduce((s, v, a) => s * (1 - Math.abs(v - idx[a])), 1);
      if (inside(idx)) out.push([flat(idx), w]);
    }
    return out;
  }
  // Bicubic: taps ⌊u⌋−1 … ⌊u⌋+2 of the unpadded coordinate, each tap padded on its own.
  const tapAt = (t: number, a: number) => (padding === "zeros" ? t : padded(t, sizes[a], padding, align));
  for (let i = -1; i <= 2; i++) {
    for (let j = -1; j <= 2; j++) {
      const ty = Math.floor(u[0]) + i, tx = Math.floor(u[1]) + j, idx = [tapAt(ty, 0), tapAt(tx, 1)];
      if (inside(idx)) out.push([flat(idx), keys(u[0] - ty) * keys(u[1] - tx)]);
    }
  }
  return out;
}

/** The reference output, and per element Σ|x| of its taps times (1 + |u|max), for the tolerance. */
function reference(x: Tensor, grid: Tensor, mode: Mode, padding: Padding, align: boolean) {
  const [N, C, ...sizes] = x.shape, dims = sizes.length, P = prod(grid.shape.slice(1, -1)), plane = prod(sizes);
  const xd = x.data, gd = grid.data, value = new Float64Array(N * C * P), reach = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      // Grid entry k (x, y, z) is along spatial axis dims − 1 − k.
      const g = Array.from({ length: dims }, (_, a) => gd[(n * P + p) * dims + dims - 1 - a]);
      const u = g.map((v, a) => toPixel(v, sizes[a], align));
      const taps = pointTaps(u, sizes, mode, padding, align), scale = 1 + Math.max(...u.map(Math.abs));
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * plane, o = (n * C + c) * P + p;
        for (const [i, w] of taps) { value[o] += w * xd[base + i]; reach[o] += Math.abs(xd[base + i]) * scale; }
      }
    }
  }
  return { value, reach };
}

/**
 * A grid whose points lie inside pixel cells: pixel coordinate k + f, k from 3 before the input to
 * 3 after it, f ∈ [0.1, 0.4] ∪ [0.6, 0.9], away from every jump of the value or its derivative.
 */
function safeGrid(shape: number[], sizesXYZ: number[], align: boolean, seed: number, dtype: FloatDType): Tensor {
  const next = mulberry32(seed), dims = shape[shape.length - 1], out = new Float64Array(prod(shape));
  for (let i = 0; i < out.length; i++) {
    const n = sizesXYZ[i % dims], cell = Math.floor(next() * (n + 6)) - 3;
    const f = 0.1 + 0.3 * next(), u = cell + (next() < 0.5 ? f : 1 - f);
    out[i] = align ? (n > 1 ? (2 * u) / (n - 1) - 1 : 4 * next() - 2) : (2 * u + 1) / n - 1;
  }
  const t = fromTypedArray(out, shape);
  return dtype === "float64" ? t : t.astype("float32");
}

const problemArb = fc.record({
  dims: fc.constantFrom(2, 3), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
  sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
  out: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  mode: fc.constantFrom(...MODES), padding: fc.constantFrom(...PADDINGS), align: fc.boolean(),
  dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(100000),
}).filter((p) => p.mode !== "bicubic" || p.dims === 2);

function checkAgainstReference(x: Tensor, grid: Tensor, mode: Mode, padding: Padding, align: boolean, what: string): void {
  const y = F.gridSample(x, grid, { mode, paddingMode: padding, alignCorners: align });
  expect(y.shape).toEqual([x.shape[0], x.shape[1], ...grid.shape.slice(1, -1)]);
  expect(y.dtype).toBe(x.dtype);
  const { value, reach } = reference(x, grid, mode, padding, align);
  // One rounding to the dtype, plus float64 error of the coordinate (a few ulps of 1 + |u|) times
  // the weights' slopes (≤ 1.5 per axis) on Σ|x|, and of the ≤ 16-term sum: 2^-48 covers both.
  expectWithin(y.data, value, (i) => unitOf(x.dtype) * Math.abs(value[i]) + 2 ** -48 * reach[i] + ETA32, what);
}

describe("gridSample against a float64 reference", () => {
  it("every mode, padding and alignment, 4-d and 5-d, grids reaching past the input", () => {
    fc.assert(fc.property(problemArb, ({ dims, N, C, sizes, out, mode, padding, align, dtype, seed }) => {
      const spatial = sizes.slice(0, dims), outSpatial = out.slice(0, dims);
      const x = sampleTensor([N, C, ...spatial], seed, dtype);
      const grid = safeGrid([N, ...outSpatial, dims], spatial.slice().reverse(), align, seed + 1, dtype);
      checkAgainstReference(x, grid, mode, padding, align, `${dims}-d ${mode} ${padding} align=${align} ${dtype}`);
    }), { numRuns: 300 });
  });

  it("bilinear and bicubic at any grid value, pixel centres and ±1 included (both are continuous)", () => {
    const arb = fc.record({
      mode: fc.constantFrom<Mode>("bilinear", "bicubic"), padding: fc.constantFrom(...PADDINGS), align: fc.boolean(),
      H: fc.integer({ min: 1, max: 4 }), W: fc.integer({ min: 1, max: 4 }), seed: fc.nat(1000),
      values: fc.array(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(-1, 0, 1, 0.5, -0.5)), { minLength: 12, maxLength: 12 }),
    });
    fc.assert(fc.property(arb, ({ mode, padding, align, H, W, seed, values }) => {
      const x = sampleTensor([1, 2, H, W], seed, "float64"), grid = fromTypedArray(Float64Array.from(values), [1, 2, 3, 2]);
      checkAgainstReference(x, grid, mode, padding, align, `${mode} ${padding} align=${align}`);
    }), { numRuns: 200 });
  });

  it("nearest rounds half to even, as PyTorch 1.13 (x = 1…12 over a 3×4 image)", () => {
    const x = fromTypedArray(Float32Array.from({ length: 12 }, (_, i) => i + 1), [1, 1, 3, 4]);
    // x = −0.5, 0, 0.5 at y = −1 are pixel columns 0.5, 1.5, 2.5: PyTorch gives [1, 3, 3].
    const grid = fromTypedArray(Float32Array.of(-0.5, -1, 0, -1, 0.5, -1), [1, 1, 3, 2]);
    expect(Array.from(F.gridSample(x, grid, { mode: "nearest" }).data)).toEqual([1, 3, 3]);
  });

  it("a NaN or infinite grid value gives NaN at that point only", () => {
    const x = sampleTensor([1, 2, 3, 3], 3, "float64");
    for (const mode of MODES) {
      for (const padding of PADDINGS) {
        const grid = fromTypedArray(Float64Array.of(NaN, 0.2, 0.1, Infinity, -Infinity, 0, 0.3, -0.4), [1, 1, 4, 2]);
        const y = Array.from(F.gridSample(x, grid, { mode, paddingMode: padding }).data);
        expect(y.map(Number.isNaN), `${mode} ${padding}`).toEqual([true, true, true, false, true, true, true, false]);
      }
    }
  });

  it("empty batches, channels and grids give empty outputs", () => {
    expect(F.gridSample(zeros([0, 2, 3, 3]), zeros([0, 2, 2, 2])).shape).toEqual([0, 2, 2, 2]);
    expect(F.gridSample(zeros([1, 0, 3, 3]), zeros([1, 2, 2, 2])).shape).toEqual([1, 0, 2, 2]);
    expect(F.gridSample(zeros([1, 2, 3, 3]), zeros([1, 0, 2, 2])).shape).toEqual([1, 2, 0, 2]);
  });
});

describe("gridSample gradients by central differences", () => {
  const cases: [number, Mode, Padding, boolean][] = [];
  for (const mode of MODES) for (const padding of PADDINGS) for (const align of [false, true]) {
    cases.push([2, mode, padding, align]);
    if (mode !== "bicubic") cases.push([3, mode, padding, align]);
  }
  for (const [dims, mode, padding, align] of cases) {
    it(`${dims}-d ${mode}, ${padding}, alignCorners ${align}: input and grid`, () => {
      const spatial = dims === 2 ? [3, 4] : [2, 3, 3], seed = 11 * dims + MODES.indexOf(mode) * 3 + PADDINGS.indexOf(padding);
      const x = float64Input([2, 2, ...spatial], seed);
      const grid = safeGrid([2, ...(dims === 2 ? [2, 3] : [2, 2, 1]), dims], spatial.slice().reverse(), align, seed + 7, "float64");
      grid.requiresGrad = true;
      assertGradByDifferences((a, g) => F.gridSample(a, g, { mode, paddingMode: padding, alignCorners: align }), [x, grid], `${mode} ${padding}`);
      // Nearest is piecewise constant: its grid gradient is exactly 0, as PyTorch's.
      if (mode === "nearest") expect(Array.from(grid.grad!.data).every((v) => v === 0)).toBe(true);
    });
  }

  it("one-pixel axes with alignCorners pin the coordinate: the grid gradient is 0", () => {
    const x = float64Input([1, 2, 1, 3], 5), grid = safeGrid([1, 2, 2, 2], [3, 1], true, 9, "float64");
    grid.requiresGrad = true;
    assertGradByDifferences((a, g) => F.gridSample(a, g, { alignCorners: true, paddingMode: "border" }), [x, grid], "one-pixel");
    const yGrads = Array.from(grid.grad!.data).filter((_, i) => i % 2 === 1);
    expect(yGrads.every((v) => v === 0)).toBe(true);
  });
});

describe("gridSample refusals", () => {
  it("wrong dtypes, ranks, grid shapes, modes and options, each typed and naming what is wrong", () => {
    const x = sampleTensor([2, 3, 4, 4], 1), grid = zeros([2, 3, 3, 2]);
    expect(() => F.gridSample(x, grid.astype("float64"))).toThrow(DTypeError);
    expect(() => F.gridSample(x.astype("int32"), grid)).toThrow(DTypeError);
    expect(() => F.gridSample(sampleTensor([3, 4, 4], 1), zeros([3, 3, 2]))).toThrow(/4-d \[N, C, H, W\] or 5-d/);
    expect(() => F.gridSample(x, zeros([2, 3, 3, 3]))).toThrow(ShapeError);
    expect(() => F.gridSample(x, zeros([1, 3, 3, 2]))).toThrow(/grid of shape \[1,3,3,2\] must be \[N, Hout, Wout, 2\] for input shape \[2,3,4,4\]/);
    expect(() => F.gridSample(x, zeros([2, 3, 3, 1, 2]))).toThrow(ShapeError);
    expect(() => F.gridSample(zeros([1, 1, 0, 3]), zeros([1, 2, 2, 2]))).toThrow(/empty spatial dim/);
    expect(() => F.gridSample(zeros([1, 1, 2, 2, 2]), zeros([1, 1, 1, 1, 3]), { mode: "bicubic" })).toThrow(/"bicubic" takes a 4-d input only/);
    expect(() => F.gridSample(x, grid, { mode: "linear" as Mode })).toThrow(ValueError);
    expect(() => F.gridSample(x, grid, { paddingMode: "reflect" as Padding })).toThrow(/paddingMode/);
    expect(() => F.gridSample(x, grid, { alignCorners: 1 as unknown as boolean })).toThrow(ValueError);
    expect(() => F.gridSample(x, grid, { padding_mode: "zeros" } as object)).toThrow(/unknown option "padding_mode"/);
    expect(() => F.gridSample([1] as unknown as Tensor, grid)).toThrow(ValueError);
  });
});
