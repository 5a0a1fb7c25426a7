// ONNX export of sequence models: LayerNorm, both GELUs, Embedding on int64/int32 token ids, and
// TransformerEncoderLayer / TransformerEncoder (batchFirst; post- and pre-norm; relu and gelu),
// decomposed into opset-13 ops. Each exported model runs in onnxruntime-web; its outputs,
// edgegrad's and PyTorch 1.13's for the same weights lie within the bound that a float64
// interpreter of the exported layers (tests/support/sequence-reference.ts, plain loops) derives
// from the network. What does not export is refused by name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { reference } from "../support/sequence-reference.js";
import { U32 } from "../support/tolerance.js";

const nn = eg.nn;
type Layer = eg.io.OnnxLayer;

/** The model's output for `input` of `shape` in onnxruntime-web (one thread), float32 or token ids. */
async function runOrt(model: Uint8Array, input: Float32Array | BigInt64Array | Int32Array, shape: number[]) {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model);
  const type = input instanceof Float32Array ? "float32" : input instanceof BigInt64Array ? "int64" : "int32";
  const out = (await session.run({ input: new ort.Tensor(type, input, shape) })).output;
  return { data: out.data as Float32Array, dims: [...out.dims] };
}

/** Both engines within the derived bound (plus the rounding of the output to float32), and the bound a small part of the outputs' scale. */
function expectWithin(ref: { y: Float64Array; err: Float64Array }, got: Record<string, ArrayLike<number>>, slack = 1): void {
  const scale = Math.max(...ref.y.map(Math.abs));
  expect(Math.max(...ref.err)).toBeLessThan(1e-4 * scale);
  for (const [who, v] of Object.entries(got)) {
    expect(v.length).toBe(ref.y.length);
    ref.y.forEach((want, i) => {
      const bound = slack * (ref.err[i] + U32 * Math.abs(want));
      if (!(Math.abs(v[i] - want) <= bound)) throw new Error(`${who} output ${i}: ${v[i]} vs float64 ${want} (bound ${bound})`);
    });
  }
}

function tokens(n: number, s: number, vocab: number, seed: number): Int32Array {
  let r = seed >>> 0;
  return Int32Array.from({ length: n * s }, () => ((r = (Math.imul(r, 1664525) + 1013904223) >>> 0) % vocab));
}

/** Embedding → TransformerEncoder → Linear, a token classifier. */
function tokenClassifier(o: { vocab: number; dModel: number; nhead: number; ff: number; layers: number; normFirst: boolean; activation: "relu" | "gelu"; finalNorm: boolean; classes: number; seed: number }) {
  const layer = new nn.TransformerEncoderLayer(o.dModel, o.nhead, { dimFeedforward: o.ff, batchFirst: true, normFirst: o.normFirst, activation: o.activation, seed: o.seed });
  const norm = o.finalNorm ? new nn.LayerNorm(o.dModel) : null;
  const model = new nn.Sequential(new nn.Embedding(o.vocab, o.dModel, { seed: o.seed + 1 }), new nn.TransformerEncoder(layer, o.layers, { norm }),
    new nn.Linear(o.dModel, o.classes, { seed: o.seed + 2 }));
  // Biases and norm parameters away from their zero/one defaults, so a misplaced one shows.
  for (const [k, p] of Object.entries(model.stateDict())) {
    if (/bias|norm/.test(k)) p.storage.forEach((_, i, a) => { a[i] += 0.1 * Math.sin(7 * i + k.length); });
  }
  return model.eval();
}

