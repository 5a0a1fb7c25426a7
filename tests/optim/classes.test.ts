// The optimizer classes are thin shells: bit-identical to their step functions over several
// steps, with state that survives stateDict/loadStateDict, per-group options and typed errors.
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim, Rng, Tensor, ValueError } from "../../src/index.js";

const randArray = (n: number, rng: Rng, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);
const leaf = (a: Float32Array, shape: number[]) => { const t = fromTypedArray(a.slice(), shape); t.requiresGrad = true; return t; };
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((v, i) => Object.is(v, b[i]));

interface Spec { name: string; make: (p: Tensor[]) => any; buffers: string[]; step: (p: Float32Array, g: Float32Array, s: Record<string, Float32Array>, t: number, sc: { mu: number }) => void }
const specs: Spec[] = [
  { name: "SGD", make: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }), buffers: ["b"],
    step: (p, g, s, t) => optim.sgdStep(p, g, s.b, t === 1, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-3 }) },
  { name: "Adam", make: (p) => new optim.Adam(p, { lr: 1e-2, amsgrad: true }), buffers: ["m", "v", "x"],
    step: (p, g, s, t) => optim.adamStep(p, g, s.m, s.v, s.x, t, { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, decoupled: false }) },
  { name: "AdamW", make: (p) => new optim.AdamW(p, { lr: 1e-2 }), buffers: ["m", "v"],
    step: (p, g, s, t) => optim.adamStep(p, g, s.m, s.v, null, t, { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, decoupled: true }) },
  { name: "Adamax", make: (p) => new optim.Adamax(p), buffers: ["m", "u"],
    step: (p, g, s, t) => optim.adamaxStep(p, g, s.m, s.u, t, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }) },
  { name: "Nadam", make: (p) => new optim.Nadam(p), buffers: ["m", "v"],
    step: (p, g, s, t, sc) => { sc.mu = optim.nadamStep(p, g, s.m, s.v, t, sc.mu, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }); } },
  { name: "RMSprop", make: (p) => new optim.RMSprop(p, { centered: true, momentum: 0.5 }), buffers: ["sq", "a", "b"],
    step: (p, g, s) => optim.rmspropStep(p, g, s.sq, s.a, s.b, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.5, centered: true }) },
  { name: "Adagrad", make: (p) => new optim.Adagrad(p, { lrDecay: 0.1, initialAccumulatorValue: 0.5 }), buffers: ["sum"],
    step: (p, g, s, t) => { if (t === 1) s.sum.fill(0.5); optim.adagradStep(p, g, s.sum, t, { lr: 1e-2, lrDecay: 0.1, weightDecay: 0, initialAccumulatorValue: 0.5, eps: 1e-10 }); } },
  { name: "Adadelta", make: (p) => new optim.Adadelta(p), buffers: ["sq", "d"],
    step: (p, g, s) => optim.adadeltaStep(p, g, s.sq, s.d, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 }) },
  { name: "RAdam", make: (p) => new optim.RAdam(p, { lr: 1e-2, weightDecay: 0.1, decoupledWeightDecay: true }), buffers: ["m", "v"],
    step: (p, g, s, t) => optim.radamStep(p, g, s.m, s.v, t, { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: true }) },
  { name: "Rprop", make: (p) => new optim.Rprop(p, { lr: 0.05 }), buffers: ["prev", "size"],
    step: (p, g, s, t) => { if (t === 1) s.size.fill(0.05); optim.rpropStep(p, g, s.prev, s.size, { lr: 0.05, etas: [0.5, 1.2], stepSizes: [1e-6, 50] }); } },
  { name: "ASGD", make: (p) => new optim.ASGD(p, { lr: 0.05, t0: 2, lambd: 0.01 }), buffers: ["ax"],
    step: (p, g, s, t, sc: any) => {
      const r = optim.asgdStep(p, g, s.ax, t, sc.eta ?? 0.05, sc.asgdMu ?? 1, { lr: 0.05, lambd: 0.01, alpha: 0.75, t0: 2, weightDecay: 0 });
      sc.eta = r.eta; sc.asgdMu = r.mu;
    } },
  { name: "Lion", make: (p) => new optim.Lion(p, { lr: 1e-3, weightDecay: 0.5 }), buffers: ["m"],
    step: (p, g, s) => optim.lionStep(p, g, s.m, { lr: 1e-3, betas: [0.9, 0.99], weightDecay: 0.5 }) },
  { name: "LAMB", make: (p) => new optim.LAMB(p, { lr: 1e-2, weightDecay: 0.01 }), buffers: ["m", "v"],
    step: (p, g, s, t) => { optim.lambStep(p, g, s.m, s.v, t, { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.01 }); } },
];

