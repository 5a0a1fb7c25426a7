import { ShapeError, ValueError } from "../errors.js";
import { clip, record, Tensor, where } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkReduction, flag, floatInput, matchTarget, reduce, type LossOptions } from "./loss-reduction.js";

/** Losses that compare a predicted distribution or rate with a target (PyTorch's semantics). */

export interface KlDivOptions {
  /** "batchmean" divides the sum by the batch size (the mathematically correct KL); "mean" by the element count. */
  reduction?: "mean" | "batchmean" | "sum" | "none";
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/**
 * KL(target ‖ input) pointwise, with input as log-probabilities (PyTorch's kl_div):
 *   t·(log t − x)        (t = 0 contributes 0, as xlogy does)
 *   e^t·(t − x)          with logTarget
 * A target that requires grad gets ∂/∂t = log t + 1 − x (−∞ at t = 0, the derivative's limit),
 * or e^t·(t − x + 1) for log targets.
 */
export function klDivLoss(input: Tensor, target: Tensor, o: KlDivOptions = {}): Tensor {
  const name = "klDivLoss";
  checkOptions(name, o, ["reduction", "logTarget"]);
  checkReduction(o.reduction, name, ["batchmean"]);
  const x = floatInput(input, name);
  const t = matchTarget(x, target, name);
  const per = flag(o.logTarget, false, name, "logTarget") ? t.exp().mul(t.sub(x)) : xlogyMinus(x, t);
  if (o.reduction === "batchmean") return x.ndim === 0 ? per.sum() : per.sum().div(x.shape[0]);
  return reduce(per, o.reduction as LossOptions["reduction"], name);
}

/** t·log t − t·x with t·log t = 0 at t = 0, fused so that no 0·∞ reaches either gradient. */
function xlogyMinus(x: Tensor, t: Tensor): Tensor {
  const n = x.size, xd = x.data, td = t.data;
  const F = x.dtype === "float64" ? Float64Array : Float32Array;
  const y = new F(n);
  for (let i = 0; i < n; i++) y[i] = (td[i] === 0 ? 0 : td[i] * Math.log(td[i])) - td[i] * xd[i];
  const out = new Tensor(y, x.dtype, x.shape.slice());
  return record(out, "klDiv", [x, t], (g) => {
    const gd = g.data;
    const gx = new F(n), gt = new F(n);
    for (let i = 0; i < n; i++) {
      gx[i] = -gd[i] * td[i];
      gt[i] = gd[i] * (Math.log(td[i]) + 1 - xd[i]);
    }
    return [new Tensor(gx, x.dtype, x.shape.slice()), new Tensor(gt, x.dtype, x.shape.slice())];
  });
}

export interface PoissonNllOptions extends LossOptions {
  /** The input is log λ (default true); otherwise λ itself. */
  logInput?: boolean;
  /** Adds Stirling's approximation of log(t!), t·log t − t + ½·log(2πt), where t > 1. */
  full?: boolean;
  /** Keeps log(λ + eps) finite when logInput is false (default 1e-8). */
  eps?: number;
}

/** Negative log-likelihood of a Poisson target: e^x − t·x (logInput) or λ − t·log(λ + eps). */
export function poissonNllLoss(input: Tensor, target: Tensor, o: PoissonNllOptions = {}): Tensor {
  const name = "poissonNllLoss";
  checkOptions(name, o, ["reduction", "logInput", "full", "eps"]);
  checkReduction(o.reduction, name);
  const eps = o.eps ?? 1e-8;
  if (typeof eps !== "number" || !(eps >= 0)) throw new ValueError(`${name}: eps must be >= 0, got ${eps}`);
  const x = floatInput(input, name);
  const t = matchTarget(x, target, name);
  let per = flag(o.logInput, true, name, "logInput") ? x.exp().sub(t.mul(x)) : x.sub(t.mul(x.add(eps).log()));
  if (flag(o.full, false, name, "full")) {
    // The term's own inputs are kept > 1 so that the unselected branch's gradient is 0, not 0·∞.
    const big = t.gt(1);
    const ts = where(big, t, 2);
    const stirling = ts.mul(ts.log()).sub(ts).add(ts.mul(2 * Math.PI).log().mul(0.5));
    per = per.add(where(big, stirling, 0));
  }
  return reduce(per, o.reduction, name);
}

export interface GaussianNllOptions extends LossOptions {
  /** Adds the constant ½·log(2π). */
  full?: boolean;
  /** Variances below eps are raised to eps in the forward pass only (default 1e-6), as PyTorch. */
  eps?: number;
}

/**
 * ½·(log max(var, eps) + (input − target)² / max(var, eps)) (+ ½·log 2π when full). var has the
 * input's shape, or it with the last dim 1 or dropped (one variance per sample); negative
 * variances are refused. The clamp is invisible to the gradient, as in PyTorch.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, o: GaussianNllOptions = {}): Tensor {
  const name = "gaussianNllLoss";
  checkOptions(name, o, ["reduction", "full", "eps"]);
  checkReduction(o.reduction, name);
  const eps = o.eps ?? 1e-6;
  if (typeof eps !== "number" || !(eps >= 0)) throw new ValueError(`${name}: eps must be >= 0, got ${eps}`);
  const x = floatInput(input, name);
  const t = floatInput(target, name, "target");
  let v = floatInput(variance, name, "var");
  const d = x.sub(t);
  if (d.ndim !== x.ndim || d.shape.some((s, i) => s !== x.shape[i])) {
    throw new ShapeError(`${name}: target of shape [${t.shape}] does not broadcast to the input's shape [${x.shape}]`);
  }
  v = varianceShape(v, x.shape, name);
  const vd = v.data;
  for (let i = 0; i < vd.length; i++) if (vd[i] < 0) throw new ValueError(`${name}: var has a negative entry ${vd[i]} at ${i}`);
  const vc = v.add(clip(v.detach(), eps, null).sub(v.detach()));
  let per = vc.log().add(d.mul(d).div(vc)).mul(0.5);
  if (flag(o.full, false, name, "full")) per = per.add(0.5 * Math.log(2 * Math.PI));
  return reduce(per, o.reduction, name);
}

function varianceShape(v: Tensor, shape: readonly number[], name: string): Tensor {
  const n = shape.length;
  const same = v.ndim === n && v.shape.every((s, i) => s === shape[i]);
  if (same) return v;
  const lead = shape.slice(0, -1);
  const leadMatches = (k: number) => lead.every((s, i) => s === v.shape[i]) && v.ndim === k;
  if (n > 0 && leadMatches(n) && v.shape[n - 1] === 1) return v;
  if (n > 0 && leadMatches(n - 1)) return v.unsqueeze(-1);
  throw new ShapeError(`${name}: var of shape [${v.shape}] must be [${shape}], [${[...lead, 1]}] or [${lead}]`);
}