describe("ONNX export of a transformer token classifier", () => {
  it("Embedding → TransformerEncoder → Linear gives edgegrad's outputs in onnxruntime-web within the derived bound (int64 and int32 ids)", async () => {
    const model = tokenClassifier({ vocab: 11, dModel: 8, nhead: 2, ff: 16, layers: 2, normFirst: false, activation: "relu", finalNorm: true, classes: 3, seed: 3 });
    const N = 2, S = 5, ids = tokens(N, S, 11, 9);
    const ours = eg.noGrad(() => model.forward(eg.fromTypedArray(ids, [N, S]))).data;
    const ref = reference(eg.io.describeSequential(model), [N, S], ids);
    const bytes = eg.io.exportOnnx(model, { inputShape: [S] });
    const long = await runOrt(bytes, BigInt64Array.from(ids, BigInt), [N, S]);
    expect(long.dims).toEqual([N, S, 3]);
    const int = await runOrt(eg.io.exportOnnx(model, { inputShape: [S], inputDType: "int32" }), ids, [N, S]);
    expectWithin(ref, { edgegrad: ours, "onnxruntime (int64 ids)": long.data, "onnxruntime (int32 ids)": int.data });
    // Initializers are named by the state-dict keys.
    const text = new TextDecoder().decode(bytes);
    for (const key of Object.keys(model.stateDict())) expect(text.includes(key), key).toBe(true);
  });

  it("property: encoder layers of any shape, post- and pre-norm, relu and gelu, with and without a final norm, on float input", async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ nhead: fc.integer({ min: 1, max: 3 }), headDim: fc.integer({ min: 1, max: 4 }), ff: fc.integer({ min: 1, max: 12 }),
        layers: fc.integer({ min: 1, max: 2 }), normFirst: fc.boolean(), activation: fc.constantFrom("relu" as const, "gelu" as const),
        finalNorm: fc.boolean(), single: fc.boolean(), N: fc.integer({ min: 1, max: 3 }), S: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 1, max: 1000 }) }),
      async (c) => {
        const E = c.nhead * c.headDim;
        const layer = new nn.TransformerEncoderLayer(E, c.nhead, { dimFeedforward: c.ff, batchFirst: true, normFirst: c.normFirst, activation: c.activation, seed: c.seed });
        const enc = c.single ? layer : new nn.TransformerEncoder(layer, c.layers, { norm: c.finalNorm ? new nn.LayerNorm(E, { eps: 1e-3 }) : null });
        const model = new nn.Sequential(enc, new nn.GELU({ approximate: c.finalNorm ? "tanh" : "none" }), new nn.LayerNorm(E)).eval();
        const x = eg.randn([c.N, c.S, E], { seed: c.seed + 1 });
        const ours = eg.noGrad(() => model.forward(x)).data;
        const theirs = await runOrt(eg.io.exportOnnx(model, { inputShape: [c.S, E] }), x.data as Float32Array, [c.N, c.S, E]);
        const ref = reference(eg.io.describeSequential(model), [...x.shape], x.data);
        expect(theirs.dims).toEqual(x.shape);
        expectWithin(ref, { edgegrad: ours, onnxruntime: theirs.data });
      }), { numRuns: 12, seed: 42 });
  });
});

/** A token classifier of PyTorch 1.13's architecture with parameters from a formula (the same in tests/… and the PyTorch script). */
function formulaModel(normFirst: boolean, activation: "relu" | "gelu", finalNorm: boolean) {
  const layer = new nn.TransformerEncoderLayer(6, 2, { dimFeedforward: 10, batchFirst: true, normFirst, activation });
  const model = new nn.Sequential(new nn.Embedding(7, 6), new nn.TransformerEncoder(layer, 2, { norm: finalNorm ? new nn.LayerNorm(6) : null }), new nn.Linear(6, 3));
  const state: Record<string, eg.Tensor> = {};
  Object.entries(model.stateDict()).forEach(([key, t], k) => {
    const v = Array.from({ length: t.size }, (_, i) => 0.4 * Math.sin(1.7 * i + 0.9 * k + 0.3));
    state[key] = eg.tensor(/norm/.test(key) && key.endsWith("weight") ? v.map((x) => 1 + 0.5 * x) : v).reshape(t.shape);
  });
  model.loadStateDict(state);
  return model.eval();
}

