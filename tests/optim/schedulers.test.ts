// Schedules against references: the schedulers step by PyTorch's recursive ("chainable") forms;
// the references here are the closed forms (or PyTorch's recursion), written out independently,
// and must agree to float64 rounding.
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim, ValueError } from "../../src/index.js";

const makeOpt = (lrs = [0.1, 0.05]) => new optim.SGD(lrs.map((lr) => ({ params: [fromTypedArray(new Float32Array(1))], lr })));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1e-300);

/** Steps the scheduler `epochs` times and returns each epoch's lrs (epoch 0 = after construction). */
function trace(s: { getLastLr(): number[]; step(): void }, epochs: number): number[][] {
  const out = [s.getLastLr()];
  for (let e = 1; e < epochs; e++) { s.step(); out.push(s.getLastLr()); }
  return out;
}
function expectTrace(got: number[][], want: (e: number, base: number) => number, bases: number[]) {
  got.forEach((lrs, e) => lrs.forEach((lr, i) => {
    const w = want(e, bases[i]);
    if (!close(lr, w)) throw new Error(`epoch ${e}, group ${i}: lr ${lr}, expected ${w}`);
  }));
}

describe("LR schedulers", () => {
  it("StepLR follows PyTorch's recursion (×γ every stepSize epochs) and writes the optimizer's lr", () => {
    const opt = makeOpt();
    const s = new optim.lr.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    const got = trace(s, 12);
    const rec = (base: number) => { const r = [base]; for (let e = 1; e < 12; e++) r.push(e % 3 === 0 ? r[e - 1] * 0.5 : r[e - 1]); return r; };
    expectTrace(got, (e, b) => rec(b)[e], [0.1, 0.05]);
    expect(opt.paramGroups[1].lr).toBe(got[11][1]);
  });

  it("MultiStepLR multiplies by γ at each milestone (unsorted, repeated milestones count twice)", () => {
    const s = new optim.lr.MultiStepLR(makeOpt([1]), { milestones: [5, 2, 5], gamma: 0.1 });
    expectTrace(trace(s, 8), (e, b) => b * (e >= 5 ? 1e-3 : e >= 2 ? 0.1 : 1), [1]);
  });

  it("ExponentialLR and InverseTimeDecay (plain and staircase)", () => {
    expectTrace(trace(new optim.lr.ExponentialLR(makeOpt(), { gamma: 0.9 }), 10), (e, b) => b * 0.9 ** e, [0.1, 0.05]);
    expectTrace(trace(new optim.lr.InverseTimeDecay(makeOpt([1]), { decayRate: 0.5, decaySteps: 2 }), 9), (e, b) => b / (1 + 0.5 * e / 2), [1]);
    expectTrace(trace(new optim.lr.InverseTimeDecay(makeOpt([1]), { decayRate: 0.5, decaySteps: 2, staircase: true }), 9),
      (e, b) => b / (1 + 0.5 * Math.floor(e / 2)), [1]);
  });

  it("CosineAnnealingLR matches PyTorch's recursive update for 3 periods", () => {
    const T = 7, etaMin = 0.01;
    const s = new optim.lr.CosineAnnealingLR(makeOpt([0.1]), { tMax: T, etaMin });
    const got = trace(s, 3 * 2 * T);
    // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr, verbatim in structure.
    const r = [0.1];
    for (let e = 1; e < 3 * 2 * T; e++) {
      const prev = r[e - 1], base = 0.1;
      if ((e - 1 - T) % (2 * T) === 0) r.push(prev + ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
      else r.push((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T)) * (prev - etaMin) + etaMin);
    }
    got.forEach(([lr], e) => expect(Math.abs(lr - r[e])).toBeLessThanOrEqual(1e-14));
  });

  it("CosineAnnealingWarmRestarts restarts after t0, t0·tMult, … epochs", () => {
    const s = new optim.lr.CosineAnnealingWarmRestarts(makeOpt([1]), { t0: 2, tMult: 2, etaMin: 0 });
    // periods: [0,2) [2,6) [6,14)
    const start = [0, 2, 6, 14];
    expectTrace(trace(s, 14), (e, b) => {
      const k = start.findIndex((v, i) => e >= v && e < start[i + 1]);
      const ti = start[k + 1] - start[k];
      return (b * (1 + Math.cos((Math.PI * (e - start[k])) / ti))) / 2;
    }, [1]);
    s.step(6.5);
    expect(s.getLastLr()[0]).toBeCloseTo((1 + Math.cos(Math.PI * 0.5 / 8)) / 2, 14);
  });

  it("LinearWarmup ramps linearly, then hands over to the wrapped schedule from its epoch 0", () => {
    const opt = makeOpt([0.1]);
    const after = new optim.lr.CosineAnnealingLR(opt, { tMax: 10 });
    const s = new optim.lr.LinearWarmup(opt, { warmupEpochs: 4, startFactor: 0.25, after });
    expectTrace(trace(s, 15), (e, b) => (e < 4 ? b * (0.25 + (0.75 * e) / 4) : (b * (1 + Math.cos((Math.PI * (e - 4)) / 10))) / 2), [0.1]);
    const plain = new optim.lr.LinearWarmup(makeOpt([1]), { warmupEpochs: 5 });
    expectTrace(trace(plain, 8), (e, b) => b * Math.min(0.2 + (0.8 * e) / 5, 1), [1]);
  });

  it("ReduceLROnPlateau: patience, threshold (rel), cooldown and minLr as in PyTorch", () => {
    const opt = makeOpt([1]);
    const s = new optim.lr.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.2 });
    const metrics = [10, 9, 9, 9, 9.0001, 9, 9, 9, 9, 9];
    const lrs = metrics.map((m) => { s.step(m); return opt.lr; });
    // bad epochs: e2=1, e3=2>1 → 0.5 (cooldown 1); e4 cooldown; e5 bad=1; e6 bad=2 → 0.25; e7 cd; e8 1; e9 2 → max(0.125, 0.2)
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]);
    const max = new optim.lr.ReduceLROnPlateau(makeOpt([1]), { mode: "max", patience: 0 });
    max.step(0.5); max.step(0.5);
    expect(max.getLastLr()[0]).toBeCloseTo(0.1, 15);
  });

  it("bad arguments give ValueErrors", () => {
    expect(() => new optim.lr.StepLR(makeOpt(), { stepSize: 0 })).toThrow(ValueError);
    expect(() => new optim.lr.ExponentialLR(makeOpt(), { gamma: -1 })).toThrow(ValueError);
    expect(() => new optim.lr.ReduceLROnPlateau(makeOpt(), { factor: 1 })).toThrow(ValueError);
    expect(() => new optim.lr.LinearWarmup(makeOpt(), { warmupEpochs: 2, after: new optim.lr.StepLR(makeOpt(), { stepSize: 1 }) })).toThrow(/same optimizer/);
  });
});
