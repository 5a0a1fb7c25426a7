// torchaudio's Spectrogram and MelSpectrogram as functions: the STFT of any batch of signals
// [..., L] under a periodic Hann window, its magnitude to a power, and mel filters applied by a
// matrix product. Built from differentiable ops, so gradients reach the signal and the window.
import { boolean, positive, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { melscaleFbanks, type MelScale } from "./mel.js";
import { stft, type StftOptions } from "./stft.js";
import { floatDtype } from "./transforms.js";
import { hannWindow } from "./windows.js";

export interface SpectrogramOptions {
  /** The frame size (default 400). */
  nFft?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default ⌊winLength/2⌋ (torchaudio's, not torch.stft's ⌊nFft/4⌋). */
  hopLength?: number;
  /** Default: a periodic Hann window of winLength in the signal's dtype. */
  window?: Tensor;
  /** The exponent of the magnitude (default 2); null keeps the complex [..., 2] STFT. */
  power?: number | null;
  /** true or "window": divide by √Σw²; "frameLength": by √nFft (default false). */
  normalized?: boolean | "window" | "frameLength";
  center?: boolean;
  padMode?: StftOptions["padMode"];
  onesided?: boolean;
}

const SPECTROGRAM_KEYS = ["nFft", "winLength", "hopLength", "window", "power", "normalized", "center", "padMode", "onesided"];

/** torchaudio.functional.spectrogram with torchaudio.transforms.Spectrogram's defaults: [..., L] → [..., freq, frames]. */
export function spectrogram(x: Tensor, o: SpectrogramOptions = {}): Tensor {
  checkOptions("spectrogram", o, SPECTROGRAM_KEYS);
  return spectrogramOf("spectrogram", x, o);
}

function spectrogramOf(where: string, x: Tensor, o: SpectrogramOptions): Tensor {
  const dtype = floatDtype(where, x);
  if (x.ndim < 1) throw new ValueError(`${where}: needs a signal [..., L], got a 0-d tensor`);
  const nFft = positiveInt(where, "nFft", o.nFft ?? 400), winLength = positiveInt(where, "winLength", o.winLength ?? nFft);
  const hopLength = positiveInt(where, "hopLength", o.hopLength ?? Math.max(1, winLength >> 1));
  const normalized = o.normalized ?? false;
  if (!([true, false, "window", "frameLength"] as unknown[]).includes(normalized)) {
    throw new ValueError(`${where}: normalized must be true, false, "window" or "frameLength", got ${String(normalized)}`);
  }
  const power = o.power === undefined ? 2 : o.power;
  if (power !== null) positive(where, "power", power);
  const window = o.window ?? hannWindow(winLength, { dtype });
  const lead = x.shape.slice(0, -1), L = x.shape[x.ndim - 1];
  let spec = stft(x.reshape([-1, L]), nFft, {
    hopLength, winLength, window, center: boolean(where, "center", o.center ?? true), padMode: o.padMode,
    normalized: normalized === "frameLength", onesided: o.onesided,
  });
  spec = spec.reshape([...lead, ...spec.shape.slice(1)]);
  if (normalized === true || normalized === "window") spec = spec.div(window.mul(window).sum().sqrt());
  if (power === null) return spec;
  const squared = spec.mul(spec).sum(-1);
  return power === 2 ? squared : squared.pow(power / 2);
}

export interface MelSpectrogramOptions extends Omit<SpectrogramOptions, "power" | "onesided"> {
  /** Default 16000. */
  sampleRate?: number;
  /** Default 0. */
  fMin?: number;
  /** Default sampleRate/2. */
  fMax?: number;
  /** Default 128. */
  nMels?: number;
  /** The exponent of the magnitude (default 2). */
  power?: number;
  /** The filters' norm (default null). */
  norm?: null | "slaney";
  /** Default "htk". */
  melScale?: MelScale;
}

/** torchaudio.transforms.MelSpectrogram as a function: [..., L] → [..., nMels, frames]. */
export function melSpectrogram(x: Tensor, o: MelSpectrogramOptions = {}): Tensor {
  const where = "melSpectrogram";
  checkOptions(where, o, [...SPECTROGRAM_KEYS.filter((k) => k !== "onesided"), "sampleRate", "fMin", "fMax", "nMels", "norm", "melScale"]);
  const sampleRate = positive(where, "sampleRate", o.sampleRate ?? 16000), nFft = o.nFft ?? 400;
  if (o.power === null) throw new ValueError(`${where}: power must be a number (the mel filters apply to a magnitude), got null`);
  const fb = melscaleFbanks((positiveInt(where, "nFft", nFft) >> 1) + 1, o.fMin ?? 0, o.fMax ?? sampleRate / 2, o.nMels ?? 128, sampleRate,
    { norm: o.norm, melScale: o.melScale, dtype: floatDtype(where, x) });
  const spec = spectrogramOf(where, x, { ...o, nFft });
  // [..., freq, T] → [..., T, freq] · [freq, mels] → [..., mels, T].
  return spec.transpose(-1, -2).matmul(fb).transpose(-1, -2);
}
