import type { FloatArray } from "../ndarray/index.js";
import { checkFlag, checkRanges, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";
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
    checkRanges("SGD", g, { lr: [0], momentum: [0], dampening: [0, 1], weightDecay: [0] });
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
  /** Lazy momentum on a row-sparse gradient: only the rows it names move, and only their momentum. */
  protected override updateRows(p: FloatArray, grad: FloatArray, rows: Int32Array, width: number, s: ParamState, g: ParamGroup<SGDOptions>, sign: 1 | -1): void {
    sgdStepRows(p, grad, g.momentum !== 0 ? s.buffers.momentum : null, rows, width, g, sign);
  }
  protected override rowwiseRefusal(g: ParamGroup<SGDOptions>): string | null {
    if (g.weightDecay !== 0) return `weightDecay (${g.weightDecay}) would decay every row: use weightDecay 0 for this parameter (a param group of its own)`;
    if (g.dampening !== 0) return `dampening (${g.dampening}) has no row-wise form (a row's first step would differ from the dense rule)`;
    return null;
  }
}

/**
 * sgdStep restricted to `rows` of a [rows, width] parameter whose gradient is zero elsewhere, with
 * weight decay and dampening 0: b ← μ·b + g, θ ← θ − η·(g + μ·b or b) on those rows only (rows
 * never seen before have b = 0, so their first step is b = g, as the dense rule's). The other
 * rows and their momentum are left as they are: momentum is lazy, as TensorFlow's sparse
 * momentum update.
 */
export function sgdStepRows(param: FloatArray, grad: FloatArray, buf: FloatArray | null, rows: Int32Array, width: number, o: SGDOptions, sign: 1 | -1 = 1): void {
  const { lr, momentum: mu, nesterov } = o;
  for (const r of rows) {
    const end = (r + 1) * width;
    if (mu === 0 || buf === null) {
      for (let i = r * width; i < end; i++) param[i] -= lr * (sign * grad[i]);
      continue;
    }
    for (let i = r * width; i < end; i++) {
      const g = sign * grad[i];
      const b = mu * buf[i] + g;
      buf[i] = b;
      param[i] -= lr * (nesterov ? g + mu * b : b);
    }
  }
}