describe("the exported transformer gives PyTorch's outputs", () => {
  // From PyTorch 1.13: the same architecture and formula parameters (TransformerEncoder with
  // enable_nested_tensor=False, eval mode), token ids [[0, 3, 6, 2], [5, 5, 1, 4]].
  const ids = Int32Array.of(0, 3, 6, 2, 5, 5, 1, 4);
  const cases: [boolean, "relu" | "gelu", boolean, number[]][] = [
    [false, "gelu", true, [0.123160817, 0.801463425, -0.856280327, -0.139520869, 1.33753395, -1.35939217, -0.262392759, 1.55076122, -1.5411222,
      0.0948228985, 0.184504658, 0.0534024984, 0.112960078, 0.167507455, 0.0595463663, 0.112960078, 0.167507455, 0.0595463663,
      -0.301688731, 1.60195065, -1.57495189, -0.288676143, 1.58868706, -1.56901681]],
    [true, "relu", false, [-0.0920441747, -0.0742469653, 0.321790904, 0.451859772, -0.416654646, 0.267026991, 0.637873888, -0.63930136, 0.39907068,
      0.134793222, -0.240691751, 0.332725078, -0.36663118, 0.151736051, 0.273554027, -0.36663118, 0.151736051, 0.273554027,
      1.14785123, -0.84436065, 0.182026982, 1.17643464, -0.92553103, 0.269397974]],
  ];
  it.each(cases)("normFirst %s, activation %s, final norm %s: onnxruntime, edgegrad and PyTorch within the bound of the float64 reference", async (normFirst, activation, finalNorm, torchOut) => {
    const model = formulaModel(normFirst, activation, finalNorm);
    const theirs = await runOrt(eg.io.exportOnnx(model, { inputShape: [4] }), BigInt64Array.from(ids, BigInt), [2, 4]);
    const ours = eg.noGrad(() => model.forward(eg.fromTypedArray(ids, [2, 4]))).data;
    const ref = reference(eg.io.describeSequential(model), [2, 4], ids);
    // PyTorch's values are printed to 9 digits: 1e-8 relative more.
    const printed = { y: ref.y, err: ref.err.map((e, i) => e + 1e-8 * Math.abs(ref.y[i])) };
    expectWithin(printed, { onnxruntime: theirs.data, edgegrad: ours, "PyTorch 1.13": torchOut });
  });
});

