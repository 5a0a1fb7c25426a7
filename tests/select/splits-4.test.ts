// The cross-validation splitters beyond kFold: exact indices against scikit-learn 1.2.1 where they
// are deterministic, scikit-learn's sizes and checks where they are seeded (NumPy's draws cannot
// be reproduced), and properties (partitions, disjointness, stratification) fuzzed.
//
// cases/splits-4.json was written by scripts/sklearn-cases/splits.py with scikit-learn 1.2.1 and
// NumPy 1.24.2: [(train, test) for train, test in S.split(np.zeros((n, 1)), y, groups)] for
// S = TimeSeriesSplit(n_splits, max_train_size=, test_size=, gap=), GroupKFold(k), LeavePOut(p),
// LeaveOneOut(), LeaveOneGroupOut(); the part sizes of ShuffleSplit(1, test_size=, train_size=)
// and StratifiedShuffleSplit(1, test_size=, train_size=) (random_state=0); and {"error": message} where scikit-learn raised ValueError.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { Rng, tensor } from "../../src/ndarray/index.js";
import {
  crossValidate, gridSearch, groupKFold, kFold, leaveOneGroupOut, leaveOneOut, leavePOut, repeatedKFold, repeatedStratifiedKFold,
  shuffleSplit, stratifiedKFold, stratifiedShuffleSplit, timeSeriesSplit, type Fold,
} from "../../src/select/index.js";
import * as eg from "../../src/index.js";
import { approximateMode, shuffleSplitSizes } from "../../src/select/splits-random.js";

type Want<T> = T | { error: string };
interface Cases {
  timeSeriesSplit: { n: number; options: Record<string, number>; want: Want<[number[], number[]][]> }[];
  groupKFold: { groups: number[] | string[]; k: number; want: Want<number[][]> }[];
  leavePOut: { n: number; p: number; want: Want<number[][]> }[];
  leaveOneOut: { n: number; want: Want<number[][]> }[];
  leaveOneGroupOut: { groups: number[] | string[]; want: Want<number[][]> }[];
  shuffleSplitSizes: { n: number; testSize: number | null; trainSize: number | null; want: Want<[number, number]> }[];
  stratifiedShuffleSplitSizes: { y: number[]; testSize: number | null; trainSize: number | null; want: Want<[number, number]> }[];
}
const cases = JSON.parse(readFileSync(new URL("./cases/splits-4.json", import.meta.url), "utf8")) as Cases;
const isError = (w: unknown): w is { error: string } => typeof w === "object" && w !== null && "error" in w;
const orUndefined = (v: number | null) => (v === null ? undefined : v);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** train and validation each ascending, distinct, in [0, n), and disjoint. */
function expectDisjoint(f: Fold, n: number): void {
  for (const part of [f.train, f.validation]) {
    for (let i = 0; i < part.length; i++) {
      expect(Number.isInteger(part[i]) && part[i] >= 0 && part[i] < n).toBe(true);
      if (i > 0) expect(part[i]).toBeGreaterThan(part[i - 1]);
    }
  }
  const val = new Set(f.validation);
  expect(f.train.some((i) => val.has(i))).toBe(false);
}

/** train is every row not in validation. */
const expectComplement = (f: Fold, n: number) => {
  const val = new Set(f.validation);
  expect(f.train).toEqual(range(0, n).filter((i) => !val.has(i)));
};

/** Every row in exactly one validation set, each fold's train its complement. */
function expectPartition(folds: Fold[], n: number): void {
  const seen = new Array(n).fill(0);
  for (const f of folds) {
    expectDisjoint(f, n);
    expectComplement(f, n);
    for (const i of f.validation) seen[i]++;
  }
  expect(seen).toEqual(new Array(n).fill(1));
}

