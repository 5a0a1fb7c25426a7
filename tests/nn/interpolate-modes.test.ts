// F.interpolate's weighted modes ("linear", "bilinear", "bicubic", "area", "nearest-exact") and
// the Upsample layers against float64 references written here from the definitions: PyTorch's
// source-index rule (alignCorners, 1/scaleFactor unless recomputed), the four-neighbour weights,
// Keys' cubic kernel with A = −0.75 and border clamping, adaptive averaging windows. Gradients by
// central differences; the checks PyTorch makes, as typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, ValueError, zeros, type Tensor } from "../../src/index.js";
import { describeSequential } from "../../src/io/onnx-layers.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, valuesFrom } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;
type Mode = "linear" | "bilinear" | "bicubic" | "area" | "nearest-exact";

/** Input [N, C, ...spatial] with values in [−2, 2]; `transposed` builds it as a non-contiguous view. */
function input(shape: number[], seed: number, dtype: "float32" | "float64", transposed: boolean): Tensor {
  const stored = transposed && shape.length === 4 ? [shape[0], shape[1], shape[3], shape[2]] : shape;
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -2, 2);
  const data = dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => v(i)) : Float32Array.from({ length: n }, (_, i) => v(i));
  const t = fromTypedArray(data, stored);
  return transposed && shape.length === 4 ? t.transpose(2, 3) : t;
}

/** The fractional source position of output o (PyTorch's area_pixel_compute_source_index). */
function position(o: number, inSize: number, outSize: number, align: boolean, factor: number | null, cubic: boolean): number {
  if (align) return outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
  const scale = factor !== null ? 1 / factor : inSize / outSize;
  const s = (o + 0.5) * scale - 0.5;
  return cubic || s >= 0 ? s : 0;
}

/**
 * Keys' cubic convolution kernel at distance d, A = −0.75, and the sum of its terms' magnitudes
 * (the weight is a sum of terms larger than itself: its rounding error scales with them).
 */
function keys(d: number): [number, number] {
  const a = -0.75, t = Math.abs(d);
  if (t <= 1) return [(a + 2) * t ** 3 - (a + 3) * t ** 2 + 1, Math.abs(a + 2) * t ** 3 + (a + 3) * t ** 2 + 1];
  if (t < 2) return [a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a, -a * (t ** 3 + 5 * t ** 2 + 8 * t + 4)];
  return [0, 0];
}

/**
 * [index, weight, weight's magnitude] for the inputs output o of one axis reads, from the
 * definitions of each mode.
 */
function weightsAlong(mode: Mode, o: number, inSize: number, outSize: number, align: boolean, factor: number | null): [number, number, number][] {
  if (mode === "area") {
    const lo = Math.floor((o * inSize) / outSize), hi = Math.ceil(((o + 1) * inSize) / outSize);
    return Array.from({ length: hi - lo }, (_, k) => [lo + k, 1 / (hi - lo), 1 / (hi - lo)]);
  }
  if (mode === "nearest-exact") {
    const scale = Math.fround(factor !== null ? 1 / factor : inSize / outSize);
    return [[Math.min(Math.floor(Math.fround((o + 0.5) * scale)), inSize - 1), 1, 1]];
  }
  const cubic = mode === "bicubic", s = position(o, inSize, outSize, align, factor, cubic);
  const base = Math.min(Math.floor(s), inSize - 1), t = s - base;
  const clampIdx = (i: number) => Math.max(0, Math.min(i, inSize - 1));
  // t carries the rounding of the position, ≈ u·|s|: the kernel's slope (below 2) times that.
  const slack = 2 * Math.abs(s);
  if (cubic) return [-1, 0, 1, 2].map((k) => { const [w, m] = keys(t - k); return [clampIdx(base + k), w, m + slack]; });
  return [[base, 1 - t, 1 + slack], [clampIdx(base + 1), t, 1 + slack]];
}

