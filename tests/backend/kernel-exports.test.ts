// The one declaration of the kernel module's exports (src/backend/kernel-exports.ts) and the one
// flags module (src/backend/flags.ts) against both built modules: every function the module
// exports is declared with its parameter count, every declared function exists, and every flag
// the module exports as a global has the value the JS side uses.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as flags from "../../src/backend/flags.js";
import { detectFeatures } from "../../src/backend/index.js";
import type { KernelExports } from "../../src/backend/kernel-exports.js";

/** Parameter count of each declared function, as the type says it (checked by tsc). */
type Arity = { [K in keyof KernelExports as KernelExports[K] extends (...args: never[]) => unknown ? K : never]:
  KernelExports[K] extends (...args: infer P) => unknown ? P["length"] : never };

// Writing the counts out is what ties the type to the module: tsc rejects a wrong count, a
// missing function or an extra one here, and the test below compares the same object with the
// module's exports.
const declared: Arity = {
  heap_base: 0, kernel_isa: 0,
  f32_gemm_workspace: 3, f32_gemm: 14, f32_gemm_batch: 18,
  qs8_packw_gemm_size: 2, qs8_packw_gemm: 9, qs8_gemm_workspace: 3, qs8_gemm: 14,
  qs8_quantize_f32: 6, f32_minmax: 3,
  f32_spmm_workspace: 3, f32_spmm: 11,
  f32_adam: 15,
};

const builds = ["simd", ...(detectFeatures().relaxedSimd ? ["relaxed"] : [])];

describe.each(builds)("the %s kernel build", (build) => {
  const module = new WebAssembly.Module(readFileSync(new URL(`../../build/edgegrad-${build}.wasm`, import.meta.url)));
  const instance = new WebAssembly.Instance(module, {});
  const exports = WebAssembly.Module.exports(module);

  it("exports exactly the declared functions, each with the declared number of parameters", () => {
    const functions = Object.fromEntries(exports.filter((e) => e.kind === "function")
      .map((e) => [e.name, (instance.exports[e.name] as (...a: unknown[]) => unknown).length]));
    expect(functions).toEqual(declared);
    expect(exports.filter((e) => e.kind === "memory").map((e) => e.name)).toEqual(["memory"]);
  });

  it("exports every flag with the value of src/backend/flags.ts, and no other global", () => {
    const globals = Object.fromEntries(exports.filter((e) => e.kind === "global")
      .map((e) => [e.name, (instance.exports[e.name] as WebAssembly.Global).value as number]));
    expect(globals).toEqual({ ...flags });
  });

  it("reports its ISA through kernel_isa with the flags' values", () => {
    const isa = (instance.exports.kernel_isa as () => number)();
    expect(isa).toBe(build === "relaxed" ? flags.ISA_RELAXED_SIMD : flags.ISA_SIMD);
  });
});
