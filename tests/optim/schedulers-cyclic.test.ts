// OneCycleLR and CyclicLR, lr and momentum, against Smith's schedules as PyTorch documents them,
// written out in float64 here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim, ValueError } from "../../src/index.js";

const params = () => [fromTypedArray(new Float32Array(1))];
const close = (got: number, want: number, what: string) => {
  if (!(Math.abs(got - want) <= 1e-13 * Math.max(Math.abs(want), 1e-3))) throw new Error(`${what}: ${got}, expected ${want}`);
};

interface OneCycleRef { N: number; maxLr: number; pct: number; cos: boolean; div: number; finalDiv: number; three: boolean; maxM: number; baseM: number }
/** PyTorch's OneCycleLR at step t: phases ending at pct·N − 1, (2·pct·N − 2,) N − 1. */
function oneCycle(t: number, r: OneCycleRef): { lr: number; m: number } {
  const anneal = (a: number, b: number, p: number) => (r.cos ? b + ((a - b) / 2) * (1 + Math.cos(Math.PI * p)) : a + (b - a) * p);
  const init = r.maxLr / r.div, min = init / r.finalDiv;
  const e1 = r.pct * r.N - 1, e2 = 2 * r.pct * r.N - 2, end = r.N - 1;
  if (t <= e1) return { lr: anneal(init, r.maxLr, t / e1), m: anneal(r.maxM, r.baseM, t / e1) };
  if (!r.three) return { lr: anneal(r.maxLr, min, (t - e1) / (end - e1)), m: anneal(r.baseM, r.maxM, (t - e1) / (end - e1)) };
  if (t <= e2) return { lr: anneal(r.maxLr, init, (t - e1) / (e2 - e1)), m: anneal(r.baseM, r.maxM, (t - e1) / (e2 - e1)) };
  return { lr: anneal(init, min, (t - e2) / (end - e2)), m: r.maxM };
}

const oneCycleCase = fc.record({
  N: fc.integer({ min: 12, max: 200 }),
  maxLr: fc.double({ min: 1e-3, max: 1, noNaN: true }),
  pct: fc.double({ min: 0.1, max: 0.45, noNaN: true }),
  cos: fc.boolean(),
  div: fc.double({ min: 2, max: 100, noNaN: true }),
  finalDiv: fc.double({ min: 10, max: 1e5, noNaN: true }),
  three: fc.boolean(),
  maxM: fc.double({ min: 0.9, max: 0.99, noNaN: true }),
  baseM: fc.double({ min: 0.5, max: 0.9, noNaN: true }),
});

const oneCycleOptions = (r: OneCycleRef) => ({ maxLr: r.maxLr, totalSteps: r.N, pctStart: r.pct, annealStrategy: r.cos ? "cos" as const : "linear" as const,
  divFactor: r.div, finalDivFactor: r.finalDiv, threePhase: r.three, maxMomentum: r.maxM, baseMomentum: r.baseM });

describe("OneCycleLR", () => {
  it("lr and SGD momentum follow the phases for every step up to totalSteps", () => {
    fc.assert(fc.property(oneCycleCase, (r) => {
      const opt = new optim.SGD(params(), { lr: 0.5, momentum: 0.9 });
      const s = new optim.lr.OneCycleLR(opt, oneCycleOptions(r));
      for (let t = 0; t <= r.N; t++) {
        if (t > 0) s.step();
        const w = oneCycle(t, r);
        close(opt.lr, w.lr, `step ${t} lr`);
        close(opt.paramGroups[0].momentum, w.m, `step ${t} momentum`);
      }
      expect(() => s.step()).toThrow(ValueError);
      close(opt.lr, oneCycle(r.N, r).lr, "lr after the refused step");
      expect(s.lastEpoch).toBe(r.N);
    }), { numRuns: 60 });
  });

  it("cycles Adam's betas[0], leaves betas[1] and the optimizer's defaults alone; epochs × stepsPerEpoch", () => {
    const opt = new optim.Adam([{ params: params() }, { params: params() }], { lr: 1e-3 });
    const r: OneCycleRef = { N: 30, maxLr: 0.01, pct: 0.3, cos: true, div: 25, finalDiv: 1e4, three: false, maxM: 0.95, baseM: 0.85 };
    const s = new optim.lr.OneCycleLR(opt, { maxLr: [0.01, 0.02], epochs: 3, stepsPerEpoch: 10 });
    for (let t = 0; t <= 30; t++) {
      if (t > 0) s.step();
      opt.paramGroups.forEach((g, i) => {
        const w = oneCycle(t, { ...r, maxLr: r.maxLr * (i + 1) });
        close(g.lr, w.lr, `step ${t} group ${i} lr`);
        close(g.betas[0], w.m, `step ${t} group ${i} beta1`);
        expect(g.betas[1]).toBe(0.999);
      });
    }
    expect(new optim.Adam(params()).paramGroups[0].betas).toEqual([0.9, 0.999]);
  });

  it("cycleMomentum: false leaves momentum alone; optimizers without momentum need it off", () => {
    const opt = new optim.SGD(params(), { lr: 0.1, momentum: 0.5 });
    new optim.lr.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, cycleMomentum: false }).step();
    expect(opt.paramGroups[0].momentum).toBe(0.5);
    expect(() => new optim.lr.OneCycleLR(new optim.Adagrad(params()), { maxLr: 1, totalSteps: 10 })).toThrow(/cycleMomentum/);
  });
});

