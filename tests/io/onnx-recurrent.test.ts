// ONNX export of RNN (tanh, relu), LSTM and GRU: each exported layer runs in onnxruntime-web and
// its output sequence and final states (h_n, c_n) agree with edgegrad's forward, both lying within
// a bound derived from the sequence length and sizes of the float64 reference of
// tests/support/recurrent-reference.ts (PyTorch's equations in PyTorch's gate order, so a gate
// block out of place in ONNX's order shows). Drawn: mode, numLayers 1–2, bidirectional,
// batchFirst, bias, sizes, sequence length, fixed or symbolic; then what is refused, by name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { refRecurrent, type Kind } from "../support/recurrent-reference.js";
import { valuesFrom } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";

const nn = eg.nn;
type Layer = eg.nn.RNN | eg.nn.LSTM | eg.nn.GRU;

interface Case {
  kind: Kind; layers: number; bidirectional: boolean; batchFirst: boolean; bias: boolean; fixedSeq: boolean;
  T: number; B: number; I: number; H: number; seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom<Kind>("rnn_tanh", "rnn_relu", "lstm", "gru"),
  layers: fc.integer({ min: 1, max: 2 }), bidirectional: fc.boolean(), batchFirst: fc.boolean(), bias: fc.boolean(), fixedSeq: fc.boolean(),
  T: fc.integer({ min: 1, max: 6 }), B: fc.integer({ min: 1, max: 4 }), I: fc.integer({ min: 1, max: 7 }),
  H: fc.integer({ min: 1, max: 7 }), seed: fc.integer({ min: 1, max: 1e6 }),
});

function makeLayer(c: Case, extra: { dropout?: number; dtype?: "float32" | "float64" } = {}): Layer {
  const o = { numLayers: c.layers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias, seed: c.seed, ...extra };
  if (c.kind === "lstm") return new nn.LSTM(c.I, c.H, o);
  if (c.kind === "gru") return new nn.GRU(c.I, c.H, o);
  return new nn.RNN(c.I, c.H, { ...o, nonlinearity: c.kind === "rnn_relu" ? "relu" : "tanh" });
}

const dirs = (c: Case) => (c.bidirectional ? 2 : 1);
const xShape = (c: Case, T = c.T) => (c.batchFirst ? [c.B, T, c.I] : [T, c.B, c.I]);
const inputOf = (c: Case, T = c.T) => {
  const v = valuesFrom(c.seed, -1.5, 1.5), n = xShape(c, T).reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => v(i));
};

/** The exported model's outputs for x in onnxruntime-web (one thread): every output by name. */
async function runOrt(model: Uint8Array, x: Float32Array, shape: number[], inputName = "input") {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ [inputName]: new ort.Tensor("float32", x, shape) });
  const got: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [k, t] of Object.entries(out)) got[k] = { data: t.data as Float32Array, dims: [...t.dims] };
  return { got, session };
}

/** edgegrad's forward without initial states: output, hN and cN. */
function ours(m: Layer, x: Float32Array, shape: number[]) {
  const t = eg.fromTypedArray(x, shape);
  return eg.noGrad(() => {
    if (m instanceof nn.LSTM) { const [y, [h, c]] = m.forward(t); return { y, h, c: c as eg.Tensor | null }; }
    const [y, h] = (m as eg.nn.RNN).forward(t);
    return { y, h, c: null as eg.Tensor | null };
  });
}

/** The float64 reference on the layer's (float32-rounded) parameters from zero states, flattened as the layer lays them out. */
function reference(m: Layer, c: Case, x: Float32Array, T: number) {
  const p = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Float64Array.from(Float32Array.from(t.data))]));
  const at = (t: number, b: number, i: number) => x[(c.batchFirst ? b * T + t : t * c.B + b) * c.I + i];
  const xt = Array.from({ length: T }, (_, t) => Array.from({ length: c.B }, (_, b) => Array.from({ length: c.I }, (_, i) => at(t, b, i))));
  const zero = () => Array.from({ length: c.layers * dirs(c) }, () => Array.from({ length: c.B }, () => new Array<number>(c.H).fill(0)));
  const r = refRecurrent({ kind: c.kind, layers: c.layers, dirs: dirs(c), hidden: c.H, bias: c.bias }, p, xt, zero(), c.kind === "lstm" ? zero() : null);
  const y: number[] = [];
  if (c.batchFirst) for (let b = 0; b < c.B; b++) for (let t = 0; t < T; t++) y.push(...r.y[t][b]);
  else for (let t = 0; t < T; t++) for (let b = 0; b < c.B; b++) y.push(...r.y[t][b]);
  return { y, h: r.hN.flat(2), c: r.cN ? r.cN.flat(2) : null };
}

