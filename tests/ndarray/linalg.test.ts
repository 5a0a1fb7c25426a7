// det, slogdet, logdet, inverse, solve, cholesky, matrixPower, eigh and qr: identities on random
// well-conditioned matrices built with a known condition number (fast-check), det against a
// Laplace expansion in float64, gradients by finite differences, PyTorch 1.13's cases
// (tests/parity/cases/linalg.json from scripts/torch-parity/linalg.py), and the typed errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { mulberry32 } from "../support/mulberry32.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { runCallCase, type CallCase } from "../parity/run-case.js";

const U64 = 2 ** -53;
const unit = (dtype: "float32" | "float64") => (dtype === "float32" ? 2 ** -24 : U64);

/** A random n×n orthogonal matrix: a product of n Householder reflections (det (−1)^n). */
function orthogonal(n: number, next: () => number): number[][] {
  let q: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let r = 0; r < n; r++) {
    const v = Array.from({ length: n }, () => next() * 2 - 1);
    const vv = v.reduce((s, x) => s + x * x, 0) || 1;
    // Q ← Q·(I − 2vvᵀ/vᵀv)
    q = q.map((row) => { const d = row.reduce((s, x, k) => s + x * v[k], 0); return row.map((x, j) => x - (2 * d * v[j]) / vv); });
  }
  return q;
}

interface Built { a: number[][]; kappa: number }
/**
 * A = Q1·diag(d)·Q2ᵀ with |d| spread over [1, κ] (its singular values, so cond₂(A) = κ), and
 * signs of d random unless `spd` (then Q2 = Q1 and d > 0: symmetric positive definite).
 */
function build(n: number, kappa: number, seed: number, spd = false): Built {
  const next = mulberry32(seed);
  const q1 = orthogonal(n, next), q2 = spd ? q1 : orthogonal(n, next);
  const d = Array.from({ length: n }, (_, i) => (n === 1 ? Math.sqrt(kappa) : kappa ** (i / (n - 1))) * (spd || next() < 0.5 ? 1 : -1));
  const a = q1.map((row, i) => q2.map((_, j) => row.reduce((s, x, k) => s + x * d[k] * q2[j][k], 0)));
  if (spd) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i][j] = a[j][i] = (a[i][j] + a[j][i]) / 2;
  return { a, kappa };
}

const asTensor = (m: number[][][], dtype: "float32" | "float64", shape: number[]) => eg.tensor(m.flat(2), { dtype }).reshape(shape);
const matrix = (t: eg.Tensor, k: number, n: number, cols = n): number[][] => {
  const v = Array.from(t.data as ArrayLike<number>);
  return Array.from({ length: n }, (_, i) => v.slice(k * n * cols + i * cols, k * n * cols + (i + 1) * cols));
};
const mul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_, j) => r.reduce((s, x, p) => s + x * b[p][j], 0)));
const absMul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_, j) => r.reduce((s, x, p) => s + Math.abs(x * b[p][j]), 0)));

/** det by Laplace expansion along the first row, in float64, and Σ|products| for its error bound. */
function laplace(a: number[][]): { det: number; abs: number } {
  const n = a.length;
  if (n === 0) return { det: 1, abs: 1 };
  if (n === 1) return { det: a[0][0], abs: Math.abs(a[0][0]) };
  let det = 0, abs = 0;
  for (let j = 0; j < n; j++) {
    const minor = laplace(a.slice(1).map((r) => r.filter((_, c) => c !== j)));
    det += (j % 2 ? -1 : 1) * a[0][j] * minor.det;
    abs += Math.abs(a[0][j]) * minor.abs;
  }
  return { det, abs };
}

const dtypes = ["float32", "float64"] as const;
const caseArb = fc.record({ n: fc.integer({ min: 1, max: 5 }), batch: fc.integer({ min: 1, max: 3 }), kappa: fc.double({ min: 1, max: 100, noNaN: true }), seed: fc.integer({ min: 1, max: 1e6 }) });