describe("timeSeriesSplit equals scikit-learn's TimeSeriesSplit", () => {
  it("on the table's cases (gap, testSize, maxTrainSize), and refuses where it raises", () => {
    for (const c of cases.timeSeriesSplit) {
      if (isError(c.want)) {
        expect(() => timeSeriesSplit(c.n, c.options), c.want.error).toThrow(ValueError);
      } else {
        expect(timeSeriesSplit(c.n, c.options).map((f) => [f.train, f.validation]), JSON.stringify(c)).toEqual(c.want);
      }
    }
  });

  it("never trains on the future: train ends gap rows before its test block; blocks tile the end (fuzzed)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 80 }), fc.integer({ min: 2, max: 8 }), fc.nat(4), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        (n, nSplits, gap, testSize, maxTrainSize) => {
          const size = testSize ?? Math.floor(n / (nSplits + 1));
          fc.pre(nSplits + 1 <= n && n - gap - size * nSplits > 0);
          const folds = timeSeriesSplit(n, { nSplits, gap, testSize, maxTrainSize });
          expect(folds.length).toBe(nSplits);
          folds.forEach((f, s) => {
            expectDisjoint(f, n);
            const start = n - (nSplits - s) * size;
            expect(f.validation).toEqual(range(start, start + size));
            const end = start - gap;
            expect(f.train).toEqual(range(maxTrainSize !== undefined ? Math.max(0, end - maxTrainSize) : 0, end));
          });
        }),
      { numRuns: 300 },
    );
  });

  it("defaults: 5 splits of ⌊n / 6⌋ rows", () => {
    expect(timeSeriesSplit(6).map((f) => [f.train, f.validation])).toEqual([[[0], [1]], [[0, 1], [2]], [[0, 1, 2], [3]], [[0, 1, 2, 3], [4]], [[0, 1, 2, 3, 4], [5]]]);
  });
});

describe("groupKFold equals scikit-learn 1.2's GroupKFold, ties included", () => {
  it("on the table's cases whose order scikit-learn defines (string groups too), and refuses where it raises", () => {
    // Past 16 groups NumPy's argsort of the sizes is a quicksort: the order of equal sizes there
    // is its own, not a rule; those cases are checked as partitions only.
    let exact = 0;
    for (const c of cases.groupKFold) {
      if (isError(c.want)) {
        expect(() => groupKFold(c.groups, { k: c.k }), c.want.error).toThrow(ValueError);
        continue;
      }
      const folds = groupKFold(c.groups, { k: c.k });
      expectPartition(folds, c.groups.length);
      const sizes = new Map<number | string, number>();
      for (const g of c.groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
      const tied = new Set(sizes.values()).size < sizes.size;
      if (sizes.size > 16 && tied) continue;
      expect(folds.map((f) => f.validation), JSON.stringify(c.groups)).toEqual(c.want);
      exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(10);
  });

  it("puts groups of equal size in descending order of their labels, past 16 groups too", () => {
    // 20 groups of 2 rows, k = 20: group g (labels sorted) goes to fold 19 − g's position.
    const groups = range(0, 40).map((i) => i % 20);
    const folds = groupKFold(groups, { k: 20 });
    expect(folds.map((f) => f.validation)).toEqual(range(0, 20).map((f) => [19 - f, 39 - f]));
  });

  it("keeps every group in one fold, partitions the rows, balances rows within the largest group (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 30 }), { minLength: 2, maxLength: 120 }), fc.integer({ min: 2, max: 8 }), (groups, kk) => {
        const distinct = [...new Set(groups)];
        fc.pre(distinct.length >= 2);
        const k = Math.min(kk, distinct.length);
        const folds = groupKFold(tensor(groups), { k });
        expectPartition(folds, groups.length);
        for (const g of distinct) {
          const holding = folds.filter((f) => f.validation.some((i) => groups[i] === g));
          expect(holding.length).toBe(1);
        }
        // Greedy to the lightest fold: fold sizes differ by at most the largest group's size.
        const sizes = folds.map((f) => f.validation.length);
        const largest = Math.max(...distinct.map((g) => groups.filter((v) => v === g).length));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(largest);
      }),
      { numRuns: 200 },
    );
  });
});