/**
 * float32 bound: each step's pre-activations are sums of I + D·H + 2 products of |x| ≤ 1.5 (or a
 * state) and |w| ≤ 1/√H, and a few roundings in the gates; the errors of T steps and L layers
 * carry forward, so γ of 8·(I + D·H + 8)·T·L times the terms' magnitude, relative to the largest
 * value (an LSTM's cell and a relu RNN's state may exceed 1).
 */
function tolerance(c: Case, T: number, ref: number[]): number {
  const scale = Math.max(1, ...ref.map(Math.abs));
  return gamma(8 * (c.I + dirs(c) * c.H + 8) * T * c.layers) * (4 + 2 * (c.I + dirs(c) * c.H)) * scale;
}

function expectNear(who: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${who} ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
  }
}

/** Exports m, runs it on a length-T input in both engines, checks shapes and values; returns the session. */
async function checkAgainstReference(m: Layer, c: Case, T: number, model = eg.io.exportOnnx(m, c.fixedSeq ? { inputShape: [T, c.I] } : {})) {
  const x = inputOf(c, T), shape = xShape(c, T);
  const { got, session } = await runOrt(model, x, shape);
  const mine = ours(m, x, shape), ref = reference(m, c, x, T);
  const stateShape = [c.layers * dirs(c), c.B, c.H];
  expect(Object.keys(got).sort()).toEqual(c.kind === "lstm" ? ["c_n", "h_n", "output"] : ["h_n", "output"]);
  expect(got.output.dims).toEqual(c.batchFirst ? [c.B, T, dirs(c) * c.H] : [T, c.B, dirs(c) * c.H]);
  expect(got.output.dims).toEqual(mine.y.shape);
  expect(got.h_n.dims).toEqual(stateShape);
  const pairs: [string, ArrayLike<number>, ArrayLike<number>, number[]][] = [["output", got.output.data, mine.y.data, ref.y], ["h_n", got.h_n.data, mine.h.data, ref.h]];
  if (ref.c) {
    expect(got.c_n.dims).toEqual(stateShape);
    pairs.push(["c_n", got.c_n.data, mine.c!.data, ref.c]);
  }
  for (const [name, ort, egv, want] of pairs) {
    const tol = tolerance(c, T, want);
    expectNear(`onnxruntime ${name}`, ort, want, tol);
    expectNear(`edgegrad ${name}`, egv, want, tol);
    expectNear(`onnxruntime − edgegrad ${name}`, ort, egv, 2 * tol);
  }
  return session;
}

describe("ONNX export of RNN, LSTM and GRU", () => {
  it("runs in onnxruntime-web with edgegrad's output, h_n and c_n, for drawn modes, layers, directions, layouts, biases and sizes", async () => {
    await fc.assert(fc.asyncProperty(caseArb, async (c) => {
      await checkAgainstReference(makeLayer(c), c, c.T);
    }), { numRuns: 60 });
  });

  it("leaves the sequence length symbolic without inputShape: one session runs several lengths; a fixed one refuses another", async () => {
    const c: Case = { kind: "lstm", layers: 2, bidirectional: true, batchFirst: true, bias: true, fixedSeq: false, T: 3, B: 2, I: 3, H: 4, seed: 5 };
    const m = makeLayer(c), model = eg.io.exportOnnx(m);
    const session = await checkAgainstReference(m, c, 3, model);
    expect((session.inputMetadata[0] as { shape: readonly (number | string)[] }).shape).toEqual(["batch", "seq", 3]);
    await checkAgainstReference(m, c, 6, model);
    const fixed = eg.io.exportOnnx(m, { inputShape: [3, 3], batch: 2 });
    await checkAgainstReference(m, { ...c, fixedSeq: true }, 3, fixed);
    await expect(runOrt(fixed, inputOf(c, 4), xShape(c, 4))).rejects.toThrow();
  });

  it("exports in eval semantics: dropout between layers is not in the graph, and the layer's mode is left as it was", async () => {
    const c: Case = { kind: "gru", layers: 2, bidirectional: false, batchFirst: false, bias: true, fixedSeq: true, T: 5, B: 3, I: 4, H: 5, seed: 8 };
    const m = makeLayer(c, { dropout: 0.5 }).train();
    const model = eg.io.exportOnnx(m, { inputShape: [c.T, c.I] });
    expect(m.training).toBe(true);
    m.eval();
    await checkAgainstReference(m, c, c.T, model);
  });

  it("a float64 layer exports its weights rounded to float32; a Sequential of one recurrent layer exports as the layer", async () => {
    const c: Case = { kind: "rnn_tanh", layers: 2, bidirectional: true, batchFirst: false, bias: false, fixedSeq: false, T: 4, B: 2, I: 3, H: 3, seed: 13 };
    const m64 = makeLayer(c, { dtype: "float64" });
    const m32 = makeLayer(c);
    m32.loadStateDict(Object.fromEntries(Object.entries(m64.stateDict()).map(([k, t]) => [k, eg.fromTypedArray(Float32Array.from(t.data), t.shape.slice())])));
    const model = eg.io.exportOnnx(m64);
    await checkAgainstReference(m32, c, c.T, model);
    const seqModel = new nn.LSTM(3, 2, { seed: 2 });
    expect(eg.io.exportOnnx(new nn.Sequential(seqModel))).toEqual(eg.io.exportOnnx(seqModel));
  });

  it("names its graph input and output as asked; h_n and c_n keep their names", async () => {
    const c: Case = { kind: "gru", layers: 1, bidirectional: false, batchFirst: true, bias: true, fixedSeq: false, T: 2, B: 1, I: 2, H: 2, seed: 3 };
    const m = makeLayer(c), x = inputOf(c);
    // "c_n" is free for a GRU: only an LSTM has that output.
    const { got } = await runOrt(eg.io.exportOnnx(m, { inputName: "tokens", outputName: "c_n" }), x, xShape(c), "tokens");
    expect(Object.keys(got).sort()).toEqual(["c_n", "h_n"]);
    const want = reference(m, c, x, c.T).y;
    expectNear("renamed output", got.c_n.data, want, tolerance(c, c.T, want));
  });
});