/** Checks |got − want| ≤ tol entry by entry. */
function within(got: number[][], want: number[][], tol: (i: number, j: number) => number, what: string): void {
  got.forEach((r, i) => r.forEach((g, j) => {
    if (!(Math.abs(g - want[i][j]) <= tol(i, j))) throw new Error(`${what}: [${i}][${j}] is ${g}, want ${want[i][j]} (tol ${tol(i, j)})`);
  }));
}

describe("identities on random matrices of known condition number", () => {
  for (const dtype of dtypes) {
    const u = unit(dtype);
    // The float64 factorization's error grows as n·κ·u64 (backward stable LU/Cholesky, relative
    // to |L||U||X|, which is bounded by the largest |A||X| entry of the row, not by each entry:
    // an entry near zero of |A||X| can carry the rounding of its row's larger terms, e.g.
    // A·inverse(A)[0][1] = −8.7e−17 where (|A||X|)[0][1] is 1.9e−3 for a 2×2 of κ 3.8); the
    // result is then rounded once to the dtype (u, relative to each entry).
    const rel = (n: number, kappa: number) => 2 * u + 8 * n * n * kappa * U64;
    const rowMax = (m: number[][]) => m.map((r) => Math.max(...r));

    it(`${dtype}: A·inverse(A) = I and A·solve(A, B) = B`, () => {
      fc.assert(fc.property(caseArb, fc.integer({ min: 1, max: 3 }), ({ n, batch, kappa, seed }, k) => {
        const built = Array.from({ length: batch }, (_, m) => build(n, kappa, seed + m));
        const A = asTensor(built.map((b) => b.a), dtype, [batch, n, n]);
        const X = eg.inverse(A);
        const next = mulberry32(seed ^ 0x5bd1e995);
        const B = eg.tensor(Array.from({ length: batch * n * k }, () => next() * 2 - 1), { dtype }).reshape([batch, n, k]);
        const Y = eg.solve(A, B);
        expect(X.dtype).toBe(dtype);
        expect(Y.shape).toEqual([batch, n, k]);
        for (let m = 0; m < batch; m++) {
          const a = matrix(A, m, n), x = matrix(X, m, n), y = matrix(Y, m, n, k), b = matrix(B, m, n, k);
          const eye = a.map((_, i) => a.map((_, j) => (i === j ? 1 : 0)));
          const ax = absMul(a, x), ay = absMul(a, y), axRow = rowMax(ax), ayRow = rowMax(ay);
          within(mul(a, x), eye, (i, j) => 2 * u * ax[i][j] + (rel(n, kappa) - 2 * u) * axRow[i], `A·inverse(A) (n ${n}, κ ${kappa})`);
          within(mul(a, y), b, (i, j) => 2 * u * ay[i][j] + (rel(n, kappa) - 2 * u) * ayRow[i], `A·solve(A, B) (n ${n}, κ ${kappa})`);
        }
      }), { numRuns: 40, examples: [[{ n: 2, batch: 2, kappa: 3.763510037280847, seed: 999982 }, 1]] });
    });

    it(`${dtype}: L·Lᵀ = A for cholesky (L lower, positive diagonal), and upper gives Lᵀ`, () => {
      fc.assert(fc.property(caseArb, ({ n, batch, kappa, seed }) => {
        const built = Array.from({ length: batch }, (_, m) => build(n, kappa, seed + m, true));
        const A = asTensor(built.map((b) => b.a), dtype, [batch, n, n]);
        const L = eg.cholesky(A), U = eg.cholesky(A, { upper: true });
        expect(Array.from(U.data as ArrayLike<number>)).toEqual(Array.from(L.transpose(-1, -2).contiguous().data as ArrayLike<number>));
        for (let m = 0; m < batch; m++) {
          const a = matrix(A, m, n), l = matrix(L, m, n);
          l.forEach((r, i) => r.forEach((v, j) => { if (j > i) expect(v).toBe(0); if (j === i) expect(v).toBeGreaterThan(0); }));
          const lt = l[0].map((_, j) => l.map((r) => r[j]));
          const bound = absMul(l, lt);
          within(mul(l, lt), a, (i, j) => rel(n, kappa) * bound[i][j], `L·Lᵀ (n ${n}, κ ${kappa})`);
        }
      }), { numRuns: 40 });
    });

    it(`${dtype}: det against a Laplace expansion, slogdet and logdet agree with it, det(A·B) = det(A)·det(B)`, () => {
      fc.assert(fc.property(caseArb, ({ n, batch, kappa, seed }) => {
        const built = Array.from({ length: batch }, (_, m) => build(n, kappa, seed + m));
        const A = asTensor(built.map((b) => b.a), dtype, [batch, n, n]);
        const d = Array.from(eg.det(A).data as ArrayLike<number>);
        const [sign, logabs] = eg.slogdet(A);
        for (let m = 0; m < batch; m++) {
          const a = matrix(A, m, n);
          const ref = laplace(a);
          // LU's backward error changes det by ≈ n·κ·γ relatively; Laplace's own rounding ≤ n·u64·Σ|products|
          const tol = (u + 4 * n * n * kappa * U64) * Math.abs(ref.det) + 2 * n * U64 * ref.abs;
          expect(Math.abs(d[m] - ref.det)).toBeLessThanOrEqual(tol);
          expect(sign.data[m]).toBe(Math.sign(ref.det));
          expect(Math.abs(logabs.data[m] - Math.log(Math.abs(ref.det)))).toBeLessThanOrEqual(tol / Math.abs(ref.det) + u * Math.abs(Math.log(Math.abs(ref.det))));
          // A·B, with B = Aᵀ from the same construction, formed in float64 here
          const b = a[0].map((_, j) => a.map((r) => r[j]));
          const ab = eg.tensor(mul(a, b).flat(), { dtype: "float64" }).reshape([n, n]);
          const dab = eg.det(ab).item(), want = ref.det * ref.det;
          expect(Math.abs(dab - want)).toBeLessThanOrEqual((8 * n * n * kappa * kappa * U64 + 4 * u) * Math.abs(want) + 8 * n * U64 * ref.abs * ref.abs);
        }
        const spd = asTensor(built.map((b) => build(n, kappa, b.kappa + seed, true).a), dtype, [batch, n, n]);
        const ld = eg.logdet(spd).data, sl = eg.slogdet(spd)[1].data;
        for (let m = 0; m < batch; m++) expect(Math.abs(ld[m] - sl[m])).toBeLessThanOrEqual(0);
      }), { numRuns: 40 });
    });

    it(`${dtype}: matrixPower against repeated products; negative powers through the inverse`, () => {
      fc.assert(fc.property(caseArb, fc.integer({ min: -3, max: 4 }), ({ n, kappa, seed }, k) => {
        const { a } = build(n, Math.min(kappa, 4), seed);
        const A = asTensor([a], dtype, [n, n]);
        const P = eg.matrixPower(A, k);
        const stored = matrix(A, 0, n);
        let base = stored;
        if (k < 0) base = matrix(eg.inverse(eg.tensor(stored.flat(), { dtype: "float64" }).reshape([n, n])), 0, n);
        let want: number[][] = stored.map((_, i) => stored.map((_, j) => (i === j ? 1 : 0))), absWant = want;
        for (let s = 0; s < Math.abs(k); s++) { absWant = absMul(absWant, base); want = mul(want, base); }
        // |k| products of n terms in the dtype, on top of the inverse's κ-relative error
        const tolScale = (2 * Math.abs(k) * (n + 1) + 2) * u + (k < 0 ? 8 * Math.abs(k) * n * n * kappa * U64 + 4 * Math.abs(k) * u * kappa : 0);
        within(matrix(P, 0, n), want, (i, j) => tolScale * absWant[i][j] + (k === 0 ? 0 : 1e-300), `A^${k} (n ${n})`);
      }), { numRuns: 40 });
    });

    it(`${dtype}: eigh of Q·diag(d)·Qᵀ: A·V = V·diag(λ), VᵀV = I, λ ascending = sorted d, signs normalized`, () => {
      fc.assert(fc.property(caseArb, fc.boolean(), ({ n, batch, kappa, seed }, upper) => {
        const built = Array.from({ length: batch }, (_, m) => build(n, kappa, seed + m, true));
        // Shift by −κ/2 so that eigenvalues of both signs appear; spoil the unread triangle.
        const mats = built.map((b) => b.a.map((r, i) => r.map((x, j) => (i === j ? x - kappa / 2 : (upper ? j < i : j > i) ? 1e3 : x))));
        const A = asTensor(mats, dtype, [batch, n, n]);
        const { eigenvalues: W, eigenvectors: V } = eg.eigh(A, upper ? { uplo: "U" } : {});
        expect(W.shape).toEqual([batch, n]);
        for (let m = 0; m < batch; m++) {
          const stored = matrix(A, m, n);
          const a = stored.map((r, i) => r.map((x, j) => ((upper ? j >= i : j <= i) ? x : stored[j][i])));
          const v = matrix(V, m, n), w = Array.from(W.data as ArrayLike<number>).slice(m * n, (m + 1) * n);
          const normA = Math.sqrt(a.flat().reduce((t, x) => t + x * x, 0));
          for (let j = 1; j < n; j++) expect(w[j]).toBeGreaterThanOrEqual(w[j - 1]);
          // Weyl: each λ moves at most ‖δA‖₂ ≤ u·‖A‖_F when A is rounded to the dtype (already in `a`), plus Jacobi's float64 error
          const d = Array.from({ length: n }, (_, i) => (n === 1 ? Math.sqrt(kappa) : kappa ** (i / (n - 1))) - kappa / 2); // build's spectrum, shifted
          d.sort((x, y) => x - y);
          w.forEach((x, i) => expect(Math.abs(x - d[i])).toBeLessThanOrEqual((2 * u + 16 * n * n * U64) * (normA + kappa) + u * Math.abs(d[i])));
          const av = mul(a, v), vl = v.map((r) => r.map((x, j) => x * w[j]));
          const bound = absMul(a, v);
          within(av, vl, (i, j) => (2 * u + 16 * n * n * U64) * (bound[i][j] + Math.abs(vl[i][j]) + normA), `A·V (n ${n})`);
          const vt = v[0].map((_, j) => v.map((r) => r[j]));
          within(mul(vt, v), v.map((_, i) => v.map((_, j) => (i === j ? 1 : 0))), () => (2 * u + 16 * n * n * U64) * n, `VᵀV (n ${n})`);
          for (let j = 0; j < n; j++) {
            const col = v.map((r) => r[j]);
            const big = col.reduce((b, x, i) => (Math.abs(x) > Math.abs(col[b]) ? i : b), 0);
            expect(col[big]).toBeGreaterThan(0);
          }
        }
      }), { numRuns: 40 });
    });

    it(`${dtype}: qr (reduced): Q·R = A, QᵀQ = I, R upper triangular, for tall, square and wide A`, () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 1e6 }), (m, n, batch, seed) => {
        const next = mulberry32(seed), k = Math.min(m, n);
        const A = eg.tensor(Array.from({ length: batch * m * n }, () => next() * 2 - 1), { dtype }).reshape([batch, m, n]);
        const { Q, R } = eg.qr(A);
        expect([Q.shape, R.shape]).toEqual([[batch, m, k], [batch, k, n]]);
        for (let t = 0; t < batch; t++) {
          const a = matrix(A, t, m, n), q = matrix(Q, t, m, k), r = matrix(R, t, k, n);
          r.forEach((row, i) => row.forEach((x, j) => { if (j < i) expect(x).toBe(0); }));
          // Householder is backward stable (no condition number): Q·R = A + δA, |δA| ≲ m·n·u64·‖A‖, then rounding to the dtype
          const normA = Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));
          const qrAbs = absMul(q, r);
          within(mul(q, r), a, (i, j) => 2 * u * qrAbs[i][j] + 16 * m * n * U64 * normA, `Q·R (${m}×${n})`);
          const qt = q[0].map((_, j) => q.map((row) => row[j]));
          within(mul(qt, q), qt.map((_, i) => qt.map((_, j) => (i === j ? 1 : 0))), () => 2 * m * u + 16 * m * n * U64, `QᵀQ (${m}×${n})`);
        }
      }), { numRuns: 40 });
    });
  }
});

