// Every options object of eg.compress refuses keys it does not know (naming the key) and options
// that the given call would leave unused, before anything changes.
import { describe, expect, it } from "vitest";
import {
  computeMasks, computeQuantParams, constantSparsity, dequantizeLinear, dequantizeLinearArray, DynamicLossScaler,
  fakeQuantize, getPruning, magnitudePrune, matmulIntegerScaled, movingAverageObserver, packMatmulIntegerB,
  percentileObserver, polynomialDecay, pruningCallback, quantize, quantizeLinear, quantizeLinearArray, report, sparsify,
} from "../../src/compress/index.js";
import { tensor } from "../../src/ndarray/index.js";
import { Linear, ReLU, Sequential, predict } from "../../src/nn/index.js";
import { ValueError } from "../../src/errors.js";

describe("compress options", () => {
  it("an unknown key throws a ValueError naming it", () => {
    const t = tensor([[1, -2], [3, 4]]);
    const model = new Sequential(new Linear(2, 2, { seed: 1 }));
    const calls: [string, () => unknown][] = [
      ["magnitudePrune", () => magnitudePrune(t, { sparsity: 0.5, sparse: 1 } as never)],
      ["computeMasks", () => computeMasks([["w", t]], { sparsity: 0.5, sparse: 1 } as never)],
      ["pruningCallback", () => pruningCallback({ sparse: 1 } as never)],
      ["constantSparsity", () => constantSparsity({ sparsity: 0.5, sparse: 1 } as never)],
      ["polynomialDecay", () => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, endStep: 9, sparse: 1 } as never)],
      ["sparsify", () => sparsify(model, { sparse: 1 } as never)],
      ["movingAverageObserver", () => movingAverageObserver({ sparse: 1 } as never)],
      ["percentileObserver", () => percentileObserver({ sparse: 1 } as never)],
      ["quantize", () => quantize(t, { sparse: 1 } as never)],
      ["quantize", () => computeQuantParams([1, 2], [2], { sparse: 1 } as never)],
      ["quantizeLinear", () => quantizeLinear(t, 0.1, 0, { sparse: 1 } as never)],
      ["quantizeLinear", () => quantizeLinearArray([1], [1], 0.1, 0, { sparse: 1 } as never)],
      ["dequantizeLinear", () => dequantizeLinear(tensor([1], { dtype: "int32" }), 0.1, 0, { sparse: 1 } as never)],
      ["dequantizeLinear", () => dequantizeLinearArray(Int32Array.of(1), [1], 0.1, 0, { sparse: 1 } as never)],
      ["matmulIntegerScaled", () => matmulIntegerScaled(Int8Array.of(1), 1, packMatmulIntegerB(Int8Array.of(1), 1, 1, 0), 0, { scaleA: 1, scaleB: 1, sparse: 1 } as never)],
      ["fakeQuantize", () => fakeQuantize(t, 0.1, 0, { sparse: 1 } as never)],
      ["DynamicLossScaler", () => new DynamicLossScaler({ sparse: 1 } as never)],
      ["report", () => report({ model }, { sparse: 1 } as never)],
    ];
    for (const [where, call] of calls) {
      expect(call, where).toThrow(ValueError);
      expect(call, where).toThrow(`${where}: unknown option "sparse"`);
    }
  });

  it("options the call would not use are refused, and nothing changes", () => {
    const model = new Sequential(new Linear(3, 4, { seed: 2 }), new ReLU(), new Linear(4, 2, { seed: 3 }));
    const before = model.parameters().map((p) => Array.from(p.data));
    const t = tensor([[1, -2], [3, 4]]);
    expect(() => magnitudePrune(t, { sparsity: 0.5, filter: () => true })).toThrow(/filter selects a model's parameters/);
    expect(Array.from(t.data)).toEqual([1, -2, 3, 4]);
    expect(() => magnitudePrune(model, { sparsity: 0.5, filter: "0.weight" as never })).toThrow(/filter must be a function/);
    expect(getPruning(model)).toBeNull();
    expect(() => pruningCallback({ scope: "global" })).toThrow(/scope only apply with a schedule/);
    expect(() => sparsify(model, { format: "dense", maxDensity: 0.5 })).toThrow(/maxDensity only applies to format "auto"/);
    expect(() => report({ model }, { batchSize: 8 })).toThrow(/batchSize need test data x/);
    expect(() => report({ model }, { x: tensor([[1, 2, 3]]), repeats: 0 })).toThrow(/repeats must be a positive integer/);
    expect(() => matmulIntegerScaled(Int8Array.of(1), 1, packMatmulIntegerB(Int8Array.of(1), 1, 1, 0), 0, undefined as never)).toThrow(ValueError);
    model.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(before[i]));
  });

  it("sparsify takes a bare Linear as a one-layer model", () => {
    const lin = new Linear(6, 3, { seed: 4 });
    const x = tensor([[1, 2, 3, 4, 5, 6], [-1, 0.5, 0, 2, -3, 1]]);
    const sm = sparsify(lin, { format: "dense" });
    expect(sm.layers.map((l) => [l.kind, l.relu])).toEqual([["dense", false]]);
    // The dense layer is the same f32 GEMM (bias in the epilogue) as Linear's forward: same bits.
    expect(Array.from(predict(sm, x).data)).toEqual(Array.from(predict(lin, x).data));
  });
});