describe("leaveOneOut, leavePOut, leaveOneGroupOut equal scikit-learn's", () => {
  it("on the table's cases, and refuse where it raises", () => {
    for (const c of cases.leaveOneOut) {
      if (isError(c.want)) expect(() => leaveOneOut(c.n), c.want.error).toThrow(ValueError);
      else expect(leaveOneOut(c.n).map((f) => f.validation)).toEqual(c.want);
    }
    for (const c of cases.leavePOut) {
      if (isError(c.want)) expect(() => leavePOut(c.n, c.p), c.want.error).toThrow(ValueError);
      else expect(leavePOut(c.n, c.p).map((f) => f.validation)).toEqual(c.want);
    }
    for (const c of cases.leaveOneGroupOut) {
      if (isError(c.want)) expect(() => leaveOneGroupOut(c.groups), c.want.error).toThrow(ValueError);
      else expect(leaveOneGroupOut(c.groups).map((f) => f.validation)).toEqual(c.want);
    }
  });

  it("leavePOut: C(n, p) distinct sets of p rows in lexicographic order, train the complement (fuzzed)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 9 }), (n, pp) => {
        const p = Math.min(pp, n - 1);
        const folds = leavePOut(n, p);
        let count = 1;
        for (let i = 1; i <= p; i++) count = (count * (n - p + i)) / i;
        expect(folds.length).toBe(count);
        folds.forEach((f, j) => {
          expect(f.validation.length).toBe(p);
          expectDisjoint(f, n);
          expectComplement(f, n);
          if (j > 0) {
            const prev = folds[j - 1].validation;
            const d = f.validation.findIndex((v, i) => v !== prev[i]);
            expect(f.validation[d]).toBeGreaterThan(prev[d]);
          }
        });
      }),
      { numRuns: 100 },
    );
  });

  it("leaveOneOut is kFold with k = n; leaveOneGroupOut partitions by group in ascending order (fuzzed)", () => {
    expect(leaveOneOut(7)).toEqual(kFold(7, { k: 7 }));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 6 }), { minLength: 2, maxLength: 60 }), (groups) => {
        const distinct = [...new Set(groups)].sort((a, b) => a - b);
        fc.pre(distinct.length >= 2);
        const folds = leaveOneGroupOut(Int32Array.from(groups));
        expectPartition(folds, groups.length);
        expect(folds.map((f) => groups[f.validation[0]])).toEqual(distinct);
        folds.forEach((f, j) => expect(f.validation.every((i) => groups[i] === distinct[j])).toBe(true));
      }),
      { numRuns: 100 },
    );
  });
});

