// One step of every optimizer from random states against the float64 references in
// ./reference.ts. Most step functions compute in float64 and round once when storing, so the
// tolerance is: half an ulp of float32 at the result (u·|ref|), plus float64 rounding relative to
// the magnitude of the terms summed (32·u64·mag), plus the smallest subnormal. Adam computes in
// float32, as PyTorch's float32 Adam does: each of its outputs is at most about ten float32
// operations and constant roundings from the inputs (m: the constants β1 and 1 − β1, two
// products and a sum, after the gradient's two for coupled decay; θ: m's error scaled by
// step/denominator, which mag.p carries as the update with m's terms by magnitude, then the
// square root, the bias corrections, ε, the division and the subtraction), each within u of
// its terms' magnitude: 32·u·mag bounds their sum with room for the first-order terms dropped.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { optim, Rng } from "../../src/index.js";
import { adadeltaRef, adagradRef, adamaxRef, adamRef, nadamRef, rmspropRef, sgdRef, type Elem, type Rule } from "./reference.js";

const U32 = 2 ** -24, U64 = 2 ** -53, ETA32 = 2 ** -149;

type Arrays = Record<string, Float32Array>;
interface Case {
  name: string; rule: Rule; buffers: string[]; run: (a: Arrays, t: number, o: any) => void; opts: fc.Arbitrary<any>; float32Arithmetic?: boolean;
  /** Drawn cases that once found a bound too tight, run every time. */
  examples?: [{ n: number; seed: number; t: number; scale: number }, any][];
}

/** Random float32 state: params/grads/first moments normal at a random scale, second moments ≥ 0. */
function drawState(names: string[], n: number, seed: number, scale: number): Arrays {
  const rng = new Rng(seed);
  const out: Arrays = {};
  for (const k of ["p", "g", ...names]) {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = rng.normal() * scale;
      // v-like buffers are non-negative; gAvg is kept inside √sq so the centered variance is ≥ 0.
      a[i] = ["v", "vMax", "sq", "sum", "accDelta", "u"].includes(k) ? z * z : z;
    }
    out[k] = a;
  }
  if (out.gAvg) for (let i = 0; i < n; i++) out.gAvg[i] = 0.9 * (2 * rng.uniform() - 1) * Math.sqrt(out.sq[i]);
  return out;
}

const lr = fc.double({ min: 1e-5, max: 1, noNaN: true });
const beta = fc.double({ min: 0, max: 0.9999, noNaN: true });
const decay = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true }));
const eps = fc.double({ min: 1e-10, max: 1e-3, noNaN: true });

const cases: Case[] = [
  { name: "SGD", rule: sgdRef, buffers: ["buf"],
    opts: fc.record({ lr, momentum: fc.oneof(fc.constant(0), beta), dampening: fc.double({ min: 0, max: 1, noNaN: true }), nesterov: fc.boolean(), weightDecay: decay })
      .map((o) => ({ ...o, dampening: o.nesterov ? 0 : o.dampening })),
    run: (a, t, o) => optim.sgdStep(a.p, a.g, o.momentum === 0 ? null : a.buf, t === 1, o) },
  { name: "Adam/AdamW", rule: adamRef, buffers: ["m", "v", "vMax"],
    opts: fc.record({ lr, betas: fc.tuple(beta, beta), eps, weightDecay: decay, amsgrad: fc.boolean(), decoupled: fc.boolean() }),
    run: (a, t, o) => optim.adamStep(a.p, a.g, a.m, a.v, o.amsgrad ? a.vMax : null, t, o), float32Arithmetic: true,
    // β2 = 0 and g + λθ ≈ 0: v = d² carries d's cancellation into the denominator
    examples: [[{ n: 33, seed: 9, t: 1, scale: 1000 }, { lr: 0.00001, betas: [0.9992463455779027, 0], eps: 1e-10, weightDecay: 0.09999998887215025, amsgrad: false, decoupled: false }]] },
  { name: "Adamax", rule: adamaxRef, buffers: ["m", "u"],
    opts: fc.record({ lr, betas: fc.tuple(beta, beta), eps, weightDecay: decay }),
    run: (a, t, o) => optim.adamaxStep(a.p, a.g, a.m, a.u, t, o) },
  { name: "RMSprop", rule: rmspropRef, buffers: ["sq", "gAvg", "momentum"],
    // α ≥ 0.5: with α → 0 the centered variance s − ḡ² cancels to ~0 and the rule itself is ill-posed.
    opts: fc.record({ lr, alpha: fc.double({ min: 0.5, max: 0.9999, noNaN: true }), eps, weightDecay: decay, momentum: fc.oneof(fc.constant(0), beta), centered: fc.boolean() }),
    run: (a, _t, o) => optim.rmspropStep(a.p, a.g, a.sq, o.centered ? a.gAvg : null, o.momentum > 0 ? a.momentum : null, o) },
  { name: "Adagrad", rule: adagradRef, buffers: ["sum"],
    opts: fc.record({ lr, lrDecay: decay, weightDecay: decay, initialAccumulatorValue: fc.constant(0), eps }),
    run: (a, t, o) => optim.adagradStep(a.p, a.g, a.sum, t, o) },
  { name: "Adadelta", rule: adadeltaRef, buffers: ["sq", "accDelta"],
    opts: fc.record({ lr, rho: beta, eps, weightDecay: decay }),
    run: (a, _t, o) => optim.adadeltaStep(a.p, a.g, a.sq, a.accDelta, o) },
];

