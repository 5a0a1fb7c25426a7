// Independent float64 references for the eg.distributions tests: the densities, moments, CDFs
// and quantiles written out on plain numbers (sharing no code with src/), and a Kolmogorov–Smirnov
// distance for the sampling tests.

/** erf by the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)): positive terms, so no cancellation. */
export function erfRef(x: number): number {
  if (x < 0) return -erfRef(-x);
  // erfc(6) ≈ 2e-17 is below half an ulp of 1; the series would need ever more terms beyond.
  if (x > 6) return 1;
  let term = x, sum = x;
  for (let n = 1; n < 300 && term > 1e-18 * sum; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** The y with erfRef(y) = t, by Newton's method from a bisection start. */
export function erfinvRef(t: number): number {
  let lo = -6, hi = 6;
  for (let i = 0; i < 60; i++) { const mid = (lo + hi) / 2; if (erfRef(mid) < t) lo = mid; else hi = mid; }
  let y = (lo + hi) / 2;
  for (let i = 0; i < 3; i++) y -= (erfRef(y) - t) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-y * y));
  return y;
}

export const normalCdfRef = (x: number, loc: number, scale: number) => 0.5 * (1 + erfRef((x - loc) / (scale * Math.SQRT2)));
export const laplaceCdfRef = (x: number, loc: number, scale: number) =>
  x < loc ? 0.5 * Math.exp((x - loc) / scale) : 1 - 0.5 * Math.exp(-(x - loc) / scale);

/** The largest gap between the empirical CDF of `xs` and `cdf`. */
export function ksDistance(xs: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Array.from(xs).sort((a, b) => a - b), n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

/**
 * The KS distance a correct sampler exceeds with probability below 2·e^(−2n·d²) (the
 * Dvoretzky–Kiefer–Wolfowitz bound), here 1e-9: d = √(ln(2/1e-9)/(2n)).
 */
export const ksBound = (n: number) => Math.sqrt(Math.log(2 / 1e-9) / (2 * n));
