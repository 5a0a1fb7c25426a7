// init({ threads }): the f32 GEMM split among a worker pool gives the same bits for 1, 2 and 3
// threads in every transposition, batched and with every epilogue, and those bits are within the
// float64 error bound; "auto" is the core count; growth of the shared memory is seen by the
// workers; a failed worker becomes a BackendError and one thread; a new init ends the old pool.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as eg from "../../src/index.js";
import { BackendError, ValueError } from "../../src/index.js";
import { kernels, type BackendName, type StridedBatch } from "../../src/backend/index.js";
import { activeKernelExports, activeThreadPool } from "../../src/backend/init.js";
import { parallelGemm } from "../../src/backend/parallel-gemm.js";
import { gemmTol } from "../support/tolerance.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
const onWasm = backend !== "js";
const defaultMinMacs = parallelGemm.minMacs;

afterEach(() => { parallelGemm.minMacs = defaultMinMacs; });
afterAll(() => eg.init({ backend })); // ends the last pool: no test leaves workers running

interface Operand { transposed: boolean; broadcast: boolean; pad: number }
interface Problem {
  batch: number; m: number; n: number; k: number; a: Operand; b: Operand;
  bias: boolean; relu: boolean; accumulate: boolean; seed: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** rows×cols matrices (one if broadcast) stored transposed or not, rows padded by o.pad. */
function operand(batch: number, rows: number, cols: number, o: Operand, next: () => number): StridedBatch {
  const stored = o.transposed ? [cols, rows + o.pad] : [rows, cols + o.pad];
  const size = stored[0] * stored[1];
  const data = Float32Array.from({ length: (o.broadcast ? 1 : batch) * size + 1 }, next);
  const strides = o.transposed ? { rowStride: 1, colStride: stored[1] } : { rowStride: stored[1], colStride: 1 };
  return { data, offset: 1, batchStride: o.broadcast ? 0 : size, ...strides };
}

/** C for problem p on the active backend: f32GemmBatch (batch > 1) or f32Gemm, C prefilled from the seed. */
function run(p: Problem): { c: Float32Array; before: Float32Array; a: StridedBatch; b: StridedBatch; bias: Float32Array | null } {
  const next = lcg(p.seed);
  const a = operand(p.batch, p.m, p.k, p.a, next), b = operand(p.batch, p.k, p.n, p.b, next);
  const bias = p.bias ? Float32Array.from({ length: p.n }, next) : null;
  const c = Float32Array.from({ length: p.batch * p.m * p.n }, next);
  const before = c.slice();
  const options = { bias, relu: p.relu, accumulate: p.accumulate };
  if (p.batch === 1) kernels().f32Gemm(p.m, p.n, p.k, a, b, c, 0, options);
  else kernels().f32GemmBatch(p.batch, p.m, p.n, p.k, a, b, c, 0, options);
  return { c, before, a, b, bias };
}

/** Every element of run(p)'s C within gemmTol of a float64 triple loop. */
function expectNearFloat64(p: Problem, r: ReturnType<typeof run>): void {
  const at = (x: StridedBatch, t: number, i: number, j: number) =>
    x.data[x.offset + t * x.batchStride + i * x.rowStride + j * x.colStride];
  for (let t = 0; t < p.batch; t++) {
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        const idx = (t * p.m + i) * p.n + j;
        let sum = p.accumulate ? r.before[idx] : 0, abs = Math.abs(sum);
        for (let q = 0; q < p.k; q++) {
          const x = at(r.a, t, i, q) * at(r.b, t, q, j);
          sum += x;
          abs += Math.abs(x);
        }
        if (r.bias) { sum += r.bias[j]; abs += Math.abs(r.bias[j]); }
        const want = p.relu ? Math.max(0, sum) : sum;
        const terms = p.k + (r.bias ? 1 : 0) + (p.accumulate ? 1 : 0);
        const err = Math.abs(r.c[idx] - want);
        if (!(err <= gemmTol(abs, want, terms))) {
          throw new Error(`C[${t}][${i}][${j}] = ${r.c[idx]}, float64 ${want}: |err| ${err} (problem ${JSON.stringify(p)})`);
        }
      }
    }
  }
}

