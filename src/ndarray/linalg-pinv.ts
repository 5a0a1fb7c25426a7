// The Moore–Penrose pseudo-inverse and least squares, as torch.linalg.pinv and torch.linalg.lstsq.
// A⁺ = V·diag(1/σ)·Uᵀ from svd (V·diag(1/λ)·Vᵀ from eigh for a symmetric A), with singular values
// at or below max(atol, rtol·σ_max) counted as zero (PyTorch 1.13's rule and defaults: rtol =
// ε·max(m, n) when neither is given, 0 when only a positive atol is).
//
// Gradient (PyTorch 1.13's pinv_backward; Golub & Pereyra 1973), for X = A⁺ and G = G_X, m ≤ n:
// K = GᵀX, G_A = −(XK)ᵀ + K·Xᵀ − A·X·K·Xᵀ + XᵀX·(Gᵀ − K·A); m > n: K = X·Gᵀ,
// G_A = −(K·X)ᵀ + (Gᵀ − A·K)·X·Xᵀ + Xᵀ·K − Xᵀ·K·X·A. It is the derivative where the rank does
// not change, and treats A as a general matrix with hermitian too (as PyTorch does), so it is
// not symmetrized. lstsq's solution is A⁺·B, its gradient that of the product.
import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { zeros } from "./creation.js";
import { noGrad, record } from "./autograd.js";
import { where } from "./elementwise.js";
import { eigh } from "./linalg-eigh.js";
import { narrow } from "./movement.js";
import { checkMatrix, svd } from "./linalg-svd.js";
import { Tensor } from "./tensor.js";

export interface SpectralCutoff {
  /** Absolute cutoff for singular values (default 0). */
  atol?: number;
  /** Cutoff relative to the largest singular value (default ε·max(m, n), or 0 when only atol > 0 is given). */
  rtol?: number;
}

export interface PinvOptions extends SpectralCutoff {
  /** A is symmetric and only its lower triangle is read (eigh instead of svd), as PyTorch's. */
  hermitian?: boolean;
}

const machineEpsilon = (A: Tensor) => (A.dtype === "float32" ? 2 ** -23 : 2 ** -52);

