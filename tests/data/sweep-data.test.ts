// Differential sweep of the data utilities against scikit-learn 1.2.1, Python's float() and
// PyTorch 1.13: places where edgegrad's answer differed, each with the reference it now matches.
import { describe, expect, it } from "vitest";
import { data, Rng, tensor, Tensor, ValueError } from "../../src/index.js";

const f64 = (rows: number[][]) => tensor(rows, { dtype: "float64" });
const values = (t: Tensor) => Array.from(t.data);

describe("standardize: near-constant columns", () => {
  it("a column of equal values whose mean rounds is left unscaled, as StandardScaler's _is_constant_feature", () => {
    // scikit-learn 1.2.1: StandardScaler().fit(np.full((7, 1), 0.1)) gives var_ [0], scale_ [1],
    // and transform of the training rows ≈ 1.4e-17 (not 1). The float64 mean of seven 0.1s is
    // 0.09999999999999999, so the deviations are 1.4e-17 each: without the error bound that
    // became the column's std and every training row transformed to exactly 1.
    const x = f64(Array.from({ length: 7 }, () => [0.1]));
    const s = data.standardize(x);
    expect(s.std).toEqual([1]);
    for (const v of values(s.transform(x))) expect(Math.abs(v)).toBeLessThan(1e-15);
  });

  it("columns that vary, even by little relative to their mean, keep their std", () => {
    // Independent float64 check: population std of [1e8, 1e8 + 1] is 0.5; of [0, 1e-9] is 5e-10.
    const s = data.standardize(f64([[1e8, 0], [1e8 + 1, 1e-9]]));
    expect(s.std[0]).toBeCloseTo(0.5, 12);
    expect(s.std[1]).toBeCloseTo(5e-10, 20);
  });
});

describe("minMaxScale: constant columns with a range other than [0, 1]", () => {
  it("scale by (hi − lo) as MinMaxScaler does, so test rows land where scikit-learn puts them", () => {
    // scikit-learn 1.2.1: MinMaxScaler(feature_range=(-1, 1)).fit([[5, 1], [5, 3]])
    //   .transform([[6, 2], [5, 1]]) = [[1, 0], [-1, -1]] (scale_ [2, 1], min_ [-11, -2]).
    const m = data.minMaxScale(f64([[5, 1], [5, 3]]), { range: [-1, 1] });
    expect(values(m.transform(f64([[6, 2], [5, 1]])))).toEqual([1, 0, -1, -1]);
    expect(values(m.inverseTransform(f64([[1, 0], [-1, -1]])))).toEqual([6, 2, 5, 1]);
  });

  it("a range below 10ε counts as constant (scikit-learn's _handle_zeros_in_scale)", () => {
    // MinMaxScaler().fit([[1], [1 + 2**-52]]).transform([[1 + 2**-52]]) = [[2.2e-16]], not [[1]].
    const m = data.minMaxScale(f64([[1], [1 + 2 ** -52]]));
    expect(values(m.transform(f64([[1 + 2 ** -52]])))[0]).toBeCloseTo(2 ** -52, 20);
  });

  it("refuses a range with an infinite bound (every scale would be 0 or ∞)", () => {
    expect(() => data.minMaxScale(f64([[0], [1]]), { range: [0, Infinity] })).toThrow(/minMaxScale: range \[0,Infinity\] must be two finite numbers/);
    expect(() => data.minMaxScale(f64([[0], [1]]), { range: ["0", "1"] as never })).toThrow(ValueError);
  });
});

describe("readCsv: NaN and infinity spelled as Python's float() reads them", () => {
  it("accepts any case and sign: Inf, INF, -Infinity, NAN, -nan", () => {
    // csv.reader + float() on these fields: inf, inf, -inf, inf, nan, nan, nan.
    const r = readAll("a,b,c,d,e,f,g\nInf,INF,-Infinity,+infinity,NAN,-nan,Nan\n");
    expect(r).toEqual([Infinity, Infinity, -Infinity, Infinity, NaN, NaN, NaN]);
  });

  it("still refuses words that are not numbers, naming line and column", () => {
    expect(() => data.readCsv("a\ninfinit\n")).toThrow(/line 2, column 1 \(a\): not a number: "infinit"/);
    expect(() => data.readCsv("a\nnana\n")).toThrow(/not a number: "nana"/);
  });

  const readAll = (text: string) => values(data.readCsv(text, { dtype: "float64" }).data);
});

