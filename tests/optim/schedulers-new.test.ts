// LinearLR, ConstantLR, PolynomialLR, LambdaLR, MultiplicativeLR, SequentialLR and
// ChainedScheduler against PyTorch's documented closed forms, written out in float64 here.
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim } from "../../src/index.js";

const makeOpt = (lrs = [0.1, 0.05]) => new optim.SGD(lrs.map((lr) => ({ params: [fromTypedArray(new Float32Array(1))], lr })));
type Opt = ReturnType<typeof makeOpt>;
const tol = (want: number, base: number, t: number) => 64 * (t + 1) * 2 ** -52 * Math.max(Math.abs(want), base);

/** Steps `s` to epoch `epochs − 1` and checks every group's lr against base·factor(t) (or want(t, i)). */
function expectSchedule(opt: Opt, s: { step(): void; getLastLr(): number[] }, epochs: number, want: (t: number, base: number, group: number) => number) {
  const bases = opt.paramGroups.map((g) => g.initialLr!);
  for (let t = 0; t < epochs; t++) {
    if (t > 0) s.step();
    bases.forEach((b, i) => {
      const w = want(t, b, i), got = opt.paramGroups[i].lr;
      if (!(Math.abs(got - w) <= tol(w, b, t))) throw new Error(`epoch ${t}, group ${i}: lr ${got}, expected ${w}`);
    });
    expect(s.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
  }
}

describe("LinearLR, ConstantLR, PolynomialLR", () => {
  it("LinearLR: base·(s + (e − s)·min(t, T)/T), PyTorch's defaults s = 1/3, e = 1, T = 5", () => {
    for (const [o, s, e, T] of [[{}, 1 / 3, 1, 5], [{ startFactor: 1, endFactor: 0.1, totalIters: 9 }, 1, 0.1, 9], [{ startFactor: 0.25, endFactor: 0, totalIters: 3 }, 0.25, 0, 3]] as const) {
      const opt = makeOpt();
      expectSchedule(opt, new optim.lr.LinearLR(opt, o), 20, (t, b) => b * (s + ((e - s) * Math.min(t, T)) / T));
    }
  });

  it("ConstantLR: base·factor before totalIters, base from then on (defaults 1/3, 5)", () => {
    for (const [o, f, T] of [[{}, 1 / 3, 5], [{ factor: 0.5, totalIters: 1 }, 0.5, 1], [{ factor: 1, totalIters: 4 }, 1, 4]] as const) {
      const opt = makeOpt();
      expectSchedule(opt, new optim.lr.ConstantLR(opt, o), 12, (t, b) => b * (t < T ? f : 1));
    }
  });

  it("PolynomialLR: base·(1 − min(t, T)/T)^power (defaults 5, 1)", () => {
    for (const [o, T, p] of [[{}, 5, 1], [{ totalIters: 8, power: 2.5 }, 8, 2.5], [{ totalIters: 3, power: 0.5 }, 3, 0.5]] as const) {
      const opt = makeOpt();
      expectSchedule(opt, new optim.lr.PolynomialLR(opt, o), 12, (t, b) => b * (1 - Math.min(t, T) / T) ** p);
    }
  });

  it("step(epoch) jumps by the closed form", () => {
    const opt = makeOpt([1]);
    const s = new optim.lr.LinearLR(opt, { startFactor: 0.5, totalIters: 4 });
    s.step(3);
    expect(opt.lr).toBeCloseTo(0.5 + 0.5 * 0.75, 15);
    s.step(); // recursive from epoch 3 to 4
    expect(opt.lr).toBeCloseTo(1, 14);
  });
});

describe("LambdaLR and MultiplicativeLR", () => {
  it("LambdaLR: base·λ(t) with one function, or one per group", () => {
    const opt = makeOpt();
    expectSchedule(opt, new optim.lr.LambdaLR(opt, { lrLambda: (t) => 0.95 ** t }), 15, (t, b) => b * 0.95 ** t);
    const opt2 = makeOpt();
    const fns = [(t: number) => 1 / (1 + t), (t: number) => (t % 3) + 1];
    expectSchedule(opt2, new optim.lr.LambdaLR(opt2, { lrLambda: fns }), 15, (t, b, i) => b * fns[i](t));
  });

  it("LambdaLR writes from the base lr, so it overrides a scheduler stepped before it (as in PyTorch)", () => {
    const opt = makeOpt([1]);
    const exp = new optim.lr.ExponentialLR(opt, { gamma: 0.5 });
    const lam = new optim.lr.LambdaLR(opt, { lrLambda: (t) => 1 + t });
    for (let t = 1; t < 6; t++) {
      exp.step(); lam.step();
      expect(opt.lr).toBe(1 + t);
    }
  });

  it("MultiplicativeLR: base·Π_{k=1..t} λ(k), per group", () => {
    const fns = [(k: number) => 0.9 + 0.05 * Math.cos(k), (k: number) => 1.01];
    const opt = makeOpt();
    expectSchedule(opt, new optim.lr.MultiplicativeLR(opt, { lrLambda: fns }), 30, (t, b, i) => {
      let p = b;
      for (let k = 1; k <= t; k++) p *= fns[i](k);
      return p;
    });
  });
});

describe("MultiplicativeLR without a closed form", () => {
  it("step(0) leaves the lr unchanged, as the constructor's step does (PyTorch multiplies only when lastEpoch > 0)", () => {
    const opt = makeOpt([1, 0.5]);
    const s = new optim.lr.MultiplicativeLR(opt, { lrLambda: () => 0.5 });
    s.step(0);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([1, 0.5]);
    s.step(3);
    s.step(0);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0.25]);
  });

  it("step(epoch) multiplies the current lr by λ(epoch) once (PyTorch's get_lr)", () => {
    const opt = makeOpt([1]);
    const s = new optim.lr.MultiplicativeLR(opt, { lrLambda: (t) => 0.5 + t / 10 });
    expect(opt.lr).toBe(1);
    s.step(4);
    expect(opt.lr).toBeCloseTo(0.9, 15);
    s.step(0);
    expect(opt.lr).toBeCloseTo(0.9, 15);
    s.step();
    // torch 1.13, MultiplicativeLR(SGD(lr=1), lambda t: 0.5 + t/10): step(4), step(0), step()
    // give lr 0.9, 0.9, 0.54.
    expect(opt.lr).toBeCloseTo(0.54, 15);
  });
});