interface CyclicRef { base: number; max: number; up: number; down: number; scale: (cycle: number, t: number) => number; baseM: number; maxM: number }
/** Smith's triangle: the position in the cycle of length up + down, scaled by cycle or step. */
function cyclic(t: number, r: CyclicRef): { lr: number; m: number } {
  const len = r.up + r.down, pos = t % len, cycle = Math.floor(t / len) + 1;
  const height = (pos <= r.up ? pos / r.up : 1 - (pos - r.up) / r.down) * r.scale(cycle, t);
  return { lr: r.base + (r.max - r.base) * height, m: r.maxM - (r.maxM - r.baseM) * height };
}

describe("CyclicLR", () => {
  const modes: [string, object, (c: number, t: number) => number][] = [
    ["triangular", { mode: "triangular" }, () => 1],
    ["triangular2", { mode: "triangular2" }, (c) => 0.5 ** (c - 1)],
    ["exp_range", { mode: "exp_range", gamma: 0.99 }, (_c, t) => 0.99 ** t],
    ["scaleFn by cycle", { scaleFn: (c: number) => 1 / c }, (c) => 1 / c],
    ["scaleFn by iterations", { scaleFn: (t: number) => Math.exp(-t / 50), scaleMode: "iterations" }, (_c, t) => Math.exp(-t / 50)],
  ];
  for (const [name, o, scale] of modes) {
    it(`${name}: lr and momentum over several cycles with unequal halves`, () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (up, down) => {
        const opt = new optim.SGD(params(), { lr: 0.5, momentum: 0.9 });
        const s = new optim.lr.CyclicLR(opt, { baseLr: 0.001, maxLr: 0.1, stepSizeUp: up, stepSizeDown: down, ...o });
        const r = { base: 0.001, max: 0.1, up, down, scale, baseM: 0.8, maxM: 0.9 };
        for (let t = 0; t < 5 * (up + down); t++) {
          if (t > 0) s.step();
          const w = cyclic(t, r);
          close(opt.lr, w.lr, `step ${t} lr`);
          close(opt.paramGroups[0].momentum, w.m, `step ${t} momentum`);
        }
      }), { numRuns: 30 });
    });
  }

  it("per-group bounds, Adam's betas[0], stepSizeDown defaulting to stepSizeUp", () => {
    const opt = new optim.Adam([{ params: params() }, { params: params() }]);
    const s = new optim.lr.CyclicLR(opt, { baseLr: [0.01, 0.02], maxLr: [0.1, 0.3], stepSizeUp: 4, baseMomentum: 0.7, maxMomentum: 0.95 });
    for (let t = 0; t < 40; t++) {
      if (t > 0) s.step();
      opt.paramGroups.forEach((g, i) => {
        const w = cyclic(t, { base: [0.01, 0.02][i], max: [0.1, 0.3][i], up: 4, down: 4, scale: () => 1, baseM: 0.7, maxM: 0.95 });
        close(g.lr, w.lr, `step ${t} group ${i} lr`);
        close(g.betas[0], w.m, `step ${t} group ${i} beta1`);
        expect(g.betas[1]).toBe(0.999);
      });
    }
  });
});
