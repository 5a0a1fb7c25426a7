// torchaudio.functional.melscale_fbanks: triangular filters, equally spaced on the mel scale,
// over the nFreqs bins of a one-sided spectrum from 0 to sampleRate/2.
//   HTK mel:     m = 2595·log10(1 + f/700)
//   Slaney mel:  m = 3f/200 below 1 kHz, 15 + 27·ln(f/1000)/ln 6.4 above
// Filter i rises from f_i to f_{i+1} and falls to f_{i+2}; "slaney" norm divides each by its
// width (f_{i+2} − f_i)/2, so every filter has the same area.
import { finite, nonNegativeInt, positive, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

export type MelScale = "htk" | "slaney";

export interface MelFbankOptions {
  /** null (default): peak 1; "slaney": each filter divided by half its width in Hz. */
  norm?: null | "slaney";
  /** The mel formula (default "htk"). */
  melScale?: MelScale;
  dtype?: "float32" | "float64";
}

const SLANEY_STEP = 200 / 3, SLANEY_KNEE_HZ = 1000, SLANEY_KNEE_MEL = SLANEY_KNEE_HZ / SLANEY_STEP, SLANEY_LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(f: number, scale: MelScale): number {
  if (scale === "htk") return 2595 * Math.log10(1 + f / 700);
  return f < SLANEY_KNEE_HZ ? f / SLANEY_STEP : SLANEY_KNEE_MEL + Math.log(f / SLANEY_KNEE_HZ) / SLANEY_LOG_STEP;
}

export function melToHz(m: number, scale: MelScale): number {
  if (scale === "htk") return 700 * (10 ** (m / 2595) - 1);
  return m < SLANEY_KNEE_MEL ? m * SLANEY_STEP : SLANEY_KNEE_HZ * Math.exp(SLANEY_LOG_STEP * (m - SLANEY_KNEE_MEL));
}

/** The filter bank [nFreqs, nMels]: a spectrogram [..., nFreqs, T] maps to mels by fbᵀ·spec. */
export function melscaleFbanks(nFreqs: number, fMin: number, fMax: number, nMels: number, sampleRate: number, o: MelFbankOptions = {}): Tensor {
  const where = "melscaleFbanks";
  checkOptions(where, o, ["norm", "melScale", "dtype"]);
  positiveInt(where, "nFreqs", nFreqs);
  nonNegativeInt(where, "nMels", nMels);
  positive(where, "sampleRate", sampleRate);
  if (finite(where, "fMin", fMin) < 0 || !(finite(where, "fMax", fMax) > fMin)) throw new ValueError(`${where}: needs 0 ≤ fMin < fMax, got fMin ${fMin}, fMax ${fMax}`);
  const scale = o.melScale ?? "htk", norm = o.norm ?? null, dtype = o.dtype ?? "float32";
  if (scale !== "htk" && scale !== "slaney") throw new ValueError(`${where}: melScale must be "htk" or "slaney", got ${String(scale)}`);
  if (norm !== null && norm !== "slaney") throw new ValueError(`${where}: norm must be null or "slaney", got ${String(norm)}`);
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${where}: dtype must be "float32" or "float64", got ${String(dtype)}`);
  // torchaudio spaces the bins over [0, sampleRate // 2] (integer division) by linspace.
  const top = Math.floor(sampleRate / 2), mMin = hzToMel(fMin, scale), mMax = hzToMel(fMax, scale);
  const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1), scale));
  const out = dtype === "float64" ? new Float64Array(nFreqs * nMels) : new Float32Array(nFreqs * nMels);
  for (let k = 0; k < nFreqs; k++) {
    const f = nFreqs === 1 ? 0 : (top * k) / (nFreqs - 1);
    for (let m = 0; m < nMels; m++) {
      const down = (f - points[m]) / (points[m + 1] - points[m]), up = (points[m + 2] - f) / (points[m + 2] - points[m + 1]);
      const w = Math.max(0, Math.min(down, up));
      out[k * nMels + m] = norm === "slaney" ? (w * 2) / (points[m + 2] - points[m]) : w;
    }
  }
  return new Tensor(out, dtype, [nFreqs, nMels]);
}