describe("shuffleSplit", () => {
  it("sizes as scikit-learn's ShuffleSplit (fractions: test rounded up, train down), and its refusals", () => {
    for (const c of cases.shuffleSplitSizes) {
      const o = { testSize: orUndefined(c.testSize), trainSize: orUndefined(c.trainSize), nSplits: 1, seed: 0 };
      if (isError(c.want)) {
        expect(() => shuffleSplit(c.n, o), c.want.error).toThrow(ValueError);
      } else {
        const [f] = shuffleSplit(c.n, o);
        expect([f.train.length, f.validation.length], JSON.stringify(c)).toEqual(c.want);
        expect(shuffleSplitSizes(c.n, o.testSize, o.trainSize, "t")).toEqual({ nTrain: c.want[0], nTest: c.want[1] });
      }
    }
  });

  it("disjoint parts of the computed sizes; same seed → same folds, another seed → others (fuzzed)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 12 }), fc.nat(), (n, frac, nSplits, seed) => {
        const nTest = Math.ceil(frac * n);
        fc.pre(nTest < n);
        const folds = shuffleSplit(n, { testSize: frac, nSplits, seed });
        expect(folds.length).toBe(nSplits);
        for (const f of folds) {
          expectDisjoint(f, n);
          expect(f.validation.length).toBe(nTest);
          expectComplement(f, n);
        }
        expect(shuffleSplit(n, { testSize: frac, nSplits, seed })).toEqual(folds);
      }),
      { numRuns: 200 },
    );
    expect(shuffleSplit(100, { seed: 1 })).not.toEqual(shuffleSplit(100, { seed: 2 }));
    // A generator is used as it stands: two calls continue its stream.
    const rng = new Rng(5);
    expect(shuffleSplit(50, { rng, nSplits: 3 })).toEqual(shuffleSplit(50, { seed: 5, nSplits: 3 }));
    // Defaults: 10 splits, a tenth of the rows to test.
    const d = shuffleSplit(25, { seed: 0 });
    expect(d.map((f) => [f.train.length, f.validation.length])).toEqual(new Array(10).fill([22, 3]));
  });

  it("with trainSize, the rows neither part takes are left out", () => {
    const folds = shuffleSplit(20, { testSize: 4, trainSize: 0.5, seed: 3, nSplits: 5 });
    for (const f of folds) {
      expect([f.train.length, f.validation.length]).toEqual([10, 4]);
      expectDisjoint(f, 20);
    }
  });
});

describe("stratifiedShuffleSplit", () => {
  it("sizes and refusals as scikit-learn's StratifiedShuffleSplit", () => {
    for (const c of cases.stratifiedShuffleSplitSizes) {
      const o = { testSize: orUndefined(c.testSize), trainSize: orUndefined(c.trainSize), nSplits: 1, seed: 0 };
      if (isError(c.want)) {
        expect(() => stratifiedShuffleSplit(c.y, o), c.want.error).toThrow(ValueError);
      } else {
        const [f] = stratifiedShuffleSplit(c.y, o);
        expect([f.train.length, f.validation.length], JSON.stringify(c)).toEqual(c.want);
      }
    }
  });

  it("each class's share of each part within one row of scikit-learn's quota; disjoint; seeded (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 150 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.option(fc.double({ min: 0.05, max: 0.9, noNaN: true }), { nil: undefined }), fc.nat(),
        (y, testSize, trainSize, seed) => {
          const n = y.length;
          const classes = [...new Set(y)].sort((a, b) => a - b);
          const counts = classes.map((c) => y.filter((v) => v === c).length);
          fc.pre(Math.min(...counts) >= 2 && (trainSize === undefined || testSize + trainSize <= 1));
          const nTest = Math.ceil(testSize * n);
          const nTrain = trainSize === undefined ? n - nTest : Math.floor(trainSize * n);
          fc.pre(nTest < n && nTrain >= classes.length && nTest >= classes.length && nTrain + nTest <= n);
          const o = { testSize, trainSize, nSplits: 3, seed };
          const folds = stratifiedShuffleSplit(y, o);
          for (const f of folds) {
            expectDisjoint(f, n);
            expect([f.train.length, f.validation.length]).toEqual([nTrain, nTest]);
            classes.forEach((c, j) => {
              // Train: ⌊c·nTrain/n⌋ or one more; test: the same of what train left (as _approximate_mode).
              const inTrain = f.train.filter((i) => y[i] === c).length;
              const quota = (counts[j] / n) * nTrain;
              expect(inTrain === Math.floor(quota) || inTrain === Math.floor(quota) + 1).toBe(true);
              const left = counts[j] - inTrain;
              const inTest = f.validation.filter((i) => y[i] === c).length;
              const testQuota = (left / (n - nTrain)) * nTest;
              expect(inTest === Math.floor(testQuota) || inTest === Math.floor(testQuota) + 1).toBe(true);
              // And every class keeps its proportion of the test set within 2 rows of the whole.
              expect(Math.abs(inTest - (counts[j] * nTest) / n)).toBeLessThan(2);
            });
          }
          expect(stratifiedShuffleSplit(tensor(y), o)).toEqual(folds);
        }),
      { numRuns: 200 },
    );
  });

  it("approximateMode: floors, then the largest remainders (scikit-learn's docstring cases), ties at random", () => {
    // sklearn.utils._approximate_mode(np.array([4, 2]), 3, 0) → [2, 1]; ([5, 2], 4, 0) → [3, 1].
    expect(approximateMode([4, 2], 3, new Rng(0))).toEqual([2, 1]);
    expect(approximateMode([5, 2], 4, new Rng(0))).toEqual([3, 1]);
    // [2, 2, 2, 1] with 2 draws: two of the three tied classes get one, the last class none.
    const seen = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const m = approximateMode([2, 2, 2, 1], 2, new Rng(s));
      expect(m.reduce((a, b) => a + b, 0)).toBe(2);
      expect(m[3]).toBe(0);
      seen.add(m.join());
    }
    expect(seen.size).toBe(3);
  });
});

