// torch.fft's Hermitian transforms. hfft is the forward transform of a signal whose spectrum is
// Hermitian, given by its first half; its output is real. Because that output is real,
//   hfft(x) = Σ_k x̃_k e^{−2πijk/n} = conj(Σ_k conj(x̃_k) e^{+2πijk/n}) = irfft(conj(x))
// with the norm's two directions swapped (hfft is the forward transform, irfft the inverse), and
// ihfft(x) = conj(rfft(x)) likewise: PyTorch 1.13 computes them so (its hfftn is c2c forward, then
// conj, then c2r). Built from irfft/rfft and a differentiable conj, they need no backward of their own.
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { realForwardPasses, realInversePasses, type FftnOptions } from "./multi-dim.js";
import { checkComplex, floatDtype, halfToReal, normScale, realToHalf, type FftNorm, type FftOptions } from "./transforms.js";

/** The norm that scales irfft/rfft as `norm` scales hfft/ihfft (checked first, so the message names it). */
function swapped(where: string, norm: FftNorm | undefined): FftNorm {
  normScale(where, norm, 1, false);
  return norm === "forward" ? "backward" : norm === "ortho" ? "ortho" : "forward";
}

/** The complex conjugate of a [..., 2] tensor: the imaginary parts negated by a broadcast multiply. */
function conj(x: Tensor): Tensor {
  const dtype = x.dtype as "float32" | "float64", signs = dtype === "float64" ? Float64Array.of(1, -1) : Float32Array.of(1, -1);
  return x.mul(new Tensor(signs, dtype, [2]));
}

/** Checks a Hermitian transform's options and complex input before conj touches it. */
function checkHermitianInput(where: string, x: Tensor, o: object, keys: readonly string[]): void {
  checkOptions(where, o, keys);
  floatDtype(where, x);
  checkComplex(where, x);
}

/**
 * torch.fft.hfft: the real length-n (default 2·(m−1)) forward transform of the Hermitian signal
 * whose first ⌊n/2⌋+1 entries are the input; "backward" (default) leaves it unscaled.
 */
export function hfft(x: Tensor, o: FftOptions = {}): Tensor {
  checkHermitianInput("hfft", x, o, ["n", "dim", "norm"]);
  const norm = swapped("hfft", o.norm);
  return halfToReal("hfft", conj(x), { n: o.n, dim: o.dim, norm });
}

/** torch.fft.ihfft: the first ⌊n/2⌋+1 entries of the inverse transform of a real input, scaled by 1/n by default. */
export function ihfft(x: Tensor, o: FftOptions = {}): Tensor {
  checkOptions("ihfft", o, ["n", "dim", "norm"]);
  return conj(realToHalf("ihfft", x, { n: o.n, dim: o.dim, norm: swapped("ihfft", o.norm) }));
}

function hermitianForward(where: string, x: Tensor, o: FftnOptions, twoDim: boolean): Tensor {
  checkHermitianInput(where, x, o, ["s", "dim", "norm"]);
  const norm = swapped(where, o.norm);
  return realInversePasses(where, conj(x), { s: o.s, dim: o.dim, norm }, twoDim);
}

function hermitianInverse(where: string, x: Tensor, o: FftnOptions, twoDim: boolean): Tensor {
  checkOptions(where, o, ["s", "dim", "norm"]);
  return conj(realForwardPasses(where, x, { s: o.s, dim: o.dim, norm: swapped(where, o.norm) }, twoDim));
}

/** torch.fft.hfftn: hfft over every listed dim, the last one real (size default 2·(m−1)). */
export const hfftn = (x: Tensor, o: FftnOptions = {}): Tensor => hermitianForward("hfftn", x, o, false);
/** torch.fft.ihfftn: ihfft over every listed dim, the last one halved. */
export const ihfftn = (x: Tensor, o: FftnOptions = {}): Tensor => hermitianInverse("ihfftn", x, o, false);
/** torch.fft.hfft2: hfftn over dim [−2, −1] by default. */
export const hfft2 = (x: Tensor, o: FftnOptions = {}): Tensor => hermitianForward("hfft2", x, o, true);
/** torch.fft.ihfft2: ihfftn over dim [−2, −1] by default. */
export const ihfft2 = (x: Tensor, o: FftnOptions = {}): Tensor => hermitianInverse("ihfft2", x, o, true);
