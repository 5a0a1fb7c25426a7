// eg.fft.stft against framing + window + the defining DFT sum written here in float64; the
// window functions, fftfreq/rfftfreq and the shifts against their formulas; torchaudio's
// spectrogram, mel filter bank and mel spectrogram against their definitions written out here;
// gradients of the signal and the window by central differences; typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";
import { directDft, fftErrorBound, U64 } from "./dft-reference.js";

type FloatDType = "float32" | "float64";
const F = eg.fft;
const list = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);

/** PyTorch's padding of a signal by p on both sides. */
function padded(x: number[], p: number, mode: string): number[] {
  const L = x.length, at = (i: number): number => {
    if (i >= 0 && i < L) return x[i];
    if (mode === "constant") return 0;
    if (mode === "replicate") return x[i < 0 ? 0 : L - 1];
    if (mode === "circular") return x[((i % L) + L) % L];
    return x[i < 0 ? -i : 2 * (L - 1) - i]; // reflect, the edge not repeated
  };
  return Array.from({ length: L + 2 * p }, (_, i) => at(i - p));
}

/** [bins, frames, 2] of one signal: frame t is x[t·hop …] times the centred, zero-padded window. */
function stftReference(x: number[], nFft: number, hop: number, win: number[], center: boolean, mode: string, normalized: boolean, onesided: boolean) {
  const xs = center ? padded(x, nFft >> 1, mode) : x, left = (nFft - win.length) >> 1;
  const T = 1 + Math.floor((xs.length - nFft) / hop), bins = onesided ? (nFft >> 1) + 1 : nFft, scale = normalized ? 1 / Math.sqrt(nFft) : 1;
  const out = new Array<number>(bins * T * 2).fill(0);
  let sumAbs = 0; // the largest frame's Σ|x·w|, for the error bound
  for (let t = 0; t < T; t++) {
    const frame = Array.from({ length: nFft }, (_, j) => [xs[t * hop + j] * (j >= left && j < left + win.length ? win[j - left] : 0), 0] as [number, number]);
    sumAbs = Math.max(sumAbs, frame.reduce((a, [v]) => a + Math.abs(v), 0));
    directDft(frame, nFft, -1, scale).slice(0, bins).forEach(([re, im], f) => { out[(f * T + t) * 2] = re; out[(f * T + t) * 2 + 1] = im; });
  }
  return { data: out, shape: [bins, T, 2], sumAbs };
}

