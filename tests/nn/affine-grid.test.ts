// F.affineGrid against θ·(x, y[, z], 1) written out here in float64 (x the width's evenly spaced
// normalized coordinates, scaled by (n−1)/n without alignCorners), over batches, sizes and θ drawn
// by fast-check; θ's gradient by central differences, alone and through gridSample (the spatial
// transformer); the refusals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Normalized coordinate of pixel i of n: linspace(−1, 1, n), times (n−1)/n without alignCorners; 0 for one pixel. */
const coordinate = (i: number, n: number, align: boolean) => (n === 1 ? 0 : (-1 + (2 * i) / (n - 1)) * (align ? 1 : (n - 1) / n));

describe("affineGrid", () => {
  it("is θ·(x, y[, z], 1) at every pixel, 2-d and 3-d, both alignments (float64 reference)", () => {
    const arb = fc.record({
      dims: fc.constantFrom(2, 3), N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 3 }),
      spatial: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }), align: fc.boolean(),
      dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"), seed: fc.nat(10000),
    });
    fc.assert(fc.property(arb, ({ dims, N, C, spatial, align, dtype, seed }) => {
      const sizes = spatial.slice(0, dims), theta = sampleTensor([N, dims, dims + 1], seed, dtype);
      const grid = F.affineGrid(theta, [N, C, ...sizes], { alignCorners: align });
      expect(grid.shape).toEqual([N, ...sizes, dims]);
      expect(grid.dtype).toBe(dtype);
      const th = theta.data, P = prod(sizes), want = new Float64Array(N * P * dims), mag = new Float64Array(N * P * dims);
      for (let n = 0; n < N; n++) {
        for (let p = 0; p < P; p++) {
          // Pixel p's index along each spatial axis, row-major; base = (x, y[, z], 1), x along the last axis.
          const idx = sizes.map((_, a) => Math.floor(p / prod(sizes.slice(a + 1))) % sizes[a]);
          const base = [...idx.map((i, a) => coordinate(i, sizes[a], align)).reverse(), 1];
          for (let r = 0; r < dims; r++) {
            const o = (n * P + p) * dims + r;
            base.forEach((b, j) => { want[o] += th[(n * dims + r) * (dims + 1) + j] * b; mag[o] += Math.abs(th[(n * dims + r) * (dims + 1) + j] * b); });
          }
        }
      }
      // One rounding to the dtype after a float64 sum of dims + 1 products (and coordinates a few ulps apart).
      expectWithin(grid.data, want, (i) => unitOf(dtype) * Math.abs(want[i]) + 2 ** -48 * mag[i] + ETA32, `affineGrid ${dims}-d`);
    }), { numRuns: 200 });
  });

  it("θ's gradient by central differences, 2-d and 3-d", () => {
    for (const align of [false, true]) {
      assertGradByDifferences((t) => F.affineGrid(t, [2, 1, 3, 4], { alignCorners: align }), [float64Input([2, 2, 3], 1)], "affineGrid 2-d");
      assertGradByDifferences((t) => F.affineGrid(t, [1, 2, 2, 3, 2], { alignCorners: align }), [float64Input([1, 3, 4], 2)], "affineGrid 3-d");
    }
  });

  it("the spatial transformer: gridSample(x, affineGrid(θ)) differentiable in θ and x", () => {
    // A slight shear, zoom and shift whose sample points all lie at least 0.1 pixel from a pixel
    // centre (bilinear's kinks, the border's clip) and from a half pixel (reflection's folds), checked first.
    const theta = fromTypedArray(Float64Array.of(0.814, 0.003, 0.072, -0.038, 1.211, -0.002), [1, 2, 3], { requiresGrad: true });
    const x = float64Input([1, 2, 5, 6], 3), size = [1, 2, 4, 5];
    const grid = F.affineGrid(theta, size).data;
    for (let i = 0; i < grid.length; i++) {
      const n = i % 2 === 0 ? 6 : 5, u = ((grid[i] + 1) * n - 1) / 2;
      expect(Math.abs(2 * u - Math.round(2 * u)) / 2, `grid entry ${i}`).toBeGreaterThan(0.1);
    }
    for (const padding of ["zeros", "border", "reflection"] as const) {
      assertGradByDifferences((t, a) => F.gridSample(a, F.affineGrid(t, size), { paddingMode: padding }), [theta, x], `transformer ${padding}`);
    }
  });

  it("refuses bad theta, sizes and options with typed errors", () => {
    const theta = zeros([2, 2, 3]);
    expect(() => F.affineGrid(zeros([2, 2, 3], { dtype: "int32" }), [2, 1, 3, 3])).toThrow(DTypeError);
    expect(() => F.affineGrid(theta, [2, 1, 3])).toThrow(/size must be \[N, C, H, W\] or \[N, C, D, H, W\]/);
    expect(() => F.affineGrid(theta, [2, 0, 3, 3])).toThrow(ValueError);
    expect(() => F.affineGrid(theta, [2, 1, 3.5, 3])).toThrow(ValueError);
    expect(() => F.affineGrid(theta, [3, 1, 3, 3])).toThrow(/theta must be \[N, 2, 3\] with N = 3 for size \[3,1,3,3\], got shape \[2,2,3\]/);
    expect(() => F.affineGrid(theta, [2, 1, 3, 3, 3])).toThrow(ShapeError);
    expect(() => F.affineGrid(zeros([2, 3, 4]), [2, 1, 3, 3])).toThrow(ShapeError);
    expect(() => F.affineGrid(theta, [2, 1, 3, 3], { alignCorners: "yes" as unknown as boolean })).toThrow(ValueError);
    expect(() => F.affineGrid(theta, [2, 1, 3, 3], { align_corners: true } as object)).toThrow(/unknown option "align_corners"/);
    expect(() => F.affineGrid([1] as unknown as Tensor, [2, 1, 3, 3])).toThrow(ValueError);
  });
});
