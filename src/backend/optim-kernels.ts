import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";
import { runAdam } from "./parallel-adam.js";

/** Constants of one Adam update (src/optim/adam.ts derives them from the options and the step t). */
export interface AdamConstants {
  beta1: number;
  /** 1 − β1, as the caller rounded it. */
  oneMinusBeta1: number;
  beta2: number;
  /** 1 − β2, as the caller rounded it. */
  oneMinusBeta2: number;
  /** η / (1 − β1^t) */
  stepSize: number;
  /** 1 / √(1 − β2^t) */
  invSqrtBc2: number;
  eps: number;
  /** θ is multiplied by this first: 1 − ηλ for decoupled weight decay (AdamW), else 1. */
  shrink: number;
  /** λ of coupled (L2) weight decay, added to the gradient as λθ; 0 for none or decoupled. */
  weightDecay: number;
}

type Floats = Float32Array | Float64Array;

/**
 * The JS reference of the Adam update, in place on param, m, v and (amsgrad) vMax:
 *   θ ← θ·shrink     g ← g + λθ     m ← β1·m + (1−β1)·g     v ← β2·v + (1−β2)·g·g
 *   v̂ ← max(vMax, v) (stored to vMax) with amsgrad, else v
 *   θ ← θ − stepSize·m / (√v̂·invSqrtBc2 + ε)
 * float32 buffers are updated in float32 arithmetic, as PyTorch's float32 Adam computes: every
 * operation and constant rounded with Math.fround, in the order of the wasm kernel
 * (assembly/f32-adam.ts), which gives the same bits. float64 buffers are updated in float64.
 * A shrink of 1 and a λ of 0 are skipped, so no decay does no extra operation (and a NaN or
 * infinite θ cannot leak into g through 0·θ).
 */
export function adamUpdate(param: Floats, grad: Floats, m: Floats, v: Floats, vMax: Floats | null, k: AdamConstants): void {
  if (param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array &&
      v instanceof Float32Array && (vMax === null || vMax instanceof Float32Array)) {
    adamUpdateF32(param, grad, m, v, vMax, k);
    return;
  }
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBc2, eps, shrink, weightDecay } = k;
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (shrink !== 1) p *= shrink;
    let g = grad[i];
    if (weightDecay !== 0) g += weightDecay * p;
    const mi = beta1 * m[i] + oneMinusBeta1 * g;
    let vi = beta2 * v[i] + oneMinusBeta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    if (vMax !== null) {
      if (vMax[i] > vi) vi = vMax[i];
      vMax[i] = vi;
    }
    param[i] = p - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

/**
 * adamUpdate on float32 buffers in float32 arithmetic. A float64 result of two float32 values
 * rounded once to float32 is exactly the float32 operation's result for + − × ÷ and √ (binary64
 * has more than twice binary32's precision plus two bits), so Math.fround after each step
 * reproduces the wasm kernel's float32 instructions.
 */
function adamUpdateF32(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null,
                       k: AdamConstants): void {
  const f = Math.fround;
  const beta1 = f(k.beta1), oneMinusBeta1 = f(k.oneMinusBeta1), beta2 = f(k.beta2), oneMinusBeta2 = f(k.oneMinusBeta2);
  const stepSize = f(k.stepSize), invSqrtBc2 = f(k.invSqrtBc2), eps = f(k.eps), shrink = f(k.shrink), weightDecay = f(k.weightDecay);
  const shrinks = k.shrink !== 1, decays = k.weightDecay !== 0;
  for (let i = 0; i < param.length; i++) {
    let p = param[i];
    if (shrinks) p = f(p * shrink);
    let g = grad[i];
    if (decays) g = f(g + f(weightDecay * p));
    const mi = f(f(beta1 * m[i]) + f(oneMinusBeta1 * g));
    let vi = f(f(beta2 * v[i]) + f(f(oneMinusBeta2 * g) * g));
    m[i] = mi;
    v[i] = vi;
    if (vMax !== null) {
      if (vMax[i] > vi) vi = vMax[i];
      vMax[i] = vi;
    }
    param[i] = f(p - f(f(stepSize * mi) / f(f(f(Math.sqrt(vi)) * invSqrtBc2) + eps)));
  }
}

