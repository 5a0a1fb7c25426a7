// Magnitude pruning: the exact number of zeros, deterministic ties, structured patterns,
// schedules, masks held through fine-tuning with fit(), typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyMasks, constantSparsity, getPruning, magnitudePrune, polynomialDecay, pruningCallback, roundHalfToEven, selectRank,
  smallestMask, sparsityReport, stripPruning,
} from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { Adam } from "../../src/optim/index.js";
import { fit, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { ValueError } from "../../src/errors.js";

const zeros = (d: ArrayLike<number>) => Array.from(d).filter((v) => v === 0).length;

/** The reference: sort (|w|, index) ascending, prune the first k. O(n log n), obviously right. */
function refMask(w: ArrayLike<number>, k: number): Uint8Array {
  const idx = Array.from({ length: w.length }, (_, i) => i).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const mask = new Uint8Array(w.length).fill(1);
  for (let i = 0; i < k; i++) mask[idx[i]] = 0;
  return mask;
}

// Values from a small set, so that ties (and exact zeros) are common.
const weights = fc.array(fc.integer({ min: -6, max: 6 }).map((v) => v / 4), { minLength: 1, maxLength: 200 });
const sparsity = fc.double({ min: 0, max: 0.999, noNaN: true });

describe("selection", () => {
  it("selectRank returns the r-th smallest value", () => {
    fc.assert(fc.property(weights, fc.nat(), (w, r0) => {
      const r = r0 % w.length;
      const sorted = Float64Array.from(w).sort();
      expect(selectRank(Float64Array.from(w), r)).toBe(sorted[r]);
    }));
  });
  it("smallestMask equals the sort-based reference, ties broken by index", () => {
    fc.assert(fc.property(weights, fc.nat(), (w, k0) => {
      const k = k0 % (w.length + 1);
      const mags = Float32Array.from(w, Math.abs);
      expect(Array.from(smallestMask(mags, k))).toEqual(Array.from(refMask(w, k)));
    }));
  });
});

describe("magnitudePrune", () => {
  it("prunes a tensor to exactly round(sparsity·n) masked entries, the smallest magnitudes", () => {
    fc.assert(fc.property(weights, sparsity, (w, s) => {
      const t = fromTypedArray(Float32Array.from(w), [w.length]);
      const { mask, pruned } = magnitudePrune(t, { sparsity: s });
      const k = roundHalfToEven(s * w.length);
      expect(pruned).toBe(k);
      expect(Array.from(mask)).toEqual(Array.from(refMask(w, k)));
      for (let i = 0; i < w.length; i++) expect(t.data[i]).toBe(mask[i] ? Math.fround(w[i]) : 0);
    }));
  });

  it("per layer: every weight gets its own exact count; biases are untouched", () => {
    fc.assert(fc.property(sparsity, fc.nat(), (s, seed) => {
      const model = new Sequential(new Linear(7, 5, { seed }), new ReLU(), new Linear(5, 3, { seed: seed + 1 }));
      const biases = [model.at(0) as Linear, model.at(2) as Linear].map((l) => Array.from(l.bias!.data));
      const rep = magnitudePrune(model, { sparsity: s, scope: "layer" });
      expect(zeros((model.at(0) as Linear).weight.data)).toBe(roundHalfToEven(s * 35));
      expect(zeros((model.at(2) as Linear).weight.data)).toBe(roundHalfToEven(s * 15));
      expect(Array.from((model.at(0) as Linear).bias!.data)).toEqual(biases[0]);
      expect(rep.layers.find((r) => r.name === "0.weight")!.masked).toBe(true);
      expect(rep.layers.find((r) => r.name === "0.bias")!.masked).toBe(false);
    }), { numRuns: 50 });
  });

  it("global: one threshold over all weights, exact total count", () => {
    fc.assert(fc.property(sparsity, fc.nat(), (s, seed) => {
      const model = new Sequential(new Linear(9, 6, { seed }), new Linear(6, 4, { seed: seed + 7 }));
      const all = [...(model.at(0) as Linear).weight.data, ...(model.at(1) as Linear).weight.data];
      magnitudePrune(model, { sparsity: s, scope: "global" });
      const after = [...(model.at(0) as Linear).weight.data, ...(model.at(1) as Linear).weight.data];
      const mask = refMask(all, roundHalfToEven(s * all.length));
      expect(after).toEqual(all.map((v, i) => (mask[i] ? v : 0)));
    }), { numRuns: 50 });
  });

  it("structured: whole rows, whole columns, and 2:4", () => {
    const w = () => tensor([[1, -8, 3, 4], [0.5, 0.5, 0.5, 0.5], [9, 1, -1, 2]]);
    let t = w();
    magnitudePrune(t, { sparsity: 1 / 3, structure: "rows" });
    expect(t.toArray()).toEqual([[1, -8, 3, 4], [0, 0, 0, 0], [9, 1, -1, 2]]);
    t = w();
    magnitudePrune(t, { sparsity: 0.5, structure: "columns" });   // column norms² 82.25, 65.25, 10.25, 20.25
    expect(t.toArray()).toEqual([[1, -8, 0, 0], [0.5, 0.5, 0, 0], [9, 1, 0, 0]]);
    t = w();
    magnitudePrune(t, { structure: { n: 2, m: 4 } });
    // Row 1 is all ties: the lower indices are pruned first, as in unstructured pruning.
    expect(t.toArray()).toEqual([[0, -8, 0, 4], [0, 0, 0.5, 0.5], [9, 0, 0, 2]]);
  });

  it("N:M: the sparsity is fixed by n and m (keep n of every m); omitted or 1 − n/m is accepted, any other value refused before pruning", () => {
    const w = () => fromTypedArray(Float32Array.from({ length: 32 }, (_, i) => Math.sin(1.7 * i + 0.3)), [4, 8]);
    const want = w();
    const expected = Array.from(want.data as Float32Array);
    // The reference: in every group of 4 of a row, the 2 smallest |w| zeroed (sin values are distinct).
    for (let g = 0; g < 32; g += 4) {
      const idx = [0, 1, 2, 3].map((t) => g + t).sort((a, b) => Math.abs(expected[a]) - Math.abs(expected[b]));
      expected[idx[0]] = 0; expected[idx[1]] = 0;
    }
    for (const o of [{ structure: { n: 2, m: 4 } }, { sparsity: 0.5, structure: { n: 2, m: 4 } }]) {
      const t = w();
      expect(magnitudePrune(t, o).pruned).toBe(16);
      expect(Array.from(t.data)).toEqual(expected);
    }
    const third = w();
    expect(magnitudePrune(third, { sparsity: 2 / 3, structure: { n: 1, m: 3 } }).pruned).toBe(4 * 2 * 2 + 4 * 1);   // groups of 3, 3 and a last group of 2 per row
    for (const s of [0.9, 0, 0.25]) {
      const t = w();
      expect(() => magnitudePrune(t, { sparsity: s, structure: { n: 2, m: 4 } })).toThrow(ValueError);
      expect(() => magnitudePrune(t, { sparsity: s, structure: { n: 2, m: 4 } })).toThrow(new RegExp(`keeps 2 of every 4 weights, so its sparsity is fixed at 1 − n/m = 0.5; omit sparsity or give that value, got ${s}`));
      expect(Array.from(t.data)).toEqual(Array.from(w().data));
    }
    expect(() => magnitudePrune(w(), { structure: "rows" })).toThrow(/sparsity must be a number in \[0, 1\), got undefined/);
    // A schedule's ramp of targets cannot be followed by N:M: refused when the callback is made, or when fit starts on an N:M-pruned model.
    const schedule = constantSparsity({ sparsity: 0.5, beginStep: 0 });
    expect(() => pruningCallback({ structure: { n: 2, m: 4 }, schedule })).toThrow(/N:M structure fixes the sparsity at 1 − n\/m, so a sparsity schedule does not apply/);
    const model = new Sequential(new Linear(8, 4, { seed: 2 }));
    magnitudePrune(model, { structure: { n: 2, m: 4 } });
    const before = Array.from(model.parameters()[0].data);
    const cb = pruningCallback({ schedule });
    expect(() => cb.onTrainBegin!({ model } as never)).toThrow(/the model's N:M structure fixes the sparsity/);
    expect(Array.from(model.parameters()[0].data)).toEqual(before);
  });

  it("throws typed errors for sparsity outside [0, 1), bad scope/structure, NaN weights", () => {
    const t = tensor([[1, 2], [3, 4]]);
    for (const s of [-0.1, 1, 1.5, NaN, "0.5" as unknown as number]) expect(() => magnitudePrune(t, { sparsity: s })).toThrow(ValueError);
    expect(() => magnitudePrune(t, { sparsity: 0.5, scope: "model" as "layer" })).toThrow(ValueError);
    expect(() => magnitudePrune(t, { sparsity: 0.5, structure: { n: 4, m: 2 } })).toThrow(ValueError);
    expect(() => magnitudePrune(tensor([1, NaN]), { sparsity: 0.5 })).toThrow(/NaN at flat index 1/);
    const model = new Sequential(new Linear(3, 2));
    expect(() => magnitudePrune(model, { sparsity: 0.5, scope: "global", structure: "rows" })).toThrow(ValueError);
    expect(getPruning(model)).toBeNull();   // a rejected call leaves no state
  });
});

describe("schedules and fine-tuning", () => {
  it("polynomialDecay follows Zhu & Gupta's cubic, updating every `frequency` steps", () => {
    const s = polynomialDecay({ initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 10, endStep: 110, frequency: 25 });
    expect(s.sparsityAt(10)).toBeCloseTo(0.5, 12);
    expect(s.sparsityAt(60)).toBeCloseTo(0.9 - 0.4 * 0.125, 12);
    expect(s.sparsityAt(110)).toBeCloseTo(0.9, 12);
    expect(s.sparsityAt(500)).toBeCloseTo(0.9, 12);
    expect([9, 10, 11, 35, 60, 110, 135].map(s.updatesAt)).toEqual([false, true, false, true, true, true, false]);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 1, beginStep: 0, endStep: 10 })).toThrow(ValueError);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 10 })).toThrow(ValueError);
    expect(constantSparsity({ sparsity: 0.7, beginStep: 3 }).sparsityAt(2)).toBe(0);
  });

  it("masked weights stay exactly zero through fit(), the schedule reaches its final sparsity", async () => {
    const model = new Sequential(new Linear(6, 16, { seed: 1 }), new ReLU(), new Linear(16, 3, { seed: 2 }));
    const x = fromTypedArray(Float32Array.from({ length: 64 * 6 }, (_, i) => Math.sin(i * 1.7)), [64, 6]);
    const y = fromTypedArray(Int32Array.from({ length: 64 }, (_, i) => i % 3), [64]);
    const cb = pruningCallback({ scope: "global", schedule: polynomialDecay({ initialSparsity: 0.2, finalSparsity: 0.8, beginStep: 0, endStep: 12, frequency: 4 }) });
    const opt = new Adam(model.parameters(), { lr: 0.05 });
    const checkHeld = { onBatchEnd() {
      for (const { param, mask } of getPruning(model)!.params) for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(param.data[i]).toBe(0);
    } };
    await fit(model, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 5, batchSize: 16, seed: 3, callbacks: [cb, checkHeld] });
    expect(cb.step).toBe(20);
    expect(cb.sparsity).toBeCloseTo(0.8, 12);
    const rep = sparsityReport(model);
    const w = rep.layers.filter((r) => r.masked);
    expect(w.reduce((s, r) => s + r.params - r.nonZeros, 0)).toBe(roundHalfToEven(0.8 * (96 + 48)));
    // stripPruning drops the masks but keeps the zeros; applyMasks is then a no-op.
    stripPruning(model);
    expect(getPruning(model)).toBeNull();
    applyMasks(model);
    expect(sparsityReport(model).total.nonZeros).toBe(rep.total.nonZeros);
  });
});
