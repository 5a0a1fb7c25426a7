// The Cholesky factor of symmetric positive-definite matrices, as torch.linalg.cholesky (and
// torch.cholesky): A = L·Lᵀ with L lower triangular and a positive diagonal, or U = Lᵀ with
// `upper: true`. Only A's lower triangle is read, as in PyTorch (LAPACK's potrf). Computed in
// float64 whatever A's dtype; a matrix that is not positive definite is refused with a
// ValueError naming its batch element and the order of its first leading minor that is not
// positive, as PyTorch's message does.
//
// Gradient (PyTorch 1.13's cholesky_backward, Murray 2016): with Φ = tril(Lᵀ·G_L) and
// P = (Φ + Φᵀ − diag Φ)/2, G_A = L⁻ᵀ·P·L⁻¹, a symmetric matrix (so an entry below the diagonal
// and its mirror each get half of what a change of the lower triangle alone would give).
import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { batchElement, fromF64, gradValues, squareBatch } from "./linalg-common.js";
import type { Tensor } from "./tensor.js";

export interface CholeskyOptions {
  /** Return U = Lᵀ (upper triangular, A = Uᵀ·U) instead of L (default false). */
  upper?: boolean;
}

/** L (or U = Lᵀ) with A = L·Lᵀ for each matrix of A [..., n, n], as torch.linalg.cholesky. */
export function cholesky(A: Tensor, o: CholeskyOptions = {}): Tensor {
  checkOptions("cholesky", o, ["upper"]);
  const upper = o.upper === undefined ? false : boolean("cholesky", "upper", o.upper);
  const b = squareBatch(A, "cholesky");
  const { n, count, data: a } = b;
  const L = new Float64Array(count * n * n);
  for (let m = 0, off = 0; m < count; m++, off += n * n) {
    for (let j = 0; j < n; j++) {
      let s = a[off + j * n + j];
      for (let p = 0; p < j; p++) s -= L[off + j * n + p] * L[off + j * n + p];
      if (!(s > 0)) {
        throw new ValueError(`cholesky: the matrix${batchElement(m, b.batch)} is not positive definite: ` +
          `its leading minor of order ${j + 1} is not positive`);
      }
      const d = (L[off + j * n + j] = Math.sqrt(s));
      for (let i = j + 1; i < n; i++) {
        let t = a[off + i * n + j];
        for (let p = 0; p < j; p++) t -= L[off + i * n + p] * L[off + j * n + p];
        L[off + i * n + j] = t / d;
      }
    }
  }
  const out = upper ? transposed(L, n) : L;
  return record(fromF64(out, A.dtype, A.shape), "cholesky", [A], (g) => {
    const gL = upper ? transposed(gradValues(g), n) : gradValues(g);
    const gA = new Float64Array(count * n * n), phi = new Float64Array(n * n);
    for (let off = 0; off < gA.length; off += n * n) {
      // Φ = tril(Lᵀ·G_L)
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let p = i; p < n; p++) s += L[off + p * n + i] * gL[off + p * n + j];
          phi[i * n + j] = s;
        }
      }
      // P = (Φ + Φᵀ − diag Φ)/2, symmetric, into gA
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) gA[off + i * n + j] = gA[off + j * n + i] = phi[i * n + j] / 2;
      // gA ← L⁻ᵀ·P: solve Lᵀ·Y = P column by column (Lᵀ upper triangular)
      for (let c = 0; c < n; c++) {
        for (let i = n - 1; i >= 0; i--) {
          let s = gA[off + i * n + c];
          for (let p = i + 1; p < n; p++) s -= L[off + p * n + i] * gA[off + p * n + c];
          gA[off + i * n + c] = s / L[off + i * n + i];
        }
      }
      // gA ← Y·L⁻¹: solve Z·L = Y row by row (Z·L = Y ⇔ Lᵀ·Zᵀ = Yᵀ)
      for (let r = 0; r < n; r++) {
        for (let j = n - 1; j >= 0; j--) {
          let s = gA[off + r * n + j];
          for (let p = j + 1; p < n; p++) s -= gA[off + r * n + p] * L[off + p * n + j];
          gA[off + r * n + j] = s / L[off + j * n + j];
        }
      }
    }
    return [fromF64(gA, A.dtype, A.shape)];
  });
}

/** The n×n matrices of x transposed, in a new array. */
function transposed(x: Float64Array, n: number): Float64Array {
  const t = new Float64Array(x.length);
  for (let off = 0; off < x.length; off += n * n) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[off + j * n + i] = x[off + i * n + j];
  }
  return t;
}
