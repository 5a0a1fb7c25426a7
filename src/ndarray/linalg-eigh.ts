// Eigenvalues and eigenvectors of symmetric matrices, as torch.linalg.eigh: A is [..., n, n],
// float32 or float64, of which only one triangle is read (`uplo`: "L", the default, or "U", as
// PyTorch's UPLO). Computed in float64 by cyclic Jacobi rotations, which are accurate to a few
// ulps of ‖A‖ for every eigenvalue; the result is rounded once to A's dtype.
//
// Eigenvalues come in ascending order, as PyTorch's. An eigenvector is only defined up to its
// sign: LAPACK (so PyTorch) returns whichever sign its algorithm lands on; here each one is
// normalized so that its entry of largest magnitude (the first such, on a tie) is positive.
// With repeated eigenvalues any basis of their eigenspace is a valid answer, as in PyTorch.
//
// Gradient (PyTorch 1.13's linalg_eig_backward for Hermitian A): with M = VᵀG_V,
// S = (M − Mᵀ)/2, F_ij = S_ij / (λ_j − λ_i) off the diagonal and G_λ on it, G_A = V·F·Vᵀ
// (infinite or NaN where eigenvalues repeat and G_V is not zero, as in PyTorch).
import { oneOf } from "../checks.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { fromF64, gradValues, squareBatch } from "./linalg-common.js";
import { jacobiTangent, rotatePairs } from "./linalg-jacobi.js";
import type { Tensor } from "./tensor.js";

export interface EighOptions {
  /** The triangle of A that is read: "L" (lower, default) or "U" (upper), as PyTorch's UPLO. */
  uplo?: "L" | "U";
}

/** Eigenvalues (ascending) and orthonormal eigenvectors (columns) of one symmetric n×n matrix, in place in a/v. */
function jacobi(a: Float64Array, n: number, w: Float64Array, v: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let k = 0; k < n * n; k++) norm += a[k] * a[k];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (!(off > 1e-36 * norm)) break; // off-diagonal below (1e-18·‖A‖)²: at the diagonal's rounding; NaN stops too
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const t = jacobiTangent(a[p * n + p], a[q * n + q], apq);
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // A ← Jᵀ·A·J for the rotation J in the (p, q) plane (columns p, q, then rows p, q); V ← V·J
        rotatePairs(a, p, q, n, n, c, s);
        rotatePairs(a, p * n, q * n, 1, n, c, s);
        rotatePairs(v, p, q, n, n, c, s);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j] || i - j);
  const vs = Float64Array.from(v);
  order.forEach((src, col) => {
    w[col] = a[src * n + src];
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(vs[k * n + src]) > Math.abs(vs[big * n + src])) big = k;
    const sign = vs[big * n + src] < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) v[k * n + col] = sign * vs[k * n + src];
  });
}

/**
 * The eigenvalues (ascending, [..., n]) and eigenvectors (the columns of [..., n, n]) of each
 * symmetric matrix of A, as torch.linalg.eigh; eigenvector signs normalized as the header says.
 */
export function eigh(A: Tensor, o: EighOptions = {}): { eigenvalues: Tensor; eigenvectors: Tensor } {
  checkOptions("eigh", o, ["uplo"]);
  const uplo = o.uplo === undefined ? "L" : oneOf("eigh", "uplo", o.uplo, ["L", "U"] as const);
  const b = squareBatch(A, "eigh");
  const { n, count, data } = b;
  const w = new Float64Array(count * n), v = new Float64Array(count * n * n), a = new Float64Array(n * n);
  for (let m = 0, off = 0; m < count; m++, off += n * n) {
    // the symmetric matrix that the chosen triangle stands for
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = uplo === "L" ? data[off + i * n + j] : data[off + j * n + i];
    }
    jacobi(a, n, w.subarray(m * n, (m + 1) * n), v.subarray(off, off + n * n));
  }
  const batch = b.batch;
  const eigenvalues = fromF64(w, A.dtype, [...batch, n]), eigenvectors = fromF64(v, A.dtype, A.shape);
  // G_A is linear in (G_λ, G_V): each output records its own node with the other's part left out.
  const backward = (gW: Float64Array | null, gV: Float64Array | null): Tensor => {
    const gA = new Float64Array(count * n * n), f = new Float64Array(n * n), t = new Float64Array(n * n);
    for (let m = 0, off = 0; m < count; m++, off += n * n) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i === j) { f[i * n + i] = gW ? gW[m * n + i] : 0; continue; }
          if (!gV) { f[i * n + j] = 0; continue; }
          let mij = 0, mji = 0; // (VᵀG_V)_ij and _ji
          for (let k = 0; k < n; k++) { mij += v[off + k * n + i] * gV[off + k * n + j]; mji += v[off + k * n + j] * gV[off + k * n + i]; }
          f[i * n + j] = (mij - mji) / 2 / (w[m * n + j] - w[m * n + i]);
        }
      }
      // G_A = V·F·Vᵀ
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += v[off + i * n + k] * f[k * n + j]; t[i * n + j] = s; }
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += t[i * n + k] * v[off + j * n + k]; gA[off + i * n + j] = s; }
    }
    return fromF64(gA, A.dtype, A.shape);
  };
  record(eigenvalues, "eigh", [A], (g) => [backward(gradValues(g), null)]);
  record(eigenvectors, "eigh", [A], (g) => [backward(null, gradValues(g))]);
  return { eigenvalues, eigenvectors };
}