describe("stft", () => {
  it("is the DFT of each windowed frame ([L] and [B, L], every pad mode, window lengths, hops)", () => {
    const arb = fc.record({
      nFft: fc.constantFrom(1, 2, 3, 4, 5, 8, 12, 16, 17), extra: fc.integer({ min: 0, max: 20 }), batch: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      hop: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }), shorter: fc.nat(6), useWindow: fc.boolean(),
      center: fc.boolean(), mode: fc.constantFrom("reflect", "constant", "replicate", "circular"), normalized: fc.boolean(), onesided: fc.boolean(),
      dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ nFft, extra, batch, hop, shorter, useWindow, center, mode, normalized, onesided, dtype, seed }) => {
      const L = nFft + extra, winLength = Math.max(1, nFft - shorter);
      if (center && mode === "reflect" && (nFft >> 1) >= L) return;
      const x = sampleTensor(batch === undefined ? [L] : [batch, L], seed, dtype);
      const window = useWindow ? sampleTensor([winLength], seed + 1, dtype, 0, 1) : undefined;
      const y = F.stft(x, nFft, { hopLength: hop, winLength, window, center, padMode: mode as never, normalized, onesided });
      const win = window ? list(window) : new Array<number>(winLength).fill(1), step = hop ?? Math.max(1, nFft >> 2);
      const rows = batch === undefined ? [list(x)] : Array.from({ length: batch }, (_, b) => list(x).slice(b * L, (b + 1) * L));
      const refs = rows.map((r) => stftReference(r, nFft, step, win, center, mode, normalized, onesided));
      expect(y.shape).toEqual(batch === undefined ? refs[0].shape : [batch, ...refs[0].shape]);
      const want = refs.flatMap((r) => r.data), bound = Math.max(...refs.map((r) => fftErrorBound(nFft, r.sumAbs, 1)));
      expectWithin(list(y), want, (i) => unitOf(dtype) * Math.abs(want[i]) + bound + ETA32, `stft nFft ${nFft} L ${L} hop ${step} win ${winLength} ${mode}`);
    }), { numRuns: 80 });
  });

  it("handles audio frame sizes (nFft 400 and 512 over a second at 16 kHz)", () => {
    const x = sampleTensor([16000], 5, "float64");
    for (const nFft of [400, 512]) {
      const y = F.stft(x, nFft, { hopLength: 160, window: F.hannWindow(nFft, { dtype: "float64" }) });
      expect(y.shape).toEqual([(nFft >> 1) + 1, 101, 2]);
      const win = list(F.hannWindow(nFft, { dtype: "float64" })), want = stftReference(list(x).slice(0, 1200), nFft, 160, win, true, "reflect", false, true);
      // Frames 0–3 lie within the first 1200 samples (frame t reads padded samples 160t … 160t + nFft).
      const T = want.shape[1], bound = fftErrorBound(nFft, want.sumAbs, 1), got = list(y);
      for (let f = 0; f < want.shape[0]; f += 37) {
        for (let t = 0; t < 4; t++) for (let c = 0; c < 2; c++) {
          const g = got[(f * 101 + t) * 2 + c], w = want.data[(f * T + t) * 2 + c];
          expect(Math.abs(g - w), `bin ${f} frame ${t}`).toBeLessThanOrEqual(bound);
        }
      }
    }
  });

  it("passes gradients to the signal (through the padding) and the window", () => {
    const w = float64Input([5], 4, 0.2, 1);
    assertGradByDifferences((x, win) => F.stft(x, 6, { hopLength: 2, window: win, winLength: 5 }), [float64Input([2, 11], 3), w], "stft reflect");
    assertGradByDifferences((x) => F.stft(x, 5, { hopLength: 3, center: false, onesided: false, normalized: true }), [float64Input([9], 5)], "stft two-sided");
  });

  it("refuses bad arguments with typed errors", () => {
    const x = eg.zeros([20]);
    expect(() => F.stft(x, 8, { window: eg.zeros([7]) })).toThrow(/expected a 1-D window of winLength = 8 values, got shape \[7\]/);
    expect(() => F.stft(x, 8, { window: eg.zeros([8], { dtype: "float64" }) })).toThrow(eg.DTypeError);
    expect(() => F.stft(x, 8, { winLength: 9 })).toThrow(/winLength 9 exceeds nFft 8/);
    expect(() => F.stft(x, 0)).toThrow(eg.ValueError);
    expect(() => F.stft(x, 8, { hopLength: 0 })).toThrow(/hopLength must be a positive integer/);
    expect(() => F.stft(x, 30, { center: false })).toThrow(/nFft 30 exceeds the signal length 20/);
    expect(() => F.stft(eg.zeros([2, 2, 20]), 8)).toThrow(eg.ShapeError);
    expect(() => F.stft(x, 8, { padMode: "edge" as never })).toThrow(/padMode must be one of/);
    expect(() => F.stft(x, 8, { returnComplex: true } as never)).toThrow(/unknown option "returnComplex"/);
  });
});

