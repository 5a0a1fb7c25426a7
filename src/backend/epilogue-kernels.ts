// The backward of a linear layer's epilogue (assembly/f32-conv2d-epilogue-backward.ts): the ReLU
// mask and the bias gradient's column sums of an [m×n] float32 gradient, as a kernel family built
// on first use. In JS these were the MLP's largest loops outside the GEMMs (2–4 ns an element in
// Node 20: a mask read from another array and written into a fresh one). The JS loops in
// src/ndarray/linear.ts stay the reference, and the path of the JS backend and of kernel builds
// without these exports (the core build); the kernels reproduce their bits.
import { withScratch, type Arena } from "./arena.js";
import { activeKernelExports, kernelFamily, type KernelFamily } from "./init.js";
import type { KernelExports } from "./kernel-exports.js";
import { reluBackwardSplit } from "./parallel-elementwise.js";
import { readable, residentOffset } from "./resident.js";
import { stepArray } from "./step-arrays.js";

export interface EpilogueKernels {
  /**
   * g [m×n] (row-major from `offset`) where y > 0, else 0 (y null: g as it is, and no masked copy
   * returned), and if `sums` its column sums in float64, row by row.
   */
  reluMaskColumnSums(g: Float32Array, offset: number, y: Float32Array | null, m: number, n: number,
                     sums: boolean): { masked: Float32Array | null; sums: Float64Array | null };
}

function wasmEpilogueKernels(wasm: KernelExports, arena: Arena): EpilogueKernels {
  return {
    reluMaskColumnSums(g, offset, y, m, n, sums) {
      return withScratch(arena, () => {
        const size = m * n;
        // The masked gradient goes on to the layer's GEMMs within the step: a step array, which
        // the mask is written into where it is when that is kernel memory (fit's batches).
        const masked = y === null ? null : stepArray(size);
        const into = masked === null ? -1 : residentOffset(masked, arena);
        let gp: number;
        if (into >= 0) {
          masked!.set(g.subarray(offset, offset + size));
          gp = into;
        } else {
          gp = y === null ? readable(arena, g, offset, size) : arena.copyIn(g.subarray(offset, offset + size));
        }
        if (y !== null) reluBackwardSplit(wasm, size, gp, readable(arena, y, 0, size));
        let columnSums: Float64Array | null = null;
        if (sums) {
          const sp = arena.alloc(n * 8);
          wasm.f32_column_sums(m, n, gp, sp);
          columnSums = new Float64Array(new Float64Array(arena.memory.buffer, sp, n));
        }
        if (masked !== null && into < 0) masked.set(arena.f32(gp, size));
        return { masked, sums: columnSums };
      });
    },
  };
}

const epilogueFamily: KernelFamily<EpilogueKernels | null> = {
  js: null,
  wasm: wasmEpilogueKernels,
  exports: ["f32_relu_backward", "f32_column_sums"],
};

/**
 * The epilogue kernels of the active wasm backend; null on the JS backend and on a kernel build
 * without them, where the caller runs its own loops.
 */
export function epilogueKernels(): EpilogueKernels | null {
  if (typeof activeKernelExports()?.f32_column_sums !== "function") return null;
  return kernelFamily(epilogueFamily);
}
