// More independent float64 references for the eg.distributions tests, sharing no code with src/:
// log Γ and ψ by shifting the argument up to 15 and summing Stirling's series, the regularized
// incomplete gamma function by its power series alone, and KL(p ‖ q) = ∫ p·(log p − log q) by
// double-exponential (tanh-sinh) quadrature with an error estimate from halving the step.

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x), x > 0: log Γ(x) = log Γ(x + m) − log(x·(x+1)…(x+m−1)), Stirling's series at x + m ≥ 15. */
export function lgammaRef(x: number): number {
  let shift = 0;
  while (x < 15) { shift += Math.log(x); x += 1; }
  const r = 1 / x, r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - shift;
}

/** ψ(x), x > 0: ψ(x) = ψ(x + m) − Σ 1/(x + k), the asymptotic series at x + m ≥ 15. */
export function digammaRef(x: number): number {
  let shift = 0;
  while (x < 15) { shift += 1 / x; x += 1; }
  const r2 = 1 / (x * x);
  const series = r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 / 132))));
  return Math.log(x) - 0.5 / x - series - shift;
}

/** The size of the numbers lgammaRef sums (≥ |log Γ(x)|): the scale of its rounding, for tolerances. */
export const lgammaMag = (x: number) => 40 + Math.abs((x + 15) * Math.log(x + 15)) + Math.abs(Math.log(x));
/** The size of the numbers digammaRef sums (≥ |ψ(x)|), likewise. */
export const digammaMag = (x: number) => 4 + 1 / x + Math.abs(Math.log(x + 15));

/** P(a, x) = e^(−x)·x^a/Γ(a+1)·Σ xⁿ/((a+1)…(a+n)): positive terms only, so accurate for any x (slow for large x). */
export function gammaPRef(a: number, x: number): number {
  if (x <= 0) return 0;
  let term = 1, sum = 1;
  for (let n = 1; n < 100000 && term > 1e-18 * sum; n++) { term *= x / (a + n); sum += term; }
  return Math.min(1, Math.exp(a * Math.log(x) - x - lgammaRef(a + 1)) * sum);
}

/** log of the Gamma(a, rate) density at x > 0. */
export const gammaLogPdfRef = (a: number, rate: number, x: number) => a * Math.log(rate) + (a - 1) * Math.log(x) - rate * x - lgammaRef(a);

export interface Quadrature { value: number; error: number }

/**
 * ∫ f over (lo, hi) (either end may be infinite) by the tanh-sinh, exp-sinh or sinh-sinh
 * rule, halving the step until two levels agree; `error` is the last difference plus the
 * rounding of the sum. f is called at interior points only, with hi − x computed without
 * cancellation (so a density singular at a finite hi, as Beta's at 1, keeps its digits); a NaN
 * or infinite term counts 0 (where the weight has underflowed: the product 0·∞ of a vanishing tail).
 */
export function integrate(f: (x: number, toHi: number) => number, lo: number, hi: number): Quadrature {
  const node = nodes(lo, hi);
  let previous = NaN, value = NaN, error = Infinity;
  for (let level = 3; level <= 9; level++) {
    const h = 2 ** -level;
    let sum = 0, abs = 0;
    for (let k = -Math.ceil(6 / h); k <= Math.ceil(6 / h); k++) {
      const [x, w, toHi] = node(k * h);
      if (!(w > 0) || !(x > lo && toHi > 0)) continue;
      const term = w * f(x, toHi);
      if (Number.isFinite(term)) { sum += term; abs += Math.abs(term); }
    }
    value = sum * h;
    error = Math.abs(value - previous) + 64 * 2 ** -53 * abs * h;
    if (error < 1e-15 * (1 + Math.abs(value))) break;
    previous = value;
  }
  return { value, error };
}

/** The abscissa, weight and hi − abscissa of the double-exponential rule at t for the interval (lo, hi). */
function nodes(lo: number, hi: number): (t: number) => [number, number, number] {
  const half = Math.PI / 2;
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    return (t) => {
      const u = half * Math.sinh(t), e = Math.exp(-2 * Math.abs(u));
      // Distance to the nearer end computed directly: (hi − lo)·e/(1 + e).
      const near = ((hi - lo) * e) / (1 + e);
      const x = u < 0 ? lo + near : hi - near;
      const c = Math.cosh(u);
      return [x, ((hi - lo) / 2) * half * Math.cosh(t) / (c * c), u < 0 ? hi - x : near];
    };
  }
  if (Number.isFinite(lo)) return (t) => { const e = Math.exp(half * Math.sinh(t)); return [lo + e, half * Math.cosh(t) * e, Infinity]; };
  if (Number.isFinite(hi)) return (t) => { const e = Math.exp(half * Math.sinh(t)); return [hi - e, half * Math.cosh(t) * e, e]; };
  return (t) => { const u = half * Math.sinh(t); return [Math.sinh(u), half * Math.cosh(t) * Math.cosh(u), Infinity]; };
}

/** KL(p ‖ q) = ∫ e^(log p)·(log p − log q) over p's support, by `integrate` (the log-densities get x and hi − x). */
export function klByQuadrature(logP: (x: number, toHi: number) => number, logQ: (x: number, toHi: number) => number, lo: number, hi: number): Quadrature {
  return integrate((x, toHi) => {
    const lp = logP(x, toHi);
    return lp === -Infinity ? 0 : Math.exp(lp) * (lp - logQ(x, toHi));
  }, lo, hi);
}
