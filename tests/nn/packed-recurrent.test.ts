// RNN (tanh, relu), LSTM and GRU on a PackedSequence: the packed output and final states equal
// each sequence run alone, to its own length, through the float64 reference of
// tests/support/recurrent-reference.ts (float64 and float32 layers; drawn lengths, layers,
// directions, batchFirst, enforceSorted, initial states); every gradient of a float64 layer by
// finite differences; dropout between layers; the argument checks.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTypeError, nn, noGrad, Rng, ShapeError, Tensor } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch, project } from "../support/grad-leaves.js";
import { refRecurrent, type Kind } from "../support/recurrent-reference.js";
import { gamma } from "../support/tolerance.js";

const { rnn } = nn.utils;

interface Case {
  kind: Kind; layers: number; bidirectional: boolean; batchFirst: boolean; enforceSorted: boolean; withState: boolean;
  bias: boolean; lengths: number[]; I: number; H: number; seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom<Kind>("rnn_tanh", "rnn_relu", "lstm", "gru"),
  layers: fc.integer({ min: 1, max: 2 }), bidirectional: fc.boolean(), batchFirst: fc.boolean(),
  enforceSorted: fc.boolean(), withState: fc.boolean(), bias: fc.boolean(),
  lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
  I: fc.integer({ min: 1, max: 6 }), H: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 1, max: 1e6 }),
}).map((c) => ({ ...c, lengths: c.enforceSorted ? c.lengths.slice().sort((a, b) => b - a) : c.lengths }));

type Layer = nn.RNN | nn.LSTM | nn.GRU;
function makeLayer(c: Case, dtype: "float32" | "float64"): Layer {
  const o = { numLayers: c.layers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias, seed: c.seed, dtype };
  if (c.kind === "lstm") return new nn.LSTM(c.I, c.H, o);
  if (c.kind === "gru") return new nn.GRU(c.I, c.H, o);
  return new nn.RNN(c.I, c.H, { ...o, nonlinearity: c.kind === "rnn_relu" ? "relu" : "tanh" });
}

const dirsOf = (c: Case) => (c.bidirectional ? 2 : 1);

/** Drawn values: x[t][b][i] (positions past a length are padding, also drawn), h0 and c0 [L·D][B][H]. */
function values(c: Case) {
  const rng = new Rng(c.seed + 11), B = c.lengths.length, T = Math.max(...c.lengths), LD = c.layers * dirsOf(c);
  const draw = (n: number, m: number, k: number, s: number) =>
    Array.from({ length: n }, () => Array.from({ length: m }, () => Array.from({ length: k }, () => (2 * rng.uniform() - 1) * s)));
  return { T, B, x: draw(T, B, c.I, 1.5), h0: draw(LD, B, c.H, 1), c0: draw(LD, B, c.H, 1) };
}

function tensors(c: Case, dtype: "float32" | "float64") {
  const v = values(c), Arr = dtype === "float32" ? Float32Array : Float64Array;
  const xFlat = c.batchFirst ? v.x[0].map((_, b) => v.x.map((row) => row[b])).flat(2) : v.x.flat(2);
  const x = new Tensor(Arr.from(xFlat), dtype, c.batchFirst ? [v.B, v.T, c.I] : [v.T, v.B, c.I]);
  const hShape = [c.layers * dirsOf(c), v.B, c.H];
  return { v, x, h0: new Tensor(Arr.from(v.h0.flat(2)), dtype, hShape), c0: new Tensor(Arr.from(v.c0.flat(2)), dtype, hShape) };
}

function runPacked(layer: Layer, c: Case, x: Tensor, h0: Tensor, c0: Tensor) {
  const packed = rnn.packPaddedSequence(x, c.lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
  if (layer instanceof nn.LSTM) {
    const [out, [hN, cN]] = layer.forward(packed, c.withState ? [h0, c0] : undefined);
    return { out, hN, cN: cN as Tensor | null };
  }
  const [out, hN] = (layer as nn.GRU).forward(packed, c.withState ? h0 : undefined);
  return { out, hN, cN: null };
}

/** Each sequence alone through the reference: its outputs [len][D·H] and final states [L·D][H]. */
function alone(layer: Layer, c: Case) {
  const v = values(c), H = c.H, LD = c.layers * dirsOf(c);
  const p = Object.fromEntries(layer.namedParameters().map(([k, t]) => [k, Float64Array.from(t.data)]));
  const spec = { kind: c.kind, layers: c.layers, dirs: dirsOf(c), hidden: H, bias: c.bias };
  const zero = () => Array.from({ length: LD }, () => [new Array<number>(H).fill(0)]);
  return c.lengths.map((len, b) => {
    const x = v.x.slice(0, len).map((row) => [row[b]]);
    const h0 = c.withState ? v.h0.map((l) => [l[b]]) : zero(), c0 = c.withState ? v.c0.map((l) => [l[b]]) : zero();
    const r = refRecurrent(spec, p, x, h0, c.kind === "lstm" ? c0 : null);
    return { y: r.y.map((row) => row[0]), hN: r.hN.map((l) => l[0]), cN: r.cN ? r.cN.map((l) => l[0]) : null };
  });
}

/** Sums of I + D·H + 1 products per step and a few gate roundings, compounding over steps and layers. */
const terms = (c: Case) => 8 * (c.I + c.H * dirsOf(c) + 8) * Math.max(...c.lengths) * c.layers;
const gamma64 = (n: number) => (n * 2 ** -53) / (1 - n * 2 ** -53);

function compare(c: Case, dtype: "float32" | "float64") {
  const layer = makeLayer(c, dtype);
  const { x, h0, c0 } = tensors(c, dtype);
  const r = noGrad(() => runPacked(layer, c, x, h0, c0));
  const ref = alone(layer, c);
  const scale = 4 + 2 * (c.I + c.H);
  const tol = (dtype === "float32" ? gamma(terms(c)) : gamma64(terms(c))) * scale + 1e-300;
  const close = (got: number, want: number, what: string, k = 1) => {
    if (!(Math.abs(got - want) <= tol * k)) expect.fail(`${what}: ${got} against ${want} (tol ${tol * k})`);
  };
  // The packed output, padded again, holds sequence b's step t at [t][b].
  const [padded, lengths] = rnn.padPackedSequence(r.out);
  expect(lengths).toEqual(c.lengths);
  const DH = dirsOf(c) * c.H, B = c.lengths.length, pd = padded.data;
  ref.forEach((s, b) => s.y.forEach((row, t) => row.forEach((want, j) => close(pd[(t * B + b) * DH + j], want, `y[${t}][${b}][${j}]`))));
  expect(r.hN.shape).toEqual([c.layers * dirsOf(c), B, c.H]);
  ref.forEach((s, b) => s.hN.forEach((row, l) => row.forEach((want, j) => close(r.hN.data[(l * B + b) * c.H + j], want, `hN[${l}][${b}][${j}]`))));
  if (r.cN) {
    const T = Math.max(...c.lengths);
    ref.forEach((s, b) => s.cN!.forEach((row, l) => row.forEach((want, j) => close(r.cN!.data[(l * B + b) * c.H + j], want, `cN[${l}][${b}][${j}]`, 1 + T))));
  }
  expect(r.out.batchSizes).toEqual(rnn.packPaddedSequence(x, c.lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted }).batchSizes);
}

