// The singular value decomposition, as torch.linalg.svd and torch.linalg.svdvals: A [..., m, n],
// float32 or float64, any m and n, computed in float64 (linalg-svd-core.ts) and rounded once to
// A's dtype. Singular values are descending; the signs of singular vectors are normalized as
// linalg-svd-core.ts says (PyTorch's are whatever LAPACK lands on).
//
// Gradient (PyTorch 1.13's svd_backward, real case), with k = min(m, n), U m×k, Vh k×n and
// skew(X) = X − Xᵀ: F_ij = (skew(UᵀG_U)_ij·S_j + S_i·skew(Vh·G_Vhᵀ)_ij) / (S_j² − S_i²) off the
// diagonal, F_ii = G_S,i; G_A = U·F·Vh, plus (I − UUᵀ)·G_U·S⁻¹·Vh when m > k, or
// U·S⁻¹·G_Vh·(I − VhᵀVh) when n > k. It is infinite or NaN where singular values repeat and
// the vectors' gradient is not zero, as in PyTorch. With fullMatrices the gradient reaching
// the columns of U (rows of Vh) past k is ignored, as PyTorch 1.13 does: they are an arbitrary
// basis of a complement.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { fromF64, gradValues } from "./linalg-common.js";
import { svdOne } from "./linalg-svd-core.js";
import { Tensor } from "./tensor.js";

export interface SvdOptions {
  /** U [..., m, m] and Vh [..., n, n] (true, the default) or U [..., m, k] and Vh [..., k, n]. */
  fullMatrices?: boolean;
}

/** A batch of m×n matrices in row-major float64. */
export interface MatrixBatch { data: Float64Array; batch: number[]; m: number; n: number; count: number }

/** Checks that A is a float32/float64 tensor of shape [..., m, n]. */
export function checkMatrix(A: unknown, where: string, name = "A"): asserts A is Tensor {
  if (!(A instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor, got ${typeof A}`);
  if (A.dtype !== "float32" && A.dtype !== "float64") throw new DTypeError(`${where}: expected a float32 or float64 tensor as ${name}, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(`${where}: ${name} must have at least 2 dimensions ([..., m, n]), got shape [${A.shape}]`);
}

/** checkMatrix, then A's matrices copied into float64. */
export function matrixBatch(A: unknown, where: string, name = "A"): MatrixBatch {
  checkMatrix(A, where, name);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], batch = A.shape.slice(0, -2);
  return { data: Float64Array.from(A.data as ArrayLike<number>), batch, m, n, count: batch.reduce((p, d) => p * d, 1) };
}

/** The reduced factors of every matrix of a batch, one after another, and the full ones if asked. */
interface Factors { u: Float64Array; s: Float64Array; vh: Float64Array; uFull: Float64Array; vhFull: Float64Array }

function factorize(b: MatrixBatch, full: boolean): Factors {
  const { m, n, count } = b, k = Math.min(m, n);
  const u = new Float64Array(count * m * k), s = new Float64Array(count * k), vh = new Float64Array(count * k * n);
  const uFull = full ? new Float64Array(count * m * m) : u, vhFull = full ? new Float64Array(count * n * n) : vh;
  for (let t = 0; t < count; t++) {
    const p = svdOne(b.data, t * m * n, m, n, full);
    s.set(p.s, t * k);
    if (full) { uFull.set(p.u, t * m * m); vhFull.set(p.vh, t * n * n); }
    const uc = full ? m : k;
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) u[t * m * k + i * k + j] = p.u[i * uc + j];
    vh.set(p.vh.subarray(0, k * n), t * k * n); // the first k rows
  }
  return { u, s, vh, uFull, vhFull };
}

/** F of the header for one matrix: k×k. */
function middle(u: Float64Array, s: Float64Array, vh: Float64Array, gU: Float64Array | null, gS: Float64Array | null, gVh: Float64Array | null, m: number, n: number, k: number): Float64Array {
  const f = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) { f[i * k + i] = gS ? gS[i] : 0; continue; }
      if (!gU && !gVh) continue;
      let skewU = 0, skewV = 0;
      if (gU) for (let p = 0; p < m; p++) skewU += u[p * k + i] * gU[p * k + j] - u[p * k + j] * gU[p * k + i];
      if (gVh) for (let c = 0; c < n; c++) skewV += vh[i * n + c] * gVh[j * n + c] - vh[j * n + c] * gVh[i * n + c];
      f[i * k + j] = (skewU * s[j] + s[i] * skewV) / (s[j] * s[j] - s[i] * s[i]);
    }
  }
  return f;
}