describe("optimizer classes", () => {
  for (const s of specs) {
    it(`${s.name} is bit-identical to its step function over 4 steps, and survives stateDict/loadStateDict`, () => {
      const rng = new Rng(1);
      const shapes = [[3, 4], [4]];
      const init = shapes.map((sh) => randArray(sh.reduce((a, b) => a * b), rng));
      const params = init.map((a, i) => leaf(a, shapes[i]));
      const opt = s.make(params);
      const manual = init.map((a) => ({ p: a.slice(), s: Object.fromEntries(s.buffers.map((b) => [b, new Float32Array(a.length)])), sc: { mu: 1 } }));
      for (let t = 1; t <= 4; t++) {
        const grads = init.map((a) => randArray(a.length, rng));
        params.forEach((p, i) => (p.grad = fromTypedArray(grads[i].slice(), p.shape.slice())));
        opt.step();
        manual.forEach((m, i) => s.step(m.p, grads[i], m.s, t, m.sc));
        params.forEach((p, i) => expect(sameBits(p.data, manual[i].p)).toBe(true));
        if (t === 2) {
          // A fresh optimizer restored from the dict must continue identically.
          const copy = params.map((p, i) => leaf(p.data as Float32Array, shapes[i]));
          const other = s.make(copy);
          other.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
          const g = init.map((a) => randArray(a.length, new Rng(99)));
          const a1 = params.map((p) => (p.data as Float32Array).slice());
          params.forEach((p, i) => (copy[i].grad = fromTypedArray(g[i].slice(), p.shape.slice())));
          other.step();
          const mirror = s.make(params.map((p, i) => leaf(a1[i], shapes[i])));
          mirror.loadStateDict(opt.stateDict());
          mirror.paramGroups[0].params.forEach((p: Tensor, i: number) => (p.grad = fromTypedArray(g[i].slice(), p.shape.slice())));
          mirror.step();
          copy.forEach((c, i) => expect(sameBits(c.data, mirror.paramGroups[0].params[i].data)).toBe(true));
        }
      }
    });
  }

  it("param groups keep their own options; opt.lr reads the first group and sets all", () => {
    const a = leaf(Float32Array.of(1, 2), [2]), b = leaf(Float32Array.of(3), [1]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = fromTypedArray(Float32Array.of(1, 1)); b.grad = fromTypedArray(Float32Array.of(1));
    opt.step();
    expect(Array.from(a.data)).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(Array.from(b.data)).toEqual([2.5]);
    expect(opt.lr).toBe(0.1);
    opt.lr = 0.01;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.01]);
  });

  it("zeroGrad forgets gradients; parameters without a grad are skipped", () => {
    const a = leaf(Float32Array.of(1), [1]);
    const opt = new optim.Adam([a]);
    opt.step();
    expect(a.data[0]).toBe(1);
    a.grad = fromTypedArray(Float32Array.of(1));
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it("bad options and bad parameters give ValueErrors that name the value", () => {
    const a = leaf(Float32Array.of(1), [1]);
    expect(() => new optim.SGD([a], { lr: -1 })).toThrow(ValueError);
    expect(() => new optim.SGD([a], { lr: -1 })).toThrow(/lr .*-1/);
    expect(() => new optim.Adam([a], { betas: [1.2, 0.9] })).toThrow(/betas\[0\]/);
    expect(() => new optim.SGD([a], { nesterov: true })).toThrow(ValueError);
    expect(() => new optim.RMSprop([a], { alpha: 2 })).toThrow(ValueError);
    expect(() => new optim.SGD([])).toThrow(ValueError);
    expect(() => new optim.SGD([a, a])).toThrow(/param group 0 lists parameter 1 \(shape \[\d+\]\) twice \(also parameter 0\)/);
    expect(() => new optim.SGD([{ params: [a] }, { params: [a] }])).toThrow(/a parameter appears in more than one group/);
    const view = leaf(new Float32Array(4), [4]).detach().slice([1, 3]);
    expect(() => new optim.SGD([view])).toThrow(/contiguous float tensors owning their storage/);
  });

  it("clipGradNorm scales all grads by maxNorm/(norm+1e-6) when the joint norm exceeds it", () => {
    const a = leaf(Float32Array.of(0, 0), [2]), b = leaf(Float32Array.of(0), [1]);
    a.grad = fromTypedArray(Float32Array.of(3, 0)); b.grad = fromTypedArray(Float32Array.of(4));
    const norm = optim.clipGradNorm([a, b], 1);
    expect(norm).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect(a.grad!.data[0]).toBe(Math.fround(3 * c));
    expect(b.grad!.data[0]).toBe(Math.fround(4 * c));
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expect(optim.clipGradNorm([a, b], 0.5, Infinity)).toBeCloseTo(0.8, 5);
  });

  it("clipGradValue clamps each element", () => {
    const a = leaf(Float32Array.of(0, 0, 0), [3]);
    a.grad = fromTypedArray(Float32Array.of(-3, 0.5, 7));
    optim.clipGradValue([a], 1);
    expect(Array.from(a.grad.data)).toEqual([-1, 0.5, 1]);
  });
});
