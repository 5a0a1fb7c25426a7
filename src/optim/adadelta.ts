import type { FloatArray } from "../ndarray/index.js";
import { checkRanges, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}
export const ADADELTA_DEFAULTS: AdadeltaOptions = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 };

/**
 * One Adadelta update (Zeiler 2012, with PyTorch's extra lr):
 *   g ← g + λθ     E[g²] ← ρ·E[g²] + (1−ρ)·g²
 *   Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g     E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ²     θ ← θ − η·Δ
 */
export function adadeltaStep(param: FloatArray, grad: FloatArray, sq: FloatArray, accDelta: FloatArray, o: AdadeltaOptions): void {
  const { lr, rho, eps, weightDecay: wd } = o;
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = grad[i] + wd * p;
    const s = rho * sq[i] + (1 - rho) * g * g;
    sq[i] = s;
    const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(s + eps)) * g;
    accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
    param[i] = p - lr * delta;
  }
}

export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsArg<AdadeltaOptions>, o: OptionsArg<AdadeltaOptions> = {}) {
    super(params, ADADELTA_DEFAULTS, o, "Adadelta");
  }
  protected validate(g: ParamGroup<AdadeltaOptions>): void {
    checkRanges("Adadelta", g, { lr: [0], rho: [0, 1], eps: [0], weightDecay: [0] });
  }
  protected bufferNames(): string[] {
    return ["sq", "accDelta"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<AdadeltaOptions>): void {
    adadeltaStep(p, grad, s.buffers.sq, s.buffers.accDelta, g);
  }
}
