// Layer normalization's fused kernels over the last dimension (assembly/f32-layernorm.ts): a
// kernel family built on first use, so an application without LayerNorm carries none of this
// code. On the JS backend the family is null and the op runs its own float64 loops
// (src/nn/normalization.ts), which are the reference.
import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";

export interface LayerNormForward {
  /** [rows, n] */
  y: Float32Array;
  /** [rows] each, in float64: what the backward reads. */
  mean: Float64Array;
  rstd: Float64Array;
}
export interface LayerNormGrads {
  dx: Float32Array;
  dweight: Float32Array | null;
  dbias: Float32Array | null;
}

export interface LayerNormKernels {
  /** (x − mean)·rstd·weight + bias per row of x [rows, n]; weight, bias [n] or null (1 and 0). */
  layerNormForward(rows: number, n: number, x: Float32Array, weight: Float32Array | null, bias: Float32Array | null,
                   eps: number): LayerNormForward;
  /** dx for dy = g, and (if asked) the weight's and bias's gradients, from the forward's mean and rstd. */
  layerNormBackward(rows: number, n: number, x: Float32Array, weight: Float32Array | null, mean: Float64Array,
                    rstd: Float64Array, g: Float32Array, wantWeight: boolean, wantBias: boolean): LayerNormGrads;
}

const copyOut = (arena: Arena, ptr: number, n: number) => new Float32Array(arena.f32(ptr, n));
/** float64 words at an 8-aligned pointer (arena allocations are 64-aligned). */
const f64View = (wasm: KernelExports, ptr: number, n: number) => new Float64Array(wasm.memory.buffer, ptr, n);

function wasmLayerNormKernels(wasm: KernelExports, arena: Arena): LayerNormKernels {
  return {
    layerNormForward(rows, n, x, weight, bias, eps) {
      return withScratch(arena, () => {
        const xp = arena.copyIn(x), wp = weight ? arena.copyIn(weight) : 0, bp = bias ? arena.copyIn(bias) : 0;
        const yp = arena.alloc(rows * n * 4), mp = arena.alloc(rows * 8), rp = arena.alloc(rows * 8);
        wasm.f32_layernorm_forward(rows, n, xp, wp, bp, eps, yp, mp, rp);
        return { y: copyOut(arena, yp, rows * n), mean: f64View(wasm, mp, rows).slice(), rstd: f64View(wasm, rp, rows).slice() };
      });
    },
    layerNormBackward(rows, n, x, weight, mean, rstd, g, wantWeight, wantBias) {
      return withScratch(arena, () => {
        const xp = arena.copyIn(x), wp = weight ? arena.copyIn(weight) : 0;
        const mp = arena.alloc(rows * 8), rp = arena.alloc(rows * 8), gp = arena.copyIn(g);
        f64View(wasm, mp, rows).set(mean);
        f64View(wasm, rp, rows).set(rstd);
        const dxp = arena.alloc(rows * n * 4);
        const dwp = wantWeight ? arena.alloc(n * 4) : 0, dbp = wantBias ? arena.alloc(n * 4) : 0;
        const work = arena.alloc(wasm.f32_layernorm_backward_workspace(n));
        wasm.f32_layernorm_backward(rows, n, xp, wp, mp, rp, gp, dxp, dwp, dbp, work);
        return {
          dx: copyOut(arena, dxp, rows * n),
          dweight: dwp ? copyOut(arena, dwp, n) : null,
          dbias: dbp ? copyOut(arena, dbp, n) : null,
        };
      });
    },
  };
}

const layerNormFamily: KernelFamily<LayerNormKernels | null> = {
  js: null,
  wasm: wasmLayerNormKernels,
  exports: ["f32_layernorm_forward", "f32_layernorm_backward_workspace", "f32_layernorm_backward"],
  warmUp(k) {
    const x = new Float32Array(4 * 32).map((_, i) => ((i * 37) % 11) - 5), w = new Float32Array(32).fill(1);
    for (let i = 0; i < 4; i++) {
      const { y, mean, rstd } = k!.layerNormForward(4, 32, x, w, w, 1e-5);
      k!.layerNormBackward(4, 32, x, w, mean, rstd, y, true, true);
    }
  },
};

/** The LayerNorm kernels of the active wasm backend, or null on the JS backend (built on first use after each init). */
export function layerNormKernels(): LayerNormKernels | null {
  return kernelFamily(layerNormFamily);
}
