// Shared pieces of the dense linear algebra ops (linalg-lu.ts, linalg-solve.ts,
// linalg-cholesky.ts): reading a batch of square matrices into float64, LU factorization with
// partial pivoting and its solves, and writing float64 results back in the input's dtype. Every
// op computes in float64 whatever the input's dtype, so a float32 result is the float64 one
// rounded once; matrices are small enough here that plain loops beat any copy into wasm memory.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { DType } from "./dtype.js";
import { Tensor } from "./tensor.js";

/** A batch of n×n matrices in row-major float64, one after another. */
export interface Batch { data: Float64Array; batch: number[]; n: number; count: number }

/** Checks that x is a float32/float64 tensor of shape [..., n, n] and copies it into float64. */
export function squareBatch(x: unknown, where: string, name = "A"): Batch {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor, got ${typeof x}`);
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new DTypeError(`${where}: expected a float32 or float64 tensor as ${name}, got ${x.dtype}`);
  }
  if (x.ndim < 2) throw new ShapeError(`${where}: ${name} must have at least 2 dimensions ([..., n, n]), got shape [${x.shape}]`);
  const n = x.shape[x.ndim - 1];
  if (x.shape[x.ndim - 2] !== n) {
    throw new ShapeError(`${where}: ${name} must be a batch of square matrices, got ${x.shape[x.ndim - 2]} by ${n} matrices (shape [${x.shape}])`);
  }
  const data = Float64Array.from(x.data as ArrayLike<number>);
  const batch = x.shape.slice(0, -2);
  return { data, batch, n, count: batch.reduce((p, d) => p * d, 1) };
}

/** A tensor of `dtype` holding float64 values (rounded once for float32). */
export function fromF64(values: Float64Array, dtype: DType, shape: readonly number[]): Tensor {
  return new Tensor(dtype === "float32" ? Float32Array.from(values) : values, dtype, shape.slice());
}

/** The incoming gradient as float64 values in row-major order. */
export const gradValues = (g: Tensor): Float64Array => Float64Array.from(g.data as ArrayLike<number>);

/** "batch element 3 (index [1, 0])" for a matrix of a batch, "" for a lone matrix. */
export function batchElement(m: number, batch: readonly number[]): string {
  if (batch.length === 0) return "";
  const index = new Array<number>(batch.length);
  for (let i = batch.length - 1, r = m; i >= 0; i--) { index[i] = r % batch[i]; r = Math.floor(r / batch[i]); }
  return ` (batch element ${m}, index [${index.join(", ")}])`;
}

/**
 * LU factorization with partial pivoting of the n×n matrix at a[off…], in place: L (unit
 * diagonal) below the diagonal, U on and above it, as LAPACK's getrf. perm[i] is the original
 * row now at row i. Returns the permutation's sign and the first column whose pivot is exactly
 * 0 (-1 if none): such a column is skipped, so det is still 0 and the factors stay finite.
 */
export function luInPlace(a: Float64Array, off: number, n: number, perm: Int32Array): { sign: number; zeroAt: number } {
  let sign = 1, zeroAt = -1;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let j = 0; j < n; j++) {
    let p = j, best = Math.abs(a[off + j * n + j]);
    for (let i = j + 1; i < n; i++) {
      const v = Math.abs(a[off + i * n + j]);
      if (v > best || (best !== best && v === v)) { best = v; p = i; }
    }
    if (p !== j) {
      for (let k = 0; k < n; k++) { const t = a[off + j * n + k]; a[off + j * n + k] = a[off + p * n + k]; a[off + p * n + k] = t; }
      const t = perm[j]; perm[j] = perm[p]; perm[p] = t;
      sign = -sign;
    }
    const pivot = a[off + j * n + j];
    if (pivot === 0) { if (zeroAt < 0) zeroAt = j; continue; }
    for (let i = j + 1; i < n; i++) {
      const f = (a[off + i * n + j] /= pivot);
      if (f !== 0) for (let k = j + 1; k < n; k++) a[off + i * n + k] -= f * a[off + j * n + k];
    }
  }
  return { sign, zeroAt };
}

/**
 * Solves A·X = B (or Aᵀ·X = B with `transposed`) for the n×k matrix B at b[boff…], in place,
 * from the factors luInPlace left at lu[off…].
 */
export function luSolveInPlace(lu: Float64Array, off: number, n: number, perm: Int32Array,
                               b: Float64Array, boff: number, k: number, transposed = false): void {
  const col = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    if (!transposed) {
      // P·A = L·U: y = L⁻¹·P·b, x = U⁻¹·y
      for (let i = 0; i < n; i++) col[i] = b[boff + perm[i] * k + c];
      for (let i = 0; i < n; i++) { let s = col[i]; for (let j = 0; j < i; j++) s -= lu[off + i * n + j] * col[j]; col[i] = s; }
      for (let i = n - 1; i >= 0; i--) { let s = col[i]; for (let j = i + 1; j < n; j++) s -= lu[off + i * n + j] * col[j]; col[i] = s / lu[off + i * n + i]; }
      for (let i = 0; i < n; i++) b[boff + i * k + c] = col[i];
    } else {
      // Aᵀ = Uᵀ·Lᵀ·P: z = U⁻ᵀ·b, w = L⁻ᵀ·z, x = Pᵀ·w
      for (let i = 0; i < n; i++) col[i] = b[boff + i * k + c];
      for (let i = 0; i < n; i++) { let s = col[i]; for (let j = 0; j < i; j++) s -= lu[off + j * n + i] * col[j]; col[i] = s / lu[off + i * n + i]; }
      for (let i = n - 1; i >= 0; i--) { let s = col[i]; for (let j = i + 1; j < n; j++) s -= lu[off + j * n + i] * col[j]; col[i] = s; }
      for (let i = 0; i < n; i++) b[boff + perm[i] * k + c] = col[i];
    }
  }
}

/** The identity's n×n entries. */
export function identity(n: number): Float64Array {
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}
