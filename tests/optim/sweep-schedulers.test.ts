// Sweep of the LR schedulers against PyTorch 1.13 (torch.optim.lr_scheduler and
// swa_utils.SWALR): what the sweep found wrong, and the options and combinations the other
// scheduler tests leave out, each stepped past its cycles with two parameter groups.
// Expected values: PyTorch 1.13 in float64, one row per step (the row after construction first):
// each group's lr, or [lr, momentum] where the schedule moves momentum; SGD(momentum=0.9).
import { describe, expect, it } from "vitest";
import { optim, ShapeError, Tensor, ValueError } from "../../src/index.js";

const L = optim.lr;
const { SWALR } = optim.swa;

/** SGD with momentum 0.9 and one parameter in each group, the groups' lrs as given. */
function sgd(lrs: number[]) {
  const groups = lrs.map((lr) => {
    const p = new Tensor(new Float64Array(1), "float64", [1]);
    p.requiresGrad = true;
    return { params: [p], lr };
  });
  return new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
}
type SGD = ReturnType<typeof sgd>;

/** An LR scheduler or ReduceLROnPlateau (whose step takes a metric). */
interface Stepper {
  step(...x: never[]): void;
  getLastLr(): number[];
  stateDict(): unknown;
  loadStateDict(sd: never): void;
}
/** "s": step() every scheduler in order; epoch/metric: step(x) of the first; "resume": reload all through JSON. */
type Op = "s" | "resume" | { epoch: number } | { metric: number };
interface Case {
  name: string;
  lrs?: number[];
  make: (opt: SGD) => Stepper[];
  ops: Op[];
  /** Rows of PyTorch's values: after construction, then after each op. */
  torch: (number | number[])[][];
  /** PyTorch raises a ValueError at the last op (a step past the end of the cycle). */
  raisesAtEnd?: boolean;
}

// float64 through at most 45 recursive steps of a few operations each, on lrs ≤ 1: PyTorch and
// edgegrad round the same formulas, and differ by a few ulps of libm's cos at most.
const TOL = 1e-12;

function expectRow(opt: SGD, want: (number | number[])[], what: string): void {
  expect(opt.paramGroups.length).toBe(want.length);
  opt.paramGroups.forEach((g, k) => {
    const [lr, m] = Array.isArray(want[k]) ? (want[k] as number[]) : [want[k] as number, 0.9];
    if (!(Math.abs(g.lr - lr) <= TOL)) throw new Error(`${what}: group ${k} lr is ${g.lr}, PyTorch gives ${lr}`);
    if (!(Math.abs(g.momentum - m) <= TOL)) throw new Error(`${what}: group ${k} momentum is ${g.momentum}, PyTorch gives ${m}`);
  });
}