describe("single layers", () => {
  it("LayerNorm over one or two trailing dims (with and without affine parameters), both GELUs and Dropout export", async () => {
    const ln2 = new nn.LayerNorm([3, 4], { eps: 1e-3 });
    ln2.loadStateDict({ weight: eg.randn([3, 4], { seed: 2 }), bias: eg.randn([3, 4], { seed: 3 }) });
    const cases: [eg.nn.Module, number[]][] = [
      [new nn.Sequential(new nn.Linear(5, 6, { seed: 1 }), new nn.LayerNorm(6), new nn.GELU({ approximate: "tanh" }), new nn.Dropout(0.5), new nn.Linear(6, 2, { seed: 4 })), [5]],
      [new nn.Sequential(ln2, new nn.GELU(), new nn.LayerNorm(4, { elementwiseAffine: false })), [3, 4]],
      [new nn.Sequential(new nn.LayerNorm(4, { bias: false }), new nn.GELU({ approximate: "tanh" })), [2, 4]],
    ];
    for (const [model, shape] of cases) {
      model.eval();
      const x = eg.randn([3, ...shape], { seed: 9 }).mul(3);
      const ours = eg.noGrad(() => (model.forward(x) as eg.Tensor)).data;
      const theirs = await runOrt(eg.io.exportOnnx(model, { inputShape: shape }), x.data as Float32Array, [...x.shape]);
      const ref = reference(eg.io.describeSequential(model), [...x.shape], x.data);
      expectWithin(ref, { edgegrad: ours, onnxruntime: theirs.data });
    }
  });

  it("GELU's tanh form is x·σ(2u): PyTorch 1.13's values at ±0, ±1, −3, 2.5, −8 and 8 (exactly 0 and x at the ends)", async () => {
    // torch.nn.functional.gelu(torch.tensor([...]), approximate="tanh") in PyTorch 1.13.
    const x = Float32Array.of(0, -0, 1, -1, -3, 2.5, -8, 8);
    const torch = [0, -0, 0.841192007, -0.158807993, -0.00363743305, 2.48491573, -0, 8];
    const bytes = eg.io.exportOnnx(new nn.GELU({ approximate: "tanh" }), { inputFeatures: 8 });
    const theirs = (await runOrt(bytes, x, [1, 8])).data;
    // PyTorch's values printed to 9 digits (1e-8 relative), each engine within 16u·|x| + 64u·|y| of the function.
    torch.forEach((v, i) => expect(Math.abs(theirs[i] - v)).toBeLessThanOrEqual(2 * (64 * U32 * Math.abs(v) + 16 * U32 * Math.abs(x[i])) + 1e-8 * Math.abs(v)));
    expect(Object.is(theirs[6], -0) || theirs[6] === 0).toBe(true);
  });
  it("a bare float64 TransformerEncoderLayer exports with its weights rounded to float32, and exporting leaves the model's mode as it was", async () => {
    const layer = new nn.TransformerEncoderLayer(6, 3, { dimFeedforward: 5, batchFirst: true, normFirst: true, activation: "gelu", dtype: "float64", seed: 4 });
    // Parameters made float32 numbers, so the float64 model and the exported one compute the same function.
    for (const p of layer.parameters()) p.storage.forEach((v, i, a) => { a[i] = Math.fround(v); });
    const x = eg.randn([2, 3, 6], { seed: 5 });
    const bytes = eg.io.exportOnnx(layer, { inputShape: [3, 6] });
    expect(layer.training).toBe(true);
    const layers = eg.io.describeSequential(layer);
    expect(layers.map((l) => l.kind)).toEqual(["transformerEncoderLayer"]);
    const theirs = await runOrt(bytes, x.data as Float32Array, [2, 3, 6]);
    const ours = eg.noGrad(() => layer.eval().forward(x.astype("float64"))).data;
    expectWithin(reference(layers, [2, 3, 6], x.data), { onnxruntime: theirs.data, "edgegrad float64": ours });
  });
});

