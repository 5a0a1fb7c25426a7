// RAdam, Rprop, ASGD, Lion and LAMB against float64 references of the published updates, over
// several steps from random starts. Each step is compared from the state the implementation
// actually reached (converted to float64), so rounding does not accumulate into the comparison;
// the steps cover RAdam's switch from momentum SGD to the rectified update (ρ_t crosses 5).
import { describe, it } from "vitest";
import fc from "fast-check";
import { optim, Rng } from "../../src/index.js";
import { asgdRef, lambRef, lionRef, radamRef, rpropRef, type Result, type State } from "./reference-new.js";

const U32 = 2 ** -24, ETA32 = 2 ** -149;
type F32 = Record<string, Float32Array>;

interface Case {
  name: string;
  buffers: Record<string, (o: any) => number>;
  opts: fc.Arbitrary<any>;
  /** Runs the implementation on the float32 state; returns scalars carried to the next step. */
  run: (a: F32, t: number, o: any, carry: any) => any;
  ref: (s: State, t: number, o: any, carry: any) => Result & { carry?: any };
}

const lr = fc.double({ min: 1e-4, max: 0.5, noNaN: true });
const beta = fc.double({ min: 0, max: 0.999, noNaN: true });
const decay = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true }));
const eps = fc.double({ min: 1e-10, max: 1e-3, noNaN: true });

const cases: Case[] = [
  { name: "RAdam", buffers: { m: () => 0, v: () => 0 },
    opts: fc.record({ lr, betas: fc.tuple(beta, fc.double({ min: 0.5, max: 0.999, noNaN: true })), eps, weightDecay: decay, decoupledWeightDecay: fc.boolean() }),
    run: (a, t, o) => optim.radamStep(a.p, a.g, a.m, a.v, t, o),
    ref: (s, t, o) => radamRef(s, t, o) },
  { name: "Rprop", buffers: { prev: () => 0, stepSize: (o) => o.lr },
    opts: fc.record({ lr, etas: fc.tuple(fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.double({ min: 1.05, max: 2, noNaN: true })),
      stepSizes: fc.tuple(fc.double({ min: 1e-7, max: 1e-3, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true })) }),
    run: (a, _t, o) => optim.rpropStep(a.p, a.g, a.prev, a.stepSize, o),
    ref: (s, t, o) => rpropRef(s, t, o) },
  { name: "ASGD", buffers: { ax: () => 0 },
    opts: fc.record({ lr, lambd: fc.double({ min: 0, max: 0.1, noNaN: true }), alpha: fc.double({ min: 0, max: 1, noNaN: true }),
      t0: fc.integer({ min: 0, max: 6 }), weightDecay: decay }),
    run: (a, t, o, c) => optim.asgdStep(a.p, a.g, a.ax, t, c?.eta ?? o.lr, c?.mu ?? 1, o),
    ref: (s, t, o, c) => {
      const r = asgdRef(s, t, o, c?.eta ?? o.lr, c?.mu ?? 1);
      return { ...r, carry: { eta: r.eta, mu: r.mu } };
    } },
  { name: "Lion", buffers: { m: () => 0 },
    opts: fc.record({ lr, betas: fc.tuple(beta, beta), weightDecay: decay }),
    run: (a, _t, o) => optim.lionStep(a.p, a.g, a.m, o),
    ref: (s, t, o) => lionRef(s, t, o) },
  { name: "LAMB", buffers: { m: () => 0, v: () => 0 },
    opts: fc.record({ lr, betas: fc.tuple(beta, beta), eps: fc.double({ min: 1e-8, max: 1e-3, noNaN: true }), weightDecay: decay }),
    run: (a, t, o) => optim.lambStep(a.p, a.g, a.m, a.v, t, o),
    ref: (s, t, o) => lambRef(s, t, o) },
];

const problem = fc.record({ n: fc.integer({ min: 1, max: 17 }), seed: fc.integer({ min: 1, max: 2 ** 30 }), scale: fc.constantFrom(1e-3, 1, 1e3) });

function check(c: Case, n: number, seed: number, scale: number, o: any): void {
  const rng = new Rng(seed);
  const a: F32 = { p: Float32Array.from({ length: n }, () => rng.normal() * scale) };
  for (const [b, init] of Object.entries(c.buffers)) a[b] = new Float32Array(n).fill(init(o));
  let carry: any, refCarry: any;
  for (let t = 1; t <= 12; t++) {
    // Gradients keep their sign for a few steps then flip, so Rprop takes every branch.
    a.g = Float32Array.from({ length: n }, (_, i) => (rng.normal() + (t % 4 < 2 ? 1 : -1) * (i % 2)) * scale);
    const before: State = {};
    for (const [k, v] of Object.entries(a)) before[k] = Float64Array.from(v);
    carry = c.run(a, t, o, carry);
    const r = c.ref(before, t, o, refCarry);
    refCarry = r.carry;
    for (const [k, want] of Object.entries(r.out)) {
      for (let i = 0; i < n; i++) {
        const got = a[k][i], tol = U32 * Math.abs(want[i]) + r.tol[k][i] + ETA32;
        if (!(Math.abs(got - want[i]) <= tol)) {
          throw new Error(`${c.name} step ${t}: ${k}[${i}] = ${got}, reference ${want[i]}, |diff| ${Math.abs(got - want[i])} > ${tol}; options ${JSON.stringify(o)}`);
        }
      }
    }
    if (c.name === "ASGD") {
      // ax follows the stored θ: a copy before t0 (μ = 1), a running mean after.
      const mu = t === 1 ? 1 : 1 / Math.max(1, t - 1 - o.t0);
      for (let i = 0; i < n; i++) {
        const want = mu === 1 ? a.p[i] : before.ax[i] + (a.p[i] - before.ax[i]) * mu;
        if (!(Math.abs(a.ax[i] - want) <= U32 * Math.abs(want) + 4 * 2 ** -53 * (Math.abs(before.ax[i]) + Math.abs(a.p[i])) + ETA32)) {
          throw new Error(`ASGD step ${t}: ax[${i}] = ${a.ax[i]}, reference ${want}`);
        }
      }
      if (Math.abs(carry.eta - refCarry.eta) > 1e-15 * refCarry.eta || carry.mu !== refCarry.mu) throw new Error(`ASGD step ${t}: η, μ = ${carry.eta}, ${carry.mu}; reference ${refCarry.eta}, ${refCarry.mu}`);
    }
  }
}

describe("new optimizers agree with float64 references of their published updates (12 steps)", () => {
  for (const c of cases) {
    it(`${c.name} from random starts`, () => {
      fc.assert(fc.property(problem, c.opts, ({ n, seed, scale }, o) => check(c, n, seed, scale, o)), { numRuns: 100 });
    });
  }

  it("the comparison catches a wrong rule (RAdam without the rectifier)", () => {
    const o = { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false };
    const wrong: Case = { ...cases[0], ref: (s, t, oo) => {
      const r = radamRef(s, t, { ...oo, betas: [oo.betas[0], 0] });
      return r;
    } };
    let failed = false;
    try { check(wrong, 8, 3, 1, o); } catch { failed = true; }
    if (!failed) throw new Error("a wrong RAdam reference was accepted");
  });
});
