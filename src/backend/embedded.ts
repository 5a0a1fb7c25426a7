import {
  MT_RELAXED_WASM_BASE64, MT_SIMD_WASM_BASE64, RELAXED_WASM_BASE64, SIMD_WASM_BASE64,
} from "./wasm-bytes.generated.js";
import { decodeBase64 } from "../base64.js";
import { chooseKernelBuild, type KernelBuild } from "./kernel-build.js";
import type { BackendName } from "./kernels.js";

// NOTE: the slim build swaps this module for embedded-none.ts at bundle time, and the default
// entry's Node files for embedded-node.ts (which reads the .wasm files beside them). Referencing
// the bytes statically (rather than registering them from the entry as a side effect) keeps them
// when bundlers honour "sideEffects": false.
export const hasEmbeddedKernels = true;

const BASE64: Record<KernelBuild, () => string> = {
  "simd": SIMD_WASM_BASE64, "relaxed": RELAXED_WASM_BASE64, "mt-simd": MT_SIMD_WASM_BASE64, "mt-relaxed": MT_RELAXED_WASM_BASE64,
};

/** The embedded kernel bytes (the threaded build if `threaded`) for `wanted`. */
export function embeddedKernelBytes(wanted: "auto" | BackendName, threaded = false): Uint8Array {
  return decodeBase64(BASE64[chooseKernelBuild(wanted, threaded)]());
}

/** The embedded kernels for `wanted`, compiled off the calling thread (browsers refuse large modules on it). */
export function compileEmbeddedKernels(wanted: "auto" | BackendName): Promise<WebAssembly.Module> | WebAssembly.Module {
  return WebAssembly.compile(embeddedKernelBytes(wanted) as BufferSource);
}
