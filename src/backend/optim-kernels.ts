import type { Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";

/** Constants of one Adam update (src/optim/adam.ts derives them from lr, betas, eps and t). */
export interface AdamConstants {
  b1: number; c1: number; b2: number; c2: number;
  /** η / (1 − β1^t) */
  stepSize: number;
  /** 1 / √(1 − β2^t) */
  invSqrtBc2: number;
  eps: number;
}

export interface OptimKernels {
  /**
   * Adam without weight decay or amsgrad, in place on param, m, v (equal lengths): float64
   * arithmetic rounded to float32 on store, so every backend gives the same bits.
   */
  f32Adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, k: AdamConstants): void;
}

type Floats = Float32Array | Float64Array;

/** The update as a JS loop: the reference the wasm kernel matches bit for bit, and the float64 path. */
export function adamUpdate(param: Floats, grad: Floats, m: Floats, v: Floats, k: AdamConstants): void {
  const { b1, c1, b2, c2, stepSize, invSqrtBc2, eps } = k;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = b1 * m[i] + c1 * g;
    const vi = b2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

export const jsOptimKernels: OptimKernels = { f32Adam: adamUpdate };

export interface OptimKernelExports {
  f32_adam(n: number, param: number, grad: number, m: number, v: number,
           b1: number, c1: number, b2: number, c2: number, stepSize: number, invSqrtBc2: number, eps: number): void;
}

/** One wasm call per parameter tensor: copy the four buffers in, update, copy three out. */
export function wasmOptimKernels(wasm: OptimKernelExports, arena: Arena): OptimKernels {
  return {
    f32Adam(param, grad, m, v, k) {
      const n = param.length;
      const mark = arena.mark();
      try {
        const pp = arena.copyIn(param), gp = arena.copyIn(grad), mp = arena.copyIn(m), vp = arena.copyIn(v);
        wasm.f32_adam(n, pp, gp, mp, vp, k.b1, k.c1, k.b2, k.c2, k.stepSize, k.invSqrtBc2, k.eps);
        param.set(arena.f32(pp, n));
        m.set(arena.f32(mp, n));
        v.set(arena.f32(vp, n));
      } finally {
        arena.reset(mark);
      }
    },
  };
}

const optimFamily: KernelFamily<OptimKernels> = { js: jsOptimKernels, wasm: wasmOptimKernels };

/** The optimizer kernels of the active backend (built on the first call after each init). */
export function optimKernels(): OptimKernels {
  return kernelFamily(optimFamily);
}
