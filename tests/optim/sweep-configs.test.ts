// Optimizer and LR-schedule configurations the parity cases leave out: several parameter groups
// with different options, parameters without a gradient in some steps, state dicts saved and
// loaded mid-run, zeroGrad(setToNone), and gradient clipping of one tensor.
import { describe, expect, it } from "vitest";
import { nn, optim, Tensor, ValueError } from "../../src/index.js";

const SHAPES = [[3, 2], [4], [2, 2]];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
// Inputs written as formulas, so the PyTorch script that produced the expected values below
// computes the same ones: θ_i[j] = sin(1.3(i+1) + 0.7j), g_i[j] at step s = cos(0.9s + 1.7i + 0.37j)(1 + i/2).
const initial = (i: number) => Float64Array.from({ length: size(SHAPES[i]) }, (_, j) => Math.sin(1.3 * (i + 1) + 0.7 * j));
const gradient = (s: number, i: number) => Float64Array.from({ length: size(SHAPES[i]) }, (_, j) => Math.cos(0.9 * s + 1.7 * i + 0.37 * j) * (1 + 0.5 * i));
/** Which parameters have a gradient at each of the six steps (the others have none: grad = null). */
const HAS_GRAD = [[1, 1, 1], [1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]];

const leaf = (data: Float64Array, shape: number[]) => {
  const t = new Tensor(data.slice(), "float64", shape);
  t.requiresGrad = true;
  return t;
};

type Groups = [Record<string, unknown>, Record<string, unknown>];
interface GroupCase { name: string; defaults: Record<string, unknown>; groups: Groups; torch: number[][] }

// PyTorch 1.13 (float64): parameter 0 in group 0, parameters 1 and 2 in group 1, six steps of
// gradient() under HAS_GRAD, final values.
const GROUP_CASES: GroupCase[] = [
  { name: "Adam", defaults: { lr: 0.01 }, groups: [{ betas: [0.8, 0.9], weightDecay: 0.1 }, { lr: 0.03, amsgrad: true, eps: 1e-3 }],
    torch: [[0.9452564351168851, 0.8934511302289315, 0.4174216156843619, -0.253690253632127, -0.8089542862560121, -0.9680202095598439], [0.595987801441996, -0.07734756074416695, -0.6894976574343994, -0.9505252656435617], [-0.6094564496101706, -0.9384360634832671, -0.8099027080760876, -0.29139548541341603]] },
  { name: "AdamW", defaults: { lr: 0.01 }, groups: [{ weightDecay: 0.5 }, { lr: 0.05, weightDecay: 0, maximize: true }],
    torch: [[0.9220456312875848, 0.8723180716308796, 0.4073643611525628, -0.24990938811286656, -0.7915238508359543, -0.9450373857570203], [0.3810092976807493, -0.29191007117306567, -0.8690891601309858, -1.0823201709398875], [-0.8183673592885474, -1.0858501819348094, -0.8695819283551375, -0.25951468090706115]] },
  { name: "RMSprop", defaults: { lr: 0.01 }, groups: [{ centered: true, momentum: 0.9, weightDecay: 0.1, maximize: true }, { alpha: 0.5 }],
    torch: [[1.228088792541264, 1.0938846854495061, 0.5266787581520879, -0.21586750111225406, -0.7214949524642731, -1.552760476874277], [0.537102760823773, -0.14511843925522377, -0.7548192250384339, -1.004563400115783], [-0.6742880890520573, -0.9831281362805336, -0.8304879448259447, -0.28113774542297504]] },
  { name: "SGD", defaults: { lr: 0.1 }, groups: [{ momentum: 0.9, weightDecay: 0.1 }, { lr: 0.03, momentum: 0.5, nesterov: true }],
    torch: [[0.6712973973607053, 0.7059854169657063, 0.3796326653294153, -0.12288434228697383, -0.5341588052256065, -0.6342237632050963], [0.5626844061197496, -0.12232007310292305, -0.7379289791442701, -1.0001562881501942], [-0.5753400216165958, -0.9379201497187851, -0.8407001954063692, -0.3509105248951285]] },
  { name: "Adadelta", defaults: { lr: 1.0 }, groups: [{ rho: 0.5, maximize: true, weightDecay: 0.2 }, { eps: 1e-3 }],
    torch: [[0.9610690145921809, 0.9077315517814895, 0.4264748738796114, -0.25539740987220305, -0.8154817971795306, -0.9950842658554309], [0.6565372674675573, -0.08733330012970024, -0.7665049363173596, -1.0438479810620642], [-0.5899236459322094, -0.9225275634886932, -0.8276759757231938, -0.32230519912917033]] },
  { name: "Rprop", defaults: { lr: 0.02 }, groups: [{ etas: [0.3, 1.5], maximize: true }, { stepSizes: [0.01, 0.03] }],
    torch: [[0.991058185417193, 0.9502974268256817, 0.4323798802338298, -0.2505411020268308, -0.8024771110644102, -1.0776646088358406], [0.5883013718214642, -0.12574569414324824, -0.7248024953079282, -0.9679232575641008], [-0.631766159183974, -0.9376910036334645, -0.8222674422239008, -0.26941549819892585]] },
];

