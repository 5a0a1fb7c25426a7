// torch.fft's n-dimensional transforms (fftn, ifftn, rfftn, irfftn, and the 2-d forms, which are
// the same with dim defaulting to [−2, −1]): one-dimensional transforms of src/fft/transforms.ts
// applied dim after dim, so each pass records its own backward and the gradient needs no rule of
// its own. The scale of every norm is a product over the dims, so scaling each pass by its own
// factor gives PyTorch's; padding or trimming a dim commutes with transforms along the others.
import { ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { describe, normalizeAxis } from "../ndarray/shape.js";
import { checkOptions } from "../options.js";
import { checkComplex, fft, floatDtype, ifft, irfft, normScale, rfft, type FftNorm } from "./transforms.js";

export interface FftnOptions {
  /**
   * The signal size per transformed dim: each padded with zeros or trimmed to it; −1 keeps that
   * dim's default (its size; for irfftn/hfftn's last dim 2·(m−1)). Default: every default.
   */
  s?: readonly number[];
  /**
   * The dims transformed, not counting a complex tensor's trailing (re, im) dim. Default: every
   * signal dim, or the last s.length when s is given; the 2-d forms [−2, −1]. rfftn's last dim
   * is the halved one, as irfftn's last is the one restored.
   */
  dim?: number | readonly number[];
  norm?: FftNorm;
}
export type Fft2Options = FftnOptions;

/** Which side is complex: both, the output only (rfftn), or the input only (irfftn). */
type Kind = "c2c" | "r2c" | "c2r";

const range = (from: number, to: number) => Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i);

/** The signal dims transformed, from `dim`, the length of `s` or the default. */
function chooseDims(where: string, o: FftnOptions, signal: readonly number[], twoDim: boolean): number[] {
  const { dim, s } = o;
  let listed: readonly number[];
  if (dim !== undefined) {
    if (typeof dim !== "number" && !Array.isArray(dim)) throw new ValueError(`${where}: dim must be a dim or a list of dims, got ${JSON.stringify(dim)}`);
    listed = typeof dim === "number" ? [dim] : dim;
  } else if (twoDim) {
    listed = [-2, -1];
  } else if (s !== undefined) {
    if (s.length > signal.length) {
      throw new ValueError(`${where}: s gives ${s.length} sizes ${JSON.stringify(s)} but the input has ${signal.length} signal dim(s) (signal shape [${signal}])`);
    }
    listed = range(signal.length - s.length, signal.length);
  } else {
    listed = range(0, signal.length);
  }
  const dims = listed.map((d) => normalizeAxis(d, signal.length, where));
  if (new Set(dims).size !== dims.length) throw new ValueError(`${where}: dims must be unique, got [${listed.join(", ")}]`);
  return dims;
}

/**
 * Checks a transform's input and options before any pass runs, and resolves its dims and the
 * signal size along each (s's −1 and absent entries replaced by the defaults).
 */
export function planPasses(where: string, x: Tensor, o: FftnOptions, kind: Kind, twoDim: boolean): { dims: number[]; sizes: number[] } {
  checkOptions(where, o, ["s", "dim", "norm"]);
  floatDtype(where, x);
  if (kind === "r2c" && x.ndim < 1) throw new ShapeError(`${where}: needs at least one dim, got a 0-d tensor`);
  if (kind !== "r2c") checkComplex(where, x);
  normScale(where, o.norm, 1, false);
  if (o.s !== undefined && !Array.isArray(o.s)) throw new ValueError(`${where}: s must be a list of sizes, got ${JSON.stringify(o.s)}`);
  const signal = x.shape.slice(0, kind === "r2c" ? x.ndim : x.ndim - 1);
  const dims = chooseDims(where, o, signal, twoDim);
  if (o.s !== undefined && o.s.length !== dims.length) {
    throw new ValueError(`${where}: s must give one size per dim (${dims.length}: [${dims}]), got ${JSON.stringify(o.s)}`);
  }
  if (kind !== "c2c" && dims.length === 0) throw new ValueError(`${where}: must transform at least one dim, got dim []`);
  const sizes = dims.map((d, i) => {
    const given = o.s === undefined ? -1 : o.s[i];
    if (!Number.isInteger(given) || (given < 1 && given !== -1)) throw new ValueError(`${where}: s[${i}] must be a positive integer or -1, got ${describe(given)}`);
    if (given !== -1) return given;
    const restored = kind === "c2r" && i === dims.length - 1, size = restored ? 2 * (signal[d] - 1) : signal[d];
    if (size < 1) {
      throw new ValueError(`${where}: the signal size of dim ${d} must be a positive integer, got ${size}${restored ? ` = 2·(${signal[d]} − 1)` : ""} from shape [${x.shape}]; give s`);
    }
    return size;
  });
  return { dims, sizes };
}

