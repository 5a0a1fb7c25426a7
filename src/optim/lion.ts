import type { FloatArray } from "../ndarray/index.js";
import { validateAdam } from "./adam.js";
import { Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface LionOptions {
  lr: number;
  /** [β1, β2]: β1 interpolates the update direction, β2 the momentum that is kept. */
  betas: [number, number];
  /** Decoupled (AdamW-style) weight decay λ. */
  weightDecay: number;
}
/** The paper's defaults (its lr is 3–10× smaller than AdamW's; 1e-4 as in the reference code). */
export const LION_DEFAULTS: LionOptions = { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 };

/**
 * One Lion update (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Alg. 2),
 * in place on param and the momentum m:
 *   c = β1·m + (1−β1)·g      θ ← θ − η·(sign(c) + λθ)      m ← β2·m + (1−β2)·g
 */
export function lionStep(param: FloatArray, grad: FloatArray, m: FloatArray, o: LionOptions): void {
  const { lr, weightDecay: wd } = o;
  const [b1, b2] = o.betas;
  const shrink = 1 - lr * wd;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i], mi = m[i];
    param[i] = param[i] * shrink - lr * Math.sign(b1 * mi + (1 - b1) * g);
    m[i] = b2 * mi + (1 - b2) * g;
  }
}

/** Lion (EvoLved Sign Momentum): the sign of an interpolated momentum, one buffer per parameter. */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: ParamsArg<LionOptions>, o: OptionsArg<LionOptions> = {}) {
    super(params, LION_DEFAULTS, o, "Lion");
  }
  protected validate(g: ParamGroup<LionOptions>): void {
    validateAdam("Lion", { ...g, eps: 0 });
  }
  protected bufferNames(): string[] {
    return ["m"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<LionOptions>): void {
    lionStep(p, grad, s.buffers.m, g);
  }
}
