// torch.fft.fftfreq / rfftfreq (the frequency of each output bin) and fftshift / ifftshift
// (rolling the zero frequency to the centre and back, a differentiable roll).
import { positive, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { roll, Tensor } from "../ndarray/index.js";
import { normalizeAxes } from "../ndarray/shape.js";
import { checkOptions } from "../options.js";

export interface FftFreqOptions {
  /** The sample spacing (default 1). */
  d?: number;
  dtype?: "float32" | "float64";
}

function frequencies(where: string, n: number, o: FftFreqOptions, count: number, bin: (k: number) => number): Tensor {
  checkOptions(where, o, ["d", "dtype"]);
  const d = positive(where, "d", o.d ?? 1), dtype = o.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${where}: dtype must be "float32" or "float64", got ${String(dtype)}`);
  const data = dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
  for (let k = 0; k < count; k++) data[k] = bin(k) / (n * d);
  return new Tensor(data, dtype, [count]);
}

/** torch.fft.fftfreq: [0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (d·n). */
export function fftfreq(n: number, o: FftFreqOptions = {}): Tensor {
  positiveInt("fftfreq", "n", n);
  return frequencies("fftfreq", n, o, n, (k) => (k < Math.ceil(n / 2) ? k : k - n));
}

/** torch.fft.rfftfreq: [0, 1, …, ⌊n/2⌋] / (d·n). */
export function rfftfreq(n: number, o: FftFreqOptions = {}): Tensor {
  positiveInt("rfftfreq", "n", n);
  return frequencies("rfftfreq", n, o, (n >> 1) + 1, (k) => k);
}

export interface ShiftOptions {
  /**
   * The dims rolled (default: all, as PyTorch). This takes any tensor, so it cannot tell a complex
   * tensor's trailing (re, im) dim from a signal dim: for complex input, list the signal dims, or
   * the default rolls (re, im) too and swaps them.
   */
  dims?: number | readonly number[];
}

function shift(where: string, x: Tensor, o: ShiftOptions, by: (size: number) => number): Tensor {
  checkOptions(where, o, ["dims"]);
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor, got ${typeof x}`);
  const dims = normalizeAxes(o.dims, x.ndim, where);
  if (dims.length === 0) return x;
  return roll(x, dims.map((d) => by(x.shape[d])), dims);
}

/** torch.fft.fftshift: rolls each dim by ⌊size/2⌋, bringing the zero frequency to the centre. */
export const fftshift = (x: Tensor, o: ShiftOptions = {}): Tensor => shift("fftshift", x, o, (s) => s >> 1);
/** torch.fft.ifftshift: the inverse roll, by −⌊size/2⌋. */
export const ifftshift = (x: Tensor, o: ShiftOptions = {}): Tensor => shift("ifftshift", x, o, (s) => -(s >> 1));
