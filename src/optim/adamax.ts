import type { FloatArray } from "../ndarray/index.js";
import { validateAdam, type AdamFamilyOptions } from "./adam.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";

export type AdamaxOptions = AdamFamilyOptions;
export const ADAMAX_DEFAULTS: AdamaxOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

/**
 * One Adamax update (Kingma & Ba 2015 §7.1, PyTorch's placement of ε):
 *   g ← g + λθ     m ← β1·m + (1−β1)·g     u ← max(β2·u, |g| + ε)
 *   θ ← θ − η/(1−β1^t) · m/u
 */
export function adamaxStep(param: FloatArray, grad: FloatArray, m: FloatArray, u: FloatArray, t: number, o: AdamaxOptions): void {
  const { lr, eps, weightDecay: wd } = o;
  const [b1, b2] = o.betas;
  const clr = lr / (1 - Math.pow(b1, t));
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = grad[i] + wd * p;
    const mi = b1 * m[i] + (1 - b1) * g;
    const a = b2 * u[i], b = Math.abs(g) + eps;
    const ui = a > b ? a : b;
    m[i] = mi;
    u[i] = ui;
    param[i] = p - (clr * mi) / ui;
  }
}

export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, o: OptionsArg<AdamaxOptions> = {}) {
    super(params, ADAMAX_DEFAULTS, o, "Adamax");
  }
  protected validate(g: ParamGroup<AdamaxOptions>): void {
    validateAdam("Adamax", g);
  }
  protected bufferNames(): string[] {
    return ["m", "u"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<AdamaxOptions>): void {
    adamaxStep(p, grad, s.buffers.m, s.buffers.u, s.step, g);
  }
}
