// Gradient checks by central differences in float64, with a tolerance estimated from the
// problem itself: the truncation error is gauged by comparing steps h and 2h (Richardson), and
// the rounding error by u64·|f|/h. Used by tests/nn; no code shared with src/nn.
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
  const bad: GradMismatch[] = [];
  inputs.forEach((t, k) => {
    const s = t.storage;
    for (let i = 0; i < t.size; i++) {
      const x0 = s[i];
      const step = h * Math.max(1, Math.abs(x0));
      const at = (d: number) => { s[i] = x0 + d; const v = value(); s[i] = x0; return v; };
      const f1p = at(step), f1m = at(-step), f2p = at(2 * step), f2m = at(-2 * step);
      const d1 = (f1p - f1m) / (2 * step);
      const d2 = (f2p - f2m) / (4 * step);
      const fmag = Math.max(Math.abs(f1p), Math.abs(f1m), Math.abs(f2p), Math.abs(f2m), 1e-300);
      // truncation ≈ |d2 − d1|/3 for d1 (error ∝ h²); rounding ≤ ~2u·|f|/step per difference.
      const tol = 2 * Math.abs(d2 - d1) + (16 * U64 * fmag) / step + 1e-12 * Math.abs(d1);
      const a = analytic[k][i];
      if (!(Math.abs(a - d1) <= tol)) bad.push({ input: k, index: i, analytic: a, numeric: d1, tol });
    }
  });
  return bad;
}
