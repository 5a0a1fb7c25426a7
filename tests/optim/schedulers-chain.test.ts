// Two schedulers stepping one optimizer compose as in PyTorch: each step() updates the current lr
// by its schedule's recursive form, so for the multiplicative schedules the lr is the base lr
// times the product of every schedule's closed-form factor. The factors below are PyTorch's
// documented closed forms, written out in float64 independently of the code under test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim } from "../../src/index.js";

const makeOpt = (lrs: number[]) => new optim.SGD(lrs.map((lr) => ({ params: [fromTypedArray(new Float32Array(1))], lr })));
type Opt = ReturnType<typeof makeOpt>;

/** A schedule: how to build it on an optimizer, and its multiplier of the base lr at epoch t. */
interface Case { name: string; make: (opt: Opt) => optim.lr.LRScheduler; factor: (t: number) => number }

const product = (t: number, f: (k: number) => number) => { let p = 1; for (let k = 1; k <= t; k++) p *= f(k); return p; };

/** fast-check arbitraries of each schedule with its hyperparameters; `horizon` bounds cosine's tMax from below. */
function cases(horizon: number): fc.Arbitrary<Case>[] {
  const gamma = fc.double({ min: 0.5, max: 1, noNaN: true });
  return [
    fc.record({ s: fc.integer({ min: 1, max: 7 }), g: gamma }).map(({ s, g }) => ({
      name: `StepLR(${s}, ${g})`, make: (o: Opt) => new optim.lr.StepLR(o, { stepSize: s, gamma: g }), factor: (t: number) => g ** Math.floor(t / s) })),
    fc.record({ ms: fc.array(fc.integer({ min: 0, max: horizon }), { maxLength: 4 }), g: gamma }).map(({ ms, g }) => ({
      name: `MultiStepLR([${ms}], ${g})`, make: (o: Opt) => new optim.lr.MultiStepLR(o, { milestones: ms, gamma: g }), factor: (t: number) => g ** ms.filter((m) => m <= t).length })),
    gamma.map((g) => ({ name: `ExponentialLR(${g})`, make: (o: Opt) => new optim.lr.ExponentialLR(o, { gamma: g }), factor: (t: number) => g ** t })),
    fc.record({ T: fc.integer({ min: horizon, max: 3 * horizon }) }).map(({ T }) => ({
      name: `CosineAnnealingLR(${T})`, make: (o: Opt) => new optim.lr.CosineAnnealingLR(o, { tMax: T }), factor: (t: number) => (1 + Math.cos((Math.PI * t) / T)) / 2 })),
    fc.record({ s: fc.double({ min: 0.05, max: 1, noNaN: true }), e: fc.double({ min: 0, max: 1, noNaN: true }), T: fc.integer({ min: 1, max: 12 }) }).map(({ s, e, T }) => ({
      name: `LinearLR(${s}, ${e}, ${T})`, make: (o: Opt) => new optim.lr.LinearLR(o, { startFactor: s, endFactor: e, totalIters: T }), factor: (t: number) => s + ((e - s) * Math.min(t, T)) / T })),
    fc.record({ f: fc.double({ min: 0.05, max: 1, noNaN: true }), T: fc.integer({ min: 1, max: 12 }) }).map(({ f, T }) => ({
      name: `ConstantLR(${f}, ${T})`, make: (o: Opt) => new optim.lr.ConstantLR(o, { factor: f, totalIters: T }), factor: (t: number) => (t < T ? f : 1) })),
    fc.record({ a: fc.double({ min: 0.8, max: 1.05, noNaN: true }), b: fc.double({ min: 0.01, max: 0.2, noNaN: true }) }).map(({ a, b }) => {
      const lambda = (k: number) => a + b * Math.sin(k);
      return { name: `MultiplicativeLR(${a} + ${b}·sin k)`, make: (o: Opt) => new optim.lr.MultiplicativeLR(o, { lrLambda: lambda }), factor: (t: number) => product(t, lambda) };
    }),
    fc.record({ T: fc.integer({ min: 1, max: 3 * horizon }), p: fc.double({ min: 0.5, max: 3, noNaN: true }) }).map(({ T, p }) => ({
      name: `PolynomialLR(${T}, ${p})`, make: (o: Opt) => new optim.lr.PolynomialLR(o, { totalIters: T, power: p }), factor: (t: number) => (1 - Math.min(t, T) / T) ** p })),
  ];
}

/** Recursive steps accumulate a few ulps per step; the lr never exceeds its base by much. */
const tol = (want: number, base: number, t: number) => 64 * (t + 1) * 2 ** -52 * Math.max(Math.abs(want), base);

