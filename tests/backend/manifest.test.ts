// The kernel manifest (src/backend/manifest.ts) against the constants compiled into the kernels:
// f32_gemm_workspace is one packed A block and one packed B block, whose sizes follow from MR,
// NR, KC, MC and NC, and a formula written here from the manifest must reproduce it for every
// size; the int8 weights packed by the kernel (qs8_packw_gemm) must be the layout the manifest's
// NR and KR describe, element for element. A constant changed on one side only fails here.
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

  it("describes the int8 kernel's packed weight layout (NR columns per panel, KR k-values per step)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: -5, max: 5 }), (k, n, zp) => {
      const { NR, KR } = QS8_GEMM;
      const panels = Math.ceil(n / NR), steps = Math.ceil(k / KR);
      const b = Int8Array.from({ length: k * n }, (_, i) => ((i * 37) % 251) - 125);
      const base = (wasm.heap_base() + 63) & ~63;
      new Int8Array(wasm.memory.buffer, base, k * n).set(b);
      const zpPtr = base + ((k * n + 63) & ~63), out = zpPtr + 64;
      new Int32Array(wasm.memory.buffer, zpPtr, 1)[0] = zp;
      wasm.qs8_packw_gemm(k, n, base, n, 1, 1, zpPtr, 0, out);
      const got = new Int16Array(wasm.memory.buffer, out, panels * steps * NR * KR);
      // packed[panel][step][column][t] = b[step·KR + t, panel·NR + column] − zp, 0 past k or n.
      for (let panel = 0; panel < panels; panel++) {
        for (let step = 0; step < steps; step++) {
          for (let col = 0; col < NR; col++) {
            for (let t = 0; t < KR; t++) {
              const p = step * KR + t, j = panel * NR + col;
              const want = p < k && j < n ? b[p * n + j] - zp : 0;
              const at = ((panel * steps + step) * NR + col) * KR + t;
              if (got[at] !== want) throw new Error(`packed[${panel}][${step}][${col}][${t}] = ${got[at]}, expected ${want} (k=${k}, n=${n})`);
            }
          }
        }
      }
    }), { numRuns: 200 });
  });
});
