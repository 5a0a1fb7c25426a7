import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";

/**
 * The pooling kernels: 2×2, stride-2 max pooling over NCHW planes (no padding, floor mode), the
 * pool of nearly every CNN. A family built on first use, so models without pooling carry none
 * of it. Other windows run as JS loops in src/nn/pooling.ts.
 */
export interface PoolKernels {
  /** y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1] (Math.max: NaN wins, +0 over −0). */
  f32MaxPool2x2(planes: number, h: number, w: number, x: Float32Array, y: Float32Array): void;
  /**
   * gx (fully written) gets each window's gradient on the tap that won the forward: the first
   * tap in row-major order equal to y, or the first NaN when y is NaN; every other tap gets 0.
   */
  f32MaxPool2x2Backward(planes: number, h: number, w: number, x: Float32Array, y: Float32Array, g: Float32Array, gx: Float32Array): void;
}

/** The JS reference of f32_maxpool2d_2x2 (assembly/f32-maxpool2d-2x2.ts): the same bits. */
export function maxPool2x2Js(planes: number, h: number, w: number, x: Float32Array | Float64Array, y: Float32Array | Float64Array): void {
  const oh = h >> 1, ow = w >> 1;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0, r = (p * h + 2 * i) * w; j < ow; j++, o++, r += 2) {
        y[o] = Math.max(Math.max(x[r], x[r + 1]), Math.max(x[r + w], x[r + w + 1]));
      }
    }
  }
}

/** The JS reference of f32_maxpool2d_2x2_backward. */
export function maxPool2x2BackwardJs(planes: number, h: number, w: number, x: Float32Array | Float64Array, y: Float32Array | Float64Array,
                                     g: Float32Array | Float64Array, gx: Float32Array | Float64Array): void {
  const oh = h >> 1, ow = w >> 1;
  gx.fill(0);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0, r = (p * h + 2 * i) * w; j < ow; j++, o++, r += 2) {
        const m = y[o], a = x[r], b = x[r + 1], c = x[r + w], d = x[r + w + 1];
        if (a === m || a !== a) gx[r] = g[o];
        else if (b === m || b !== b) gx[r + 1] = g[o];
        else if (c === m || c !== c) gx[r + w] = g[o];
        else if (d === m || d !== d) gx[r + w + 1] = g[o];
      }
    }
  }
}

function wasmPoolKernels(wasm: KernelExports, arena: Arena): PoolKernels {
  const copyIn = (a: Float32Array): number => {
    const ptr = arena.alloc(a.length * 4);
    arena.f32(ptr, a.length).set(a);
    return ptr;
  };
  return {
    f32MaxPool2x2(planes, h, w, x, y) {
      withScratch(arena, () => {
        const xp = copyIn(x), yp = arena.alloc(y.length * 4);
        wasm.f32_maxpool2d_2x2(planes, h, w, xp, yp);
        y.set(arena.f32(yp, y.length));
      });
    },
    f32MaxPool2x2Backward(planes, h, w, x, y, g, gx) {
      withScratch(arena, () => {
        const xp = copyIn(x), yp = copyIn(y), gp = copyIn(g), gxp = arena.alloc(gx.length * 4);
        wasm.f32_maxpool2d_2x2_backward(planes, h, w, xp, yp, gp, gxp);
        gx.set(arena.f32(gxp, gx.length));
      });
    },
  };
}

const poolFamily: KernelFamily<PoolKernels> = {
  js: { f32MaxPool2x2: maxPool2x2Js, f32MaxPool2x2Backward: maxPool2x2BackwardJs },
  wasm: wasmPoolKernels,
  warmUp(k) {
    const x = new Float32Array(2 * 8 * 10).map((_, i) => (i * 37) % 11), y = new Float32Array(2 * 4 * 5);
    for (let i = 0; i < 4; i++) {
      k.f32MaxPool2x2(2, 8, 10, x, y);
      k.f32MaxPool2x2Backward(2, 8, 10, x, y, y, x.slice());
    }
  },
};

/** The pooling kernels of the active backend (built on the first call after each init). */
export function poolKernels(): PoolKernels {
  return kernelFamily(poolFamily);
}