describe("istft", () => {
  it("inverts stft (windows, hops, centre or not, length) in float32 and float64", () => {
    const arb = fc.record({
      nFft: fc.constantFrom(4, 6, 8, 15, 16), extra: fc.integer({ min: 0, max: 30 }), batched: fc.boolean(), hopDiv: fc.constantFrom(2, 4),
      kind: fc.constantFrom("hann", "hamming", "ones"), center: fc.boolean(), normalized: fc.boolean(), withLength: fc.boolean(),
      dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ nFft, extra, batched, hopDiv, kind, center, normalized, withLength, dtype, seed }) => {
      const L = nFft + extra, hopLength = Math.max(1, Math.floor(nFft / hopDiv));
      const window = kind === "ones" ? undefined : (kind === "hann" ? F.hannWindow : F.hammingWindow)(nFft, { dtype, periodic: true });
      const x = sampleTensor(batched ? [2, L] : [L], seed, dtype);
      const spec = F.stft(x, nFft, { hopLength, window, center, normalized });
      // The frames cover nFft + hop·(T−1) samples of the (padded) signal; the output starts after the
      // left pad and, without a length, also drops the right pad's width.
      const T = spec.shape[spec.ndim - 2], reach = nFft + hopLength * (T - 1) - (center ? nFft >> 1 : 0);
      const covered = withLength ? reach : reach - (center ? nFft >> 1 : 0);
      // Without centring, the periodic Hann window is 0 at the first sample: that sample is not invertible.
      if (!center && kind === "hann") return;
      const length = withLength ? L : undefined, back = F.istft(spec, nFft, { hopLength, window, center, normalized, length });
      // With a length, the samples no frame covers are zeros (PyTorch pads the end).
      const n = withLength ? L : Math.min(covered, L), row = (b: number) => Array.from({ length: n }, (_, i) => (i < covered ? list(x)[b * L + i] : 0));
      expect(back.shape).toEqual(batched ? [2, n] : [n]);
      const want = batched ? [...row(0), ...row(1)] : row(0);
      const bound = 64 * unitOf(dtype) * nFft * Math.max(...list(x).map(Math.abs));
      expectWithin(list(back), want, () => bound, `istft nFft ${nFft} hop ${hopLength} ${kind} center ${center}`);
    }), { numRuns: 60 });
  });

  it("passes gradients to the spectrum and the window; refuses what cannot be inverted", () => {
    assertGradByDifferences((s, w) => F.istft(s, 6, { hopLength: 2, window: w, length: 11 }), [float64Input([4, 5, 2], 2), float64Input([6], 3, 0.5, 1)], "istft");
    expect(() => F.istft(eg.zeros([6, 4, 2]), 8, { hopLength: 2 })).toThrow(/one-sided spectrum of nFft 8 has 5 bins, got 6/);
    expect(() => F.istft(eg.zeros([5, 4, 3]), 8)).toThrow(eg.ShapeError);
    expect(() => F.istft(eg.zeros([5, 4, 2]), 8, { hopLength: 10, center: false })).toThrow(/NOLA/);
    expect(() => F.istft(eg.zeros([5, 4, 2]), 8, { returnComplex: false } as never)).toThrow(/unknown option/);
  });
});

