// eg.distributions Independent and OneHotCategorical: shapes, logProb and entropy against float64
// sums written here, gradients by central differences, one-hot sampling frequencies, typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, indices, sampleTensor } from "../support/reference.js";

const D = eg.distributions;

describe("Independent", () => {
  it("sums logProb and entropy over the reinterpreted dims (a diagonal Normal)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (m, n, seed) => {
      const loc = sampleTensor([m, n], seed, "float64"), scale = sampleTensor([m, n], seed + 1, "float64", 0.3, 2);
      const x = sampleTensor([m, n], seed + 2, "float64");
      const d = new D.Independent(new D.Normal(loc, scale), 1);
      expect(d.batchShape).toEqual([m]);
      expect(d.eventShape).toEqual([n]);
      expect(d.hasRsample).toBe(true);
      const lp = d.logProb(x), h = d.entropy();
      for (let i = 0; i < m; i++) {
        let want = 0, ent = 0, mag = 0;
        for (let j = 0; j < n; j++) {
          const z = (at(x, [i, j]) - at(loc, [i, j])) / at(scale, [i, j]);
          want += -0.5 * z * z - Math.log(at(scale, [i, j])) - 0.5 * Math.log(2 * Math.PI);
          ent += 0.5 + 0.5 * Math.log(2 * Math.PI) + Math.log(at(scale, [i, j]));
          mag += 0.5 * z * z + 4 + Math.abs(at(x, [i, j])) + Math.abs(at(loc, [i, j]));
        }
        expect(Math.abs(at(lp, [i]) - want)).toBeLessThanOrEqual(16 * (n + 4) * 2 ** -53 * mag);
        expect(Math.abs(at(h, [i]) - ent)).toBeLessThanOrEqual(16 * (n + 4) * 2 ** -53 * mag);
      }
      expect(d.sample([2], { seed }).shape).toEqual([2, m, n]);
    }), { numRuns: 30 });
  });

  it("passes gradients through and refuses a bad number of dims", () => {
    const loc = float64Input([2, 3], 1), x = float64Input([2, 3], 2);
    assertGradByDifferences((l, v) => new D.Independent(new D.Normal(l, 1.5), 2).logProb(v), [loc, x], "Independent.logProb");
    expect(() => new D.Independent(new D.Normal(loc, 1), 3)).toThrow(/reinterpretedBatchNdims must be an integer in \[0, 2\]/);
    expect(() => new D.Independent({} as never, 0)).toThrow(ValueError);
  });
});

describe("OneHotCategorical", () => {
  it("logProb of a one-hot value is the log-probability of its category; samples are one-hot", () => {
    const logits = float64Input([2, 3], 1), d = new D.OneHotCategorical({ logits });
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([3]);
    const value = eg.tensor([[0, 0, 1], [1, 0, 0]], { dtype: "float64" }), lp = d.logProb(value);
    for (const [r, c] of [[0, 2], [1, 0]]) {
      const row = [0, 1, 2].map((j) => at(logits, [r, j])), lse = Math.log(row.reduce((s, l) => s + Math.exp(l), 0));
      expect(Math.abs(at(lp, [r]) - (row[c] - lse))).toBeLessThanOrEqual(64 * 2 ** -53 * (1 + Math.abs(lse)));
    }
    assertGradByDifferences((l) => new D.OneHotCategorical({ logits: l }).logProb(value), [logits], "OneHotCategorical.logProb");
    const N = 20000, probs = [0.2, 0.5, 0.3], s = new D.OneHotCategorical({ probs: eg.tensor(probs) }).sample([N], { seed: 2 });
    expect(s.shape).toEqual([N, 3]);
    const counts = [0, 0, 0];
    for (const [i] of indices([N])) {
      expect(at(s, [i, 0]) + at(s, [i, 1]) + at(s, [i, 2])).toBe(1);
      for (let c = 0; c < 3; c++) counts[c] += at(s, [i, c]);
    }
    probs.forEach((p, c) => expect(Math.abs(counts[c] - N * p)).toBeLessThanOrEqual(5 * Math.sqrt(N * p * (1 - p))));
  });

  it("refuses a value that is not one-hot or of the wrong width", () => {
    const d = new D.OneHotCategorical({ probs: eg.ones([3]) });
    expect(() => d.logProb(eg.tensor([1, 1, 0]))).toThrow(/has 2 ones/);
    expect(() => d.logProb(eg.tensor([0.5, 0.5, 0]))).toThrow(ValueError);
    expect(() => d.logProb(eg.tensor([1, 0]))).toThrow(ShapeError);
  });
});
