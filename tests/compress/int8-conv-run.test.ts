// An int8 model runs consecutive int8 convolutions (each with the 2×2 max pool it runs inside,
// or alone) as one call, every output between them kept in the kernels' memory
// (InferenceSequential's runs, Int8ConvLayer.fuseRun, qconvKernels().qs8Conv2dLayersF32). The run
// must give the bits of the steps run one after the other, for any geometry and both activation
// modes, with images holding NaN, and fall back to the steps where a stage cannot run inside it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { qconvKernels } from "../../src/backend/index.js";
import { BackendError } from "../../src/errors.js";
import { Int8ConvLayer } from "../../src/compress/int8-conv.js";
import { quantizeModel } from "../../src/compress/index.js";
import type { Tensor } from "../../src/ndarray/index.js";
import { expectNaNImageOnly, inputs, sameBits, stepByStep } from "./int8-model-steps.js";
import { Conv2d, Dropout2d, MaxPool2d, ReLU, Sequential, type Module } from "../../src/nn/index.js";

/** Counts the calls of the layers' own forward (the run does not make them). */
function countForwards(layers: readonly Int8ConvLayer[]): () => number {
  let calls = 0;
  for (const l of layers) {
    const own = l.forward.bind(l);
    l.forward = (t: Tensor) => { calls++; return own(t); };
  }
  return () => calls;
}

const stage = fc.record({
  cout: fc.integer({ min: 1, max: 9 }), k: fc.constantFrom(1, 3), stride: fc.constantFrom(1, 2),
  padding: fc.integer({ min: 0, max: 1 }), relu: fc.boolean(), pool: fc.boolean(), bias: fc.boolean(),
});

describe("int8 convolutions run back to back in the kernels' memory", () => {
  it("give the bits of the steps one by one on random stacks, static and dynamic", () => {
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 1, max: 9 }), h: fc.integer({ min: 4, max: 20 }),
        w: fc.integer({ min: 4, max: 20 }), stages: fc.array(stage, { minLength: 2, maxLength: 3 }),
        staticMode: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
      }),
      (p) => {
        const modules: Module[] = [];
        let c = p.cin, h = p.h, w = p.w, poolable = true, valid = true;
        p.stages.forEach((s, i) => {
          const out = (n: number) => Math.floor((n + 2 * s.padding - s.k) / s.stride) + 1;
          h = out(h); w = out(w);
          valid &&= h >= 1 && w >= 1;
          modules.push(new Conv2d(c, s.cout, s.k, { stride: s.stride, padding: s.padding, bias: s.bias, seed: p.seed + i }));
          if (s.relu) modules.push(new ReLU());
          // The last pool of a run may be too small: the run then falls back to the steps, whose
          // pool module throws; every earlier pooled output must stay non-empty.
          if (s.pool) { poolable &&= h >= 2 && w >= 2; modules.push(new MaxPool2d(2)); h >>= 1; w >>= 1; valid &&= h >= 1 && w >= 1; }
          c = s.cout;
        });
        fc.pre(valid);
        const x = inputs([p.batch, p.cin, p.h, p.w], p.seed);
        const q = quantizeModel(new Sequential(...modules), p.staticMode ? { calibration: x } : {});
        const layers = q.steps.filter((s): s is Int8ConvLayer => s instanceof Int8ConvLayer);
        expect(layers).toHaveLength(p.stages.length);
        const expected = stepByStep(q.steps, x);
        const calls = countForwards(layers);
        sameBits(q.forward(x), expected);
        // Every output large enough to pool: one call, no layer's own forward; else the steps.
        if (poolable) expect(calls()).toBe(0);
      },
    ), { numRuns: 60 });
  });

  it("an image holding NaN gives an all-NaN output image through the steps, the others their own values", () => {
    const model = new Sequential(new Conv2d(2, 8, 3, { padding: 1, seed: 4 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(8, 4, 3, { padding: 1, seed: 5 }), new ReLU(), new MaxPool2d(2));
    const x = inputs([3, 2, 8, 9], 9);
    (x.data as Float32Array)[1 * 2 * 8 * 9 + 5] = NaN;
    for (const q of [quantizeModel(model), quantizeModel(model, { calibration: inputs([4, 2, 8, 9], 1) })]) {
      const y = q.forward(x);
      sameBits(y, stepByStep(q.steps, x));
      expectNaNImageOnly(y, 1, 4 * 2 * 2);
    }
  });

  it("a module between two convolutions (Dropout2d, kept at inference) ends the run; the bits stay the steps'", () => {
    const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1, seed: 6 }), new ReLU(), new MaxPool2d(2), new Dropout2d(0.3),
      new Conv2d(4, 4, 3, { padding: 1, seed: 7 }), new ReLU(), new MaxPool2d(2)).eval();
    const q = quantizeModel(model);
    const layers = q.steps.filter((s): s is Int8ConvLayer => s instanceof Int8ConvLayer);
    const x = inputs([2, 1, 12, 12], 3);
    const expected = stepByStep(q.steps, x);
    const calls = countForwards(layers);
    sameBits(q.forward(x), expected);
    expect(calls()).toBe(0); // each pair still runs fused, through its own call, not the layer's forward
    expect(layers[0].fuseRun([{ layer: layers[0], next: null, forward: (t) => layers[0].forward(t) }, { layer: layers[1], next: null, forward: (t) => layers[1].forward(t) }])).not.toBeNull();
  });

  it("the compiled model runs its plain modules in eval mode, whatever mode the float model sharing them is in", () => {
    const dropout = new Dropout2d(0.5);
    const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1, seed: 8 }), new ReLU(), dropout, new Conv2d(4, 2, 3, { seed: 9 }));
    model.train();
    const q = quantizeModel(model);
    expect(dropout.training).toBe(true); // the float model's own mode, given back
    const x = inputs([2, 1, 6, 6], 4);
    const first = q.forward(x);
    sameBits(q.forward(x), first);
    q.train();
    sameBits(q.forward(x), first);
    expect(dropout.training).toBe(true); // and q.train() leaves the float model's modules alone
    model.eval();
    sameBits(q.forward(x), first);
  });

  it("the kernels refuse an empty list of stages", () => {
    expect(() => qconvKernels().qs8Conv2dLayersF32(new Float32Array(4), 0, [])).toThrow(BackendError);
  });
});
