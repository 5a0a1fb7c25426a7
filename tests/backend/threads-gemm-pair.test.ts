// Two independent products as one pool job (src/backend/parallel-gemm-pair.ts, the pair a linear
// layer's backward makes): each C has the one-thread bits for 2 and 3 threads, in every
// transposition, within the float64 reference's bound; one job runs per pair; the caller's
// late copies never grow the memory while the workers run.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { activeKernelExports } from "../../src/backend/init.js";
import { gemmPair } from "../../src/backend/gemm-pair.js";
import { parallelGemm } from "../../src/backend/parallel-gemm.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";
import type { GemmProduct } from "../../src/backend/threads.js";

// The pool exists on wasm only: under the js project this runs on plain SIMD.
const backend: BackendName = process.env.EDGEGRAD_BACKEND === "js" ? "wasm-simd" : process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend })); // ends the pool: no test leaves workers running

interface Case { m: number; n: number; k: number; transA: boolean; transB: boolean; seed: number }

/** A product with operands drawn from `seed`, stored transposed when asked. */
function product(c: Case, salt: number): GemmProduct {
  let s = (c.seed * 7919 + salt) >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const a = Float32Array.from({ length: c.m * c.k }, next), b = Float32Array.from({ length: c.k * c.n }, next);
  return {
    m: c.m, n: c.n, k: c.k, c: new Float32Array(c.m * c.n).fill(NaN),
    a: { data: a, offset: 0, rowStride: c.transA ? 1 : c.k, colStride: c.transA ? c.m : 1 },
    b: { data: b, offset: 0, rowStride: c.transB ? 1 : c.n, colStride: c.transB ? c.k : 1 },
  };
}

/** |C − A·B| within γ_k·(|A||B|) element by element, against float64. */
function expectNearReference(p: GemmProduct): void {
  const u = 2 ** -24, gamma = (p.k * u) / (1 - p.k * u);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < p.n; j++) {
      let exact = 0, abs = 0;
      for (let l = 0; l < p.k; l++) {
        const x = p.a.data[i * p.a.rowStride + l * p.a.colStride] * p.b.data[l * p.b.rowStride + j * p.b.colStride];
        exact += x;
        abs += Math.abs(x);
      }
      expect(Math.abs(p.c[i * p.n + j] - exact)).toBeLessThanOrEqual(2 * gamma * abs + 1e-30);
    }
  }
}

const bits = (c: Float32Array) => new Uint32Array(c.slice().buffer);

const cases = fc.sample(fc.record({
  m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 70 }), k: fc.integer({ min: 1, max: 90 }),
  transA: fc.boolean(), transB: fc.boolean(), seed: fc.integer({ min: 0, max: 1 << 30 }),
}), { numRuns: 24, seed: 14 });

/** Runs every case's pair (first: the case, second: its transpose-shaped partner) and returns the Cs. */
function runPairs(): { cs: Float32Array[][]; jobs: number } {
  const run = ThreadPool.prototype.run;
  let jobs = 0;
  ThreadPool.prototype.run = function (...args: Parameters<typeof run>) { jobs++; return run.apply(this, args); };
  try {
    const cs = cases.map((c) => {
      const first = product(c, 1), second = product({ ...c, m: c.n, n: c.m, transA: !c.transA }, 2);
      gemmPair(first, second);
      return [first, second].map((p) => { expectNearReference(p); return p.c; });
    });
    return { cs, jobs };
  } finally {
    ThreadPool.prototype.run = run;
  }
}

describe("the pooled pair of GEMMs", () => {
  it("gives each product the one-thread bits on 2 and 3 threads, one job a pair", async () => {
    const minMacs = parallelGemm.minMacs;
    parallelGemm.minMacs = 0; // pair every size drawn
    try {
      await eg.init({ backend, threads: 1 });
      const one = runPairs();
      expect(one.jobs).toBe(0);
      for (const threads of [2, 3]) {
        await eg.init({ backend, threads });
        const many = runPairs();
        // Pairs more uneven than gemmPairing.maxImbalance run one after the other, with no job.
        expect(many.jobs).toBeGreaterThan(cases.length / 3);
        many.cs.forEach((pair, i) => pair.forEach((c, j) => expect(bits(c), `case ${i}, product ${j}, ${threads} threads`).toEqual(bits(one.cs[i][j]))));
      }
    } finally {
      parallelGemm.minMacs = minMacs;
    }
  });

  it("makes room for the caller's copies before the job: the memory never grows while the workers run", async () => {
    await eg.init({ backend, threads: 2 });
    // A linear layer's backward pair at 784→256, batch 64: 1.9 MB of operands and Cs, more than a
    // fresh pool's memory holds.
    const c: Case = { m: 64, n: 784, k: 256, transA: false, transB: false, seed: 3 };
    const first = product(c, 1), second = product({ ...c, m: 256, n: 784, k: 64, transA: true }, 2);
    const memory = activeKernelExports()!.memory, grow = memory.grow.bind(memory), run = ThreadPool.prototype.run;
    let inJob = false, grewOutside = 0, grewInside = 0, jobs = 0;
    memory.grow = (pages: number) => { if (inJob) grewInside++; else grewOutside++; return grow(pages); };
    ThreadPool.prototype.run = function (...args: Parameters<typeof run>) {
      inJob = true;
      jobs++;
      try { return run.apply(this, args); } finally { inJob = false; }
    };
    try {
      gemmPair(first, second);
    } finally {
      ThreadPool.prototype.run = run;
      memory.grow = grow;
    }
    expect(jobs).toBe(1);
    expect(grewOutside).toBeGreaterThan(0);
    expect(grewInside).toBe(0);
    expectNearReference(first);
    expectNearReference(second);
  });
});
