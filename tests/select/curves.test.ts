// crossValPredict, learningCurve and validationCurve: exact values from toy estimators written
// here (scores computed by hand), fast-check properties of the folds, sizes and shapes, the
// train sizes, fold rows and scores of scikit-learn 1.2.1 (cases/curves-6.json, written by
// scripts/sklearn-cases/curves.py), a real run on the embedded digits, and the typed errors.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { Tensor, tensor, softmax } from "../../src/ndarray/index.js";
import { digits } from "../../src/data/index.js";
import { Adam } from "../../src/optim/index.js";
import { accuracy } from "../../src/metrics/index.js";
import { Linear, ReLU, Sequential, fit, predict } from "../../src/nn/index.js";
import {
  crossValPredict, groupKFold, kFold, learningCurve, shuffleSplit, stratifiedKFold, timeSeriesSplit, validationCurve, type Fold,
} from "../../src/select/index.js";

// ---------------------------------------------------------------------------------------------
// Toy estimators, deterministic and exact.

interface MeanModel { shift: number; mean: number; rows: number[] }

/**
 * Predicts the mean label of its training rows (plus params.shift); scores the mean absolute
 * error. x[:, 0] holds each row's index, so `log` records which rows each fit saw.
 */
function meanLabel(log: number[][] = []) {
  return {
    create: (p: { shift?: number }) => ({ shift: p.shift ?? 0, mean: NaN, rows: [] }) as MeanModel,
    fit(m: MeanModel, x: Tensor, y: Tensor) {
      m.rows = Array.from(x.data);
      log.push(m.rows);
      let s = 0;
      for (const v of y.data) s += v;
      m.mean = s / y.shape[0] + m.shift;
    },
    predict: (m: MeanModel, x: Tensor) => tensor(new Array<number>(x.shape[0]).fill(m.mean), { dtype: "float64" }),
    score(m: MeanModel, _x: Tensor, y: Tensor) {
      let s = 0;
      for (const v of y.data) s += Math.abs(v - m.mean);
      return s / y.shape[0];
    },
  };
}

interface Dummy { constant?: number; counts: number[]; n: number; meanX: number; meanY: number }

/**
 * scikit-learn's DummyClassifier (most_frequent/prior, or constant when params.constant is set)
 * and DummyRegressor(mean) over labels 0..classes-1, plus the mean of x[:, 0], as the generator's
 * MeanOfX: with x = 2^i it names the training rows exactly.
 */
function dummy(classes: number) {
  const mostFrequent = (m: Dummy) => m.constant ?? m.counts.indexOf(Math.max(...m.counts));
  return {
    create: (p: { constant?: number }) => ({ constant: p.constant, counts: [], n: 0, meanX: NaN, meanY: NaN }) as Dummy,
    fit(m: Dummy, x: Tensor, y: Tensor) {
      m.n = y.shape[0];
      m.counts = new Array<number>(classes).fill(0);
      let sx = 0, sy = 0;
      for (let i = 0; i < m.n; i++) {
        if (Number.isInteger(y.data[i]) && y.data[i] >= 0 && y.data[i] < classes) m.counts[y.data[i]]++;
        sx += x.data[i];
        sy += y.data[i];
      }
      m.meanX = sx / m.n;
      m.meanY = sy / m.n;
    },
    score(m: Dummy, _x: Tensor, y: Tensor) {
      const c = mostFrequent(m);
      let hits = 0;
      for (const v of y.data) if (v === c) hits++;
      return { accuracy: hits / y.shape[0], meanX: m.meanX };
    },
    predict: (m: Dummy, x: Tensor) => tensor(new Array<number>(x.shape[0]).fill(mostFrequent(m)), { dtype: "int32" }),
    predictProba: (m: Dummy, x: Tensor) => tensor(Array.from({ length: x.shape[0] }, () => m.counts.map((c) => c / m.n)), { dtype: "float64" }),
  };
}

function regressor() {
  const d = dummy(0);
  return { ...d, predict: (m: Dummy, x: Tensor) => tensor(new Array<number>(x.shape[0]).fill(m.meanY), { dtype: "float64" }) };
}

