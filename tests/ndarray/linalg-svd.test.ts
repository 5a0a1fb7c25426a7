// svd and svdvals: matrices built with known singular values (fast-check: m < n, m > n, square,
// 1×1, batches, rank-deficient), the factors reconstructing A and orthonormal to a tolerance
// from the size, the values against the square roots of AᵀA's eigenvalues from an independent
// Jacobi, gradients by central differences, and the typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { batchTensor, frobenius, matrixAt, matMul, spreadValues, symmetricEigenvalues, transpose, withSingularValues, type Mat } from "../support/linalg-reference.js";

const U64 = 2 ** -53;
const unit = (dtype: string) => (dtype === "float32" ? 2 ** -24 : U64);

const problem = fc.record({
  m: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 6 }), batch: fc.constantFrom<number[]>([], [2], [2, 1]),
  dtype: fc.constantFrom("float32" as const, "float64" as const), kappa: fc.double({ min: 1, max: 1e4, noNaN: true }),
  zeros: fc.integer({ min: 0, max: 2 }), seed: fc.integer({ min: 1, max: 1e9 }), fullMatrices: fc.boolean(),
});

describe("svd", () => {
  it("U·diag(S)·Vh is A, U and Vh are orthonormal, S is the known singular values, descending", () => {
    fc.assert(fc.property(problem, ({ m, n, batch, dtype, kappa, zeros, seed, fullMatrices }) => {
      const k = Math.min(m, n), count = batch.reduce((p, d) => p * d, 1), big = Math.max(m, n);
      const sigma = spreadValues(k, kappa, Math.min(zeros, k - 1));
      const mats = Array.from({ length: count }, (_, t) => withSingularValues(m, n, sigma, seed + t));
      const A = batchTensor(mats, dtype, [...batch, m, n]);
      const [U, S, Vh] = eg.svd(A, { fullMatrices });
      expect([U.shape, S.shape, Vh.shape]).toEqual([[...batch, m, fullMatrices ? m : k], [...batch, k], [...batch, fullMatrices ? n : k, n]]);
      expect([U.dtype, S.dtype, Vh.dtype]).toEqual([dtype, dtype, dtype]);
      const u = unit(dtype);
      for (let t = 0; t < count; t++) {
        const a = matrixAt(A, t), uu = matrixAt(U, t), vh = matrixAt(Vh, t), s = Array.from(S.data as ArrayLike<number>).slice(t * k, (t + 1) * k);
        const normA = frobenius(a);
        // Weyl: the input's rounding moves each singular value by at most ‖ΔA‖₂ ≤ u·‖A‖_F;
        // the float64 computation adds a few ulps of σ_max per rotation sweep, the output one rounding.
        for (let i = 0; i < k; i++) {
          const tol = u * normA + 20 * big * U64 * sigma[0] + u * sigma[i];
          if (!(Math.abs(s[i] - sigma[i]) <= tol)) throw new Error(`σ${i}: ${s[i]} vs ${sigma[i]} (${m}×${n} ${dtype})`);
          if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        }
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let got = 0, abs = 0;
            for (let p = 0; p < k; p++) { got += uu[i][p] * s[p] * vh[p][j]; abs += Math.abs(uu[i][p] * s[p] * vh[p][j]); }
            const tol = (3 * u + 2 * k * U64) * abs + 20 * big * U64 * sigma[0] + u * normA;
            if (!(Math.abs(got - a[i][j]) <= tol)) throw new Error(`A[${i}][${j}]: ${got} vs ${a[i][j]} (${m}×${n} ${dtype})`);
          }
        }
        const orthonormal = (q: Mat, what: string) => {
          const g = matMul(transpose(q), q), tol = 4 * q.length * u + 20 * big * U64;
          g.forEach((r, i) => r.forEach((x, j) => { if (!(Math.abs(x - (i === j ? 1 : 0)) <= tol)) throw new Error(`${what}ᵀ${what}[${i}][${j}] = ${x} (${m}×${n} ${dtype})`); }));
        };
        orthonormal(uu, "U");
        orthonormal(transpose(vh), "V");
      }
    }), { numRuns: 60 });
  });

  it("svdvals are the square roots of the eigenvalues of AᵀA (or AAᵀ), from an independent Jacobi", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 1e9 }), (m, n, seed) => {
      let s0 = seed;
      const a = Array.from({ length: m }, () => Array.from({ length: n }, () => { s0 = (s0 * 1103515245 + 12345) % 2 ** 31; return s0 / 2 ** 30 - 1; }));
      const gram = m >= n ? matMul(transpose(a), a) : matMul(a, transpose(a));
      const lambda = symmetricEigenvalues(gram).reverse();
      const s = Array.from(eg.svdvals(batchTensor([a], "float64", [m, n])).data as ArrayLike<number>);
      const normA2 = frobenius(a) ** 2;
      s.forEach((x, i) => {
        // |σ² − λ| ≤ a few ulps of ‖A‖_F² per entry of the Gram matrix and rotation
        const tol = (8 * Math.max(m, n) * U64 * normA2) / (x + Math.sqrt(Math.max(lambda[i], 0)) || 1) + 1e-12;
        if (!(Math.abs(x - Math.sqrt(Math.max(lambda[i], 0))) <= tol)) throw new Error(`σ${i} = ${x}, √λ = ${Math.sqrt(lambda[i])} (${m}×${n})`);
      });
    }), { numRuns: 60 });
  });

  it("zero-sized matrices and the zero matrix", () => {
    const [U, S, Vh] = eg.svd(eg.zeros([2, 0, 3]));
    expect([U.shape, S.shape, Vh.shape]).toEqual([[2, 0, 0], [2, 0], [2, 3, 3]]);
    expect(Array.from(Vh.data)).toEqual(Array.from(eg.eye(3).data).concat(Array.from(eg.eye(3).data)));
    const z = eg.svd(eg.zeros([3, 2]), { fullMatrices: false });
    expect(Array.from(z[1].data)).toEqual([0, 0]);
    expect(Array.from(z[0].transpose(0, 1).matmul(z[0]).data)).toEqual([1, 0, 0, 1]);
  });

  it("gradients of U, S, Vh, svdvals by central differences (distinct singular values)", () => {
    for (const [m, n] of [[3, 3], [4, 2], [2, 4], [1, 1], [1, 3], [3, 1]]) {
      const k = Math.min(m, n), sigma = spreadValues(k, 3);
      const mats = [withSingularValues(m, n, sigma, 7 * m + n), withSingularValues(m, n, sigma.map((x) => x + 0.5), 11 * n + m)];
      const A = batchTensor(mats, "float64", [2, m, n], true);
      const what = `${m}×${n}`;
      assertGradByDifferences((x) => eg.svdvals(x), [A], `svdvals ${what}`);
      assertGradByDifferences((x) => eg.svd(x, { fullMatrices: false })[1], [A], `S ${what}`);
      assertGradByDifferences((x) => eg.svd(x, { fullMatrices: false })[0], [A], `U ${what}`);
      assertGradByDifferences((x) => eg.svd(x, { fullMatrices: false })[2], [A], `Vh ${what}`);
      // the polar factor U·Vh does not depend on the signs of the vectors
      assertGradByDifferences((x) => { const [U, , Vh] = eg.svd(x, { fullMatrices: false }); return U.matmul(Vh); }, [A], `U·Vh ${what}`);
      // fullMatrices: the first k columns of U (rows of Vh) carry the same gradient
      assertGradByDifferences((x) => { const [U, S, Vh] = eg.svd(x); return eg.narrow(U, -1, 0, k).mul(S.unsqueeze(-2)).matmul(eg.narrow(Vh, -2, 0, k)).mul(eg.narrow(U, -1, 0, 1)); }, [A], `full ${what}`);
    }
  });

  it("fullMatrices: the gradient reaching U's columns and Vh's rows past min(m, n) is ignored, as PyTorch 1.13", () => {
    for (const [m, n] of [[4, 2], [2, 4]]) {
      const A = batchTensor([withSingularValues(m, n, [2, 1], 3)], "float64", [m, n], true);
      const [U, , Vh] = eg.svd(A);
      eg.narrow(U, -1, 2, m - 2).sum().add(eg.narrow(Vh, -2, 2, n - 2).sum()).backward();
      expect(Array.from(A.grad!.data)).toEqual(new Array(m * n).fill(0));
    }
  });

  it("float32 input gives float32 gradients", () => {
    const A = batchTensor([withSingularValues(3, 2, [2, 1], 5)], "float32", [3, 2], true);
    eg.svdvals(A).sum().backward();
    expect(A.grad?.dtype).toBe("float32");
    // d(Σσ)/dA = U·Vh
    const [U, , Vh] = eg.svd(A.detach(), { fullMatrices: false });
    const want = Array.from(U.matmul(Vh).data);
    Array.from(A.grad!.data).forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(4 * 2 ** -24));
  });

  it("typed errors", () => {
    expect(() => eg.svd(eg.ones([3]))).toThrow(eg.ShapeError);
    expect(() => eg.svd(eg.ones([3]))).toThrow(/shape \[3\]/);
    expect(() => eg.svdvals(eg.ones([2, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => eg.svd(eg.ones([2, 2]), { fullMatrices: 1 } as never)).toThrow(eg.ValueError);
    expect(() => eg.svd(eg.ones([2, 2]), { full_matrices: false } as never)).toThrow(/unknown option "full_matrices"/);
    expect(() => eg.svd([[1, 2]] as never)).toThrow(eg.ValueError);
  });
});
