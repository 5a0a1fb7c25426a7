import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { kFold, stratifiedKFold, type Fold } from "../../src/select/index.js";

/** Every row in exactly one validation fold; train is the complement; both ascending. */
function expectPartition(folds: Fold[], n: number): void {
  const seen = new Array(n).fill(0);
  for (const f of folds) {
    for (const i of f.validation) seen[i]++;
    const val = new Set(f.validation);
    expect(f.train).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => !val.has(i)));
    expect([...f.validation].sort((a, b) => a - b)).toEqual(f.validation);
  }
  expect(seen).toEqual(new Array(n).fill(1));
}

const sizesWithinOne = (sizes: number[], total: number, k: number) =>
  sizes.every((s) => s === Math.floor(total / k) || s === Math.ceil(total / k));

describe("kFold", () => {
  it("contiguous folds without shuffle, extra rows to the first folds", () => {
    expect(kFold(5, { k: 2 }).map((f) => f.validation)).toEqual([[0, 1, 2], [3, 4]]);
    expect(() => kFold(3, { k: 4 })).toThrow(ValueError);
    expect(() => kFold(10, { k: 1 })).toThrow(ValueError);
  });

  it("partitions the rows, sizes within one, same seed → same folds (fuzzed)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 150 }), fc.integer({ min: 2, max: 12 }), fc.boolean(), fc.nat(), (n, kk, shuffle, seed) => {
        const k = Math.min(kk, n);
        const o = { k, shuffle, ...(shuffle ? { seed } : {}) };
        const folds = kFold(n, o);
        expect(folds.length).toBe(k);
        expectPartition(folds, n);
        expect(sizesWithinOne(folds.map((f) => f.validation.length), n, k)).toBe(true);
        expect(kFold(n, o)).toEqual(folds);
      }),
      { numRuns: 200 },
    );
  });

  it("different seeds give different folds", () => {
    expect(kFold(50, { k: 5, shuffle: true, seed: 1 })).not.toEqual(kFold(50, { k: 5, shuffle: true, seed: 2 }));
  });
});

describe("stratifiedKFold", () => {
  it("keeps each class's count per fold within one of n_c / k, and fold sizes within one (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 150 }), fc.integer({ min: 2, max: 10 }), fc.boolean(), fc.nat(), (labels, kk, shuffle, seed) => {
        const n = labels.length;
        // k may not exceed every class's count (scikit-learn refuses that, and so do we).
        const largest = Math.max(...[...new Set(labels)].map((c) => labels.filter((l) => l === c).length));
        fc.pre(largest >= 2);
        const k = Math.min(kk, largest);
        const o = { k, shuffle, ...(shuffle ? { seed } : {}) };
        const folds = stratifiedKFold(labels, o);
        expectPartition(folds, n);
        expect(sizesWithinOne(folds.map((f) => f.validation.length), n, k)).toBe(true);
        for (const c of new Set(labels)) {
          const nc = labels.filter((l) => l === c).length;
          const perFold = folds.map((f) => f.validation.filter((i) => labels[i] === c).length);
          expect(sizesWithinOne(perFold, nc, k)).toBe(true);
        }
        expect(stratifiedKFold(labels, o)).toEqual(folds);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts tensors and rejects NaN labels", async () => {
    const { tensor } = await import("../../src/ndarray/index.js");
    expect(stratifiedKFold(tensor([0, 0, 1, 1], { dtype: "int32" }), { k: 2 }).map((f) => f.validation)).toEqual([[0, 2], [1, 3]]);
    expect(() => stratifiedKFold([0, NaN, 1], { k: 2 })).toThrow(/label at index 1 is NaN/);
  });
});