/** x = row index, y = 2·row index (labels for the hand-computed cases). */
const rowsX = (n: number) => tensor(Array.from({ length: n }, (_, i) => [i]), { dtype: "float64" });
const x6 = rowsX(6);
const y6 = tensor([0, 2, 4, 6, 8, 10], { dtype: "float64" });

// ---------------------------------------------------------------------------------------------

describe("crossValPredict", () => {
  it("puts each fold's predictions at its validation rows (the mean label, by hand)", async () => {
    // k = 2: rows 0–2 predicted from rows 3–5 (mean 8), rows 3–5 from rows 0–2 (mean 2).
    expect(Array.from((await crossValPredict(meanLabel(), x6, y6, { k: 2, shuffle: false })).data)).toEqual([8, 8, 8, 2, 2, 2]);
    // k = 3: (4+6+8+10)/4 = 7, (0+2+8+10)/4 = 5, (0+2+4+6)/4 = 3.
    const p = await crossValPredict(meanLabel(), x6, y6, { k: 3, shuffle: false });
    expect([p.shape, p.dtype, Array.from(p.data)]).toEqual([[6], "float64", [7, 7, 5, 5, 3, 3]]);
    // Given folds, rows in any order: rows 4 and 1 from rows 0, 2, 3, 5 (mean 5), the rest from row 1 (2).
    const folds: Fold[] = [{ train: [0, 2, 3, 5], validation: [4, 1] }, { train: [1], validation: [0, 2, 3, 5] }];
    expect(Array.from((await crossValPredict(meanLabel(), x6, y6, { folds })).data)).toEqual([2, 5, 2, 2, 5, 2]);
    // params reach create and fit, as crossValidate's.
    expect(Array.from((await crossValPredict(meanLabel(), x6, y6, { folds, params: { shift: 1 } })).data)).toEqual([3, 6, 3, 3, 6, 3]);
  });

  it("predictProba gives [n, classes] rows in sample order; bool and [n, k] predictions keep dtype and shape", async () => {
    const y = tensor([0, 1, 1, 0, 2, 2, 1, 0], { dtype: "int32" });
    const x = rowsX(8);
    const p = await crossValPredict(dummy(3), x, y, { k: 2, shuffle: false, method: "predictProba" });
    // Fold 0 (rows 0–3) trains on rows 4–7 (labels 2, 2, 1, 0); fold 1 on rows 0–3 (0, 1, 1, 0).
    expect([p.shape, Array.from(p.data)]).toEqual([[8, 3], [...Array(4).fill([0.25, 0.25, 0.5]).flat(), ...Array(4).fill([0.5, 0.5, 0]).flat()]]);
    const flags = await crossValPredict({ create: () => ({}), fit: () => undefined, predict: (_m: object, xv: Tensor) => new Tensor(Uint8Array.from(xv.data, (v) => v % 2), "bool", [xv.shape[0]]) }, x, y, { k: 4, seed: 3 });
    expect([flags.dtype, Array.from(flags.data)]).toEqual(["bool", [0, 1, 0, 1, 0, 1, 0, 1]]);
    const pairs = await crossValPredict({ create: () => ({}), fit: () => undefined, predict: (_m: object, xv: Tensor) => tensor(Array.from(xv.data, (v) => [v, 10 - v]), { dtype: "int32" }) }, x, y, { k: 3, seed: 1 });
    expect([pairs.shape, pairs.dtype, Array.from(pairs.data)]).toEqual([[8, 2], "int32", Array.from({ length: 8 }, (_, i) => [i, 10 - i]).flat()]);
  });

  it("predicts every sample exactly once, from the fold that validates it (fast-check)", async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 6 }), fc.boolean(), fc.boolean(), fc.nat(1000),
      async (n, k0, stratify, shuffle, seed) => {
        const k = Math.min(k0, n);
        const x = rowsX(n);
        const y = tensor(Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 0 : 1), { dtype: "int32" });
        if (stratify && Math.max(...[0, 1].map((c) => Array.from(y.data).filter((v) => v === c).length)) < k) return;
        let fold = -1;
        // predict returns (fold number, row) pairs: the row says where it landed, the fold which fold it came from.
        const est = {
          create: () => ({ fold: ++fold }),
          fit: () => undefined,
          predict: (m: { fold: number }, xv: Tensor) => tensor(Array.from(xv.data, (r) => [m.fold, r]), { dtype: "int32" }),
        };
        const opts = { k, stratify, shuffle, ...(shuffle ? { seed } : {}) };
        const out = await crossValPredict(est, x, y, opts);
        const folds = stratify ? stratifiedKFold(y, { k, shuffle, ...(shuffle ? { seed } : {}) }) : kFold(n, { k, shuffle, ...(shuffle ? { seed } : {}) });
        const want: number[] = [];
        for (let i = 0; i < n; i++) want.push(folds.findIndex((f) => f.validation.includes(i)), i);
        expect(Array.from(out.data)).toEqual(want);
      },
    ), { numRuns: 60 });
  });
});

