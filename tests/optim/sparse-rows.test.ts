// Row-sparse gradients (an Embedding with sparse: true) in the optimizers: SGD and SparseAdam
// update only the rows used, leaving every other row and its state bit for bit; the other
// optimizers read the gradient densely, which is exact; what has no row-wise form is refused.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { Embedding } from "../../src/nn/index.js";
import { Tensor } from "../../src/ndarray/index.js";
import { Adam, SGD, SparseAdam } from "../../src/optim/index.js";

const ints = (values: number[]) => new Tensor(Int32Array.from(values), "int32", [values.length]);
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** One backward through a sparse Embedding with a seeded weighting of its output. */
function backwardOn(e: Embedding, idx: number[], seed: number): void {
  const y = e.forward(ints(idx));
  const r = new Float32Array(y.size).map((_, i) => Math.sin(seed * 7.1 + i * 1.3) + 0.2);
  y.mul(new Tensor(r, "float32", y.shape.slice())).sum().backward();
}

const stepsArb = fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });

interface Lazy { update(rows: Set<number>, g: Float64Array, t: number): void }

/** Runs the steps on a sparse Embedding and a float64 lazy reference; compares after each step. */
type Opt = { step(): void; zeroGrad(): void; stateDict(): { state: Record<number, { buffers: Record<string, number[]> }> } };
const buffersOf = (opt: Opt) => opt.stateDict().state[0]?.buffers ?? {};

function checkLazy(make: (e: Embedding) => Opt, ref: (w: Float64Array) => Lazy,
                   steps: number[][], tolRel: number): void {
  const width = 3;
  const e = new Embedding(12, width, { sparse: true, seed: 1 });
  const opt = make(e);
  const w = Float64Array.from(e.weight.data);
  const lazy = ref(w);
  steps.forEach((idx, t) => {
    opt.zeroGrad();
    backwardOn(e, idx, t);
    const g = Float64Array.from(e.weight.grad!.data);
    const before = bits(e.weight.data);
    const stateBefore = buffersOf(opt);
    opt.step();
    const rows = new Set(idx);
    for (const [name, after] of Object.entries(buffersOf(opt))) {
      const was = stateBefore[name] ?? new Array(after.length).fill(0);
      for (let i = 0; i < after.length; i++) if (!rows.has(Math.floor(i / width))) expect(bits([after[i]]), `state ${name}[${i}]`).toEqual(bits([was[i]]));
    }
    lazy.update(rows, g, t + 1);
    const after = bits(e.weight.data);
    for (let r = 0; r < 12; r++) {
      for (let k = 0; k < width; k++) {
        const i = r * width + k;
        if (!rows.has(r)) expect(after[i], `untouched row ${r} moved`).toBe(before[i]);
        else expect(Math.abs(e.weight.data[i] - w[i])).toBeLessThanOrEqual(tolRel * (Math.abs(w[i]) + 1));
      }
    }
  });
}

