// torch.cov and torch.corrcoef: rows are variables, columns observations (a 1-D input is one
// variable). Written with the differentiable ops (weighted mean, centering, one matmul), so the
// gradient reaches the input and the analytic weights through autograd as in PyTorch.
import { ShapeError, DTypeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { clip } from "./elementwise.js";
import { isFloat } from "./dtype.js";
import { matmul } from "./matmul.js";
import { sum } from "./reduce.js";
import { tensorArg } from "./scan.js";
import { Tensor } from "./tensor.js";

export interface CovOptions {
  /** Subtracted from the (weighted) count in the divisor: 1 (default) unbiased, 0 the plain mean. */
  correction?: number;
  /** Integer repeat counts of the observations (1-D, one per column). */
  fweights?: Tensor;
  /** Observation importances (1-D float, one per column). */
  aweights?: Tensor;
}

function checkWeights(x: Tensor, w: unknown, key: string, integer: boolean): Tensor {
  if (!(w instanceof Tensor)) throw new ValueError(`cov: ${key} must be a Tensor, got ${typeof w}`);
  const n = x.ndim === 0 ? 1 : x.shape[x.ndim - 1];
  if (w.ndim !== 1 || w.shape[0] !== n) throw new ShapeError(`cov: ${key} must be 1-D of length ${n} (the observations), got shape [${w.shape}]`);
  if (integer && isFloat(w.dtype)) throw new DTypeError(`cov: fweights must be an integer tensor, got ${w.dtype}`);
  if (!integer && !isFloat(w.dtype)) throw new DTypeError(`cov: aweights must be a float tensor, got ${w.dtype}`);
  if (w.data.some((v) => v < 0)) throw new ValueError(`cov: ${key} cannot be negative`);
  return w;
}

/** The covariance matrix of the rows of x (0-d for a 1-D x), as torch.cov. */
export function cov(x: Tensor, o: CovOptions = {}): Tensor {
  tensorArg("cov", x);
  checkOptions("cov", o, ["correction", "fweights", "aweights"]);
  if (x.ndim > 2) throw new ShapeError(`cov: expects a tensor of at most 2 dimensions, got shape [${x.shape}]`);
  const correction = o.correction ?? 1;
  if (typeof correction !== "number" || !Number.isInteger(correction)) throw new ValueError(`cov: correction must be an integer, got ${String(correction)}`);
  const fw = o.fweights === undefined ? undefined : checkWeights(x, o.fweights, "fweights", true);
  const aw = o.aweights === undefined ? undefined : checkWeights(x, o.aweights, "aweights", false);
  const xf = isFloat(x.dtype) ? x : x.astype("float32");
  const m = xf.ndim < 2 ? xf.reshape([1, xf.size]) : xf;
  const n = m.shape[1];
  let w: Tensor | undefined = fw?.astype(xf.dtype);
  if (aw) w = w ? w.mul(aw) : aw;
  const wSum = w ? sum(w) : new Tensor(Float64Array.of(n), "float64", []).astype(xf.dtype);
  const avg = (w ? sum(m.mul(w), 1, { keepdims: true }) : sum(m, 1, { keepdims: true })).div(wSum);
  // PyTorch's divisor: Σw − correction, or Σw − correction·Σ(w·a)/Σw with analytic weights a,
  // clamped at 0 (a divisor ≤ 0 gives ±∞ or NaN, as PyTorch after its warning).
  let norm = correction === 0 ? wSum : aw ? wSum.sub(sum(w!.mul(aw)).mul(correction).div(wSum)) : wSum.sub(correction);
  norm = clip(norm, 0, null);
  const centered = m.sub(avg);
  const c = matmul(w ? centered.mul(w) : centered, centered.T).div(norm);
  return x.ndim < 2 ? c.reshape([]) : c;
}

/** Pearson correlation coefficients of the rows of x, as torch.corrcoef (clipped to [−1, 1]). */
export function corrcoef(x: Tensor): Tensor {
  tensorArg("corrcoef", x);
  if (x.ndim > 2) throw new ShapeError(`corrcoef: expects a tensor of at most 2 dimensions, got shape [${x.shape}]`);
  const c = cov(x);
  if (c.ndim === 0) return c.div(c);
  const k = c.shape[0];
  const eye = new Tensor(new Float64Array(k * k).map((_, i) => (i % (k + 1) === 0 ? 1 : 0)), "float64", [k, k]).astype(c.dtype);
  const sd = sum(c.mul(eye), 1).sqrt();
  return clip(c.div(sd.reshape([k, 1])).div(sd.reshape([1, k])), -1, 1);
}