describe("ONNX export of recurrent layers: refusals", () => {
  const lstm = () => new nn.LSTM(3, 4, { seed: 1 });
  const exportOf = (m: eg.nn.Module, o: eg.io.OnnxExportOptions = {}) => () => eg.io.exportOnnx(m, o);

  it("a recurrent layer among other layers of a Sequential, or in describeSequential's list", () => {
    expect(exportOf(new nn.Sequential(new nn.Linear(2, 3), lstm()))).toThrow(/LSTM at index 1 exports only as the whole model/);
    expect(exportOf(new nn.Sequential(new nn.GRU(3, 4), new nn.Linear(4, 2)))).toThrow(/GRU at index 0 exports only as the whole model.*\[output, state\]/);
    expect(() => eg.io.describeSequential(new nn.RNN(3, 4))).toThrow(eg.ValueError);
  });

  it("an unbatched or malformed inputShape, features that are not inputSize, token ids", () => {
    expect(exportOf(lstm(), { inputShape: [5, 2, 3] })).toThrow(/\[seqLen, inputSize\].*batch: 1.*got \[5,2,3\]/);
    expect(exportOf(lstm(), { inputShape: [3] })).toThrow(eg.ValueError);
    expect(exportOf(lstm(), { inputShape: [5, 4] })).toThrow(eg.ShapeError);
    expect(exportOf(lstm(), { inputShape: [5, 4] })).toThrow(/4 features \(inputShape \[5,4\]\), the layer's inputSize is 3/);
    expect(exportOf(lstm(), { inputFeatures: 2 })).toThrow(eg.ShapeError);
    expect(exportOf(lstm(), { inputDType: "int64", inputShape: [5, 3] })).toThrow(/float32 sequence, not inputDType "int64"/);
  });

  it("graph names that collide with h_n or c_n, and a batch named like the symbolic sequence", () => {
    expect(exportOf(lstm(), { outputName: "h_n" })).toThrow(/"h_n" names the final-state output/);
    expect(exportOf(lstm(), { inputName: "c_n" })).toThrow(/"c_n" names the final-state output/);
    expect(exportOf(new nn.RNN(3, 4), { inputName: "h_n" })).toThrow(eg.ValueError);
    expect(exportOf(lstm(), { batch: "seq" })).toThrow(/batch "seq" is the name of the symbolic sequence dim/);
    expect(exportOf(lstm(), { batch: "seq", inputShape: [5, 3] })).not.toThrow();
  });

  it("a projected LSTM (PyTorch's weight_hr) and a parameter of the wrong shape", () => {
    const projected = lstm() as unknown as { registerParameter(name: string, t: eg.Tensor): eg.Tensor } & eg.nn.LSTM;
    projected.registerParameter("weight_hr_l0", eg.zeros([4, 2]));
    expect(exportOf(projected)).toThrow(/weight_hr_l0 \(a projected LSTM, projSize/);
    const reshaped = new nn.GRU(3, 4) as unknown as { registerParameter(name: string, t: eg.Tensor): eg.Tensor } & eg.nn.GRU;
    reshaped.registerParameter("weight_hh_l0", eg.zeros([12, 5]));
    expect(exportOf(reshaped)).toThrow(eg.ShapeError);
    expect(exportOf(reshaped)).toThrow(/weight_hh_l0 has shape \[12,5\], expected \[12,4\]/);
  });
});
