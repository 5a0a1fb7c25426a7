import type { FloatArray } from "../ndarray/index.js";
import { validateAdam, type AdamFamilyOptions } from "./adam.js";
import { Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface LAMBOptions extends AdamFamilyOptions {
  /** λ, added to the Adam direction before the trust ratio is taken (decoupled from the moments). */
  weightDecay: number;
}
/** ε = 1e-6 as in the paper's experiments and the common implementations. */
export const LAMB_DEFAULTS: LAMBOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0 };

/**
 * One LAMB update of one parameter tensor (You et al. 2019/2020, "Large Batch Optimization for
 * Deep Learning", Algorithm 2, with its bias correction and φ = identity), in place on param, m, v:
 *   m ← β1·m + (1−β1)·g      v ← β2·v + (1−β2)·g²      m̂ = m/(1−β1^t)      v̂ = v/(1−β2^t)
 *   u = m̂/(√v̂ + ε) + λθ      θ ← θ − η·(‖θ‖/‖u‖)·u
 * The trust ratio ‖θ‖/‖u‖ is per tensor (one "layer" per parameter) and is 1 when either norm
 * is 0, as in the reference implementations (a zero-initialised bias must still move).
 * Returns the trust ratio used. Two passes over the tensor, no allocation: u is recomputed from
 * the stored m and v in the second pass, with the same arithmetic, so it is the same u.
 */
export function lambStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, t: number, o: LAMBOptions): number {
  const { lr, eps, weightDecay: wd } = o;
  const [b1, b2] = o.betas;
  const bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
  const direction = (i: number) => m[i] / bc1 / (Math.sqrt(v[i] / bc2) + eps) + wd * param[i];
  let paramSq = 0, updateSq = 0;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    const u = direction(i);
    paramSq += param[i] * param[i];
    updateSq += u * u;
  }
  const paramNorm = Math.sqrt(paramSq), updateNorm = Math.sqrt(updateSq);
  const trust = paramNorm > 0 && updateNorm > 0 ? paramNorm / updateNorm : 1;
  const stepSize = lr * trust;
  for (let i = 0; i < param.length; i++) param[i] -= stepSize * direction(i);
  return trust;
}

/** LAMB: Adam's direction rescaled per tensor by the trust ratio ‖θ‖/‖update‖, for large batches. */
export class LAMB extends Optimizer<LAMBOptions> {
  constructor(params: ParamsArg<LAMBOptions>, o: OptionsArg<LAMBOptions> = {}) {
    super(params, LAMB_DEFAULTS, o, "LAMB");
  }
  protected validate(g: ParamGroup<LAMBOptions>): void {
    validateAdam("LAMB", g);
  }
  protected bufferNames(): string[] {
    return ["m", "v"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<LAMBOptions>): void {
    lambStep(p, grad, s.buffers.m, s.buffers.v, s.step, g);
  }
}