describe("gradients by finite differences (float64)", () => {
  const leaf = (b: Built[], shape: number[]) => eg.fromTypedArray(Float64Array.from(b.flatMap((x) => x.a.flat())), shape, { requiresGrad: true });
  it("det, slogdet's logabsdet, logdet, inverse", () => {
    for (const [n, batch] of [[1, 1], [2, 2], [3, 1], [4, 2]]) {
      const A = leaf(Array.from({ length: batch }, (_, m) => build(n, 5, 10 * n + m)), [batch, n, n]);
      assertGradByDifferences((x) => eg.det(x), [A], `det n=${n}`);
      assertGradByDifferences((x) => eg.slogdet(x)[1], [A], `slogdet n=${n}`);
      assertGradByDifferences((x) => eg.inverse(x), [A], `inverse n=${n}`);
      const S = leaf(Array.from({ length: batch }, (_, m) => build(n, 5, 20 * n + m, true)), [batch, n, n]);
      assertGradByDifferences((x) => eg.logdet(x), [S], `logdet n=${n}`);
    }
  });
  it("det at an exactly singular matrix: the cofactor matrix (PyTorch 1.13 gives zeros there)", () => {
    const A = eg.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], { dtype: "float64", requiresGrad: true });
    eg.det(A).backward();
    // cofactors of the rank-2 matrix, by hand: C_ij = (−1)^(i+j)·minor_ij
    expect(Array.from(A.grad!.data, (v) => v + 0)).toEqual([4, 4, -4, -2, -2, 2, 0, 0, 0]); // (+0: −0 and 0 alike)
    // det is linear in each entry, so a central difference is the derivative up to rounding
    // (the gradcheck helper refuses f = 0: its noise test is relative to |f|).
    const a = Array.from(A.data), h = 1e-3;
    a.forEach((v, k) => {
      const at = (x: number) => eg.det(eg.tensor(a.map((w, j) => (j === k ? x : w)), { dtype: "float64" }).reshape([3, 3])).item();
      expect(Math.abs((at(v + h) - at(v - h)) / (2 * h) - A.grad!.data[k])).toBeLessThanOrEqual(1e-9);
    });
  });
  it("solve, with broadcast batches and a vector right side", () => {
    for (const [sa, sb] of [[[3, 3], [3]], [[2, 3, 3], [2, 3]], [[2, 1, 2, 2], [3, 2, 2]], [[3, 3], [2, 3, 1]]] as number[][][]) {
      const count = sa.slice(0, -2).reduce((p, d) => p * d, 1), n = sa[sa.length - 1];
      const A = leaf(Array.from({ length: count }, (_, m) => build(n, 4, 30 + m)), sa);
      const next = mulberry32(7);
      const B = eg.fromTypedArray(Float64Array.from({ length: sb.reduce((p, d) => p * d, 1) }, () => next() * 2 - 1), sb, { requiresGrad: true });
      assertGradByDifferences((a, b) => eg.solve(a, b), [A, B], `solve [${sa}] [${sb}]`);
    }
  });
  it("cholesky (lower and upper) of a symmetrized input, and matrixPower", () => {
    for (const n of [1, 2, 4]) {
      const X = leaf([build(n, 4, 40 + n, true)], [n, n]);
      const sym = (x: eg.Tensor) => x.add(x.transpose(0, 1)).mul(0.5);
      assertGradByDifferences((x) => eg.cholesky(sym(x)), [X], `cholesky n=${n}`);
      assertGradByDifferences((x) => eg.cholesky(sym(x), { upper: true }), [X], `cholesky upper n=${n}`);
      const A = leaf([build(n, 3, 50 + n)], [n, n]);
      for (const k of [0, 1, 3, -2]) assertGradByDifferences((x) => eg.matrixPower(x, k), [A], `matrixPower ${k} n=${n}`);
    }
  });
  it("eigh: eigenvalues and eigenvectors (distinct eigenvalues), the lower or upper triangle", () => {
    for (const n of [1, 2, 3, 4]) {
      // symmetrized, as for cholesky: PyTorch's gradient is the symmetric one
      const X = leaf([build(n, 6, 60 + n, true)], [n, n]);
      const sym = (x: eg.Tensor) => x.add(x.transpose(0, 1)).mul(0.5);
      assertGradByDifferences((x) => eg.eigh(sym(x)).eigenvalues, [X], `eigh values n=${n}`);
      assertGradByDifferences((x) => eg.eigh(sym(x)).eigenvectors, [X], `eigh vectors n=${n}`);
      assertGradByDifferences((x) => eg.eigh(sym(x), { uplo: "U" }).eigenvectors, [X], `eigh vectors upper n=${n}`);
      assertGradByDifferences((x) => { const r = eg.eigh(sym(x)); return r.eigenvectors.mul(r.eigenvalues.reshape([1, n])); }, [X], `eigh both n=${n}`);
    }
  });
  it("qr: Q and R, for tall, square and wide A", () => {
    for (const [m, n] of [[3, 3], [4, 2], [2, 4], [1, 3], [3, 1]]) {
      const next = mulberry32(80 + m * n);
      const A = eg.fromTypedArray(Float64Array.from({ length: 2 * m * n }, () => next() * 2 - 1), [2, m, n], { requiresGrad: true });
      assertGradByDifferences((x) => eg.qr(x).Q, [A], `qr Q ${m}×${n}`);
      assertGradByDifferences((x) => eg.qr(x).R, [A], `qr R ${m}×${n}`);
    }
  });
});

