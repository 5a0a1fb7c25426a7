// The one-dimensional complex DFT in float64, O(n log n) for every n: an iterative radix-2
// transform for powers of two, and Bluestein's chirp-z algorithm (a convolution done by three
// power-of-two transforms) for every other length. Plans (twiddles, bit reversal, the chirp and
// its transform) are cached per length, so an STFT's many frames of one size pay for them once.

interface Radix2Plan { kind: "radix2"; n: number; cos: Float64Array; sin: Float64Array; rev: Uint32Array }
interface BluesteinPlan {
  kind: "bluestein"; n: number; inner: Radix2Plan;
  /** w_k = e^{−iπk²/n}, the chirp that turns jk into (j² + k² − (k−j)²)/2. */
  chirpRe: Float64Array; chirpIm: Float64Array;
  /** The transform of conj(w) laid out circularly over the inner length. */
  kernelRe: Float64Array; kernelIm: Float64Array;
  scratchRe: Float64Array; scratchIm: Float64Array;
}
type Plan = Radix2Plan | BluesteinPlan;

const plans = new Map<number, Plan>();
const isPowerOfTwo = (n: number) => (n & (n - 1)) === 0;

function radix2Plan(n: number): Radix2Plan {
  const half = n >> 1, cos = new Float64Array(half), sin = new Float64Array(half), rev = new Uint32Array(n);
  // Each twiddle from its own angle (not by repeated rotation), so their error stays one ulp.
  for (let k = 0; k < half; k++) { cos[k] = Math.cos((2 * Math.PI * k) / n); sin[k] = -Math.sin((2 * Math.PI * k) / n); }
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    rev[i] = r;
  }
  return { kind: "radix2", n, cos, sin, rev };
}

/** In place: X_k = Σ_j x_j e^{−2πijk/n}, n a power of two. */
function radix2(p: Radix2Plan, re: Float64Array, im: Float64Array): void {
  const { n, cos, sin, rev } = p;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) { let t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1, step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step], wi = sin[k * step], a = start + k, b = a + half;
        const tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
      }
    }
  }
}

function bluesteinPlan(n: number): BluesteinPlan {
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const inner = planFor(m) as Radix2Plan;
  const chirpRe = new Float64Array(n), chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k² mod 2n keeps the angle small and exact, where πk²/n itself would lose digits for large k.
    const angle = (Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(angle); chirpIm[k] = -Math.sin(angle);
  }
  const kernelRe = new Float64Array(m), kernelIm = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    kernelRe[k] = chirpRe[k]; kernelIm[k] = -chirpIm[k];
    if (k > 0) { kernelRe[m - k] = chirpRe[k]; kernelIm[m - k] = -chirpIm[k]; }
  }
  radix2(inner, kernelRe, kernelIm);
  return { kind: "bluestein", n, inner, chirpRe, chirpIm, kernelRe, kernelIm, scratchRe: new Float64Array(m), scratchIm: new Float64Array(m) };
}

function bluestein(p: BluesteinPlan, re: Float64Array, im: Float64Array): void {
  const { n, inner, chirpRe, chirpIm, kernelRe, kernelIm, scratchRe: ar, scratchIm: ai } = p;
  const m = inner.n;
  ar.fill(0); ai.fill(0);
  for (let k = 0; k < n; k++) {
    ar[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k];
    ai[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k];
  }
  radix2(inner, ar, ai);
  // Pointwise product, then the inverse transform as conj(F(conj(·)))/m.
  for (let k = 0; k < m; k++) {
    const r = ar[k] * kernelRe[k] - ai[k] * kernelIm[k], i = ar[k] * kernelIm[k] + ai[k] * kernelRe[k];
    ar[k] = r; ai[k] = -i;
  }
  radix2(inner, ar, ai);
  for (let k = 0; k < n; k++) {
    const r = ar[k] / m, i = -ai[k] / m;
    re[k] = r * chirpRe[k] - i * chirpIm[k];
    im[k] = r * chirpIm[k] + i * chirpRe[k];
  }
}

function planFor(n: number): Plan {
  let p = plans.get(n);
  if (!p) {
    // A program uses a few lengths; one that sweeps through many must not keep them all.
    if (plans.size >= 64) plans.clear();
    p = isPowerOfTwo(n) ? radix2Plan(n) : bluesteinPlan(n);
    plans.set(n, p);
  }
  return p;
}

/**
 * In place on one line: X_k = Σ_j x_j e^{sign·2πijk/n} (sign −1: the forward transform, +1: the
 * unscaled inverse, computed as conj(F(conj x))).
 */
export function dftLine(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
  const n = re.length;
  if (n <= 1) return;
  if (sign > 0) for (let k = 0; k < n; k++) im[k] = -im[k];
  const p = planFor(n);
  if (p.kind === "radix2") radix2(p, re, im);
  else bluestein(p, re, im);
  if (sign > 0) for (let k = 0; k < n; k++) im[k] = -im[k];
}

/**
 * The DFT along the middle axis of complex data laid out [outer, len, inner, 2] (re, im
 * interleaved), each line first zero-padded or trimmed to `n`, every value multiplied by
 * `scale`: the result is [outer, n, inner, 2].
 */
export function dftAlong(src: ArrayLike<number>, outer: number, len: number, inner: number, n: number,
                         sign: -1 | 1, scale: number): Float64Array {
  const out = new Float64Array(outer * n * inner * 2);
  const re = new Float64Array(n), im = new Float64Array(n), used = Math.min(len, n);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < inner; s++) {
      re.fill(0); im.fill(0);
      for (let k = 0; k < used; k++) { const p = ((o * len + k) * inner + s) * 2; re[k] = src[p]; im[k] = src[p + 1]; }
      dftLine(re, im, sign);
      for (let k = 0; k < n; k++) { const p = ((o * n + k) * inner + s) * 2; out[p] = re[k] * scale; out[p + 1] = im[k] * scale; }
    }
  }
  return out;
}
