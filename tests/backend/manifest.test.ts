// The kernel manifest (src/backend/manifest.ts) against the constants compiled into the kernels,
// read back through the module's size exports: f32_gemm_workspace is one packed A block and one
// packed B block, whose sizes follow from MR, NR, KC, MC and NC; qs8_packw_gemm_size follows
// from the int8 kernel's NR and KR. A formula written here from the manifest must reproduce both
// for every size, so a constant changed on one side only fails this test.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { F32_GEMM, QS8_GEMM } from "../../src/backend/index.js";
import type { KernelExports } from "../../src/backend/kernel-exports.js";

const wasm = new WebAssembly.Instance(new WebAssembly.Module(
  readFileSync(new URL("../../build/edgegrad-simd.wasm", import.meta.url))), {}).exports as unknown as KernelExports;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
/** The block for `total` at most `max`, split evenly and rounded up to a multiple of `unit`. */
function evenBlock(total: number, max: number, unit: number): number {
  if (total <= max) return total;
  const blocks = Math.ceil(total / max);
  return roundUp(Math.ceil(total / blocks), unit);
}

function f32GemmWorkspace(m: number, n: number, k: number): number {
  const { MR, NR, KC, MC, NC } = F32_GEMM;
  const kc = evenBlock(k, KC, 4);
  const mc = roundUp(evenBlock(m, MC, MR), MR);
  const nc = roundUp(evenBlock(n, NC, NR), NR);
  return (mc * kc + nc * (kc + 1)) * 4;
}

describe("the kernel manifest", () => {
  it("gives the f32 GEMM's workspace for any size (MR, NR, KC, MC, NC agree with the kernel)", () => {
    const size = (max: number) => fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max }));
    fc.assert(fc.property(size(3 * F32_GEMM.MC), size(3 * F32_GEMM.NC), fc.oneof(fc.constant(0), size(3 * F32_GEMM.KC)),
      (m, n, k) => { expect(wasm.f32_gemm_workspace(m, n, k)).toBe(f32GemmWorkspace(m, n, k)); }), { numRuns: 500 });
  });

  it("gives the packed int8 weights' size for any shape (NR and KR agree with the kernel)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (k, n) => {
      const { NR, KR } = QS8_GEMM;
      expect(wasm.qs8_packw_gemm_size(k, n)).toBe(Math.ceil(n / NR) * Math.ceil(k / KR) * NR * KR * 2);
    }), { numRuns: 300 });
  });
});
