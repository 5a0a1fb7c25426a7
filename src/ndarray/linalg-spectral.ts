// Quantities read off a matrix's spectrum: torch.linalg.matrix_rank, torch.linalg.cond and
// torch.linalg.eigvalsh, built on svdvals, eigh and the matrix norms.
import { boolean, oneOf } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { full } from "./creation.js";
import { stack } from "./join.js";
import { squareBatch } from "./linalg-common.js";
import { eigh, type EighOptions } from "./linalg-eigh.js";
import { matrixNorm, type MatrixNormOrder } from "./linalg-norms.js";
import { cutoffOf, type SpectralCutoff } from "./linalg-pinv.js";
import { inverse } from "./linalg-solve.js";
import { checkMatrix, svdvals } from "./linalg-svd.js";
import { narrow } from "./movement.js";
import type { Tensor } from "./tensor.js";

export interface MatrixRankOptions extends SpectralCutoff {
  /** A is symmetric: count |eigenvalues| (from its lower triangle) instead of singular values. */
  hermitian?: boolean;
}

/**
 * The number of singular values (|eigenvalues| with hermitian) above max(atol, rtol·σ_max) for
 * each matrix of A [..., m, n], as torch.linalg.matrix_rank with its defaults; int32 [...].
 */
export function matrixRank(A: Tensor, o: MatrixRankOptions = {}): Tensor {
  checkOptions("matrixRank", o, ["atol", "rtol", "hermitian"]);
  checkMatrix(A, "matrixRank");
  const hermitian = o.hermitian === undefined ? false : boolean("matrixRank", "hermitian", o.hermitian);
  if (hermitian) squareBatch(A, "matrixRank");
  const { atol, rtol } = cutoffOf("matrixRank", A, o);
  const values = (hermitian ? eigh(A).eigenvalues.abs() : svdvals(A)).detach();
  if (values.shape[values.ndim - 1] === 0) return full(values.shape.slice(0, -1), 0, { dtype: "int32" });
  const tol = values.max(-1, { keepdims: true }).mul(rtol).maximum(atol);
  return values.gt(tol).astype("int32").sum(-1);
}

export interface CondOptions {
  /** The norm: 2 (default, σ_max/σ_min), −2 (σ_min/σ_max), "fro", "nuc", ±1, ±Infinity (‖A‖·‖A⁻¹‖). */
  p?: MatrixNormOrder;
}

/**
 * The condition number of each matrix of A, as torch.linalg.cond: for p = ±2 from the singular
 * values (any m×n); for the other norms ‖A‖·‖A⁻¹‖ of square matrices, Infinity for a singular one.
 */
export function cond(A: Tensor, o: CondOptions = {}): Tensor {
  checkOptions("cond", o, ["p"]);
  checkMatrix(A, "cond");
  const p = o.p ?? 2;
  if (!["fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity].includes(p)) throw new ValueError(`cond: p must be "fro", "nuc", ±1, ±2 or ±Infinity, got ${String(p)}`);
  if (p === 2 || p === -2) {
    const s = svdvals(A), k = s.shape[s.ndim - 1];
    if (k === 0) throw new ValueError(`cond: the condition number of an empty matrix is undefined (shape [${A.shape}])`);
    const largest = s.max(-1), smallest = s.min(-1);
    return p === 2 ? largest.div(smallest) : smallest.div(largest);
  }
  if (A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new ShapeError(`cond: p = ${String(p)} needs square matrices, got shape [${A.shape}]`);
  const product = (X: Tensor) => matrixNorm(X, { ord: p }).mul(matrixNorm(inverse(X), { ord: p }));
  try {
    return product(A);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
  }
  // Some matrix is singular: Infinity for it, the others one at a time.
  const n = A.shape[A.ndim - 1], batch = A.shape.slice(0, -2), count = batch.reduce((q, d) => q * d, 1);
  const flat = A.reshape([count, n, n]);
  const each = Array.from({ length: count }, (_, t) => {
    const X = narrow(flat, 0, t, 1).reshape([n, n]);
    try { return product(X); } catch (e) { if (!(e instanceof ValueError)) throw e; return full([], Infinity, { dtype: A.dtype }); }
  });
  return stack(each).reshape(batch);
}

/** The eigenvalues (ascending, [..., n]) of each symmetric matrix of A, as torch.linalg.eigvalsh. */
export function eigvalsh(A: Tensor, o: EighOptions = {}): Tensor {
  checkOptions("eigvalsh", o, ["uplo"]);
  if (o.uplo !== undefined) oneOf("eigvalsh", "uplo", o.uplo, ["L", "U"] as const);
  squareBatch(A, "eigvalsh");
  return eigh(A, o).eigenvalues;
}
