import type { FloatArray } from "../ndarray/index.js";
import { validateAdam, type AdamFamilyOptions } from "./adam.js";
import { checkFlag, Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface RAdamOptions extends AdamFamilyOptions {
  /** Decay θ by η·λ directly (as AdamW) instead of adding λθ to the gradient. */
  decoupledWeightDecay: boolean;
}
export const RADAM_DEFAULTS: RAdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false };

/**
 * The variance rectification of RAdam at 1-based step t: the length ρ_t of the approximated
 * simple moving average, and the rectifier r_t (null while ρ_t ≤ 5, when the variance of the
 * adaptive lr is intractable and the step falls back to momentum SGD).
 *   ρ∞ = 2/(1−β2) − 1     ρ_t = ρ∞ − 2t·β2^t/(1−β2^t)
 *   r_t = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))
 */
export function radamRectifier(beta2: number, t: number): number | null {
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * t * Math.pow(beta2, t)) / (1 - Math.pow(beta2, t));
  if (!(rhoT > 5)) return null;
  return Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
}

/**
 * One RAdam update (Liu et al. 2020, in PyTorch's form), in place on param, m, v; `t` 1-based:
 *   θ ← θ(1 − ηλ) (decoupled)  or  g ← g + λθ
 *   m ← β1·m + (1−β1)·g      v ← β2·v + (1−β2)·g²      m̂ = m/(1−β1^t)
 *   θ ← θ − η·m̂·r_t·√(1−β2^t)/(√v + ε)   when ρ_t > 5,   else   θ ← θ − η·m̂
 */
export function radamStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, t: number, o: RAdamOptions): void {
  const { lr, eps, weightDecay: wd } = o;
  const [b1, b2] = o.betas;
  const shrink = o.decoupledWeightDecay ? 1 - lr * wd : 1;
  const coupled = o.decoupledWeightDecay ? 0 : wd;
  const stepSize = lr / (1 - Math.pow(b1, t));
  const rect = radamRectifier(b2, t);
  const adaptive = rect === null ? 0 : rect * Math.sqrt(1 - Math.pow(b2, t));
  for (let i = 0; i < param.length; i++) {
    const p = param[i] * shrink;
    const g = grad[i] + coupled * p;
    const mi = b1 * m[i] + (1 - b1) * g;
    const vi = b2 * v[i] + (1 - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = rect === null ? p - stepSize * mi : p - (stepSize * mi * adaptive) / (Math.sqrt(vi) + eps);
  }
}

/** RAdam: Adam with the variance of its adaptive learning rate rectified in the first steps. */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArg<RAdamOptions>, o: OptionsArg<RAdamOptions> = {}) {
    super(params, RADAM_DEFAULTS, o, "RAdam");
  }
  protected validate(g: ParamGroup<RAdamOptions>): void {
    validateAdam("RAdam", g);
    checkFlag("RAdam", "decoupledWeightDecay", g.decoupledWeightDecay);
  }
  protected bufferNames(): string[] {
    return ["m", "v"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<RAdamOptions>): void {
    radamStep(p, grad, s.buffers.m, s.buffers.v, s.step, g);
  }
}