describe("learningCurve", () => {
  it("scores each size on the first n training rows of each fold (mean label, by hand)", async () => {
    // Fold 0 validates rows 0–2 (y 0, 2, 4) and trains on rows 3–5 (y 6, 8, 10); fold 1 the reverse.
    // Size 1: fold 0 predicts 6 (train MAE 0, test (6+4+2)/3 = 4), fold 1 predicts 0 (0; (6+8+10)/3 = 8).
    // Size 3: fold 0 predicts 8 (train (2+0+2)/3, test (8+6+4)/3 = 6), fold 1 predicts 2 (4/3; 6).
    const log: number[][] = [];
    const lc = await learningCurve(meanLabel(log), x6, y6, { k: 2, shuffle: false, shuffleTrain: false, trainSizes: [3, 1] });
    expect([lc.trainSizes, lc.trainScores, lc.testScores]).toEqual([[1, 3], [[0, 0], [4 / 3, 4 / 3]], [[4, 8], [6, 6]]]);
    // scikit-learn's order of fits: fold after fold, sizes ascending within each.
    expect(log).toEqual([[3], [3, 4, 5], [0], [0, 1, 2]]);
    expect(lc.folds).toEqual(kFold(6, { k: 2 }));
  });

  it("default sizes are np.linspace(0.1, 1, 5) of the first fold's training rows, truncated, at least 1, without duplicates", async () => {
    const n = 50;
    // k = 3: the first fold validates 17 rows, so fractions are of 33: ⌊3.3⌋, ⌊10.725⌋, ⌊18.15⌋, ⌊25.575⌋, 33.
    const lc = await learningCurve(meanLabel(), rowsX(n), tensor(new Array(n).fill(1)), { k: 3, seed: 2 });
    expect(lc.trainSizes).toEqual([3, 10, 18, 25, 33]);
    const tiny = await learningCurve(meanLabel(), rowsX(n), tensor(new Array(n).fill(1)), { k: 3, seed: 2, trainSizes: [0.01, 0.02, 0.5] });
    expect(tiny.trainSizes).toEqual([1, 16]);
    expect([tiny.trainScores.length, tiny.testScores[0].length]).toEqual([2, 3]);
  });

  it("with shuffleTrain (the default), each fold trains on nested random subsets of its training rows, seeded", async () => {
    const n = 30;
    const run = async (seed: number) => {
      const log: number[][] = [];
      const lc = await learningCurve(meanLabel(log), rowsX(n), tensor(new Array(n).fill(0)), { k: 3, seed, trainSizes: [0.2, 0.5, 1.0] });
      return { lc, log };
    };
    const { lc, log } = await run(5);
    expect(lc.trainSizes).toEqual([4, 10, 20]);
    lc.folds.forEach((f, i) => {
      const [a, b, c] = log.slice(3 * i, 3 * i + 3);
      expect([a.length, b.length, c.length]).toEqual([4, 10, 20]);
      expect(b.slice(0, 4)).toEqual(a);
      expect(c.slice(0, 10)).toEqual(b);
      expect([...c].sort((p, q) => p - q)).toEqual(f.train);
    });
    expect(log.some((rows, j) => j % 3 === 0 && rows.join() !== lc.folds[j / 3].train.slice(0, 4).join())).toBe(true);
    expect((await run(5)).log).toEqual(log);
    expect((await run(6)).log).not.toEqual(log);
  });

  it("sizes ascend, stay in [1, first fold's training rows], match the rule, and shape the scores [sizes][folds] (fast-check)", async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 4, max: 60 }), fc.integer({ min: 2, max: 5 }),
      fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.boolean(),
      async (n, k0, fractions, asCounts) => {
        const k = Math.min(k0, n);
        const nMax = n - Math.ceil(n / k);
        const sizes = asCounts ? fractions.map((f) => Math.max(1, Math.ceil(f * nMax))) : [...fractions, 0.5];
        const lc = await learningCurve(meanLabel(), rowsX(n), tensor(Array.from({ length: n }, (_, i) => i % 4)), { k, shuffle: false, shuffleTrain: false, trainSizes: sizes });
        const want = [...new Set(sizes.map((v) => (asCounts ? v : Math.min(nMax, Math.max(1, Math.floor(v * nMax))))))].sort((a, b) => a - b);
        expect(lc.trainSizes).toEqual(want);
        for (let i = 1; i < want.length; i++) expect(lc.trainSizes[i]).toBeGreaterThan(lc.trainSizes[i - 1]);
        expect(lc.trainSizes[0]).toBeGreaterThanOrEqual(1);
        expect(lc.trainSizes[want.length - 1]).toBeLessThanOrEqual(nMax);
        for (const scores of [lc.trainScores, lc.testScores]) {
          expect(scores.length).toBe(want.length);
          for (const row of scores) expect(row.length).toBe(k);
        }
      },
    ), { numRuns: 60 });
  });
});

