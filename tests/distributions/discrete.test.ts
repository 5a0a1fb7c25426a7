// eg.distributions Bernoulli and Categorical: probs/logits, logProb, entropy and moments against
// float64 formulas written here, over shapes and both float dtypes drawn by fast-check;
// gradients by central differences.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, indices, sampleTensor, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const D = eg.distributions;
type FloatDType = "float32" | "float64";
const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");

function expectNear(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol)) throw new Error(`${what}: got ${got}, expected ${want} (tol ${tol})`);
}

describe("Bernoulli", () => {
  it("from logits: probs, logProb, entropy, mean and variance match the float64 formulas", () => {
    fc.assert(fc.property(shapeArb(3, 4), dtypeArb, fc.nat(), (shape, dtype, seed) => {
      const logits = sampleTensor(shape, seed, dtype, -6, 6), value = sampleTensor(shape, seed + 1, dtype, 0, 1).ge(0.5).astype(dtype);
      const d = new D.Bernoulli({ logits }), u = unitOf(dtype);
      expect(d.batchShape).toEqual(shape);
      const lp = d.logProb(value), h = d.entropy();
      for (const i of indices(shape)) {
        const l = at(logits, i), v = at(value, i), p = 1 / (1 + Math.exp(-l));
        // log σ(l) = −log(1 + e^(−l)); log(1 − σ(l)) = −log(1 + e^l).
        const want = v === 1 ? -Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l));
        expectNear(at(lp, i), want, 16 * u * (1 + Math.abs(l)) + ETA32, `logProb at [${i}]`);
        expectNear(at(d.probs, i), p, 4 * u * p + ETA32, `probs at [${i}]`);
        const ent = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
        expectNear(at(h, i), ent, 16 * u * (1 + Math.abs(l)) + ETA32, `entropy at [${i}]`);
        expectNear(at(d.mean, i), p, 4 * u * p + ETA32, `mean at [${i}]`);
        expectNear(at(d.variance, i), p * (1 - p), 8 * u + ETA32, `variance at [${i}]`);
      }
    }), { numRuns: 40 });
  });

  it("from probs: logits are log(p/(1 − p)) with p kept in [ε, 1 − ε], as PyTorch", () => {
    fc.assert(fc.property(shapeArb(3, 4), dtypeArb, fc.nat(), (shape, dtype, seed) => {
      const probs = sampleTensor(shape, seed, dtype, 0.01, 0.99), d = new D.Bernoulli({ probs }), u = unitOf(dtype);
      const one = d.logProb(1), zero = d.logProb(0);
      for (const i of indices(shape)) {
        const p = at(probs, i);
        expectNear(at(d.logits, i), Math.log(p / (1 - p)), 16 * u / Math.min(p, 1 - p), `logits at [${i}]`);
        expectNear(at(one, i), Math.log(p), 32 * u / Math.min(p, 1 - p), `logProb(1) at [${i}]`);
        expectNear(at(zero, i), Math.log(1 - p), 32 * u / Math.min(p, 1 - p), `logProb(0) at [${i}]`);
      }
    }), { numRuns: 30 });
    const edge = new D.Bernoulli({ probs: eg.tensor([0, 1], { dtype: "float64" }) });
    expect(Array.from(edge.logits.data)).toEqual([Math.log(2 ** -52 / (1 - 2 ** -52)), Math.log((1 - 2 ** -52) / 2 ** -52)]);
  });

  it("gradients of logProb and entropy reach the logits and the probs (also at logit 0)", () => {
    const logits = float64Input([2, 3], 1, -3, 3);
    (logits.storage as Float64Array)[0] = 0;
    const value = eg.tensor([[1, 0, 1], [0, 0, 1]], { dtype: "float64" });
    assertGradByDifferences((l) => new D.Bernoulli({ logits: l }).logProb(value), [logits], "Bernoulli.logProb(logits)");
    assertGradByDifferences((l) => new D.Bernoulli({ logits: l }).entropy(), [logits], "Bernoulli.entropy(logits)");
    const probs = float64Input([3], 2, 0.1, 0.9);
    assertGradByDifferences((p) => new D.Bernoulli({ probs: p }).logProb(value), [probs], "Bernoulli.logProb(probs)");
    assertGradByDifferences((p) => new D.Bernoulli({ probs: p }).entropy(), [probs], "Bernoulli.entropy(probs)");
  });
});

