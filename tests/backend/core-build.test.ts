// The core kernel build (edgegrad-core-*.wasm, assembly/core.ts) given to init({ module }): the
// core table works on it, backendInfo says which build is loaded, and every kernel family whose
// kernels it lacks refuses with a BackendError naming them and the full build, before any state
// changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as eg from "../../src/index.js";
import { compressKernels, detectFeatures, F32_GEMM, optimKernels, type BackendName } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";

const builds = ["simd", ...(detectFeatures().relaxedSimd ? ["relaxed"] : [])];
const moduleOf = (file: string) => new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
const fullBuildAdvice = /core build \(edgegrad-core-\*\.wasm\).*edgegrad-simd\.wasm or edgegrad-relaxed\.wasm, the full build/;

let restore: BackendName;
beforeAll(() => { restore = eg.backendInfo().backend; });
afterAll(() => eg.init({ backend: restore }));

describe.each(builds)("the core %s build given to init({ module })", (build) => {
  it("loads, says it is the core build, and multiplies within γ(k+1)·|A||B| across tile edges", async () => {
    const info = await eg.init({ module: moduleOf(`edgegrad-core-${build}.wasm`) });
    expect(info.backend).toBe(build === "relaxed" ? "wasm-relaxed-simd" : "wasm-simd");
    expect(info.wasmBuild).toBe("core");
    const { MR, NR } = F32_GEMM;
    const dim = (tile: number) => fc.integer({ min: 1, max: 3 * tile + 1 });
    fc.assert(fc.property(dim(MR), dim(NR), fc.integer({ min: 1, max: 40 }), fc.integer(), (m, n, k, seed) => {
      let s = seed >>> 0;
      const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const a = Array.from({ length: m }, () => Array.from({ length: k }, next));
      const b = Array.from({ length: k }, () => Array.from({ length: n }, next));
      const c = eg.matmul(eg.tensor(a), eg.tensor(b)).toArray() as number[][];
      const af = eg.tensor(a).data, bf = eg.tensor(b).data; // the float32 values the kernel saw
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let ref = 0, abs = 0;
          for (let p = 0; p < k; p++) {
            const x = af[i * k + p] * bf[p * n + j];
            ref += x;
            abs += Math.abs(x);
          }
          expect(Math.abs(c[i][j] - ref)).toBeLessThanOrEqual(gemmTol(abs, ref, k));
        }
      }
    }), { numRuns: 40 });
  });

  it("refuses the int8/sparse and optimizer kernel families, naming the missing kernels and the full build", async () => {
    await eg.init({ module: moduleOf(`edgegrad-core-${build}.wasm`) });
    expect(() => compressKernels()).toThrow(eg.BackendError);
    expect(() => compressKernels()).toThrow(/no qs8_packw_gemm, qs8_gemm_workspace, qs8_gemm, .*f32_spmm kernel/);
    expect(() => compressKernels()).toThrow(fullBuildAdvice);
    expect(() => optimKernels()).toThrow(/no f32_adam kernel/);
    expect(() => eg.compress.matmulInteger(eg.tensor([[1]], { dtype: "int8" }), eg.tensor([[1]], { dtype: "int8" })))
      .toThrow(fullBuildAdvice);
  });

  it("refuses an Adam step on float32 parameters before any parameter or state changes", async () => {
    await eg.init({ module: moduleOf(`edgegrad-core-${build}.wasm`) });
    const w = eg.tensor([1, 2, 3], { requiresGrad: true });
    w.mul(w).sum().backward();
    const opt = new eg.optim.Adam([w], { lr: 0.1 });
    expect(() => opt.step()).toThrow(fullBuildAdvice);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
    expect(opt.stateDict().state).toEqual({});
    // The same optimizer steps once the full build is loaded.
    const info = await eg.init({ module: moduleOf(`edgegrad-${build}.wasm`) });
    expect(info.wasmBuild).toBe("full");
    opt.step();
    expect(opt.stateDict().state[0].step).toBe(1);
    expect(Array.from(w.data).every((x, i) => x < i + 1)).toBe(true);
  });
});

describe("backendInfo().wasmBuild", () => {
  it("is null on the js backend", async () => {
    expect((await eg.init({ backend: "js" })).wasmBuild).toBeNull();
  });
});
