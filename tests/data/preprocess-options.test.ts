// Preprocessing edge cases: NaN in the data a scaler fits on, option values of the wrong type,
// stratified splits that cannot hold every class in both parts, and empty inputs.
import { describe, expect, it } from "vitest";
import { data, Rng, tensor, Tensor, ValueError } from "../../src/index.js";

const f64 = (rows: number[][]) => tensor(rows, { dtype: "float64" });
const values = (t: Tensor) => Array.from(t.data);

describe("standardize and minMaxScale with NaN (a missing value, as scikit-learn)", () => {
  // References: StandardScaler().fit([[1, nan], [2, 3]]) gives mean_ [1.5, 3], scale_ [0.5, 1]
  // and transform([[1, 2]]) = [[-1, -1]]; MinMaxScaler().fit(same) gives data_min_ [1, 3],
  // data_max_ [2, 3] and transform([[1, 2]]) = [[0, -1]] (scikit-learn 1.2.1). Written out:
  // column 0 holds 1 and 2, column 1 only 3 (constant, so scale 1).
  it("statistics skip NaN; transform passes NaN through", () => {
    const x = f64([[1, NaN], [2, 3]]);
    const s = data.standardize(x);
    expect([s.mean, s.std]).toEqual([[1.5, 3], [0.5, 1]]);
    expect(values(s.transform(f64([[1, 2]])))).toEqual([(1 - 1.5) / 0.5, (2 - 3) / 1]);
    expect(values(s.transform(f64([[NaN, 3]])))).toEqual([NaN, 0]);
    const m = data.minMaxScale(x);
    expect([m.min, m.max]).toEqual([[1, 3], [2, 3]]);
    expect(values(m.transform(f64([[1, 2]])))).toEqual([0, 2 - 3]);
    expect(values(m.transform(f64([[NaN, 3]])))).toEqual([NaN, 0]);
  });

  it("a column with no value gets NaN statistics and transforms to NaN, in both scalers", () => {
    const x = f64([[NaN, 1], [NaN, 2]]);
    const s = data.standardize(x);
    expect([s.mean, s.std]).toEqual([[NaN, 1.5], [NaN, 0.5]]);
    expect(values(s.transform(f64([[1, 2]])))).toEqual([NaN, 1]);
    const m = data.minMaxScale(x);
    expect([m.min, m.max]).toEqual([[NaN, 1], [NaN, 2]]);
    expect(values(m.transform(f64([[1, 2]])))).toEqual([NaN, 1]);
  });

  it("±∞ is refused, naming the row and column (scikit-learn: 'Input X contains infinity')", () => {
    expect(() => data.standardize(f64([[1, 2], [3, Infinity]]))).toThrow(/standardize: training data hold Infinity at row 1, column 1/);
    expect(() => data.minMaxScale(f64([[-Infinity, 2], [3, 4]]))).toThrow(/minMaxScale: training data hold -Infinity at row 0, column 0/);
  });

  it("withMean and withStd must be booleans (\"no\" does not turn them off)", () => {
    const x = f64([[1, 2], [3, 4]]);
    expect(() => data.standardize(x, { withMean: "no" as never })).toThrow(/standardize: withMean must be true or false, got no/);
    expect(() => data.standardize(x, { withStd: 0 as never })).toThrow(/standardize: withStd must be true or false, got 0/);
    expect(data.standardize(x, { withMean: false }).mean).toEqual([0, 0]);
  });
});