describe("PyTorch 1.13 (scripts/torch-parity/linalg.py)", () => {
  const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/linalg.json", import.meta.url), "utf8")) as { cases: CallCase[] };
  for (const c of cases) it(c.id, () => runCallCase(c));

  it("values JSON cannot hold, from PyTorch 1.13", () => {
    // torch.logdet(tensor([[-2., 0], [0, 1]])) → nan; torch.linalg.slogdet of the singular
    // [[1, 2, 3], [2, 4, 6], [1, 0, 1]] → (sign 0 (−0.), logabsdet −inf); logdet of it → −inf.
    expect(eg.logdet(eg.tensor([[-2, 0], [0, 1]])).item()).toBeNaN();
    const s = eg.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]]);
    const [sign, logabs] = eg.slogdet(s);
    expect([sign.item(), logabs.item(), eg.logdet(s).item()]).toEqual([0, -Infinity, -Infinity]);
    // torch.linalg.slogdet(tensor([[nan, 1], [1, 1]])) → (sign 0, logabsdet nan); torch.det of it → nan
    const nan = eg.tensor([[Number.NaN, 1], [1, 1]]);
    expect(eg.slogdet(nan).map((t) => t.item())).toEqual([0, Number.NaN]);
    expect(eg.det(nan).item()).toBeNaN();
    // torch.linalg.qr(torch.ones(0, 3)) → Q [0, 0], R [0, 3]; torch.linalg.qr(torch.ones(3, 0)) → Q [3, 0], R [0, 0]
    expect([eg.qr(eg.ones([0, 3])).Q.shape, eg.qr(eg.ones([0, 3])).R.shape, eg.qr(eg.ones([3, 0])).Q.shape, eg.qr(eg.ones([3, 0])).R.shape]).toEqual([[0, 0], [0, 3], [3, 0], [0, 0]]);
    // torch.det(torch.ones(2, 0, 0)) → tensor([1., 1.]); torch.inverse(torch.ones(0, 3, 3)).shape → [0, 3, 3]
    expect(Array.from(eg.det(eg.ones([2, 0, 0])).data)).toEqual([1, 1]);
    expect(eg.inverse(eg.ones([0, 3, 3])).shape).toEqual([0, 3, 3]);
    // torch.linalg.solve(eye(3).expand(2, 3, 3), ones(3)).shape → [2, 3] (a 1-D B is a vector)
    expect(eg.solve(eg.eye(3).reshape([1, 3, 3]).broadcastTo([2, 3, 3]), eg.ones([3])).shape).toEqual([2, 3]);
    // torch.linalg.solve(eye(3).expand(4, 3, 3), ones(3, 2)).shape → [4, 3, 2]
    expect(eg.solve(eg.eye(3).reshape([1, 3, 3]).broadcastTo([4, 3, 3]), eg.ones([3, 2])).shape).toEqual([4, 3, 2]);
  });
});