describe("validationCurve", () => {
  it("sets the parameter as gridSearch does and scores [values][folds] (mean label + shift, by hand)", async () => {
    // shift 0: ŷ = 8 and 2 → train MAE 4/3, test 6 in both folds; shift 1: ŷ = 9 and 3 → train
    // (3+1+1)/3 in both, test (9+7+5)/3 = 7 and (3+5+7)/3 = 5.
    const seen: unknown[] = [];
    const est = { ...meanLabel(), create: (p: { shift: number; other: string }) => { seen.push(p); return { shift: p.shift, mean: NaN, rows: [] }; } };
    const vc = await validationCurve(est, x6, y6, { params: { shift: 5, other: "kept" }, paramName: "shift", paramRange: [0, 1], k: 2, shuffle: false });
    expect([vc.trainScores, vc.testScores]).toEqual([[[4 / 3, 4 / 3], [5 / 3, 5 / 3]], [[6, 6], [7, 5]]]);
    // Fold after fold, each value in turn (scikit-learn's order); the other parameters as given.
    expect(seen).toEqual([{ shift: 0, other: "kept" }, { shift: 1, other: "kept" }, { shift: 0, other: "kept" }, { shift: 1, other: "kept" }]);
  });

  it("shapes the scores [values][folds] and picks a named score with metric (fast-check)", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 4, max: 30 }), fc.integer({ min: 2, max: 4 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }), fc.nat(100),
      async (n, k0, range, seed) => {
        const k = Math.min(k0, n);
        const y = tensor(Array.from({ length: n }, (_, i) => i % 3), { dtype: "int32" });
        const vc = await validationCurve(dummy(3), rowsX(n), y, { params: { constant: 0 }, paramName: "constant", paramRange: range, k, seed, metric: "accuracy" });
        expect([vc.trainScores.length, vc.testScores.length, vc.folds.length]).toEqual([range.length, range.length, k]);
        vc.testScores.forEach((row, c) => row.forEach((s, f) => {
          const rows = vc.folds[f].validation;
          expect(s).toBe(rows.filter((r) => r % 3 === range[c]).length / rows.length);
        }));
      }), { numRuns: 40 });
  });
});

// ---------------------------------------------------------------------------------------------
// scikit-learn 1.2.1

