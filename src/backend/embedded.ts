import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from "./wasm-bytes.generated.js";
import type { EmbeddedWasm } from "./embedded-types.js";

function decodeBase64(text: string): Uint8Array {
  if (typeof atob === "function") {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  // Runtimes without atob have Buffer (old Node); typed as unknown to stay free of Node types.
  const B = (globalThis as unknown as { Buffer: { from(s: string, e: string): Uint8Array } }).Buffer;
  return new Uint8Array(B.from(text, "base64"));
}

/** The kernel bytes built into the default entry, decoded only when first asked for. */
// NOTE: the slim build swaps this module for embedded-none.ts at bundle time. Referencing the
// bytes statically (rather than registering them from the entry as a side effect) keeps them
// when bundlers honour "sideEffects": false.
export const embeddedWasm: EmbeddedWasm | null = {
  simd: () => decodeBase64(SIMD_WASM_BASE64),
  relaxed: () => decodeBase64(RELAXED_WASM_BASE64),
};
