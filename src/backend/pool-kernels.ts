import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";
import { maxPoolBackwardSplit, maxPoolSplit } from "./parallel-elementwise.js";

/**
 * The pooling kernels: 2×2, stride-2 max pooling over NCHW planes (no padding, floor mode), the
 * pool of nearly every CNN, and its backward. A family built on first use, so models without
 * pooling carry none of it. Other windows are JS loops in src/nn/pooling.ts.
 */
export interface PoolKernels {
  /**
   * y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1] (Math.max: NaN wins, +0 over −0), and
   * code[p, i, j] the tap that won, 0..3 in row-major order: the first equal to y, or the first
   * NaN when y is NaN. code null: the maxima alone (no backward will read the taps).
   */
  f32MaxPool2x2(planes: number, h: number, w: number, x: Float32Array, y: Float32Array, code: Uint8Array | null): void;
  /**
   * The backward: gx[p] (h×w, every element written) = each window's g at the tap its code
   * names, 0 elsewhere; g and code as f32MaxPool2x2 gave them.
   */
  f32MaxPool2x2Backward(planes: number, h: number, w: number, code: Uint8Array, g: Float32Array, gx: Float32Array): void;
}

/** The JS reference of f32_maxpool2d_2x2 (assembly/f32-maxpool2d-2x2.ts): the same bits; code null: maxima only. */
export function maxPool2x2Js(planes: number, h: number, w: number, x: Float32Array | Float64Array, y: Float32Array | Float64Array,
                             code: Uint8Array | null): void {
  const oh = h >> 1, ow = w >> 1;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0, r = (p * h + 2 * i) * w; j < ow; j++, o++, r += 2) {
        const a = x[r], b = x[r + 1], c = x[r + w], d = x[r + w + 1];
        const m = Math.max(Math.max(a, b), Math.max(c, d));
        y[o] = m;
        if (code) code[o] = a === m || a !== a ? 0 : b === m || b !== b ? 1 : c === m || c !== c ? 2 : 3;
      }
    }
  }
}

/**
 * n tap codes (0..3) four to a byte, code i in bits 2(i mod 4)..2(i mod 4)+1 of byte ⌊i/4⌋: what
 * the fused Conv→ReLU→pool keeps for its backward. The JS reference of u8_pack_taps.
 */
export function packTapsJs(code: Uint8Array): Uint8Array {
  const packed = new Uint8Array((code.length + 3) >> 2);
  for (let i = 0; i < code.length; i++) packed[i >> 2] |= (code[i] & 3) << (2 * (i & 3));
  return packed;
}

/** The inverse of packTapsJs: n codes, one byte each (u8_unpack_taps). */
export function unpackTapsJs(packed: Uint8Array, n: number): Uint8Array {
  const code = new Uint8Array(n);
  for (let i = 0; i < n; i++) code[i] = (packed[i >> 2] >> (2 * (i & 3))) & 3;
  return code;
}

/** The JS reference of f32_maxpool2d_2x2_backward (the float64 path uses it too). */
export function maxPool2x2BackwardJs(planes: number, h: number, w: number, code: Uint8Array, g: Float32Array | Float64Array,
                                     gx: Float32Array | Float64Array): void {
  const oh = h >> 1, ow = w >> 1;
  gx.fill(0, 0, planes * h * w);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0, r = (p * h + 2 * i) * w; j < ow; j++, o++, r += 2) gx[r + (code[o] & 1) + (code[o] >> 1) * w] = g[o];
    }
  }
}

/**
 * The gradient at a relu→2×2 pool's input (planes×h×w) from the pooled gradient dy: masked by the
 * pooled output y > 0 (the winning tap's own output), then unpooled by the packed taps.
 */
export function unpoolReluGradJs(dy: Float32Array, y: Float32Array, packed: Uint8Array, planes: number, h: number, w: number): Float32Array {
  const masked = dy.map((v, i) => (y[i] > 0 ? v : 0));
  const full = new Float32Array(planes * h * w);
  maxPool2x2BackwardJs(planes, h, w, unpackTapsJs(packed, dy.length), masked, full);
  return full;
}

function wasmPoolKernels(wasm: KernelExports, arena: Arena): PoolKernels {
  return {
    f32MaxPool2x2(planes, h, w, x, y, code) {
      withScratch(arena, () => {
        const xp = arena.alloc(x.length * 4), yp = arena.alloc(y.length * 4), cp = code ? arena.alloc(code.length) : 0;
        arena.f32(xp, x.length).set(x);
        maxPoolSplit(wasm, planes, h, w, xp, yp, cp);
        y.set(arena.f32(yp, y.length));
        code?.set(arena.u8(cp, code.length));
      });
    },
    f32MaxPool2x2Backward(planes, h, w, code, g, gx) {
      withScratch(arena, () => {
        const n = planes * (h >> 1) * (w >> 1), size = planes * h * w;
        const cp = arena.alloc(n), gp = arena.alloc(n * 4), xp = arena.alloc(size * 4);
        arena.u8(cp, n).set(code.subarray(0, n));
        arena.f32(gp, n).set(g.subarray(0, n));
        maxPoolBackwardSplit(wasm, planes, h, w, cp, gp, xp);
        gx.set(arena.f32(xp, size));
      });
    },
  };
}

const poolFamily: KernelFamily<PoolKernels> = {
  js: { f32MaxPool2x2: maxPool2x2Js, f32MaxPool2x2Backward: maxPool2x2BackwardJs },
  wasm: wasmPoolKernels,
  exports: ["f32_maxpool2d_2x2", "f32_maxpool2d_2x2_backward"],
  warmUp(k) {
    const x = new Float32Array(2 * 8 * 10).map((_, i) => (i * 37) % 11), y = new Float32Array(2 * 4 * 5);
    for (let i = 0; i < 4; i++) k.f32MaxPool2x2(2, 8, 10, x, y, new Uint8Array(y.length));
  },
};

/** The pooling kernels of the active backend (built on the first call after each init). */
export function poolKernels(): PoolKernels {
  return kernelFamily(poolFamily);
}
