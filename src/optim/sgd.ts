import type { FloatArray } from "../ndarray/index.js";
import { checkFlag, checkRange, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";
import { ValueError } from "../errors.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}
export const SGD_DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };

/**
 * One SGD update in place (PyTorch semantics; `t` is the 1-based step, `buf` the momentum buffer
 * or null when momentum = 0):
 *   g ← g + λθ
 *   b ← g at t = 1, else μ·b + (1−τ)·g          (momentum μ, dampening τ)
 *   g ← g + μ·b (Nesterov) or b
 *   θ ← θ − η·g
 */
export function sgdStep(param: FloatArray, grad: FloatArray, buf: FloatArray | null, t: number, o: SGDOptions): void {
  const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = o;
  const n = param.length;
  if (mu === 0 || buf === null) {
    for (let i = 0; i < n; i++) param[i] -= lr * (grad[i] + wd * param[i]);
    return;
  }
  // The per-step choices (first step, Nesterov) become coefficients, so the loop has no branches
  // (V8 runs it about twice as fast). bm·buf is 0·0 on the first step: buffers start at zero.
  const bm = t === 1 ? 0 : mu, bg = t === 1 ? 1 : 1 - dampening;
  const da = nesterov ? 1 : 0, db = nesterov ? mu : 1;
  for (let i = 0; i < n; i++) {
    const g = grad[i] + wd * param[i];
    const b = bm * buf[i] + bg * g;
    buf[i] = b;
    param[i] -= lr * (da * g + db * b);
  }
}

/** Stochastic gradient descent; full-batch gradient descent is SGD over the whole set. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, o: OptionsArg<SGDOptions> = {}) {
    super(params, SGD_DEFAULTS, o, "SGD");
  }
  protected validate(g: ParamGroup<SGDOptions>): void {
    checkRange("SGD", "lr", g.lr, 0);
    checkRange("SGD", "momentum", g.momentum, 0);
    checkRange("SGD", "dampening", g.dampening, 0, 1);
    checkRange("SGD", "weightDecay", g.weightDecay, 0);
    checkFlag("SGD", "nesterov", g.nesterov);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ValueError(`SGD: nesterov needs momentum > 0 and dampening = 0 (got momentum ${g.momentum}, dampening ${g.dampening})`);
    }
  }
  protected bufferNames(g: ParamGroup<SGDOptions>): string[] {
    return g.momentum !== 0 ? ["momentum"] : [];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<SGDOptions>): void {
    sgdStep(p, grad, g.momentum !== 0 ? (s.buffers.momentum ??= new (p.constructor as Float32ArrayConstructor)(p.length)) : null, s.step, g);
  }
}