type AnyOptimizer = optim.Optimizer<{ lr: number }>;

/** Six steps of a GroupCase; at `resumeAt` the state goes through JSON into a new optimizer. */
function runGroups(c: GroupCase, resumeAt: number | null): Tensor[] {
  const params = SHAPES.map((s, i) => leaf(initial(i), s));
  const Ctor = (optim as unknown as Record<string, new (p: unknown, o: unknown) => AnyOptimizer>)[c.name];
  const make = () => new Ctor([{ params: [params[0]], ...structuredClone(c.groups[0]) }, { params: [params[1], params[2]], ...structuredClone(c.groups[1]) }], structuredClone(c.defaults));
  let opt = make();
  for (let s = 0; s < HAS_GRAD.length; s++) {
    if (s === resumeAt) {
      const saved = JSON.parse(JSON.stringify(opt.stateDict()));
      opt = make();
      opt.loadStateDict(saved);
    }
    params.forEach((p, i) => (p.grad = HAS_GRAD[s][i] ? new Tensor(gradient(s, i), "float64", SHAPES[i]) : null));
    opt.step();
  }
  return params;
}

function expectNear(got: ArrayLike<number>, want: number[], what: string): void {
  want.forEach((w, j) => {
    if (!(Math.abs(got[j] - w) <= 1e-12 * (1 + Math.abs(w)))) throw new Error(`${what}[${j}] is ${got[j]}, PyTorch gives ${w}`);
  });
}

describe("several parameter groups, missing gradients and a state dict reloaded mid-run agree with PyTorch", () => {
  for (const c of GROUP_CASES) {
    for (const resumeAt of [null, 3]) {
      it(`${c.name}${resumeAt === null ? "" : ", state dict reloaded before step 4"}`, () => {
        runGroups(c, resumeAt).forEach((p, i) => expectNear(p.data, c.torch[i], `${c.name} parameter ${i}`));
      });
    }
  }

  it("loadStateDict refuses another group layout or another optimizer's options, and changes nothing", () => {
    const params = SHAPES.map((s, i) => leaf(initial(i), s));
    const source = new optim.Adam([{ params: [params[0]] }, { params: [params[1], params[2]], lr: 0.1 }]);
    params.forEach((p, i) => (p.grad = new Tensor(gradient(0, i), "float64", SHAPES[i])));
    source.step();
    const sd = source.stateDict();
    const targets: AnyOptimizer[] = [
      new optim.Adam(params),
      new optim.Adam([{ params: [params[0], params[1]] }, { params: [params[2]] }]),
      new optim.SGD([{ params: [params[0]] }, { params: [params[1], params[2]] }]) as unknown as AnyOptimizer,
    ];
    for (const t of targets) {
      const before = JSON.stringify(t.stateDict());
      expect(() => t.loadStateDict(sd)).toThrow(ValueError);
      expect(JSON.stringify(t.stateDict())).toBe(before);
    }
  });
});

