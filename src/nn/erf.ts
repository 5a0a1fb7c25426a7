/**
 * erf in float64, accurate to a few ulp: GELU's gradient checks difference it at 1e-6 steps, so
 * the usual 1e-7 approximations (Abramowitz–Stegun 7.1.26) would swamp the check.
 *
 * erfSeries, the definition used to build the table below:
 * |x| < 2.5: the series erf(x) = 2/√π · e^(−x²) · Σ x·(2x²)ⁿ / (1·3·…·(2n+1)), whose terms are
 * all positive (no cancellation, unlike the Maclaurin series).
 * |x| ≥ 2.5: erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), Laplace's continued
 * fraction, evaluated bottom-up; it converges fast away from 0.
 *
 * erf itself (GELU calls it for every element, forward and backward) is a Taylor polynomial
 * around the nearest point of a grid of step 1/32 on [0, 6]: erf's n-th derivative at x0 is
 * (2/√π)·e^(−x0²)·(−1)^(n−1)·H_(n−1)(x0) (Hermite polynomials), and with |x − x0| ≤ 1/64, the
 * terms past the 9th are below 1e-17 of erf everywhere on the grid. One table lookup and a
 * degree-9 Horner sum instead of a series of up to 40 terms and an exp.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

function erfSeries(x: number): number {
  const ax = Math.abs(x);
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

const GRID = 32, GRID_END = 6, DEGREE = 9;

/**
 * Per grid point x0 = i/32: erf(x0), then erf^(n)(x0)/n! for n = 1…DEGREE. Built on the first
 * erf call, not at import: the series at 193 points cost a few milliseconds of every program's
 * start (most never call erf).
 */
let taylorTable: Float64Array | null = null;

function buildTaylorTable(): Float64Array {
  const points = GRID * GRID_END + 1;
  const t = new Float64Array(points * (DEGREE + 1));
  for (let i = 0; i < points; i++) {
    const x0 = i / GRID, base = i * (DEGREE + 1);
    const scale = TWO_OVER_SQRT_PI * Math.exp(-x0 * x0);
    t[base] = erfSeries(x0);
    // H_(n−1)(x0) by H_(k+1) = 2x·H_k − 2k·H_(k−1), from H_0 = 1, H_1 = 2x.
    let hPrev = 0, h = 1, factorial = 1;
    for (let n = 1; n <= DEGREE; n++) {
      factorial *= n;
      t[base + n] = ((n % 2 === 1 ? 1 : -1) * scale * h) / factorial;
      const next = 2 * x0 * h - 2 * (n - 1) * hPrev;
      hPrev = h;
      h = next;
    }
  }
  return t;
}

export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= GRID_END) return x > 0 ? 1 : -1; // erfc(6) ≈ 2e-17, below half an ulp of 1
  const i = Math.round(ax * GRID);
  const h = ax - i / GRID, base = i * (DEGREE + 1);
  const taylor = taylorTable ?? (taylorTable = buildTaylorTable());
  let p = taylor[base + DEGREE];
  for (let n = DEGREE - 1; n >= 1; n--) p = p * h + taylor[base + n];
  const v = taylor[base] + p * h;
  return x < 0 ? -v : v;
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
