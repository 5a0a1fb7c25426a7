// Adam keeps its moments in wasm memory between steps (src/backend/optim-kernels.ts, pinned blocks
// of src/backend/arena.ts), and its JS buffers catch up only when something reads them. Whatever
// happens to that copy — first use, a state dict taken or loaded, every pin dropped to make room
// for others, amsgrad switched on, the backend replaced by init(), a threaded step that fails
// part way — each step must give the bits of the same update computed by adamStep on copies of
// its own, which copies the moments in and out every time, and every state dict must hold that
// update's moments. And adamStep's own callers may change the moments between steps.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { Arena } from "../../src/backend/arena.js";
import { pinBlock } from "../../src/backend/arena-pins.js";
import { activeThreadPool, kernels } from "../../src/backend/init.js";
import type { BackendName } from "../../src/backend/index.js";
import { parallelAdam } from "../../src/backend/parallel-adam.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend })); // the tests below switch backends and start pools

const { optim } = eg;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const floats = (n: number, next: () => number) => Float32Array.from({ length: n }, next);
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** The wasm backend's scratch arena (null on the js backend, which keeps no copy). */
const arena = () => (kernels() as unknown as { arena?: Arena }).arena ?? null;

describe("Adam's moments kept in wasm memory between steps", () => {
  const caseArb = fc.record({
    n: fc.integer({ min: 1, max: 300 }), steps: fc.integer({ min: 2, max: 9 }), amsgrad: fc.boolean(),
    reload: fc.integer({ min: 0, max: 9 }), evict: fc.integer({ min: 0, max: 9 }), look: fc.integer({ min: 0, max: 9 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });

  it("give every step the bits of adamStep on its own copies, through state-dict loads and dropped pins", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const next = lcg(c.seed);
      const start = floats(c.n, next);
      const p = eg.fromTypedArray(start.slice(), [c.n]);
      p.requiresGrad = true;
      const o = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.01, amsgrad: c.amsgrad, decoupled: false };
      let opt = new optim.Adam([p], o);
      const ref = { p: start.slice(), m: new Float32Array(c.n), v: new Float32Array(c.n), vMax: new Float32Array(c.n) };
      for (let t = 1; t <= c.steps; t++) {
        const g = floats(c.n, next);
        if (t === c.reload) { // a new optimizer loading the old one's state: new buffers, the same values
          const sd = opt.stateDict();
          opt = new optim.Adam([p], o);
          opt.loadStateDict(sd);
        }
        if (t === c.evict) { const a = arena(); if (a) pinBlock(a, {}, 32 << 20); } // the whole pin budget: every other pin dropped
        p.grad = eg.fromTypedArray(g.slice(), [c.n]);
        opt.step();
        optim.adamStep(ref.p, g, ref.m, ref.v, c.amsgrad ? ref.vMax : null, t, o);
        if (!same(p.data, ref.p)) throw new Error(`step ${t} of ${JSON.stringify(c)}: parameters differ`);
        if (t === c.look) { // a state dict between steps holds this step's moments
          const b = opt.stateDict().state[0].buffers;
          if (!same(b.m, ref.m) || !same(b.v, ref.v)) throw new Error(`step ${t} of ${JSON.stringify(c)}: state dict moments differ`);
        }
      }
      const sd = opt.stateDict().state[0].buffers;
      expect(same(sd.m, ref.m) && same(sd.v, ref.v)).toBe(true);
    }), { numRuns: 60 });
  });

  it("adamStep copies the moments in every time: its caller may change them between steps", () => {
    const next = lcg(5), n = 37;
    const [p, g] = [floats(n, next), floats(n, next)];
    const o = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false };
    const run = (reset: boolean) => {
      const q = p.slice(), m = new Float32Array(n), v = new Float32Array(n);
      optim.adamStep(q, g, m, v, null, 1, o);
      if (reset) { m.fill(0.25); v.fill(0.5); }
      optim.adamStep(q, g, m, v, null, 2, o);
      return q;
    };
    // Against a run that starts step 2 from those values in fresh buffers.
    const q = p.slice(), m0 = new Float32Array(n), v0 = new Float32Array(n);
    optim.adamStep(q, g, m0, v0, null, 1, o);
    const m = new Float32Array(n).fill(0.25), v = new Float32Array(n).fill(0.5);
    optim.adamStep(q, g, m, v, null, 2, o);
    expect(same(run(true), q)).toBe(true);
    expect(same(run(false), q)).toBe(false);
  });

  it("reach the JS buffers when init() replaces the backend: the new one goes on from them", async () => {
    const next = lcg(11), n = 301;
    const o = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: true, decoupled: false };
    const start = floats(n, next);
    const p = eg.fromTypedArray(start.slice(), [n]);
    p.requiresGrad = true;
    const opt = new optim.Adam([p], o);
    const ref = { p: start.slice(), m: new Float32Array(n), v: new Float32Array(n), vMax: new Float32Array(n) };
    const other: BackendName = backend === "js" ? "wasm-simd" : "js";
    try {
      for (let t = 1; t <= 6; t++) {
        if (t === 3) await eg.init({ backend: other });
        if (t === 5) await eg.init({ backend });
        const g = floats(n, next);
        p.grad = eg.fromTypedArray(g.slice(), [n]);
        opt.step();
        optim.adamStep(ref.p, g, ref.m, ref.v, ref.vMax, t, o);
        expect(same(p.data, ref.p), `step ${t}`).toBe(true);
      }
    } finally {
      await eg.init({ backend });
    }
    const b = opt.stateDict().state[0].buffers;
    expect(same(b.m, ref.m) && same(b.v, ref.v) && same(b.vMax, ref.vMax)).toBe(true);
  });

  // The pool exists on wasm only: under the js project this runs on plain SIMD. The worker's parts
  // are made to trap (their moments' output past the end of memory) after the caller has run its
  // own part, so the step fails part way whatever the machine's timing.
  it("are left as the last good step left them by a threaded step that fails part way", async () => {
    const wasm: BackendName = backend === "js" ? "wasm-simd" : backend;
    const n = 40_001, next = lcg(3);
    const o = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupled: false };
    const start = floats(n, next), grads = [floats(n, next), floats(n, next), floats(n, next)];
    const ref = { p: start.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    for (let t = 1; t <= 2; t++) optim.adamStep(ref.p, grads[t - 1], ref.m, ref.v, null, t, o);
    const defaultMin = parallelAdam.minElements, run = ThreadPool.prototype.run;
    try {
      await eg.init({ backend: wasm, threads: 2 });
      parallelAdam.minElements = 0;
      const p = eg.fromTypedArray(start.slice(), [n]);
      p.requiresGrad = true;
      const opt = new optim.Adam([p], o);
      for (const g of grads.slice(0, 2)) {
        p.grad = eg.fromTypedArray(g.slice(), [n]);
        opt.step();
      }
      expect(same(p.data, ref.p)).toBe(true);
      const pool = activeThreadPool()!;
      pool.stealing = false; // the worker, not the caller, takes parts 1 to 3
      let caught = 0;
      ThreadPool.prototype.run = function (exports, name, parts) {
        if (name !== "f32_adam") return run.call(this, exports, name, parts);
        caught++;
        // Arguments: n, param, grad, m, v, vMax, mOut, ... — mOut of every part but the caller's.
        return run.call(this, exports, name, parts.map((args, i) => (i === 0 || typeof args === "function" ? args : args.map((x, j) => (j === 6 ? 0xfffffff0 : x)))));
      };
      p.grad = eg.fromTypedArray(grads[2].slice(), [n]);
      expect(() => opt.step()).toThrow(eg.BackendError);
      ThreadPool.prototype.run = run;
      expect(caught).toBe(1);
      expect(eg.backendInfo().threads).toBe(1);
      expect(same(p.data, ref.p), "the parameter after the failed step").toBe(true);
      const b = opt.stateDict().state[0].buffers;
      expect(same(b.m, ref.m) && same(b.v, ref.v), "the moments after the failed step").toBe(true);
      // The step again, now on one thread, from the moments the block kept.
      optim.adamStep(ref.p, grads[2], ref.m, ref.v, null, 3, o);
      opt.step();
      expect(same(p.data, ref.p), "the parameter after the step retried").toBe(true);
    } finally {
      ThreadPool.prototype.run = run;
      parallelAdam.minElements = defaultMin;
      await eg.init({ backend });
    }
  });
});