describe("repeatedKFold and repeatedStratifiedKFold", () => {
  it("nRepeats shuffled k-fold partitions from one generator; seeded (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 60 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (y, kk, nRepeats, seed) => {
        const n = y.length;
        const largest = Math.max(...[...new Set(y)].map((c) => y.filter((v) => v === c).length));
        const k = Math.min(kk, largest);
        fc.pre(k >= 2);
        for (const folds of [repeatedKFold(n, { k, nRepeats, seed }), repeatedStratifiedKFold(y, { k, nRepeats, seed })]) {
          expect(folds.length).toBe(k * nRepeats);
          for (let r = 0; r < nRepeats; r++) expectPartition(folds.slice(r * k, (r + 1) * k), n);
        }
        // One generator across the repetitions: the same as kFold's with a shared rng.
        const rng = new Rng(seed);
        const want = Array.from({ length: nRepeats }, () => kFold(n, { k, shuffle: true, rng })).flat();
        expect(repeatedKFold(n, { k, nRepeats, seed })).toEqual(want);
        const rng2 = new Rng(seed);
        expect(repeatedStratifiedKFold(y, { k, nRepeats, seed })).toEqual(Array.from({ length: nRepeats }, () => stratifiedKFold(y, { k, shuffle: true, rng: rng2 })).flat());
      }),
      { numRuns: 100 },
    );
  });

  it("defaults: k = 5, 10 repetitions, each shuffled anew", () => {
    const folds = repeatedKFold(40, { seed: 0 });
    expect(folds.length).toBe(50);
    expect(folds.slice(0, 5)).not.toEqual(folds.slice(5, 10));
    expect(repeatedStratifiedKFold(Array.from({ length: 30 }, (_, i) => i % 3), { seed: 0 }).length).toBe(50);
  });
});

describe("the new splitters feed crossValidate and gridSearch", () => {
  const x = tensor(Array.from({ length: 12 }, (_, i) => [i]));
  const y = tensor(Array.from({ length: 12 }, (_, i) => i % 2), { dtype: "int32" });

  it("crossValidate runs on groupKFold, timeSeriesSplit and stratifiedShuffleSplit folds", async () => {
    const groups = [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4];
    for (const folds of [groupKFold(groups, { k: 3 }), timeSeriesSplit(12, { nSplits: 3 }), stratifiedShuffleSplit(y, { nSplits: 4, testSize: 0.25, seed: 1 })]) {
      const seen: number[][] = [];
      const cv = await crossValidate((_p, xt, _yt, xv, _yv, info) => {
        expect(Array.from(xv.data)).toEqual(info.validationIndex);
        expect(Array.from(xt.data)).toEqual(info.trainIndex);
        seen.push(info.validationIndex);
        return xv.shape[0];
      }, x, y, { folds });
      expect(seen).toEqual(folds.map((f) => f.validation));
      expect(cv.scores).toEqual(folds.map((f) => f.validation.length));
    }
  });

  it("gridSearch takes leaveOneGroupOut folds", async () => {
    const folds = leaveOneGroupOut(["a", "a", "b", "b", "c", "c", "a", "b", "c", "a", "b", "c"]);
    const r = await gridSearch((p: { w: number }, _xt, _yt, xv) => p.w * xv.shape[0], x, y, { w: [1, 2] }, { folds });
    expect(r.bestParams).toEqual({ w: 2 });
    expect(r.bestScore).toBe(8);
    expect(r.results[0].scores).toEqual([4, 4, 4]);
  });
});

