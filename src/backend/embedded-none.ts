// The slim build resolves "./embedded.js" to this file (see tsup.config.ts): no kernel bytes,
// so runtimes that forbid compiling wasm from bytes load a precompiled module instead.
import type { EmbeddedWasm } from "./embedded-types.js";

export const embeddedWasm: EmbeddedWasm | null = null;
