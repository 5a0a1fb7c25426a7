import { adamUpdate, optimKernels } from "../backend/index.js";
import { ValueError } from "../errors.js";
import type { FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkFlag, checkRange, Optimizer, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /** Decay θ by η·λ directly (AdamW, Loshchilov & Hutter) instead of adding λθ to the gradient. */
  decoupled: boolean;
}
export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false };

/**
 * One Adam/AdamW update in place on param, m, v (and vMax with amsgrad); `t` is the 1-based step:
 *   θ ← θ(1 − ηλ) (decoupled)  or  g ← g + λθ (coupled)
 *   m ← β1·m + (1−β1)·g      v ← β2·v + (1−β2)·g²      v̂max ← max(v̂max, v) (amsgrad)
 *   θ ← θ − η/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
 */
export function adamStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null,
                         t: number, o: AdamOptions): void {
  const { lr, eps, weightDecay: wd, decoupled } = o;
  const [b1, b2] = o.betas;
  const stepSize = lr / (1 - Math.pow(b1, t));
  // A multiply instead of a second division per element: the loop is bound by sqrt and div.
  const invSqrtBc2 = 1 / Math.sqrt(1 - Math.pow(b2, t));
  // c1, c2: the weights of the new gradient in the two moving averages, 1 − β1 and 1 − β2
  // (the backend's AdamConstants use the same names).
  const c1 = 1 - b1, c2 = 1 - b2;
  const n = param.length;
  if (wd === 0 && vMax === null) {
    // The common case runs in the backend: f64x2 SIMD in wasm, the same arithmetic as the JS
    // loop, so the same bits on every backend.
    const k = { b1, c1, b2, c2, stepSize, invSqrtBc2, eps };
    if (param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array) {
      optimKernels().f32Adam(param, grad, m, v, k);
    } else adamUpdate(param, grad, m, v, k);
    return;
  }
  const shrink = decoupled ? 1 - lr * wd : 1;
  const coupled = decoupled ? 0 : wd;
  for (let i = 0; i < n; i++) {
    const p = param[i] * shrink;
    const g = grad[i] + coupled * p;
    const mi = b1 * m[i] + c1 * g;
    const vi = b2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    if (vMax === null) param[i] = p - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
    else {
      const vm = vMax[i] > vi ? vMax[i] : vi;
      vMax[i] = vm;
      param[i] = p - (stepSize * mi) / (Math.sqrt(vm) * invSqrtBc2 + eps);
    }
  }
}

/** Checks the options Adam's relatives share: lr, eps, betas, weightDecay. */
export function validateAdam(name: string, g: Pick<AdamOptions, "lr" | "eps" | "betas" | "weightDecay">): void {
  checkRange(name, "lr", g.lr, 0);
  checkRange(name, "eps", g.eps, 0);
  if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new ValueError(`${name}: betas must be a pair [β1, β2], got ${JSON.stringify(g.betas)}`);
  checkRange(name, "betas[0]", g.betas[0], 0, 1, true);
  checkRange(name, "betas[1]", g.betas[1], 0, 1, true);
  checkRange(name, "weightDecay", g.weightDecay, 0);
}

/** Adam (Kingma & Ba 2015), with amsgrad (Reddi et al. 2018) and coupled L2 weight decay. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, o: OptionsArg<AdamOptions> = {}, name = "Adam") {
    super(params, ADAM_DEFAULTS, o, name);
  }
  protected validate(g: ParamGroup<AdamOptions>): void {
    validateAdam(this.name, g);
    checkFlag(this.name, "amsgrad", g.amsgrad);
    checkFlag(this.name, "decoupled", g.decoupled);
  }
  protected bufferNames(g: ParamGroup<AdamOptions>): string[] {
    return g.amsgrad ? ["m", "v", "vMax"] : ["m", "v"];
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<AdamOptions>): void {
    const b = s.buffers;
    adamStep(p, grad, b.m, b.v, g.amsgrad ? b.vMax : null, s.step, g);
  }
}

/** AdamW: Adam with decoupled weight decay, default λ = 1e-2 (PyTorch). */
export class AdamW extends Adam {
  constructor(params: ParamsArg<AdamOptions>, o: OptionsArg<Omit<AdamOptions, "decoupled">> = {}) {
    // AdamW is decoupled by definition: a `decoupled` key would be accepted and overridden.
    checkOptions("AdamW", o, Object.keys(ADAM_DEFAULTS).filter((k) => k !== "decoupled").concat("maximize"));
    super(params, { weightDecay: 1e-2, ...o, decoupled: true }, "AdamW");
  }
  protected override validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    if (g.decoupled !== true) throw new ValueError("AdamW: decoupled is always true (use Adam for coupled weight decay)");
  }
}
