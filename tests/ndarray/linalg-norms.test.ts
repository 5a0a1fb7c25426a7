// vectorNorm, matrixNorm, cond, eigvalsh and multiDot against their definitions written out in
// float64 (fast-check shapes and values), matrices built with known singular values for the
// spectral norms, gradients by central differences, and the typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { batchTensor, gaussSolve, matrixAt, matMul, spreadValues, symmetricEigenvalues, withSingularValues, type Mat } from "../support/linalg-reference.js";
import { mulberry32 } from "../support/mulberry32.js";

const U64 = 2 ** -53;
const unit = (dtype: string) => (dtype === "float32" ? 2 ** -24 : U64);
const randomMat = (m: number, n: number, seed: number): Mat => { const next = mulberry32(seed); return Array.from({ length: m }, () => Array.from({ length: n }, () => next() * 4 - 2)); };

describe("vectorNorm", () => {
  it("is (Σ|x|^p)^(1/p), max/min |x| or the count of nonzeros, over the dims asked", () => {
    const ords = [2, 1, 3, 0.5, -1, Infinity, -Infinity, 0];
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(...ords), fc.constantFrom<number | number[] | undefined>(undefined, 0, 1, [0, 1]), fc.boolean(),
      (r, c, ord, dim, keepdim) => {
        const a = randomMat(r, c, r * 31 + c);
        if (ord === 0) a[0][0] = 0;
        const x = batchTensor([a], "float64", [r, c]);
        const y = eg.vectorNorm(x, { ord, dim, keepdim });
        const axes = dim === undefined ? [0, 1] : typeof dim === "number" ? [dim] : dim;
        const groups: number[][] = axes.length === 2 ? [a.flat()] : axes[0] === 0 ? a[0].map((_, j) => a.map((row) => row[j])) : a;
        const want = groups.map((g) => {
          const v = g.map(Math.abs);
          if (ord === 0) return v.filter((e) => e !== 0).length;
          if (ord === Infinity) return Math.max(...v);
          if (ord === -Infinity) return Math.min(...v);
          return v.reduce((s, e) => s + e ** ord, 0) ** (1 / ord);
        });
        expect(y.shape).toEqual(keepdim ? [r, c].map((d, i) => (axes.includes(i) ? 1 : d)) : [r, c].filter((_, i) => !axes.includes(i)));
        Array.from(y.data as ArrayLike<number>).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(8 * r * c * U64 * Math.abs(want[i]) + 1e-300));
      }), { numRuns: 80 });
  });

  it("gradient by central differences, and its errors", () => {
    const x = float64Input([3, 4], 5);
    for (const ord of [2, 3, 1, Infinity]) assertGradByDifferences((t) => eg.vectorNorm(t, { ord, dim: 1 }), [x], `vectorNorm ord ${ord}`);
    expect(() => eg.vectorNorm(x, { ord: "fro" } as never)).toThrow(eg.ValueError);
    expect(() => eg.vectorNorm(x, { p: 2 } as never)).toThrow(/unknown option "p"/);
    expect(() => eg.vectorNorm(eg.ones([2], { dtype: "int32" }))).toThrow(eg.DTypeError);
  });
});

/** The ord-norm of one matrix by its definition; σ from how it was built. */
function matrixNormRef(a: Mat, sigma: number[], ord: string | number): number {
  const colSums = a[0].map((_, j) => a.reduce((s, r) => s + Math.abs(r[j]), 0)), rowSums = a.map((r) => r.reduce((s, x) => s + Math.abs(x), 0));
  switch (ord) {
    case "fro": return Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));
    case "nuc": return sigma.reduce((s, x) => s + x, 0);
    case 1: return Math.max(...colSums);
    case -1: return Math.min(...colSums);
    case Infinity: return Math.max(...rowSums);
    case -Infinity: return Math.min(...rowSums);
    case 2: return Math.max(...sigma);
    default: return Math.min(...sigma);
  }
}

