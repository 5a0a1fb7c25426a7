import { record } from "../ndarray/autograd.js";
import { sumToShape } from "../ndarray/reduce.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { digamma, lgamma } from "../ndarray/special.js";
import { Tensor } from "../ndarray/tensor.js";

/**
 * The regularized incomplete gamma function P(a, x) = γ(a, x)/Γ(a) (the Gamma CDF, PyTorch's
 * torch.special.gammainc) with its derivative in the shape a, which PyTorch does not have and
 * which both Gamma.cdf's gradient and the implicit reparameterization of Gamma draws need.
 *
 * P comes from its power series below x = a + 1 and Q = 1 − P from Legendre's continued
 * fraction above (the textbook split: each converges fast on its side). ∂/∂a is carried through
 * the same iterations in forward mode, every quantity paired with its derivative in a, so it is
 * exact up to rounding and the truncation of the same sums, not a difference quotient.
 */
export interface IncompleteGamma {
  /** P(a, x), the lower regularized incomplete gamma function. */
  p: number;
  /** ∂P/∂a. */
  dpda: number;
  /** −(∂P/∂a)/f(x; a), f the Gamma(a, 1) density: dx/da along a fixed quantile P. */
  dxda: number;
}

const EPS = 2 ** -53;
const TINY = 1e-300;

/** Iterations both sums need grow as √(a + x) near their switch point; far more than that is allowed. */
const maxTerms = (a: number, x: number) => 1000 + Math.ceil(60 * Math.sqrt(a + x));

/**
 * P(a, x) with ∂P/∂a and dx/da, for a > 0 and x ≥ 0 (NaN elsewhere). The density's prefactor
 * x^a·e^(−x)/Γ(a) cancels in dx/da, so it stays finite where that prefactor underflows.
 */
export function incompleteGamma(a: number, x: number): IncompleteGamma {
  if (!(a > 0) || !(x >= 0)) return { p: NaN, dpda: NaN, dxda: NaN };
  if (x === 0) return { p: 0, dpda: 0, dxda: 0 };
  if (x === Infinity) return { p: 1, dpda: 0, dxda: 0 };
  return x < a + 1 ? lowerSeries(a, x) : upperFraction(a, x);
}

/**
 * P = x^a·e^(−x)/Γ(a+1) · S, S = Σₙ xⁿ/((a+1)…(a+n)); each term tₙ has ∂tₙ/∂a = tₙ·hₙ with
 * hₙ = −Σₖ≤ₙ 1/(a+k), and ∂/∂a of the prefactor is log x − ψ(a+1).
 */
function lowerSeries(a: number, x: number): IncompleteGamma {
  let term = 1, h = 0, s = 1, ds = 0;
  for (let n = 1, max = maxTerms(a, x); n < max; n++) {
    const inv = 1 / (a + n);
    term *= x * inv;
    h -= inv;
    s += term;
    ds += term * h;
    if (term <= EPS * s && -term * h <= EPS * -ds) break;
  }
  const logX = Math.log(x), inner = s * (logX - digamma(a + 1)) + ds;
  const pre = Math.exp(a * logX - x - lgamma(a + 1));
  // f(x; a) = prefactor·a/x, so −(∂P/∂a)/f = −inner·x/a.
  return { p: pre * s, dpda: pre * inner, dxda: (-inner * x) / a };
}

/**
 * Q = x^a·e^(−x)/Γ(a) · 1/(x+1−a − 1·(1−a)/(x+3−a − 2·(2−a)/(x+5−a − …))), by the modified
 * Lentz method, each of its quantities with its derivative in a (bₙ' = −1, aₙ' = n).
 */
function upperFraction(a: number, x: number): IncompleteGamma {
  let b = x + 1 - a;
  let c = 1 / TINY, dc = 0;
  let d = 1 / b, dd = 1 / (b * b); // d = 1/b, ∂d/∂a = −b'/b² = 1/b²
  let f = d, df = dd;
  for (let i = 1, max = maxTerms(a, x); i < max; i++) {
    const an = -i * (i - a), dan = i;
    b += 2;
    let den = an * d + b;
    const dden = dan * d + an * dd - 1;
    if (Math.abs(den) < TINY) den = TINY;
    let cn = b + an / c;
    const dcn = -1 + (dan - (an * dc) / c) / c;
    if (Math.abs(cn) < TINY) cn = TINY;
    d = 1 / den;
    dd = -dden * d * d;
    c = cn;
    dc = dcn;
    const del = d * c, ddel = dd * c + d * dc;
    df = df * del + f * ddel;
    f *= del;
    if (Math.abs(del - 1) <= EPS && Math.abs(ddel * f) <= EPS * Math.abs(df)) break;
  }
  const logX = Math.log(x), inner = f * (logX - digamma(a)) + df;
  const pre = Math.exp(a * logX - x - lgamma(a));
  // ∂P/∂a = −∂Q/∂a; f(x; a) = prefactor/x.
  return { p: 1 - pre * f, dpda: -pre * inner, dxda: inner * x };
}

/** The Gamma(a, 1) density at x ≥ 0 (its limit at 0: ∞, 1 or 0 as a <, =, > 1). */
export function gammaDensity(a: number, x: number): number {
  if (x === 0) return a < 1 ? Infinity : a === 1 ? 1 : 0;
  return Math.exp((a - 1) * Math.log(x) - x - lgamma(a));
}

/**
 * P(a, x) elementwise with a and x broadcast, as torch.special.gammainc, differentiable in both
 * (∂P/∂x is the density): the Gamma CDF. a and x share one float dtype (the caller's checks).
 */
export function regularizedGammaP(a: Tensor, x: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, x.shape, "gammainc");
  const av = a.expand(shape).contiguous().data, xv = x.expand(shape).contiguous().data;
  const n = av.length, p = new Float64Array(n), dpda = new Float64Array(n), dpdx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = incompleteGamma(av[i], xv[i]);
    p[i] = r.p;
    dpda[i] = r.dpda;
    dpdx[i] = gammaDensity(av[i], xv[i]);
  }
  const like = (v: Float64Array) => new Tensor(a.dtype === "float32" ? Float32Array.from(v) : v, a.dtype, shape.slice());
  return record(like(p), "gammainc", [a, x], (g) => [
    a.requiresGrad ? sumToShape(g.mul(like(dpda)), a.shape) : null,
    x.requiresGrad ? sumToShape(g.mul(like(dpdx)), x.shape) : null,
  ]);
}
