import {
  MT_RELAXED_WASM_BASE64, MT_SIMD_WASM_BASE64, RELAXED_WASM_BASE64, SIMD_WASM_BASE64,
} from "./wasm-bytes.generated.js";
import { decodeBase64 } from "../base64.js";
import { BackendError } from "../errors.js";
import { detectFeatures } from "./features.js";
import type { BackendName } from "./kernels.js";

// NOTE: the slim build swaps this module for embedded-none.ts at bundle time. Referencing the
// bytes statically (rather than registering them from the entry as a side effect) keeps them
// when bundlers honour "sideEffects": false. Choosing the build lives here too, so the slim
// entry ships only the refusal.
export const hasEmbeddedKernels = true;

/** The embedded kernel bytes (the threaded build if `threaded`) for `wanted`: relaxed SIMD if asked for (or, for "auto", available), else plain SIMD. */
export function embeddedKernelBytes(wanted: "auto" | BackendName, threaded = false): Uint8Array {
  const f = detectFeatures();
  if (wanted === "wasm-relaxed-simd") {
    if (!f.relaxedSimd) throw new BackendError("init: backend \"wasm-relaxed-simd\" asked for, but this engine has no relaxed SIMD");
    return decodeBase64(threaded ? MT_RELAXED_WASM_BASE64() : RELAXED_WASM_BASE64());
  }
  if (!f.simd) throw new BackendError(`init: backend "${wanted}" asked for, but this engine has no wasm SIMD`);
  const relaxed = wanted === "auto" && f.relaxedSimd;
  if (threaded) return decodeBase64(relaxed ? MT_RELAXED_WASM_BASE64() : MT_SIMD_WASM_BASE64());
  return decodeBase64(relaxed ? RELAXED_WASM_BASE64() : SIMD_WASM_BASE64());
}
