import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ShapeError, ValueError } from "../../src/errors.js";
import { tensor } from "../../src/ndarray/index.js";
import { batches, digits, minMaxScale, oneHot, standardize, trainTestSplit } from "../../src/data/index.js";
import { MAX_INFERRED_CLASSES } from "../../src/data/one-hot.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("trainTestSplit", () => {
  it("partitions the rows, is seeded, and keeps x and y rows together", () => {
    const x = tensor(range(20).map((i) => [i, -i]));
    const y = tensor(range(20), { dtype: "int32" });
    const a = trainTestSplit(x, y, { testSize: 0.25, seed: 3 });
    expect([a.xTrain.shape, a.xTest.shape, a.yTest.shape]).toEqual([[15, 2], [5, 2], [5]]);
    expect([...a.trainIndex, ...a.testIndex].sort((p, q) => p - q)).toEqual(range(20));
    expect(Array.from(a.xTest.data).filter((_, i) => i % 2 === 0)).toEqual(Array.from(a.yTest.data));
    expect(trainTestSplit(x, y, { testSize: 0.25, seed: 3 }).testIndex).toEqual(a.testIndex);
    expect(trainTestSplit(x, y, { testSize: 0.25, seed: 4 }).testIndex).not.toEqual(a.testIndex);
    expect(trainTestSplit(x, y, { testSize: 3, shuffle: false }).testIndex).toEqual([17, 18, 19]);
  });

  it("rounds the test size up, like scikit-learn, and rejects empty parts", () => {
    const x = tensor(range(10));
    expect(trainTestSplit(x, x, { testSize: 0.21, seed: 1 }).testIndex.length).toBe(3);
    expect(() => trainTestSplit(x, x, { testSize: 10 })).toThrow(ValueError);
    expect(() => trainTestSplit(x, tensor(range(9)))).toThrow(ShapeError);
  });

  it("stratified: each class's test count is within one of its share (fuzzed)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 80 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.nat(), (labels, frac, seed) => {
        const y = tensor(labels, { dtype: "int32" });
        const n = labels.length;
        fc.pre(Math.ceil(frac * n) < n);
        const nTest = Math.ceil(frac * n);
        // scikit-learn's refusals: a class of one row, or a part with fewer rows than classes.
        const classes = new Set(labels);
        const counts = [...classes].map((c) => labels.filter((l) => l === c).length);
        if (Math.min(...counts) < 2 || nTest < classes.size || n - nTest < classes.size) {
          expect(() => trainTestSplit(y, y, { testSize: frac, stratify: true, seed })).toThrow(ValueError);
          return;
        }
        const s = trainTestSplit(y, y, { testSize: frac, stratify: true, seed });
        expect(s.testIndex.length).toBe(nTest);
        for (const c of new Set(labels)) {
          const nc = labels.filter((l) => l === c).length;
          const tc = Array.from(s.yTest.data).filter((l) => l === c).length;
          expect(Math.abs(tc - (nTest * nc) / n)).toBeLessThan(1);
        }
      }),
    );
  });
});

describe("standardize and minMaxScale", () => {
  it("fit on train, apply to test; float64 statistics; constant columns left unscaled", () => {
    const train = tensor([[1, 10, 5], [3, 30, 5]]);
    const s = standardize(train);
    expect([s.mean, s.std]).toEqual([[2, 20, 5], [1, 10, 1]]);
    expect(s.transform(train).toArray()).toEqual([[-1, -1, 0], [1, 1, 0]]);
    expect(s.transform(tensor([[4, 0, 6]])).toArray()).toEqual([[2, -2, 1]]);
    expect(s.inverseTransform(s.transform(tensor([[4, 0, 6]]))).toArray()).toEqual([[4, 0, 6]]);
    expect(() => s.transform(tensor([[1, 2]]))).toThrow(/fitted on 3 columns/);
  });

  it("standardized digits columns have mean 0 and std 1 (or are constant)", () => {
    const { x } = digits();
    const z = standardize(x).transform(x).data;
    for (const c of [5, 20, 36]) {
      const col = range(1797).map((i) => z[i * 64 + c]);
      const m = col.reduce((a, b) => a + b, 0) / col.length;
      const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length;
      expect(Math.abs(m)).toBeLessThan(1e-6);
      expect(Math.abs(v - 1)).toBeLessThan(1e-5);
    }
  });

  it("minMaxScale maps the train range onto [lo, hi]", () => {
    const s = minMaxScale(tensor([[0, 5], [10, 5]]), { range: [-1, 1] });
    // Constant column 1 scales by (hi − lo) / 1, as scikit-learn 1.2.1's MinMaxScaler((-1, 1)):
    // transform([[0, 5], [10, 5], [5, 7]]) = [[-1, -1], [1, -1], [0, 3]].
    expect(s.transform(tensor([[0, 5], [10, 5], [5, 7]])).toArray()).toEqual([[-1, -1], [1, -1], [0, 3]]);
    expect([s.min, s.max]).toEqual([[0, 5], [10, 5]]);
    expect(() => minMaxScale(tensor([[1]]), { range: [1, 0] })).toThrow(ValueError);
  });
});

