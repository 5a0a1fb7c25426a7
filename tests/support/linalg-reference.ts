// Float64 references for the SVD-family tests: random orthogonal matrices, matrices built with
// chosen singular values (so the values are known exactly, not computed by the code under test),
// a textbook cyclic Jacobi for symmetric eigenvalues, and plain-loop products.
import * as eg from "../../src/index.js";
import { mulberry32 } from "./mulberry32.js";

export type Mat = number[][];

export const matMul = (a: Mat, b: Mat): Mat => a.map((r) => (b[0] ?? []).map((_, j) => r.reduce((s, x, p) => s + x * b[p][j], 0)));
export const transpose = (a: Mat, cols = a[0]?.length ?? 0): Mat => Array.from({ length: cols }, (_, j) => a.map((r) => r[j]));

/** A random n×n orthogonal matrix: a product of n Householder reflections. */
export function orthogonal(n: number, next: () => number): Mat {
  let q: Mat = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let r = 0; r < n; r++) {
    const v = Array.from({ length: n }, () => next() * 2 - 1);
    const vv = v.reduce((s, x) => s + x * x, 0) || 1;
    q = q.map((row) => { const d = row.reduce((s, x, k) => s + x * v[k], 0); return row.map((x, j) => x - (2 * d * v[j]) / vv); });
  }
  return q;
}

/** An m×n matrix Q1·diag(sigma)·Q2ᵀ with the given singular values (min(m, n) of them, ≥ 0). */
export function withSingularValues(m: number, n: number, sigma: number[], seed: number): Mat {
  const next = mulberry32(seed), q1 = orthogonal(m, next), q2 = orthogonal(n, next);
  return Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => sigma.reduce((s, d, p) => s + q1[i][p] * d * q2[j][p], 0)));
}

/** Distinct singular values spread over [1, kappa], descending, with `zeros` of them set to 0. */
export function spreadValues(k: number, kappa: number, zeros = 0): number[] {
  return Array.from({ length: k }, (_, i) => (i >= k - zeros ? 0 : k === 1 ? kappa : kappa ** (1 - i / (k - 1))));
}

/** Eigenvalues (ascending) of a symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan 8.5). */
export function symmetricEigenvalues(input: Mat): number[] {
  const n = input.length, a = input.map((r) => r.slice());
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-40) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const tau = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.hypot(1, tau));
        const c = 1 / Math.hypot(1, t), s = t * c;
        for (let k = 0; k < n; k++) { const x = a[k][p], y = a[k][q]; a[k][p] = c * x - s * y; a[k][q] = s * x + c * y; }
        for (let k = 0; k < n; k++) { const x = a[p][k], y = a[q][k]; a[p][k] = c * x - s * y; a[q][k] = s * x + c * y; }
      }
    }
  }
  return a.map((r, i) => r[i]).sort((x, y) => x - y);
}

/** Matrix t of a batch tensor [..., m, n] as rows of numbers. */
export function matrixAt(x: eg.Tensor, t: number): Mat {
  const m = x.shape[x.ndim - 2], n = x.shape[x.ndim - 1], v = Array.from(x.data as ArrayLike<number>);
  return Array.from({ length: m }, (_, i) => v.slice(t * m * n + i * n, t * m * n + (i + 1) * n));
}

/** A batch of matrices as a tensor of the given dtype and shape. */
export const batchTensor = (ms: Mat[], dtype: "float32" | "float64", shape: number[], requiresGrad = false) =>
  eg.fromTypedArray(dtype === "float32" ? Float32Array.from(ms.flat(2)) : Float64Array.from(ms.flat(2)), shape, { requiresGrad });

export const frobenius = (a: Mat) => Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));

/** x with A·x = b by Gaussian elimination with partial pivoting (A square, invertible). */
export function gaussSolve(a: Mat, b: Mat): Mat {
  const n = a.length, m = a.map((r, i) => [...r, ...b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) if (r !== c) { const f = m[r][c] / m[c][c]; m[r] = m[r].map((x, j) => x - f * m[c][j]); }
  }
  return m.map((r, i) => r.slice(n).map((x) => x / m[i][i]));
}