describe("SGD on a row-sparse gradient", () => {
  it("without momentum: exactly the dense step (bit for bit)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (idx, maximize) => {
      const a = new Embedding(12, 4, { sparse: true, seed: 3 });
      const b = new Embedding(12, 4, { seed: 3 });
      backwardOn(a, idx, 1);
      backwardOn(b, idx, 1);
      new SGD([a.weight], { lr: 0.3, maximize }).step();
      new SGD([b.weight], { lr: 0.3, maximize }).step();
      expect(bits(a.weight.data)).toEqual(bits(b.weight.data));
    }));
  });

  for (const nesterov of [false, true]) {
    it(`with momentum${nesterov ? " (Nesterov)" : ""}: lazy — only the rows used move, and only their momentum`, () => {
      fc.assert(fc.property(stepsArb, (steps) => {
        const mu = 0.9, lr = 0.1;
        let opt: SGD | null = null;
        checkLazy((e) => (opt = new SGD([e.weight], { lr, momentum: mu, nesterov })), (w) => {
          const buf = new Float64Array(w.length);
          return {
            update(rows, g) {
              for (const r of rows) for (let i = r * 3; i < r * 3 + 3; i++) {
                buf[i] = mu * buf[i] + g[i];
                w[i] -= lr * (nesterov ? g[i] + mu * buf[i] : buf[i]);
              }
            },
          };
        }, steps, 1e-5);
        // The momentum of a row never used stays zero.
        const used = new Set(steps.flat());
        const m = (opt as unknown as { state: Map<Tensor, { buffers: Record<string, Float32Array> }> }).state.values().next().value!.buffers.momentum;
        for (let r = 0; r < 12; r++) if (!used.has(r)) expect(Array.from(m.subarray(r * 3, r * 3 + 3))).toEqual([0, 0, 0]);
      }));
    });
  }

  it("with momentum turned on after a step without it: the rows used start their momentum at their gradient", () => {
    const mu = 0.9, lr = 0.1;
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 4 }), (steps) => {
      checkLazy((e) => {
        const opt = new SGD([e.weight], { lr });
        let taken = 0;
        return {
          step: () => { if (taken++ === 1) opt.paramGroups[0].momentum = mu; opt.step(); },
          zeroGrad: () => opt.zeroGrad(), stateDict: () => opt.stateDict(),
        };
      }, (w) => {
        // Zero momentum for rows not seen since momentum started, so b = g on a row's first
        // step with it: PyTorch's dense buffer, clone(g), restricted to the rows used.
        const buf = new Float64Array(w.length);
        return {
          update(rows, g, t) {
            for (const r of rows) for (let i = r * 3; i < r * 3 + 3; i++) {
              if (t === 1) { w[i] -= lr * g[i]; continue; }
              buf[i] = mu * buf[i] + g[i];
              w[i] -= lr * buf[i];
            }
          },
        };
      }, steps, 1e-5);
    }));
  });

  it("refuses weightDecay and dampening (no row-wise form) before changing anything", () => {
    for (const o of [{ weightDecay: 0.1 }, { momentum: 0.9, dampening: 0.5 }]) {
      const e = new Embedding(5, 2, { sparse: true, seed: 1 });
      backwardOn(e, [1, 2], 0);
      const before = bits(e.weight.data);
      const opt = new SGD([e.weight], { lr: 0.1, ...o });
      expect(() => opt.step()).toThrow(ValueError);
      expect(() => opt.step()).toThrow(/row-sparse gradient, and (weightDecay|dampening)/);
      expect(bits(e.weight.data)).toEqual(before);
      expect(opt.stateDict().state).toEqual({});
    }
  });
});

describe("SparseAdam", () => {
  it("lazy Adam: rows used follow torch's SparseAdam formula; other rows and their moments stay bit for bit", () => {
    fc.assert(fc.property(stepsArb, fc.boolean(), (steps, maximize) => {
      const lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-6;
      checkLazy((e) => new SparseAdam([e.weight], { lr, betas: [b1, b2], eps, maximize }), (w) => {
        const m = new Float64Array(w.length), v = new Float64Array(w.length);
        return {
          update(rows, grad, t) {
            const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
            for (const r of rows) for (let i = r * 3; i < r * 3 + 3; i++) {
              const g = maximize ? -grad[i] : grad[i];
              m[i] = b1 * m[i] + (1 - b1) * g;
              v[i] = b2 * v[i] + (1 - b2) * g * g;
              w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + eps);
            }
          },
        };
      }, steps, 1e-5);
    }));
  });

  it("refuses a dense gradient, and bad options", () => {
    const e = new Embedding(5, 2, { seed: 1 });
    backwardOn(e, [1], 0);
    const before = bits(e.weight.data);
    const opt = new SparseAdam([e.weight]);
    expect(() => opt.step()).toThrow(/dense gradient; SparseAdam takes only row-sparse ones/);
    expect(bits(e.weight.data)).toEqual(before);
    expect(() => new SparseAdam([e.weight], { lr: 0 })).toThrow(/lr must be > 0/);
    expect(() => new SparseAdam([e.weight], { betas: [1, 0.9] })).toThrow(/betas\[0\]/);
    expect(() => new SparseAdam([e.weight], { weightDecay: 0.1 } as never)).toThrow(/unknown option "weightDecay"/);
  });
});

describe("dense optimizers given a row-sparse gradient", () => {
  it("Adam reads it as the dense gradient it also is: the same bits as from a dense Embedding", () => {
    const a = new Embedding(8, 3, { sparse: true, seed: 2 });
    const b = new Embedding(8, 3, { seed: 2 });
    const oa = new Adam([a.weight], { lr: 0.01 }), ob = new Adam([b.weight], { lr: 0.01 });
    for (const [t, idx] of [[0, [1, 1, 5]], [1, [2]], [2, [5, 0]]] as const) {
      oa.zeroGrad();
      ob.zeroGrad();
      backwardOn(a, [...idx], t);
      backwardOn(b, [...idx], t);
      oa.step();
      ob.step();
    }
    expect(bits(a.weight.data)).toEqual(bits(b.weight.data));
  });
});
