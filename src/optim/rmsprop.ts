import type { FloatArray } from "../ndarray/index.js";
import { checkFlag, checkRanges, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}
export const RMSPROP_DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };

/**
 * One RMSprop update (Hinton's lecture 6e; PyTorch's ε outside the root). gAvg is used only when
 * centered, buf only with momentum > 0:
 *   g ← g + λθ      s ← α·s + (1−α)·g²      ḡ ← α·ḡ + (1−α)·g (centered)
 *   d = √(s − ḡ²) + ε  (centered)  or  √s + ε
 *   b ← μ·b + g/d, θ ← θ − η·b  (momentum)  or  θ ← θ − η·g/d
 */
export function rmspropStep(param: FloatArray, grad: FloatArray, sq: FloatArray, gAvg: FloatArray | null,
                            buf: FloatArray | null, o: RMSpropOptions): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mu } = o;
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = grad[i] + wd * p;
    const s = alpha * sq[i] + (1 - alpha) * g * g;
    sq[i] = s;
    let d: number;
    if (gAvg !== null) {
      const a = alpha * gAvg[i] + (1 - alpha) * g;
      gAvg[i] = a;
      d = Math.sqrt(s - a * a) + eps;
    } else d = Math.sqrt(s) + eps;
    if (buf !== null) {
      const b = mu * buf[i] + g / d;
      buf[i] = b;
      param[i] = p - lr * b;
    } else param[i] = p - (lr * g) / d;
  }
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, o: OptionsArg<RMSpropOptions> = {}) {
    super(params, RMSPROP_DEFAULTS, o, "RMSprop");
  }
  protected validate(g: ParamGroup<RMSpropOptions>): void {
    checkRanges("RMSprop", g, { lr: [0], alpha: [0, 1], eps: [0], momentum: [0], weightDecay: [0] });
    checkFlag("RMSprop", "centered", g.centered);
  }
  protected bufferNames(): string[] {
    return ["sq"];
  }
  protected override readonly optionalBuffers = ["gAvg", "momentum"];
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<RMSpropOptions>): void {
    const b = s.buffers;
    const F = p.constructor as Float32ArrayConstructor;
    // gAvg and momentum start at zero whenever their option needs them and they are missing, as
    // at a first step (torch 1.13 raises a KeyError when centered or momentum is turned on after
    // the first step). A late ḡ averages fewer gradients than s with the same weights, so
    // s − ḡ² stays ≥ 0 (Cauchy–Schwarz) and the centered root stays defined.
    rmspropStep(p, grad, b.sq, g.centered ? (b.gAvg ??= new F(p.length)) : null,
      g.momentum > 0 ? (b.momentum ??= new F(p.length)) : null, g);
  }
}
