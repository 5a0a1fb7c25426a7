import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { Embedding, embedding } from "../../src/nn/index.js";
import { Tensor } from "../../src/ndarray/index.js";
import { touchedRows } from "../../src/ndarray/row-lists.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { valuesFrom } from "../support/reference.js";

const ints = (values: number[], shape = [values.length]) => new Tensor(Int32Array.from(values), "int32", shape);
const table = (rows: number, width: number, seed: number, dtype: "float32" | "float64" = "float64") => {
  const v = valuesFrom(seed, -2, 2);
  const data = dtype === "float64" ? new Float64Array(rows * width) : new Float32Array(rows * width);
  for (let i = 0; i < data.length; i++) data[i] = v(i);
  return new Tensor(data, dtype, [rows, width]);
};

const caseArb = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  width: fc.integer({ min: 1, max: 5 }),
  shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
  seed: fc.nat(1000),
  pad: fc.option(fc.integer({ min: -9, max: 8 }), { nil: undefined }),
  freq: fc.boolean(),
}).chain((c) => fc.record({
  c: fc.constant(c),
  idx: fc.array(fc.integer({ min: 0, max: c.rows - 1 }), { minLength: c.shape.reduce((a, b) => a * b, 1), maxLength: c.shape.reduce((a, b) => a * b, 1) }),
})).filter(({ c }) => c.pad === undefined || (c.pad >= -c.rows && c.pad < c.rows));

describe("embedding", () => {
  it("looks rows up exactly; the gradient adds each output row into its table row (none into paddingIdx, scaled by 1/count with scaleGradByFreq)", () => {
    fc.assert(fc.property(caseArb, fc.constantFrom("float32" as const, "float64" as const), ({ c, idx }, dtype) => {
      const w = table(c.rows, c.width, c.seed, dtype);
      w.requiresGrad = true;
      const input = ints(idx, c.shape);
      const y = embedding(input, w, { paddingIdx: c.pad, scaleGradByFreq: c.freq });
      expect(y.shape).toEqual([...c.shape, c.width]);
      for (let i = 0; i < idx.length; i++) for (let k = 0; k < c.width; k++) expect(y.data[i * c.width + k]).toBe(w.data[idx[i] * c.width + k]);
      const g = table(idx.length, c.width, c.seed + 1, dtype).reshape([...c.shape, c.width]);
      y.backward(g);
      // float64 reference: sum over positions, per row.
      const pad = c.pad === undefined ? -1 : (c.pad + c.rows) % c.rows;
      const counts = new Array(c.rows).fill(0);
      for (const r of idx) counts[r]++;
      const want = new Float64Array(c.rows * c.width);
      idx.forEach((r, i) => {
        if (r === pad) return;
        for (let k = 0; k < c.width; k++) want[r * c.width + k] += g.data[i * c.width + k] / (c.freq ? counts[r] : 1);
      });
      const got = w.grad!.data;
      const u = dtype === "float32" ? 2 ** -24 : 2 ** -53;
      for (let j = 0; j < want.length; j++) {
        let absSum = 0;
        idx.forEach((r, i) => { if (r * c.width <= j && j < (r + 1) * c.width) absSum += Math.abs(g.data[i * c.width + (j % c.width)]); });
        expect(Math.abs(got[j] - want[j])).toBeLessThanOrEqual(2 * (idx.length + 2) * u * absSum + 1e-300);
      }
      expect(touchedRows(w.grad!)).toBeNull();
    }));
  });

  // paddingIdx and scaleGradByFreq change the gradient on purpose (the test above checks them);
  // the true derivative is what the table gets without them.
  it("gradient by finite differences (repeated indices, sparse or not)", () => {
    const w = table(6, 3, 5);
    w.requiresGrad = true;
    const input = ints([1, 4, 1, 0, 5, 1], [2, 3]);
    assertGradByDifferences((t) => embedding(input, t).tanh(), [w], "embedding");
    assertGradByDifferences((t) => embedding(input, t, { sparse: true, paddingIdx: 2 }).tanh(), [w], "embedding (sparse, unused paddingIdx)");
  });

  it("maxNorm rescales the looked-up rows in place (torch.embedding_renorm_), for p = 1, 2, 3, ∞", () => {
    for (const p of [1, 2, 3, Infinity]) {
      const w = table(5, 4, 7);
      const before = Float64Array.from(w.data);
      const maxNorm = 1.1;
      const y = embedding(ints([3, 0, 3]), w, { maxNorm, normType: p });
      for (let r = 0; r < 5; r++) {
        const row = Array.from(before.subarray(r * 4, r * 4 + 4));
        const norm = p === Infinity ? Math.max(...row.map(Math.abs)) : row.reduce((a, v) => a + Math.abs(v) ** p, 0) ** (1 / p);
        const scale = (r === 0 || r === 3) && norm > maxNorm ? maxNorm / (norm + 1e-7) : 1;
        for (let k = 0; k < 4; k++) expect(w.data[r * 4 + k]).toBeCloseTo(row[k] * scale, 13);
      }
      for (let k = 0; k < 4; k++) expect(y.data[k]).toBe(w.data[12 + k]);
    }
  });

  it("sparse: the gradient names the rows used (paddingIdx left out), and its values are the dense gradient's", () => {
    const w = table(10, 2, 3);
    w.requiresGrad = true;
    embedding(ints([7, 2, 7, 0, 9]), w, { sparse: true, paddingIdx: 0 }).sum().backward();
    expect(Array.from(touchedRows(w.grad!)!)).toEqual([2, 7, 9]);
    const dense = table(10, 2, 3);
    dense.requiresGrad = true;
    embedding(ints([7, 2, 7, 0, 9]), dense, { paddingIdx: 0 }).sum().backward();
    expect(Array.from(w.grad!.data)).toEqual(Array.from(dense.grad!.data));
    // A second lookup and a second backward keep the gradient row-sparse (the union of rows).
    const y = embedding(ints([3]), w, { sparse: true }).sum().add(embedding(ints([2]), w, { sparse: true }).sum());
    y.backward();
    expect(Array.from(touchedRows(w.grad!)!)).toEqual([2, 3, 7, 9]);
    expect(Array.from(w.grad!.data.subarray(4, 8))).toEqual([2, 2, 1, 1]); // rows 2 and 3
  });

  it("refuses bad arguments before touching the table", () => {
    const w = table(4, 2, 1);
    const before = Array.from(w.data);
    expect(() => embedding(ints([4]), w, { maxNorm: 0.1 })).toThrow(/index 4 at position 0 is out of range for a table of 4 rows/);
    expect(Array.from(w.data)).toEqual(before);
    expect(() => embedding(ints([-1]), w)).toThrow(ValueError);
    expect(() => embedding(new Tensor(new Float32Array([1]), "float32", [1]), w)).toThrow(DTypeError);
    expect(() => embedding(ints([0]), ints([0, 1], [2]))).toThrow(ShapeError);
    expect(() => embedding(ints([0]), w, { paddingIdx: 4 })).toThrow(/paddingIdx must be an integer in \[-4, 4\), got 4/);
    expect(() => embedding(ints([0]), w, { maxNorm: -1 })).toThrow(/maxNorm/);
    expect(() => embedding(ints([0]), w, { normType: 0 })).toThrow(/normType/);
    expect(() => embedding(ints([0]), w, { sparse: 1 } as never)).toThrow(/sparse must be true or false/);
    expect(() => embedding(ints([0]), w, { padding: 1 } as never)).toThrow(/unknown option "padding"/);
    expect(() => embedding(ints([0]), w.transpose(0, 1).contiguous().transpose(0, 1), { maxNorm: 1 })).toThrow(/owns its contiguous storage/);
  });
});