describe("matrixNorm", () => {
  const ords = ["fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity] as const;
  it("every ord against its definition, on any two dims, with keepdim", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(...ords), fc.constantFrom("float32" as const, "float64" as const), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e9 }),
      (m, n, ord, dtype, moved, keepdim, seed) => {
        const sigma = spreadValues(Math.min(m, n), 10).map((s) => 3 * s);
        const mats = [withSingularValues(m, n, sigma, seed), withSingularValues(m, n, sigma, seed + 1)];
        let A = batchTensor(mats, dtype, [2, m, n]);
        // moved: the matrices live in dims [0, 2] of a [m, 2, n] tensor
        if (moved) A = A.permute([1, 0, 2]);
        const dim: [number, number] = moved ? [0, 2] : [-2, -1];
        const y = eg.matrixNorm(A, { ord, dim, keepdim });
        expect(y.shape).toEqual(keepdim ? (moved ? [1, 2, 1] : [2, 1, 1]) : [2]);
        const got = Array.from(y.data as ArrayLike<number>);
        mats.forEach((a, t) => {
          const exact = matrixAt(batchTensor([a], dtype, [m, n]), 0); // the matrix as the dtype holds it
          const want = matrixNormRef(exact, sigma, ord), fro = matrixNormRef(exact, sigma, "fro");
          // the rounding of A moves σ by ≤ u·‖A‖_F (Weyl); sums and the float64 SVD add a few ulps
          const tol = 4 * unit(dtype) * (Math.abs(want) + Math.min(m, n) * fro) + 40 * Math.max(m, n) * U64 * fro;
          if (!(Math.abs(got[t] - want) <= tol)) throw new Error(`ord ${ord} ${m}×${n} ${dtype}: ${got[t]} vs ${want}`);
        });
      }), { numRuns: 80 });
  });

  it("gradients by central differences", () => {
    const A = batchTensor([withSingularValues(3, 4, [3, 2, 1], 8), withSingularValues(3, 4, [2.5, 1.5, 0.5], 9)], "float64", [2, 3, 4], true);
    for (const ord of ords) assertGradByDifferences((x) => eg.matrixNorm(x, { ord }), [A], `matrixNorm ${String(ord)}`);
    assertGradByDifferences((x) => eg.matrixNorm(x, { ord: "nuc", dim: [0, 2], keepdim: true }), [A], "matrixNorm nuc dim [0, 2]");
  });

  it("typed errors", () => {
    expect(() => eg.matrixNorm(eg.ones([3]))).toThrow(eg.ShapeError);
    expect(() => eg.matrixNorm(eg.ones([3, 3]), { ord: 3 })).toThrow(/ord must be "fro", "nuc"/);
    expect(() => eg.matrixNorm(eg.ones([3, 3]), { dim: [1, 1] })).toThrow(/two different dims/);
    expect(() => eg.matrixNorm(eg.ones([3, 3]), { dim: [0, 5] })).toThrow(eg.ShapeError);
    expect(() => eg.matrixNorm(eg.ones([3, 3]), { p: 2 } as never)).toThrow(/unknown option "p"/);
    expect(eg.matrixNorm(eg.zeros([0, 3])).item()).toBe(0);
  });
});

describe("cond", () => {
  it("p = ±2 is σ_max/σ_min from the built singular values; other p are ‖A‖·‖A⁻¹‖", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 1, max: 1e3, noNaN: true }), fc.integer({ min: 1, max: 1e9 }), (m, n, kappa, seed) => {
      const sigma = spreadValues(Math.min(m, n), kappa), a = withSingularValues(m, n, sigma, seed);
      const A = batchTensor([a], "float64", [m, n]);
      const tol = 40 * Math.max(m, n) * U64 * kappa * kappa;
      const ratio = sigma[0] / sigma[sigma.length - 1]; // κ, or 1 for a single singular value
      expect(Math.abs(eg.cond(A).item() - ratio)).toBeLessThanOrEqual(tol);
      expect(Math.abs(eg.cond(A, { p: -2 }).item() - 1 / ratio)).toBeLessThanOrEqual(tol);
      if (m !== n) return;
      const inv = gaussSolve(a, a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0))));
      for (const p of ["fro", "nuc", 1, -1, Infinity, -Infinity] as const) {
        const invSigma = sigma.map((s) => 1 / s);
        const want = matrixNormRef(a, sigma, p) * matrixNormRef(inv, invSigma, p);
        expect(Math.abs(eg.cond(A, { p }).item() - want)).toBeLessThanOrEqual(tol * want);
      }
    }), { numRuns: 50 });
  });

  it("a singular matrix has condition number Infinity; batches keep the others; gradients", () => {
    const A = eg.tensor([[[2, 1], [1, 3]], [[1, 2], [2, 4]]], { dtype: "float64" });
    const c = Array.from(eg.cond(A, { p: 1 }).data);
    expect(c[1]).toBe(Infinity);
    // ‖[[2,1],[1,3]]‖₁ = 4, its inverse [[3,−1],[−1,2]]/5 has ‖·‖₁ = 4/5
    expect(Math.abs(c[0] - 16 / 5)).toBeLessThanOrEqual(8 * U64 * 4);
    const B = batchTensor([withSingularValues(3, 3, [3, 2, 1], 4)], "float64", [3, 3], true);
    for (const p of [2, -2, "fro", "nuc", Infinity] as const) assertGradByDifferences((x) => eg.cond(x, { p }), [B], `cond ${String(p)}`);
    expect(() => eg.cond(eg.ones([2, 3]), { p: 1 })).toThrow(/needs square matrices, got shape \[2,3\]/);
    expect(() => eg.cond(eg.ones([2, 2]), { p: 3 })).toThrow(eg.ValueError);
    expect(() => eg.cond(eg.ones([2, 2]), { ord: 2 } as never)).toThrow(/unknown option "ord"/);
  });
});

