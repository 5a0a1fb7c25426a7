// pinv, lstsq and matrixRank: matrices built with known singular values (fast-check: m < n,
// m > n, batches, 1×1, rank-deficient), the pseudo-inverse checked by the four Penrose
// conditions (which define it uniquely) in float64, least squares by the normal equations and
// an independent Gaussian elimination, ranks against the known count, gradients by central
// differences, and the typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { batchTensor, frobenius, gaussSolve, matrixAt, matMul, orthogonal, spreadValues, transpose, withSingularValues, type Mat } from "../support/linalg-reference.js";
import { mulberry32 } from "../support/mulberry32.js";

const U64 = 2 ** -53;
const unit = (dtype: string) => (dtype === "float32" ? 2 ** -24 : U64);
const sub = (a: Mat, b: Mat) => a.map((r, i) => r.map((x, j) => x - b[i][j]));
const maxAbs = (a: Mat) => Math.max(0, ...a.flat().map(Math.abs));

const problem = fc.record({
  m: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 6 }), batch: fc.constantFrom<number[]>([], [3]),
  dtype: fc.constantFrom("float32" as const, "float64" as const), kappa: fc.double({ min: 1, max: 1e3, noNaN: true }),
  zeros: fc.integer({ min: 0, max: 2 }), seed: fc.integer({ min: 1, max: 1e9 }),
});

function build(p: { m: number; n: number; batch: number[]; dtype: "float32" | "float64"; kappa: number; zeros: number; seed: number }) {
  const k = Math.min(p.m, p.n), count = p.batch.reduce((a, d) => a * d, 1);
  const sigma = spreadValues(k, p.kappa, Math.min(p.zeros, k - 1));
  const A = batchTensor(Array.from({ length: count }, (_, t) => withSingularValues(p.m, p.n, sigma, p.seed + t)), p.dtype, [...p.batch, p.m, p.n]);
  return { A, sigma, count, k };
}