type Split = [number[], number[]];
interface Case {
  kind: "learningCurve" | "crossValPredict" | "validationCurve";
  n: number; k: number; stratify: boolean; y: number[]; splits: Split[];
  trainSizes?: number[]; foldsGiven?: boolean; method?: "predict" | "predictProba"; regression?: boolean; paramRange?: number[];
  want: Record<string, unknown> & { error?: string };
}
const table = JSON.parse(readFileSync(new URL("./cases/curves-6.json", import.meta.url), "utf8")) as { source: string; cases: Case[] };
const powers = (n: number) => tensor(Array.from({ length: n }, (_, i) => [2 ** i]), { dtype: "float64" });
const labels = (c: Case) => tensor(c.y, { dtype: c.regression ? "float64" : "int32" });
const asFolds = (splits: Split[]): Fold[] => splits.map(([train, validation]) => ({ train, validation }));

describe(`scikit-learn 1.2.1 cases (${table.source})`, () => {
  const of = (kind: Case["kind"]) => table.cases.filter((c) => c.kind === kind);
  it("has cases of each kind", () => {
    expect([of("learningCurve").length, of("crossValPredict").length, of("validationCurve").length]).toEqual([47, 20, 4]);
  });

  it("learning_curve: train sizes, the rows each fold trains on (mean of 2^i), accuracies; its errors", async () => {
    for (const c of of("learningCurve")) {
      const tag = `n=${c.n} k=${c.k} stratify=${c.stratify} trainSizes=[${c.trainSizes}]`;
      const opts = { k: c.k, stratify: c.stratify, shuffle: false, shuffleTrain: false, trainSizes: c.trainSizes };
      const run = (metric: string) => learningCurve(dummy(3), powers(c.n), labels(c), { ...opts, metric });
      if (c.want.error) {
        await expect(run("meanX"), tag).rejects.toThrow(ValueError);
        await expect(run("meanX"), tag).rejects.toThrow(/learningCurve: trainSizes are (fractions|row counts)/);
        continue;
      }
      const byX = await run("meanX");
      expect(byX.folds, tag).toEqual(asFolds(c.splits));
      expect(byX.trainSizes, tag).toEqual(c.want.trainSizes);
      expect(byX.trainScores, tag).toEqual(c.want.trainMeans);
      const byAcc = await run("accuracy");
      expect([byAcc.trainScores, byAcc.testScores], tag).toEqual([c.want.trainAccuracy, c.want.testAccuracy]);
    }
  });

  it("cross_val_predict: predict and predict_proba of DummyClassifier / DummyRegressor, given folds, and the partition check", async () => {
    for (const c of of("crossValPredict")) {
      const tag = `n=${c.n} k=${c.k} stratify=${c.stratify} ${c.method} regression=${c.regression}`;
      const est = c.regression ? regressor() : dummy(3);
      // Through the library's own folds, which equal scikit-learn's unshuffled (Stratified)KFold…
      const own = { k: c.k, stratify: c.stratify, shuffle: false, method: c.method };
      // …and through scikit-learn's splits given as folds (GroupKFold, TimeSeriesSplit).
      const given = { folds: asFolds(c.splits), method: c.method };
      if (c.want.error) {
        await expect(crossValPredict(est, powers(c.n), labels(c), given), tag).rejects.toThrow(/crossValPredict: the folds' validation rows must partition the 12 rows/);
        continue;
      }
      const want = (c.want.predictions as (number | number[])[]).flat();
      const out = await crossValPredict(est, powers(c.n), labels(c), given);
      expect(Array.from(out.data), tag).toEqual(want);
      if (!c.foldsGiven) {
        const folds = c.stratify ? stratifiedKFold(labels(c), { k: c.k }) : kFold(c.n, { k: c.k });
        expect(folds, tag).toEqual(asFolds(c.splits));
        expect(Array.from((await crossValPredict(est, powers(c.n), labels(c), own)).data), tag).toEqual(want);
      }
    }
  });

  it("validation_curve: DummyClassifier(strategy='constant') over constant values, accuracy", async () => {
    for (const c of of("validationCurve")) {
      const vc = await validationCurve(dummy(3), powers(c.n), labels(c), { params: { constant: 0 }, paramName: "constant", paramRange: c.paramRange!, k: c.k, stratify: c.stratify, shuffle: false, metric: "accuracy" });
      expect(vc.folds).toEqual(asFolds(c.splits));
      expect([vc.trainScores, vc.testScores]).toEqual([c.want.trainScores, c.want.testScores]);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("on the embedded digits, with a small MLP", () => {
  // 64 → hidden → 10, Linear seeds 1 and 2, Adam (lr 0.01), batch 32, fit seed 3; folds and training orders from seed 0.
  const { x: raw, y } = digits();
  const x = raw.div(16);
  const mlp = {
    create: (p: { hidden: number; epochs: number }) => new Sequential(new Linear(64, p.hidden, { seed: 1 }), new ReLU(), new Linear(p.hidden, 10, { seed: 2 })),
    fit: (m: Sequential, xt: Tensor, yt: Tensor, p: { hidden: number; epochs: number }) => fit(m, xt, yt, { loss: "crossEntropy", optimizer: new Adam(m.parameters(), { lr: 0.01 }), epochs: p.epochs, batchSize: 32, seed: 3 }),
    score: (m: Sequential, xv: Tensor, yv: Tensor) => accuracy(yv, predict(m, xv)),
    predictProba: (m: Sequential, xv: Tensor) => softmax(predict(m, xv), -1),
  };

  it("learningCurve: [sizes][folds] scores in [0, 1], better with more rows", async () => {
    const lc = await learningCurve(mlp, x, y, { params: { hidden: 16, epochs: 3 }, k: 3, seed: 0, trainSizes: [0.05, 0.4, 1.0] });
    expect(lc.trainSizes).toEqual([59, 479, 1198]);
    for (const s of [lc.trainScores, lc.testScores]) {
      expect([s.length, s[0].length]).toEqual([3, 3]);
      for (const v of s.flat()) expect(v >= 0 && v <= 1).toBe(true);
    }
    const mean = (r: number[]) => r.reduce((a, b) => a + b, 0) / r.length;
    expect(mean(lc.testScores[2])).toBeGreaterThanOrEqual(mean(lc.testScores[0]));
    expect(mean(lc.testScores[2])).toBeGreaterThan(0.85); // ≈ 0.92 here; ≈ 0.26 at 59 rows
  });

  it("validationCurve over the hidden width and crossValPredict's probabilities", async () => {
    const vc = await validationCurve(mlp, x, y, { params: { hidden: 16, epochs: 2 }, paramName: "hidden", paramRange: [4, 32], k: 3, seed: 0 });
    expect([vc.trainScores.length, vc.testScores[0].length]).toEqual([2, 3]);
    for (const v of [...vc.trainScores.flat(), ...vc.testScores.flat()]) expect(v >= 0 && v <= 1).toBe(true);
    // 2 epochs: 4 hidden units reach ≈ 0.35, 32 reach ≈ 0.92 (the same on every backend here).
    expect(Math.min(...vc.testScores[1])).toBeGreaterThan(Math.max(...vc.testScores[0]));
    const proba = await crossValPredict(mlp, x, y, { params: { hidden: 16, epochs: 2 }, k: 3, stratify: true, seed: 0, method: "predictProba" });
    expect([proba.shape, proba.dtype]).toEqual([[1797, 10], "float32"]);
    for (let i = 0; i < 1797; i += 97) {
      const row = Array.from(proba.data.subarray(i * 10, i * 10 + 10));
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    expect(accuracy(y, proba)).toBeGreaterThan(0.75); // ≈ 0.84 here
  });
});

// ---------------------------------------------------------------------------------------------

describe("typed errors, before any training", () => {
  const y = tensor([0, 1, 0, 1, 0, 1], { dtype: "int32" });
  /** A toy that counts its fits, so a refusal can be shown to come first. */
  const counted = () => {
    const c = { fits: 0, est: { ...meanLabel(), fit: (m: MeanModel, xt: Tensor, yt: Tensor) => { c.fits++; meanLabel().fit(m, xt, yt); } } };
    return c;
  };

  it("learningCurve: trainSizes out of range, empty or not numbers", async () => {
    const c = counted();
    const cases: [unknown, RegExp][] = [
      [[0, 0.5], /trainSizes are fractions of the first fold's 3 training rows \(not all are integers\), so must be in \(0, 1\], but are in \[0, 0\.5\]/],
      [[0.5, 1.5], /must be in \(0, 1\], but are in \[0\.5, 1\.5\]/],
      [[0, 2], /trainSizes are row counts \(all are integers\), so must be in \[1, 3\]/],
      [[1, 4], /must be in \[1, 3\] \(the first fold's training rows\), but are in \[1, 4\]/],
      [[-0.5], /must be in \(0, 1\]/],
      [[], /trainSizes must be a non-empty array/],
      ["0.5", /trainSizes must be a non-empty array/],
      [[0.5, NaN], /trainSizes\[1\] = NaN is not a finite number/],
      [[0.5, Infinity], /trainSizes\[1\] = Infinity is not a finite number/],
    ];
    for (const [trainSizes, re] of cases) {
      await expect(learningCurve(c.est, x6, y, { k: 2, trainSizes: trainSizes as number[] })).rejects.toThrow(ValueError);
      await expect(learningCurve(c.est, x6, y, { k: 2, trainSizes: trainSizes as number[] })).rejects.toThrow(re);
    }
    await expect(learningCurve(c.est, x6, y, { k: 2, shuffleTrain: "yes" as never })).rejects.toThrow(/learningCurve: shuffleTrain must be true or false, got yes/);
    // A seed with neither shuffle would be ignored; with shuffleTrain it orders the training rows.
    await expect(learningCurve(c.est, x6, y, { k: 2, shuffle: false, shuffleTrain: false, seed: 1 })).rejects.toThrow(/learningCurve: seed has no effect since shuffle is false/);
    expect(c.fits).toBe(0);
    await learningCurve(c.est, x6, y, { k: 2, shuffle: false, seed: 1, trainSizes: [1] });
    await learningCurve(c.est, x6, y, { folds: kFold(6, { k: 2 }), seed: 1, trainSizes: [1] });
    expect(c.fits).toBe(4);
  });

  it("validationCurve: an unknown paramName, an empty paramRange, missing params", async () => {
    const c = counted();
    const base = { params: { shift: 0 }, paramName: "shift", paramRange: [0, 1], k: 2 };
    await expect(validationCurve(c.est, x6, y, { ...base, paramName: "shfit" })).rejects.toThrow(/validationCurve: paramName "shfit" is not a parameter of params \[shift\]/);
    await expect(validationCurve(c.est, x6, y, { ...base, paramName: "toString" })).rejects.toThrow(/paramName "toString" is not a parameter/);
    await expect(validationCurve(c.est, x6, y, { ...base, paramName: 3 as never })).rejects.toThrow(/paramName 3 is not a parameter/);
    await expect(validationCurve(c.est, x6, y, { ...base, paramRange: [] })).rejects.toThrow(/validationCurve: paramRange must be a non-empty array of values for "shift", got \[\]/);
    await expect(validationCurve(c.est, x6, y, { ...base, paramRange: 3 as never })).rejects.toThrow(/paramRange must be a non-empty array/);
    await expect(validationCurve(c.est, x6, y, { ...base, params: undefined as never })).rejects.toThrow(/validationCurve: params must be an object holding every parameter/);
    await expect(validationCurve(c.est, x6, y, undefined as never)).rejects.toThrow(/options \{ params, paramName, paramRange \} are required/);
    for (const bad of [undefined, null, [], {}]) {
      await expect(validationCurve(c.est, x6, y, { ...base, paramRange: bad as never })).rejects.toThrow(ValueError);
    }
    expect(c.fits).toBe(0);
  });

  it("unknown options, in each function", async () => {
    const c = counted();
    await expect(crossValPredict(c.est, x6, y, { k: 2, metric: "a" } as never)).rejects.toThrow(/crossValPredict: unknown option "metric"/);
    await expect(crossValPredict(c.est, x6, y, { methd: "predict" } as never)).rejects.toThrow(/crossValPredict: unknown option "methd"/);
    await expect(learningCurve(c.est, x6, y, { train_sizes: [0.5] } as never)).rejects.toThrow(/learningCurve: unknown option "train_sizes"/);
    await expect(learningCurve(c.est, x6, y, { scoring: "accuracy" } as never)).rejects.toThrow(/learningCurve: unknown option "scoring"/);
    await expect(validationCurve(c.est, x6, y, { params: { shift: 0 }, paramName: "shift", paramRange: [0], cv: 3 } as never)).rejects.toThrow(/validationCurve: unknown option "cv"/);
    await expect(crossValPredict(c.est, x6, y, { method: "decisionFunction" } as never)).rejects.toThrow(/crossValPredict: method must be one of "predict", "predictProba", got decisionFunction/);
    for (const fn of [() => crossValPredict(c.est, x6, y, { k: 2, seed: 1, shuffle: false }), () => validationCurve(c.est, x6, y, { params: { shift: 0 }, paramName: "shift", paramRange: [0], k: 2, seed: 1, shuffle: false })]) {
      await expect(fn()).rejects.toThrow(/seed has no effect since shuffle is false/);
    }
    expect(c.fits).toBe(0);
  });

  it("crossValPredict: folds that do not partition the rows, a missing method, bad predictions", async () => {
    const c = counted();
    const x12 = rowsX(12);
    const y12 = tensor(new Array(12).fill(1));
    await expect(crossValPredict(c.est, x12, y12, { folds: timeSeriesSplit(12, { nSplits: 3 }) })).rejects.toThrow(/crossValPredict: the folds' validation rows must partition the 12 rows \(each row in exactly one\), but row 0 is in 0/);
    await expect(crossValPredict(c.est, x12, y12, { folds: shuffleSplit(12, { nSplits: 3, seed: 1 }) })).rejects.toThrow(/must partition the 12 rows/);
    await expect(crossValPredict(c.est, x12, y12, { folds: [...kFold(12, { k: 3 }), kFold(12, { k: 3 })[0]] })).rejects.toThrow(/row 0 is in 2/);
    await expect(crossValPredict(c.est, x12, y12, { folds: groupKFold([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], { k: 3 }) })).resolves.toBeInstanceOf(Tensor);
    expect(c.fits).toBe(3);
    await expect(crossValPredict(c.est, x12, y12, { k: 3, method: "predictProba" })).rejects.toThrow(/crossValPredict: method "predictProba" needs the estimator to have predictProba\(model, x\)/);
    await expect(crossValPredict((() => 1) as never, x12, y12, { k: 3 })).rejects.toThrow(/crossValPredict: needs the \{ create, fit, … \} form/);
    await expect(learningCurve((() => 1) as never, x12, y12, { k: 3 })).rejects.toThrow(/learningCurve: needs the \{ create, fit, … \} form/);
    await expect(learningCurve({ create: () => ({}), fit: () => undefined } as never, x12, y12, { k: 3 })).rejects.toThrow(/learningCurve: the estimator needs score\(model, x, y\)/);
    expect(c.fits).toBe(3);
    const stub = (predict: (xv: Tensor, fold: number) => unknown) => {
      let f = -1;
      return { create: () => ({ f: ++f }), fit: () => undefined, predict: (m: { f: number }, xv: Tensor) => predict(xv, m.f) as Tensor };
    };
    await expect(crossValPredict(stub(() => [1, 2]), x12, y12, { k: 3 })).rejects.toThrow(/crossValPredict: predict must return a Tensor, got an array in fold 0/);
    await expect(crossValPredict(stub(() => tensor([1, 2])), x12, y12, { k: 3 })).rejects.toThrow(ShapeError);
    await expect(crossValPredict(stub((xv, f) => tensor(new Array(xv.shape[0]).fill(1), { dtype: f === 0 ? "float32" : "int32" })), x12, y12, { k: 3 })).rejects.toThrow(DTypeError);
    await expect(crossValPredict(stub((xv, f) => tensor(Array.from({ length: xv.shape[0] }, () => new Array(f === 2 ? 2 : 3).fill(0.5)))), x12, y12, { k: 3 })).rejects.toThrow(/gave rows of shape \[3\] in fold 0 but \[2\] in fold 2/);
    await expect(learningCurve({ ...c.est, score: () => NaN }, x12, y12, { k: 3 })).rejects.toThrow(/learningCurve: score "score" is NaN/);
    await expect(learningCurve({ ...c.est, score: () => ({ a: 1 }) }, x12, y12, { k: 3, metric: "b" })).rejects.toThrow(/learningCurve: metric "b" is not among the scores \[a\]/);
  });
});