describe("windows, frequencies and shifts", () => {
  it("hann, hamming and blackman follow PyTorch's formulas (periodic and symmetric)", () => {
    const forms: [typeof F.hannWindow, (k: number, N: number) => number][] = [
      [F.hannWindow, (k, N) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (N - 1))],
      [F.hammingWindow, (k, N) => 0.54 - 0.46 * Math.cos((2 * Math.PI * k) / (N - 1))],
      [F.blackmanWindow, (k, N) => 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (N - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (N - 1))],
    ];
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.constantFrom<FloatDType>("float32", "float64"), (n, periodic, dtype) => {
      for (const [fn, form] of forms) {
        const w = fn(n, { periodic, dtype }), N = periodic ? n + 1 : n;
        expect(w.dtype).toBe(dtype);
        const want = Array.from({ length: n }, (_, k) => (n === 1 ? 1 : form(k, N)));
        expectWithin(list(w), want, (i) => unitOf(dtype) * Math.abs(want[i]) + 8 * U64 + ETA32, `window n ${n}`);
      }
    }));
    expect(() => F.hannWindow(-1)).toThrow(eg.ValueError);
    expect(() => F.hammingWindow(4, { alpha: 0.5 } as never)).toThrow(/unknown option "alpha"/);
  });

  it("fftfreq and rfftfreq list each bin's frequency; fftshift and ifftshift roll by ⌊n/2⌋", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.01, max: 10, noNaN: true }), (n, d) => {
      const want = Array.from({ length: n }, (_, k) => (k < Math.ceil(n / 2) ? k : k - n) / (n * d));
      expectWithin(list(F.fftfreq(n, { d, dtype: "float64" })), want, (i) => 2 * U64 * Math.abs(want[i]), "fftfreq");
      const half = Array.from({ length: (n >> 1) + 1 }, (_, k) => k / (n * d));
      expectWithin(list(F.rfftfreq(n, { d, dtype: "float64" })), half, (i) => 2 * U64 * Math.abs(half[i]), "rfftfreq");
      const v = eg.arange(n, { dtype: "float64" }), shifted = list(F.fftshift(v));
      expect(shifted).toEqual(Array.from({ length: n }, (_, i) => (i - (n >> 1) + n) % n));
      expect(list(F.ifftshift(F.fftshift(v)))).toEqual(list(v));
    }));
    const m = eg.arange(12, { dtype: "float64" }).reshape([3, 4]);
    expect(list(F.fftshift(m, { dims: 1 }))).toEqual([2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9]);
    expect(() => F.fftfreq(0)).toThrow(eg.ValueError);
    expect(() => F.fftfreq(4, { d: 0 })).toThrow(/d must be a finite number > 0/);
    expect(() => F.fftshift(m, { dims: 2 })).toThrow(eg.ValueError);
  });
});

/** torchaudio's HTK and Slaney mel scales and filter bank, written out. */
const mel = {
  htk: (f: number) => 2595 * Math.log10(1 + f / 700), htkInv: (m: number) => 700 * (10 ** (m / 2595) - 1),
  slaney: (f: number) => (f < 1000 ? (3 * f) / 200 : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27)),
  slaneyInv: (m: number) => (m < 15 ? (200 * m) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (m - 15))),
};
function fbankReference(nFreqs: number, fMin: number, fMax: number, nMels: number, sr: number, norm: boolean, scale: "htk" | "slaney"): number[] {
  const toMel = scale === "htk" ? mel.htk : mel.slaney, toHz = scale === "htk" ? mel.htkInv : mel.slaneyInv;
  const pts = Array.from({ length: nMels + 2 }, (_, i) => toHz(toMel(fMin) + (i * (toMel(fMax) - toMel(fMin))) / (nMels + 1)));
  const out: number[] = [];
  for (let k = 0; k < nFreqs; k++) {
    const f = nFreqs === 1 ? 0 : (k * Math.floor(sr / 2)) / (nFreqs - 1);
    for (let m = 0; m < nMels; m++) {
      const tri = Math.max(0, Math.min((f - pts[m]) / (pts[m + 1] - pts[m]), (pts[m + 2] - f) / (pts[m + 2] - pts[m + 1])));
      out.push(norm ? (tri * 2) / (pts[m + 2] - pts[m]) : tri);
    }
  }
  return out;
}