it("every splitter is a member of eg.select", () => {
  const names = ["timeSeriesSplit", "groupKFold", "leaveOneOut", "leavePOut", "leaveOneGroupOut", "shuffleSplit", "stratifiedShuffleSplit", "repeatedKFold", "repeatedStratifiedKFold"];
  for (const name of names) expect(typeof (eg.select as Record<string, unknown>)[name], name).toBe("function");
});

describe("typed errors", () => {
  const refuses = (f: () => unknown, message: RegExp) => {
    expect(f).toThrow(ValueError);
    expect(f).toThrow(message);
  };

  it("timeSeriesSplit", () => {
    refuses(() => timeSeriesSplit(5, { nSplits: 5 }), /timeSeriesSplit: nSplits = 5 needs nSplits \+ 1 = 6 rows at least, got n = 5/);
    refuses(() => timeSeriesSplit(10, { nSplits: 3, testSize: 3, gap: 1 }), /leave no row to train on/);
    refuses(() => timeSeriesSplit(10, { nSplits: 1 }), /nSplits must be an integer ≥ 2, got 1/);
    refuses(() => timeSeriesSplit(10, { gap: -1 }), /gap must be an integer ≥ 0, got -1/);
    refuses(() => timeSeriesSplit(10, { testSize: 0 }), /testSize must be a positive integer, got 0/);
    refuses(() => timeSeriesSplit(10, { maxTrainSize: 2.5 }), /maxTrainSize must be a positive integer, got 2.5/);
    refuses(() => timeSeriesSplit(-1), /n must be a non-negative integer, got -1/);
    refuses(() => timeSeriesSplit(10, { n_splits: 3 } as never), /timeSeriesSplit: unknown option "n_splits"/);
  });

  it("groupKFold and leaveOneGroupOut", () => {
    refuses(() => groupKFold([0, 0, 1, 1], { k: 3 }), /groupKFold: k = 3 folds need at least 3 groups, got 2/);
    refuses(() => groupKFold([0, 1], { k: 3 }), /groupKFold: k = 3 folds need at least 3 samples, got 2/);
    refuses(() => groupKFold([0, 1, 2], { k: 1 }), /k must be an integer ≥ 2, got 1/);
    refuses(() => groupKFold([0, NaN, 1]), /groupKFold: groups\[1\] is NaN/);
    refuses(() => groupKFold([0, "a", 1] as never), /groups\[1\] is "a"; groups must be all finite numbers or all strings/);
    refuses(() => groupKFold([true, false] as never), /groups must be numbers or strings, got boolean/);
    refuses(() => groupKFold(null as never), /groupKFold: groups must be a Tensor or an array of labels, got null/);
    refuses(() => groupKFold(tensor([[0, 1], [1, 0]])), /groups must hold one label per row/);
    refuses(() => groupKFold([0, 1, 2], { n_splits: 2 } as never), /unknown option "n_splits"/);
    refuses(() => leaveOneGroupOut([4, 4, 4]), /leaveOneGroupOut: groups must hold at least 2 distinct groups, got 1/);
    refuses(() => leaveOneGroupOut("abc" as never), /groups must be a Tensor or an array of labels, got "abc"/);
  });

  it("leaveOneOut and leavePOut", () => {
    refuses(() => leaveOneOut(1), /leaveOneOut: needs at least 2 rows, got n = 1/);
    refuses(() => leavePOut(3, 3), /leavePOut: p = 3 must be less than the number of rows n = 3/);
    refuses(() => leavePOut(5, 0), /leavePOut: p must be a positive integer, got 0/);
    refuses(() => leavePOut(1.5, 1), /n must be a non-negative integer, got 1.5/);
    // Every split is built at once, so a combinatorial number of them is refused, not attempted.
    refuses(() => leavePOut(100, 5), /leavePOut: n = 100, p = 5 gives more than \d+ splits/);
    refuses(() => leaveOneOut(20000), /leaveOneOut: n = 20000 splits .* use kFold/);
  });

  it("shuffleSplit and stratifiedShuffleSplit", () => {
    refuses(() => shuffleSplit(10, { testSize: 1.5 }), /shuffleSplit: testSize = 1.5 must be a row count in \[1, 10\) or a fraction in \(0, 1\)/);
    refuses(() => shuffleSplit(10, { testSize: 10 }), /testSize = 10 must be a row count in \[1, 10\)/);
    refuses(() => shuffleSplit(10, { trainSize: 0 }), /trainSize = 0 must be a row count/);
    refuses(() => shuffleSplit(10, { testSize: NaN }), /testSize = NaN/);
    refuses(() => shuffleSplit(10, { testSize: "0.5" as never }), /testSize = "0.5"/);
    refuses(() => shuffleSplit(10, { testSize: 0.5, trainSize: 0.6 }), /testSize \+ trainSize = 1.1 must be at most 1/);
    refuses(() => shuffleSplit(10, { testSize: 6, trainSize: 5 }), /5 train rows \+ 6 test rows exceed the 10 rows/);
    refuses(() => shuffleSplit(10, { testSize: 0.95 }), /the train set is empty/);
    refuses(() => shuffleSplit(10, { nSplits: 0 }), /nSplits must be a positive integer, got 0/);
    refuses(() => shuffleSplit(10, { seed: 1, rng: new Rng(1) }), /give seed or rng, not both/);
    refuses(() => shuffleSplit(10, { test_size: 0.2 } as never), /shuffleSplit: unknown option "test_size"/);
    refuses(() => stratifiedShuffleSplit([0, 0, 0, 1], { testSize: 0.5 }), /stratifiedShuffleSplit: class 1 has only 1 row; every class needs at least 2/);
    refuses(() => stratifiedShuffleSplit([0, 0, 1, 1, 2, 2], { testSize: 2 }), /the test set has 2 rows for 3 classes/);
    refuses(() => stratifiedShuffleSplit([0, 0, 1, 1, 2, 2], { trainSize: 2 }), /the train set has 2 rows for 3 classes/);
    refuses(() => stratifiedShuffleSplit([0, NaN, 1, 1]), /label at index 1 is NaN/);
    refuses(() => stratifiedShuffleSplit(tensor([[1, 0], [0, 1]])), /y must hold one label per row/);
  });

  it("repeatedKFold and repeatedStratifiedKFold", () => {
    refuses(() => repeatedKFold(3, { k: 4 }), /repeatedKFold: k = 4 folds need at least 4 samples, got 3/);
    refuses(() => repeatedKFold(10, { nRepeats: 0 }), /repeatedKFold: nRepeats must be a positive integer, got 0/);
    refuses(() => repeatedKFold(10, { shuffle: true } as never), /repeatedKFold: unknown option "shuffle"/);
    refuses(() => repeatedStratifiedKFold([0, 0, 1, 1], { k: 3 }), /repeatedStratifiedKFold: k = 3 folds need a class with at least 3 rows; the largest class has 2/);
    refuses(() => repeatedStratifiedKFold("0011" as never), /repeatedStratifiedKFold: y must be a Tensor or an array of labels/);
  });
});