/** The float64 reference and, per output, Σ|weight·x| (the scale of its rounding error). */
function reference(x: Tensor, mode: Mode, out: number[], align: boolean, factors: (number | null)[]) {
  const spatial = x.shape.slice(2), planes = x.shape[0] * x.shape[1];
  const [H, W] = spatial.length === 2 ? spatial : [1, spatial[0]];
  const [OH, OW] = out.length === 2 ? out : [1, out[0]];
  const xs = Array.from(x.contiguous().data);
  const rows = Array.from({ length: OH }, (_, o) => (spatial.length === 2 ? weightsAlong(mode, o, H, OH, align, factors[0]) : [[0, 1, 1]] as [number, number, number][]));
  const cols = Array.from({ length: OW }, (_, o) => weightsAlong(mode, o, W, OW, align, factors[factors.length - 1]));
  const want: number[] = [], mag: number[] = [];
  for (let p = 0; p < planes; p++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let s = 0, m = 0;
    for (const [r, wr, mr] of rows[i]) for (const [c, wc, mc] of cols[j]) {
      const v = xs[p * H * W + r * W + c];
      s += wr * wc * v;
      m += mr * mc * Math.abs(v);
    }
    want.push(s);
    mag.push(m);
  }
  return { want, mag, taps: rows[0].length * cols[0].length };
}

const MODES_2D: Mode[] = ["bilinear", "bicubic", "area", "nearest-exact"];
const MODES_1D: Mode[] = ["linear", "area", "nearest-exact"];
const aligns = (m: Mode) => m === "linear" || m === "bilinear" || m === "bicubic";

describe("interpolate: weighted modes against the float64 definitions", () => {
  const arb = fc.record({
    twoD: fc.boolean(), modeIndex: fc.nat(), H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }),
    oh: fc.integer({ min: 1, max: 15 }), ow: fc.integer({ min: 1, max: 15 }), bySize: fc.boolean(), recompute: fc.boolean(),
    fh: fc.constantFrom(0.5, 0.75, 1, 1.3, 1.5, 2, 2.7, 3), fw: fc.constantFrom(0.6, 1, 1.25, 2, 2.5),
    align: fc.boolean(), dtype: fc.constantFrom("float32" as const, "float64" as const), transposed: fc.boolean(), seed: fc.nat(1000),
  });

  it("matches the reference for sizes, scale factors (1/s indexing or recomputed), alignCorners, dtypes and layouts", () => {
    fc.assert(fc.property(arb, (a) => {
      const modes = a.twoD ? MODES_2D : MODES_1D, mode = modes[a.modeIndex % modes.length];
      const inSizes = a.twoD ? [a.H, a.W] : [a.W];
      const factors = a.twoD ? [a.fh, a.fw] : [a.fw];
      const out = a.bySize ? (a.twoD ? [a.oh, a.ow] : [a.ow]) : inSizes.map((s, i) => Math.floor(s * factors[i]));
      fc.pre(out.every((s) => s >= 1));
      const align = aligns(mode) && a.align;
      const x = input([2, 3, ...inSizes], a.seed, a.dtype, a.transposed);
      const opts = a.bySize ? { size: out } : { scaleFactor: factors, recomputeScaleFactor: a.recompute };
      const y = F.interpolate(x, { ...opts, mode, ...(aligns(mode) ? { alignCorners: align } : {}) });
      expect(y.shape).toEqual([2, 3, ...out]);
      expect(y.dtype).toBe(a.dtype);
      const indexFactors = a.bySize || a.recompute ? factors.map(() => null) : factors;
      const { want, mag, taps } = reference(x, mode, out, align, indexFactors);
      expectWithin(y.data, want, (i) => gammaOf(a.dtype, 2 * taps + 4) * mag[i] + ETA32, `${mode} ${JSON.stringify(a)}`);
    }), { numRuns: 300 });
  });

  it("a scale factor indexes the source by 1/s, not in/out: the two differ when ⌊in·s⌋/in ≠ s", () => {
    const x = input([1, 1, 5, 5], 3, "float64", false);
    const given = F.interpolate(x, { scaleFactor: 1.7, mode: "bilinear" });
    const recomputed = F.interpolate(x, { scaleFactor: 1.7, mode: "bilinear", recomputeScaleFactor: true });
    const bySize = F.interpolate(x, { size: 8, mode: "bilinear" });
    expect(Array.from(recomputed.data)).toEqual(Array.from(bySize.data));
    expect(Array.from(given.data)).not.toEqual(Array.from(bySize.data));
    const { want } = reference(x, "bilinear", [8, 8], false, [1.7, 1.7]);
    expectWithin(given.data, want, () => 1e-14, "bilinear 1/s");
  });

  it("alignCorners keeps the corner values exactly, and a size equal to the input is the identity", () => {
    const x = input([1, 2, 4, 5], 4, "float64", false);
    for (const mode of ["bilinear", "bicubic"] as const) {
      const y = F.interpolate(x, { size: [7, 9], mode, alignCorners: true });
      for (const [r, c, R, C] of [[0, 0, 0, 0], [6, 8, 3, 4], [0, 8, 0, 4], [6, 0, 3, 0]]) {
        expect(y.data[r * 9 + c]).toBeCloseTo(x.data[R * 5 + C], 14);
      }
      expectWithin(F.interpolate(x, { size: [4, 5], mode }).data, x.data, () => 1e-15, `${mode} identity`);
    }
  });
});

