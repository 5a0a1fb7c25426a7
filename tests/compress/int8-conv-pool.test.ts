// An int8 model runs an int8 convolution and the plain 2×2 max pool after it as one call, pooling
// in the kernels' memory (InferenceSequential's fused pairs). The pair must give the bits of the
// two steps run one after the other — the layer's own forward, then the pool module's — for any
// geometry (odd output sizes, strides, groups, with and without ReLU), in static and dynamic
// mode, with images holding NaN, and must leave every other pool to the module.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Int8ConvLayer } from "../../src/compress/int8-conv.js";
import { quantizeModel } from "../../src/compress/index.js";
import type { Tensor } from "../../src/ndarray/index.js";
import { expectNaNImageOnly, inputs, sameBits, stepByStep } from "./int8-model-steps.js";
import { Conv2d, Flatten, MaxPool2d, Module, ReLU, Sequential } from "../../src/nn/index.js";

describe("int8 convolution + 2×2 max pool as one call", () => {
  it("gives the bits of the two steps on random geometries, static and dynamic", () => {
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 1, max: 5 }), groups: fc.constantFrom(1, 2),
        cout: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 3, max: 13 }), w: fc.integer({ min: 3, max: 13 }),
        k: fc.constantFrom(1, 3), stride: fc.constantFrom(1, 2), padding: fc.integer({ min: 0, max: 1 }),
        relu: fc.boolean(), bias: fc.boolean(), staticMode: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
      }),
      (p) => {
        const cin = p.cin * p.groups, cout = p.cout * p.groups;
        const convOut = (n: number) => Math.floor((n + 2 * p.padding - p.k) / p.stride) + 1;
        fc.pre(convOut(p.h) >= 2 && convOut(p.w) >= 2);
        const conv = new Conv2d(cin, cout, p.k, { stride: p.stride, padding: p.padding, groups: p.groups, bias: p.bias, seed: p.seed });
        const model = new Sequential(...(p.relu ? [conv, new ReLU(), new MaxPool2d(2)] : [conv, new MaxPool2d(2)]));
        const x = inputs([p.batch, cin, p.h, p.w], p.seed);
        const q = quantizeModel(model, p.staticMode ? { calibration: x } : {});
        expect(q.steps[0]).toBeInstanceOf(Int8ConvLayer);
        // The pool module is not called: the pair ran as one.
        const pool = q.steps[1] as MaxPool2d;
        let poolCalls = 0;
        const poolForward = pool.forward.bind(pool);
        pool.forward = (t: Tensor) => { poolCalls++; return poolForward(t); };
        const fused = q.forward(x);
        expect(poolCalls).toBe(0);
        expect(fused.shape).toEqual([p.batch, cout, convOut(p.h) >> 1, convOut(p.w) >> 1]);
        sameBits(fused, stepByStep(q.steps, x));
      },
    ), { numRuns: 40 });
  });

  it("an image holding NaN gives an all-NaN pooled image, the others their own values", () => {
    const model = new Sequential(new Conv2d(2, 3, 3, { padding: 1, seed: 4 }), new ReLU(), new MaxPool2d(2));
    const x = inputs([3, 2, 6, 7], 9);
    (x.data as Float32Array)[1 * 2 * 6 * 7 + 5] = NaN;
    const q = quantizeModel(model);
    const y = q.forward(x);
    sameBits(y, stepByStep(q.steps, x));
    expectNaNImageOnly(y, 1, 3 * 3 * 3);
  });

  it("fuses only a plain 2×2, stride-2 MaxPool2d right after a 2-D convolution", () => {
    const conv = () => new Conv2d(2, 3, 3, { padding: 1, seed: 5 });
    const layer = quantizeModel(conv()).steps[0] as Int8ConvLayer;
    expect(layer.fuseNext(new MaxPool2d(2))).not.toBeNull();
    for (const other of [new MaxPool2d(2, { stride: 1 }), new MaxPool2d(3), new MaxPool2d(2, { padding: 1 }),
      new MaxPool2d(2, { ceilMode: true }), new MaxPool2d(2, { dilation: 2 }), new Flatten(), new ReLU()] as Module[]) {
      expect(layer.fuseNext(other)).toBeNull();
    }
    // The same model with an unfusable pool still gives the steps' bits, through the module.
    const model = new Sequential(conv(), new ReLU(), new MaxPool2d(2, { ceilMode: true }));
    const x = inputs([2, 2, 7, 7], 3);
    const q = quantizeModel(model);
    sameBits(q.forward(x), stepByStep(q.steps, x));
  });

  it("an output too small to pool is left to the pool module, which names the problem", () => {
    const model = new Sequential(new Conv2d(1, 2, 3, { seed: 6 }), new ReLU(), new MaxPool2d(2));
    const q = quantizeModel(model);
    const x = inputs([1, 1, 3, 3], 2); // a 1×1 convolution output
    let expected: unknown = null, got: unknown = null;
    try { stepByStep(q.steps, x); } catch (e) { expected = e; }
    try { q.forward(x); } catch (e) { got = e; }
    if (expected === null) sameBits(q.forward(x), stepByStep(q.steps, x));
    else expect(String(got)).toBe(String(expected));
  });
});
