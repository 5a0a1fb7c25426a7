// What the Optimizer base does for every algorithm: maximize, skipping frozen and grad-less
// parameters, refusing bad gradients / options / state dicts with typed errors before anything
// changes.
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, optim, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { adamRef, rmspropRef, type Rule } from "./reference.js";

const leaf = (a: ArrayLike<number>, shape = [a.length]) => { const t = fromTypedArray(Float32Array.from(a), shape); t.requiresGrad = true; return t; };
const grad = (a: ArrayLike<number>, shape = [a.length]) => fromTypedArray(Float32Array.from(a), shape);
const bits = (t: Tensor) => Array.from(t.data);

type Make = (p: any, o?: any) => any;
/** Every optimizer with PyTorch's maximize, with options that exercise weight decay where it exists. */
const withMaximize: [string, Make, any][] = [
  ["SGD", (p, o) => new optim.SGD(p, o), { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }],
  ["Adam", (p, o) => new optim.Adam(p, o), { lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  ["Adam (no decay, no amsgrad: the backend kernel)", (p, o) => new optim.Adam(p, o), { lr: 0.01 }],
  ["AdamW", (p, o) => new optim.AdamW(p, o), { lr: 0.01 }],
  ["Adamax", (p, o) => new optim.Adamax(p, o), { weightDecay: 0.1 }],
  ["Nadam", (p, o) => new optim.Nadam(p, o), { weightDecay: 0.1 }],
  ["RAdam", (p, o) => new optim.RAdam(p, o), { weightDecay: 0.1 }],
  ["RMSprop", (p, o) => new optim.RMSprop(p, o), { weightDecay: 0.1, centered: true, momentum: 0.5 }],
  ["Adagrad", (p, o) => new optim.Adagrad(p, o), { weightDecay: 0.1 }],
  ["Adadelta", (p, o) => new optim.Adadelta(p, o), { weightDecay: 0.1 }],
  ["Rprop", (p, o) => new optim.Rprop(p, o), {}],
  ["ASGD", (p, o) => new optim.ASGD(p, o), { weightDecay: 0.1 }],
  ["Lion", (p, o) => new optim.Lion(p, o), { weightDecay: 0.1 }],
  ["LAMB", (p, o) => new optim.LAMB(p, o), { weightDecay: 0.1 }],
];

describe("maximize", () => {
  for (const [name, make, o] of withMaximize) {
    it(`${name}: maximize with gradient g is the minimizing step with −g (weight decay included), and g is left alone`, () => {
      const rng = new Rng(7);
      const init = Array.from({ length: 6 }, () => rng.normal());
      const a = leaf(init, [2, 3]), b = leaf(init, [2, 3]);
      const up = make([a], { ...o, maximize: true }), down = make([b], o);
      for (let t = 0; t < 3; t++) {
        const g = Array.from({ length: 6 }, () => rng.normal());
        a.grad = grad(g, [2, 3]);
        b.grad = grad(g.map((x) => -x), [2, 3]);
        up.step();
        down.step();
        expect(bits(a)).toEqual(bits(b));
        expect(Array.from(a.grad.data)).toEqual(Array.from(Float32Array.from(g)));
      }
    });
  }

  it("SGD with maximize and weight decay is θ ← θ − η·(−g + λθ), as PyTorch", () => {
    const p = leaf([1, -2]);
    const opt = new optim.SGD([p], { lr: 0.5, weightDecay: 0.1, maximize: true });
    p.grad = grad([3, 4]);
    opt.step();
    const want = [1 - 0.5 * (-3 + 0.1 * 1), -2 - 0.5 * (-4 + 0.1 * -2)].map(Math.fround);
    expect(bits(p)).toEqual(want);
  });

  it("maximize is per param group and must be a boolean", () => {
    const a = leaf([1]), b = leaf([1]);
    const opt = new optim.SGD([{ params: [a], maximize: true }, { params: [b] }], { lr: 1 });
    a.grad = grad([1]); b.grad = grad([1]);
    opt.step();
    expect(bits(a)).toEqual([2]);
    expect(bits(b)).toEqual([0]);
    expect(() => new optim.Adam([a], { maximize: "yes" as never })).toThrow(/maximize must be true or false/);
  });
});

describe("which parameters a step touches", () => {
  it("frozen parameters (requiresGrad false) and parameters without a grad are skipped, and get no state", () => {
    const live = leaf([1, 2]), frozen = leaf([3, 4]), unused = leaf([5]);
    const opt = new optim.Adam([live, frozen, unused], { lr: 0.1 });
    frozen.grad = grad([1, 1]);
    frozen.requiresGrad = false;
    live.grad = grad([1, 1]);
    opt.step();
    expect(bits(frozen)).toEqual([3, 4]);
    expect(bits(unused)).toEqual([5]);
    expect(bits(live)).not.toEqual([1, 2]);
    expect(Object.keys(opt.stateDict().state)).toEqual(["0"]);
  });
});

describe("bad gradients: a typed error before any parameter or state changes", () => {
  // A gradient is checked where it is assigned (.grad, as PyTorch checks): one of the wrong shape
  // or dtype never reaches an optimizer.
  for (const [name, make, o] of withMaximize) {
    it(`${name}: a gradient of the wrong shape (the last parameter) → ShapeError naming the shapes, nothing changed`, () => {
      const a = leaf([1, 2, 3]), b = leaf([4, 5, 6, 7], [2, 2]);
      const opt = make([a, b], o);
      a.grad = grad([1, 1, 1]); b.grad = grad([1, 1, 1, 1], [2, 2]);
      opt.step();
      const before = JSON.stringify(opt.stateDict()), pa = bits(a), pb = bits(b), gb = b.grad;
      a.grad = grad([1, 1, 1]);
      expect(() => { b.grad = grad([1, 1, 1], [3]); }).toThrow(ShapeError);
      expect(() => { b.grad = grad([1, 1, 1, 1], [4]); }).toThrow(/a gradient of shape \[4\] for a tensor of shape \[2,2\]/);
      expect(b.grad).toBe(gb);
      expect(bits(a)).toEqual(pa);
      expect(bits(b)).toEqual(pb);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
    });
  }

  it("an integer gradient → DTypeError", () => {
    const a = leaf([1]);
    expect(() => { a.grad = fromTypedArray(Int32Array.of(1)); }).toThrow(DTypeError);
    expect(a.grad).toBe(null);
    expect(bits(a)).toEqual([1]);
  });
});

describe("unknown option keys are refused", () => {
  const a = leaf([1]);
  for (const [name, make] of withMaximize) {
    it(`${name}: in the options and in a param group`, () => {
      expect(() => make([a], { learningRate: 0.01 })).toThrow(ValueError);
      expect(() => make([a], { learningRate: 0.01 })).toThrow(/unknown option "learningRate"/);
      expect(() => make([{ params: [a], momentun: 0.9 }])).toThrow(/param group 0: unknown option "momentun"/);
    });
  }
  it("AdamW refuses decoupled (it is always decoupled); LBFGS refuses unknown keys", () => {
    expect(() => new optim.AdamW([a], { decoupled: false } as never)).toThrow(/unknown option "decoupled"/);
    expect(() => new optim.AdamW([{ params: [a], decoupled: false }])).toThrow(/decoupled is always true/);
    expect(() => new optim.LBFGS([a], { learningRate: 1 } as never)).toThrow(/unknown option "learningRate"/);
  });
});

describe("loadStateDict refuses a bad dict and changes nothing", () => {
  function trained() {
    const a = leaf([1, 2, 3]), b = leaf([4]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = grad([1, -1, 1]); b.grad = grad([2]);
    opt.step();
    return { opt, good: opt.stateDict() };
  }
  const cases: [string, (sd: any) => any, RegExp, typeof ValueError | typeof ShapeError][] = [
    ["{}", () => ({}), /expected \{ state, paramGroups \}/, ValueError],
    ["lr: -5", (sd) => { sd.paramGroups[0].lr = -5; return sd; }, /lr must be in \[0, Infinity\], got -5/, ValueError],
    ["an unknown group key", (sd) => { sd.paramGroups[0].learningRate = 1; return sd; }, /unknown option "learningRate"/, ValueError],
    ["a buffer of the wrong length", (sd) => { sd.state[0].buffers.v = [1, 2]; return sd; }, /buffer v of parameter 0 has 2 values, the parameter of shape \[3\] has 3/, ShapeError],
    ["a missing buffer", (sd) => { delete sd.state[1].buffers.m; return sd; }, /parameter 1 has buffers \[v\], expected \[m,v\]/, ValueError],
    ["a buffer Adam never keeps", (sd) => { sd.state[0].buffers.w = [0, 0, 0]; return sd; }, /parameter 0 has buffers \[m,v,w\], expected \[m,v\]/, ValueError],
    ["state for a parameter that does not exist", (sd) => { sd.state[5] = sd.state[0]; return sd; }, /parameter 5, which does not exist/, ValueError],
    ["a negative step", (sd) => { sd.state[0].step = -1; return sd; }, /step of parameter 0 must be an integer ≥ 0/, ValueError],
    ["a non-numeric buffer value", (sd) => { sd.state[0].buffers.m[1] = "x"; return sd; }, /holds a string at 1/, ValueError],
    ["too few groups", (sd) => ({ ...sd, paramGroups: [] }), /0 parameter groups, this optimizer 1/, ValueError],
  ];
  for (const [what, corrupt, message, type] of cases) {
    it(what, () => {
      const { opt, good } = trained();
      const before = JSON.stringify(opt.stateDict());
      const bad = corrupt(structuredClone(good));
      expect(() => opt.loadStateDict(bad)).toThrow(type);
      expect(() => opt.loadStateDict(bad)).toThrow(message);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
    });
  }
  it("a good dict still loads (including its lr)", () => {
    const { opt, good } = trained();
    good.paramGroups[0].lr = 0.5;
    opt.loadStateDict(good);
    expect(opt.lr).toBe(0.5);
  });

  it("an optimizer reloads its own stateDict after its options changed, and keeps buffers they no longer use (as PyTorch)", () => {
    const p = f64Leaf([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    const stepWith = (g: number) => { p.grad = f64Grad([g]); opt.step(); return p.data[0]; };
    stepWith(1);
    Object.assign(opt.paramGroups[0], { momentum: 0.9, dampening: 0.5 });
    stepWith(1);
    opt.paramGroups[0].momentum = 0;
    opt.loadStateDict(opt.stateDict());
    expect(opt.stateDict().state[0].buffers).toEqual({ momentum: [1] });
    // torch 1.13, float64, continuing the SGD of "momentum turned on later" below: momentum set
    // to 0, load_state_dict(state_dict()) loads; a step with g = 1 gives p = 0.7000000000000001
    // (momentum_buffer kept at 1); momentum 0.9 again and g = 1: p = 0.56 (buffer 1.4).
    expect(stepWith(1)).toBe(0.7000000000000001);
    opt.paramGroups[0].momentum = 0.9;
    expect(stepWith(1)).toBe(0.56);

    const q = f64Leaf([1, 2]);
    const adam = new optim.Adam([q], { lr: 0.1, amsgrad: true });
    q.grad = f64Grad([1, -1]);
    adam.step();
    adam.paramGroups[0].amsgrad = false;
    const saved = adam.stateDict();
    adam.loadStateDict(saved);
    expect(Object.keys(adam.stateDict().state[0].buffers).sort()).toEqual(["m", "v", "vMax"]);
    expect(adam.stateDict()).toEqual(saved);
  });
});

const f64Leaf = (a: number[]) => { const t = fromTypedArray(Float64Array.from(a)); t.requiresGrad = true; return t; };
const f64Grad = (a: number[]) => fromTypedArray(Float64Array.from(a));
const U32 = 2 ** -24, U64 = 2 ** -53, ETA32 = 2 ** -149;

/**
 * One step of `opt` over its single parameter `p` with gradient `g`, checked element by element
 * against `rule` applied to the state before the step; a buffer the state does not hold yet is
 * taken as 0 (how a buffer an option turns on starts). Tolerance as in steps.test.ts: float32
 * arithmetic (Adam's kernel) within 32·u32 of the terms' magnitude, float64 within 32·u64.
 */
function stepAgainst(opt: any, p: Tensor, g: number[], rule: Rule, buffers: string[]): void {
  const before = opt.stateDict().state[0] ?? { step: 0, buffers: {} };
  const t = before.step + 1, o = opt.paramGroups[0], p0 = Array.from(p.data);
  p.grad = fromTypedArray(p.dtype === "float64" ? Float64Array.from(g) : Float32Array.from(g));
  opt.step();
  const after = opt.stateDict().state[0];
  const u = p.dtype === "float64" ? U64 : U32;
  p0.forEach((p0i, i) => {
    const elem: Record<string, number> = { p: p0i, g: g[i] };
    for (const b of buffers) elem[b] = before.buffers[b]?.[i] ?? 0;
    const { out, mag } = rule(elem, t, o);
    for (const [k, want] of Object.entries(out)) {
      const got = k === "p" ? p.data[i] : after.buffers[k][i];
      const tol = 32 * u * mag[k] + ETA32;
      if (!(Math.abs(got - want) <= tol)) throw new Error(`step ${t}: ${k}[${i}] = ${got}, reference ${want} (tol ${tol}), options ${JSON.stringify({ ...o, params: undefined })}`);
    }
  });
}

describe("options changed between steps: buffers start when first needed and are kept when unused (as PyTorch)", () => {
  it("SGD: momentum turned on later starts its buffer as the gradient (PyTorch's clone(g)), then μ·b + (1−τ)·g", () => {
    const p = f64Leaf([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = f64Grad([1]);
    opt.step();
    Object.assign(opt.paramGroups[0], { momentum: 0.9, dampening: 0.5 });
    p.grad = f64Grad([1]);
    opt.step();
    // torch 1.13, float64: SGD([p = 1], lr=0.1), a step with g = 1, then momentum 0.9 and
    // dampening 0.5 set on the param group and a step with g = 1: p = 0.8, momentum_buffer = 1.
    expect(Array.from(p.data)).toEqual([0.8]);
    expect(opt.stateDict().state[0].buffers.momentum).toEqual([1]);

    // The rule on random values, with weight decay: b = d at the step momentum starts, then
    // b ← μ·b + (1−τ)·d, θ ← θ − η·b, where d = g + λθ.
    const rng = new Rng(3);
    const init = Array.from({ length: 5 }, () => rng.normal());
    const q = f64Leaf(init), ref = init.slice(), buf = new Array<number>(5);
    const o = { lr: 0.05, momentum: 0, dampening: 0.25, weightDecay: 0.01 };
    const sgd = new optim.SGD([q], o);
    for (let t = 1; t <= 5; t++) {
      if (t === 3) { sgd.paramGroups[0].momentum = 0.8; o.momentum = 0.8; }
      const g = Array.from({ length: 5 }, () => rng.normal());
      q.grad = f64Grad(g);
      sgd.step();
      for (let i = 0; i < 5; i++) {
        const d = g[i] + o.weightDecay * ref[i];
        if (o.momentum !== 0) buf[i] = t === 3 ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
        ref[i] -= o.lr * (o.momentum !== 0 ? buf[i] : d);
        expect(Math.abs(q.data[i] - ref[i])).toBeLessThanOrEqual(64 * U64 * (Math.abs(ref[i]) + 1));
      }
    }
  });

  it("Adam: amsgrad turned on later starts v̂max at 0 (torch 1.13 raises KeyError), off keeps it, on again takes the max with it", () => {
    for (const dtype of ["float64", "float32"] as const) {
      const p = fromTypedArray(dtype === "float64" ? Float64Array.of(1, 2, -3) : Float32Array.of(1, 2, -3));
      p.requiresGrad = true;
      const opt = new optim.Adam([p], { lr: 0.1, weightDecay: 0.01 });
      const schedule: [boolean, number[]][] = [[false, [1, 1, 1]], [true, [2, -1, 0.5]], [true, [0.1, 0.1, -0.1]], [false, [3, 0.2, 0.01]], [true, [0.05, -0.2, 0.01]]];
      for (const [amsgrad, g] of schedule) {
        opt.paramGroups[0].amsgrad = amsgrad;
        const before = opt.stateDict().state[0]?.buffers.vMax;
        stepAgainst(opt, p, g, adamRef, ["m", "v", "vMax"]);
        if (!amsgrad) expect(opt.stateDict().state[0].buffers.vMax).toEqual(before);
      }
    }
  });

  it("RMSprop: centered and momentum turned on later start their buffers at 0 (torch 1.13 raises KeyError)", () => {
    const p = f64Leaf([1, 2, -3]);
    const opt = new optim.RMSprop([p], { lr: 0.01 });
    const schedule: [Partial<optim.RMSpropOptions>, number[]][] = [[{}, [1, 1, 1]], [{ centered: true }, [2, -1, 0.5]], [{ momentum: 0.5 }, [0.1, 0.1, -0.1]], [{ centered: false }, [3, 0.2, 0.01]]];
    for (const [change, g] of schedule) {
      Object.assign(opt.paramGroups[0], change);
      stepAgainst(opt, p, g, rmspropRef, ["sq", "gAvg", "momentum"]);
    }
  });
});

describe("ASGD.averageOf", () => {
  it("is the parameter itself before t0 and a running mean after", () => {
    const p = leaf([0]);
    const opt = new optim.ASGD([p], { lr: 1, lambd: 0, alpha: 0, t0: 1 });
    expect(opt.averageOf(p)).toBeNull();
    const seen: number[] = [];
    for (let t = 1; t <= 5; t++) {
      p.grad = grad([-1]);
      opt.step();
      seen.push(p.data[0]);
      // Step t averages with μ = 1/max(1, t−1−t0) (PyTorch): a copy up to step t0 + 2, then the
      // mean of the iterates from step t0 + 2 on.
      const tail = t <= 3 ? [seen[t - 1]] : seen.slice(2);
      expect(opt.averageOf(p)!.data[0]).toBeCloseTo(tail.reduce((a, x) => a + x, 0) / tail.length, 6);
    }
    expect(() => opt.averageOf(leaf([1]))).toThrow(ValueError);
  });
});