describe("interpolate: gradients by central differences", () => {
  it("every weighted mode, 1-d and 2-d, up and down, with and without alignCorners", () => {
    const x2 = float64Input([1, 2, 3, 4], 1), x1 = float64Input([2, 2, 5], 2);
    for (const mode of MODES_2D) {
      assertGradByDifferences((x) => F.interpolate(x, { size: [5, 3], mode }), [x2], `${mode} 2-d size`);
      assertGradByDifferences((x) => F.interpolate(x, { scaleFactor: 1.5, mode }), [x2], `${mode} 2-d scale`);
    }
    for (const mode of ["bilinear", "bicubic"] as const) {
      assertGradByDifferences((x) => F.interpolate(x, { size: [6, 2], mode, alignCorners: true }), [x2], `${mode} aligned`);
    }
    for (const mode of MODES_1D) assertGradByDifferences((x) => F.interpolate(x, { size: 8, mode }), [x1], `${mode} 1-d`);
    assertGradByDifferences((x) => F.interpolate(x, { size: 3, mode: "linear", alignCorners: true }), [x1], "linear aligned down");
  });

  it("the float32 gradient is the float64 one rounded (same weights)", () => {
    const x64 = float64Input([1, 1, 3, 3], 5), x32 = fromTypedArray(Float32Array.from(x64.data), [1, 1, 3, 3], { requiresGrad: true });
    for (const t of [x64, x32]) F.interpolate(t, { size: [5, 4], mode: "bicubic" }).sum().backward();
    expectWithin(x32.grad!.data, x64.grad!.data, (i) => gammaOf("float32", 40) * (Math.abs(x64.grad!.data[i]) + 1), "f32 grad");
  });
});

