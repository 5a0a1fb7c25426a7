import { erf, erfc } from "../nn/erf.js";

/**
 * Scalar special functions in float64 for the tensor ops of math-unary.ts (lgamma, digamma and
 * its derivative trigamma, erfinv). Each is a well-known expansion, with the bound measured
 * against values to 40 digits (mpmath) and PyTorch 1.13's float64 values, which are themselves off
by up to ~1e-12 relative for erfinv and trigamma (tests/ndarray/math-ops.test.ts):
 * - lgamma: Lanczos (g = 7, 9 terms; Numerical Recipes / Boost's table) on [0.5, 10), Stirling's
 *   series to 1/x¹¹ above, reflection Γ(x)Γ(1−x) = π/sin(πx) below ½: error ≤ 1e-13 relative
 *   plus 4e-15 absolute (which is what remains near the zeros at 1 and 2).
 * - digamma / trigamma: recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series
 *   with Bernoulli numbers to 1/x¹⁴; reflection ψ(1−x) − π/tan(πx) below 0: absolute error
 *   ≤ 1e-15·(1 + |ψ|).
 * - erfinv: a rational first guess (Giles 2010, single precision) refined by Halley steps on
 *   erf(x) = y, or for |y| > ½ by Newton steps on log erfc(x) = log(1 − y) (1 − y exact there),
 *   so the tails keep their digits: relative error ≤ 1e-13, set by nn/erf.ts's erf/erfc.
 */

/** sin(πx) with x reduced exactly first, so that it is 0 at every integer (Math.sin(π·n) is not). */
function sinPi(x: number): number {
  const r = x % 2; // exact
  if (r === 0 || r === 1 || r === -1) return 0;
  return Math.sin(Math.PI * r);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.9189385332046728;

export function lgamma(x: number): number {
  if (x !== x) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (x < 0.5) {
    const s = sinPi(x);
    if (s === 0) return Infinity; // the poles at 0, −1, −2, …
    return Math.log(Math.PI / Math.abs(s)) - lgamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  if (x >= 10) {
    // Stirling: (x−½)ln x − x + ½ln 2π + Σ B₂ₖ/(2k(2k−1)x^(2k−1)).
    const r = 1 / x, r2 = r * r;
    const series = r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360))))));
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
  }
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function digamma(x: number): number {
  if (x !== x || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity; // PyTorch 1.13: ψ(±0) = ∓∞
  if (x < 0) {
    if (Number.isInteger(x)) return NaN; // the poles at −1, −2, …: NaN in PyTorch
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * (x % 1));
  }
  let acc = 0;
  while (x < 10) { acc -= 1 / x; x += 1; }
  const r2 = 1 / (x * x);
  // ln x − 1/(2x) − Σ B₂ₖ/(2k·x^(2k)), k = 1…7
  const series = r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 * (1 / 132 - r2 * (691 / 32760 - r2 / 12))))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** ψ'(x), the gradient of digamma (PyTorch's polygamma(1, x)). */
export function trigamma(x: number): number {
  if (x !== x || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    const s = sinPi(x);
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let acc = 0;
  while (x < 10) { acc += 1 / (x * x); x += 1; }
  const r = 1 / x, r2 = r * r;
  // 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1), k = 1…7
  const series = r * r2 * (1 / 6 - r2 * (1 / 30 - r2 * (1 / 42 - r2 * (1 / 30 - r2 * (5 / 66 - r2 * (691 / 2730 - r2 * (7 / 6)))))));
  return acc + r + 0.5 * r2 + series;
}

const SQRT_PI_OVER_2 = 0.886226925452758;

/** Giles (2010), "Approximating the erfinv function", single-precision form: a first guess. */
function erfinvGuess(y: number): number {
  let w = -Math.log((1 - y) * (1 + y)), p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (const c of [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
  }
  return p * y;
}

export function erfinv(y: number): number {
  if (!(y >= -1 && y <= 1)) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y; // keeps −0
  const ay = Math.abs(y);
  const tail = ay > 0.5;
  const target = tail ? 1 - ay : ay; // 1 − ay is exact for ay in [½, 1]
  let x = erfinvGuess(ay);
  for (let i = 0; i < 30; i++) {
    let step: number;
    if (tail) {
      // Newton on log erfc(x) = log(1 − y): nearly linear in x (slope ≈ −2x), so it converges
      // fast even from the far tail, where the first guess is extrapolated (1 − y < 1e-7).
      const c = erfc(x);
      step = Math.log(c / target) / (-Math.exp(-x * x) / (SQRT_PI_OVER_2 * c));
    } else {
      // Halley on erf(x) = y: f'' = −2x·f', so the correction is step/(1 + x·step).
      const s = (erf(x) - target) / (Math.exp(-x * x) / SQRT_PI_OVER_2);
      step = s / (1 + x * s);
    }
    x -= step;
    if (Math.abs(step) <= 1e-16 * x) break;
  }
  return y < 0 ? -x : x;
}