/** Builds the chain on one optimizer, steps it with `stepOne`, which returns the scheduler stepped last. */
function checkChain(chain: Case[], bases: number[], steps: number, stepOne: (ss: optim.lr.LRScheduler[]) => optim.lr.LRScheduler) {
  const opt = makeOpt(bases);
  const ss = chain.map((c) => c.make(opt));
  let last = ss[ss.length - 1];
  for (let t = 0; t < steps; t++) {
    if (t > 0) last = stepOne(ss);
    bases.forEach((b, i) => {
      const want = b * chain.reduce((p, c) => p * c.factor(t), 1);
      const got = opt.paramGroups[i].lr;
      if (!(Math.abs(got - want) <= tol(want, b, t))) {
        throw new Error(`${chain.map((c) => c.name).join(" ∘ ")}, epoch ${t}, group ${i}: lr ${got}, expected ${want}`);
      }
    });
    // The scheduler stepped last reports the optimizer's lr.
    expect(last.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
  }
}

describe("chained LR schedulers", () => {
  const horizon = 40;
  const all = fc.oneof(...cases(horizon));

  it("any two of the eight multiplicative schedules give base·f1(t)·f2(t) over 40 epochs", () => {
    fc.assert(fc.property(all, all, fc.boolean(), (a, b, swap) => {
      checkChain([a, b], [0.1, 0.03], horizon, (ss) => {
        const order = swap ? [...ss].reverse() : ss;
        order.forEach((s) => s.step());
        return order[order.length - 1];
      });
    }), { numRuns: 300 });
  });

  it("ChainedScheduler of three schedules steps them in order with the same result", () => {
    fc.assert(fc.property(all, all, all, (a, b, c) => {
      const chain = [a, b, c];
      const opt = makeOpt([0.5, 2]);
      const sched = new optim.lr.ChainedScheduler(chain.map((x) => x.make(opt)));
      for (let t = 0; t < horizon; t++) {
        if (t > 0) sched.step();
        [0.5, 2].forEach((base, i) => {
          const want = base * chain.reduce((p, x) => p * x.factor(t), 1);
          const got = opt.paramGroups[i].lr;
          if (!(Math.abs(got - want) <= tol(want, base, t))) throw new Error(`${chain.map((x) => x.name).join(" ∘ ")}, epoch ${t}: lr ${got}, expected ${want}`);
        });
        expect(sched.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
      }
    }), { numRuns: 100 });
  });

  it("ExponentialLR with MultiStepLR is base·γ1^t·γ2^(milestones passed), whichever is stepped first", () => {
    for (const order of [[0, 1], [1, 0]]) {
      const opt = makeOpt([0.1]);
      const ss = [new optim.lr.ExponentialLR(opt, { gamma: 0.9 }), new optim.lr.MultiStepLR(opt, { milestones: [3, 7, 7], gamma: 0.5 })];
      for (let t = 1; t <= 12; t++) {
        order.forEach((k) => ss[k].step());
        const want = 0.1 * 0.9 ** t * 0.5 ** [3, 7, 7].filter((m) => m <= t).length;
        expect(Math.abs(opt.lr - want)).toBeLessThanOrEqual(tol(want, 0.1, t));
      }
    }
  });

  it("CosineAnnealingLR past its trough follows PyTorch's recursion applied to the chained lr", () => {
    // get_lr of CosineAnnealingLR (ηmin, T), then ExponentialLR (γ) on the lr it leaves.
    const T = 5, etaMin = 0.001, g = 0.95, base = 0.1;
    const opt = makeOpt([base]);
    const cos = new optim.lr.CosineAnnealingLR(opt, { tMax: T, etaMin });
    const exp = new optim.lr.ExponentialLR(opt, { gamma: g });
    let want = base;
    for (let t = 1; t <= 6 * T; t++) {
      cos.step(); exp.step();
      if ((t - 1 - T) % (2 * T) === 0) want += ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
      else want = ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (want - etaMin) + etaMin;
      want *= g;
      expect(Math.abs(opt.lr - want)).toBeLessThanOrEqual(tol(want, base, t));
    }
  });

  it("step(epoch) writes the closed form from the base lr, as PyTorch's _get_closed_form_lr", () => {
    const opt = makeOpt([0.2]);
    const exp = new optim.lr.ExponentialLR(opt, { gamma: 0.8 });
    new optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.1 });
    exp.step(); exp.step();
    exp.step(5);
    expect(opt.lr).toBeCloseTo(0.2 * 0.8 ** 5, 15);
    expect(exp.lastEpoch).toBe(5);
  });

  it("ReduceLROnPlateau acts on the lr a scheduler left", () => {
    const opt = makeOpt([1]);
    const exp = new optim.lr.ExponentialLR(opt, { gamma: 0.9 });
    const plateau = new optim.lr.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    plateau.step(1); exp.step();
    plateau.step(1); exp.step();
    expect(opt.lr).toBeCloseTo(0.9 ** 2 * 0.5, 15);
  });
});
