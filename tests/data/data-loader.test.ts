// eg.data's map-style datasets, randomSplit, defaultCollate and DataLoader (torch.utils.data):
// index bookkeeping checked exactly against plain loops, PyTorch 1.13's split lengths, collate
// shapes and len(loader), a training loop over a DataLoader, and the typed errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { data, DTypeError, manualSeed, nn, optim, Rng, ShapeError, Tensor, tensor, ValueError } from "../../src/index.js";
import type { MapDataset } from "../../src/data/index.js";

const { ConcatDataset, DataLoader, Subset, TensorDataset, defaultCollate, randomSplit } = data;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** A dataset whose sample i is the number i: a loader's batches then show the indices it visited. */
const indexDataset = (n: number): MapDataset<number> => ({ length: n, get: (i) => i });
const ids = (t: unknown) => Array.from((t as Tensor).data);
const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
/** Rows [n, ...rest] with distinct values, as nested arrays and as a tensor. */
const rows = (n: number, rest: number[], dtype: "float32" | "int32" = "float32") => {
  const w = rest.reduce((a, b) => a * b, 1);
  const flat = range(n * w).map((v) => v * 3 + 1);
  const t = tensor(flat, { dtype }).reshape([n, ...rest]);
  return { t, row: (i: number) => flat.slice(i * w, (i + 1) * w) };
};

describe("TensorDataset", () => {
  it("get(i) is [t0[i], t1[i], …] for every i, negative ones from the end (fuzzed)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), (n, rest) => {
      const a = rows(n, rest), b = rows(n, [], "int32");
      const ds = new TensorDataset(a.t, b.t);
      expect(ds.length).toBe(n);
      for (let i = -n; i < n; i++) {
        const r = i < 0 ? i + n : i;
        const [x, y] = ds.get(i);
        expect([x.shape, y.shape, x.dtype, y.dtype]).toEqual([rest, [], "float32", "int32"]);
        expect([ids(x), y.item()]).toEqual([a.row(r), r * 3 + 1]);
      }
    }));
  });
});

describe("Subset and ConcatDataset", () => {
  it("Subset maps i to indices[i]; ConcatDataset to (dataset, offset) as plain loops do (fuzzed)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), (lengths, picks) => {
      // Dataset k's sample j is 100k + j.
      const parts = lengths.map((len, k) => ({ length: len, get: (j: number) => 100 * k + j }));
      const cat = new ConcatDataset(parts);
      const expected: number[] = [];
      lengths.forEach((len, k) => { for (let j = 0; j < len; j++) expected.push(100 * k + j); });
      expect(cat.length).toBe(expected.length);
      expect(range(cat.length).map((i) => cat.get(i))).toEqual(expected);
      expect(range(cat.length).map((i) => cat.get(i - cat.length))).toEqual(expected);
      let total = 0;
      expect(cat.cumulativeSizes).toEqual(lengths.map((l) => (total += l)));
      if (cat.length === 0) return;
      const indices = picks.map((p) => p % cat.length);
      const sub = new Subset(cat, indices);
      expect(sub.length).toBe(indices.length);
      expect(range(sub.length).map((i) => sub.get(i))).toEqual(indices.map((i) => expected[i]));
    }));
  });

  it("a Subset keeps its own copy of the indices", () => {
    const indices = [2, 0];
    const sub = new Subset(indexDataset(3), indices);
    indices[0] = 1;
    expect([sub.get(0), sub.get(1), sub.get(-1)]).toEqual([2, 0, 0]);
  });
});

/** PyTorch 1.13's random_split rule for fractions, written out again: floor, then +1 round-robin. */
function referenceLengths(n: number, fractions: number[]): number[] {
  const out: number[] = [];
  let total = 0;
  for (const f of fractions) { out.push(Math.floor(n * f)); total += Math.floor(n * f); }
  for (let i = 0; i < n - total; i++) out[i % out.length] += 1;
  return out;
}