describe("pinv", () => {
  it("satisfies the four Penrose conditions, including rank-deficient matrices", () => {
    fc.assert(fc.property(problem, (p) => {
      const { A, count, sigma } = build(p);
      const X = eg.pinv(A);
      expect(X.shape).toEqual([...p.batch, p.n, p.m]);
      // each condition's error is a few roundings of the inputs times the condition number
      const tol = 40 * Math.max(p.m, p.n) * unit(p.dtype) * p.kappa;
      for (let t = 0; t < count; t++) {
        const a = matrixAt(A, t), x = matrixAt(X, t), ax = matMul(a, x), xa = matMul(x, a);
        const na = frobenius(a), nx = frobenius(x) || 1;
        const checks: [string, number, number][] = [
          ["A·X·A = A", maxAbs(sub(matMul(ax, a), a)), tol * na],
          ["X·A·X = X", maxAbs(sub(matMul(xa, x), x)), tol * nx * p.kappa],
          ["(A·X)ᵀ = A·X", maxAbs(sub(ax, transpose(ax))), tol],
          ["(X·A)ᵀ = X·A", maxAbs(sub(xa, transpose(xa))), tol],
        ];
        for (const [what, err, bound] of checks) if (!(err <= bound)) throw new Error(`${what}: error ${err} > ${bound} (${p.m}×${p.n} ${p.dtype} σ ${sigma})`);
      }
    }), { numRuns: 60 });
  });

  it("hermitian: the same pseudo-inverse from eigh, reading the lower triangle", () => {
    const next = mulberry32(3), q = orthogonal(4, next), lam = [3, -2, 0.5, 0];
    const a = q.map((r) => q.map((s) => r.reduce((acc, x, k) => acc + x * lam[k] * s[k], 0)));
    const sym = a.map((r, i) => r.map((x, j) => (i >= j ? x : 99))); // the upper triangle is never read
    const X = matrixAt(eg.pinv(batchTensor([sym], "float64", [4, 4]), { hermitian: true }), 0);
    // A⁺ = Q·diag(1/λ, 0 for λ = 0)·Qᵀ
    const want = q.map((r) => q.map((s) => r.reduce((acc, x, k) => acc + (lam[k] === 0 ? 0 : x * s[k] / lam[k]), 0)));
    expect(maxAbs(sub(X, want))).toBeLessThanOrEqual(200 * U64 * 4);
  });

  it("atol and rtol cut singular values as PyTorch's max(atol, rtol·σ_max)", () => {
    const A = batchTensor([withSingularValues(3, 3, [4, 2, 1], 9)], "float64", [3, 3]);
    const rankOf = (X: eg.Tensor) => Math.round(eg.trace(A.matmul(X)).item()); // A·A⁺ projects onto the kept space
    expect([rankOf(eg.pinv(A)), rankOf(eg.pinv(A, { rtol: 0.3 })), rankOf(eg.pinv(A, { atol: 1.5 })), rankOf(eg.pinv(A, { atol: 1.5, rtol: 0.6 }))]).toEqual([3, 2, 2, 1]);
  });

  it("gradients by central differences, full rank", () => {
    for (const [m, n] of [[3, 3], [4, 2], [2, 4], [1, 1]]) {
      const sigma = spreadValues(Math.min(m, n), 3);
      const A = batchTensor([withSingularValues(m, n, sigma, m + 5 * n), withSingularValues(m, n, sigma, m + 7 * n)], "float64", [2, m, n], true);
      assertGradByDifferences((x) => eg.pinv(x), [A], `pinv ${m}×${n}`);
    }
    const next = mulberry32(4), q = orthogonal(3, next), lam = [3, -2, 1];
    const S = batchTensor([q.map((r) => q.map((s) => r.reduce((acc, x, k) => acc + x * lam[k] * s[k], 0)))], "float64", [3, 3], true);
    assertGradByDifferences((x) => eg.pinv(x.add(x.transpose(0, 1)).mul(0.5), { hermitian: true }), [S], "pinv hermitian");
  });

  it("typed errors", () => {
    expect(() => eg.pinv(eg.ones([3]))).toThrow(eg.ShapeError);
    expect(() => eg.pinv(eg.ones([2, 3]), { hermitian: true })).toThrow(/hermitian needs square matrices, got shape \[2,3\]/);
    expect(() => eg.pinv(eg.ones([2, 2]), { rtol: -1 })).toThrow(eg.ValueError);
    expect(() => eg.pinv(eg.ones([2, 2]), { rcond: 1 } as never)).toThrow(/unknown option "rcond"/);
    expect(() => eg.pinv(eg.ones([2, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(eg.pinv(eg.zeros([2, 0, 3])).shape).toEqual([2, 3, 0]);
  });
});

describe("lstsq", () => {
  it("full column rank: the normal equations; full row rank: the minimum-norm solution Aᵀ(AAᵀ)⁻¹B", () => {
    fc.assert(fc.property(problem, fc.integer({ min: 1, max: 3 }), fc.boolean(), (p, cols, vector) => {
      const { A, count } = build({ ...p, zeros: 0 });
      const next = mulberry32(p.seed ^ 5);
      const bShape = vector ? [...p.batch, p.m] : [...p.batch, p.m, cols];
      const values = Float64Array.from({ length: bShape.reduce((a, d) => a * d, 1) }, () => next() * 2 - 1);
      const B = eg.fromTypedArray(p.dtype === "float32" ? Float32Array.from(values) : values, bShape);
      const { solution, rank } = eg.lstsq(A, B);
      expect(solution.shape).toEqual(vector ? [...p.batch, p.n] : [...p.batch, p.n, cols]);
      expect([rank.dtype, rank.shape, Array.from(rank.data)]).toEqual(["int32", p.batch, new Array(count).fill(Math.min(p.m, p.n))]);
      const c = vector ? 1 : cols, tol = 40 * Math.max(p.m, p.n) * unit(p.dtype) * p.kappa ** 2;
      for (let t = 0; t < count; t++) {
        const a = matrixAt(A, t), x = matrixAt(solution.reshape([count, p.n, c]), t), b = matrixAt(B.reshape([count, p.m, c]), t);
        const scale = frobenius(a) * (frobenius(a) * frobenius(x) + frobenius(b)) + 1e-300;
        if (p.m >= p.n) {
          const err = maxAbs(matMul(transpose(a), sub(matMul(a, x), b)));
          if (!(err <= tol * scale)) throw new Error(`Aᵀ(AX − B): ${err} > ${tol * scale} (${p.m}×${p.n} ${p.dtype})`);
        } else {
          const want = matMul(transpose(a), gaussSolve(matMul(a, transpose(a)), b));
          const err = maxAbs(sub(x, want));
          if (!(err <= tol * (frobenius(want) + frobenius(b)))) throw new Error(`X vs Aᵀ(AAᵀ)⁻¹B: ${err} (${p.m}×${p.n} ${p.dtype})`);
        }
      }
    }), { numRuns: 60 });
  });

  it("rank-deficient: the rank, and the normal equations still hold", () => {
    const A = batchTensor([withSingularValues(5, 4, [3, 2, 0, 0], 21)], "float64", [5, 4]);
    const B = batchTensor([Array.from({ length: 5 }, (_, i) => [i - 2, 1])], "float64", [5, 2]);
    const { solution, rank } = eg.lstsq(A, B);
    expect(rank.item()).toBe(2);
    const a = matrixAt(A, 0), x = matrixAt(solution, 0);
    expect(maxAbs(matMul(transpose(a), sub(matMul(a, x), matrixAt(B, 0))))).toBeLessThanOrEqual(1e3 * U64 * 9);
  });

  it("gradients with respect to A and B by central differences", () => {
    for (const [m, n] of [[4, 2], [3, 3], [2, 3]]) {
      const A = batchTensor([withSingularValues(m, n, spreadValues(Math.min(m, n), 2), m * n)], "float64", [m, n], true);
      const B = batchTensor([Array.from({ length: m }, (_, i) => [i + 0.5, 1 - i])], "float64", [m, 2], true);
      assertGradByDifferences((a, b) => eg.lstsq(a, b).solution, [A, B], `lstsq ${m}×${n}`);
    }
  });

  it("typed errors", () => {
    expect(() => eg.lstsq(eg.ones([3, 2]), eg.ones([2, 1]))).toThrow(/A has 3 rows but B has 2/);
    expect(() => eg.lstsq(eg.ones([3, 2]), eg.ones([3, 1], { dtype: "float64" }))).toThrow(eg.DTypeError);
    expect(() => eg.lstsq(eg.ones([3, 2]), eg.ones([3, 1]), { driver: "gelsd" } as never)).toThrow(/driver must be "gelsy"/);
    expect(() => eg.lstsq(eg.ones([3, 2]), eg.ones([3, 1]), { rcond: Number.NaN })).toThrow(eg.ValueError);
    expect(() => eg.lstsq(eg.ones([3, 2]), eg.ones([3, 1]), { rcnd: 1 } as never)).toThrow(/unknown option "rcnd"/);
  });
});

describe("matrixRank", () => {
  it("counts the singular values that were built nonzero", () => {
    fc.assert(fc.property(problem, (p) => {
      const { A, count, k } = build(p);
      const r = eg.matrixRank(A);
      expect([r.dtype, r.shape]).toEqual(["int32", p.batch]);
      expect(Array.from(r.data)).toEqual(new Array(count).fill(k - Math.min(p.zeros, k - 1)));
    }), { numRuns: 60 });
  });

  it("atol, rtol and hermitian", () => {
    const A = batchTensor([withSingularValues(4, 3, [4, 2, 1], 2)], "float64", [4, 3]);
    expect([eg.matrixRank(A, { rtol: 0.4 }), eg.matrixRank(A, { atol: 3 }), eg.matrixRank(A, { atol: 0.5, rtol: 0.6 })].map((t) => t.item())).toEqual([2, 1, 1]);
    const S = eg.tensor([[2, 0, 0], [0, -3, 0], [0, 0, 0]], { dtype: "float64" });
    expect([eg.matrixRank(S, { hermitian: true }).item(), eg.matrixRank(S, { hermitian: true, atol: 2.5 }).item()]).toEqual([2, 1]);
    expect(eg.matrixRank(eg.zeros([2, 0, 3])).shape).toEqual([2]);
    expect(() => eg.matrixRank(eg.ones([2, 3]), { hermitian: true })).toThrow(eg.ShapeError);
    expect(() => eg.matrixRank(eg.ones([2, 3]), { tol: 1 } as never)).toThrow(/unknown option "tol"/);
  });
});