describe("oneHot", () => {
  it("encodes labels as float32 rows and checks them", () => {
    const h = oneHot(tensor([2, 0, 1], { dtype: "int32" }));
    expect([h.dtype, h.toArray()]).toEqual(["float32", [[0, 0, 1], [1, 0, 0], [0, 1, 0]]]);
    expect(oneHot(tensor([0], { dtype: "int32" }), 3).shape).toEqual([1, 3]);
    expect(() => oneHot(tensor([3], { dtype: "int32" }), 3)).toThrow(/label 3 at index 0/);
    expect(() => oneHot(tensor([0.5]))).toThrow(ValueError);
  });
});

describe("batches", () => {
  it("covers every row once per pass, in seeded order, with dropLast", () => {
    const x = tensor(range(10).map((i) => [i]));
    const y = tensor(range(10), { dtype: "int32" });
    const all = [...batches(x, y, { batchSize: 4, shuffle: true, seed: 7 })];
    expect(all.map((b) => b.x.shape[0])).toEqual([4, 4, 2]);
    expect(all.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(range(10));
    for (const b of all) expect(Array.from(b.x.data)).toEqual(Array.from(b.y!.data));
    expect([...batches(x, y, { batchSize: 4, shuffle: true, seed: 7 })].map((b) => b.indices)).toEqual(all.map((b) => b.indices));
    expect([...batches(x, undefined, { batchSize: 4, dropLast: true })].map((b) => b.indices)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(() => batches(x, y, { batchSize: 0 })).toThrow(ValueError);
  });
});

describe("oneHot with a stray label", () => {
  it("refuses to infer more than MAX_INFERRED_CLASSES classes, naming the label and its index", () => {
    expect(() => oneHot(tensor([0, 2, 1e9], { dtype: "int32" }))).toThrow(/label 1000000000 at index 2 would make 1000000001 classes, more than the 4096/);
    expect(() => oneHot(tensor([0, Infinity]))).toThrow(/label Infinity at index 1/);
    expect(oneHot(tensor([MAX_INFERRED_CLASSES - 1], { dtype: "int32" })).shape).toEqual([1, MAX_INFERRED_CLASSES]);
  });

  it("numClasses asks for a width on purpose: wider than the cap is allowed, a label past it is not", () => {
    const h = oneHot(tensor([9999], { dtype: "int32" }), 10_000);
    expect([h.shape, h.data[9999], Array.from(h.data).reduce((a, b) => a + b, 0)]).toEqual([[1, 10_000], 1, 1]);
    expect(() => oneHot(tensor([0, 5], { dtype: "int32" }), 5)).toThrow(/label 5 at index 1 is not an integer in \[0, 5\)/);
    expect(() => oneHot(tensor([1, 2], { dtype: "int32" }), 2 ** 31)).toThrow(/\[2,2147483648\] would hold 4294967296 elements/);
    expect(() => oneHot(tensor([0]), 1.5)).toThrow(/numClasses must be a positive integer, got 1.5/);
    expect(() => oneHot(tensor([], { dtype: "int32" }))).toThrow(ValueError);
    expect(() => oneHot([0, 1] as never)).toThrow(/labels must be a Tensor/);
  });
});

describe("options of the preprocessing functions", () => {
  it("unknown keys are ValueErrors naming the key", () => {
    const x = tensor([[1], [2], [3], [4]]);
    const y = tensor([0, 1, 0, 1], { dtype: "int32" });
    expect(() => trainTestSplit(x, y, { test_size: 0.5 } as never)).toThrow(/trainTestSplit: unknown option "test_size"/);
    expect(() => batches(x, y, { batch_size: 2 } as never)).toThrow(/batches: unknown option "batch_size"/);
    expect(() => standardize(x, { with_mean: false } as never)).toThrow(/standardize: unknown option "with_mean"/);
    expect(() => minMaxScale(x, { featureRange: [0, 2] } as never)).toThrow(/minMaxScale: unknown option "featureRange"/);
    expect(() => minMaxScale(x, { range: [0] as never })).toThrow(/range must be \[min, max\]/);
  });
});