describe("randomSplit", () => {
  it("fractions: PyTorch's rounding; the parts are disjoint and cover every index (fuzzed)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 300 }), fc.nat(),
      (weights, n, seed) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const fractions = weights.map((w) => w / total);
        fc.pre(Math.abs(fractions.reduce((a, b) => a + b, 0) - 1) <= 1e-9);
        const parts = randomSplit(indexDataset(n), fractions, { seed });
        expect(parts.map((p) => p.length)).toEqual(referenceLengths(n, fractions));
        const all = parts.flatMap((p) => range(p.length).map((i) => p.get(i) as number));
        expect(sorted(all)).toEqual(range(n));
      }));
  });

  it("counts: the given lengths, a permutation from the seed, the same for the same seed (fuzzed)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }), fc.nat(), (lengths, seed) => {
      const n = lengths.reduce((a, b) => a + b, 0);
      fc.pre(n !== 1); // counts summing to 1 are read as fractions, as in PyTorch
      const parts = randomSplit(indexDataset(n), lengths, { seed });
      expect(parts.map((p) => p.length)).toEqual(lengths);
      const all = parts.flatMap((p) => [...p.indices]);
      expect(sorted(all)).toEqual(range(n));
      expect(randomSplit(indexDataset(n), lengths, { seed }).flatMap((p) => [...p.indices])).toEqual(all);
    }));
  });

  it("the lengths PyTorch 1.13 gives", () => {
    // From PyTorch 1.13: [len(s) for s in random_split(range(n), fractions)].
    const cases: [number[], number, number[]][] = [
      [[0.8, 0.2], 7, [6, 1]], [[0.8, 0.2], 13, [11, 2]], [[0.8, 0.2], 150, [120, 30]], [[0.8, 0.2], 1, [1, 0]],
      [[0.3, 0.3, 0.4], 7, [3, 2, 2]], [[0.3, 0.3, 0.4], 10, [3, 3, 4]], [[0.3, 0.3, 0.4], 11, [4, 3, 4]], [[0.3, 0.3, 0.4], 101, [31, 30, 40]],
      [[1 / 3, 1 / 3, 1 / 3], 10, [4, 3, 3]], [[1 / 3, 1 / 3, 1 / 3], 100, [34, 33, 33]], [[1 / 3, 1 / 3, 1 / 3], 2, [1, 1, 0]],
      [Array(10).fill(0.1), 13, [2, 2, 2, 1, 1, 1, 1, 1, 1, 1]], [Array(10).fill(0.1), 7, [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]],
      [[0.7, 0.2, 0.1], 7, [5, 2, 0]], [[0.6, 0.3, 0.1], 3, [2, 1, 0]], [[0.6, 0.3, 0.1], 13, [8, 4, 1]],
      [[0.25, 0.25, 0.25, 0.25], 150, [38, 38, 37, 37]], [[0.05, 0.95], 101, [6, 95]], [[0.05, 0.95], 150, [8, 142]],
      [[0.5, 0.5], 0, [0, 0]], [[0, 1], 13, [0, 13]],
      // Integer lengths summing to 1 are fractions to PyTorch too: random_split(range(5), [1]) → [5].
      [[1], 5, [5]], [[1, 0], 3, [3, 0]], [[0, 1], 4, [0, 4]],
    ];
    for (const [lengths, n, expected] of cases) expect(randomSplit(indexDataset(n), lengths, { seed: 0 }).map((p) => p.length)).toEqual(expected);
  });
});

