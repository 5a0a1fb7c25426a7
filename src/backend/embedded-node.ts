import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BackendError } from "../errors.js";
import { chooseKernelBuild } from "./kernel-build.js";
import type { BackendName } from "./kernels.js";

// NOTE: only the default entry's Node files (dist/node/, written by scripts/node-entry.mjs as
// CommonJS) resolve "./embedded.js" to this module. Under Node the package's own .wasm files sit
// one folder up, so the kernels are read from there when init() needs them instead of being
// carried as base64 in the code that every import has to parse (runtime/RESULTS.md, cold start).
declare const __dirname: string;

export const hasEmbeddedKernels = true;

/** The kernel bytes (the threaded build if `threaded`) for `wanted`, read from the package's dist/ folder. */
export function embeddedKernelBytes(wanted: "auto" | BackendName, threaded = false): Uint8Array {
  const file = join(__dirname, "..", `edgegrad-${chooseKernelBuild(wanted, threaded)}.wasm`);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BackendError(`init: could not read the kernel build ${file} (${(e as Error).message}); the package's dist/ folder is incomplete`);
  }
}

/**
 * The kernels for `wanted`, compiled on the calling thread: Node sets no limit there, and awaiting
 * V8's compile on its background threads cost a cold start about 0.5 ms more (runtime/RESULTS.md).
 */
export function compileEmbeddedKernels(wanted: "auto" | BackendName): WebAssembly.Module {
  return new WebAssembly.Module(embeddedKernelBytes(wanted) as BufferSource);
}
