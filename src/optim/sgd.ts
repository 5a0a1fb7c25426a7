import type { FloatArray } from "../ndarray/index.js";
import { checkFlag, checkRanges, Optimizer, type ParamGroup, type ParamState, type ParamsArg, type OptionsArg } from "./optimizer.js";
import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}
export const SGD_DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };

/**
 * One SGD update in place (PyTorch semantics; `buf` is the momentum buffer or null when
 * momentum = 0, `newBuffer` true when it holds nothing yet):
 *   g ← g + λθ
 *   b ← g for a new buffer, else μ·b + (1−τ)·g          (momentum μ, dampening τ)
 *   g ← g + μ·b (Nesterov) or b
 *   θ ← θ − η·g
 * A buffer is new at the first step with momentum, which is not the first step when momentum is
 * turned on later: PyTorch starts momentum_buffer as clone(g) whenever it has none.
 */
export function sgdStep(param: FloatArray, grad: FloatArray, buf: FloatArray | null, newBuffer: boolean, o: SGDOptions): void {
  // This argument used to be the step number: a number passed here is refused, not read as true.
  boolean("sgdStep", "newBuffer", newBuffer);
  const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = o;
  const n = param.length;
  if (mu === 0 || buf === null) {
    for (let i = 0; i < n; i++) param[i] -= lr * (grad[i] + wd * param[i]);
    return;
  }
  // The per-step choices (new buffer, Nesterov) become coefficients, so the loop has no branches
  // (V8 runs it about twice as fast). bm·buf is 0·0 for a new buffer: buffers start at zero.
  const bm = newBuffer ? 0 : mu, bg = newBuffer ? 1 : 1 - dampening;
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
  protected bufferNames(): string[] {
    return [];
  }
  protected override readonly optionalBuffers = ["momentum"];
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<SGDOptions>): void {
    if (g.momentum === 0) {
      sgdStep(p, grad, null, false, g);
      return;
    }
    // Whether the buffer is new comes from the state, not the step count: momentum may have been
    // off for the first steps. It joins the state once the step is done.
    const old = s.buffers.momentum;
    const buf = old ?? new (p.constructor as Float32ArrayConstructor)(p.length);
    sgdStep(p, grad, buf, old === undefined, g);
    s.buffers.momentum = buf;
  }
  /** Lazy momentum on a row-sparse gradient: only the rows it names move, and only their momentum. */
  protected override updateRows(p: FloatArray, grad: FloatArray, rows: Int32Array, width: number, s: ParamState, g: ParamGroup<SGDOptions>, sign: 1 | -1): void {
    // A new buffer starts at zero here: with dampening 0 (required for rows) a row's first
    // momentum step is then b = g, as the dense rule's clone(g), and untouched rows stay zero.
    const buf = g.momentum !== 0 ? (s.buffers.momentum ??= new (p.constructor as Float32ArrayConstructor)(p.length)) : null;
    sgdStepRows(p, grad, buf, rows, width, g, sign);
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
