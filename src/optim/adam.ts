import { adamUpdate, optimKernels, writeBackPinned } from "../backend/index.js";
import { ValueError } from "../errors.js";
import type { FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkFlag, checkRange, Optimizer, type OptimizerStateDict, type OptionsArg, type ParamGroup, type ParamState, type ParamsArg } from "./optimizer.js";

/** The options Adam and its relatives (Adamax, Nadam, RAdam, LAMB) share, checked by validateAdam. */
export interface AdamFamilyOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

export interface AdamOptions extends AdamFamilyOptions {
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
  stepAdam(param, grad, m, v, vMax, t, o, false);
}

/** adamStep; `owned`: m, v and vMax are an optimizer's own buffers (see OptimKernels.f32Adam). */
function stepAdam(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null,
                  t: number, o: AdamOptions, owned: boolean): void {
  const { lr, eps, weightDecay, decoupled } = o;
  const [beta1, beta2] = o.betas;
  const k = {
    beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, eps,
    stepSize: lr / (1 - Math.pow(beta1, t)),
    // A multiply instead of a second division per element: the loop is bound by sqrt and div.
    invSqrtBc2: 1 / Math.sqrt(1 - Math.pow(beta2, t)),
    shrink: decoupled ? 1 - lr * weightDecay : 1,
    weightDecay: decoupled ? 0 : weightDecay,
  };
  // float32 runs in the backend (float32 arithmetic, f32x4 SIMD in wasm; the backend's JS
  // reference gives the same bits); float64 runs the JS reference in float64.
  if (param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array &&
      v instanceof Float32Array && (vMax === null || vMax instanceof Float32Array)) {
    optimKernels().f32Adam(param, grad, m, v, vMax, k, owned);
  } else {
    adamUpdate(param, grad, m, v, vMax, k);
  }
}

/** Checks the options Adam's relatives share: lr, eps, betas, weightDecay. */
export function validateAdam(name: string, g: AdamFamilyOptions): void {
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
  protected bufferNames(): string[] {
    return ["m", "v"];
  }
  protected override readonly optionalBuffers = ["vMax"];
  override step(): void {
    // Loads the optimizer kernels before any state changes, so a kernel module without them
    // (the core build) refuses the step instead of leaving it half done.
    if (this.paramGroups.some((g) => g.params.some((p) => p.dtype === "float32"))) optimKernels();
    super.step();
  }
  protected update(p: FloatArray, grad: FloatArray, s: ParamState, g: ParamGroup<AdamOptions>): void {
    const b = s.buffers;
    // vMax starts at zero whenever amsgrad needs it and it is missing, as at a first step. With
    // amsgrad turned on after some steps (torch 1.13 raises a KeyError there) it is then the
    // running maximum of v from that step on: that step is plain Adam's (max(0, v) = v), and
    // the maximum never decreases afterwards, which is what AMSGrad relies on. It joins the
    // state once the step is done.
    const vMax = g.amsgrad ? (b.vMax ?? new (p.constructor as Float32ArrayConstructor)(p.length)) : null;
    stepAdam(p, grad, b.m, b.v, vMax, s.step, g, true);
    if (vMax) b.vMax = vMax;
  }
  override stateDict(): OptimizerStateDict {
    // The wasm backend keeps the current moments in its memory between steps: bring ours up to date.
    writeBackPinned();
    return super.stateDict();
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
