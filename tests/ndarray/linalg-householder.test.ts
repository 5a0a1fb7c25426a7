// householderProduct against the product of the reflectors I − τ·v·vᵀ written out in float64
// (fast-check m ≥ n ≥ k, batches, float32 and float64), gradients of A and tau by central
// differences, and the typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { matMul, type Mat } from "../support/linalg-reference.js";
import { mulberry32 } from "../support/mulberry32.js";

/** The first n columns of H₀·…·H_{k−1} for one m×n matrix a and its k taus, multiplied in order. */
function reference(a: Mat, tau: number[], n: number): Mat {
  const m = a.length;
  let q: Mat = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)));
  tau.forEach((t, r) => {
    const v = Array.from({ length: m }, (_, i) => (i < r ? 0 : i === r ? 1 : a[i][r]));
    q = matMul(q, v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - t * vi * vj)));
  });
  return q.map((row) => row.slice(0, n));
}

describe("householderProduct", () => {
  it("is the product of the reflectors, for any m ≥ n ≥ k and batch", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom<number[]>([], [2]),
      fc.constantFrom("float32" as const, "float64" as const), fc.integer({ min: 1, max: 1e9 }), (m0, n0, k0, batch, dtype, seed) => {
        const m = Math.max(m0, n0), n = Math.min(m0, n0), k = Math.min(k0, n), count = batch.reduce((p, d) => p * d, 1);
        const next = mulberry32(seed), round = (x: Float64Array) => (dtype === "float32" ? Float32Array.from(x) : x);
        const a = round(Float64Array.from({ length: count * m * n }, () => next() * 2 - 1)), tau = round(Float64Array.from({ length: count * k }, () => next() * 2));
        const Q = eg.householderProduct(eg.fromTypedArray(a, [...batch, m, n]), eg.fromTypedArray(tau, [...batch, k]));
        expect([Q.shape, Q.dtype]).toEqual([[...batch, m, n], dtype]);
        const got = Array.from(Q.data as ArrayLike<number>), u = dtype === "float32" ? 2 ** -24 : 2 ** -53;
        for (let t = 0; t < count; t++) {
          const mat = Array.from({ length: m }, (_, i) => Array.from(a.slice(t * m * n + i * n, t * m * n + (i + 1) * n)));
          const want = reference(mat, Array.from(tau.slice(t * k, (t + 1) * k)), n);
          // a few ulps per product, amplified by the reflectors' norms ‖I − τvvᵀ‖ ≤ 1 + |τ|·‖v‖²
          const taus = Array.from(tau.slice(t * k, (t + 1) * k));
          const scale = taus.reduce((p, tr, r) => p * (1 + Math.abs(tr) * (1 + mat.slice(r + 1).reduce((s, row) => s + row[r] ** 2, 0))), 1);
          want.forEach((row, i) => row.forEach((w, j) => {
            const g = got[t * m * n + i * n + j];
            if (!(Math.abs(g - w) <= 4 * (k + 1) * m * u * scale)) throw new Error(`Q[${i}][${j}] = ${g}, want ${w} (${m}×${n}, k ${k}, ${dtype})`);
          }));
        }
      }), { numRuns: 60 });
  });

  it("of geqrf-like factors is orthonormal; gradients for A and tau by central differences", () => {
    const A = float64Input([2, 4, 3], 7), tau = float64Input([2, 2], 8, 0.5, 1.5);
    assertGradByDifferences((a, t) => eg.householderProduct(a, t), [A, tau], "householderProduct");
    // τ = 2/‖v‖² makes each reflector orthogonal, so Q's columns are orthonormal
    const a = float64Input([3, 2], 9).detach(), v2 = [0, 1].map((r) => 1 + Array.from({ length: 3 - r - 1 }, (_, i) => (a.data[(r + 1 + i) * 2 + r] as number) ** 2).reduce((s, x) => s + x, 0));
    const Q = eg.householderProduct(a, eg.tensor(v2.map((x) => 2 / x), { dtype: "float64" }));
    const g = Q.transpose(0, 1).matmul(Q).data;
    [1, 0, 0, 1].forEach((w, i) => expect(Math.abs((g[i] as number) - w)).toBeLessThanOrEqual(16 * 2 ** -53));
  });

  it("typed errors", () => {
    expect(() => eg.householderProduct(eg.ones([2, 3]), eg.ones([2]))).toThrow(/at least as many rows as columns, got shape \[2,3\]/);
    expect(() => eg.householderProduct(eg.ones([4, 3]), eg.ones([4]))).toThrow(/tau has 4 reflectors but A only 3 columns/);
    expect(() => eg.householderProduct(eg.ones([2, 4, 3]), eg.ones([3, 2]))).toThrow(eg.ShapeError);
    expect(() => eg.householderProduct(eg.ones([4, 3]), eg.ones([2], { dtype: "float64" }))).toThrow(eg.DTypeError);
    expect(() => eg.householderProduct(eg.ones([4, 3], { dtype: "int32" }), eg.ones([2], { dtype: "int32" }))).toThrow(eg.DTypeError);
  });
});