describe("trainTestSplit with stratify", () => {
  const y = tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2], { dtype: "int32" });
  const x = tensor(Array.from({ length: 11 }, (_, i) => [i]));

  it("refuses a class with one row, as train_test_split(stratify=y) does", () => {
    // scikit-learn 1.2.1, train_test_split(X, [0]*8 + [1]*2 + [2], test_size=0.9 or 0.5, stratify=y):
    // "The least populated class in y has only 1 member, which is too few. The minimum number of
    // groups for any class cannot be less than 2."
    for (const testSize of [0.9, 0.5]) {
      expect(() => data.trainTestSplit(x, y, { testSize, stratify: true, seed: 0 })).toThrow(/trainTestSplit: stratify: class 2 has only 1 row; every class needs at least 2/);
    }
  });

  it("refuses a part with fewer rows than classes", () => {
    // scikit-learn 1.2.1 with [0]*8 + [1]*2 + [2]*2: test_size=0.9 → "The train_size = 1 should
    // be greater or equal to the number of classes = 3"; test_size=10 → "train_size = 2".
    const y2 = tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2], { dtype: "int32" });
    const x2 = tensor(Array.from({ length: 12 }, (_, i) => [i]));
    expect(() => data.trainTestSplit(x2, y2, { testSize: 0.9, stratify: true, seed: 0 })).toThrow(/the train part has 1 rows for 3 classes/);
    expect(() => data.trainTestSplit(x2, y2, { testSize: 10, stratify: true, seed: 0 })).toThrow(/the train part has 2 rows for 3 classes/);
    expect(() => data.trainTestSplit(x2, y2, { testSize: 2, stratify: true, seed: 0 })).toThrow(/the test part has 2 rows for 3 classes/);
    // test_size=0.5 is accepted and keeps every class in both parts.
    const s = data.trainTestSplit(x2, y2, { testSize: 0.5, stratify: true, seed: 0 });
    expect(new Set(values(s.yTrain))).toEqual(new Set([0, 1, 2]));
    expect(new Set(values(s.yTest))).toEqual(new Set([0, 1, 2]));
  });

  it("names a stratify, shuffle or testSize value of the wrong type", () => {
    expect(() => data.trainTestSplit(x, y, { stratify: "yes" as never })).toThrow(/trainTestSplit: stratify must be true \(use y\), false or a Tensor of labels, got "yes"/);
    expect(() => data.trainTestSplit(x, y, { shuffle: "no" as never })).toThrow(/trainTestSplit: shuffle must be true or false, got no/);
    expect(() => data.trainTestSplit(x, y, { testSize: "0.5" as never })).toThrow(/trainTestSplit: testSize must be a number .*got "0.5"/);
  });
});

describe("empty inputs and batch options", () => {
  it("oneHot of no labels names the empty input, and gives [0, k] when numClasses is given", () => {
    expect(() => data.oneHot(tensor([], { dtype: "int32" }))).toThrow(/oneHot: labels are empty \(shape \[0\]\), so numClasses cannot be inferred/);
    expect(data.oneHot(tensor([], { dtype: "int32" }), 3).shape).toEqual([0, 3]);
  });

  it("batches and languageModelBatches take shuffle and dropLast as booleans only", () => {
    const x = tensor([[1], [2], [3]]);
    expect(() => data.batches(x, undefined, { shuffle: "no" as never })).toThrow(/batches: shuffle must be true or false, got no/);
    expect(() => data.batches(x, undefined, { dropLast: 1 as never })).toThrow(/batches: dropLast must be true or false, got 1/);
    const ids = Int32Array.from({ length: 20 }, (_, i) => i % 5);
    expect(() => data.languageModelBatches(ids, { contextLength: 4, shuffle: "no" as never })).toThrow(/languageModelBatches: shuffle must be true or false, got no/);
    expect(() => data.languageModelBatches(ids, { contextLength: 4, dropLast: "yes" as never })).toThrow(ValueError);
    expect([...data.batches(x, undefined, { batchSize: 2, dropLast: true })].length).toBe(1);
  });

  it("a seed or rng without shuffling is refused, not ignored (batches, languageModelBatches, trainTestSplit)", () => {
    const x = tensor([[1], [2], [3], [4]]), y = tensor([0, 1, 0, 1], { dtype: "int32" });
    expect(() => data.batches(x, y, { seed: 1 })).toThrow(/batches: seed has no effect without shuffle: true/);
    expect(() => data.batches(x, y, { rng: new Rng(1) })).toThrow(/batches: rng has no effect/);
    expect([...data.batches(x, y, { shuffle: true, seed: 1 })].length).toBe(1);
    const ids = Int32Array.from({ length: 20 }, (_, i) => i % 5);
    expect(() => data.languageModelBatches(ids, { contextLength: 4, shuffle: false, seed: 1 })).toThrow(/languageModelBatches: seed has no effect with shuffle: false/);
    expect(() => data.trainTestSplit(x, y, { testSize: 2, shuffle: false, seed: 3 })).toThrow(/trainTestSplit: seed has no effect with shuffle: false/);
    expect(data.trainTestSplit(x, y, { testSize: 2, shuffle: false }).yTest.shape).toEqual([2]);
  });
});