const operandArb = fc.record({ transposed: fc.boolean(), broadcast: fc.boolean(), pad: fc.constantFrom(0, 0, 3) });
const problemArb = (dims: { batch: number; mn: number; k: number }) => fc.record({
  batch: fc.integer({ min: 1, max: dims.batch }),
  m: fc.integer({ min: 1, max: dims.mn }), n: fc.integer({ min: 1, max: dims.mn }), k: fc.integer({ min: 0, max: dims.k }),
  a: operandArb, b: operandArb, bias: fc.boolean(), relu: fc.boolean(), accumulate: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** C of each problem with 1, 2 and 3 threads: the same problems, the pool re-made per thread count. */
async function acrossThreads(problems: Problem[]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const threads of [1, 2, 3]) {
    const info = await eg.init({ backend, threads });
    expect(info.threads).toBe(onWasm ? threads : 1);
    out.push(problems.map((p) => run(p).c));
  }
  return out;
}

/** 2 and 3 threads give 1 thread's bits for every problem, and 1 thread is near the float64 reference. */
async function expectSameBitsAcrossThreads(problems: Problem[]): Promise<void> {
  const [one, two, three] = await acrossThreads(problems);
  problems.forEach((p, i) => {
    expect(two[i], `2 threads, ${JSON.stringify(p)}`).toEqual(one[i]);
    expect(three[i], `3 threads, ${JSON.stringify(p)}`).toEqual(one[i]);
  });
  await eg.init({ backend, threads: 1 });
  problems.forEach((p) => expectNearFloat64(p, run(p)));
}

describe("the threaded f32 GEMM", () => {
  it("gives the same bits for 1, 2 and 3 threads, split at every size, in every layout, batched, with every epilogue", async () => {
    parallelGemm.minMacs = 0; // split every product, down to one tile per thread
    const problems = fc.sample(problemArb({ batch: 7, mn: 37, k: 40 }), { numRuns: 150, seed: 14 });
    await expectSameBitsAcrossThreads(problems);
  });

  it("gives the same bits above the default threshold, where real products split (k past one k-block)", async () => {
    const problems: Problem[] = fc.sample(problemArb({ batch: 3, mn: 160, k: 600 }), { numRuns: 6, seed: 15 });
    const plain = { transposed: false, broadcast: false, pad: 0 };
    // The acceptance shapes: [64×784]·[784×256] as Linear's forward and its two backward products.
    problems.push({ batch: 1, m: 64, n: 256, k: 784, a: plain, b: plain, bias: true, relu: true, accumulate: false, seed: 1 },
                  { batch: 1, m: 784, n: 256, k: 64, a: { ...plain, transposed: true }, b: plain, bias: false, relu: false, accumulate: true, seed: 2 },
                  { batch: 1, m: 64, n: 784, k: 256, a: plain, b: { ...plain, transposed: true }, bias: false, relu: false, accumulate: false, seed: 3 });
    await expectSameBitsAcrossThreads(problems);
  });

  it("reads operands the workers see only after the shared memory grew for this very op", async () => {
    const p: Problem = { batch: 2, m: 300, n: 280, k: 260, a: { transposed: true, broadcast: false, pad: 1 },
                         b: { transposed: false, broadcast: false, pad: 0 }, bias: true, relu: false, accumulate: false, seed: 9 };
    await eg.init({ backend, threads: 1 });
    const want = run(p).c;
    const info = await eg.init({ backend, threads: 2 });
    const grown = eg.backendInfo().wasmMemoryBytes;
    const got = run(p).c; // operands and workspaces past the memory the workers started with
    expect(eg.backendInfo().wasmMemoryBytes).toBeGreaterThan(onWasm ? grown : -1);
    expect(got).toEqual(want);
    expect(eg.backendInfo().threads).toBe(info.threads);
  });
});

describe("the threaded build", () => {
  const exportsOf = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => `${e.kind} ${e.name}`).sort();
  const load = (file: string) => new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
  it.each(["simd", "relaxed"])("edgegrad-mt-%s.wasm has the full build's exports and imports only its memory", (target) => {
    const mt = load(`edgegrad-mt-${target}.wasm`), full = load(`edgegrad-${target}.wasm`);
    expect(exportsOf(mt)).toEqual(exportsOf(full));
    expect(WebAssembly.Module.imports(mt)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
  });
});

describe("init({ threads })", () => {
  it('"auto" is the core count; the default is one thread, and says so', async () => {
    const auto = await eg.init({ backend, threads: "auto" });
    expect(auto.threads).toBe(onWasm ? availableParallelism() : 1);
    const one = await eg.init({ backend });
    expect(one.threads).toBe(1);
    expect(one.threadsReason).toBe(onWasm ? "threads: 1 requested (the default)" : "the js backend");
  });

  it("refuses a thread count that is not a positive integer or \"auto\", before any state changes", async () => {
    const info = await eg.init({ backend, threads: 2 });
    for (const bad of [0, -1, 1.5, "2", "all", null, Number.NaN, Infinity, 65]) {
      await expect(eg.init({ backend, threads: bad as number })).rejects.toThrow(ValueError);
    }
    await expect(eg.init({ backend, threads: Number.NaN })).rejects.toThrow(/got NaN/);
    await expect(eg.init({ backend, threads: 65 })).rejects.toThrow(/threads must be an integer from 1 to 64 or "auto", got 65/);
    expect(eg.backendInfo().threads).toBe(info.threads);
  });

  it("an init() that fails after its checks leaves the running pool as it was", async () => {
    const info = await eg.init({ backend, threads: 2 });
    // A module that is not a kernel module fails only when instantiated.
    const notKernels = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    await expect(eg.init({ module: notKernels, threads: 2 })).rejects.toThrow(BackendError);
    expect(eg.backendInfo()).toMatchObject({ threads: info.threads, threadsReason: info.threadsReason, backend: info.backend });
  });

  it("threads a threaded module given to it, and says why not for any other", async () => {
    const file = (name: string) => new WebAssembly.Module(readFileSync(new URL(`../../build/${name}`, import.meta.url)));
    expect(await eg.init({ module: file("edgegrad-mt-simd.wasm"), threads: 2 })).toMatchObject({ threads: 2, threadsReason: null });
    expect(await eg.init({ module: file("edgegrad-simd.wasm"), threads: 2 }))
      .toMatchObject({ threads: 1, threadsReason: "the module given is not a threaded build (edgegrad-mt-*.wasm)" });
    // A threaded module on one thread still gets the shared memory it imports.
    expect(await eg.init({ module: file("edgegrad-mt-simd.wasm") })).toMatchObject({ threads: 1, wasmBuild: "full" });
    const x = eg.tensor([[1, 2], [3, 4]]);
    expect(x.matmul(x).toArray()).toEqual([[7, 10], [15, 22]]);
  });

  it("ends the old pool when init is called again", async () => {
    await eg.init({ backend, threads: 2 });
    const old = activeThreadPool();
    expect(old !== null).toBe(onWasm);
    await eg.init({ backend, threads: 3 });
    if (old) {
      expect(old.threads).toBe(1);
      expect(old.failure).toBe("init() was called again");
      expect(activeThreadPool()!.threads).toBe(3);
    }
  });
});

// The pool exists on wasm only: under the js project these run on plain SIMD.
describe("a failing worker", () => {
  const backend: BackendName = onWasm ? process.env.EDGEGRAD_BACKEND as BackendName : "wasm-simd";
  const p: Problem = { batch: 1, m: 64, n: 96, k: 50, a: { transposed: false, broadcast: false, pad: 0 },
                       b: { transposed: true, broadcast: false, pad: 0 }, bias: false, relu: true, accumulate: false, seed: 5 };

  it("surfaces as a BackendError on the caller; the pool stops and later ops run on one thread, right", async () => {
    await eg.init({ backend, threads: 1 });
    const want = run(p).c;
    await eg.init({ backend, threads: 2 });
    const pool = activeThreadPool()!;
    pool.stealing = false; // the worker, not the caller, must take part 1
    // Worker 1 writes C past the end of memory: its call traps, the caller's share is empty.
    const outOfBounds = [1, 4, 8, 4, 0, 0, 4, 1, 0, 0, 8, 1, 0xfffffff0, 0, 8, 0, 0, 0];
    const nothing = new Array<number>(18).fill(0);
    expect(() => pool.run(activeKernelExports()!, "f32_gemm_batch", [nothing, outOfBounds])).toThrow(BackendError);
    const info = eg.backendInfo();
    expect(info.threads).toBe(1);
    expect(info.threadsReason).toMatch(/a worker failed \(worker 1: .*out of bounds.*\); running on one thread/);
    parallelGemm.minMacs = 0;
    expect(run(p).c).toEqual(want);
  });

  it("that died unheard costs the op nothing: the caller runs the part it never took; its exit is then heard", async () => {
    await eg.init({ backend, threads: 1 });
    const want = run(p).c;
    await eg.init({ backend, threads: 3 });
    const pool = activeThreadPool()!;
    parallelGemm.minMacs = 0;
    // Ended now, but its exit event cannot arrive before the op below: the pool has not heard.
    void pool.workers[1].terminate();
    expect(run(p).c).toEqual(want);
    for (let i = 0; i < 100 && eg.backendInfo().threads > 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(eg.backendInfo()).toMatchObject({ threads: 1, threadsReason: "worker 2 exited; running on one thread" });
    expect(run(p).c).toEqual(want);
  });

  it("that does not finish the part it took in time is given up: BackendError, then one thread", async () => {
    await eg.init({ backend, threads: 1 });
    const want = run(p).c;
    await eg.init({ backend, threads: 2 });
    const pool = activeThreadPool()!;
    pool.stealing = false; // the worker, not the caller, must take part 1
    pool.ackTimeoutMs = 1;
    // Part 1: a 512³ product on fresh memory past the arena, far longer than 1 ms.
    const memory = activeKernelExports()!.memory;
    const base = memory.buffer.byteLength;
    memory.grow(96);
    const mb = 1 << 20, slow = [1, 512, 512, 512, base, 0, 512, 1, base + mb, 0, 512, 1, base + 2 * mb, 0, 512, 0, 0, base + 3 * mb];
    const nothing = new Array<number>(18).fill(0);
    expect(() => pool.run(activeKernelExports()!, "f32_gemm_batch", [nothing, slow])).toThrow(/did not finish its part within 1 ms/);
    expect(eg.backendInfo()).toMatchObject({ threads: 1, threadsReason: "a worker did not finish its part within 1 ms; running on one thread" });
    expect(run(p).c).toEqual(want);
  });

  it("that exits between ops is heard: one thread, and why", async () => {
    await eg.init({ backend, threads: 2 });
    await activeThreadPool()!.workers[0].terminate();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(eg.backendInfo()).toMatchObject({ threads: 1, threadsReason: "worker 1 exited; running on one thread" });
  });
});
