// Options of the fold makers, cross-validation and the searches that were ignored or taken by
// truthiness, and search-space samplers with bounds that draw Infinity or NaN.
import { describe, expect, it } from "vitest";
import { select, tensor, ValueError } from "../../src/index.js";

const x = tensor(Array.from({ length: 12 }, (_, i) => [i]));
const y = tensor(Array.from({ length: 12 }, (_, i) => i % 2), { dtype: "int32" });

/** A training step that counts its calls, so a refusal can be shown to come before any training. */
function counted(): { calls: () => number; step: () => number } {
  let n = 0;
  return { calls: () => n, step: () => ++n };
}

describe("kFold and stratifiedKFold: a seed without shuffling", () => {
  it("is refused, as scikit-learn's KFold(n_splits=3, shuffle=False, random_state=0) raises 'Setting a random_state has no effect since shuffle is False'", () => {
    expect(() => select.kFold(12, { k: 3, seed: 0 })).toThrow(/kFold: seed has no effect since shuffle is false/);
    expect(() => select.kFold(12, { k: 3, shuffle: false, seed: 0 })).toThrow(ValueError);
    expect(() => select.stratifiedKFold(y, { k: 3, seed: 0 })).toThrow(/stratifiedKFold: seed has no effect since shuffle is false/);
    expect(() => select.kFold(12, { k: 3, shuffle: "yes" as never, seed: 0 })).toThrow(/kFold: shuffle must be true or false, got yes/);
    // With shuffling the seed chooses the folds; without it the folds are the contiguous blocks.
    expect(select.kFold(12, { k: 3, shuffle: true, seed: 0 })).toEqual(select.kFold(12, { k: 3, shuffle: true, seed: 0 }));
    expect(select.kFold(6, { k: 3 }).map((f) => f.validation)).toEqual([[0, 1], [2, 3], [4, 5]]);
  });
});

describe("crossValidate and gridSearch with folds", () => {
  const folds = select.kFold(12, { k: 3 });

  it("refuse k, stratify, shuffle and seed, which only choose how folds are made", async () => {
    for (const key of ["k", "stratify", "shuffle", "seed"] as const) {
      const c = counted();
      const value = key === "k" ? 4 : key === "seed" ? 1 : true;
      await expect(select.crossValidate(c.step, x, y, { folds, [key]: value }), key).rejects.toThrow(new RegExp(`crossValidate: ${key} chooses how folds are made, so it does not apply with folds`));
      await expect(select.gridSearch(c.step, x, y, { a: [1] }, { folds, [key]: value }), key).rejects.toThrow(/gridSearch: .* not apply with folds/);
      expect(c.calls()).toBe(0);
    }
  });

  it("refuse a fold with no validation or no training rows, or a row outside x", async () => {
    const c = counted();
    const emptyVal = [folds[0], { train: folds[1].train, validation: [] }];
    await expect(select.crossValidate(c.step, x, y, { folds: emptyVal })).rejects.toThrow(/crossValidate: folds\[1\]\.validation must be a non-empty array of row indices, got \[\]/);
    await expect(select.crossValidate(c.step, x, y, { folds: [{ train: [], validation: [0] }, folds[1]] })).rejects.toThrow(/folds\[0\]\.train must be a non-empty array/);
    await expect(select.crossValidate(c.step, x, y, { folds: [folds[0], { train: [0, 12], validation: [1] }] })).rejects.toThrow(/folds\[1\]\.train\[1\] = 12 is not a row index in \[0, 12\)/);
    expect(c.calls()).toBe(0);
  });

  it("randomSearch keeps its seed with folds: it draws the candidates", async () => {
    const space = { lr: select.logUniform(1e-4, 1e-1) };
    const run = (seed: number) => select.randomSearch(() => 1, x, y, space, { folds, nIter: 3, seed });
    expect((await run(1)).results.map((r) => r.params)).toEqual((await run(1)).results.map((r) => r.params));
    expect((await run(1)).results.map((r) => r.params)).not.toEqual((await run(2)).results.map((r) => r.params));
    await expect(select.randomSearch(() => 1, x, y, space, { folds, k: 3 })).rejects.toThrow(/randomSearch: k chooses how folds are made/);
  });

  it("crossValidate refuses a seed with shuffle: false and non-boolean shuffle/stratify", async () => {
    const c = counted();
    await expect(select.crossValidate(c.step, x, y, { k: 3, shuffle: false, seed: 1 })).rejects.toThrow(/crossValidate: seed has no effect since shuffle is false/);
    await expect(select.crossValidate(c.step, x, y, { k: 3, shuffle: "no" as never })).rejects.toThrow(/crossValidate: shuffle must be true or false, got no/);
    await expect(select.crossValidate(c.step, x, y, { k: 3, stratify: "yes" as never })).rejects.toThrow(/crossValidate: stratify must be true or false, got yes/);
    expect(c.calls()).toBe(0);
  });
});

