// ThreadPool.run with the caller's part made by a function (the pooled GEMM op copies its own
// operands there, after the workers are woken): it is called once and gives the whole call's
// bits; a worker's part cannot be one; an error thrown in it reaches the caller once the workers
// are done, and the pool keeps working. The pooled GEMM op that uses it grows the shared memory
// before its job, never during it.
import { afterAll, describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { BackendError } from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { activeKernelExports, activeThreadPool } from "../../src/backend/init.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";
import { gemmArgs, splitGemm, type GemmCall } from "../../src/backend/parallel-gemm.js";

// The pool exists on wasm only: under the js project this runs on plain SIMD.
const backend: BackendName = process.env.EDGEGRAD_BACKEND === "js" ? "wasm-simd" : process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend })); // ends the pool: no test leaves workers running

describe("a job whose caller's part is made by a function", () => {
  it("calls it once, with the whole call's bits; refuses one for a worker's part; passes its error on after the workers", async () => {
    await eg.init({ backend, threads: 2 });
    const pool = activeThreadPool()!, wasm = activeKernelExports()!;
    pool.stealing = false; // the worker, not the caller, takes part 1
    // Operands in fresh memory past the arena: A 8×24, B 24×32, two Cs, two workspaces.
    const m = 8, n = 32, k = 24;
    const base = wasm.memory.buffer.byteLength;
    wasm.memory.grow(8);
    const a = base, b = a + 4 * m * k, cWhole = b + 4 * k * n, cSplit = cWhole + 4 * m * n, work = cSplit + 4 * m * n;
    const f32 = new Float32Array(wasm.memory.buffer);
    for (let i = a / 4; i < cWhole / 4; i++) f32[i] = Math.sin(i) * 3;
    const call: GemmCall = { batch: 1, m, n, k, a, aBatchStride: 0, aRowStride: k, aColStride: 1, b, bBatchStride: 0,
                             bRowStride: n, bColStride: 1, c: cWhole, cBatchStride: m * n, cRowStride: n, bias: 0, flags: 0 };
    const bytes = wasm.f32_gemm_workspace(m, n, k);
    wasm.f32_gemm_batch(...(gemmArgs(call, work) as Parameters<typeof wasm.f32_gemm_batch>));
    const [own, other] = splitGemm({ ...call, c: cSplit }, 2).map((p, t) => gemmArgs(p, work + (t + 1) * bytes));
    expect(other).toBeDefined(); // n = 32: two column panels of 16

    let made = 0;
    pool.run(wasm, "f32_gemm_batch", [() => { made++; return own; }, other]);
    expect(made).toBe(1);
    const view = (ptr: number) => new Uint32Array(wasm.memory.buffer, ptr, m * n);
    expect(view(cSplit)).toEqual(view(cWhole));

    const workerMadeLate = () => pool.run(wasm, "f32_gemm_batch", [own, () => other]);
    expect(workerMadeLate).toThrow(BackendError);
    expect(workerMadeLate).toThrow(/only the caller's part \(part 0\) may be made by a function/);
    expect(() => pool.run(wasm, "f32_gemm_batch", [() => { throw new RangeError("no room for the caller's operands"); }, other]))
      .toThrow(RangeError);
    expect(pool.failure).toBe(null);
    expect(eg.backendInfo().threads).toBe(2);
    new Float32Array(wasm.memory.buffer, cSplit, m * n).fill(0);
    pool.run(wasm, "f32_gemm_batch", [() => own, other]);
    expect(view(cSplit)).toEqual(view(cWhole));
  });
});

describe("the pooled GEMM op", () => {
  it("makes room for the caller's own operands before the job: the memory never grows while the workers run", async () => {
    await eg.init({ backend, threads: 1 });
    // A·Bᵀ of [64×784]·[784×256]: each thread's B window is one block, so the caller copies its
    // own after the workers start; 1 MB of operands grows a fresh pool's 1.1 MB memory.
    const a = eg.randn([64, 784], { seed: 1 }), w = eg.randn([256, 784], { seed: 2 });
    const want = new Uint32Array((a.matmul(w.transpose(0, 1)).data as Float32Array).slice().buffer);
    await eg.init({ backend, threads: 2 });
    const memory = activeKernelExports()!.memory, grow = memory.grow.bind(memory), run = ThreadPool.prototype.run;
    let inJob = false, grewOutside = 0, grewInside = 0;
    memory.grow = (pages: number) => { if (inJob) grewInside++; else grewOutside++; return grow(pages); };
    ThreadPool.prototype.run = function (...args: Parameters<typeof run>) {
      inJob = true;
      try { return run.apply(this, args); } finally { inJob = false; }
    };
    try {
      const got = new Uint32Array((a.matmul(w.transpose(0, 1)).data as Float32Array).slice().buffer);
      expect(got).toEqual(want);
    } finally {
      ThreadPool.prototype.run = run;
      memory.grow = grow;
    }
    expect(grewOutside).toBeGreaterThan(0);
    expect(grewInside).toBe(0);
  });
});