describe("transforms.randomCrop: fill an integer batch cannot hold", () => {
  const images = new Tensor(new Uint8Array(2 * 1 * 2 * 2).fill(7), "uint8", [2, 1, 2, 2]);

  it("is refused, as PyTorch's pad refuses value=-1 for uint8 ('cannot be converted without overflow')", () => {
    // Before: Uint8Array.fill(-1) stored 255 in the padding, silently.
    for (const fill of [-1, 256, 0.5]) {
      expect(() => data.transforms.randomCrop(2, { padding: 1, fill })(images, new Rng(0))).toThrow(/randomCrop: fill .* cannot be stored in a uint8 batch/);
    }
    const int8 = new Tensor(new Int8Array(4), "int8", [1, 1, 2, 2]);
    expect(() => data.transforms.randomCrop(2, { padding: 1, fill: 128 })(int8, new Rng(0))).toThrow(/int8 batch/);
  });

  it("a fill in range pads with that value; a float batch takes any finite fill", () => {
    // PyTorch 1.13: F.pad(uint8 7s [1,1,2,2], (1,1,1,1), value=255) puts 255 around the 7s.
    const crop = data.transforms.randomCrop(4, { padding: 1, fill: 255 });
    expect(values(crop(images, new Rng(0))).slice(0, 16)).toEqual([255, 255, 255, 255, 255, 7, 7, 255, 255, 7, 7, 255, 255, 255, 255, 255]);
    const floats = new Tensor(new Float32Array(4), "float32", [1, 1, 2, 2]);
    expect(values(data.transforms.randomCrop(4, { padding: 1, fill: -0.5 })(floats, new Rng(0)))[0]).toBe(-0.5);
  });
});

describe("arguments that are not tensors: a typed error naming the argument, not a TypeError", () => {
  const x = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const y = tensor([0, 1, 0, 1], { dtype: "int32" });

  it("batches, trainTestSplit, standardize, minMaxScale and a scaler's transform", () => {
    // Before: TypeError "Cannot read properties of undefined (reading '0')" from each of these.
    expect(() => data.batches(x, { batchSize: 2 } as never)).toThrow(/batches: y must be a Tensor, got object/);
    expect(() => data.batches([[1], [2]] as never)).toThrow(/batches: x must be a Tensor, got an array/);
    expect(() => data.trainTestSplit(x, undefined as never)).toThrow(/trainTestSplit: y must be a Tensor, got undefined/);
    expect(() => data.trainTestSplit(x, [0, 1, 0, 1] as never)).toThrow(/trainTestSplit: y must be a Tensor, got an array/);
    expect(() => data.standardize([[1, 2], [3, 4]] as never)).toThrow(/standardize: xTrain must be a Tensor, got an array/);
    expect(() => data.minMaxScale(null as never)).toThrow(/minMaxScale: xTrain must be a Tensor, got null/);
    expect(() => data.standardize(x).inverseTransform([[1, 2]] as never)).toThrow(/standardize: inverseTransform: x must be a Tensor/);
    expect(() => data.trainTestSplit(x, y, { seed: 0 })).not.toThrow();
  });

  it("takeRows takes row indices as a 1-D tensor too (as index_select), and refuses a number", () => {
    // Before: a Tensor of indices (no .length) gave a ShapeError from fromTypedArray about shape [, 2].
    expect(data.takeRows(x, tensor([2, 0], { dtype: "int32" })).toArray()).toEqual([[5, 6], [1, 2]]);
    expect(() => data.takeRows(x, tensor([[0]], { dtype: "int32" }))).toThrow(/takeRows: row indices must be 1-D/);
    expect(() => data.takeRows(x, 2 as never)).toThrow(/takeRows: row indices must be an array, a typed array or a 1-D Tensor, got number/);
  });
});

describe("trainTestSplit with stratify: classes with equal remainders", () => {
  it("share the spare test rows at random, not always the lowest labels", () => {
    // scikit-learn 1.2.1, train_test_split(X, np.repeat(range(4), 3), test_size=0.5, stratify=y)
    // over random_state 0..399: each of the 6 ways to give two of the four classes 2 test rows
    // (and the others 1) comes up 63–75 times. Before, every seed gave classes 0 and 1 two rows.
    const y = tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], { dtype: "int32" });
    const x = tensor(Array.from({ length: 12 }, (_, i) => [i]));
    const patterns = new Map<string, number>();
    for (let seed = 0; seed < 400; seed++) {
      const yTest = values(data.trainTestSplit(x, y, { testSize: 0.5, stratify: true, seed }).yTest);
      const counts = [0, 1, 2, 3].map((label) => yTest.filter((v) => v === label).length);
      expect(counts.slice().sort()).toEqual([1, 1, 2, 2]);
      patterns.set(counts.join(","), (patterns.get(counts.join(",")) ?? 0) + 1);
    }
    expect(patterns.size).toBe(6);
    for (const count of patterns.values()) expect(count).toBeGreaterThan(30); // 400/6 ≈ 67 each
  });
});
