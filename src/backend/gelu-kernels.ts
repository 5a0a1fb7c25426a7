// GELU's fused kernels (assembly/f32-gelu.ts): a kernel family built on first use, so an
// application without GELU carries none of this code. On the JS backend the family is null and
// the op runs its own float64 loops (src/nn/functional.ts), which are the reference.
import { withScratch, type Arena } from "./arena.js";
import { kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";

export interface GeluKernels {
  /** GELU of every element of x: the exact x·Φ(x), or the tanh approximation. */
  geluForward(x: Float32Array, approximate: boolean): Float32Array;
  /** g·GELU′(x), from x and the forward's output y. */
  geluBackward(x: Float32Array, y: Float32Array, g: Float32Array, approximate: boolean): Float32Array;
}

/** A fresh array from scratch (the typed-array constructor: faster than slice() of a view). */
const copyOut = (arena: Arena, ptr: number, n: number) => new Float32Array(arena.f32(ptr, n));

function wasmGeluKernels(wasm: KernelExports, arena: Arena): GeluKernels {
  return {
    geluForward(x, approximate) {
      return withScratch(arena, () => {
        const n = x.length, xp = arena.copyIn(x), yp = arena.alloc(n * 4);
        wasm.f32_gelu_forward(n, xp, yp, approximate ? 1 : 0);
        return copyOut(arena, yp, n);
      });
    },
    geluBackward(x, y, g, approximate) {
      return withScratch(arena, () => {
        const n = x.length, xp = arena.copyIn(x), yp = arena.copyIn(y), gp = arena.copyIn(g);
        wasm.f32_gelu_backward(n, xp, yp, gp, gp, approximate ? 1 : 0);
        return copyOut(arena, gp, n);
      });
    },
  };
}

const geluFamily: KernelFamily<GeluKernels | null> = {
  js: null,
  wasm: wasmGeluKernels,
  exports: ["f32_gelu_forward", "f32_gelu_backward"],
  warmUp(k) {
    const x = new Float32Array(64).map((_, i) => (i - 32) / 8);
    for (let i = 0; i < 4; i++) {
      const y = k!.geluForward(x, i % 2 === 1);
      k!.geluBackward(x, y, x, i % 2 === 1);
    }
  },
};

/** The GELU kernels of the active wasm backend, or null on the JS backend (built on first use after each init). */
export function geluKernels(): GeluKernels | null {
  return kernelFamily(geluFamily);
}