/** Compares every output array element with its reference; returns the first violation. */
function firstViolation(after: Arrays, before: Arrays, rule: Rule, t: number, o: any, float32Arithmetic = false): string | null {
  const n = before.p.length;
  for (let i = 0; i < n; i++) {
    const s: Elem = {};
    for (const k of Object.keys(before)) s[k] = before[k][i];
    const { out, mag } = rule(s, t, o);
    for (const k of Object.keys(out)) {
      const got = after[k][i], want = out[k];
      const tol = float32Arithmetic ? 32 * U32 * mag[k] + ETA32 : U32 * Math.abs(want) + 32 * U64 * mag[k] + ETA32;
      if (!(Math.abs(got - want) <= tol)) return `${k}[${i}] = ${got}, reference ${want}, |diff| ${Math.abs(got - want)} > tol ${tol}; state ${JSON.stringify(s)}, t=${t}, options ${JSON.stringify(o)}`;
    }
  }
  return null;
}

const problem = fc.record({ n: fc.integer({ min: 1, max: 33 }), seed: fc.integer({ min: 1, max: 2 ** 30 }), t: fc.integer({ min: 1, max: 60 }),
  scale: fc.constantFrom(1e-6, 1e-3, 1, 1e3) });

describe("sgdStep's arguments", () => {
  it("newBuffer must be a boolean: the step number it used to take is refused, not read as true", () => {
    const p = Float32Array.of(1), g = Float32Array.of(1), buf = new Float32Array(1);
    expect(() => optim.sgdStep(p, g, buf, 2 as never, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 }))
      .toThrow(/sgdStep: newBuffer must be true or false, got 2/);
    expect(Array.from(p)).toEqual([1]);
  });
});

describe("optimizer steps agree with float64 references of the published rules (one step)", () => {
  for (const c of cases) {
    it(`${c.name} from random states`, () => {
      fc.assert(fc.property(problem, c.opts, ({ n, seed, t, scale }, o) => {
        const before = drawState(c.buffers, n, seed, scale);
        const after: Arrays = {};
        for (const [k, v] of Object.entries(before)) after[k] = v.slice();
        c.run(after, t, o);
        const bad = firstViolation(after, before, c.rule, t, o, c.float32Arithmetic);
        if (bad) throw new Error(bad);
      }), { numRuns: 200, examples: c.examples ?? [] });
    });
  }

  it("Nadam from random states (μ product carried in state)", () => {
    const o = fc.record({ lr, betas: fc.tuple(beta, beta), eps, weightDecay: decay, momentumDecay: fc.double({ min: 0, max: 0.1, noNaN: true }) });
    fc.assert(fc.property(problem, o, ({ n, seed, t, scale }, opts) => {
      let prod = 1;
      for (let k = 1; k < t; k++) prod *= opts.betas[0] * (1 - 0.5 * 0.96 ** (k * opts.momentumDecay));
      const before = drawState(["m", "v"], n, seed, scale);
      const after: Arrays = {};
      for (const [k, v] of Object.entries(before)) after[k] = v.slice();
      optim.nadamStep(after.p, after.g, after.m, after.v, t, prod, opts);
      const bad = firstViolation(after, before, nadamRef(prod), t, opts);
      if (bad) throw new Error(bad);
    }), { numRuns: 200 });
  });

  it("the comparison catches a wrong rule (Adam with ε inside the root)", () => {
    const before = drawState(["m", "v", "vMax"], 8, 5, 1e-3);
    const after: Arrays = {};
    for (const [k, v] of Object.entries(before)) after[k] = v.slice();
    const o = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-3, weightDecay: 0, amsgrad: false, decoupled: false };
    optim.adamStep(after.p, after.g, after.m, after.v, null, 3, o);
    const wrong: Rule = (s, t, oo) => {
      const r = adamRef(s, t, oo);
      const vHat = r.out.v / (1 - 0.999 ** t);
      r.out.p = s.p - (1e-3 * r.out.m / (1 - 0.9 ** t)) / Math.sqrt(vHat + oo.eps);
      return r;
    };
    expect(firstViolation(after, before, adamRef, 3, o, true)).toBeNull();
    expect(firstViolation(after, before, wrong, 3, o, true)).not.toBeNull();
  });
});