describe("what an optimizer takes as params", () => {
  it("any iterable of tensors or of groups, as PyTorch (a Set, a generator; a group's params may be one tensor)", () => {
    const a = leaf(Float64Array.of(1, 2), [2]), b = leaf(Float64Array.of(3), [1]);
    const fromSet = new optim.SGD(new Set([a, b]), { lr: 0.1 });
    expect(fromSet.paramGroups[0].params).toEqual([a, b]);
    const fromGenerator = new optim.Adam((function* () { yield { params: [a] }; yield { params: b, lr: 0.5 }; })());
    expect(fromGenerator.paramGroups.map((g) => [g.params, g.lr])).toEqual([[[a], 1e-3], [[b], 0.5]]);
    expect(new optim.LBFGS(new Set([a])).paramGroups[0].params).toEqual([a]);
  });

  it("refuses a lone tensor, a mix of tensors and groups, or no list with ValueErrors saying so", () => {
    const a = leaf(Float64Array.of(1, 2), [2]);
    expect(() => new optim.SGD(a as unknown as Tensor[])).toThrow(/single tensor/);
    expect(() => new optim.LBFGS(a as unknown as Tensor[])).toThrow(/single tensor/);
    expect(() => new optim.SGD([a, { params: [a] }] as unknown as Tensor[])).toThrow(/mixes tensors and param groups/);
    expect(() => new optim.SGD(undefined as unknown as Tensor[])).toThrow(/must be an array/);
    expect(() => new optim.SGD([null] as unknown as Tensor[])).toThrow(/param group 0 must be an object/);
    expect(() => new optim.SGD([])).toThrow(/empty parameter list/);
    for (const bad of [a, [a, { params: [a] }], undefined, [null], []]) expect(() => new optim.SGD(bad as unknown as Tensor[])).toThrow(ValueError);
  });
});

describe("zeroGrad(setToNone)", () => {
  it("with false zeroes each existing gradient, which the next step still applies (PyTorch's set_to_none=False)", () => {
    const lr = 0.1, mu = 0.9;
    const g = Float64Array.of(0.5, -2);
    const make = () => {
      const a = leaf(Float64Array.of(1, 2), [2]), b = leaf(Float64Array.of(3), [1]);
      return { a, b, opt: new optim.SGD([a, b], { lr, momentum: mu }) };
    };
    // Zeroed: the second step still moves a by its momentum, lr·μ·g; b never had a gradient.
    const zeroed = make();
    zeroed.a.grad = new Tensor(g.slice(), "float64", [2]);
    zeroed.opt.step();
    zeroed.opt.zeroGrad(false);
    expect(Array.from(zeroed.a.grad!.data)).toEqual([0, 0]);
    expect(zeroed.a.grad!.dtype).toBe("float64");
    expect(zeroed.b.grad).toBeNull();
    zeroed.opt.step();
    expectNear(zeroed.a.data, [1 - lr * g[0] - lr * mu * g[0], 2 - lr * g[1] - lr * mu * g[1]], "a after a zeroed gradient");
    // Forgotten (the default): the second step skips a.
    const forgotten = make();
    forgotten.a.grad = new Tensor(g.slice(), "float64", [2]);
    forgotten.opt.step();
    forgotten.opt.zeroGrad();
    expect(forgotten.a.grad).toBeNull();
    forgotten.opt.step();
    expectNear(forgotten.a.data, [1 - lr * g[0], 2 - lr * g[1]], "a after a forgotten gradient");
  });

  it("counts a zeroed gradient as a step of Adam's state", () => {
    const a = leaf(Float64Array.of(1), [1]);
    const opt = new optim.Adam([a]);
    a.grad = new Tensor(Float64Array.of(1), "float64", [1]);
    opt.step();
    opt.zeroGrad(false);
    opt.step();
    expect(opt.stateDict().state[0].step).toBe(2);
  });

  it("LBFGS and Module take the same argument, and every zeroGrad refuses a non-boolean", () => {
    const lin = new nn.Linear(2, 1);
    for (const p of lin.parameters()) p.grad = new Tensor(new Float32Array(p.size).fill(3), "float32", p.shape.slice());
    lin.zeroGrad(false);
    for (const p of lin.parameters()) expect(Array.from(p.grad!.data).every((v) => v === 0)).toBe(true);
    lin.zeroGrad();
    for (const p of lin.parameters()) expect(p.grad).toBeNull();

    const a = leaf(Float64Array.of(1, 2), [2]);
    const lbfgs = new optim.LBFGS([a]);
    a.grad = new Tensor(Float64Array.of(4, 5), "float64", [2]);
    lbfgs.zeroGrad(false);
    expect(Array.from(a.grad.data)).toEqual([0, 0]);

    const sgd = new optim.SGD([a]);
    for (const zero of [(v: unknown) => sgd.zeroGrad(v as boolean), (v: unknown) => lbfgs.zeroGrad(v as boolean), (v: unknown) => lin.zeroGrad(v as boolean)]) {
      expect(() => zero("no")).toThrow(ValueError);
      expect(() => zero(0)).toThrow(ValueError);
    }
  });
});

