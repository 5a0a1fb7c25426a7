import { BackendError } from "../errors.js";
import { detectFeatures } from "./features.js";
import type { BackendName } from "./kernels.js";

/** The four full kernel builds: plain or relaxed SIMD, each for one thread or for the pool's shared memory. */
export type KernelBuild = "simd" | "relaxed" | "mt-simd" | "mt-relaxed";

/** The build that serves `wanted` (the threaded one if `threaded`) on this engine: relaxed SIMD if asked for (or, for "auto", available), else plain SIMD. */
export function chooseKernelBuild(wanted: "auto" | BackendName, threaded: boolean): KernelBuild {
  const f = detectFeatures();
  if (wanted === "wasm-relaxed-simd") {
    if (!f.relaxedSimd) throw new BackendError("init: backend \"wasm-relaxed-simd\" asked for, but this engine has no relaxed SIMD");
    return threaded ? "mt-relaxed" : "relaxed";
  }
  if (!f.simd) throw new BackendError(`init: backend "${wanted}" asked for, but this engine has no wasm SIMD`);
  const relaxed = wanted === "auto" && f.relaxedSimd;
  if (threaded) return relaxed ? "mt-relaxed" : "mt-simd";
  return relaxed ? "relaxed" : "simd";
}
