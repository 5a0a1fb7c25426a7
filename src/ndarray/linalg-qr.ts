// The reduced QR factorization, as torch.linalg.qr (mode "reduced", its default): A [..., m, n]
// = Q·R with Q [..., m, k] of orthonormal columns and R [..., k, n] upper triangular, k = min(m, n).
// Householder reflections in float64 with LAPACK's (geqrf's) sign convention — R's diagonal is
// −sign(a)·‖column‖, and a column already zero below the diagonal is left as it is — so Q and R
// are PyTorch's; the result is rounded once to A's dtype. Only the reduced mode: PyTorch's
// "complete" and "r" modes have no gradient (for m > n), and "r" is R alone.
//
// Gradient (PyTorch 1.13's linalg_qr_backward; Liao et al. 2019), for m ≥ n:
// M = R·G_Rᵀ − G_Qᵀ·Q, G_A = (G_Q + Q·copyltu(M))·R⁻ᵀ with copyltu(M) = tril(M) + tril(M, −1)ᵀ;
// for m < n, A = [X | Y] and R = [U | V]: G_Y = Q·G_V and G_X is the m ≥ n formula for X = Q·U
// with G_Q + Y·G_Vᵀ in place of G_Q. R must be invertible (A of full rank), as in PyTorch.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { fromF64, gradValues } from "./linalg-common.js";
import { Tensor } from "./tensor.js";

/** Q (m×k) and R (k×n) of one m×n matrix at a[off…]. */
function householder(src: Float64Array, off: number, m: number, n: number, q: Float64Array, qoff: number, r: Float64Array, roff: number): void {
  const k = Math.min(m, n), a = src.slice(off, off + m * n), vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let below = 0;
    for (let i = j + 1; i < m; i++) below += a[i * n + j] * a[i * n + j];
    const x0 = a[j * n + j], v = new Float64Array(m - j);
    if (below === 0) { vs.push(v); continue; } // geqrf: τ = 0, H = I
    const beta = -(x0 >= 0 ? 1 : -1) * Math.sqrt(x0 * x0 + below);
    v[0] = x0 - beta;
    for (let i = j + 1; i < m; i++) v[i - j] = a[i * n + j];
    const vv = v[0] * v[0] + below;
    // A[j:, j:] ← (I − 2vvᵀ/vᵀv)·A[j:, j:]
    for (let c = j; c < n; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i - j] * a[i * n + c];
      const f = (2 * s) / vv;
      for (let i = j; i < m; i++) a[i * n + c] -= f * v[i - j];
    }
    for (let i = j + 1; i < m; i++) a[i * n + j] = 0;
    a[j * n + j] = beta;
    for (let i = 0; i < v.length; i++) v[i] /= Math.sqrt(vv); // unit v: H = I − 2vvᵀ
    vs.push(v);
  }
  for (let i = 0; i < k; i++) for (let c = 0; c < n; c++) r[roff + i * n + c] = c >= i ? a[i * n + c] : 0;
  // Q = H₀·H₁·…·H_{k−1}·I[:, :k], applied from the last reflection back
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) q[qoff + i * k + c] = i === c ? 1 : 0;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i - j] * q[qoff + i * k + c];
      for (let i = j; i < m; i++) q[qoff + i * k + c] -= 2 * s * v[i - j];
    }
  }
}

/** G_A (m×n, m ≥ n = k) of A = Q·R for one matrix; gQ is overwritten. */
function backwardTall(q: Float64Array, r: Float64Array, gQ: Float64Array, gR: Float64Array, m: number, k: number, rStride: number): Float64Array {
  const M = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += r[i * rStride + p] * gR[j * rStride + p]; // (R·G_Rᵀ)_ij
      for (let p = 0; p < m; p++) s -= gQ[p * k + i] * q[p * k + j]; // (G_Qᵀ·Q)_ij
      M[i * k + j] = s;
    }
  }
  // B = G_Q + Q·copyltu(M), then G_A = B·R⁻ᵀ (R·G_Aᵀ = Bᵀ: back substitution per row of B)
  const b = gQ;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += q[i * k + p] * (p >= j ? M[p * k + j] : M[j * k + p]);
      b[i * k + j] += s;
    }
    for (let j = k - 1; j >= 0; j--) {
      let s = b[i * k + j];
      for (let p = j + 1; p < k; p++) s -= b[i * k + p] * r[j * rStride + p];
      b[i * k + j] = s / r[j * rStride + j];
    }
  }
  return b;
}

export interface QrOptions {
  /** "reduced" (the default, and the only mode here): Q [..., m, k] and R [..., k, n]. */
  mode?: "reduced";
}

/** Q and R with A = Q·R for each matrix of A [..., m, n], as torch.linalg.qr (mode "reduced"). */
export function qr(A: Tensor, o: QrOptions = {}): { Q: Tensor; R: Tensor } {
  checkOptions("qr", o, ["mode"]);
  if (o.mode !== undefined && o.mode !== "reduced") throw new ValueError(`qr: mode must be "reduced" (the only mode here), got ${String(o.mode)}`);
  if (!(A instanceof Tensor)) throw new ValueError(`qr: A must be a Tensor, got ${typeof A}`);
  if (A.dtype !== "float32" && A.dtype !== "float64") throw new DTypeError(`qr: expected a float32 or float64 tensor as A, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(`qr: A must have at least 2 dimensions ([..., m, n]), got shape [${A.shape}]`);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], k = Math.min(m, n);
  const batch = A.shape.slice(0, -2), count = batch.reduce((p, d) => p * d, 1);
  const a = Float64Array.from(A.data as ArrayLike<number>);
  const q = new Float64Array(count * m * k), r = new Float64Array(count * k * n);
  for (let t = 0; t < count; t++) householder(a, t * m * n, m, n, q, t * m * k, r, t * k * n);
  const Q = fromF64(q, A.dtype, [...batch, m, k]), R = fromF64(r, A.dtype, [...batch, k, n]);
  const backward = (gQ: Float64Array | null, gR: Float64Array | null): Tensor => {
    const out = new Float64Array(count * m * n);
    for (let t = 0; t < count; t++) {
      const qt = q.subarray(t * m * k, (t + 1) * m * k), rt = r.subarray(t * k * n, (t + 1) * k * n);
      const gq = gQ ? gQ.slice(t * m * k, (t + 1) * m * k) : new Float64Array(m * k);
      const gr = gR ? gR.subarray(t * k * n, (t + 1) * k * n) : new Float64Array(k * n);
      if (n > m) {
        // G_Q += Y·G_Vᵀ (Y = A[:, m:], G_V = G_R[:, m:]); G_Y = Q·G_V
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) { let s = 0; for (let c = m; c < n; c++) s += a[t * m * n + i * n + c] * gr[j * n + c]; gq[i * k + j] += s; }
          for (let c = m; c < n; c++) { let s = 0; for (let p = 0; p < m; p++) s += qt[i * k + p] * gr[p * n + c]; out[t * m * n + i * n + c] = s; }
        }
      }
      const gx = backwardTall(qt, rt, gq, gr, m, k, n);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[t * m * n + i * n + j] = gx[i * k + j];
    }
    return fromF64(out, A.dtype, A.shape);
  };
  record(Q, "qr", [A], (g) => [backward(gradValues(g), null)]);
  record(R, "qr", [A], (g) => [backward(null, gradValues(g))]);
  return { Q, R };
}