describe("clipGradNorm and clipGradValue", () => {
  const withGrad = (g: number[]) => {
    const p = leaf(new Float64Array(g.length), [g.length]);
    p.grad = new Tensor(Float64Array.from(g), "float64", [g.length]);
    return p;
  };

  it("take one tensor as well as a list (PyTorch's clip_grad_norm_(p, …))", () => {
    const g = [3, -4, 12];
    const p = withGrad(g);
    const norm = optim.clipGradNorm(p, 6.5);
    expect(norm).toBe(13);
    const coef = 6.5 / (13 + 1e-6);
    expectNear(p.grad!.data, g.map((x) => x * coef), "clipped gradient");
    const q = withGrad(g);
    optim.clipGradValue(q, 3.5);
    expect(Array.from(q.grad!.data)).toEqual([3, -3.5, 3.5]);
  });

  it("refuse what is neither a tensor nor an iterable of tensors with a ValueError", () => {
    const p = withGrad([1, 2]);
    for (const bad of [null, 5, [p, 3], { grad: null }]) {
      expect(() => optim.clipGradNorm(bad as unknown as Tensor[], 1)).toThrow(ValueError);
      expect(() => optim.clipGradValue(bad as unknown as Tensor[], 1)).toThrow(ValueError);
    }
    expect(Array.from(p.grad!.data)).toEqual([1, 2]);
  });

  it("a NaN or infinite gradient spreads as in PyTorch", () => {
    // PyTorch 1.13, clip_grad_norm_([a, b], 100) with a.grad = [nan, 1], b.grad = [3, 4]:
    // norm nan, a.grad = [nan, nan], b.grad = [nan, nan]; with a.grad = [inf, 1] and max_norm 1:
    // norm inf, a.grad = [nan, 0], b.grad = [0, 0].
    const nan = [withGrad([NaN, 1]), withGrad([3, 4])];
    expect(optim.clipGradNorm(nan, 100)).toBeNaN();
    for (const p of nan) expect(Array.from(p.grad!.data).every(Number.isNaN)).toBe(true);
    const inf = [withGrad([Infinity, 1]), withGrad([3, 4])];
    expect(optim.clipGradNorm(inf, 1)).toBe(Infinity);
    expect(Array.from(inf[0].grad!.data)).toEqual([NaN, 0]);
    expect(Array.from(inf[1].grad!.data)).toEqual([0, 0]);
  });

  it("normType 1, 2 and ∞ over parameters some of which have no gradient", () => {
    const grads = [[0.5, -2, 1.5], null, [-3, 0.25]];
    const flat = grads.flatMap((g) => g ?? []);
    const norms: [number, number][] = [
      [1, flat.reduce((s, x) => s + Math.abs(x), 0)],
      [2, Math.sqrt(flat.reduce((s, x) => s + x * x, 0))],
      [Infinity, Math.max(...flat.map(Math.abs))],
    ];
    for (const [normType, want] of norms) {
      const params = grads.map((g) => (g ? withGrad(g) : leaf(new Float64Array(2), [2])));
      expect(optim.clipGradNorm(params, 1, normType)).toBeCloseTo(want, 14);
      const coef = 1 / (want + 1e-6);
      grads.forEach((g, i) => (g ? expectNear(params[i].grad!.data, g.map((x) => x * coef), `normType ${normType}`) : expect(params[i].grad).toBeNull()));
    }
  });
});