function run(c: Case): void {
  const fresh = () => {
    const opt = sgd(c.lrs ?? [0.1, 0.5]);
    return { opt, scheds: c.make(opt) };
  };
  let { opt, scheds } = fresh();
  expectRow(opt, c.torch[0], "after construction");
  let row = 1;
  c.ops.forEach((op, i) => {
    if (op === "resume") {
      const saved = JSON.parse(JSON.stringify({ opt: opt.stateDict(), scheds: scheds.map((s) => s.stateDict()) }));
      ({ opt, scheds } = fresh());
      opt.loadStateDict(saved.opt);
      scheds.forEach((s, k) => s.loadStateDict(saved.scheds[k] as never));
      expectRow(opt, c.torch[row++], "after resuming");
      return;
    }
    const step = () => {
      if (op === "s") scheds.forEach((s) => s.step());
      else scheds[0].step(("epoch" in op ? op.epoch : op.metric) as never);
    };
    if (c.raisesAtEnd && i === c.ops.length - 1) {
      const before = opt.paramGroups.map((g) => g.lr);
      expect(step).toThrow(ValueError);
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(before);
      return;
    }
    step();
    expectRow(opt, c.torch[row++], `op ${i} (${JSON.stringify(op)})`);
    expect(scheds[scheds.length - 1].getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
  });
  expect(row).toBe(c.torch.length);
}

const METRICS = [1, 2, 2.5, 2.4, 2.6, 2.61, 2.62, 2.7, 2.7, 2.7, 2.7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
const steps = (n: number): Op[] => new Array<Op>(n).fill("s");

describe("SWALR counts its steps as PyTorch's does (it has no closed form)", () => {
  const cases: Case[] = [
    {
      // PyTorch 1.13: SequentialLR(opt, [CosineAnnealingLR(opt, T_max=4), SWALR(opt, swa_lr=[0.05, 0.02], anneal_epochs=3)], milestones=[4]).
      name: "SequentialLR into SWALR: the milestone's step anneals from the lr the cosine left, without jumping back up",
      make: (o) => [new L.SequentialLR(o, { schedulers: [new L.CosineAnnealingLR(o, { tMax: 4 }), new SWALR(o, { swaLr: [0.05, 0.02], annealEpochs: 3 })], milestones: [4] })],
      ops: steps(10),
      torch: [[0.1, 0.5], [0.08535533905932738, 0.42677669529663687], [0.05, 0.25], [0.014644660940672627, 0.07322330470336313], [0.023483495705504467, 0.05991747852752235], [0.041161165235168155, 0.03330582617584079], [0.05, 0.02], [0.05, 0.02], [0.05, 0.02], [0.05, 0.02], [0.05, 0.02]],
    },
    {
      // PyTorch 1.13: SequentialLR(opt, [ExponentialLR(opt, 0.5), SWALR(opt, 0.05, anneal_epochs=2, anneal_strategy="linear"),
      // ConstantLR(opt, factor=0.5, total_iters=2)], milestones=[3, 7]).
      name: "SequentialLR of three with a linear SWALR in the middle",
      make: (o) => [new L.SequentialLR(o, {
        schedulers: [new L.ExponentialLR(o, { gamma: 0.5 }), new SWALR(o, { swaLr: 0.05, annealEpochs: 2, annealStrategy: "linear" }), new L.ConstantLR(o, { factor: 0.5, totalIters: 2 })],
        milestones: [3, 7],
      })],
      ops: steps(10),
      torch: [[0.1, 0.5], [0.05, 0.25], [0.025, 0.125], [0.037500000000000006, 0.0875], [0.05, 0.05], [0.05, 0.05], [0.05, 0.05], [0.05, 0.25], [0.05, 0.25], [0.1, 0.5], [0.1, 0.5]],
    },
    {
      // PyTorch 1.13: SWALR(opt, swa_lr=0.05, anneal_epochs=4); step(), step(3), step(), step(1), step(), step().
      name: "step(epoch) sets lastEpoch and takes the next step of the annealing",
      make: (o) => [new SWALR(o, { swaLr: 0.05, annealEpochs: 4 })],
      ops: ["s", { epoch: 3 }, "s", { epoch: 1 }, "s", "s"],
      torch: [[0.1, 0.5], [0.09267766952966369, 0.4340990257669732], [0.075, 0.275], [0.057322330470336316, 0.11590097423302682], [0.05, 0.05], [0.05, 0.05], [0.05, 0.05]],
    },
    {
      // PyTorch 1.13: SWALR(opt, swa_lr=[0.05, 0.01], anneal_epochs=5, anneal_strategy="linear"), state dicts reloaded after 2 steps.
      name: "resumed from its state dict after 2 steps",
      make: (o) => [new SWALR(o, { swaLr: [0.05, 0.01], annealEpochs: 5, annealStrategy: "linear" })],
      ops: ["s", "s", "resume", "s", "s", "s", "s"],
      torch: [[0.1, 0.5], [0.09000000000000002, 0.402], [0.08000000000000002, 0.304], [0.08000000000000002, 0.304], [0.07, 0.20600000000000002], [0.06000000000000001, 0.10799999999999998], [0.05, 0.01], [0.05, 0.01]],
    },
  ];
  for (const c of cases) it(c.name, () => run(c));
});

describe("functions given to a scheduler must return numbers", () => {
  it("lrLambda returning nothing or a string: ValueError naming it, and the failed step does not count", () => {
    // PyTorch 1.13: MultiplicativeLR(opt, lr_lambda=[lambda e: 0.5 + 0.5 * (e % 3), lambda e: 0.9]), six steps.
    const torch = [[0.1, 0.5], [0.1, 0.45], [0.15000000000000002, 0.405], [0.07500000000000001, 0.36450000000000005], [0.07500000000000001, 0.32805000000000006], [0.11250000000000002, 0.2952450000000001], [0.05625000000000001, 0.2657205000000001]];
    const opt = sgd([0.1, 0.5]);
    let broken = false;
    const s = new L.MultiplicativeLR(opt, { lrLambda: [(e) => (broken ? (undefined as unknown as number) : 0.5 + 0.5 * (e % 3)), () => 0.9] });
    for (let i = 1; i <= 6; i++) {
      if (i === 3) {
        broken = true;
        expect(() => s.step()).toThrow(/MultiplicativeLR: lrLambda\(3\) must return a number, got undefined/);
        expect(s.lastEpoch).toBe(2);
        expect(s.stepCount).toBe(3);
        expectRow(opt, torch[2], "after the refused step");
        broken = false;
      }
      s.step();
      expectRow(opt, torch[i], `step ${i}`);
    }
    // PyTorch raises a TypeError for None or a str; the string is not read as a number.
    expect(() => new L.LambdaLR(sgd([0.1, 0.5]), { lrLambda: () => "2" as unknown as number })).toThrow(/LambdaLR: lrLambda\(0\) must return a number, got "2"/);
  });

  it("CyclicLR's scaleFn returning nothing: ValueError, lr and momentum untouched", () => {
    const opt = sgd([0.1, 0.5]);
    let broken = false;
    const s = new L.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: (x) => (broken ? (null as unknown as number) : 1 / x) });
    s.step();
    const before = opt.paramGroups.map((g) => [g.lr, g.momentum]);
    broken = true;
    expect(() => s.step()).toThrow(/CyclicLR: scaleFn\(1\) must return a number, got null/);
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual(before);
    expect(s.lastEpoch).toBe(1);
  });
});

