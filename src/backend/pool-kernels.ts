import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";
import { maxPoolSplit } from "./parallel-elementwise.js";

/**
 * The pooling kernels: 2×2, stride-2 max pooling over NCHW planes (no padding, floor mode), the
 * pool of nearly every CNN. A family built on first use, so models without pooling carry none
 * of it. Other windows, and the backward (a scatter by the codes), are JS loops in
 * src/nn/pooling.ts.
 */
export interface PoolKernels {
  /**
   * y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1] (Math.max: NaN wins, +0 over −0), and
   * code[p, i, j] the tap that won, 0..3 in row-major order: the first equal to y, or the first
   * NaN when y is NaN.
   */
  f32MaxPool2x2(planes: number, h: number, w: number, x: Float32Array, y: Float32Array, code: Uint8Array): void;
}

/** The JS reference of f32_maxpool2d_2x2 (assembly/f32-maxpool2d-2x2.ts): the same bits. */
export function maxPool2x2Js(planes: number, h: number, w: number, x: Float32Array | Float64Array, y: Float32Array | Float64Array,
                             code: Uint8Array): void {
  const oh = h >> 1, ow = w >> 1;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0, r = (p * h + 2 * i) * w; j < ow; j++, o++, r += 2) {
        const a = x[r], b = x[r + 1], c = x[r + w], d = x[r + w + 1];
        const m = Math.max(Math.max(a, b), Math.max(c, d));
        y[o] = m;
        code[o] = a === m || a !== a ? 0 : b === m || b !== b ? 1 : c === m || c !== c ? 2 : 3;
      }
    }
  }
}

function wasmPoolKernels(wasm: KernelExports, arena: Arena): PoolKernels {
  return {
    f32MaxPool2x2(planes, h, w, x, y, code) {
      withScratch(arena, () => {
        const xp = arena.alloc(x.length * 4), yp = arena.alloc(y.length * 4), cp = arena.alloc(code.length);
        arena.f32(xp, x.length).set(x);
        maxPoolSplit(wasm, planes, h, w, xp, yp, cp);
        y.set(arena.f32(yp, y.length));
        code.set(arena.u8(cp, code.length));
      });
    },
  };
}

const poolFamily: KernelFamily<PoolKernels> = {
  js: { f32MaxPool2x2: maxPool2x2Js },
  wasm: wasmPoolKernels,
  exports: ["f32_maxpool2d_2x2"],
  warmUp(k) {
    const x = new Float32Array(2 * 8 * 10).map((_, i) => (i * 37) % 11), y = new Float32Array(2 * 4 * 5);
    for (let i = 0; i < 4; i++) k.f32MaxPool2x2(2, 8, 10, x, y, new Uint8Array(y.length));
  },
};

/** The pooling kernels of the active backend (built on the first call after each init). */
export function poolKernels(): PoolKernels {
  return kernelFamily(poolFamily);
}