describe("RNN, LSTM, GRU on packed sequences equal each sequence run alone", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`outputs and final states in the original batch order (${dtype})`, () => {
      fc.assert(fc.property(caseArb, (c) => compare(c, dtype)), { numRuns: 60 });
    });
  }
});

describe("gradients through a packed run", () => {
  it("float64 layers: padded input, h0, c0 and every parameter by finite differences", () => {
    fc.assert(fc.property(caseArb, (c0) => {
      const c = { ...c0, withState: true, lengths: c0.lengths.map((n) => Math.min(n, 3)) };
      const layer = makeLayer(c, "float64");
      const t = tensors(c, "float64");
      const leaves = [t.x, t.h0, ...(c.kind === "lstm" ? [t.c0] : []), ...layer.parameters()];
      for (const leaf of leaves) leaf.requiresGrad = true;
      const f = () => {
        const r = runPacked(layer, c, t.x, t.h0, t.c0);
        const sq = (u: Tensor) => u.mul(u);
        let s = project(sq(r.out.data), c.seed).add(project(sq(r.hN), c.seed + 1));
        if (r.cN) s = s.add(project(sq(r.cN), c.seed + 2));
        return s;
      };
      noMismatch(findGradMismatches(f, leaves));
    }), { numRuns: 12 });
  });
});

describe("dropout between packed layers", () => {
  it("is applied in training and not in eval, and gradients still reach the input", () => {
    const c: Case = { kind: "lstm", layers: 2, bidirectional: true, batchFirst: false, enforceSorted: false, withState: false,
      bias: true, lengths: [3, 5, 2], I: 4, H: 6, seed: 5 };
    const layer = new nn.LSTM(c.I, c.H, { numLayers: 2, bidirectional: true, dropout: 0.5, seed: 5, dtype: "float64" });
    const { x, h0, c0 } = tensors(c, "float64");
    x.requiresGrad = true;
    layer.eval();
    const evalOut = noGrad(() => runPacked(layer, c, x, h0, c0)).out.data.data;
    layer.train();
    const trainOut = runPacked(layer, c, x, h0, c0).out;
    expect(Array.from(trainOut.data.data)).not.toEqual(Array.from(evalOut));
    trainOut.data.sum().backward();
    expect(x.grad!.data.some((g) => g !== 0)).toBe(true);
  });
});

describe("packed input refused with typed errors", () => {
  const layer = new nn.GRU(3, 4, { numLayers: 2, dtype: "float64" });
  const x = new Tensor(new Float64Array(4 * 2 * 3), "float64", [4, 2, 3]);
  const packed = rnn.packPaddedSequence(x, [4, 2]);
  it("wrong features, dtype and initial states", () => {
    const narrow = rnn.packPaddedSequence(new Tensor(new Float64Array(4 * 2 * 2), "float64", [4, 2, 2]), [4, 2]);
    expect(() => layer.forward(narrow)).toThrow(ShapeError);
    const f32 = rnn.packPaddedSequence(new Tensor(new Float32Array(4 * 2 * 3), "float32", [4, 2, 3]), [4, 2]);
    expect(() => layer.forward(f32)).toThrow(DTypeError);
    expect(() => layer.forward(packed, new Tensor(new Float64Array(2 * 3 * 4), "float64", [2, 3, 4]))).toThrow(ShapeError);
    expect(() => layer.forward(packed, new Tensor(new Float64Array(2 * 4), "float64", [2, 4]))).toThrow(ShapeError);
    const lstm = new nn.LSTM(3, 4, { dtype: "float64" });
    expect(() => lstm.forward(packed, [new Tensor(new Float64Array(8), "float64", [1, 2, 4])] as never)).toThrow(/\[h0, c0\]/);
  });
});
