// Adam keeps its moments in wasm memory between steps (src/backend/optim-kernels.ts, pinned blocks
// of src/backend/arena.ts). Whatever happens to that copy — first use, a state dict loaded, every
// pin dropped to make room for others, amsgrad switched on — each step must give the bits of the
// same update computed by adamStep on copies of its own, which copies the moments in every time.
// And adamStep's own callers may change the moments between steps.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { Arena } from "../../src/backend/arena.js";
import { kernels } from "../../src/backend/init.js";

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
    reload: fc.integer({ min: 0, max: 9 }), evict: fc.integer({ min: 0, max: 9 }), seed: fc.integer({ min: 1, max: 1 << 30 }),
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
        if (t === c.evict) arena()?.pinBlock({}, 32 << 20); // the whole pin budget: every other pin dropped
        p.grad = eg.fromTypedArray(g.slice(), [c.n]);
        opt.step();
        optim.adamStep(ref.p, g, ref.m, ref.v, c.amsgrad ? ref.vMax : null, t, o);
        if (!same(p.data, ref.p)) throw new Error(`step ${t} of ${JSON.stringify(c)}: parameters differ`);
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
});
