// EmbeddingBag and embeddingBag: sums, means and maxima of bags of table rows, against a float64
// reference written here with plain loops (every mode, 1-D input with offsets or 2-D input,
// includeLastOffset, paddingIdx, perSampleWeights, scaleGradByFreq, float32 and float64), the
// gradients of the table and of perSampleWeights by central differences, PyTorch 1.13's values
// and gradients (tests/parity/cases/embedding-bag.json from scripts/torch-parity/bag_margin.py),
// the module, and the typed errors, which leave the table as it was.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { EmbeddingBag, embeddingBag } from "../../src/nn/index.js";
import { Tensor } from "../../src/ndarray/index.js";
import { touchedRows } from "../../src/ndarray/row-lists.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch, project } from "../support/grad-leaves.js";
import { decode, expectClose as expectCloseToTorch, runCallCase, type CallCase, type EncodedTensor } from "../parity/run-case.js";
import { gamma } from "../support/tolerance.js";

type Mode = "sum" | "mean" | "max";
type DType = "float32" | "float64";
const ints = (values: number[], shape = [values.length]) => new Tensor(Int32Array.from(values), "int32", shape);
const floats = (values: number[], shape: number[], dtype: DType) =>
  new Tensor(dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), dtype, shape);
const unit = (dtype: DType) => (dtype === "float32" ? 2 ** -24 : 2 ** -53);

/** The float64 reference: bags as [start, end) ranges of `idx`, each combined by plain loops. */
function reference(table: ArrayLike<number>, width: number, idx: number[], bags: [number, number][], mode: Mode, pad: number,
                   psw: number[] | null, cot: ArrayLike<number>, freq: boolean) {
  const out = new Float64Array(bags.length * width), mag = new Float64Array(bags.length * width);
  const rows = table.length / width;
  const gradW = new Float64Array(table.length), gradMag = new Float64Array(table.length);
  const gradP = new Float64Array(idx.length);
  const counts = new Array(rows).fill(0);
  for (const [s, e] of bags) for (let i = s; i < e; i++) counts[idx[i]]++;
  bags.forEach(([s, e], b) => {
    const members = [];
    for (let i = s; i < e; i++) if (idx[i] !== pad) members.push(i);
    for (let k = 0; k < width; k++) {
      const o = b * width + k;
      if (mode === "max") {
        let best = -1;
        for (const i of members) if (best < 0 || table[idx[i] * width + k] > table[idx[best] * width + k]) best = i;
        if (best >= 0) {
          out[o] = table[idx[best] * width + k];
          gradW[idx[best] * width + k] += cot[o];
          gradMag[idx[best] * width + k] += Math.abs(cot[o]);
        }
        continue;
      }
      const div = mode === "mean" && members.length > 0 ? members.length : 1;
      for (const i of members) {
        const w = psw ? psw[i] : 1, v = table[idx[i] * width + k];
        out[o] += (w * v) / div;
        mag[o] += Math.abs(w * v) / div;
        const gi = (cot[o] * w) / div / (freq ? counts[idx[i]] : 1);
        gradW[idx[i] * width + k] += gi;
        gradMag[idx[i] * width + k] += Math.abs(gi);
        gradP[i] += cot[o] * v;
      }
    }
  });
  return { out, mag, gradW, gradMag, gradP };
}

