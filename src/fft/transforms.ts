// torch.fft's one-dimensional transforms on edgegrad's complex layout, PyTorch's
// view_as_real: a float tensor whose trailing dim of size 2 holds (re, im); `dim` counts the dims
// before it. Computed in float64 (src/fft/kernel.ts), rounded once to the input's dtype. Each
// transform is linear, so its backward is the adjoint transform, written next to it.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { normalizeAxis } from "../ndarray/shape.js";
import { checkOptions } from "../options.js";
import { dftAlong } from "./kernel.js";

export type FftNorm = "backward" | "forward" | "ortho";

export interface FftOptions {
  /** The signal length: the input is zero-padded or trimmed to n along `dim` (default: its size). */
  n?: number;
  /** The dim transformed (default −1), not counting a complex input's trailing (re, im) dim. */
  dim?: number;
  /** Which direction is scaled: "backward" (default: the inverse by 1/n), "forward", "ortho" (1/√n both). */
  norm?: FftNorm;
}

/** The factor of a transform of length n under `norm`, for the forward or the inverse direction. */
export function normScale(where: string, norm: unknown, n: number, inverse: boolean): number {
  if (norm === undefined || norm === null || norm === "backward") return inverse ? 1 / n : 1;
  if (norm === "forward") return inverse ? 1 : 1 / n;
  if (norm === "ortho") return 1 / Math.sqrt(n);
  throw new ValueError(`${where}: norm must be "backward", "forward" or "ortho", got ${JSON.stringify(norm)}`);
}

export const zerosLike = (dtype: "float32" | "float64", n: number): FloatArray => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
export const floatTensor = (data: Float64Array, dtype: "float32" | "float64", shape: number[]): Tensor =>
  new Tensor(dtype === "float64" ? data : Float32Array.from(data), dtype, shape);