describe("CyclicLR", () => {
  it("stepSizeDown: 0 is PyTorch's sawtooth (rises for stepSizeUp steps, then restarts)", () => {
    // PyTorch 1.13: CyclicLR(opt, base_lr=[0.01, 0.05], max_lr=[0.1, 0.2], step_size_up=3, step_size_down=0).
    run({
      name: "sawtooth",
      make: (o) => [new L.CyclicLR(o, { baseLr: [0.01, 0.05], maxLr: [0.1, 0.2], stepSizeUp: 3, stepSizeDown: 0 })],
      ops: steps(8),
      torch: [[[0.01, 0.9], [0.05, 0.9]], [[0.039999999999999994, 0.8666666666666667], [0.1, 0.8666666666666667]], [[0.06999999999999999, 0.8333333333333334], [0.15, 0.8333333333333334]], [[0.01, 0.9], [0.05, 0.9]], [[0.03999999999999998, 0.8666666666666667], [0.09999999999999996, 0.8666666666666667]], [[0.07000000000000003, 0.8333333333333334], [0.15000000000000008, 0.8333333333333334]], [[0.01, 0.9], [0.05, 0.9]], [[0.040000000000000015, 0.8666666666666667], [0.10000000000000003, 0.8666666666666667]], [[0.06999999999999999, 0.8333333333333334], [0.15, 0.8333333333333334]]],
    });
  });
});