/** G_A (m×n) of one matrix from the reduced factors and the incoming gradients (null: zero). */
export function svdBackwardOne(u: Float64Array, s: Float64Array, vh: Float64Array, gU: Float64Array | null, gS: Float64Array | null, gVh: Float64Array | null, m: number, n: number): Float64Array {
  const k = Math.min(m, n), f = middle(u, s, vh, gU, gS, gVh, m, n, k);
  // left = U·F (m×k), then the projection terms, then G_A = left·Vh
  const left = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) { let t = 0; for (let p = 0; p < k; p++) t += u[i * k + p] * f[p * k + j]; left[i * k + j] = t; }
  if (m > k && gU) {
    // + (I − UUᵀ)·G_U·S⁻¹
    const w = new Float64Array(k * k); // Uᵀ·G_U·S⁻¹
    for (let p = 0; p < k; p++) for (let j = 0; j < k; j++) { let t = 0; for (let i = 0; i < m; i++) t += u[i * k + p] * gU[i * k + j]; w[p * k + j] = t / s[j]; }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) { let t = gU[i * k + j] / s[j]; for (let p = 0; p < k; p++) t -= u[i * k + p] * w[p * k + j]; left[i * k + j] += t; }
    }
  }
  const gA = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) { let t = 0; for (let p = 0; p < k; p++) t += left[i * k + p] * vh[p * n + c]; gA[i * n + c] = t; }
  if (n > k && gVh) {
    // + U·(S⁻¹·G_Vh − S⁻¹·G_Vh·Vhᵀ·Vh)
    const r = new Float64Array(k * n), w = new Float64Array(k * k);
    for (let p = 0; p < k; p++) for (let c = 0; c < n; c++) r[p * n + c] = gVh[p * n + c] / s[p];
    for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) { let t = 0; for (let c = 0; c < n; c++) t += r[p * n + c] * vh[q * n + c]; w[p * k + q] = t; }
    for (let p = 0; p < k; p++) for (let c = 0; c < n; c++) { let t = 0; for (let q = 0; q < k; q++) t += w[p * k + q] * vh[q * n + c]; r[p * n + c] -= t; }
    for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) { let t = 0; for (let p = 0; p < k; p++) t += u[i * k + p] * r[p * n + c]; gA[i * n + c] += t; }
  }
  return gA;
}

/** G_A of the batch from gradients of the reduced factors (given as full batches' values or null). */
function backwardBatch(A: Tensor, b: MatrixBatch, fa: Factors, gU: Float64Array | null, gS: Float64Array | null, gVh: Float64Array | null): Tensor {
  const { m, n, count } = b, k = Math.min(m, n), out = new Float64Array(count * m * n);
  for (let t = 0; t < count; t++) {
    const part = svdBackwardOne(fa.u.subarray(t * m * k, (t + 1) * m * k), fa.s.subarray(t * k, (t + 1) * k), fa.vh.subarray(t * k * n, (t + 1) * k * n),
      gU && gU.subarray(t * m * k, (t + 1) * m * k), gS && gS.subarray(t * k, (t + 1) * k), gVh && gVh.subarray(t * k * n, (t + 1) * k * n), m, n);
    out.set(part, t * m * n);
  }
  return fromF64(out, A.dtype, A.shape);
}

/** The first k columns of each m×c matrix of a batch of `count` (c ≥ k). */
function leadingColumns(x: Float64Array, count: number, m: number, c: number, k: number): Float64Array {
  if (c === k) return x;
  const out = new Float64Array(count * m * k);
  for (let t = 0; t < count; t++) for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[(t * m + i) * k + j] = x[(t * m + i) * c + j];
  return out;
}

/** The first k rows of each r×n matrix of a batch of `count` (r ≥ k). */
function leadingRows(x: Float64Array, count: number, r: number, n: number, k: number): Float64Array {
  if (r === k) return x;
  const out = new Float64Array(count * k * n);
  for (let t = 0; t < count; t++) out.set(x.subarray(t * r * n, (t * r + k) * n), t * k * n);
  return out;
}

/** [U, S, Vh] with A = U·diag(S)·Vh for each matrix of A [..., m, n], as torch.linalg.svd. */
export function svd(A: Tensor, o: SvdOptions = {}): [Tensor, Tensor, Tensor] {
  checkOptions("svd", o, ["fullMatrices"]);
  if (o.fullMatrices !== undefined && typeof o.fullMatrices !== "boolean") throw new ValueError(`svd: fullMatrices must be a boolean, got ${String(o.fullMatrices)}`);
  const full = o.fullMatrices ?? true;
  const b = matrixBatch(A, "svd");
  const { m, n, count, batch } = b, k = Math.min(m, n);
  const fa = factorize(b, full);
  const U = fromF64(fa.uFull, A.dtype, [...batch, m, full ? m : k]);
  const S = fromF64(fa.s, A.dtype, [...batch, k]);
  const Vh = fromF64(fa.vhFull, A.dtype, [...batch, full ? n : k, n]);
  // Each output records its own node (G_A is linear in the three gradients).
  record(U, "svd", [A], (g) => [backwardBatch(A, b, fa, leadingColumns(gradValues(g), count, m, full ? m : k, k), null, null)]);
  record(S, "svd", [A], (g) => [backwardBatch(A, b, fa, null, gradValues(g), null)]);
  record(Vh, "svd", [A], (g) => [backwardBatch(A, b, fa, null, null, leadingRows(gradValues(g), count, full ? n : k, n, k))]);
  return [U, S, Vh];
}

/** The singular values (descending, [..., min(m, n)]) of each matrix of A, as torch.linalg.svdvals. */
export function svdvals(A: Tensor): Tensor {
  const b = matrixBatch(A, "svdvals");
  const fa = factorize(b, false);
  const S = fromF64(fa.s, A.dtype, [...b.batch, Math.min(b.m, b.n)]);
  return record(S, "svdvals", [A], (g) => [backwardBatch(A, b, fa, null, gradValues(g), null)]);
}