/** A float input's dtype, or a DTypeError. */
export function floatDtype(where: string, x: unknown): "float32" | "float64" {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor, got ${typeof x}`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  return x.dtype;
}

/** [outer, len, inner] around `dim` of the first `ndim` dims of `shape`. */
export function around(shape: readonly number[], dim: number, ndim: number) {
  let outer = 1, inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < ndim; i++) inner *= shape[i];
  return { outer, len: shape[dim], inner };
}

export function checkComplex(where: string, x: Tensor): void {
  if (x.ndim < 2 || x.shape[x.ndim - 1] !== 2) {
    throw new ShapeError(`${where}: a complex input needs a trailing (re, im) dim of size 2 after at least one signal dim, got shape [${x.shape}]`);
  }
}

/** dim, n and the scale of a transform after checking its options; `nDefault` gives n from the dim's size. */
function resolve(where: string, x: Tensor, o: FftOptions, signalDims: number, inverse: boolean, nDefault: (len: number) => number) {
  checkOptions(where, o, ["n", "dim", "norm"]);
  const dim = normalizeAxis(o.dim ?? -1, signalDims, where);
  const n = o.n ?? nDefault(x.shape[dim]);
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new ValueError(`${where}: n must be a positive integer, got ${String(n)}${o.n === undefined ? ` (from dim ${dim} of shape [${x.shape}])` : ""}`);
  return { dim, n, scale: normScale(where, o.norm, n, inverse) };
}

/** The complex transform itself; its adjoint is the same transform in the other direction, back to len. */
function c2c(x: Tensor, dim: number, n: number, sign: -1 | 1, scale: number): Tensor {
  const { outer, len, inner } = around(x.shape, dim, x.ndim - 1);
  const shape = x.shape.slice();
  shape[dim] = n;
  const out = floatTensor(dftAlong(x.data, outer, len, inner, n, sign, scale), x.dtype as "float32" | "float64", shape);
  return record(out, sign < 0 ? "fft" : "ifft", [x], (g) => {
    // The adjoint of "pad/trim to n, transform": transform back at length n, then trim/pad to len.
    const back = dftAlong(g.data, outer, n, inner, n, sign < 0 ? 1 : -1, scale);
    return [floatTensor(firstAlong(back, outer, n, inner, len), x.dtype as "float32" | "float64", x.shape.slice())];
  });
}

/** torch.fft.fft: X_k = Σ_j x_j e^{−2πijk/n} of a complex input [..., 2] along `dim`. */
export function fft(x: Tensor, o: FftOptions = {}): Tensor {
  floatDtype("fft", x);
  checkComplex("fft", x);
  const { dim, n, scale } = resolve("fft", x, o, x.ndim - 1, false, (len) => len);
  return c2c(x, dim, n, -1, scale);
}

/** torch.fft.ifft: x_j = (1/n)·Σ_k X_k e^{+2πijk/n} under the default norm. */
export function ifft(x: Tensor, o: FftOptions = {}): Tensor {
  floatDtype("ifft", x);
  checkComplex("ifft", x);
  const { dim, n, scale } = resolve("ifft", x, o, x.ndim - 1, true, (len) => len);
  return c2c(x, dim, n, 1, scale);
}

/** Real [outer, len, inner] → interleaved complex with zero imaginary parts. */
function realToComplex(d: ArrayLike<number>): Float64Array {
  const out = new Float64Array(d.length * 2);
  for (let i = 0; i < d.length; i++) out[2 * i] = d[i];
  return out;
}

/** The first `keep` of `n` entries along the middle axis of complex [outer, n, inner, 2], zero-padded if keep > n. */
function firstAlong(d: Float64Array, outer: number, n: number, inner: number, keep: number): Float64Array {
  const out = new Float64Array(outer * keep * inner * 2), row = keep * inner * 2, used = Math.min(keep, n) * inner * 2;
  for (let o = 0; o < outer; o++) out.set(d.subarray(o * n * inner * 2, o * n * inner * 2 + used), o * row);
  return out;
}

/** torch.fft.rfft: the first ⌊n/2⌋+1 entries of the fft of a real input, as [..., n/2+1, 2]. */
export function rfft(x: Tensor, o: FftOptions = {}): Tensor {
  return realToHalf("rfft", x, o);
}

/** rfft under another function's name (ihfft's), for its error messages. */
export function realToHalf(where: string, x: Tensor, o: FftOptions): Tensor {
  const dtype = floatDtype(where, x);
  if (x.ndim < 1) throw new ShapeError(`${where}: needs at least one dim, got a 0-d tensor`);
  const { dim, n, scale } = resolve(where, x, o, x.ndim, false, (len) => len);
  const { outer, len, inner } = around(x.shape, dim, x.ndim), half = (n >> 1) + 1;
  const full = dftAlong(realToComplex(x.data), outer, len, inner, n, -1, scale);
  const shape = [...x.shape, 2];
  shape[dim] = half;
  const out = floatTensor(firstAlong(full, outer, n, inner, half), dtype, shape);
  return record(out, "rfft", [x], (g) => {
    // The adjoint of "pad/trim, transform, keep the first half": zero-extend, transform back, take
    // the real part (the input is real), trim/pad back to len.
    const back = dftAlong(g.data, outer, half, inner, n, 1, scale), gx = new Float64Array(outer * len * inner);
    const used = Math.min(n, len);
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < used; k++) for (let s = 0; s < inner; s++) gx[(a * len + k) * inner + s] = back[((a * n + k) * inner + s) * 2];
    }
    return [floatTensor(gx, dtype, x.shape.slice())];
  });
}

/**
 * torch.fft.irfft: the real signal of length n (default 2·(m−1)) whose rfft is the input's first
 * ⌊n/2⌋+1 entries (zero-padded or trimmed to that), the rest by conjugate symmetry; the imaginary
 * parts of the zero (and for even n the Nyquist) entry are ignored, as PyTorch's are.
 */
export function irfft(x: Tensor, o: FftOptions = {}): Tensor {
  return halfToReal("irfft", x, o);
}

/** irfft under another function's name (hfft's), for its error messages. */
export function halfToReal(where: string, x: Tensor, o: FftOptions): Tensor {
  const dtype = floatDtype(where, x);
  checkComplex(where, x);
  const { dim, n, scale } = resolve(where, x, o, x.ndim - 1, true, (len) => 2 * (len - 1));
  const { outer, len, inner } = around(x.shape, dim, x.ndim - 1), half = (n >> 1) + 1, used = Math.min(len, half);
  const src = x.data, full = new Float64Array(outer * n * inner * 2);
  for (let a = 0; a < outer; a++) {
    for (let k = 0; k < used; k++) {
      for (let s = 0; s < inner; s++) {
        const p = ((a * len + k) * inner + s) * 2, q = ((a * n + k) * inner + s) * 2;
        const selfConjugate = k === 0 || 2 * k === n;
        full[q] = src[p]; full[q + 1] = selfConjugate ? 0 : src[p + 1];
        if (!selfConjugate) { const r = ((a * n + n - k) * inner + s) * 2; full[r] = src[p]; full[r + 1] = -src[p + 1]; }
      }
    }
  }
  const back = dftAlong(full, outer, n, inner, n, 1, scale), y = new Float64Array(outer * n * inner);
  for (let i = 0; i < y.length; i++) y[i] = back[2 * i];
  const shape = x.shape.slice(0, -1);
  shape[dim] = n;
  return record(floatTensor(y, dtype, shape), "irfft", [x], (g) => {
    // y = Re of the inverse transform of the Hermitian extension, so ∂y/∂x_k is the forward
    // transform of g at k, doubled where x_k also stands for its mirror n − k.
    const fwd = dftAlong(realToComplex(g.data), outer, n, inner, n, -1, scale), gx = new Float64Array(outer * len * inner * 2);
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < used; k++) {
        const selfConjugate = k === 0 || 2 * k === n, twice = selfConjugate ? 1 : 2;
        for (let s = 0; s < inner; s++) {
          const p = ((a * len + k) * inner + s) * 2, q = ((a * n + k) * inner + s) * 2;
          // The forward ignores these imaginary parts, so they get no gradient.
          gx[p] = twice * fwd[q]; gx[p + 1] = selfConjugate ? 0 : twice * fwd[q + 1];
        }
      }
    }
    return [floatTensor(gx, dtype, x.shape.slice())];
  });
}