describe("options and combinations stepped past their cycles agree with PyTorch", () => {
  const cases: Case[] = [
    {
      // PyTorch 1.13: CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01); step(k/4) for k = 1..43.
      name: "CosineAnnealingWarmRestarts stepped by fractional epochs over three periods (tMult 2, etaMin)",
      make: (o) => [new L.CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2, etaMin: 0.01 })],
      ops: Array.from({ length: 43 }, (_, k) => ({ epoch: (k + 1) / 4 })),
      torch: [[0.1, 0.5], [0.09846666218300808, 0.4916518274408217], [0.09397114317029975, 0.4671762239271875], [0.08681980515339464, 0.4282411613907041], [0.0775, 0.3775], [0.06664685702961344, 0.3184106660501176], [0.05500000000000001, 0.255], [0.04335314297038658, 0.19158933394988245], [0.032500000000000015, 0.13250000000000006], [0.023180194846605363, 0.08175883860929586], [0.01602885682970026, 0.04282377607281252], [0.011533337816991932, 0.01834817255917829], [0.1, 0.5], [0.09961501876182148, 0.49790399103658356], [0.09846666218300808, 0.4916518274408217], [0.0965745789630079, 0.48135048546526527], [0.09397114317029975, 0.4671762239271875], [0.09070090031310558, 0.4493715683713526], [0.08681980515339464, 0.4282411613907041], [0.08239426430539243, 0.40414655010713657], [0.0775, 0.3775], [0.07222075445642905, 0.348757440929447], [0.06664685702961344, 0.3184106660501176], [0.06087367864990234, 0.2869789170939127], [0.05500000000000001, 0.255], [0.04912632135009769, 0.22302108290608738], [0.04335314297038658, 0.19158933394988245], [0.037779245543570976, 0.16124255907055307], [0.032500000000000015, 0.13250000000000006], [0.027605735694607572, 0.10585344989286344], [0.023180194846605363, 0.08175883860929586], [0.019299099686894423, 0.060628431628647415], [0.01602885682970026, 0.04282377607281252], [0.013425421036992097, 0.02864951453473475], [0.011533337816991932, 0.01834817255917829], [0.010384981238178534, 0.012096008963416456], [0.1, 0.5], [0.09990365154573716, 0.49947543619345786], [0.09961501876182148, 0.49790399103658356], [0.09913533761814537, 0.49529239369879147], [0.09846666218300808, 0.4916518274408217], [0.09761185582727977, 0.48699788172630093], [0.0965745789630079, 0.48135048546526527], [0.09535927336897097, 0.47473382167550865]],
    },
    {
      // PyTorch 1.13: CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2); step(2.5), 3 × step(), step(10.25), 9 × step().
      name: "CosineAnnealingWarmRestarts: step() after step(fractional epoch) goes on from it",
      make: (o) => [new L.CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 })],
      ops: [{ epoch: 2.5 }, "s", "s", "s", { epoch: 10.25 }, ...steps(9)],
      torch: [[0.1, 0.5], [0.006698729810778065, 0.03349364905389032], [0.09829629131445342, 0.49148145657226705], [0.08535533905932738, 0.42677669529663687], [0.06294095225512604, 0.3147047612756302], [0.09734650647475529, 0.48673253237377645], [0.09157348061512727, 0.45786740307563634], [0.08296729075500345, 0.4148364537750172], [0.07211443451095007, 0.3605721725547503], [0.059754516100806426, 0.2987725805040321], [0.04672984353849285, 0.23364921769246422], [0.03392802673484192, 0.1696401336742096], [0.022221488349019887, 0.11110744174509943], [0.012408009626051137, 0.06204004813025568], [0.0051563629233655935, 0.025781814616827964]],
    },
    {
      // PyTorch 1.13: CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=2, step_size_down=3, scale_fn=lambda c: 1 / (1 + c)).
      name: "CyclicLR with a scaleFn of the cycle, per-group bounds, cycling momentum",
      make: (o) => [new L.CyclicLR(o, { baseLr: [0.01, 0.02], maxLr: [0.1, 0.3], stepSizeUp: 2, stepSizeDown: 3, scaleFn: (c) => 1 / (1 + c) })],
      ops: steps(16),
      torch: [[[0.01, 0.9], [0.02, 0.9]], [[0.0325, 0.875], [0.08999999999999998, 0.875]], [[0.055, 0.8500000000000001], [0.15999999999999995, 0.8500000000000001]], [[0.039999999999999994, 0.8666666666666667], [0.11333333333333331, 0.8666666666666667]], [[0.024999999999999998, 0.8833333333333334], [0.06666666666666665, 0.8833333333333334]], [[0.01, 0.9], [0.02, 0.9]], [[0.025000000000000015, 0.8833333333333333], [0.0666666666666667, 0.8833333333333333]], [[0.04, 0.8666666666666667], [0.1133333333333333, 0.8666666666666667]], [[0.03, 0.8777777777777778], [0.08222222222222221, 0.8777777777777778]], [[0.02000000000000001, 0.888888888888889], [0.051111111111111135, 0.888888888888889]], [[0.01, 0.9], [0.02, 0.9]], [[0.021250000000000012, 0.8875000000000001], [0.05500000000000002, 0.8875000000000001]], [[0.0325, 0.875], [0.08999999999999998, 0.875]], [[0.024999999999999998, 0.8833333333333334], [0.06666666666666665, 0.8833333333333334]], [[0.01750000000000001, 0.8916666666666667], [0.04333333333333335, 0.8916666666666667]], [[0.01, 0.9], [0.02, 0.9]], [[0.01900000000000001, 0.89], [0.04800000000000002, 0.89]]],
    },
    {
      // PyTorch 1.13: CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 1 / (1 + 0.1 * x * x), scale_mode="iterations",
      // base_momentum=0.85, max_momentum=0.95).
      name: "CyclicLR with a scaleFn of the iterations and momentum bounds",
      make: (o) => [new L.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: (x) => 1 / (1 + 0.1 * x * x), scaleMode: "iterations", baseMomentum: 0.85, maxMomentum: 0.95 })],
      ops: steps(16),
      torch: [[[0.01, 0.95], [0.01, 0.95]], [[0.05090909090909092, 0.9045454545454545], [0.05090909090909092, 0.9045454545454545]], [[0.07428571428571429, 0.8785714285714286], [0.07428571428571429, 0.8785714285714286]], [[0.03368421052631579, 0.9236842105263158], [0.03368421052631579, 0.9236842105263158]], [[0.01, 0.95], [0.01, 0.95]], [[0.02285714285714286, 0.9357142857142857], [0.02285714285714286, 0.9357142857142857]], [[0.029565217391304348, 0.9282608695652174], [0.029565217391304348, 0.9282608695652174]], [[0.017627118644067796, 0.9415254237288135], [0.017627118644067796, 0.9415254237288135]], [[0.01, 0.95], [0.01, 0.95]], [[0.014945054945054947, 0.9445054945054945], [0.014945054945054947, 0.9445054945054945]], [[0.01818181818181818, 0.9409090909090909], [0.01818181818181818, 0.9409090909090909]], [[0.013435114503816794, 0.9461832061068702], [0.013435114503816794, 0.9461832061068702]], [[0.01, 0.95], [0.01, 0.95]], [[0.012513966480446927, 0.9472067039106145], [0.012513966480446927, 0.9472067039106145]], [[0.014368932038834952, 0.9451456310679611], [0.014368932038834952, 0.9451456310679611]], [[0.011914893617021277, 0.9478723404255319], [0.011914893617021277, 0.9478723404255319]], [[0.01, 0.95], [0.01, 0.95]]],
    },
    {
      // PyTorch 1.13: OneCycleLR(opt, max_lr=[0.3, 1.0], total_steps=16, anneal_strategy="linear", three_phase=True, pct_start=0.25,
      // div_factor=10, final_div_factor=100); 16 steps (the last one extrapolates past min_lr), then the 17th raises.
      name: "OneCycleLR linear, three phases, divFactor and finalDivFactor; a step too many raises",
      make: (o) => [new L.OneCycleLR(o, { maxLr: [0.3, 1.0], totalSteps: 16, annealStrategy: "linear", threePhase: true, pctStart: 0.25, divFactor: 10, finalDivFactor: 100 })],
      ops: steps(17),
      torch: [[[0.03, 0.95], [0.1, 0.95]], [[0.12, 0.9166666666666666], [0.4, 0.9166666666666666]], [[0.21, 0.8833333333333333], [0.7, 0.8833333333333333]], [[0.30000000000000004, 0.85], [1.0, 0.85]], [[0.21, 0.8833333333333333], [0.7, 0.8833333333333333]], [[0.12, 0.9166666666666666], [0.4, 0.9166666666666666]], [[0.02999999999999997, 0.95], [0.09999999999999998, 0.95]], [[0.026699999999999998, 0.95], [0.08900000000000001, 0.95]], [[0.0234, 0.95], [0.07800000000000001, 0.95]], [[0.0201, 0.95], [0.067, 0.95]], [[0.016800000000000002, 0.95], [0.05600000000000001, 0.95]], [[0.013499999999999998, 0.95], [0.045, 0.95]], [[0.0102, 0.95], [0.034, 0.95]], [[0.0069, 0.95], [0.023000000000000007, 0.95]], [[0.0036000000000000025, 0.95], [0.01200000000000001, 0.95]], [[0.00030000000000000165, 0.95], [0.0010000000000000009, 0.95]], [[-0.0030000000000000027, 0.95], [-0.010000000000000009, 0.95]]],
      raisesAtEnd: true,
    },
    {
      // PyTorch 1.13: OneCycleLR(opt, max_lr=[0.3, 1.0], epochs=3, steps_per_epoch=5, pct_start=0.35, div_factor=5, final_div_factor=50,
      // base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.95]).
      name: "OneCycleLR cos over epochs × stepsPerEpoch with momentum bounds per group",
      make: (o) => [new L.OneCycleLR(o, { maxLr: [0.3, 1.0], epochs: 3, stepsPerEpoch: 5, pctStart: 0.35, divFactor: 5, finalDivFactor: 50, baseMomentum: [0.8, 0.7], maxMomentum: [0.9, 0.95] })],
      ops: steps(16),
      torch: [[[0.06, 0.9], [0.19999999999999996, 0.95]], [[0.09131892993352089, 0.886950445861033], [0.30439643311173636, 0.9173761146525823]], [[0.16892779686440376, 0.8546134179731651], [0.5630926562146792, 0.8365335449329128]], [[0.25231615636551075, 0.8198682681810372], [0.8410538545517026, 0.749670670452593]], [[0.2979567719620682, 0.8008513450158049], [0.9931892398735607, 0.7021283625395123]], [[0.29565870752345214, 0.8014529091286975], [0.9855290250781739, 0.7036322728217435]], [[0.2768713987802429, 0.8077404957228103], [0.9229046626008098, 0.7193512393070256]], [[0.24508733911394937, 0.8183777312202312], [0.8169577970464978, 0.7459443280505778]], [[0.20357797012415482, 0.8322697556478733], [0.6785932337471827, 0.780674389119683]], [[0.15661573145234664, 0.8479867029945293], [0.5220524381744888, 0.8199667574863231]], [[0.10903431089088199, 0.8639108731958227], [0.3634477029696066, 0.8597771829895565]], [[0.06573112683836535, 0.8784032373365578], [0.21910375612788446, 0.8960080933413944]], [[0.031163251147516956, 0.8899721381701751], [0.10387750382505653, 0.9249303454254376]], [[0.008888655573096465, 0.8974268220973572], [0.029628851910321552, 0.9435670552433931]], [[0.0012, 0.9], [0.004, 0.95]], [[0.008888655573096465, 0.8974268220973572], [0.029628851910321552, 0.9435670552433931]]],
      raisesAtEnd: true,
    },
    {
      // PyTorch 1.13: ReduceLROnPlateau(opt, mode="max", threshold_mode="abs", threshold=0.05, patience=1, cooldown=1, factor=0.5, min_lr=[0.02, 0.2]).
      name: "ReduceLROnPlateau: max, absolute threshold, cooldown, minLr per group",
      make: (o) => [new L.ReduceLROnPlateau(o, { mode: "max", thresholdMode: "abs", threshold: 0.05, patience: 1, cooldown: 1, factor: 0.5, minLr: [0.02, 0.2] })],
      ops: METRICS.map((metric) => ({ metric })),
      torch: [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25], [0.025, 0.2], [0.025, 0.2], [0.025, 0.2], [0.025, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2], [0.02, 0.2]],
    },
    {
      // PyTorch 1.13: ReduceLROnPlateau(opt, mode="max", threshold=0.01, patience=2, factor=0.3).
      name: "ReduceLROnPlateau: max, relative threshold",
      make: (o) => [new L.ReduceLROnPlateau(o, { mode: "max", threshold: 0.01, patience: 2, factor: 0.3 })],
      ops: METRICS.map((metric) => ({ metric })),
      torch: [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.03, 0.15], [0.03, 0.15], [0.03, 0.15], [0.03, 0.15], [0.009, 0.045], [0.009, 0.045], [0.009, 0.045], [0.0026999999999999997, 0.0135], [0.0026999999999999997, 0.0135], [0.0026999999999999997, 0.0135], [0.0008099999999999998, 0.00405]],
    },
    {
      // PyTorch 1.13: ReduceLROnPlateau(opt, threshold_mode="abs", patience=0, factor=0.5, eps=0.01): group 0 stops at 0.0125.
      name: "ReduceLROnPlateau: eps skips the reductions smaller than it, per group",
      make: (o) => [new L.ReduceLROnPlateau(o, { thresholdMode: "abs", patience: 0, factor: 0.5, eps: 0.01 })],
      ops: [5, ...new Array<number>(12).fill(4)].map((metric) => ({ metric })),
      torch: [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.025, 0.125], [0.0125, 0.0625], [0.0125, 0.03125], [0.0125, 0.015625], [0.0125, 0.015625], [0.0125, 0.015625], [0.0125, 0.015625], [0.0125, 0.015625], [0.0125, 0.015625], [0.0125, 0.015625]],
    },
    {
      // PyTorch 1.13: PolynomialLR(opt, total_iters=6, power=0.5).
      name: "PolynomialLR with power 0.5, held at 0 after totalIters",
      make: (o) => [new L.PolynomialLR(o, { totalIters: 6, power: 0.5 })],
      ops: steps(9),
      torch: [[0.1, 0.5], [0.09128709291752769, 0.45643546458763845], [0.08164965809277261, 0.408248290463863], [0.07071067811865475, 0.35355339059327373], [0.057735026918962574, 0.28867513459481287], [0.0408248290463863, 0.20412414523193148], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    },
    {
      // PyTorch 1.13: CosineAnnealingLR(opt, T_max=3, eta_min=0.05), three groups (lr 0.1, 0.5, 1.0), 20 steps.
      name: "CosineAnnealingLR past tMax rises again (PyTorch's recursion), three groups",
      lrs: [0.1, 0.5, 1.0],
      make: (o) => [new L.CosineAnnealingLR(o, { tMax: 3, etaMin: 0.05 })],
      ops: steps(20),
      torch: [[0.1, 0.5, 1.0], [0.08750000000000001, 0.3875, 0.7625], [0.06250000000000001, 0.16250000000000006, 0.2875000000000001], [0.05, 0.05, 0.05], [0.0625, 0.16249999999999998, 0.2874999999999999], [0.08750000000000002, 0.38750000000000023, 0.7625000000000005], [0.10000000000000003, 0.5000000000000003, 1.0000000000000007], [0.08750000000000004, 0.38750000000000034, 0.7625000000000007], [0.06250000000000003, 0.16250000000000026, 0.28750000000000053], [0.05, 0.05, 0.05], [0.0625, 0.16249999999999998, 0.2874999999999999], [0.08749999999999995, 0.38749999999999957, 0.7624999999999991], [0.09999999999999996, 0.4999999999999997, 0.9999999999999993], [0.08749999999999997, 0.3874999999999998, 0.7624999999999995], [0.06250000000000001, 0.16250000000000014, 0.2875000000000003], [0.05, 0.05, 0.05], [0.0625, 0.16249999999999998, 0.2874999999999999], [0.08750000000000012, 0.38750000000000107, 0.7625000000000023], [0.10000000000000014, 0.5000000000000013, 1.0000000000000027], [0.08750000000000016, 0.3875000000000014, 0.7625000000000028], [0.06250000000000003, 0.16250000000000026, 0.2875000000000005]],
    },
    {
      // PyTorch 1.13: ChainedScheduler([SequentialLR(opt, [ConstantLR(opt, 0.5, 2), ExponentialLR(opt, 0.9)], milestones=[3]), StepLR(opt, 4, 0.5)]).
      name: "ChainedScheduler of a SequentialLR and a StepLR",
      make: (o) => [new L.ChainedScheduler([
        new L.SequentialLR(o, { schedulers: [new L.ConstantLR(o, { factor: 0.5, totalIters: 2 }), new L.ExponentialLR(o, { gamma: 0.9 })], milestones: [3] }),
        new L.StepLR(o, { stepSize: 4, gamma: 0.5 }),
      ])],
      ops: steps(12),
      torch: [[0.05, 0.25], [0.05, 0.25], [0.1, 0.5], [0.1, 0.5], [0.045000000000000005, 0.225], [0.04050000000000001, 0.2025], [0.03645000000000001, 0.18225000000000002], [0.03280500000000001, 0.16402500000000003], [0.014762250000000005, 0.07381125000000002], [0.013286025000000005, 0.06643012500000002], [0.011957422500000005, 0.05978711250000002], [0.010761680250000006, 0.05380840125000002], [0.0048427561125000025, 0.02421378056250001]],
    },
    {
      // PyTorch 1.13: SequentialLR(opt, [ConstantLR(opt, 0.5, 2), OneCycleLR(opt, max_lr=1.0, total_steps=6)], milestones=[3]):
      // OneCycleLR starts at the milestone, and raises 7 steps after it.
      name: "SequentialLR into OneCycleLR, which raises past its end",
      make: (o) => [new L.SequentialLR(o, { schedulers: [new L.ConstantLR(o, { factor: 0.5, totalIters: 2 }), new L.OneCycleLR(o, { maxLr: 1.0, totalSteps: 6 })], milestones: [3] })],
      ops: steps(10),
      torch: [[[0.02, 0.95], [0.02, 0.95]], [[0.02, 0.95], [0.02, 0.95]], [[0.04, 0.95], [0.04, 0.95]], [[0.040000000000000036, 0.95], [0.040000000000000036, 0.95]], [[0.9944154354509117, 0.8505584586887436], [0.9944154354509117, 0.8505584586887436]], [[0.811745653949763, 0.8688255099070633], [0.811745653949763, 0.8688255099070633]], [[0.46263710266697505, 0.9037365046793212], [0.46263710266697505, 0.9037365046793212]], [[0.1334775301888306, 0.9366525935914912], [0.1334775301888306, 0.9366525935914912]], [[4e-06, 0.95], [4e-06, 0.95]], [[0.13347753018883055, 0.9366525935914912], [0.13347753018883055, 0.9366525935914912]]],
      raisesAtEnd: true,
    },
    {
      // PyTorch 1.13: SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=4), CosineAnnealingLR(opt, 5, 0.01)], milestones=[4]),
      // state dicts reloaded after 2 steps, before the milestone.
      name: "SequentialLR resumed before its milestone",
      make: (o) => [new L.SequentialLR(o, { schedulers: [new L.LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new L.CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 })], milestones: [4] })],
      ops: ["s", "s", "resume", ...steps(10)],
      torch: [[0.010000000000000002, 0.05], [0.03250000000000001, 0.1625], [0.055000000000000014, 0.275], [0.055000000000000014, 0.275], [0.07750000000000003, 0.38750000000000007], [0.1, 0.5], [0.09140576474687263, 0.45320916362186214], [0.06890576474687263, 0.33070916362186215], [0.04109423525312736, 0.1792908363781379], [0.018594235253127367, 0.0567908363781379], [0.01, 0.01], [0.018594235253127367, 0.05679083637813787], [0.04109423525312739, 0.17929083637813795], [0.06890576474687267, 0.33070916362186226]],
    },
    {
      // PyTorch 1.13: CosineAnnealingLR(opt, 5, 0.01) and MultiStepLR(opt, [6, 3, 3], 0.5) stepped in that order, reloaded after 7 steps.
      name: "two schedulers on one optimizer (unsorted, repeated milestones) resumed mid-run",
      make: (o) => [new L.CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 }), new L.MultiStepLR(o, { milestones: [6, 3, 3], gamma: 0.5 })],
      ops: [...steps(7), "resume", ...steps(8)],
      torch: [[0.1, 0.5], [0.09140576474687263, 0.45320916362186214], [0.06890576474687263, 0.33070916362186215], [0.01027355881328184, 0.04482270909453447], [0.010075609796406683, 0.019624760077659315], [0.01, 0.01], [0.009297117626563683, 0.028395418189068936], [0.007456947682814208, 0.07655524824531948], [0.007456947682814208, 0.07655524824531948], [0.005182372542187893, 0.1360840719796827], [0.0033422025984384176, 0.18424390203593327], [0.002639320225002101, 0.2026393202250022], [0.003342202598438416, 0.18424390203593333], [0.005182372542187892, 0.13608407197968272], [0.0074569476828142064, 0.07655524824531952], [0.009297117626563682, 0.028395418189068967], [0.01, 0.01]],
    },
  ];
  for (const c of cases) it(c.name, () => run(c));
});