describe("typed errors, leaving the inputs as they were", () => {
  const A = eg.tensor([[[1, 0], [0, 1]], [[1, 2], [2, 1]]], { requiresGrad: true });
  const before = Array.from(A.data);
  it("non-square, too few dims, integer dtype", () => {
    for (const f of [eg.det, eg.inverse, eg.logdet, (x: eg.Tensor) => eg.cholesky(x), (x: eg.Tensor) => eg.matrixPower(x, 2)]) {
      expect(() => f(eg.ones([2, 3]))).toThrow(eg.ShapeError);
      expect(() => f(eg.ones([3]))).toThrow(eg.ShapeError);
      expect(() => f(eg.ones([2, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    }
    expect(() => eg.slogdet(eg.ones([2, 3]))).toThrow(/2 by 3 matrices/);
  });
  it("a singular matrix for inverse and solve names its batch element and pivot", () => {
    const S = eg.tensor([[[1, 0], [0, 1]], [[1, 2], [2, 4]]]);
    expect(() => eg.inverse(S)).toThrow(eg.ValueError);
    expect(() => eg.inverse(S)).toThrow(/batch element 1, index \[1\]\) is singular: pivot 2 of 2/);
    expect(() => eg.solve(S, eg.ones([2, 2]))).toThrow(/solve: the matrix \(batch element 1/);
    expect(() => eg.matrixPower(S, -1)).toThrow(eg.ValueError);
  });
  it("cholesky of a matrix that is not positive definite names the batch element and the minor", () => {
    expect(() => eg.cholesky(A)).toThrow(eg.ValueError);
    expect(() => eg.cholesky(A)).toThrow("cholesky: the matrix (batch element 1, index [1]) is not positive definite: its leading minor of order 2 is not positive");
    expect(() => eg.cholesky(eg.tensor([[Number.NaN]]))).toThrow(/leading minor of order 1/);
  });
  it("options and arguments", () => {
    expect(() => eg.cholesky(eg.eye(2), { lower: true } as never)).toThrow(/unknown option "lower"/);
    expect(() => eg.cholesky(eg.eye(2), { upper: 1 } as never)).toThrow(eg.ValueError);
    expect(() => eg.matrixPower(eg.eye(2), 1.5)).toThrow(/k must be an integer/);
    expect(() => eg.eigh(eg.eye(2), { uplo: "l" } as never)).toThrow(/uplo must be one of "L", "U"/);
    expect(() => eg.eigh(eg.eye(2), { UPLO: "L" } as never)).toThrow(/unknown option "UPLO"/);
    expect(() => eg.eigh(eg.ones([2, 3]))).toThrow(eg.ShapeError);
    expect(() => eg.eigh(eg.ones([2, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => eg.qr(eg.eye(2), { mode: "complete" } as never)).toThrow(/mode must be "reduced"/);
    expect(() => eg.qr(eg.ones([3]))).toThrow(eg.ShapeError);
    expect(() => eg.qr(eg.ones([2, 2], { dtype: "int32" }))).toThrow(eg.DTypeError);
    expect(() => eg.solve(eg.eye(3), eg.ones([2]))).toThrow(eg.ShapeError);
    expect(() => eg.solve(eg.eye(3), eg.ones([2, 3, 2]).transpose(1, 2))).toThrow(eg.ShapeError);
    expect(() => eg.solve(eg.eye(3).reshape([1, 3, 3]).broadcastTo([2, 3, 3]), eg.ones([3, 3, 1]))).toThrow(eg.ShapeError);
    expect(() => eg.solve(eg.eye(3), eg.ones([3], { dtype: "float64" }))).toThrow(eg.DTypeError);
    expect(() => eg.solve(eg.eye(3), [1, 2, 3] as never)).toThrow(eg.ValueError);
    expect(Array.from(A.data)).toEqual(before);
    expect(A.grad).toBeNull();
  });
});
