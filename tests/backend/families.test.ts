// Kernel families (int8/sparse, optimizers) are built on first use for whichever backend is
// active, and rebuilt after init switches backends; packed int8 weights stay valid across the
// switch, since every backend reads the same packed layout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendInfo, compressKernels, detectFeatures, init, optimKernels, type BackendName } from "../../src/backend/index.js";

// The backend this project runs on (the setup file's beforeAll has loaded it by now).
let restore: BackendName;
beforeAll(() => { restore = backendInfo().backend; });
afterAll(() => init({ backend: restore }));

describe("kernel families", () => {
  it("follow init from one backend to another, with the same int8 results", async () => {
    const n = 37, k = 19, m = 5;
    const a = { data: Int8Array.from({ length: m * k }, (_, i) => ((i * 7) % 255) - 127), offset: 0, rowStride: k, zeroPoint: 3 };
    const b = { data: Int8Array.from({ length: k * n }, (_, i) => ((i * 13) % 255) - 127), offset: 0, rowStride: n, colStride: 1, zeroPoint: 0 };
    const other = detectFeatures().simd ? "wasm-simd" : "js";

    await init({ backend: "js" });
    const jsTable = compressKernels();
    expect(compressKernels()).toBe(jsTable); // built once per backend
    const packed = jsTable.qs8PackB(k, n, b);
    const cJs = new Int32Array(m * n);
    jsTable.qs8Gemm(m, n, k, a, packed, cJs, 0);

    await init({ backend: other });
    const table = compressKernels();
    expect(table === jsTable).toBe(other === "js");
    const c = new Int32Array(m * n);
    table.qs8Gemm(m, n, k, a, packed, c, 0);
    expect(Array.from(c)).toEqual(Array.from(cJs));
    // The optimizer family follows the same backend switch.
    expect(optimKernels()).toBe(optimKernels());
  });
});