function nonNegative(where: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${where}: ${key} must be a finite number ≥ 0, got ${String(v)}`);
  return v;
}

/** atol and rtol with PyTorch 1.13's defaults, for A [..., m, n]. */
export function cutoffOf(where: string, A: Tensor, o: SpectralCutoff): { atol: number; rtol: number } {
  const atol = o.atol === undefined ? 0 : nonNegative(where, "atol", o.atol);
  const byDefault = machineEpsilon(A) * Math.max(A.shape[A.ndim - 2], A.shape[A.ndim - 1]);
  const rtol = o.rtol !== undefined ? nonNegative(where, "rtol", o.rtol) : o.atol !== undefined && atol > 0 ? 0 : byDefault;
  return { atol, rtol };
}

/**
 * The spectrum (singular values, or |eigenvalues| for hermitian) and the cutoff tensor
 * [..., 1] at or below which it counts as zero.
 */
function spectrum(A: Tensor, cut: { atol: number; rtol: number }, hermitian: boolean) {
  if (hermitian) {
    const { eigenvalues, eigenvectors } = eigh(A);
    const largest = eigenvalues.abs().max(-1, { keepdims: true });
    return { values: eigenvalues, magnitude: eigenvalues.abs(), tol: largest.mul(cut.rtol).maximum(cut.atol), left: eigenvectors, right: eigenvectors.transpose(-1, -2) };
  }
  const [U, S, Vh] = svd(A, { fullMatrices: false });
  // S is descending: its first entry is the largest
  const largest = narrow(S, -1, 0, 1);
  return { values: S, magnitude: S, tol: largest.mul(cut.rtol).maximum(cut.atol), left: U, right: Vh };
}

/** G_A of the header from G = G_X, X = A⁺ and A. */
function pinvBackward(g: Tensor, X: Tensor, A: Tensor): Tensor {
  const Xt = X.transpose(-1, -2), gt = g.transpose(-1, -2);
  if (A.shape[A.ndim - 2] <= A.shape[A.ndim - 1]) {
    const K = gt.matmul(X), KXt = K.matmul(Xt);
    return KXt.sub(X.matmul(K).transpose(-1, -2)).sub(A.matmul(X).matmul(KXt)).add(Xt.matmul(X).matmul(gt.sub(K.matmul(A))));
  }
  const K = X.matmul(gt), XtK = Xt.matmul(K);
  return XtK.sub(K.matmul(X).transpose(-1, -2)).add(gt.sub(A.matmul(K)).matmul(X).matmul(Xt)).sub(XtK.matmul(X).matmul(A));
}

/** The pseudo-inverse (recorded for autograd) and, for lstsq, which singular values were kept. */
function pinvParts(A: Tensor, cut: { atol: number; rtol: number }, hermitian: boolean) {
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1];
  if (Math.min(m, n) === 0) return { pinv: zeros([...A.shape.slice(0, -2), n, m], { dtype: A.dtype }), kept: null };
  const { pinv, kept } = noGrad(() => {
    const sp = spectrum(A, cut, hermitian);
    const keep = sp.magnitude.gt(sp.tol);
    // 1/σ where kept, 0 elsewhere, never forming 1/0
    const reciprocal = where(keep, where(keep, sp.values, 1).pow(-1), 0);
    // A⁺ = V·diag(1/σ)·Uᵀ (= V·diag(1/λ)·Vᵀ for hermitian)
    return { pinv: sp.right.transpose(-1, -2).mul(reciprocal.unsqueeze(-2)).matmul(sp.left.transpose(-1, -2)), kept: keep };
  });
  const Ad = A.detach();
  return { pinv: record(pinv, "pinv", [A], (g) => [pinvBackward(g, pinv.detach(), Ad)]), kept };
}

/** The pseudo-inverse [..., n, m] of each matrix of A [..., m, n], as torch.linalg.pinv. */
export function pinv(A: Tensor, o: PinvOptions = {}): Tensor {
  checkOptions("pinv", o, ["atol", "rtol", "hermitian"]);
  checkMatrix(A, "pinv");
  const hermitian = o.hermitian === undefined ? false : boolean("pinv", "hermitian", o.hermitian);
  if (hermitian && A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new ShapeError(`pinv: hermitian needs square matrices, got shape [${A.shape}]`);
  return pinvParts(A, cutoffOf("pinv", A, o), hermitian).pinv;
}

export interface LstsqOptions {
  /** Singular values at or below rcond·σ_max count as zero (default ε·max(m, n) of A's dtype). */
  rcond?: number;
  /** "gelsy", PyTorch's default on the CPU and the only driver here. */
  driver?: "gelsy";
}

/**
 * The minimum-norm least-squares solution X of A·X ≈ B, as torch.linalg.lstsq with its default
 * driver "gelsy": A [..., m, n], B [..., m, k] (or [..., m], a batch of vectors, when it has one
 * dimension fewer than A). Fills `solution` and `rank` (int32, the count of singular values kept);
 * gelsy's residuals and singularValues are empty in PyTorch and are left out here.
 */
export function lstsq(A: Tensor, B: Tensor, o: LstsqOptions = {}): { solution: Tensor; rank: Tensor } {
  checkOptions("lstsq", o, ["rcond", "driver"]);
  if (o.driver !== undefined && o.driver !== "gelsy") throw new ValueError(`lstsq: driver must be "gelsy" (the only driver here), got ${String(o.driver)}`);
  checkMatrix(A, "lstsq");
  if (!(B instanceof Tensor)) throw new ValueError(`lstsq: B must be a Tensor, got ${typeof B}`);
  if (B.dtype !== A.dtype) throw new DTypeError(`lstsq: A and B must have the same dtype, got ${A.dtype} and ${B.dtype}`);
  const vector = B.ndim === A.ndim - 1;
  if (B.ndim < 1 || (!vector && B.ndim < 2)) throw new ShapeError(`lstsq: B must be [..., m, k] or [..., m], got shape [${B.shape}] for A [${A.shape}]`);
  const m = A.shape[A.ndim - 2], rows = vector ? B.shape[B.ndim - 1] : B.shape[B.ndim - 2];
  if (rows !== m) throw new ShapeError(`lstsq: A has ${m} rows but B has ${rows} (shapes [${A.shape}] and [${B.shape}])`);
  const rtol = o.rcond === undefined ? machineEpsilon(A) * Math.max(m, A.shape[A.ndim - 1]) : nonNegative("lstsq", "rcond", o.rcond);
  const { pinv: X, kept } = pinvParts(A, { atol: 0, rtol }, false);
  const solution = vector ? X.matmul(B.unsqueeze(-1)).squeeze(-1) : X.matmul(B);
  const rank = kept === null ? zeros(A.shape.slice(0, -2), { dtype: "int32" }) : kept.astype("int32").sum(-1);
  return { solution, rank };
}
