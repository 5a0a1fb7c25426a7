// Differential sweep of model selection against scikit-learn 1.2 (and Optuna where sklearn has
// nothing): each case failed before its fix.
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import {
  crossValidate, formatResults, formatTrials, gridSearch, kFold, lrFinderSvg, paramGrid, stratifiedKFold, tpeSearch, trialsSvg, uniform, type TrialContext,
} from "../../src/select/index.js";

describe("folds without shuffling equal scikit-learn's (the sweep's 3429 cases agreed; a sample)", () => {
  it("kFold: the first n mod k folds get the extra row", () => {
    // scikit-learn 1.2: [test for _, test in KFold(k).split(np.zeros((n, 1)))]
    const cases: [number, number, number[][]][] = [
      [7, 3, [[0, 1, 2], [3, 4], [5, 6]]],
      [10, 4, [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]],
      [11, 5, [[0, 1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]],
      [5, 5, [[0], [1], [2], [3], [4]]],
      [13, 6, [[0, 1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]]],
    ];
    for (const [n, k, want] of cases) expect(kFold(n, { k }).map((f) => f.validation)).toEqual(want);
  });

  it("stratifiedKFold: classes in order of first appearance, labels negative or sparse", () => {
    // scikit-learn 1.2: [test for _, test in StratifiedKFold(k).split(X, y)]
    const cases: [number[], number, number[][]][] = [
      [[2, 0, 2, 1, 1, 0, 2, 2, 0, 1, 2, 1, 0], 4, [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]],
      [[5, 5, 5, 5, 5, 5, -1, -1, 3, 5, 3, 5], 3, [[0, 1, 2, 6], [3, 4, 5, 8], [7, 9, 10, 11]]],
      [[1, 1, 1, 1, 1, 1, 1, 0, 0, 1], 5, [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]],
      [[0, 1, 2, 3, 0, 1, 2, 3, 0, 0, 1, 3, 2, 2, 0], 4, [[0, 2, 3, 4], [1, 6, 7, 8], [5, 9, 11, 12], [10, 13, 14]]],
    ];
    for (const [y, k, want] of cases) expect(stratifiedKFold(y, { k }).map((f) => f.validation)).toEqual(want);
  });
});

describe("stratifiedKFold with k above every class's count", () => {
  it("is refused, as scikit-learn's StratifiedKFold", () => {
    // scikit-learn 1.2: StratifiedKFold(k).split(X, y) raises "n_splits=k cannot be greater than
    // the number of members in each class." for each of these.
    for (const [y, k] of [[[0, 0, 1, 1], 3], [[0, 1, 2], 3], [[0, 0, 1, 3, 1, 0, 0, 0], 6], [[0, 0, 0, 1, 1, 1], 4]] as [number[], number][]) {
      expect(() => stratifiedKFold(y, { k })).toThrow(ValueError);
      expect(() => stratifiedKFold(y, { k })).toThrow(/k = \d folds need a class with at least \d rows/);
    }
  });

  it("is allowed when one class has k rows (scikit-learn only warns of the others)", () => {
    // scikit-learn 1.2: StratifiedKFold(3).split(X, [0, 0, 0, 1, 2]) → tests [[0, 3], [1, 4], [2]]
    expect(stratifiedKFold([0, 0, 0, 1, 2], { k: 3 }).map((f) => f.validation)).toEqual([[0, 3], [1, 4], [2]]);
  });
});

describe("stratifiedKFold with labels that are not one per row", () => {
  it("refuses one-hot [n, c] labels instead of folding their n·c entries as rows", () => {
    // scikit-learn 1.2: "Supported target types are: ('binary', 'multiclass'). Got 'multilabel-indicator' instead."
    const onehot = tensor([[1, 0], [0, 1], [1, 0], [0, 1]]);
    expect(() => stratifiedKFold(onehot, { k: 2 })).toThrow(ValueError);
    expect(() => stratifiedKFold(onehot, { k: 2 })).toThrow(/one label per row.*\[4, 2\]/);
  });

  it("crossValidate with stratify names the labels, not a row index outside x", async () => {
    const x = tensor([[0], [1], [2], [3]]);
    const onehot = tensor([[1, 0], [0, 1], [1, 0], [0, 1]]);
    await expect(crossValidate(() => 1, x, onehot, { k: 2, stratify: true, shuffle: false })).rejects.toThrow(/one label per row/);
  });

  it("accepts a column [n, 1] of labels, as scikit-learn (column_or_1d)", () => {
    // scikit-learn 1.2: StratifiedKFold(2).split(X, [[0], [1], [0], [1]]) → tests [[0, 1], [2, 3]]
    expect(stratifiedKFold(tensor([[0], [1], [0], [1]]), { k: 2 }).map((f) => f.validation)).toEqual([[0, 1], [2, 3]]);
  });
});

describe("paramGrid enumerates keys in sorted order, as scikit-learn's ParameterGrid", () => {
  it("varies the last key in sorted order fastest, whatever order the grid lists them in", () => {
    // scikit-learn 1.2: list(ParameterGrid({"lr": [0.1, 0.01], "hidden": [32, 64], "batch": [16]}))
    const want = [[16, 32, 0.1], [16, 32, 0.01], [16, 64, 0.1], [16, 64, 0.01]];
    const got = paramGrid({ lr: [0.1, 0.01], hidden: [32, 64], batch: [16] });
    expect(got.map((p) => [p.batch, p.hidden, p.lr])).toEqual(want);
    // scikit-learn 1.2: list(ParameterGrid([{"b": [1, 2], "a": [3, 4]}, {"z": [1], "c": [5, 6]}]))
    const two = paramGrid([{ b: [1, 2], a: [3, 4] }, { z: [1], c: [5, 6] }]);
    expect(two).toEqual([{ a: 3, b: 1 }, { a: 3, b: 2 }, { a: 4, b: 1 }, { a: 4, b: 2 }, { c: 5, z: 1 }, { c: 6, z: 1 }]);
  });

  it("keeps the grid's key order in each candidate, so formatResults' columns follow the grid", () => {
    expect(Object.keys(paramGrid({ lr: [0.1], hidden: [32] })[0])).toEqual(["lr", "hidden"]);
  });

  it("gridSearch breaks a tie as GridSearchCV: the first candidate in sorted-key order", async () => {
    // scikit-learn 1.2: GridSearchCV(E(), {"b": [1, 2], "a": [1, 2]}, cv=2) with score 1 for
    // (a, b) ∈ {(1, 2), (2, 1)} else 0.5·a: params [(a1,b1), (a1,b2), (a2,b1), (a2,b2)],
    // rank_test_score [4, 1, 1, 1], best_index_ 1, best_params_ {a: 1, b: 2}.
    const x = tensor([[0], [1], [2], [3], [4], [5]]);
    const score = (p: { a: number; b: number }) => ((p.a === 1 && p.b === 2) || (p.a === 2 && p.b === 1) ? 1 : 0.5 * p.a);
    const r = await gridSearch(score, x, x, { b: [1, 2], a: [1, 2] }, { k: 2, shuffle: false });
    expect(r.results.map((q) => [q.params.a, q.params.b])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
    expect(r.results.map((q) => q.rank)).toEqual([4, 1, 1, 1]);
    expect([r.bestIndex, r.bestParams]).toEqual([1, { b: 2, a: 1 }]);
  });
});

describe("the median pruner judges a trial by its best report so far, as Optuna's MedianPruner", () => {
  // Each trial reports its curve, step after step, then returns the last value.
  const run = (curves: number[][], greaterIsBetter: boolean) => tpeSearch({ x: uniform(0, 1) }, async (_p, ctx: TrialContext) => {
    const c = curves[ctx.trial];
    c.forEach((v, step) => ctx.report(step, v));
    return c[c.length - 1];
  }, { nTrials: curves.length, nStartup: curves.length, roundSize: 1, seed: 0, greaterIsBetter, pruner: { kind: "median", nStartupTrials: 1 } });

  it("a trial that was ahead is not stopped by one step below the median", async () => {
    // Optuna 5.0 (ask/tell, MedianPruner(n_startup_trials=1), direction "maximize"), curves
    // [.5, .5, .5], [.9, .4, .3], [.3, .6, .7]: states complete, complete, pruned at step 0.
    const up = await run([[0.5, 0.5, 0.5], [0.9, 0.4, 0.3], [0.3, 0.6, 0.7]], true);
    expect(up.trials.map((t) => [t.state, t.reports.length])).toEqual([["complete", 3], ["complete", 3], ["pruned", 1]]);
    // Optuna 5.0, direction "minimize", curves [.5, .5, .5], [.1, .6, .7], [.4, .4, .4]:
    // complete, complete, pruned at step 0 (the median of 0.5 and 0.1 is 0.3).
    const down = await run([[0.5, 0.5, 0.5], [0.1, 0.6, 0.7], [0.4, 0.4, 0.4]], false);
    expect(down.trials.map((t) => [t.state, t.reports.length])).toEqual([["complete", 3], ["complete", 3], ["pruned", 1]]);
    expect(down.trials[2].score).toBe(0.4);
  });
});

describe("gridSearch with a candidate whose mean score is NaN", () => {
  it("ranks it last, as GridSearchCV, instead of first and best", async () => {
    // scikit-learn 1.2: GridSearchCV(E(), {"a": [0, 1, 2]}, cv=2), a = 0 scoring +inf on one fold
    // and −inf on the other, else a: mean_test_score [nan, 1, 2], rank_test_score [3, 2, 1],
    // best_index_ 2.
    const x = tensor([[0], [1], [2], [3], [4], [5]]);
    const score = (p: { a: number }, _xt: unknown, _yt: unknown, xv: { data: ArrayLike<number> }) => (p.a === 0 ? (xv.data[0] === 0 ? Infinity : -Infinity) : p.a);
    const r = await gridSearch(score as never, x, x, { a: [0, 1, 2] }, { k: 2, shuffle: false });
    expect(r.results.map((q) => q.mean)).toEqual([NaN, 1, 2]);
    expect(r.results.map((q) => q.rank)).toEqual([3, 2, 1]);
    expect([r.bestIndex, r.bestScore]).toEqual([2, 2]);
    // Lower is better: the NaN mean is still last.
    const low = await gridSearch(score as never, x, x, { a: [0, 1, 2] }, { k: 2, shuffle: false, greaterIsBetter: false });
    expect(low.results.map((q) => q.rank)).toEqual([3, 1, 2]);
  });

  it("ranks it below a mean of −∞", async () => {
    // scikit-learn 1.2: GridSearchCV(E(), {"i": [0, 1, 2]}, cv=KFold(3)) with fold scores
    // [inf, .5, −inf], [1, 1, 1], [−inf, 0, .5]: means [nan, 1, −inf], rank_test_score [3, 1, 2].
    const x = tensor([[0], [1], [2], [3], [4], [5]]);
    const table = [[Infinity, 0.5, -Infinity], [1, 1, 1], [-Infinity, 0, 0.5]];
    const score = (p: { i: number }, _xt: unknown, _yt: unknown, xv: { data: ArrayLike<number> }) => table[p.i][Math.floor(xv.data[0] / 2)];
    const r = await gridSearch(score as never, x, x, { i: [0, 1, 2] }, { k: 3, shuffle: false });
    expect(r.results.map((q) => q.rank)).toEqual([3, 1, 2]);
  });
});

describe("stratifiedKFold with y that is not labels", () => {
  it("refuses null, undefined, a string and a plain object with a ValueError naming y", () => {
    for (const y of [null, undefined, "0101", { length: 4 }]) {
      expect(() => stratifiedKFold(y as never, { k: 2 })).toThrow(ValueError);
      expect(() => stratifiedKFold(y as never, { k: 2 })).toThrow(/y must be a Tensor or an array of labels/);
    }
    // Typed arrays are arrays of labels.
    expect(stratifiedKFold(Int32Array.from([0, 0, 1, 1]), { k: 2 }).map((f) => f.validation)).toEqual([[0, 2], [1, 3]]);
  });
});

describe("formatResults, formatTrials, trialsSvg and lrFinderSvg given something else than a result", () => {
  it("throw a ValueError naming the result they expected, not a TypeError from inside", () => {
    const calls: [RegExp, (r: never) => unknown][] = [
      [/formatResults: expected the result of gridSearch or randomSearch/, formatResults],
      [/formatTrials: expected the result of tpeSearch/, formatTrials],
      [/trialsSvg: expected the result of tpeSearch/, trialsSvg],
      [/lrFinderSvg: expected the result of lrFinder/, lrFinderSvg],
    ];
    for (const [message, f] of calls) {
      for (const r of [null, undefined, {}, 3]) {
        expect(() => f(r as never)).toThrow(ValueError);
        expect(() => f(r as never)).toThrow(message);
      }
    }
  });
});