/** fftn / ifftn and their 2-d forms: complex passes along every dim (none: a copy, as PyTorch). */
function complexPasses(where: string, x: Tensor, o: FftnOptions, inverse: boolean, twoDim: boolean): Tensor {
  const { dims, sizes } = planPasses(where, x, o, "c2c", twoDim);
  if (dims.length === 0) return x.clone();
  const pass = inverse ? ifft : fft;
  return dims.reduce((y, dim, i) => pass(y, { dim, n: sizes[i], norm: o.norm }), x);
}

/** rfftn's passes: the real-to-half transform along the last listed dim, then complex ones along the rest. */
export function realForwardPasses(where: string, x: Tensor, o: FftnOptions, twoDim: boolean): Tensor {
  const { dims, sizes } = planPasses(where, x, o, "r2c", twoDim), last = dims.length - 1;
  // A complex tensor's dims are counted without its trailing (re, im) dim, so x's dims name the same ones.
  const half = rfft(x, { dim: dims[last], n: sizes[last], norm: o.norm });
  return dims.slice(0, last).reduce((y, dim, i) => fft(y, { dim, n: sizes[i], norm: o.norm }), half);
}

/** irfftn's passes: complex inverses along all but the last listed dim, then the half-to-real one along it. */
export function realInversePasses(where: string, x: Tensor, o: FftnOptions, twoDim: boolean): Tensor {
  const { dims, sizes } = planPasses(where, x, o, "c2r", twoDim), last = dims.length - 1;
  const mixed = dims.slice(0, last).reduce((y, dim, i) => ifft(y, { dim, n: sizes[i], norm: o.norm }), x);
  return irfft(mixed, { dim: dims[last], n: sizes[last], norm: o.norm });
}

/** torch.fft.fftn of a complex input [..., 2]. */
export const fftn = (x: Tensor, o: FftnOptions = {}): Tensor => complexPasses("fftn", x, o, false, false);
/** torch.fft.ifftn of a complex input [..., 2]. */
export const ifftn = (x: Tensor, o: FftnOptions = {}): Tensor => complexPasses("ifftn", x, o, true, false);
/** torch.fft.rfftn of a real input: the last listed dim keeps ⌊s/2⌋+1 entries. */
export const rfftn = (x: Tensor, o: FftnOptions = {}): Tensor => realForwardPasses("rfftn", x, o, false);
/** torch.fft.irfftn: the real signal whose rfftn is the input (last dim's size default 2·(m−1)). */
export const irfftn = (x: Tensor, o: FftnOptions = {}): Tensor => realInversePasses("irfftn", x, o, false);

/** torch.fft.fft2: fftn over dim [−2, −1] by default. */
export const fft2 = (x: Tensor, o: Fft2Options = {}): Tensor => complexPasses("fft2", x, o, false, true);
/** torch.fft.ifft2: ifftn over dim [−2, −1] by default. */
export const ifft2 = (x: Tensor, o: Fft2Options = {}): Tensor => complexPasses("ifft2", x, o, true, true);
/** torch.fft.rfft2: rfftn over dim [−2, −1] by default. */
export const rfft2 = (x: Tensor, o: Fft2Options = {}): Tensor => realForwardPasses("rfft2", x, o, true);
/** torch.fft.irfft2: irfftn over dim [−2, −1] by default. */
export const irfft2 = (x: Tensor, o: Fft2Options = {}): Tensor => realInversePasses("irfft2", x, o, true);
