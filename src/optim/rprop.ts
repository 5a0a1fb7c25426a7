import { ValueError } from "../errors.js";
import type { FloatArray } from "../ndarray/index.js";
import { checkRange, Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface RpropOptions {
  /** The initial step size of every element. */
  lr: number;
  /** [η−, η+]: the factors a step size is multiplied by when the gradient's sign flips / stays. */
  etas: [number, number];
  /** [min, max] bounds of the step sizes. */
  stepSizes: [number, number];
}
export const RPROP_DEFAULTS: RpropOptions = { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] };

/**
 * One Rprop update (Riedmiller & Braun 1993, PyTorch's variant), in place on param, the previous
 * gradient `prev` and the per-element step sizes `stepSize` (which start at lr):
 *   s = sign(g·g_prev)
 *   Δ ← clamp(Δ·f, Δmin, Δmax) with f = η+ (s > 0), η− (s < 0, and then g ← 0), 1 (s = 0)
 *   θ ← θ − sign(g)·Δ      g_prev ← g
 */
export function rpropStep(param: FloatArray, grad: FloatArray, prev: FloatArray, stepSize: FloatArray, o: RpropOptions): void {
  const [etaMinus, etaPlus] = o.etas;
  const [minStep, maxStep] = o.stepSizes;
  for (let i = 0; i < param.length; i++) {
    let g = grad[i];
    const turn = g * prev[i];
    const factor = turn > 0 ? etaPlus : turn < 0 ? etaMinus : 1;
    if (turn < 0) g = 0;
    const d = stepSize[i] * factor;
    stepSize[i] = d < minStep ? minStep : d > maxStep ? maxStep : d;
    prev[i] = g;
    param[i] -= Math.sign(g) * stepSize[i];
  }
}

/** Resilient backpropagation: per-element step sizes adapted from the gradient's sign alone. */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: ParamsArg<RpropOptions>, o: OptionsArg<RpropOptions> = {}) {
    super(params, RPROP_DEFAULTS, o, "Rprop");
  }
  protected validate(g: ParamGroup<RpropOptions>): void {
    checkRange("Rprop", "lr", g.lr, 0);
    const pair = (key: string, v: unknown) => {
      if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`Rprop: ${key} must be a pair of numbers, got ${JSON.stringify(v)}`);
    };
    pair("etas", g.etas);
    pair("stepSizes", g.stepSizes);
    if (!(0 < g.etas[0] && g.etas[0] < 1 && 1 < g.etas[1] && Number.isFinite(g.etas[1]))) {
      throw new ValueError(`Rprop: etas must satisfy 0 < η− < 1 < η+, got [${g.etas}]`);
    }
    if (!(0 <= g.stepSizes[0] && g.stepSizes[0] <= g.stepSizes[1])) {
      throw new ValueError(`Rprop: stepSizes must satisfy 0 ≤ min ≤ max, got [${g.stepSizes}]`);
    }
  }
  protected bufferNames(): string[] {
    return ["prev", "stepSize"];
  }
  protected override initialValue(b: string, g: ParamGroup<RpropOptions>): number {
    return b === "stepSize" ? g.lr : 0;
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<RpropOptions>): void {
    rpropStep(p, grad, s.buffers.prev, s.buffers.stepSize, g);
  }
}
