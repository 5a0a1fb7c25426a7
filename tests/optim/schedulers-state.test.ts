// State dicts (resume mid-schedule gives the uninterrupted run) and argument checking (unknown
// option keys and bad values are ValueErrors naming them, thrown before the optimizer changes).
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim, ValueError } from "../../src/index.js";

const makeOpt = (lrs = [0.1, 0.05]) => new optim.SGD(lrs.map((lr) => ({ params: [fromTypedArray(new Float32Array(1))], lr, momentum: 0.9 })));
type Opt = ReturnType<typeof makeOpt>;
type Make = (opt: Opt) => { step(): void; stateDict(): object; loadStateDict(sd: never): void };

const makers: [string, Make][] = [
  ["StepLR", (o) => new optim.lr.StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ["CosineAnnealingLR", (o) => new optim.lr.CosineAnnealingLR(o, { tMax: 4, etaMin: 0.001 })],
  ["LinearLR", (o) => new optim.lr.LinearLR(o, { totalIters: 8 })],
  ["ConstantLR", (o) => new optim.lr.ConstantLR(o, { totalIters: 6 })],
  ["PolynomialLR", (o) => new optim.lr.PolynomialLR(o, { totalIters: 9, power: 2 })],
  ["LambdaLR", (o) => new optim.lr.LambdaLR(o, { lrLambda: (t) => 1 / (1 + t) })],
  ["MultiplicativeLR", (o) => new optim.lr.MultiplicativeLR(o, { lrLambda: (t) => 0.9 + 0.01 * t })],
  ["OneCycleLR", (o) => new optim.lr.OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 })],
  ["CyclicLR", (o) => new optim.lr.CyclicLR(o, { baseLr: 0.01, maxLr: [0.1, 0.2], stepSizeUp: 3, mode: "triangular2" })],
  ["SequentialLR", (o) => new optim.lr.SequentialLR(o, { schedulers: [new optim.lr.LinearLR(o, { totalIters: 4 }), new optim.lr.ExponentialLR(o, { gamma: 0.8 })], milestones: [4] })],
  ["ChainedScheduler", (o) => new optim.lr.ChainedScheduler([new optim.lr.ExponentialLR(o, { gamma: 0.9 }), new optim.lr.MultiStepLR(o, { milestones: [2, 5], gamma: 0.3 })])],
];

const groupsOf = (opt: Opt) => opt.paramGroups.map(({ params: _p, ...g }) => g);

describe("scheduler state dicts", () => {
  for (const [name, make] of makers) {
    it(`${name}: saving after 7 steps and loading into a fresh optimizer and scheduler continues the same run`, () => {
      const opt = makeOpt(), s = make(opt);
      for (let t = 0; t < 7; t++) s.step();
      const saved = JSON.parse(JSON.stringify({ opt: opt.stateDict(), sched: s.stateDict() }));
      expect(JSON.stringify(s.stateDict())).not.toMatch(/function|=>/);
      const want: unknown[] = [];
      for (let t = 0; t < 10; t++) { s.step(); want.push(groupsOf(opt)); }

      const opt2 = makeOpt([0.3, 0.3]), s2 = make(opt2);
      opt2.loadStateDict(saved.opt);
      s2.loadStateDict(saved.sched as never);
      const got: unknown[] = [];
      for (let t = 0; t < 10; t++) { s2.step(); got.push(groupsOf(opt2)); }
      expect(got).toEqual(want);
    });
  }

  it("loadStateDict refuses malformed state without changing the scheduler", () => {
    const opt = makeOpt(), s = new optim.lr.StepLR(opt, { stepSize: 2 });
    s.step();
    const before = s.stateDict();
    expect(() => s.loadStateDict({ lastEpoch: "3" as never })).toThrow(/lastEpoch/);
    expect(() => s.loadStateDict({ lastEpoch: 3, baseLrs: [1] })).toThrow(/baseLrs must hold 2/);
    expect(() => s.loadStateDict({ lastEpoch: 3, lastLR: [1, 1] } as never)).toThrow(/unknown option "lastLR"/);
    const seq = makers[9][1](makeOpt()) as optim.lr.SequentialLR;
    const seqBefore = seq.stateDict();
    expect(() => seq.loadStateDict({ ...seqBefore, lastEpoch: 9, schedulers: [seqBefore.schedulers[0], { lastEpoch: -7 }] })).toThrow(ValueError);
    expect(seq.stateDict()).toEqual(seqBefore);
    expect(s.stateDict()).toEqual(before);
  });

  it("ReduceLROnPlateau saves and restores its counters", () => {
    const a = new optim.lr.ReduceLROnPlateau(makeOpt(), { patience: 2 });
    [3, 2, 2, 2].forEach((m) => a.step(m));
    const b = new optim.lr.ReduceLROnPlateau(makeOpt(), { patience: 2 });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect(b.stateDict()).toEqual({ best: 2, numBadEpochs: 2, cooldownCounter: 0, lastEpoch: 4 });
    expect(() => b.loadStateDict({ best: 1, numBadEpochs: -1, cooldownCounter: 0, lastEpoch: 0 })).toThrow(/numBadEpochs/);
  });
});

