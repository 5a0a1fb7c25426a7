// Pruning of convolution weights ([Cout, Cin/groups, kH, kW] and the 1-D [Cout, Cin/groups, k]):
// unstructured with exact counts, whole output filters (dim 0) and whole input channels (dim 1)
// ranked by L1 or L2 norm as torch.nn.utils.prune.ln_structured, masks held through fit().
// Most cases use a small stand-in with a convolution's fields and weight layout (fast to train
// in fit()); one runs the library's Conv2d and Conv1d.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { getPruning, magnitudePrune, pruningCallback, roundHalfToEven } from "../../src/compress/index.js";
import { fromTypedArray, linear, type Tensor } from "../../src/ndarray/index.js";
import { Adam } from "../../src/optim/index.js";
import { Conv1d, Conv2d, fit, Flatten, Linear, Module, ReLU, Sequential } from "../../src/nn/index.js";
import { ValueError } from "../../src/errors.js";

/**
 * A convolution whose input image is exactly its kernel (valid padding, one output pixel), fed
 * flattened [N, Cin·kH·kW]: y = x·W[Cout, -1]ᵀ + b. Enough to train, with a conv weight's shape.
 */
class ConvLike extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number[], values: number[]) {
    super();
    this.weight = this.registerParameter("weight",
      fromTypedArray(Float32Array.from(values), [outChannels, inChannels, ...kernelSize]));
    this.bias = this.registerParameter("bias", fromTypedArray(Float32Array.from({ length: outChannels }, (_, i) => 0.1 * i), [outChannels]));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight.reshape([this.outChannels, this.weight.size / this.outChannels]), this.bias);
  }
}

/** Keep-mask pruning the k slices with the smallest norms along `dim` (0 or 1), ties by index. */
function refSliceMask(w: ArrayLike<number>, shape: number[], dim: 0 | 1, k: number, norm: 1 | 2): Uint8Array {
  const [d0, d1] = shape;
  const inner = w.length / (d0 * d1);
  const count = dim === 0 ? d0 : d1;
  const sliceOf = (i: number) => (dim === 0 ? Math.floor(i / (d1 * inner)) : Math.floor(i / inner) % d1);
  const sums = new Float64Array(count);
  for (let i = 0; i < w.length; i++) sums[sliceOf(i)] += norm === 1 ? Math.abs(w[i]) : w[i] * w[i];
  const score = Array.from(sums, (s) => (norm === 1 ? s : Math.sqrt(s)));
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => score[a] - score[b] || a - b);
  const pruned = new Set(order.slice(0, k));
  return Uint8Array.from(w, (_, i) => (pruned.has(sliceOf(i)) ? 0 : 1));
}

/** Keep-mask pruning the k smallest |w|, ties by index. */
function refMask(w: ArrayLike<number>, k: number): Uint8Array {
  const idx = Array.from({ length: w.length }, (_, i) => i).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const mask = new Uint8Array(w.length).fill(1);
  for (let i = 0; i < k; i++) mask[idx[i]] = 0;
  return mask;
}

// Values from a small set, so that equal norms (ties) and exact zeros are common.
const convCase = fc.record({
  cout: fc.integer({ min: 1, max: 9 }),
  cin: fc.integer({ min: 1, max: 6 }),
  kernel: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 3 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
  // Uniform over [0, 1) (fc.double clusters at the ends, where every ranking gives the same mask).
  sparsity: fc.integer({ min: 0, max: 999 }).map((v) => v / 1000),
  norm: fc.constantFrom(1 as const, 2 as const),
  seed: fc.nat(),
});

function weightsFor(cout: number, cin: number, kernel: number[], seed: number): number[] {
  const n = cout * cin * kernel.reduce((a, b) => a * b, 1);
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s >>> 28) - 8) / 4;
  });
}