describe("defaultCollate", () => {
  it("stacks tensors, makes float32 of numbers, keeps strings, recurses into arrays and objects", () => {
    const samples = range(5).map((k) => ({ x: tensor([[k, k + 1], [k + 2, k + 3]]), y: k, name: `s${k}`, pair: [tensor(k, { dtype: "int32" }), [k / 2]] as const }));
    const b = defaultCollate(samples);
    expect([b.x.shape, b.x.dtype, b.y.shape, b.y.dtype, b.pair[0].shape, b.pair[0].dtype, b.pair[1][0].shape]).toEqual(
      [[5, 2, 2], "float32", [5], "float32", [5], "int32", [5]]);
    expect(ids(b.x)).toEqual(range(5).flatMap((k) => [k, k + 1, k + 2, k + 3]));
    expect([ids(b.y), b.name, ids(b.pair[0]), ids(b.pair[1][0])]).toEqual([range(5), range(5).map((k) => `s${k}`), range(5), range(5).map((k) => k / 2)]);
  });

  it("takes typed arrays as 1-D tensors of their dtype (PyTorch's NumPy branch)", () => {
    const b = defaultCollate([{ px: Uint8Array.of(1, 2, 3), v: Float64Array.of(0.5) }, { px: Uint8Array.of(4, 5, 6), v: Float64Array.of(1.5) }]);
    expect([b.px.shape, b.px.dtype, ids(b.px), b.v.shape, b.v.dtype, ids(b.v)]).toEqual([[2, 3], "uint8", [1, 2, 3, 4, 5, 6], [2, 1], "float64", [0.5, 1.5]]);
  });

  it("gives the shapes PyTorch 1.13's default_collate gives for nested samples", () => {
    // From PyTorch 1.13: default_collate of 5 × (zeros(2, 3), 1, {"a": zeros(4), "b": [2.5, zeros(())]})
    // is [[5, 2, 3], [5], {"a": [5, 4], "b": [[5], [5]]}] (dtypes float32, int64, float32, float64,
    // float32 there; numbers are float32 here).
    const shapes = (v: unknown): unknown => v instanceof Tensor ? v.shape
      : Array.isArray(v) ? v.map(shapes) : Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shapes(x)]));
    const b = defaultCollate(range(5).map(() => [tensor([[0, 0, 0], [0, 0, 0]]), 1, { a: tensor([0, 0, 0, 0]), b: [2.5, tensor(0)] }]));
    expect(shapes(b)).toEqual([[5, 2, 3], [5], { a: [5, 4], b: [[5], [5]] }]);
  });

  it("keeps autograd through the stack when a sample requires grad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const b = defaultCollate([w.mul(2), w.mul(3)]);
    b.sum().backward();
    expect(ids(w.grad)).toEqual([5, 5]);
  });
});

