import { kernelFamily, type KernelFamily } from "./init.js";
import type { CompressKernels } from "./kernels.js";
import { jsQs8Kernels } from "./qs8-js.js";
import { jsCompressKernels } from "./compress-js.js";
import { wasmQs8Kernels } from "./qs8-wasm.js";
import { wasmCompressKernels } from "./compress-wasm.js";

const compressFamily: KernelFamily<CompressKernels> = {
  js: { ...jsQs8Kernels, ...jsCompressKernels(jsQs8Kernels) },
  exports: ["qs8_packw_gemm", "qs8_gemm_workspace", "qs8_gemm", "qs8_quantize_f32", "f32_minmax", "f32_spmm_workspace", "f32_spmm"],
  wasm: (exports, arena) => ({ ...wasmQs8Kernels(exports, arena), ...wasmCompressKernels(exports, arena) }),
  warmUp(k) {
    const n = 32;
    const q = { data: new Int8Array(n * n), offset: 0, rowStride: n, zeroPoint: 0 };
    const w = k.qs8PackB(n, n, { ...q, colStride: 1 });
    for (let i = 0; i < 4; i++) k.qs8Gemm(n, n, n, q, w, new Int32Array(n * n), 0);
  },
};

/** The int8 and sparse kernels of the active backend (built on the first call after each init). */
export function compressKernels(): CompressKernels {
  return kernelFamily(compressFamily);
}