describe("spectrogram features", () => {
  it("melscaleFbanks is torchaudio's triangular filter bank (both scales and norms)", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 24 }), fc.constantFrom(8000, 16000, 22050), fc.double({ min: 0, max: 0.3, noNaN: true }),
      fc.boolean(), fc.constantFrom<"htk" | "slaney">("htk", "slaney"), (nFreqs, nMels, sr, lo, slaney, scale) => {
        const fMin = lo * sr / 2, fMax = sr / 2, want = fbankReference(nFreqs, fMin, fMax, nMels, sr, slaney, scale);
        const fb = F.melscaleFbanks(nFreqs, fMin, fMax, nMels, sr, { norm: slaney ? "slaney" : null, melScale: scale, dtype: "float64" });
        expect(fb.shape).toEqual([nFreqs, nMels]);
        // The mel points carry a few ulps of fMax; the slopes divide them by the gap between points.
        const toMel = scale === "htk" ? mel.htk : mel.slaney, toHz = scale === "htk" ? mel.htkInv : mel.slaneyInv;
        const pts = Array.from({ length: nMels + 2 }, (_, i) => toHz(toMel(fMin) + (i * (toMel(fMax) - toMel(fMin))) / (nMels + 1)));
        const minGap = Math.min(...pts.slice(1).map((p, i) => p - pts[i])), top = Math.max(...want.map(Math.abs), 1e-300);
        expectWithin(list(fb), want, () => 64 * U64 * (fMax / minGap) * top, `fbank ${nFreqs}×${nMels} ${scale}`);
      }));
    expect(() => F.melscaleFbanks(10, 100, 50, 4, 16000)).toThrow(/fMin < fMax/);
    expect(() => F.melscaleFbanks(10, 0, 8000, 4, 16000, { melScale: "mel" as never })).toThrow(eg.ValueError);
  });

  it("spectrogram is |STFT under a Hann window|^power; melSpectrogram applies the filter bank", () => {
    const x = sampleTensor([2, 300], 8, "float64"), nFft = 64, hop = 32;
    const win = list(F.hannWindow(nFft, { dtype: "float64" }));
    for (const [power, normalized] of [[2, false], [1, true], [0.5, "frameLength"]] as const) {
      const got = F.spectrogram(x, { nFft, power, normalized });
      const ref = stftReference(list(x).slice(0, 300), nFft, hop, win, true, "reflect", normalized === "frameLength", true);
      const winNorm = normalized === true ? Math.sqrt(win.reduce((a, w) => a + w * w, 0)) : 1;
      const mags = Array.from({ length: ref.data.length / 2 }, (_, i) => Math.hypot(ref.data[2 * i], ref.data[2 * i + 1]));
      const want = mags.map((m) => (m / winNorm) ** power);
      expect(got.shape).toEqual([2, 33, ref.shape[1]]);
      // |X + δ|^p − |X|^p ≤ p·max(|X|, |δ|)^(p−1)·|δ| (up to a factor 2^p for tiny |X|), |δ| ≤ the FFT's bound.
      const bound = fftErrorBound(nFft, ref.sumAbs, 1);
      const tol = (i: number) => (4 * power * Math.max(mags[i], bound) ** (power - 1) * bound) / winNorm ** power + 8 * U64 * want[i];
      expectWithin(list(got).slice(0, want.length), want, tol, `spectrogram power ${power}`);
    }
    const melGot = F.melSpectrogram(x, { sampleRate: 8000, nFft, nMels: 10 }), spec = list(F.spectrogram(x, { nFft }));
    const fb = fbankReference(33, 0, 4000, 10, 8000, false, "htk"), T = melGot.shape[2];
    expect(melGot.shape).toEqual([2, 10, T]);
    const want: number[] = [];
    for (let b = 0; b < 2; b++) for (let m = 0; m < 10; m++) for (let t = 0; t < T; t++) {
      let s = 0;
      for (let f = 0; f < 33; f++) s += fb[f * 10 + m] * spec[(b * 33 + f) * T + t];
      want.push(s);
    }
    expectWithin(list(melGot), want, (i) => 64 * U64 * (Math.abs(want[i]) + 1e-6), "melSpectrogram");
    expect(() => F.melSpectrogram(x, { power: null } as never)).toThrow(/power must be a number/);
    expect(() => F.spectrogram(x, { hop: 3 } as never)).toThrow(/unknown option "hop"/);
  });

  it("gradients reach the signal through spectrogram and melSpectrogram", () => {
    assertGradByDifferences((x) => F.spectrogram(x, { nFft: 8, hopLength: 3 }), [float64Input([13], 2)], "spectrogram");
    assertGradByDifferences((x) => F.melSpectrogram(x, { sampleRate: 800, nFft: 8, nMels: 3 }), [float64Input([2, 12], 6)], "melSpectrogram");
  });
});