describe("DataLoader", () => {
  it("a pass visits every index once (dropLast: the remainder left out), in batches of batchSize (fuzzed)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 17 }), fc.boolean(), fc.boolean(), fc.nat(),
      (n, batchSize, shuffle, dropLast, seed) => {
        const loader = new DataLoader(indexDataset(n), { batchSize, shuffle, dropLast, ...(shuffle ? { seed } : {}) });
        const batches = [...loader].map(ids);
        expect(batches.length).toBe(loader.length);
        const full = Math.floor(n / batchSize), rest = n % batchSize;
        expect(batches.map((b) => b.length)).toEqual([...Array(full).fill(batchSize), ...(rest && !dropLast ? [rest] : [])]);
        const seen = batches.flat();
        expect(new Set(seen).size).toBe(seen.length);
        if (!shuffle) expect(seen).toEqual(range(seen.length));
        if (!dropLast) expect(sorted(seen)).toEqual(range(n));
      }));
  });

  it("same seed, same sequence of orders; successive passes differ; a shared rng continues", () => {
    const orders = (loader: Iterable<unknown>, passes: number) => range(passes).map(() => [...loader].flatMap(ids));
    const a = orders(new DataLoader(indexDataset(40), { batchSize: 8, shuffle: true, seed: 3 }), 3);
    expect(orders(new DataLoader(indexDataset(40), { batchSize: 8, shuffle: true, seed: 3 }), 3)).toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[1]).not.toEqual(a[2]);
    expect(a.map(sorted)).toEqual([range(40), range(40), range(40)]);
    expect(orders(new DataLoader(indexDataset(40), { batchSize: 8, shuffle: true, seed: 4 }), 1)[0]).not.toEqual(a[0]);
    // An rng in the same state gives the same orders; the global generator follows manualSeed.
    expect(orders(new DataLoader(indexDataset(40), { batchSize: 8, shuffle: true, rng: new Rng(3) }), 3)).toEqual(a);
    const global = new DataLoader(indexDataset(40), { batchSize: 8, shuffle: true });
    manualSeed(9);
    const g = orders(global, 1);
    manualSeed(9);
    expect(orders(global, 1)).toEqual(g);
  });

  it("batches of a TensorDataset (and of its Subsets) are the stacked samples, as a generic dataset gives them", () => {
    const a = rows(23, [2, 3]), b = rows(23, [], "int32");
    const ds = new TensorDataset(a.t.T.T, b.t); // a view: copied once per pass
    const generic: MapDataset<Tensor[]> = { length: ds.length, get: (i) => ds.get(i) };
    const flat = (l: Iterable<Tensor[]>) => [...l].map((batch) => batch.map((t) => [t.shape, t.dtype, ids(t)]));
    const fast = flat(new DataLoader(ds, { batchSize: 5, shuffle: true, seed: 1 }));
    expect(fast).toEqual(flat(new DataLoader(generic, { batchSize: 5, shuffle: true, seed: 1 })));
    expect(fast.map((batch) => batch[0][0])).toEqual([[5, 2, 3], [5, 2, 3], [5, 2, 3], [5, 2, 3], [3, 2, 3]]);
    const [train] = randomSplit(ds, [0.6, 0.4], { seed: 2 });
    const genericTrain = new Subset(generic, train.indices);
    expect(flat(new DataLoader(train, { batchSize: 4 }))).toEqual(flat(new DataLoader(genericTrain, { batchSize: 4 })));
  });

  it("len(loader) as PyTorch 1.13 gives it", () => {
    // From PyTorch 1.13: len(DataLoader(range(n), batch_size=bs, drop_last=dl)) as [n, bs, dl, len].
    const cases: [number, number, boolean, number][] = [
      [0, 1, false, 0], [0, 4, true, 0], [1, 3, false, 1], [1, 3, true, 0], [5, 3, false, 2], [5, 3, true, 1], [5, 10, false, 1],
      [5, 10, true, 0], [10, 3, false, 4], [10, 3, true, 3], [10, 10, true, 1], [150, 4, false, 38], [150, 4, true, 37],
      [150, 32, false, 5], [150, 32, true, 4], [150, 200, false, 1], [150, 200, true, 0], [150, 1, true, 150],
    ];
    for (const [n, batchSize, dropLast, len] of cases) expect(new DataLoader(indexDataset(n), { batchSize, dropLast }).length).toBe(len);
    // From PyTorch 1.13: len(DataLoader(range(7), batch_size=None)) == 7.
    expect(new DataLoader(indexDataset(7), { batchSize: null }).length).toBe(7);
  });

  it("batchSize null yields the samples; sampler and batchSampler choose the indices; collateFn makes the batch", () => {
    expect([...new DataLoader(indexDataset(4), { batchSize: null })]).toEqual([0, 1, 2, 3]);
    expect([...new DataLoader(indexDataset(3), { batchSize: null, collateFn: (s) => [s] })]).toEqual([[0], [1], [2]]);
    const sampled = new DataLoader(indexDataset(10), { batchSize: 2, sampler: [9, 7, 5, 3, 1] });
    expect([sampled.length, [...sampled].map(ids), [...sampled].map(ids)]).toEqual([3, [[9, 7], [5, 3], [1]], [[9, 7], [5, 3], [1]]]);
    const bs = new DataLoader(indexDataset(10), { batchSampler: [[0, 9], [4, 5, 6]] });
    expect([bs.length, [...bs].map(ids)]).toEqual([2, [[0, 9], [4, 5, 6]]]);
    const custom = new DataLoader(indexDataset(5), { batchSize: 2, collateFn: (s: number[]) => s.join("+") });
    expect([...custom]).toEqual(["0+1", "2+3", "4"]);
    const lazy = new DataLoader(indexDataset(5), { sampler: { *[Symbol.iterator]() { yield 4; yield 0; } } });
    expect([...lazy].map(ids)).toEqual([[4], [0]]);
    expect(() => lazy.length).toThrow(/the sampler has no length/);
  });

  it("trains an MLP on iris in a hand-written loop: 0.967 test accuracy after 30 epochs (seeded)", () => {
    const { x, y } = data.iris();
    const xs = data.standardize(x).transform(x);
    const [train, test] = randomSplit(new TensorDataset(xs, y), [0.8, 0.2], { seed: 0 });
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const loader = new DataLoader(train, { batchSize: 16, shuffle: true, seed: 1 });
    expect(loader.length).toBe(8);
    for (let epoch = 0; epoch < 30; epoch++) {
      for (const [xb, yb] of loader) {
        opt.zeroGrad();
        nn.functional.crossEntropy(model.forward(xb) as Tensor, yb).backward();
        opt.step();
      }
    }
    let correct = 0;
    for (const [xb, yb] of new DataLoader(test, { batchSize: 64 })) {
      const pred = (model.predict(xb) as Tensor).argmax(1).data;
      yb.data.forEach((label, i) => { correct += pred[i] === label ? 1 : 0; });
    }
    // 29 of 30 here, on every backend.
    expect(correct / test.length).toBeGreaterThanOrEqual(0.93);
  });
});