describe("schedulers over two parameter groups, resumed from their state dicts, agree with PyTorch", () => {
  const twoGroups = (kind: "SGD" | "Adam") => {
    const groups = [0.1, 0.5].map((lr) => ({ params: [leaf(new Float64Array(2), [2])], lr }));
    return kind === "SGD" ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 });
  };

  it("ReduceLROnPlateau: min, relative threshold, cooldown and a minLr per group", () => {
    const metrics = [10, 9, 9.5, 9.2, 9.1, 9.0, 8.99, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 7, 7, 7, 7, 7];
    // PyTorch 1.13: ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1, threshold=0.05,
    // cooldown=2, min_lr=[0.02, 0.01]), both groups' lr after each step(metric).
    const torch = [[0.1, 0.5], [0.1, 0.5], [0.1, 0.5], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25], [0.05, 0.25], [0.025, 0.125],
      [0.025, 0.125], [0.025, 0.125], [0.025, 0.125], [0.02, 0.0625], [0.02, 0.0625], [0.02, 0.0625], [0.02, 0.0625], [0.02, 0.03125], [0.02, 0.03125], [0.02, 0.03125]];
    const options: optim.lr.ReduceLROnPlateauOptions = { mode: "min", factor: 0.5, patience: 1, threshold: 0.05, cooldown: 2, minLr: [0.02, 0.01] };
    for (const resumeAt of [null, 5, 11]) {
      let opt = twoGroups("SGD");
      let sched = new optim.lr.ReduceLROnPlateau(opt, options);
      metrics.forEach((m, i) => {
        if (i === resumeAt) {
          const o = JSON.parse(JSON.stringify(opt.stateDict())), s = JSON.parse(JSON.stringify(sched.stateDict()));
          opt = twoGroups("SGD");
          opt.loadStateDict(o);
          sched = new optim.lr.ReduceLROnPlateau(opt, options);
          sched.loadStateDict(s);
        }
        sched.step(m);
        expectNear(opt.paramGroups.map((g) => g.lr), torch[i], `lr after step ${i + 1} (resumed at ${resumeAt})`);
      });
    }
  });

  it("OneCycleLR with Adam: maxLr and momentum bounds per group cycle β1", () => {
    // PyTorch 1.13: OneCycleLR(Adam, max_lr=[0.4, 1.0], total_steps=12, pct_start=0.4,
    // base_momentum=[0.8, 0.7], max_momentum=[0.95, 0.9]); [lr, β1] of both groups at each step.
    const torch = [[[0.016000000000000014, 0.95], [0.040000000000000036, 0.9]], [[0.07796193824785769, 0.9257961178719305], [0.19490484561964427, 0.8677281571625741]],
      [[0.2238552343306877, 0.8688065490895751], [0.5596380858267194, 0.7917420654527668]], [[0.35951497780410757, 0.8158144617952705], [0.8987874445102688, 0.7210859490603606]],
      [[0.39923894266259063, 0.8002853976431191], [0.9980973566564766, 0.7003805301908255]], [[0.37320518793656476, 0.8100480947161671], [0.9330129698414118, 0.7133974596215561]],
      [[0.31471562840906026, 0.8319817672736716], [0.7867890710226505, 0.7426423563648953]], [[0.234730296614844, 0.8619763866749802], [0.58682574153711, 0.782635182233307]],
      [[0.148237198034732, 0.894411428382689], [0.37059299508683, 0.825881904510252]], [[0.07144379229277989, 0.9232090707264904], [0.17860948073194968, 0.864278760968654]],
      [[0.01873996763889969, 0.9429730840277487], [0.04684991909724921, 0.890630778703665]], [[1.6e-06, 0.95], [4e-06, 0.9]]];
    const options = { maxLr: [0.4, 1.0], totalSteps: 12, pctStart: 0.4, baseMomentum: [0.8, 0.7], maxMomentum: [0.95, 0.9] };
    for (const resumeAt of [null, 4]) {
      let opt = twoGroups("Adam");
      let sched = new optim.lr.OneCycleLR(opt, options);
      const seen = () => opt.paramGroups.map((g) => [g.lr, (g as unknown as { betas: number[] }).betas[0]]);
      torch.forEach((want, i) => {
        if (i > 0) {
          if (i === resumeAt) {
            const o = JSON.parse(JSON.stringify(opt.stateDict())), s = JSON.parse(JSON.stringify(sched.stateDict()));
            opt = twoGroups("Adam");
            sched = new optim.lr.OneCycleLR(opt, options);
            opt.loadStateDict(o);
            sched.loadStateDict(s);
          }
          sched.step();
        }
        seen().forEach((pair, gi) => expectNear(pair, want[gi], `[lr, β1] of group ${gi} at step ${i} (resumed at ${resumeAt})`));
      });
    }
  });
});
