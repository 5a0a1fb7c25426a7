import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { sampleLogits } from "../../src/nn/index.js";
import { Rng, Tensor } from "../../src/ndarray/index.js";

/** float64 softmax(logits / T). */
const softmax = (logits: number[], T: number) => {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp((v - m) / T));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/**
 * The allowed set, written from the definitions: top-k = ids whose logit is among the k largest
 * (k-th largest value included); top-p over the top-k distribution = ids whose probability-ordered
 * predecessors hold less than p. Distinct logits, so there are no ties to order.
 */
function allowed(logits: number[], T: number, k: number, p: number): Set<number> {
  const ids = logits.map((_, i) => i).sort((a, b) => logits[b] - logits[a]);
  const topk = k > 0 ? ids.slice(0, k) : ids;
  const probs = softmax(topk.map((i) => logits[i]), T);
  const out = new Set<number>();
  let before = 0;
  topk.forEach((id, r) => {
    if (r === 0 || before < p - 1e-12) out.add(id);
    before += probs[r];
  });
  return out;
}

const distinctLogits = fc.uniqueArray(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 2, maxLength: 12, comparator: (a, b) => Math.abs(a - b) < 1e-6 });

describe("sampleLogits", () => {
  it("never picks outside the top-k and top-p sets", () => {
    fc.assert(fc.property(distinctLogits, fc.double({ min: 0.2, max: 3, noNaN: true }), fc.integer({ min: 0, max: 12 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }), fc.nat(1000), (logits, T, k, p, seed) => {
        const ok = allowed(logits, T, k, p);
        const rng = new Rng(seed);
        for (let d = 0; d < 50; d++) {
          const id = sampleLogits(logits, { temperature: T, topK: k, topP: p, rng });
          expect(ok.has(id), `picked ${id}, allowed ${[...ok]}`).toBe(true);
        }
      }));
  });

  it("temperature 0 is the argmax; a seed repeats the draws", () => {
    fc.assert(fc.property(distinctLogits, fc.nat(), (logits, seed) => {
      expect(sampleLogits(logits, { temperature: 0 })).toBe(logits.indexOf(Math.max(...logits)));
      const draws = (s: number) => { const rng = new Rng(s); return Array.from({ length: 20 }, () => sampleLogits(logits, { rng })); };
      expect(draws(seed)).toEqual(draws(seed));
    }));
    expect(sampleLogits([1, -Infinity, 3, 3], { temperature: 0 })).toBe(2);
    expect(sampleLogits([-Infinity, 5, -Infinity], { seed: 1 })).toBe(1);
  });

  // Pearson's χ² over N seeded draws against the float64 reference distribution (fixed seeds, so
  // the outcome is fixed too); the bound is the χ² quantile at 1 − 10⁻⁴ for the degrees of freedom.
  const CHI2_9999: Record<number, number> = { 1: 15.14, 2: 18.42, 3: 21.11, 4: 23.51, 5: 25.74, 6: 27.86, 7: 29.88 };
  const cases: [string, number[], { temperature?: number; topK?: number; topP?: number }][] = [
    ["T = 1", [0.5, -1, 2, 0, 1.2, -0.3], {}],
    ["T = 0.5", [0.5, -1, 2, 0, 1.2, -0.3], { temperature: 0.5 }],
    ["T = 2, top-k 4", [0.1, 1.7, -2, 0.9, 0.4, 1.1, -0.5], { temperature: 2, topK: 4 }],
    ["top-p 0.8", [2, 1.5, 1, 0.5, 0, -0.5, -1, -3], { topP: 0.8 }],
    ["top-k 5 then top-p 0.9, T = 1.5", [3, -1, 2.5, 0.2, 1, 1.8, -2, 0.7], { temperature: 1.5, topK: 5, topP: 0.9 }],
  ];
  for (const [name, logits, o] of cases) {
    it(`draws follow softmax(logits / T) over the kept set (${name}), χ² test`, () => {
      const T = o.temperature ?? 1;
      const kept = [...allowed(logits, T, o.topK ?? 0, o.topP ?? 1)];
      const probs = softmax(kept.map((i) => logits[i]), T);
      const N = 40000;
      const counts = new Map<number, number>(kept.map((i) => [i, 0]));
      const rng = new Rng(2024);
      for (let d = 0; d < N; d++) {
        const id = sampleLogits(logits, { ...o, rng });
        if (!counts.has(id)) throw new Error(`drew ${id}, outside the kept set ${kept}`);
        counts.set(id, counts.get(id)! + 1);
      }
      const chi2 = kept.reduce((s, id, j) => s + (counts.get(id)! - N * probs[j]) ** 2 / (N * probs[j]), 0);
      expect(kept.length).toBeGreaterThan(1);
      expect(chi2).toBeLessThan(CHI2_9999[kept.length - 1]);
    });
  }

  it("a [batch, vocab] tensor gives one int32 draw per row", () => {
    const logits = new Tensor(Float32Array.from([0, 9, 0, 7, 0, 0]), "float32", [2, 3]);
    const ids = sampleLogits(logits, { temperature: 0 }) as Tensor;
    expect([ids.dtype, ids.shape, Array.from(ids.data)]).toEqual(["int32", [2], [1, 0]]);
    expect(sampleLogits(new Tensor(Float64Array.from([0, 9]), "float64", [2]), { temperature: 0 })).toBe(1);
  });

  it("refuses bad logits and options", () => {
    expect(() => sampleLogits([1, NaN])).toThrow(/logit 1 is NaN/);
    expect(() => sampleLogits([-Infinity, -Infinity])).toThrow(/every logit is −Infinity/);
    expect(() => sampleLogits([])).toThrow(ShapeError);
    expect(() => sampleLogits(new Tensor(new Float32Array(8), "float32", [2, 2, 2]))).toThrow(ShapeError);
    expect(() => sampleLogits([1, 2], { temperature: -1 })).toThrow(/temperature/);
    expect(() => sampleLogits([1, 2], { topK: 1.5 })).toThrow(/topK/);
    expect(() => sampleLogits([1, 2], { topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => sampleLogits([1, 2], { top_p: 0.5 } as never)).toThrow(ValueError);
  });
});