describe("SequentialLR and ChainedScheduler", () => {
  it("SequentialLR: warmup by LinearLR, then ExponentialLR from its own epoch 0", () => {
    const opt = makeOpt();
    const warm = new optim.lr.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
    const decay = new optim.lr.ExponentialLR(opt, { gamma: 0.9 });
    const s = new optim.lr.SequentialLR(opt, { schedulers: [warm, decay], milestones: [5] });
    expectSchedule(opt, s, 20, (t, b) => (t < 5 ? b * (0.1 + (0.9 * t) / 5) : b * 0.9 ** (t - 5)));
  });

  it("SequentialLR of three: ConstantLR, CosineAnnealingLR, StepLR, each restarted from the base lr", () => {
    const opt = makeOpt();
    const a = new optim.lr.ConstantLR(opt, { factor: 0.2, totalIters: 10 });
    const b = new optim.lr.CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.001 });
    const c = new optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const s = new optim.lr.SequentialLR(opt, { schedulers: [a, b, c], milestones: [3, 9] });
    expectSchedule(opt, s, 20, (t, base) => {
      if (t < 3) return base * 0.2;
      if (t < 9) return 0.001 + ((base - 0.001) * (1 + Math.cos((Math.PI * (t - 3)) / 6))) / 2;
      return base * 0.5 ** Math.floor((t - 9) / 2);
    });
  });

  it("SequentialLR into MultiplicativeLR: the milestone's step(0) keeps the lr the first scheduler left", () => {
    const opt = makeOpt([1]);
    const constant = new optim.lr.ConstantLR(opt, { factor: 0.5, totalIters: 10 });
    const decay = new optim.lr.MultiplicativeLR(opt, { lrLambda: () => 0.9 });
    const s = new optim.lr.SequentialLR(opt, { schedulers: [constant, decay], milestones: [3] });
    // torch 1.13: SequentialLR(SGD(lr=1), [ConstantLR(factor=0.5, total_iters=10),
    // MultiplicativeLR(lr_lambda=lambda e: 0.9)], milestones=[3]), the lr after 0..9 steps.
    const torchLrs = [0.5, 0.5, 0.5, 0.5, 0.45, 0.405, 0.36450000000000005, 0.32805000000000006, 0.2952450000000001, 0.2657205000000001];
    expectSchedule(opt, s, torchLrs.length, (t) => torchLrs[t]);
  });

  it("ChainedScheduler: ConstantLR warmup times ExponentialLR decay", () => {
    const opt = makeOpt();
    const s = new optim.lr.ChainedScheduler([new optim.lr.ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new optim.lr.ExponentialLR(opt, { gamma: 0.9 })]);
    expectSchedule(opt, s, 10, (t, b) => b * (t < 2 ? 0.1 : 1) * 0.9 ** t);
  });
});