describe("typed errors, with every object as it was", () => {
  it("datasets and randomSplit", () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]), y = tensor([0, 1], { dtype: "int32" });
    const before = [ids(x), ids(y)];
    expect(() => new TensorDataset(x, y)).toThrow(ShapeError);
    expect(() => new TensorDataset(x, y)).toThrow(/same first dimension, got \[3,2\], \[2\]/);
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(x, [1, 2, 3] as never)).toThrow(/tensor 1 must be a Tensor, got an array/);
    expect(() => new TensorDataset(tensor(1))).toThrow(ShapeError);
    const ds = new TensorDataset(x);
    expect(() => ds.get(3)).toThrow(/index 3 is out of range for a dataset of length 3/);
    expect(() => ds.get(-4)).toThrow(ValueError);
    expect(() => ds.get(1.5)).toThrow(/index must be an integer, got 1.5/);
    expect(() => new Subset(ds, [0, 3])).toThrow(/index 3 is out of range/);
    expect(() => new Subset({ length: 2 } as never, [0])).toThrow(/dataset must be a dataset/);
    expect(() => new ConcatDataset([])).toThrow(/non-empty array/);
    expect(() => new ConcatDataset<unknown>([ds, { length: -1, get: () => 0 }])).toThrow(/datasets\[1\].length must be an integer ≥ 0, got -1/);
    expect(() => randomSplit(ds, [2, 2], { seed: 1 })).toThrow(/sum to 4, not to the dataset's length 3/);
    expect(() => randomSplit(ds, [0.5, 0.4])).toThrow(/fractions must sum to 1, got \[0.5,0.4\]/);
    expect(() => randomSplit(ds, [-1, 4])).toThrow(/lengths\[0\] must be a finite number ≥ 0, got -1/);
    expect(() => randomSplit(ds, [])).toThrow(ValueError);
    expect(() => randomSplit(ds, [3], { generator: 1 } as never)).toThrow(/randomSplit: unknown option "generator"/);
    // The lengths are checked before the permutation is drawn: a refused split leaves the rng as it was.
    const rng = new Rng(5), state = rng.getState();
    expect(() => randomSplit(ds, [0.5, 0.6], { rng })).toThrow(ValueError);
    expect(rng.getState()).toEqual(state);
    expect([ids(x), ids(y), ds.length, ids(ds.get(2)[0])]).toEqual([...before, 3, [5, 6]]);
  });

  it("DataLoader options and collate", () => {
    const ds = indexDataset(5);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(ValueError);
    expect(() => new DataLoader(ds, { numWorkers: 2 } as never)).toThrow(/DataLoader: unknown option "numWorkers"/);
    expect(() => new DataLoader(ds, { batch_size: 2 } as never)).toThrow(/unknown option "batch_size"/);
    expect(() => new DataLoader(ds, { seed: 1 })).toThrow(/seed has no effect without shuffle: true/);
    expect(() => new DataLoader(ds, { shuffle: "yes" } as never)).toThrow(/shuffle must be true or false/);
    expect(() => new DataLoader(ds, { shuffle: true, sampler: [0] })).toThrow(/sampler option is mutually exclusive with shuffle/);
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(/mutually exclusive with batchSize, shuffle, sampler, and dropLast/);
    expect(() => new DataLoader(ds, { batchSize: null, dropLast: true })).toThrow(/mutually exclusive with dropLast/);
    expect(() => new DataLoader(ds, { sampler: [0, 1].values() })).toThrow(/one-shot iterator/);
    expect(() => new DataLoader(ds, { sampler: 3 as never })).toThrow(/sampler must be iterable/);
    expect(() => new DataLoader(ds, { collateFn: "stack" as never })).toThrow(/collateFn must be a function/);
    expect(() => new DataLoader([1, 2] as never)).toThrow(/dataset must be a dataset/);

    const a = tensor([1, 2]), b = tensor([1, 2, 3]), c = tensor([1, 2], { dtype: "float64" });
    expect(() => defaultCollate([a, b])).toThrow(ShapeError);
    expect(() => defaultCollate([a, b])).toThrow(/one shape, got \[2\] in sample 0 and \[3\] in sample 1/);
    expect(() => defaultCollate([{ x: [a] }, { x: [c] }])).toThrow(DTypeError);
    expect(() => defaultCollate([{ x: [a] }, { x: [c] }])).toThrow(/field x\[0\]\): tensors to stack must have one dtype, got float32 in sample 0 and float64 in sample 1/);
    expect(() => defaultCollate([[a, 1], [a]])).toThrow(/same number of elements, got 2 in sample 0 and 1 in sample 1/);
    expect(() => defaultCollate([{ x: 1 }, { y: 1 }])).toThrow(/same keys/);
    expect(() => defaultCollate([a, 1] as never)).toThrow(/sample 1 is a number where sample 0 has a Tensor/);
    expect(() => defaultCollate([true, false] as never)).toThrow(/cannot collate a boolean/);
    expect(() => defaultCollate([])).toThrow(/non-empty array/);
    expect(() => defaultCollate([Float32Array.of(1), Float32Array.of(1, 2)])).toThrow(/one shape, got \[1\] in sample 0 and \[2\] in sample 1/);
    expect(() => defaultCollate([Float32Array.of(1), [1]] as never)).toThrow(/sample 1 is an array where sample 0 has a typed array/);
    expect(() => defaultCollate([Int16Array.of(1)] as never)).toThrow(DTypeError);
    expect([ids(a), ids(b), ids(c)]).toEqual([[1, 2], [1, 2, 3], [1, 2]]);

    // A dataset whose samples do not stack fails in the pass; the loader's next pass is unaffected.
    const ragged = new DataLoader({ length: 3, get: (i: number) => (i === 2 ? b : a) }, { batchSize: 3 });
    expect(() => [...ragged]).toThrow(ShapeError);
    const ok = new DataLoader(ds, { batchSize: 2 });
    expect(() => [...new DataLoader({ length: 2, get: (i: number) => new TensorDataset(a).get(i + 5) }, { batchSize: 2 })]).toThrow(/out of range/);
    expect([...ok].map(ids)).toEqual([[0, 1], [2, 3], [4]]);
  });
});
