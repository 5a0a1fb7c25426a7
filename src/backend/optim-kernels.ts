import { withScratch, type Arena } from "./arena.js";
import { pinBlock } from "./arena-pins.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";
import { runAdam } from "./parallel-adam.js";
import { residentOffset } from "./resident.js";

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
   * may keep the current moments elsewhere and bring the JS buffers up to date only when
   * writeBackPinned (src/backend/init.ts) is called.
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

/**
 * `src` copied into fresh scratch, padded to pairs as copyPairsTo does; or where it is, when it is
 * kernel memory already (resident.ts leaves a float after each view for the pair).
 */
function copyInPairs(arena: Arena, src: Float32Array): number {
  const resident = residentOffset(src, arena);
  if (resident >= 0) return resident;
  const ptr = arena.alloc((src.length + (src.length & 1)) * 4);
  copyPairsTo(arena, ptr, src);
  return ptr;
}

/**
 * An optimizer's moments (m, v and vMax) kept in a pinned block: two copies of them, `current`
 * the one holding the last step's values. A step reads that copy and writes the other, and only
 * a step that completes makes the other current: one that fails part way (a thread pool's
 * worker lost mid-step) leaves the moments as the last good step left them.
 */
interface ResidentMoments {
  ptr: number;
  /** Bytes of one copy: the buffers one after the other, each padded to pairs. */
  copyBytes: number;
  current: 0 | 1;
  /**
   * The JS buffers to write back to. Held strongly (workerd has no WeakRef): while its block is
   * dirty a dropped optimizer's buffers stay reachable, at most as many bytes as the pin budget
   * allows blocks, until the next write-back.
   */
  buffers: Float32Array[];
}

/**
 * One wasm call per parameter tensor (split over the thread pool when large): the parameter and
 * gradient copied in, the updated parameter copied back out. An optimizer's own moments
 * (`owned`) live in a pinned block kept for their m buffer and reach their JS buffers only when
 * something reads them: writeBackPinned (the optimizer's stateDict), the pins dropped for room,
 * or init() replacing the backend. That saves copying them out every step, two of the five
 * copies a step makes, because only this update writes them and only a state dict reads them.
 * Moments a caller of adamStep passes are copied in and out every time: the caller may read or
 * change them between steps.
 */
export function wasmOptimKernels(wasm: KernelExports, arena: Arena): OptimKernels {
  const resident = new WeakMap<Float32Array, ResidentMoments>();
  /** Blocks holding values their JS buffers do not have yet. */
  const dirty = new Set<ResidentMoments>();

  function writeBack(r: ResidentMoments): void {
    const base = r.ptr + r.current * r.copyBytes, each = r.copyBytes / r.buffers.length;
    r.buffers.forEach((b, i) => b.set(arena.f32(base + i * each, b.length)));
    dirty.delete(r);
  }
  arena.beforeDrop(() => {
    for (const r of dirty) writeBack(r);
  });

  /** The block holding m's moments, brought up to date from JS if new; null: copy them as a caller's. */
  function residentFor(buffers: Float32Array[]): ResidentMoments | null {
    const m = buffers[0], pairBytes = (m.length + (m.length & 1)) * 4, copyBytes = buffers.length * pairBytes;
    const old = resident.get(m);
    // A block of another size (amsgrad switched) starts from the JS buffers: bring those up to date.
    if (old && dirty.has(old) && old.copyBytes !== copyBytes) writeBack(old);
    const block = pinBlock(arena, m, 2 * copyBytes);
    if (block === null) {
      if (old && dirty.has(old)) writeBack(old);
      return null;
    }
    if (!block.fresh && old) return old;
    buffers.forEach((b, i) => copyPairsTo(arena, block.ptr + i * pairBytes, b));
    const r: ResidentMoments = { ptr: block.ptr, copyBytes, current: 0, buffers };
    resident.set(m, r);
    return r;
  }

  return {
    f32Adam(param, grad, m, v, vMax, k, owned = false) {
      const n = param.length, buffers = vMax ? [m, v, vMax] : [m, v];
      const r = owned ? residentFor(buffers) : null;
      withScratch(arena, () => {
        // The moments one after the other, each padded to pairs, as in a resident block.
        const pairBytes = (n + (n & 1)) * 4;
        let moments: number, next: number;
        if (r) {
          moments = r.ptr + r.current * r.copyBytes;
          next = r.ptr + (1 - r.current) * r.copyBytes;
        } else {
          moments = next = arena.alloc(buffers.length * pairBytes);
          buffers.forEach((b, i) => copyPairsTo(arena, moments + i * pairBytes, b));
        }
        const at = (base: number, i: number) => (i < buffers.length ? base + i * pairBytes : 0);
        const pp = copyInPairs(arena, param), gp = copyInPairs(arena, grad);
        runAdam(wasm, n, [pp, gp, at(moments, 0), at(moments, 1), at(moments, 2), at(next, 0), at(next, 1), at(next, 2)],
                [k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2, k.stepSize, k.invSqrtBc2, k.eps, k.shrink, k.weightDecay]);
        // A resident parameter was updated where it is.
        if (residentOffset(param, arena) < 0) param.set(arena.f32(pp, n));
        if (r) {
          r.current = (1 - r.current) as 0 | 1;
          dirty.add(r);
        } else {
          buffers.forEach((b, i) => b.set(arena.f32(at(moments, i), n)));
        }
      });
    },
  };
}

const optimFamily: KernelFamily<OptimKernels> = { js: jsOptimKernels, wasm: wasmOptimKernels, exports: ["f32_adam"] };

/** The optimizer kernels of the active backend (built on the first call after each init). */
export function optimKernels(): OptimKernels {
  return kernelFamily(optimFamily);
}