describe("gridSearch refusals before any candidate trains", () => {
  it("an empty list of grids is a ValueError, not a TypeError", async () => {
    const c = counted();
    await expect(select.gridSearch(c.step, x, y, [], { k: 2 })).rejects.toThrow(/paramGrid: the list of grids is empty/);
    await expect(select.gridSearch(c.step, x, y, [{ a: [1] }, null as never], { k: 2 })).rejects.toThrow(/paramGrid: grid 1 must be an object of value lists, got null/);
    expect(c.calls()).toBe(0);
  });

  it("greaterIsBetter and onResult are checked by type (\"no\" is not false)", async () => {
    const c = counted();
    await expect(select.gridSearch(c.step, x, y, { a: [1, 2] }, { k: 2, greaterIsBetter: "no" as never })).rejects.toThrow(/gridSearch: greaterIsBetter must be true or false, got no/);
    await expect(select.gridSearch(c.step, x, y, { a: [1, 2] }, { k: 2, onResult: 5 as never })).rejects.toThrow(/gridSearch: onResult must be a function, got number/);
    expect(c.calls()).toBe(0);
    await expect(select.tpeSearch({ a: [1, 2] }, () => 1, { nTrials: 2, greaterIsBetter: "no" as never })).rejects.toThrow(/tpeSearch: greaterIsBetter must be true or false, got no/);
    await expect(select.hyperband({ a: [1, 2] }, () => 1, { maxResource: 9, greaterIsBetter: 0 as never })).rejects.toThrow(/hyperband: greaterIsBetter must be true or false, got 0/);
    expect(() => select.trialsSvg({} as never, { greaterIsBetter: "no" as never })).toThrow(/trialsSvg: greaterIsBetter must be true or false, got no/);
  });
});

describe("search-space samplers", () => {
  it("refuse non-finite bounds, empty ranges, logUniform at or below 0 and choice of a non-array", () => {
    expect(() => select.uniform(0, Infinity)).toThrow(/uniform: high must be a finite number, got Infinity/);
    expect(() => select.uniform(NaN, 1)).toThrow(/uniform: low must be a finite number, got NaN/);
    expect(() => select.uniform(1, 1)).toThrow(/uniform: need low < high, got \[1, 1\)/);
    expect(() => select.logUniform(1, Infinity)).toThrow(/logUniform: high must be a finite number, got Infinity/);
    expect(() => select.logUniform(0, 1)).toThrow(/logUniform: need 0 < low, got low = 0/);
    expect(() => select.choice(5 as never)).toThrow(/choice: values must be an array, got number/);
    expect(() => select.choice([])).toThrow(/choice: needs at least one value/);
  });

  it("valid samplers draw inside their range", () => {
    const s = select.logUniform(1e-3, 1);
    const rng = new (class { i = 0; uniform() { return [0, 0.5, 0.999][this.i++ % 3]; } int() { return 0; } })();
    const draws = [0, 1, 2].map(() => s(rng as never));
    // exp(a + (b − a)·u) with a = ln 1e-3, b = ln 1: 1e-3, 10^-1.5, just under 1.
    expect(draws[0]).toBeCloseTo(1e-3, 12);
    expect(draws[1]).toBeCloseTo(10 ** -1.5, 12);
    expect(draws[2]).toBeLessThan(1);
  });
});
