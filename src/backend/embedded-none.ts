// The slim build resolves "./embedded.js" to this file (see tsup.config.ts): no kernel bytes,
// so runtimes that forbid compiling wasm from bytes load a precompiled module instead.
import { BackendError } from "../errors.js";

export const hasEmbeddedKernels = false;

export function embeddedKernelBytes(): Uint8Array {
  throw new BackendError(
    "init: the slim entry embeds no kernels: pass init({ module }) with a compiled edgegrad-*.wasm, or init({ backend: \"js\" })");
}

// (never called: init asks for kernels only where hasEmbeddedKernels; the same function keeps the slim bundles as they were)
export { embeddedKernelBytes as compileEmbeddedKernels };
