import { Tensor, type FloatArray } from "../ndarray/index.js";
import { ValueError } from "../errors.js";
import { checkRanges, Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface ASGDOptions {
  lr: number;
  /** λ: the decay term of the step size η_t and of θ. */
  lambd: number;
  /** α: the power of the step-size decay. */
  alpha: number;
  /** The step after which averaging starts (before it, the average is the current θ). */
  t0: number;
  weightDecay: number;
}
export const ASGD_DEFAULTS: ASGDOptions = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0 };

/** The step size η and averaging weight μ that ASGD uses at the step after step t. */
export interface ASGDScalars {
  eta: number;
  mu: number;
}

/**
 * One ASGD update (Polyak & Juditsky 1992 averaging, Bottou's schedule, PyTorch's form), in place
 * on param and its running average `ax`; `t` is the 1-based step, `eta` and `mu` those returned
 * by the previous step (η = lr, μ = 1 at t = 1). Returns η and μ for step t + 1:
 *   g ← g + λ_wd·θ     θ ← θ(1 − λη) − η·g
 *   ax ← θ (μ = 1)  or  ax + μ(θ − ax)
 *   η ← lr / (1 + λ·lr·t)^α     μ ← 1 / max(1, t − t0)
 */
export function asgdStep(param: FloatArray, grad: FloatArray, ax: FloatArray, t: number, eta: number, mu: number, o: ASGDOptions): ASGDScalars {
  const { lambd, weightDecay: wd } = o;
  const shrink = 1 - lambd * eta;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] + wd * param[i];
    // Stored (so rounded to the parameter's precision) between the two updates, as PyTorch's
    // two in-place ops do.
    param[i] *= shrink;
    param[i] -= eta * g;
    const q = param[i];
    ax[i] = mu === 1 ? q : ax[i] + (q - ax[i]) * mu;
  }
  return { eta: o.lr / Math.pow(1 + lambd * o.lr * t, o.alpha), mu: 1 / Math.max(1, t - o.t0) };
}

/** Averaged SGD: SGD whose iterates are averaged from step t0 on (read with averageOf). */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: ParamsArg<ASGDOptions>, o: OptionsArg<ASGDOptions> = {}) {
    super(params, ASGD_DEFAULTS, o, "ASGD");
  }
  protected validate(g: ParamGroup<ASGDOptions>): void {
    checkRanges("ASGD", g, { lr: [0], lambd: [0], alpha: [0], t0: [0], weightDecay: [0] });
  }
  protected bufferNames(): string[] {
    return ["ax"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<ASGDOptions>): void {
    const next = asgdStep(p, grad, s.buffers.ax, s.step, s.scalars.eta ?? g.lr, s.scalars.mu ?? 1, g);
    s.scalars.eta = next.eta;
    s.scalars.mu = next.mu;
  }

  /** The averaged value of parameter `p` (a copy), or null before its first step. */
  averageOf(p: Tensor): Tensor | null {
    if (!this.paramGroups.some((g) => g.params.includes(p))) throw new ValueError("ASGD.averageOf: not a parameter of this optimizer");
    const s = this.state.get(p);
    return s ? new Tensor(s.buffers.ax.slice(), p.dtype, p.shape.slice()) : null;
  }
}
