import type { FloatArray } from "../ndarray/index.js";
import { checkRange, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";
import { validateAdam, type AdamFamilyOptions } from "./adam.js";

export interface NadamOptions extends AdamFamilyOptions {
  /** ψ of the momentum schedule μ_t = β1·(1 − ½·0.96^(tψ)) (Dozat 2016). */
  momentumDecay: number;
}
export const NADAM_DEFAULTS: NadamOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };

/** μ_t of Nadam's momentum schedule. */
export const nadamMu = (beta1: number, psi: number, t: number) => beta1 * (1 - 0.5 * Math.pow(0.96, t * psi));

/**
 * One Nadam update (PyTorch's form). `muProduct` is Π_{k<t} μ_k (1 at t = 1); returns Π_{k≤t} μ_k.
 *   g ← g + λθ     m ← β1·m + (1−β1)·g     v ← β2·v + (1−β2)·g²     d = √(v/(1−β2^t)) + ε
 *   θ ← θ − η(1−μ_t)/(1−Π_{k≤t}μ_k) · g/d − η·μ_{t+1}/(1−Π_{k≤t+1}μ_k) · m/d
 */
export function nadamStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, t: number,
                          muProduct: number, o: NadamOptions): number {
  const { lr, eps, weightDecay: wd, momentumDecay: psi } = o;
  const [b1, b2] = o.betas;
  const mu = nadamMu(b1, psi, t), muNext = nadamMu(b1, psi, t + 1);
  const prod = muProduct * mu;
  const cg = (lr * (1 - mu)) / (1 - prod);
  const cm = (lr * muNext) / (1 - prod * muNext);
  const invBc2 = 1 / (1 - Math.pow(b2, t));
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = grad[i] + wd * p;
    const mi = b1 * m[i] + (1 - b1) * g;
    const vi = b2 * v[i] + (1 - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    const d = Math.sqrt(vi * invBc2) + eps;
    param[i] = p - (cg * g + cm * mi) / d;
  }
  return prod;
}

export class Nadam extends Optimizer<NadamOptions> {
  constructor(params: ParamsArg<NadamOptions>, o: OptionsArg<NadamOptions> = {}) {
    super(params, NADAM_DEFAULTS, o, "Nadam");
  }
  protected validate(g: ParamGroup<NadamOptions>): void {
    validateAdam("Nadam", g);
    checkRange("Nadam", "momentumDecay", g.momentumDecay, 0);
  }
  protected bufferNames(): string[] {
    return ["m", "v"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<NadamOptions>): void {
    s.scalars.muProduct = nadamStep(p, grad, s.buffers.m, s.buffers.v, s.step, s.scalars.muProduct ?? 1, g);
  }
}