describe("scheduler arguments", () => {
  const bad: [string, (o: Opt) => unknown, RegExp][] = [
    ["StepLR unknown key", (o) => new optim.lr.StepLR(o, { stepSize: 2, step_size: 2 } as never), /unknown option "step_size"/],
    ["ExponentialLR unknown key", (o) => new optim.lr.ExponentialLR(o, { gamma: 0.9, lastEpoch: 3 } as never), /unknown option "lastEpoch"/],
    ["CosineAnnealingLR unknown key", (o) => new optim.lr.CosineAnnealingLR(o, { tMax: 2, Tmax: 3 } as never), /"Tmax"/],
    ["MultiStepLR milestone", (o) => new optim.lr.MultiStepLR(o, { milestones: [1, 2.5] }), /milestones\[1\]/],
    ["LinearLR startFactor 0", (o) => new optim.lr.LinearLR(o, { startFactor: 0 }), /startFactor/],
    ["LinearLR endFactor > 1", (o) => new optim.lr.LinearLR(o, { endFactor: 1.5 }), /endFactor/],
    ["LinearLR totalIters", (o) => new optim.lr.LinearLR(o, { totalIters: 0 }), /totalIters/],
    ["ConstantLR factor 0", (o) => new optim.lr.ConstantLR(o, { factor: 0 }), /factor/],
    ["ConstantLR unknown", (o) => new optim.lr.ConstantLR(o, { total_iters: 3 } as never), /"total_iters"/],
    ["PolynomialLR power", (o) => new optim.lr.PolynomialLR(o, { power: -1 }), /power/],
    ["LambdaLR not a function", (o) => new optim.lr.LambdaLR(o, { lrLambda: 0.5 as never }), /lrLambda/],
    ["LambdaLR wrong count", (o) => new optim.lr.LambdaLR(o, { lrLambda: [(t: number) => t] }), /1 functions for 2/],
    ["MultiplicativeLR missing", (o) => new optim.lr.MultiplicativeLR(o, {} as never), /lrLambda/],
    ["OneCycleLR no length", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1 }), /totalSteps/],
    ["OneCycleLR both lengths", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, epochs: 2, stepsPerEpoch: 5 }), /not both/],
    ["OneCycleLR maxLr count", (o) => new optim.lr.OneCycleLR(o, { maxLr: [1, 2, 3], totalSteps: 10 }), /maxLr has 3 values for 2/],
    ["OneCycleLR anneal", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, annealStrategy: "cosine" as never }), /annealStrategy/],
    ["OneCycleLR zero-length phase", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, pctStart: 0.1 }), /zero length/],
    ["OneCycleLR threePhase pct", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, pctStart: 0.6, threePhase: true }), /threePhase/],
    ["OneCycleLR threeePhase typo", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, threeePhase: true } as never), /"threeePhase"/],
    ["OneCycleLR momentum unused", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, cycleMomentum: false, maxMomentum: 0.9 }), /cycleMomentum/],
    ["OneCycleLR momentum ≥ 1", (o) => new optim.lr.OneCycleLR(o, { maxLr: 1, totalSteps: 10, maxMomentum: 1 }), /maxMomentum/],
    ["CyclicLR mode", (o) => new optim.lr.CyclicLR(o, { baseLr: 0.1, maxLr: 1, mode: "triangle" as never }), /mode/],
    ["CyclicLR gamma without exp_range", (o) => new optim.lr.CyclicLR(o, { baseLr: 0.1, maxLr: 1, gamma: 0.9 }), /gamma/],
    ["CyclicLR scaleMode without scaleFn", (o) => new optim.lr.CyclicLR(o, { baseLr: 0.1, maxLr: 1, scaleMode: "iterations" }), /scaleMode/],
    ["CyclicLR stepSizeUp", (o) => new optim.lr.CyclicLR(o, { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 }), /stepSizeUp/],
    ["SequentialLR milestones", (o) => new optim.lr.SequentialLR(o, { schedulers: [new optim.lr.StepLR(o, { stepSize: 1 })], milestones: [2] }), /0 milestones/],
    ["SequentialLR other optimizer", (o) => new optim.lr.SequentialLR(o, { schedulers: [new optim.lr.StepLR(makeOpt(), { stepSize: 1 }), new optim.lr.StepLR(o, { stepSize: 1 })], milestones: [2] }), /another optimizer/],
    ["ChainedScheduler plateau", () => new optim.lr.ChainedScheduler([new optim.lr.ReduceLROnPlateau(makeOpt()) as never]), /ReduceLROnPlateau/],
    ["ReduceLROnPlateau unknown", (o) => new optim.lr.ReduceLROnPlateau(o, { monitor: "val_loss" } as never), /"monitor"/],
    ["ReduceLROnPlateau patience", (o) => new optim.lr.ReduceLROnPlateau(o, { patience: -1 }), /patience/],
    ["ReduceLROnPlateau thresholdMode", (o) => new optim.lr.ReduceLROnPlateau(o, { thresholdMode: "relative" as never }), /thresholdMode/],
    ["LinearWarmup unknown", (o) => new optim.lr.LinearWarmup(o, { warmupEpochs: 2, warmup: 3 } as never), /"warmup"/],
    ["LinearWarmup after without closed form", (o) => new optim.lr.LinearWarmup(o, { warmupEpochs: 2, after: new optim.lr.MultiplicativeLR(o, { lrLambda: () => 1 }) }), /closed form/],
  ];
  for (const [name, make, message] of bad) {
    it(`${name}: ValueError naming it, optimizer untouched`, () => {
      const opt = makeOpt();
      const before = JSON.stringify(groupsOf(opt));
      let err: unknown;
      try { make(opt); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ValueError);
      expect((err as Error).message).toMatch(message);
      if (!/SequentialLR|LinearWarmup after/.test(name)) expect(JSON.stringify(groupsOf(opt))).toBe(before);
    });
  }

  it("step(epoch) refuses a negative or non-finite epoch", () => {
    const s = new optim.lr.ExponentialLR(makeOpt(), { gamma: 0.5 });
    expect(() => s.step(-1)).toThrow(/epoch/);
    expect(() => s.step(NaN)).toThrow(ValueError);
    expect(s.lastEpoch).toBe(0);
  });
});
