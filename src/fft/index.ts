// eg.fft: torch.fft's transforms on the (re, im) trailing-dim layout of torch.view_as_real,
// torch.stft, window functions and torchaudio's spectrogram features.
export { fft, ifft, rfft, irfft } from "./transforms.js";
export type { FftNorm, FftOptions } from "./transforms.js";
export { fft2, ifft2, rfft2, irfft2, fftn, ifftn, rfftn, irfftn } from "./multi-dim.js";
export type { Fft2Options, FftnOptions } from "./multi-dim.js";
export { hfft, ihfft, hfft2, ihfft2, hfftn, ihfftn } from "./hermitian.js";
export { fftfreq, rfftfreq, fftshift, ifftshift } from "./frequencies.js";
export type { FftFreqOptions, ShiftOptions } from "./frequencies.js";
export { hannWindow, hammingWindow, blackmanWindow } from "./windows.js";
export type { WindowOptions } from "./windows.js";
export { stft } from "./stft.js";
export { istft } from "./istft.js";
export type { IstftOptions } from "./istft.js";
export type { StftOptions } from "./stft.js";
export { spectrogram, melSpectrogram } from "./spectrogram.js";
export type { SpectrogramOptions, MelSpectrogramOptions } from "./spectrogram.js";
export { melscaleFbanks } from "./mel.js";
export type { MelFbankOptions, MelScale } from "./mel.js";