describe("ReduceLROnPlateau", () => {
  it("takes a one-element tensor as its metric, read in its own dtype as PyTorch's float(metrics)", () => {
    // PyTorch 1.13: ReduceLROnPlateau(opt, patience=1, factor=0.5, threshold=0.1), step(torch.tensor(m)) (float32; [m] for 0.5):
    // float32 0.9 is below 1·(1 − 0.1), so epoch 3 counts as an improvement; best ends at float32 0.3.
    const torch = [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25]];
    const opt = sgd([0.1, 0.5]);
    const s = new L.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, threshold: 0.1 });
    [1.0, 0.95, 0.9, 0.5, 0.5, 0.5, 0.48, 0.3].forEach((m, i) => {
      s.step(new Tensor(Float32Array.of(m), "float32", m === 0.5 ? [1] : []));
      expectRow(opt, torch[i], `step ${i + 1}`);
    });
    expect(s.best).toBe(0.30000001192092896);
    // PyTorch: ValueError "only one element tensors can be converted to Python scalars".
    expect(() => s.step(new Tensor(Float32Array.of(1, 2), "float32", [2]))).toThrow(ShapeError);
    expect(() => s.step(new Tensor(Float32Array.of(1, 2), "float32", [2]))).toThrow(/ReduceLROnPlateau\.step: metric must be one value, got a tensor of shape \[2\]/);
    expect(s.lastEpoch).toBe(8);
  });
});