export interface OptimKernels {
  /**
   * adamUpdate on float32 buffers (equal lengths; vMax null without amsgrad): float32
   * arithmetic in the reference's order, so every backend gives the same bits. `owned`: the
   * moments are an optimizer's own buffers, which nothing but this update writes, so a backend
   * may keep a copy of them between calls.
   */
  f32Adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null,
          k: AdamConstants, owned?: boolean): void;
}

export const jsOptimKernels: OptimKernels = { f32Adam: adamUpdate };

/** `src` copied to ptr with a zero after it if its length is odd (f32_adam works in pairs). */
function copyPairsTo(arena: Arena, ptr: number, src: Float32Array): void {
  const even = src.length + (src.length & 1);
  const view = arena.f32(ptr, even);
  view.set(src);
  if (even > src.length) view[src.length] = 0;
}

/** `src` copied into fresh scratch, padded to pairs as copyPairsTo does. */
function copyInPairs(arena: Arena, src: Float32Array): number {
  const ptr = arena.alloc((src.length + (src.length & 1)) * 4);
  copyPairsTo(arena, ptr, src);
  return ptr;
}

/**
 * One wasm call per parameter tensor (split over the thread pool when large): the parameter and
 * gradient copied in, the updated parameter and moments copied back out. An optimizer's own
 * moments (`owned`: m, v and vMax) also stay in a pinned block kept for their m buffer, so a step
 * copies them in only when that block is fresh: state dicts copy those buffers, loading one makes
 * new ones, and only this update writes them, so after each step the two copies hold the same
 * values. A step that fails forgets the block. Moments a caller of adamStep passes are copied in
 * every time: the caller may change them between steps.
 */
export function wasmOptimKernels(wasm: KernelExports, arena: Arena): OptimKernels {
  return {
    f32Adam(param, grad, m, v, vMax, k, owned = false) {
      const n = param.length, pairBytes = (n + (n & 1)) * 4, buffers = vMax ? [m, v, vMax] : [m, v];
      const block = owned ? arena.pinBlock(m, buffers.length * pairBytes) : null;
      withScratch(arena, () => {
        let [mp, vp, vmp] = [0, 0, 0];
        if (block) {
          [mp, vp] = [block.ptr, block.ptr + pairBytes];
          if (vMax) vmp = block.ptr + 2 * pairBytes;
          if (block.fresh) buffers.forEach((b, i) => copyPairsTo(arena, block.ptr + i * pairBytes, b));
        } else {
          [mp, vp] = [copyInPairs(arena, m), copyInPairs(arena, v)];
          if (vMax) vmp = copyInPairs(arena, vMax);
        }
        const pp = copyInPairs(arena, param), gp = copyInPairs(arena, grad);
        try {
          runAdam(wasm, n, [pp, gp, mp, vp, vmp], [k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2,
                                                   k.stepSize, k.invSqrtBc2, k.eps, k.shrink, k.weightDecay]);
        } catch (e) {
          arena.unpin(m); // the block may hold a partial update the JS buffers do not
          throw e;
        }
        param.set(arena.f32(pp, n));
        m.set(arena.f32(mp, n));
        v.set(arena.f32(vp, n));
        if (vMax) vMax.set(arena.f32(vmp, n));
      });
    },
  };
}

const optimFamily: KernelFamily<OptimKernels> = { js: jsOptimKernels, wasm: wasmOptimKernels, exports: ["f32_adam"] };

/** The optimizer kernels of the active backend (built on the first call after each init). */
export function optimKernels(): OptimKernels {
  return kernelFamily(optimFamily);
}