describe("Embedding", () => {
  it("weight N(0, 1) with the padding row zero; state-dict key weight; seeded", () => {
    const e = new Embedding(300, 20, { paddingIdx: -1, seed: 4 });
    expect(e.paddingIdx).toBe(299);
    expect(Object.keys(e.stateDict())).toEqual(["weight"]);
    const d = e.weight.data;
    expect(Array.from(d.subarray(299 * 20))).toEqual(new Array(20).fill(0));
    const body = Array.from(d.subarray(0, 299 * 20));
    const mean = body.reduce((a, b) => a + b, 0) / body.length;
    const variance = body.reduce((a, b) => a + (b - mean) ** 2, 0) / body.length;
    // 5980 draws: the mean's standard error is 0.013, the variance's about 0.018.
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    expect(Array.from(new Embedding(300, 20, { paddingIdx: -1, seed: 4 }).weight.data)).toEqual(Array.from(d));
    const y = e.forward(ints([5, 299], [1, 2]));
    expect(y.shape).toEqual([1, 2, 20]);
    expect(Array.from(y.data.subarray(0, 20))).toEqual(Array.from(d.subarray(100, 120)));
  });

  it("fromPretrained copies the table, keeps the padding row as given, and freezes by default", () => {
    const w = table(3, 2, 9, "float32");
    const e = Embedding.fromPretrained(w, { paddingIdx: 1 });
    expect(Array.from(e.weight.data)).toEqual(Array.from(w.data));
    expect(e.weight.storage).not.toBe(w.storage);
    expect(e.weight.requiresGrad).toBe(false);
    expect(Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad).toBe(true);
    expect(() => Embedding.fromPretrained(ints([1]))).toThrow(ShapeError);
    // A table no typed array can hold names its shape (it was the engine's bare RangeError).
    expect(() => new Embedding(1e12, 4)).toThrow(/shape \[1000000000000, 4\] has 4000000000000 elements/);
    expect(() => Embedding.fromPretrained(w, { frozen: true } as never)).toThrow(/unknown option "frozen"/);
  });

  it("round-trips through a safetensors state dict", () => {
    const e = new Embedding(7, 3, { seed: 1 });
    const bytes = eg.io.saveSafetensors(e.stateDict());
    const f = new Embedding(7, 3, { seed: 2 });
    f.loadStateDict(eg.io.loadSafetensors(bytes));
    expect(Array.from(f.weight.data)).toEqual(Array.from(e.weight.data));
  });

  it("refuses bad sizes and options", () => {
    expect(() => new Embedding(0, 3)).toThrow(/numEmbeddings must be a positive integer/);
    expect(() => new Embedding(3, 1.5)).toThrow(/embeddingDim/);
    expect(() => new Embedding(3, 2, { dtype: "int32" } as never)).toThrow(DTypeError);
    expect(() => new Embedding(3, 2, { paddingIdx: 3 })).toThrow(/paddingIdx/);
    expect(() => new Embedding(3, 2, { maxnorm: 1 } as never)).toThrow(/unknown option "maxnorm"/);
  });
});
