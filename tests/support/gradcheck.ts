// Gradient checks by central differences in float64, with a tolerance estimated from the
// problem itself: the truncation error is gauged by comparing steps h and 2h (Richardson), and
// the rounding error by u64·max(|f|, Σ|∂f/∂x·x|)/h or, when f's intermediates are larger (an LSTM's small
// outputs from larger gate sums), by f's rounding noise measured near the point. Used by
// tests/nn; no code shared with src/nn.
import { noGrad, type Tensor } from "../../src/index.js";

const U64 = 2 ** -53;

export interface GradMismatch { input: number; index: number; analytic: number; numeric: number; tol: number }

/**
 * Checks d f / d inputs[k][i] for every element. `f` must return a scalar and be deterministic;
 * `inputs` are float64 leaves that require grad (their storage is perturbed in place and restored).
 */
export function findGradMismatches(f: () => Tensor, inputs: Tensor[], h = 1e-5): GradMismatch[] {
  for (const t of inputs) t.grad = null;
  const y = f();
  y.backward();
  const analytic = inputs.map((t) => (t.grad ? Float64Array.from(t.grad.data) : new Float64Array(t.size)));
  const value = (): number => noGrad(() => f().item());
  const noise = noiseNear(value, inputs, y.item());
  // Σ|∂f/∂x·x|: the size of f's first-order terms. Where they cancel (a weighted sum of many
  // values, small against its terms), rounding follows them, not |f|, and the noise probe along
  // one coordinate can miss it (the other terms round the same way at every probe point).
  const terms = inputs.reduce((acc, t, k) => {
    let sum = acc;
    for (let i = 0; i < t.size; i++) sum += Math.abs(analytic[k][i] * t.storage[i]);
    return sum;
  }, 0);
  const bad: GradMismatch[] = [];
  inputs.forEach((t, k) => {
    const s = t.storage;
    for (let i = 0; i < t.size; i++) {
      const x0 = s[i];
      const step = h * Math.max(1, Math.abs(x0));
      // x0 ± step is rounded to a double; dividing by the spacing actually stored (exact, as
      // both points are close) keeps that rounding, ≈ ulp(x0)/step relative, out of the quotient.
      const at = (x: number) => { s[i] = x; const v = value(); s[i] = x0; return v; };
      const x1p = x0 + step, x1m = x0 - step, x2p = x0 + 2 * step, x2m = x0 - 2 * step;
      const f1p = at(x1p), f1m = at(x1m), f2p = at(x2p), f2m = at(x2m);
      const d1 = (f1p - f1m) / (x1p - x1m);
      const d2 = (f2p - f2m) / (x2p - x2m);
      const fmag = Math.max(Math.abs(f1p), Math.abs(f1m), Math.abs(f2p), Math.abs(f2m), terms, 1e-300);
      // truncation ≈ |d2 − d1|/3 for d1 (error ∝ h²); rounding ≤ ~2u·|f|/step per difference
      // (|f| or its first-order terms, if larger) when f's intermediates are no larger than those,
      // else ≈ 2·(3σ of the measured noise)/step.
      const tol = 2 * Math.abs(d2 - d1) + (16 * U64 * fmag + 6 * noise) / step + 1e-12 * Math.abs(d1);
      const a = analytic[k][i];
      if (!(Math.abs(a - d1) <= tol)) bad.push({ input: k, index: i, analytic: a, numeric: d1, tol });
    }
  });
  return bad;
}

/**
 * The deviation of the rounding noise of `value` (= f0 at the inputs as they are) near `inputs`,
 * probed along each input's largest element. Rounding noise, even of intermediates far larger
 * than f, stays many orders of magnitude below |f| (2^-20·|f| is some 10^10 ulps of f); an
 * estimate above that means f is not smooth within the probe (a kink or a tie under it), and a
 * tolerance built on it would accept anything: that throws.
 */
export function noiseNear(value: () => number, inputs: Tensor[], f0: number): number {
  const noise = Math.max(0, ...inputs.map((t) => (t.size ? roundingNoise(value, t.storage, largestAt(t.storage, t.size)) : 0)));
  if (!(noise <= 2 ** -20 * Math.max(Math.abs(f0), 1e-300))) {
    throw new Error(`gradcheck: f = ${Math.abs(f0)} has a noise estimate of ${noise} near the inputs: ` +
      "f is not smooth there (a kink or a tie within 1e-8 of an input)");
  }
  return noise;
}

/** Index of the element of largest magnitude: the one most likely to feed large intermediates. */
function largestAt(s: { [i: number]: number }, n: number): number {
  let at = 0;
  for (let i = 1; i < n; i++) if (Math.abs(s[i]) > Math.abs(s[at])) at = i;
  return at;
}

/**
 * The standard deviation of f's rounding noise, measured (Moré & Wild's ECnoise idea): f at nine
 * points spaced δ apart along one coordinate, where the smooth part of f is a polynomial to
 * within far less than one rounding, so the k-th differences (k = 3…6) are rounding alone; with
 * independent noise of deviation σ, E[(Δᵏf)²] = σ²·(2k)!/(k!)². The largest estimate is kept.
 * A sum whose intermediates are larger than its result carries noise far above u·|f|.
 */
function roundingNoise(value: () => number, s: { [i: number]: number }, i: number): number {
  const x0 = s[i];
  const delta = 1e-8 * Math.max(1, Math.abs(x0));
  let f = Array.from({ length: 9 }, (_, j) => { s[i] = x0 + j * delta; const v = value(); s[i] = x0; return v; });
  let sigma = 0, factK = 1, fact2K = 1;
  for (let k = 1; k <= 6; k++) {
    f = f.slice(1).map((v, j) => v - f[j]);
    factK *= k; fact2K *= (2 * k - 1) * (2 * k);
    if (k < 3) continue;
    const meanSquare = f.reduce((a, v) => a + v * v, 0) / f.length;
    sigma = Math.max(sigma, Math.sqrt((meanSquare * factK * factK) / fact2K));
  }
  return sigma;
}
