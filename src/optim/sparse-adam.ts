import { ValueError } from "../errors.js";
import type { FloatArray } from "../ndarray/index.js";
import { validateAdam } from "./adam.js";
import { checkRange, Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface SparseAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
}
export const SPARSE_ADAM_DEFAULTS: SparseAdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 };

/**
 * One lazy Adam step (torch.optim.SparseAdam) on `rows` of a [rows, width] parameter: only those
 * rows' moments decay and only those rows move; `t` is the parameter's 1-based step count.
 *   m ← m + (1−β1)(g − m)      v ← v + (1−β2)(g² − v)
 *   θ ← θ − η·√(1−β2^t)/(1−β1^t) · m / (√v + ε)
 */
export function sparseAdamStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, rows: Int32Array, width: number,
                               t: number, o: SparseAdamOptions, sign: 1 | -1 = 1): void {
  const [beta1, beta2] = o.betas;
  const stepSize = (o.lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
  const a1 = 1 - beta1, a2 = 1 - beta2, eps = o.eps;
  for (const r of rows) {
    const end = (r + 1) * width;
    for (let i = r * width; i < end; i++) {
      const g = sign * grad[i];
      const mi = m[i] + a1 * (g - m[i]);
      const vi = v[i] + a2 * (g * g - v[i]);
      m[i] = mi;
      v[i] = vi;
      param[i] -= (stepSize * mi) / (Math.sqrt(vi) + eps);
    }
  }
}

/**
 * Adam for row-sparse gradients (an Embedding with `sparse: true`), as torch.optim.SparseAdam:
 * a step costs the rows the batch used, not the table; rows not used keep their values and
 * moments exactly. Dense gradients are refused, as in PyTorch: give the model's other parameters
 * to Adam.
 */
export class SparseAdam extends Optimizer<SparseAdamOptions> {
  protected override readonly rowSparseOnly = true;

  constructor(params: ParamsArg<SparseAdamOptions>, o: OptionsArg<SparseAdamOptions> = {}) {
    super(params, SPARSE_ADAM_DEFAULTS, o, "SparseAdam");
  }
  protected validate(g: ParamGroup<SparseAdamOptions>): void {
    validateAdam("SparseAdam", { ...g, weightDecay: 0 });
    if (!(g.lr > 0)) throw new ValueError(`SparseAdam: lr must be > 0, got ${g.lr}`);
    checkRange("SparseAdam", "eps", g.eps, Number.MIN_VALUE);
  }
  protected bufferNames(): string[] {
    return ["m", "v"];
  }
  protected update(): void {
    // Unreachable: the step refuses dense gradients before any state changes.
    throw new ValueError("SparseAdam: dense gradients are not supported");
  }
  protected override updateRows(p: FloatArray, grad: FloatArray, rows: Int32Array, width: number, s: ParamState, g: ParamGroup<SparseAdamOptions>, sign: 1 | -1): void {
    sparseAdamStep(p, grad, s.buffers.m, s.buffers.v, rows, width, s.step, g, sign);
  }
}
