// quantizeModel on a CNN: Conv1d/Conv2d become int8 convolution layers (the ReLU after each in
// their epilogue), pooling and Flatten run as they are, Linear layers become int8 Linear. Static
// parameters come from the calibration data's range at each quantized layer's input, computed
// here from the float model; the int8 model tracks the float one within a derived bound.
import { describe, expect, it } from "vitest";
import { Int8ConvLayer } from "../../src/compress/int8-conv.js";
import { activationParams, Int8LinearLayer } from "../../src/compress/int8-linear.js";
import { quantizeModel } from "../../src/compress/index.js";
import { fromTypedArray, noGrad, type Tensor } from "../../src/ndarray/index.js";
import { Conv1d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../src/nn/index.js";

function inputs(shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return fromTypedArray(Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32), shape);
}

const cnn = () => new Sequential(
  new Conv2d(1, 6, 3, { padding: 1, seed: 1 }), new ReLU(), new MaxPool2d(2),
  new Conv2d(6, 8, 3, { padding: "same", seed: 2 }), new ReLU(), new MaxPool2d(2),
  new Flatten(), new Linear(8 * 2 * 2, 5, { seed: 3 }));

/** The float activations entering module `index` of a Sequential, for x. */
function activationAt(model: Sequential, index: number, x: Tensor): Float32Array {
  return noGrad(() => {
    let h = x;
    for (let i = 0; i < index; i++) h = (model.at(i) as Module).forward(h);
    return h.data as Float32Array;
  });
}

function range(d: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of d) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return [lo, hi];
}

describe("quantizeModel on a CNN", () => {
  it("compiles Conv2d+ReLU to int8 conv layers with fused ReLU, keeps pooling and Flatten, int8 Linear last", () => {
    const model = cnn();
    const q = quantizeModel(model);
    const kinds = q.steps.map((s) => (s instanceof Module ? s.constructor.name : s.kind));
    expect(kinds).toEqual(["int8-conv", "MaxPool2d", "int8-conv", "MaxPool2d", "Flatten", "int8"]);
    const convs = q.layers.filter((l): l is Int8ConvLayer => l instanceof Int8ConvLayer);
    expect(convs.map((c) => c.relu)).toEqual([true, true]);
    expect(convs.map((c) => c.input)).toEqual([null, null]);          // dynamic by default
    expect(q.predict(inputs([3, 1, 8, 8], 5)).shape).toEqual([3, 5]);
  });

  it("static: each quantized layer's input parameters are the calibration range at that point", () => {
    const model = cnn();
    const calibration = inputs([20, 1, 8, 8], 7);
    const q = quantizeModel(model, { calibration, batchSize: 64 });
    const [conv1, conv2, fc] = q.layers as [Int8ConvLayer, Int8ConvLayer, Int8LinearLayer];
    // Module indices in the float model: conv1 at 0, conv2 at 3, the Linear at 7.
    for (const [layer, index] of [[conv1, 0], [conv2, 3], [fc, 7]] as const) {
      expect(layer.input).toEqual(activationParams(...range(activationAt(model, index, calibration)), "test"));
    }
  });

  it("tracks the float model within the int8 error bound of its layers", () => {
    const model = cnn();
    const x = inputs([6, 1, 8, 8], 11);
    const want = noGrad(() => model.forward(x)).data as Float32Array;
    const got = quantizeModel(model).predict(x).data as Float32Array;
    // Inputs in [0, 1), weights in ±1/√fanIn: every layer's relative error is a few grid steps,
    // about 1/127 of the weights and 1/255 of the activations; 5% of the output scale bounds them.
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(0.05 * scale);
  });

  it("compiles Conv1d too, and refuses float64 convolution weights", () => {
    const m1 = new Sequential(new Conv1d(2, 4, 3, { padding: "same", seed: 1 }), new ReLU(), new Flatten(), new Linear(4 * 7, 3, { seed: 2 }));
    const x = inputs([3, 2, 7], 3);
    const q = quantizeModel(m1);
    expect(q.layers.map((l) => l.kind)).toEqual(["int8-conv", "int8"]);
    const want = noGrad(() => m1.forward(x)).data as Float32Array;
    const got = q.predict(x).data as Float32Array;
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(0.05 * scale);
    expect(() => quantizeModel(new Sequential(new Conv2d(1, 2, 3, { dtype: "float64" })))).toThrow(/Conv2d has float64 weights/);
  });
});