describe("Upsample, UpsamplingNearest2d, UpsamplingBilinear2d", () => {
  const x = input([2, 2, 3, 4], 7, "float32", false);
  const same = (a: Tensor, b: Tensor) => expect(Array.from(a.data)).toEqual(Array.from(b.data));

  it("are F.interpolate with their mode; UpsamplingBilinear2d aligns corners, as PyTorch", () => {
    same(new nn.Upsample({ scaleFactor: 2, mode: "bicubic" }).forward(x), F.interpolate(x, { scaleFactor: 2, mode: "bicubic" }));
    same(new nn.Upsample({ size: [5, 5], mode: "bilinear", alignCorners: true }).forward(x), F.interpolate(x, { size: [5, 5], mode: "bilinear", alignCorners: true }));
    same(new nn.Upsample({ scaleFactor: 1.7, mode: "area", recomputeScaleFactor: true }).forward(x), F.interpolate(x, { size: [5, 6], mode: "area" }));
    same(new nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(x), F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true }));
    same(new nn.UpsamplingNearest2d({ size: [5, 7] }).forward(x), F.interpolate(x, { size: [5, 7] }));
    const up = new nn.UpsamplingBilinear2d({ size: 6 });
    expect(up.mode).toBe("bilinear");
    expect(up.alignCorners).toBe(true);
    expect(Object.keys(up.stateDict())).toEqual([]);
  });

  it("refuse what PyTorch refuses, before any work", () => {
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: "nearest", alignCorners: false })).toThrow(/alignCorners can only be set/);
    expect(() => new nn.Upsample({ size: 4, recomputeScaleFactor: true })).toThrow(ValueError);
    expect(() => new nn.UpsamplingBilinear2d({ scaleFactor: 2, mode: "bicubic" } as never)).toThrow(/unknown option "mode"/);
    expect(() => new nn.UpsamplingNearest2d({})).toThrow(/exactly one of size and scaleFactor/);
    expect(() => new nn.UpsamplingBilinear2d({ size: 4 }).forward(zeros([1, 2, 3]))).toThrow(ShapeError);
  });

  it("the ONNX exporter describes them as Resize, and refuses area and recomputeScaleFactor naming the layer (values: tests/io/onnx-layers-5.test.ts)", () => {
    for (const m of [new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }), new nn.UpsamplingBilinear2d({ size: 4 }), new nn.UpsamplingNearest2d({ size: 4 })]) {
      expect(describeSequential(new nn.Sequential(m)).map((l) => l.kind)).toEqual(["resize"]);
    }
    expect(() => describeSequential(new nn.Sequential(new nn.Upsample({ scaleFactor: 2, mode: "area" })))).toThrow(/Upsample.*area/);
    const recompute = new nn.Upsample({ scaleFactor: 2, mode: "bilinear", recomputeScaleFactor: true });
    expect(() => describeSequential(new nn.Sequential(recompute))).toThrow(ValueError);
  });
});

describe("interpolate: refused inputs and options", () => {
  const x4 = zeros([1, 2, 3, 3]), x3 = zeros([1, 2, 3]);
  it("alignCorners only with the interpolating modes (even false), and only booleans", () => {
    for (const mode of ["nearest", "area", "nearest-exact"] as const) {
      expect(() => F.interpolate(x4, { size: 4, mode, alignCorners: false })).toThrow(ValueError);
    }
    expect(() => F.interpolate(x4, { size: 4, mode: "bilinear", alignCorners: 1 as never })).toThrow(/alignCorners must be true, false or null, got 1/);
    expect(F.interpolate(x4, { size: 4, mode: "bilinear", alignCorners: null }).shape).toEqual([1, 2, 4, 4]);
  });

  it("each mode's rank, unknown modes, recomputeScaleFactor with a size, integer inputs, unknown options", () => {
    expect(() => F.interpolate(x4, { size: 4, mode: "linear" })).toThrow(/mode "linear" needs a 3-d \[N, C, L\] input, got shape \[1,2,3,3\]/);
    expect(() => F.interpolate(x3, { size: 4, mode: "bilinear" })).toThrow(ShapeError);
    expect(() => F.interpolate(x3, { size: 4, mode: "bicubic" })).toThrow(ShapeError);
    expect(() => F.interpolate(x4, { size: 4, mode: "trilinear" as never })).toThrow(/mode must be one of/);
    expect(() => F.interpolate(x4, { size: 4, mode: "bilinear", recomputeScaleFactor: true })).toThrow(/not meaningful with an explicit size/);
    expect(() => F.interpolate(x4, { scaleFactor: 2, recomputeScaleFactor: "yes" as never })).toThrow(ValueError);
    expect(() => F.interpolate(zeros([1, 2, 3, 3], { dtype: "int32" }), { size: 4, mode: "bilinear" })).toThrow(DTypeError);
    expect(() => F.interpolate(x4, { size: 4, mode: "bilinear", antialias: true } as never)).toThrow(/unknown option "antialias"/);
  });
});
