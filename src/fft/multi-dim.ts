// torch.fft.fft2 / ifft2 / rfft2: one-dimensional transforms applied dim after dim. The scale of
// every norm is a product over the dims, so scaling each pass by its own factor gives PyTorch's.
import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { fft, ifft, rfft, type FftNorm } from "./transforms.js";

export interface Fft2Options {
  /** The signal size per transformed dim (each padded with zeros or trimmed; default: their sizes). */
  s?: readonly number[];
  /** The two dims transformed (default [−2, −1]), not counting a complex input's trailing dim. */
  dim?: readonly number[];
  norm?: FftNorm;
}

function passes(where: string, o: Fft2Options): { dims: readonly number[]; sizes: (number | undefined)[] } {
  checkOptions(where, o, ["s", "dim", "norm"]);
  const dims = o.dim ?? [-2, -1];
  if (!Array.isArray(dims) || dims.length !== 2) throw new ValueError(`${where}: dim must list two dims, got ${JSON.stringify(dims)}`);
  if (o.s !== undefined && (!Array.isArray(o.s) || o.s.length !== dims.length)) {
    throw new ValueError(`${where}: s must give one size per dim (${dims.length}), got ${JSON.stringify(o.s)}`);
  }
  return { dims, sizes: dims.map((_, i) => o.s?.[i]) };
}

/** torch.fft.fft2 of a complex input [..., 2]. */
export function fft2(x: Tensor, o: Fft2Options = {}): Tensor {
  const { dims, sizes } = passes("fft2", o);
  return dims.reduce((y, dim, i) => fft(y, { dim, n: sizes[i], norm: o.norm }), x);
}

/** torch.fft.ifft2 of a complex input [..., 2]. */
export function ifft2(x: Tensor, o: Fft2Options = {}): Tensor {
  const { dims, sizes } = passes("ifft2", o);
  return dims.reduce((y, dim, i) => ifft(y, { dim, n: sizes[i], norm: o.norm }), x);
}

/** torch.fft.rfft2 of a real input: rfft over the last listed dim, then fft over the other. */
export function rfft2(x: Tensor, o: Fft2Options = {}): Tensor {
  const { dims, sizes } = passes("rfft2", o);
  const half = rfft(x, { dim: dims[1], n: sizes[1], norm: o.norm });
  // A complex tensor's dims are counted without its trailing (re, im) dim, so x's dims name the same ones.
  return fft(half, { dim: dims[0], n: sizes[0], norm: o.norm });
}
