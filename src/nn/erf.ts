/**
 * erf in float64, accurate to a few ulp: GELU's gradient checks difference it at 1e-6 steps, so
 * the usual 1e-7 approximations (Abramowitz–Stegun 7.1.26) would swamp the check.
 *
 * |x| < 2.5: the series erf(x) = 2/√π · e^(−x²) · Σ x·(2x²)ⁿ / (1·3·…·(2n+1)), whose terms are
 * all positive (no cancellation, unlike the Maclaurin series).
 * |x| ≥ 2.5: erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), Laplace's continued
 * fraction, evaluated bottom-up; it converges fast away from 0.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1; // erfc(6) ≈ 2e-17, below half an ulp of 1
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  const c = erfcPositive(ax);
  return x > 0 ? 1 - c : c - 1;
}

/** erfc for x ≥ 2.5 by the continued fraction (80 levels: converged to float64 there). */
function erfcPositive(x: number): number {
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erfc(x: number): number {
  if (x >= 2.5) return x >= 27 ? 0 : erfcPositive(x);
  return 1 - erf(x);
}