describe("what does not export is refused by name", () => {
  const layer = (o: eg.nn.TransformerEncoderLayerOptions = {}) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true, ...o });
  it("masks, batchFirst false, function activations, other final norms, Embedding with maxNorm or not first, wrong shapes and input types", () => {
    const ok = new nn.Sequential(layer());
    for (const key of ["srcMask", "mask", "srcKeyPaddingMask", "isCausal"]) {
      expect(() => eg.io.exportOnnx(ok, { inputShape: [3, 4], [key]: true } as eg.io.OnnxExportOptions)).toThrow(new RegExp(`attention masks are not exported \\(got option ${key}\\)`));
    }
    expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.TransformerEncoderLayer(4, 2)), { inputShape: [3, 4] })).toThrow(/TransformerEncoderLayer at index 0 has batchFirst false/);
    expect(() => eg.io.exportOnnx(new nn.Sequential(layer({ activation: (t) => t.tanh() })), { inputShape: [3, 4] })).toThrow(/has a function activation/);
    expect(() => eg.io.exportOnnx(new nn.TransformerEncoder(layer(), 2, { norm: new nn.Tanh() }), { inputShape: [3, 4] })).toThrow(/final norm Tanh; only a LayerNorm/);
    expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Embedding(5, 4, { maxNorm: 1 })), { inputShape: [3] })).toThrow(/Embedding at index 0 has maxNorm 1/);
    expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Dropout(), new nn.Embedding(5, 4)), { inputShape: [3], inputDType: "float32" })).toThrow(/layer 1 \(Embedding\) must be the model's first layer/);
    expect(() => eg.io.exportOnnx(new nn.Embedding(5, 4), { inputShape: [3], inputDType: "float32" })).toThrow(/inputDType "float32" does not fit the first layer \(embedding\)/);
    expect(() => eg.io.exportOnnx(ok, { inputShape: [3, 4], inputDType: "int64" })).toThrow(/inputDType "int64" does not fit the first layer \(transformerEncoderLayer\)/);
    expect(() => eg.io.exportOnnx(ok, { inputShape: [3, 4], inputDType: "int16" as "int32" })).toThrow(/inputDType must be "float32", "int64" or "int32", got "int16"/);
    expect(() => eg.io.exportOnnx(new nn.Embedding(5, 4))).toThrow(/give inputShape \(the token ids' per-sample shape/);
    expect(() => eg.io.exportOnnx(ok, { inputShape: [3, 5] })).toThrow(/layer 0 \(TransformerEncoderLayer, dModel 4\) needs a per-sample input \[seq, 4\], gets \[3,5\]/);
    expect(() => eg.io.exportOnnx(ok, { inputShape: [2, 3, 4] })).toThrow(/needs a per-sample input \[seq, 4\]/);
    expect(() => eg.io.exportOnnx(new nn.LayerNorm([2, 4]), { inputShape: [3, 4] })).toThrow(/LayerNorm \[2,4\]\) needs a per-sample input ending in \[2,4\], gets \[3,4\]/);
    expect(() => eg.io.exportOnnx(new nn.Sequential(layer(), new nn.Linear(5, 2)), { inputShape: [3, 4] })).toThrow(/layer 1 expects 5 features, gets per-sample \[3,4\]/);
  });

  it("a hand-written layer list of the new kinds is checked field by field, nested layers too", () => {
    const model = new nn.Sequential(new nn.TransformerEncoder(layer(), 1, { norm: new nn.LayerNorm(4) }));
    const [enc] = eg.io.describeSequential(model) as Extract<Layer, { kind: "transformerEncoder" }>[];
    const go = (l: object, shape = [3, 4]) => () => eg.io.exportOnnx([l] as Layer[], { inputShape: shape });
    expect(eg.io.exportOnnx([enc], { inputShape: [3, 4] })).toBeInstanceOf(Uint8Array);
    const bad = { ...enc.layers[0], inProjWeight: new Float32Array(3) };
    expect(go({ ...enc, layers: [bad] })).toThrow(/layer 0 \(transformerEncoder\): layers\[0\] \(transformerEncoderLayer\): inProjWeight must be a Float32Array of length 48, got Float32Array of length 3/);
    expect(go({ ...enc.layers[0], nhead: 3 })).toThrow(/nhead must be a divisor of dModel 4, got 3/);
    expect(go({ ...enc.layers[0], activation: "tanh" })).toThrow(/activation must be "relu" or "gelu"/);
    expect(go({ ...enc.layers[0], norm1: { ...enc.layers[0].norm1, normalizedShape: [2, 2] } })).toThrow(/layer 0 \(transformerEncoderLayer\): norm1 normalizedShape must be \[dModel\] = \[4\], got \[2,2\]/);
    expect(go({ ...enc, norm: { kind: "relu" } })).toThrow(/layer 0 \(transformerEncoder\): norm must be a layerNormalization layer or null, got "relu"/);
    expect(go({ ...enc, layers: [] })).toThrow(/layers must be a non-empty list/);
    expect(go({ kind: "layerNormalization", normalizedShape: [4], scale: new Float32Array(3), bias: null, epsilon: 1e-5 })).toThrow(/scale must be null or a Float32Array of length 4/);
    expect(go({ kind: "embedding", numEmbeddings: 5, embeddingDim: 2, weight: new Float32Array(10), extra: 1 }, [3])).toThrow(/unknown field "extra"/);
    expect(go({ kind: "geluTanh" }, [4])).not.toThrow();
  });
});

