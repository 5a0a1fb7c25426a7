// Determinants of square matrices, as torch.det, torch.slogdet and torch.logdet (torch.linalg's
// semantics): A is [..., n, n], float32 or float64, computed by an LU factorization with partial
// pivoting in float64 (linalg-common.ts). det of a 0×0 matrix is 1, as in PyTorch.
//
// Gradients (PyTorch's formulas): d det = det·A⁻ᵀ (the cofactor matrix); d logabsdet = A⁻ᵀ. For
// an exactly singular A (a zero pivot), det's gradient is still the cofactor matrix, computed
// from the (n−1)×(n−1) minors — PyTorch 1.13 returns zeros there (its LU solve of a zero right
// side), later versions the cofactors; slogdet/logdet have no finite gradient there: NaN.
import { record } from "./autograd.js";
import { type Batch, fromF64, gradValues, identity, luInPlace, luSolveInPlace, squareBatch } from "./linalg-common.js";
import { Tensor } from "./tensor.js";

interface Factors { lu: Float64Array; perms: Int32Array; signs: Float64Array; logabs: Float64Array; dets: Float64Array; zeroAt: Int32Array }

/** LU of every matrix of the batch, with each one's sign of det and log |det|. */
function factorAll(b: Batch): Factors {
  const { n, count } = b;
  const lu = Float64Array.from(b.data), perms = new Int32Array(count * n);
  const signs = new Float64Array(count), logabs = new Float64Array(count), dets = new Float64Array(count);
  const zeroAt = new Int32Array(count);
  for (let m = 0; m < count; m++) {
    const off = m * n * n;
    const r = luInPlace(lu, off, n, perms.subarray(m * n, (m + 1) * n));
    let sign = r.sign, log = 0, d = r.sign;
    for (let i = 0; i < n; i++) {
      const u = lu[off + i * n + i];
      if (u < 0) sign = -sign;
      log += Math.log(Math.abs(u));
      d *= u; // the product of the pivots, as LAPACK-based det gives (exp(log) would round)
    }
    dets[m] = r.zeroAt >= 0 ? 0 : d;
    zeroAt[m] = r.zeroAt;
    signs[m] = r.zeroAt >= 0 || log !== log ? 0 : sign; // a NaN matrix: sign 0, as PyTorch 1.13 gives
    logabs[m] = r.zeroAt >= 0 ? -Infinity : log;
  }
  return { lu, perms, signs, logabs, dets, zeroAt };
}

/** det of the n×n matrix at a[off…] by its own LU (for the minors of a singular matrix). */
function detOf(a: Float64Array, n: number): number {
  const perm = new Int32Array(n);
  const { sign } = luInPlace(a, 0, n, perm);
  let d = sign;
  for (let i = 0; i < n; i++) d *= a[i * n + i];
  return d;
}

/** A⁻ᵀ of matrix m from its factors (NaN where A is singular). */
function inverseTransposed(f: Factors, m: number, n: number): Float64Array {
  const x = identity(n);
  luSolveInPlace(f.lu, m * n * n, n, f.perms.subarray(m * n, (m + 1) * n), x, 0, n, true);
  return x;
}

/** The cofactor matrix of the n×n matrix at a[off…]: (−1)^(i+j)·det(A without row i and column j). */
function cofactors(a: Float64Array, off: number, n: number): Float64Array {
  const c = new Float64Array(n * n), minor = new Float64Array((n - 1) * (n - 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let r = 0; r < n; r++) for (let s = 0; s < n; s++) if (r !== i && s !== j) minor[t++] = a[off + r * n + s];
      c[i * n + j] = ((i + j) % 2 ? -1 : 1) * detOf(minor, n - 1);
    }
  }
  return c;
}

/** det(A) for each matrix of A [..., n, n], as torch.det / torch.linalg.det. */
export function det(A: Tensor): Tensor {
  const b = squareBatch(A, "det");
  const f = factorAll(b);
  const { n, count } = b;
  const values = f.dets;
  return record(fromF64(values, A.dtype, b.batch), "det", [A], (g) => {
    const gv = gradValues(g), out = new Float64Array(count * n * n);
    for (let m = 0; m < count; m++) {
      // singular: the cofactors themselves; else det·A⁻ᵀ (the same matrix, by LU in O(n³))
      const c = f.zeroAt[m] >= 0 ? cofactors(b.data, m * n * n, n) : inverseTransposed(f, m, n);
      const scale = f.zeroAt[m] >= 0 ? gv[m] : gv[m] * values[m];
      for (let k = 0; k < n * n; k++) out[m * n * n + k] = scale * c[k];
    }
    return [fromF64(out, A.dtype, A.shape)];
  });
}

function logabsdetGrad(A: Tensor, b: Batch, f: Factors, g: Tensor, sign: (m: number) => boolean): Tensor {
  const { n, count } = b;
  const gv = gradValues(g), out = new Float64Array(count * n * n);
  for (let m = 0; m < count; m++) {
    if (f.zeroAt[m] >= 0 || !sign(m)) { out.fill(NaN, m * n * n, (m + 1) * n * n); continue; }
    const x = inverseTransposed(f, m, n);
    for (let k = 0; k < n * n; k++) out[m * n * n + k] = gv[m] * x[k];
  }
  return fromF64(out, A.dtype, A.shape);
}

/**
 * The sign of det(A) and log |det(A)| for each matrix of A, as torch.slogdet: [sign, logabsdet]
 * (sign 0 and logabsdet −∞ for a singular matrix). Only logabsdet carries a gradient, A⁻ᵀ.
 */
export function slogdet(A: Tensor): [Tensor, Tensor] {
  const b = squareBatch(A, "slogdet");
  const f = factorAll(b);
  const sign = fromF64(f.signs, A.dtype, b.batch);
  const logabsdet = record(fromF64(f.logabs, A.dtype, b.batch), "slogdet", [A], (g) => [logabsdetGrad(A, b, f, g, () => true)]);
  return [sign, logabsdet];
}

/**
 * log det(A) for each matrix of A, as torch.logdet: NaN where det < 0, −∞ where A is singular.
 * Its gradient is A⁻ᵀ where det > 0 (NaN elsewhere: log det has no derivative there).
 */
export function logdet(A: Tensor): Tensor {
  const b = squareBatch(A, "logdet");
  const f = factorAll(b);
  const values = f.logabs.map((l, m) => (f.signs[m] < 0 ? NaN : l));
  return record(fromF64(values, A.dtype, b.batch), "logdet", [A], (g) => [logabsdetGrad(A, b, f, g, (m) => f.signs[m] > 0)]);
}