describe("eigvalsh", () => {
  it("the eigenvalues of the triangle read, ascending, against a Jacobi in the test; gradient", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.constantFrom("L" as const, "U" as const), fc.integer({ min: 1, max: 1e9 }), (n, uplo, seed) => {
      const raw = randomMat(n, n, seed);
      const sym = raw.map((r, i) => r.map((x, j) => ((uplo === "L" ? i >= j : i <= j) ? x : raw[j][i])));
      const got = Array.from(eg.eigvalsh(batchTensor([raw], "float64", [n, n]), { uplo }).data as ArrayLike<number>);
      const want = symmetricEigenvalues(sym), scale = Math.sqrt(sym.flat().reduce((s, x) => s + x * x, 0));
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(20 * n * U64 * scale));
    }), { numRuns: 40 });
    const A = float64Input([2, 3, 3], 12);
    // the gradient is the symmetric one (as eigh's and PyTorch's): check it on symmetric inputs
    assertGradByDifferences((x) => eg.eigvalsh(x.add(x.transpose(-1, -2)).mul(0.5)), [A], "eigvalsh");
    expect(() => eg.eigvalsh(eg.ones([2, 3]))).toThrow(eg.ShapeError);
    expect(() => eg.eigvalsh(eg.eye(2), { uplo: "X" } as never)).toThrow(eg.ValueError);
    expect(() => eg.eigvalsh(eg.eye(2), { UPLO: "L" } as never)).toThrow(/unknown option "UPLO"/);
  });
});

describe("multiDot", () => {
  it("the chain product, with 1-D ends, against a float64 product in order", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 6 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e9 }), (d, rowVec, colVec, seed) => {
      const dims = d.slice();
      if (rowVec) dims[0] = 1;
      if (colVec) dims[dims.length - 1] = 1;
      const mats = dims.slice(1).map((c, i) => randomMat(dims[i], c, seed + i));
      const ts = mats.map((a, i) => {
        const t = batchTensor([a], "float64", [dims[i], dims[i + 1]]);
        return (i === 0 && rowVec) ? t.reshape([dims[1]]) : (i === mats.length - 1 && colVec) ? t.reshape([dims[i]]) : t;
      });
      if (ts.length === 1) return;
      const out = eg.multiDot(ts);
      const want = mats.reduce((acc, a) => matMul(acc, a));
      const absWant = mats.map((a) => a.map((r) => r.map(Math.abs))).reduce((acc, a) => matMul(acc, a));
      expect(out.shape).toEqual([...(rowVec ? [] : [dims[0]]), ...(colVec ? [] : [dims[dims.length - 1]])]);
      const got = Array.from(out.data as ArrayLike<number>), k = dims.reduce((s, x) => s + x, 0);
      want.flat().forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(2 * k * U64 * absWant.flat()[i] + 1e-300));
    }), { numRuns: 60 });
  });

  it("gradients, and the typed errors", () => {
    const xs = [float64Input([4], 1), float64Input([4, 2], 2), float64Input([2, 5], 3), float64Input([5, 3], 4)];
    assertGradByDifferences((...t) => eg.multiDot(t), xs, "multiDot");
    expect(() => eg.multiDot([eg.ones([2, 2])])).toThrow(/at least 2 tensors/);
    expect(() => eg.multiDot([eg.ones([2, 3]), eg.ones([2, 2])])).toThrow(/tensor 0 has 3 columns but tensor 1 has 2 rows/);
    expect(() => eg.multiDot([eg.ones([2, 2]), eg.ones([2]), eg.ones([2, 2])])).toThrow(eg.ShapeError);
    expect(() => eg.multiDot([eg.ones([2, 2]), eg.ones([2, 2], { dtype: "float64" })])).toThrow(eg.DTypeError);
  });
});
