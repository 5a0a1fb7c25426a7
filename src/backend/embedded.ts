import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from "./wasm-bytes.generated.js";
import { decodeBase64 } from "../base64.js";
import type { EmbeddedWasm } from "./embedded-types.js";

// NOTE: the slim build swaps this module for embedded-none.ts at bundle time. Referencing the
// bytes statically (rather than registering them from the entry as a side effect) keeps them
// when bundlers honour "sideEffects": false.
export const embeddedWasm: EmbeddedWasm | null = {
  simd: () => decodeBase64(SIMD_WASM_BASE64),
  relaxed: () => decodeBase64(RELAXED_WASM_BASE64),
};
