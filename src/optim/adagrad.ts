import type { FloatArray } from "../ndarray/index.js";
import { checkRanges, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}
export const ADAGRAD_DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };

/**
 * One Adagrad update (Duchi et al. 2011; PyTorch's lr decay), `t` the 1-based step:
 *   g ← g + λθ     η_t = η / (1 + (t−1)·lrDecay)     S ← S + g²     θ ← θ − η_t·g/(√S + ε)
 */
export function adagradStep(param: FloatArray, grad: FloatArray, sum: FloatArray, t: number, o: AdagradOptions): void {
  const { eps, weightDecay: wd } = o;
  const clr = o.lr / (1 + (t - 1) * o.lrDecay);
  for (let i = 0; i < param.length; i++) {
    const p = param[i];
    const g = grad[i] + wd * p;
    const s = sum[i] + g * g;
    sum[i] = s;
    param[i] = p - (clr * g) / (Math.sqrt(s) + eps);
  }
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, o: OptionsArg<AdagradOptions> = {}) {
    super(params, ADAGRAD_DEFAULTS, o, "Adagrad");
  }
  protected validate(g: ParamGroup<AdagradOptions>): void {
    checkRanges("Adagrad", g, { lr: [0], lrDecay: [0], weightDecay: [0], initialAccumulatorValue: [0], eps: [0] });
  }
  protected bufferNames(): string[] {
    return ["sum"];
  }
  protected override initialValue(_b: string, g: ParamGroup<AdagradOptions>): number {
    return g.initialAccumulatorValue;
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<AdagradOptions>): void {
    adagradStep(p, grad, s.buffers.sum, s.step, g);
  }
}