describe("Categorical", () => {
  it("probs, logits, logProb and entropy match the float64 formulas; mean and variance are NaN", () => {
    const problem = fc.record({ batch: shapeArb(2, 3), k: fc.integer({ min: 1, max: 6 }), dtype: dtypeArb, seed: fc.nat(), fromLogits: fc.boolean() });
    fc.assert(fc.property(problem, ({ batch, k, dtype, seed, fromLogits }) => {
      const raw = fromLogits ? sampleTensor([...batch, k], seed, dtype, -4, 4) : sampleTensor([...batch, k], seed, dtype, 0.01, 2);
      const d = new D.Categorical(fromLogits ? { logits: raw } : { probs: raw }), u = unitOf(dtype);
      expect(d.batchShape).toEqual(batch);
      const value = eg.randint(0, k, batch, { seed });
      const lp = d.logProb(value), h = d.entropy();
      for (const i of indices(batch)) {
        const row = Array.from({ length: k }, (_, c) => at(raw, [...i, c]));
        let p: number[];
        if (fromLogits) {
          const m = Math.max(...row), e = row.map((l) => Math.exp(l - m)), s = e.reduce((a, b) => a + b, 0);
          p = e.map((x) => x / s);
        } else {
          const s = row.reduce((a, b) => a + b, 0);
          p = row.map((x) => x / s);
        }
        const tol = 16 * (k + 4) * u;
        for (let c = 0; c < k; c++) expectNear(at(d.probs, [...i, c]), p[c], tol * p[c] + ETA32, `probs at [${i},${c}]`);
        const pClamped = p.map((x) => Math.min(Math.max(x, 2 * u), 1 - 2 * u));
        const want = fromLogits || k > 1 ? Math.log(p[at(value, i)]) : Math.log(pClamped[0]);
        expectNear(at(lp, i), want, tol * (1 + Math.abs(want)) * 4 + ETA32, `logProb at [${i}]`);
        const ent = -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);
        expectNear(at(h, i), ent, tol * 8 * (1 + Math.abs(ent)) + ETA32, `entropy at [${i}]`);
        expect(Number.isNaN(at(d.mean, i)) && Number.isNaN(at(d.variance, i))).toBe(true);
      }
    }), { numRuns: 40 });
  });

  it("gradients of logProb and entropy reach the logits and the probs", () => {
    const logits = float64Input([2, 4], 1), value = eg.tensor([3, 0], { dtype: "int32" });
    assertGradByDifferences((l) => new D.Categorical({ logits: l }).logProb(value), [logits], "Categorical.logProb(logits)");
    assertGradByDifferences((l) => new D.Categorical({ logits: l }).entropy(), [logits], "Categorical.entropy(logits)");
    const probs = float64Input([2, 4], 2, 0.1, 1);
    assertGradByDifferences((p) => new D.Categorical({ probs: p }).logProb(value), [probs], "Categorical.logProb(probs)");
    assertGradByDifferences((p) => new D.Categorical({ probs: p }).entropy(), [probs], "Categorical.entropy(probs)");
  });

  it("a value broadcasts against the batch shape", () => {
    const d = new D.Categorical({ logits: eg.tensor([[0, 1, 2], [2, 1, 0]], { dtype: "float64" }) });
    const lp = d.logProb(eg.tensor([[0], [2]], { dtype: "int32" }));
    expect(lp.shape).toEqual([2, 2]);
    const lse = Math.log(1 + Math.E + Math.E ** 2);
    const want = [[0 - lse, 2 - lse], [2 - lse, 0 - lse]];
    for (const i of indices([2, 2])) expectNear(at(lp, i), want[i[0]][i[1]], 1e-14, `logProb at [${i}]`);
  });
});