const within = (got: ArrayLike<number>, want: ArrayLike<number>, mag: ArrayLike<number>, k: number, u: number, what: string) => {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = ((k * u) / (1 - k * u)) * mag[i] + 1e-300;
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (tol ${tol})`);
  }
};

const caseArb = fc.record({
  rows: fc.integer({ min: 1, max: 7 }),
  width: fc.integer({ min: 1, max: 4 }),
  lengths: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 5 }),
  twoD: fc.boolean(),
  includeLast: fc.boolean(),
  mode: fc.constantFrom<Mode>("sum", "mean", "max"),
  withPsw: fc.boolean(),
  pad: fc.option(fc.integer({ min: -7, max: 6 }), { nil: undefined }),
  freq: fc.boolean(),
  dtype: fc.constantFrom<DType>("float32", "float64"),
  seed: fc.integer({ min: 1, max: 1e6 }),
}).filter((c) => c.pad === undefined || (c.pad >= -c.rows && c.pad < c.rows));

describe("embeddingBag against a float64 reference", () => {
  it("output, table gradient and perSampleWeights gradient for every mode and option", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const rng = new eg.Rng(c.seed);
      const mode = c.mode, psw = c.withPsw && mode === "sum", freq = c.freq && mode !== "max";
      // A 2-D input has bags of one length; a 1-D one takes the drawn lengths as offsets.
      const lengths = c.twoD ? c.lengths.map(() => c.lengths[0] ?? 0) : c.lengths;
      const n = lengths.reduce((a, b) => a + b, 0);
      const idx = Array.from({ length: n }, () => Math.floor(rng.uniform() * c.rows));
      const starts: number[] = [];
      let at = 0;
      for (const l of lengths) { starts.push(at); at += l; }
      const bags = lengths.map((l, b) => [starts[b], starts[b] + l] as [number, number]);
      const tableValues = Array.from({ length: c.rows * c.width }, () => Math.round(8 * rng.normal()) / 4); // ties in max
      const w = floats(tableValues, [c.rows, c.width], c.dtype);
      w.requiresGrad = true;
      const pswValues = Array.from({ length: n }, () => rng.normal());
      const weights = psw ? floats(pswValues, c.twoD ? [lengths.length, lengths[0] ?? 0] : [n], c.dtype) : null;
      if (weights) weights.requiresGrad = true;
      let input: Tensor, offsets: Tensor | null = null, includeLast = false;
      if (c.twoD) input = ints(idx, [lengths.length, lengths[0] ?? 0]);
      else {
        input = ints(idx);
        includeLast = c.includeLast;
        offsets = ints(includeLast ? [...starts, n] : starts);
      }
      const y = embeddingBag(input, w, { offsets, mode, paddingIdx: c.pad, perSampleWeights: weights, includeLastOffset: includeLast, scaleGradByFreq: freq });
      expect(y.shape).toEqual([lengths.length, c.width]);
      expect(y.dtype).toBe(c.dtype);
      const cot = floats(Array.from({ length: y.size }, () => rng.normal()), y.shape.slice(), c.dtype);
      y.mul(cot).sum().backward();
      const pad = c.pad === undefined ? -1 : (c.pad + c.rows) % c.rows;
      const ref = reference(w.data, c.width, idx, bags, mode, pad, psw ? Array.from(weights!.data) : null, cot.data, freq);
      const u = unit(c.dtype), k = n + 4;
      if (mode === "max") expect(Array.from(y.data)).toEqual(Array.from(ref.out)); // a selection: exact
      else within(y.data, ref.out, ref.mag, k, u, "output");
      within(w.grad!.data, ref.gradW, ref.gradMag, k, u, "table gradient");
      if (weights) {
        const magP = Array.from({ length: n }, (_, i) => { let s = 0; const b = bags.findIndex(([a, e]) => a <= i && i < e); for (let j = 0; j < c.width; j++) s += Math.abs(cot.data[b * c.width + j] * w.data[idx[i] * c.width + j]); return s; });
        within(weights.grad!.data, ref.gradP, magP, c.width + 2, u, "perSampleWeights gradient");
      }
    }), { numRuns: 300 });
  });

  it("sparse: the gradient lists the rows the bags used (paddingIdx left out), with the dense values", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom<Mode>("sum", "mean"), fc.boolean(), (seed, mode, padded) => {
      const rng = new eg.Rng(seed);
      const idx = Array.from({ length: 9 }, () => Math.floor(rng.uniform() * 12));
      const tableValues = Array.from({ length: 24 }, () => rng.normal());
      const grads = [true, false].map((sparse) => {
        const w = floats(tableValues, [12, 2], "float64");
        w.requiresGrad = true;
        embeddingBag(ints(idx), w, { offsets: ints([0, 4]), mode, sparse, paddingIdx: padded ? idx[0] : null }).mul(floats([1, 2, 3, 4], [2, 2], "float64")).sum().backward();
        return w.grad!;
      });
      expect(Array.from(grads[0].data)).toEqual(Array.from(grads[1].data));
      const used = [...new Set(idx.filter((r) => !(padded && r === idx[0])))].sort((a, b) => a - b);
      expect(Array.from(touchedRows(grads[0])!)).toEqual(used);
      expect(touchedRows(grads[1])).toBeNull();
    }), { numRuns: 40 });
  });

  it("maxNorm rescales each looked-up row in the table first (padding and unbagged rows too), as torch.embedding_renorm_", () => {
    const w = floats([3, 4, 0.3, 0.4, 6, 8, 1, 0], [4, 2], "float64");
    const y = embeddingBag(ints([0, 1, 2, 2]), w, { offsets: ints([0, 2]), mode: "sum", maxNorm: 1, paddingIdx: 2 });
    const s = 1 / (5 + 1e-7);
    expect(Array.from(w.data)).toEqual([3 * s, 4 * s, 0.3, 0.4, 6 * (1 / (10 + 1e-7)), 8 * (1 / (10 + 1e-7)), 1, 0]);
    expect(Array.from(y.data)).toEqual([3 * s + 0.3, 4 * s + 0.4, 0, 0]);
  });
});

describe("gradients by central differences (float64)", () => {
  const leafOf = (values: number[], shape: number[]) => { const t = floats(values, shape, "float64"); t.requiresGrad = true; return t; };
  for (const mode of ["sum", "mean", "max"] as const) {
    it(`the table (mode ${mode}; 1-D with an empty bag, 2-D, paddingIdx; scaleGradByFreq is a rescaling, not a derivative)`, () => {
      // Values far apart (a shuffled grid) so that no step of the differences changes a maximum.
      const order = [5, 11, 2, 7, 0, 9, 3, 10, 1, 8, 4, 6, 13, 12, 14];
      const w = leafOf(order.map((v, i) => 0.37 * v - 2 + 0.001 * i), [5, 3]);
      const idx1 = ints([0, 3, 3, 1, 4, 2, 0]), off = ints([0, 2, 2, 5]);
      noMismatch(findGradMismatches(() => project(embeddingBag(idx1, w, { offsets: off, mode }), 3), [w]));
      noMismatch(findGradMismatches(() => project(embeddingBag(ints([1, 4, 4, 2, 0, 4], [2, 3]), w, { mode, paddingIdx: 4 }), 5), [w]));
    });
  }
  it("perSampleWeights and the table together (mode sum, paddingIdx, includeLastOffset)", () => {
    const w = leafOf(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [4, 3]);
    const p = leafOf([0.5, -1.2, 0.7, 2, 0.1, -0.4], [6]);
    noMismatch(findGradMismatches(() => project(embeddingBag(ints([2, 0, 1, 2, 3, 1]), w, { offsets: ints([0, 1, 4, 6]), mode: "sum", perSampleWeights: p, includeLastOffset: true, paddingIdx: 3 }), 2), [w, p]));
    const p2 = leafOf([0.5, -1.2, 0.7, 2, 0.1, -0.4], [2, 3]);
    noMismatch(findGradMismatches(() => project(embeddingBag(ints([2, 0, 1, 2, 3, 1], [2, 3]), w, { mode: "sum", perSampleWeights: p2 }), 4), [w, p2]));
  });
});

interface Parity { cases: CallCase[] }
const parity = (JSON.parse(readFileSync(new URL("../parity/cases/embedding-bag.json", import.meta.url), "utf8")) as Parity).cases;

describe("PyTorch 1.13 (tests/parity/cases/embedding-bag.json): F.embedding_bag values and gradients", () => {
  for (const c of parity) it(c.id, () => runCallCase(c));

  it("EmbeddingBag.fromPretrained(...).forward gives F's values on every case", () => {
    for (const c of parity) {
      const o = { ...(c.call.args[2] as Record<string, unknown>) };
      if (o.normType && typeof o.normType === "object") o.normType = Infinity;
      const { offsets, perSampleWeights, ...layerOptions } = o;
      const at = (v: unknown) => (v ? decode(c.inputs[(v as { $t: string }).$t]) : null);
      const layer = EmbeddingBag.fromPretrained(decode(c.inputs.weight), { freeze: false, ...layerOptions });
      const y = layer.forward(decode(c.inputs.input), at(offsets), at(perSampleWeights));
      expectCloseToTorch(y, (c.output as { tensor: EncodedTensor }).tensor, c.terms, `${c.id} module output`);
    }
  });

  it("hand-checked values from PyTorch 1.13: padding excluded from the mean's count, an empty bag is zeros, ties go to the first row", () => {
    const W = eg.arange(12, { dtype: "float64" }).reshape([6, 2]);
    const inp = ints([1, 2, 4, 5, 4, 3, 2, 0]), off = ints([0, 2, 2, 5]);
    // torch.nn.functional.embedding_bag(inp, W, off, mode=..., padding_idx=2)
    expect(embeddingBag(inp, W, { offsets: off, mode: "sum", paddingIdx: 2 }).toArray()).toEqual([[2, 3], [0, 0], [26, 29], [6, 8]]);
    expect(embeddingBag(inp, W, { offsets: off, mode: "max", paddingIdx: 2 }).toArray()).toEqual([[2, 3], [0, 0], [10, 11], [6, 7]]);
    const mean = embeddingBag(inp, W, { offsets: off, paddingIdx: 2 }).toArray() as number[][];
    expect(mean[2][0]).toBeCloseTo(8.666666666666666, 14);
    expect(mean[3]).toEqual([3, 4]);
    // max over NaN: a later NaN never wins (NaN > m is false), a NaN first stays; its row gets the gradient.
    const wn = floats([1, NaN, NaN, 2, 3, 0], [3, 2], "float64");
    wn.requiresGrad = true;
    const yn = embeddingBag(ints([0, 1, 2, 1, 0, 2], [2, 3]), wn, { mode: "max" });
    yn.sum().backward();
    expect(Array.from(yn.data)).toEqual([3, NaN, NaN, 2]);
    expect(wn.grad!.toArray()).toEqual([[0, 1], [1, 1], [1, 0]]);
    const w2 = floats([1, 2, 1, 3, 0, 3], [3, 2], "float64");
    w2.requiresGrad = true;
    const y = embeddingBag(ints([0, 1, 2], [1, 3]), w2, { mode: "max" });
    y.sum().backward();
    expect(y.toArray()).toEqual([[1, 3]]);
    expect(w2.grad!.toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
  });
});

describe("EmbeddingBag module", () => {
  it("a table N(0, 1) under the key weight, its paddingIdx row zero; the options as fields", () => {
    const m = new EmbeddingBag(50, 4, { seed: 3, paddingIdx: -2, mode: "sum", dtype: "float64" });
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(m.weight.shape).toEqual([50, 4]);
    expect(m.weight.dtype).toBe("float64");
    expect(Array.from(m.weight.data.slice(48 * 4, 49 * 4))).toEqual([0, 0, 0, 0]);
    const d = Array.from(m.weight.data);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect([m.mode, m.paddingIdx, m.includeLastOffset, m.scaleGradByFreq, m.sparse]).toEqual(["sum", 48, false, false, false]);
    expect(new EmbeddingBag(3, 2).mode).toBe("mean");
    expect(Array.from(new EmbeddingBag(3, 2, { seed: 9 }).weight.data)).toEqual(Array.from(new EmbeddingBag(3, 2, { seed: 9 }).weight.data));
    expect(EmbeddingBag.typeName).toBe("EmbeddingBag");
    expect(eg.nn.EmbeddingBag).toBe(EmbeddingBag);
    expect(eg.nn.functional.embeddingBag).toBe(embeddingBag);
  });

  it("fromPretrained copies the table, frozen by default, and keeps a given paddingIdx row", () => {
    const src = floats([1, 2, 3, 4, 5, 6], [3, 2], "float32");
    const m = EmbeddingBag.fromPretrained(src, { paddingIdx: 1, mode: "max" });
    expect(m.weight.requiresGrad).toBe(false);
    expect(Array.from(m.weight.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.weight.storage).not.toBe(src.storage);
    expect(m.forward(ints([[0, 1, 2]].flat(), [1, 3])).toArray()).toEqual([[5, 6]]);
    expect(EmbeddingBag.fromPretrained(src, { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it("trains: the table's gradient reaches an optimizer through forward(input, offsets, perSampleWeights)", () => {
    const m = new EmbeddingBag(5, 2, { seed: 1, mode: "sum" });
    const before = Array.from(m.weight.data);
    const opt = new eg.optim.SGD(m.parameters(), { lr: 0.1 });
    m.forward(ints([1, 2, 3]), ints([0, 1]), floats([1, 2, 3], [3], "float32")).sum().backward();
    opt.step();
    const after = Array.from(m.weight.data);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[2]).toBeCloseTo(before[2] - 0.1, 6);
    expect(after[6]).toBeCloseTo(before[6] - 0.3, 6);
  });
});

describe("typed errors, the table left as it was", () => {
  const w = () => { const t = floats([3, 4, 0.3, 0.4, 6, 8], [3, 2], "float64"); t.requiresGrad = true; return t; };
  const bad: [string, (t: Tensor) => unknown, new (...a: never[]) => Error, RegExp][] = [
    ["offsets not starting at 0", (t) => embeddingBag(ints([0, 1, 2]), t, { offsets: ints([1, 2]), maxNorm: 1 }), ValueError, /offsets\[0\] must be 0 .*got 1$/],
    ["decreasing offsets", (t) => embeddingBag(ints([0, 1, 2]), t, { offsets: ints([0, 2, 1]), maxNorm: 1 }), ValueError, /must not decrease, got 1 after 2/],
    ["an offset past the end", (t) => embeddingBag(ints([0, 1, 2]), t, { offsets: ints([0, 4]), maxNorm: 1 }), ValueError, /past the end/],
    ["an index out of range", (t) => embeddingBag(ints([0, 3, 2]), t, { offsets: ints([0]), maxNorm: 1 }), ValueError, /index 3 at position 1 is out of range/],
    ["a negative index", (t) => embeddingBag(ints([-1], [1, 1]), t, { maxNorm: 1 }), ValueError, /index -1/],
    ["perSampleWeights with mode mean", (t) => embeddingBag(ints([0, 1]), t, { offsets: ints([0]), perSampleWeights: floats([1, 1], [2], "float64") }), ValueError, /only supported with mode "sum".*"mean"/],
    ["perSampleWeights with mode max", (t) => embeddingBag(ints([0, 1]), t, { offsets: ints([0]), mode: "max", perSampleWeights: floats([1, 1], [2], "float64") }), ValueError, /"max"/],
    ["perSampleWeights of another shape", (t) => embeddingBag(ints([0, 1]), t, { offsets: ints([0]), mode: "sum", maxNorm: 1, perSampleWeights: floats([1, 1, 1], [3], "float64") }), ShapeError, /\[3\] must have the input's shape \[2\]/],
    ["perSampleWeights of another dtype", (t) => embeddingBag(ints([0, 1]), t, { offsets: ints([0]), mode: "sum", perSampleWeights: floats([1, 1], [2], "float32") }), DTypeError, /float64, got float32/],
    ["a 1-D input without offsets", (t) => embeddingBag(ints([0, 1]), t), ValueError, /needs offsets/],
    ["a 2-D input with offsets", (t) => embeddingBag(ints([0, 1], [1, 2]), t, { offsets: ints([0]) }), ValueError, /offsets must be null with a 2-D input/],
    ["a 3-D input", (t) => embeddingBag(ints([0, 1], [1, 1, 2]), t), ShapeError, /\[1,1,2\]/],
    ["2-D offsets", (t) => embeddingBag(ints([0, 1]), t, { offsets: ints([0, 1], [1, 2]) }), ShapeError, /offsets must be 1-D/],
    ["float offsets", (t) => embeddingBag(ints([0, 1]), t, { offsets: floats([0], [1], "float32") }), DTypeError, /offsets must be an integer tensor/],
    ["float indices", (t) => embeddingBag(floats([0, 1], [1, 2], "float32"), t), DTypeError, /integer tensor/],
    ["includeLastOffset with a 2-D input", (t) => embeddingBag(ints([0, 1], [1, 2]), t, { includeLastOffset: true }), ValueError, /includeLastOffset needs a 1-D input/],
    ["includeLastOffset without offsets", (t) => embeddingBag(ints([]), t, { offsets: ints([]), includeLastOffset: true }), ValueError, /at least one offset/],
    ["max with scaleGradByFreq", (t) => embeddingBag(ints([0], [1, 1]), t, { mode: "max", scaleGradByFreq: true }), ValueError, /scaleGradByFreq/],
    ["max with sparse", (t) => embeddingBag(ints([0], [1, 1]), t, { mode: "max", sparse: true }), ValueError, /sparse/],
    ["an unknown mode", (t) => embeddingBag(ints([0], [1, 1]), t, { mode: "avg" as never }), ValueError, /mode must be "sum", "mean" or "max", got "avg"/],
    ["an unknown option", (t) => embeddingBag(ints([0], [1, 1]), t, { per_sample_weights: null } as never), ValueError, /unknown option "per_sample_weights"/],
    ["a non-boolean includeLastOffset", (t) => embeddingBag(ints([0], [1, 1]), t, { includeLastOffset: 1 as never }), ValueError, /includeLastOffset must be true or false/],
    ["a paddingIdx out of range", (t) => embeddingBag(ints([0], [1, 1]), t, { paddingIdx: 3 }), ValueError, /paddingIdx must be an integer in \[-3, 3\)/],
  ];
  for (const [what, call, type, message] of bad) {
    it(what, () => {
      const t = w();
      const before = Array.from(t.data);
      expect(() => call(t)).toThrow(type);
      expect(() => call(t)).toThrow(message);
      expect(Array.from(t.data)).toEqual(before);
      expect(t.grad).toBeNull();
    });
  }

  it("a weight that is not a 2-D float tensor", () => {
    expect(() => embeddingBag(ints([0], [1, 1]), floats([1, 2], [2], "float32"))).toThrow(ShapeError);
    expect(() => embeddingBag(ints([0], [1, 1]), ints([1, 2], [1, 2]))).toThrow(/2-D float tensor/);
  });

  it("the module refuses bad sizes and options when made", () => {
    expect(() => new EmbeddingBag(0, 2)).toThrow(/numEmbeddings must be a positive integer/);
    expect(() => new EmbeddingBag(2, 2, { mode: "max", sparse: true })).toThrow(ValueError);
    expect(() => new EmbeddingBag(2, 2, { mode: "median" as never })).toThrow(/mode must be/);
    expect(() => new EmbeddingBag(2, 2, { dtype: "int32" as never })).toThrow(DTypeError);
    expect(() => new EmbeddingBag(2, 2, { offsets: null } as never)).toThrow(/unknown option "offsets"/);
    expect(() => EmbeddingBag.fromPretrained(floats([1], [1], "float32"))).toThrow(ShapeError);
    expect(() => EmbeddingBag.fromPretrained(floats([1, 2], [1, 2], "float32"), { freeze: "no" as never })).toThrow(/freeze must be true or false/);
  });
});