describe("magnitudePrune on convolution weights", () => {
  it("unstructured: exactly round(sparsity·size) zeros in 3-D and 4-D weights, the smallest |w|; biases untouched", () => {
    fc.assert(fc.property(convCase, ({ cout, cin, kernel, sparsity, seed }) => {
      const values = weightsFor(cout, cin, kernel, seed);
      const conv = new ConvLike(cin, cout, kernel, values);
      const model = new Sequential(conv, new ReLU(), new Linear(cout, 2, { seed }));
      const head = Array.from((model.at(2) as Linear).weight.data);
      magnitudePrune(model, { sparsity, filter: (name) => name === "0.weight" });
      const mask = refMask(values, roundHalfToEven(sparsity * values.length));
      expect(Array.from(conv.weight.data)).toEqual(values.map((v, i) => (mask[i] ? v : 0)));
      expect(Array.from(conv.bias.data)).toEqual(Array.from({ length: cout }, (_, i) => Math.fround(0.1 * i)));
      expect(Array.from((model.at(2) as Linear).weight.data)).toEqual(head);
    }), { numRuns: 100 });
  });

  it("picks convolution weights (3-D and 4-D) by default, beside Linear weights, and leaves biases dense", () => {
    const conv2 = new ConvLike(2, 3, [2, 2], weightsFor(3, 2, [2, 2], 1));
    const conv1 = new ConvLike(3, 4, [3], weightsFor(4, 3, [3], 2));
    const model = new Sequential(conv2, new ReLU(), new Linear(3, 3, { seed: 1 }));
    const model1 = new Sequential(conv1, new ReLU(), new Linear(4, 2, { seed: 1 }));
    expect(magnitudePrune(model, { sparsity: 0.5 }).layers.filter((r) => r.masked).map((r) => r.name)).toEqual(["0.weight", "2.weight"]);
    expect(magnitudePrune(model1, { sparsity: 0.5 }).layers.filter((r) => r.masked).map((r) => r.name)).toEqual(["0.weight", "2.weight"]);
    expect(conv2.weight.data.filter((v) => v === 0).length).toBeGreaterThanOrEqual(12);
  });

  it("structured rows = whole output filters, columns = whole input channels, by L1 or L2 norm", () => {
    fc.assert(fc.property(convCase, fc.constantFrom("rows" as const, "columns" as const),
      ({ cout, cin, kernel, sparsity, norm, seed }, structure) => {
        const values = weightsFor(cout, cin, kernel, seed);
        const conv = new ConvLike(cin, cout, kernel, values);
        const model = new Sequential(conv);
        magnitudePrune(model, { sparsity, structure, norm });
        const dim = structure === "rows" ? 0 : 1;
        const slices = dim === 0 ? cout : cin;
        const k = roundHalfToEven(sparsity * slices);
        const mask = refSliceMask(values, [cout, cin, ...kernel], dim, k, norm);
        expect(Array.from(conv.weight.data)).toEqual(values.map((v, i) => (mask[i] ? v : 0)));
        // The sparsity reached is exact: k whole slices of the weight.
        expect(Array.from(getPruning(model)!.params[0].mask).filter((m) => m === 0).length).toBe(k * (values.length / slices));
      }), { numRuns: 150 });
  });

  it("prunes a bare 4-D tensor's filters the same way (torch ln_structured, dim 0)", () => {
    // Filter norms: L1 4, 3, 6.5; L2 2, 3, 3.5: the norm decides which filter goes.
    const values = [1, 1, 1, 1, 3, 0, 0, 0, 2, -2, 2, 0.5];
    for (const [norm, want] of [[1, [1, 1, 1, 1, 0, 0, 0, 0, 2, -2, 2, 0.5]], [2, [0, 0, 0, 0, 3, 0, 0, 0, 2, -2, 2, 0.5]]] as const) {
      const t = fromTypedArray(Float32Array.from(values), [3, 1, 2, 2]);
      magnitudePrune(t, { sparsity: 0.3, structure: "rows", norm });
      expect(Array.from(t.data)).toEqual(want);
    }
  });

  it("holds whole pruned filters at zero through fine-tuning with fit()", async () => {
    const cout = 8, cin = 3, kernel = [2, 2];
    const conv = new ConvLike(cin, cout, kernel, weightsFor(cout, cin, kernel, 5));
    const model = new Sequential(conv, new ReLU(), new Linear(cout, 3, { seed: 2 }));
    magnitudePrune(model, { sparsity: 0.5, structure: "rows", filter: (name) => name === "0.weight" });
    const mask = getPruning(model)!.params[0].mask;
    const x = fromTypedArray(Float32Array.from({ length: 48 * 12 }, (_, i) => Math.sin(i * 1.3)), [48, 12]);
    const y = fromTypedArray(Int32Array.from({ length: 48 }, (_, i) => i % 3), [48]);
    const before = Array.from(conv.weight.data);
    const checkHeld = { onBatchEnd() { for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(conv.weight.data[i]).toBe(0); } };
    await fit(model, x, y, { loss: "crossEntropy", optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs: 3, batchSize: 16,
      seed: 4, callbacks: [pruningCallback(), checkHeld] });
    const w = conv.weight.data, filter = w.length / cout;
    for (let f = 0; f < cout; f++) {
      const zero = w.subarray(f * filter, (f + 1) * filter).every((v) => v === 0);
      expect(zero).toBe(mask[f * filter] === 0);
    }
    expect(Array.from(w)).not.toEqual(before.map((v, i) => (mask[i] ? v : 0)));   // the kept filters trained
  });

  it("prunes the library's Conv2d and Conv1d the same way: whole filters by norm, biases dense", () => {
    const conv2 = new Conv2d(3, 6, 3, { seed: 1 }), conv1 = new Conv1d(2, 5, 3, { seed: 2 });
    for (const [conv, shape] of [[conv2, [6, 3, 3, 3]], [conv1, [5, 2, 3]]] as const) {
      const values = Array.from(conv.weight.data);
      const bias = Array.from(conv.bias!.data);
      const model = new Sequential(conv, new ReLU(), new Flatten());
      magnitudePrune(model, { sparsity: 0.5, structure: "rows", norm: 1 });
      const mask = refSliceMask(values, [...shape], 0, roundHalfToEven(0.5 * shape[0]), 1);
      expect(Array.from(conv.weight.data)).toEqual(values.map((v, i) => (mask[i] ? v : 0)));
      expect(Array.from(conv.bias!.data)).toEqual(bias);
    }
  });

  it("refuses N:M on a convolution weight, and norm where no slices are ranked", () => {
    const conv = () => new Sequential(new ConvLike(4, 2, [2, 2], weightsFor(2, 4, [2, 2], 3)));
    expect(() => magnitudePrune(conv(), { structure: { n: 2, m: 4 } })).toThrow(/N:M pruning needs a 2-D weight, "0.weight" is \[2,4,2,2\]/);
    expect(() => magnitudePrune(conv(), { sparsity: 0.5, norm: 1 })).toThrow(ValueError);
    expect(() => magnitudePrune(conv(), { sparsity: 0.5, structure: "rows", norm: 3 as 1 })).toThrow(/norm must be 1 or 2/);
    const m = conv();
    expect(() => magnitudePrune(m, { sparsity: 0.5, structure: "columns", norm: 0 as 1 })).toThrow(ValueError);
    expect(getPruning(m)).toBeNull();
  });
});
