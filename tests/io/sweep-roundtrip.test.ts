// Serialization and interop round trips, checked against PyTorch: state dict names, safetensors
// files as PyTorch stores them, stateDict → file → loadStateDict, compiled (int8, sparse) models,
// and ONNX export of layers alone and in small stacks run in onnxruntime-web.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { FormatError, ValueError } from "../../src/errors.js";
import { quantizeModel, sparsify } from "../../src/compress/index.js";
import { runOrt } from "../support/onnx-runtime.js";

const nn = eg.nn;
type AnyModule = eg.nn.Module;

/** Bytes of a safetensors file: 8-byte little-endian header length, the JSON header, the buffer. */
function fileOf(header: string, buffer: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

const snapshot = (m: AnyModule) => JSON.stringify(Object.entries(m.stateDict()).map(([k, t]) => [k, t.dtype, Array.from(t.data)]));

describe("stateDict names and round trips", () => {
  // PyTorch 1.13: the state_dict() keys and shapes, in order, of
  // nn.Sequential(Linear(4,5), Linear(4,5,bias=False), Conv1d(2,3,3), Conv2d(2,4,3,groups=2),
  //   ConvTranspose2d(2,3,3), ConvTranspose2d(4,6,3,groups=2,bias=False), BatchNorm1d(3),
  //   BatchNorm2d(3,affine=False), BatchNorm2d(3,track_running_stats=False), LayerNorm([2,4]),
  //   LayerNorm(4,elementwise_affine=False), GroupNorm(2,4), GroupNorm(2,4,affine=False), Embedding(10,4),
  //   RNN(4,5,num_layers=2,bidirectional=True), LSTM(4,5,num_layers=2,bidirectional=True), GRU(4,5,num_layers=3,bias=False),
  //   MultiheadAttention(8,2), MultiheadAttention(8,2,kdim=4,vdim=6), MultiheadAttention(8,2,bias=False),
  //   TransformerEncoder(TransformerEncoderLayer(8,2,16), 2, norm=LayerNorm(8))); "-" is a 0-d tensor.
  const TORCH_KEYS = `0.weight:5x4 0.bias:5 1.weight:5x4 2.weight:3x2x3 2.bias:3 3.weight:4x1x3x3 3.bias:4 4.weight:2x3x3x3 4.bias:3
    5.weight:4x3x3x3 6.weight:3 6.bias:3 6.running_mean:3 6.running_var:3 6.num_batches_tracked:- 7.running_mean:3 7.running_var:3
    7.num_batches_tracked:- 8.weight:3 8.bias:3 9.weight:2x4 9.bias:2x4 11.weight:4 11.bias:4 13.weight:10x4
    14.weight_ih_l0:5x4 14.weight_hh_l0:5x5 14.bias_ih_l0:5 14.bias_hh_l0:5 14.weight_ih_l0_reverse:5x4 14.weight_hh_l0_reverse:5x5
    14.bias_ih_l0_reverse:5 14.bias_hh_l0_reverse:5 14.weight_ih_l1:5x10 14.weight_hh_l1:5x5 14.bias_ih_l1:5 14.bias_hh_l1:5
    14.weight_ih_l1_reverse:5x10 14.weight_hh_l1_reverse:5x5 14.bias_ih_l1_reverse:5 14.bias_hh_l1_reverse:5
    15.weight_ih_l0:20x4 15.weight_hh_l0:20x5 15.bias_ih_l0:20 15.bias_hh_l0:20 15.weight_ih_l0_reverse:20x4 15.weight_hh_l0_reverse:20x5
    15.bias_ih_l0_reverse:20 15.bias_hh_l0_reverse:20 15.weight_ih_l1:20x10 15.weight_hh_l1:20x5 15.bias_ih_l1:20 15.bias_hh_l1:20
    15.weight_ih_l1_reverse:20x10 15.weight_hh_l1_reverse:20x5 15.bias_ih_l1_reverse:20 15.bias_hh_l1_reverse:20
    16.weight_ih_l0:15x4 16.weight_hh_l0:15x5 16.weight_ih_l1:15x5 16.weight_hh_l1:15x5 16.weight_ih_l2:15x5 16.weight_hh_l2:15x5
    17.in_proj_weight:24x8 17.in_proj_bias:24 17.out_proj.weight:8x8 17.out_proj.bias:8 18.q_proj_weight:8x8 18.k_proj_weight:8x4
    18.v_proj_weight:8x6 18.in_proj_bias:24 18.out_proj.weight:8x8 18.out_proj.bias:8 19.in_proj_weight:24x8 19.out_proj.weight:8x8
    ${[0, 1].map((l) => `20.layers.${l}.self_attn.in_proj_weight:24x8 20.layers.${l}.self_attn.in_proj_bias:24
    20.layers.${l}.self_attn.out_proj.weight:8x8 20.layers.${l}.self_attn.out_proj.bias:8 20.layers.${l}.linear1.weight:16x8
    20.layers.${l}.linear1.bias:16 20.layers.${l}.linear2.weight:8x16 20.layers.${l}.linear2.bias:8 20.layers.${l}.norm1.weight:8
    20.layers.${l}.norm1.bias:8 20.layers.${l}.norm2.weight:8 20.layers.${l}.norm2.bias:8`).join(" ")} 20.norm.weight:8 20.norm.bias:8`;

  it("stateDict keys, order and shapes equal PyTorch's for every layer with parameters or buffers", () => {
    const m = new nn.Sequential(
      new nn.Linear(4, 5), new nn.Linear(4, 5, { bias: false }), new nn.Conv1d(2, 3, 3), new nn.Conv2d(2, 4, 3, { groups: 2 }),
      new nn.ConvTranspose2d(2, 3, 3), new nn.ConvTranspose2d(4, 6, 3, { groups: 2, bias: false }),
      new nn.BatchNorm1d(3), new nn.BatchNorm2d(3, { affine: false }), new nn.BatchNorm2d(3, { trackRunningStats: false }),
      new nn.LayerNorm([2, 4]), new nn.LayerNorm(4, { elementwiseAffine: false }), new nn.GroupNorm(2, 4), new nn.GroupNorm(2, 4, { affine: false }),
      new nn.Embedding(10, 4), new nn.RNN(4, 5, { numLayers: 2, bidirectional: true }), new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true }),
      new nn.GRU(4, 5, { numLayers: 3, bias: false }),
      new nn.MultiheadAttention(8, 2), new nn.MultiheadAttention(8, 2, { kdim: 4, vdim: 6 }), new nn.MultiheadAttention(8, 2, { bias: false }),
      new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2, { norm: new nn.LayerNorm(8) }),
    );
    const ours = Object.entries(m.stateDict()).map(([k, t]) => `${k}:${t.shape.join("x") || "-"}`);
    expect(ours).toEqual(TORCH_KEYS.trim().split(/\s+/));
  });

  /** A model holding every layer type with parameters or buffers, each used in forward. */
  class AllLayers extends nn.Module {
    readonly parts: Record<string, AnyModule>;
    constructor(seed: number) {
      super();
      const r = (k: number) => ({ seed: seed * 100 + k });
      const parts: Record<string, AnyModule> = {
        lin: new nn.Linear(4, 6, r(1)), bn1: new nn.BatchNorm1d(6), emb: new nn.Embedding(10, 6, r(2)), ln: new nn.LayerNorm(6),
        c1: new nn.Conv1d(2, 3, 3, r(3)), c2: new nn.Conv2d(2, 4, 3, { groups: 2, ...r(4) }), bn2: new nn.BatchNorm2d(4), gn: new nn.GroupNorm(2, 4),
        ct: new nn.ConvTranspose2d(2, 3, 3, r(5)),
        rnn: new nn.RNN(6, 5, { numLayers: 2, bidirectional: true, ...r(6) }), lstm: new nn.LSTM(6, 5, { numLayers: 2, bidirectional: true, ...r(7) }),
        gru: new nn.GRU(6, 5, { numLayers: 2, bidirectional: true, ...r(8) }), mha: new nn.MultiheadAttention(6, 2, { kdim: 4, vdim: 3, ...r(9) }),
        te: new nn.TransformerEncoder(new nn.TransformerEncoderLayer(6, 2, { dimFeedforward: 8, dropout: 0, ...r(10) }), 2, { norm: new nn.LayerNorm(6) }),
      };
      for (const [k, m] of Object.entries(parts)) this.registerModule(k, m);
      this.parts = parts;
    }
    forward(x: eg.Tensor, ids: eg.Tensor, img: eg.Tensor, seq: eg.Tensor): eg.Tensor[] {
      const p = this.parts as Record<string, { forward(...a: unknown[]): unknown }>;
      const first = (o: unknown) => (Array.isArray(o) ? o[0] : o) as eg.Tensor;
      const image = img.reshape([1, 2, 4, 4]);
      return [
        first(p.bn1.forward(p.lin.forward(x))), first(p.ln.forward(p.emb.forward(ids))), first(p.c1.forward(img.reshape([2, 2, 8]))),
        first(p.gn.forward(p.bn2.forward(p.c2.forward(image)))), first(p.ct.forward(image)),
        first(p.rnn.forward(seq)), first(p.lstm.forward(seq)), first(p.gru.forward(seq)),
        first(p.mha.forward(seq, seq.slice(null, null, [0, 4]), seq.slice(null, null, [0, 3]))), first(p.te.forward(seq)),
      ];
    }
  }
  const inputs = (seed: number): [eg.Tensor, eg.Tensor, eg.Tensor, eg.Tensor] => [
    eg.randn([5, 4], { seed }), eg.tensor([[1, 2], [3, 9]], { dtype: "int32" }), eg.randn([32], { seed: seed + 1 }), eg.randn([3, 2, 6], { seed: seed + 2 }),
  ];
  const outputs = (m: AllLayers, x: ReturnType<typeof inputs>) => m.predict(...x).map((t) => Array.from(t.data));

  it("stateDict → safetensors → loadStateDict gives identical outputs, BatchNorm statistics included", () => {
    const a = new AllLayers(1), b = new AllLayers(2);
    a.train();
    a.forward(...inputs(1));   // moves the BatchNorm statistics and counters off their defaults
    a.eval();
    b.eval();
    const x = inputs(11);
    expect(outputs(b, x)).not.toEqual(outputs(a, x));
    b.loadStateDict(eg.io.loadSafetensors(eg.io.saveSafetensors(a.stateDict())));
    expect(outputs(b, x)).toEqual(outputs(a, x));
    expect(snapshot(b)).toBe(snapshot(a));
  });

  it("a wrong shape, dtype, missing or extra key throws a typed error and leaves every tensor untouched (those before the bad key too)", () => {
    const a = new AllLayers(1), b = new AllLayers(2);
    const sd = eg.io.loadSafetensors(eg.io.saveSafetensors(a.stateDict()));
    const keys = Object.keys(b.stateDict());
    const before = snapshot(b);
    const withoutKey = { ...sd };
    delete withoutKey[keys[keys.length - 1]];
    const cases: [Record<string, eg.Tensor>, typeof ValueError | typeof eg.ShapeError | typeof eg.DTypeError][] = [
      [{ ...sd, [keys[keys.length - 1]]: eg.zeros([1, 2, 3]) }, eg.ShapeError],     // the last key: every other one would already load
      [{ ...sd, "bn2.num_batches_tracked": eg.zeros([]) }, eg.DTypeError],
      [withoutKey, ValueError],
      [{ ...sd, extra: eg.zeros([1]) }, ValueError],
    ];
    for (const [bad, type] of cases) {
      expect(() => b.loadStateDict(bad)).toThrow(type);
      expect(snapshot(b)).toBe(before);
    }
  });
});

describe("safetensors files", () => {
  it("tensors PyTorch stores (F64, F16, BF16, I64, I16, BOOL, 0-d, empty) load with the documented conversions; a transposed tensor is written in logical order", () => {
    // Written per the spec with the values PyTorch 1.13 gives: torch.tensor([1, 65504, -1e-4], dtype=torch.float16)
    // is [1, 65504, -0.00010001659393310547]; bfloat16 of [1, 3.14159] is [1, 3.140625].
    const buf = new Uint8Array(8 + 6 + 4 + 16 + 4 + 3 + 4);
    const v = new DataView(buf.buffer);
    v.setFloat64(0, -2.5, true);
    [0x3c00, 0x7bff, 0x868e].forEach((h, i) => v.setUint16(8 + 2 * i, h, true));
    [0x3f80, 0x4049].forEach((h, i) => v.setUint16(14 + 2 * i, h, true));
    v.setBigInt64(18, -7n, true); v.setBigInt64(26, 2147483647n, true);
    v.setInt16(34, -32768, true); v.setInt16(36, 32767, true);
    buf.set([1, 0, 1], 38);
    v.setFloat32(41, 0.5, true);
    const header = JSON.stringify({
      __metadata__: { format: "pt" }, f64: { dtype: "F64", shape: [1], data_offsets: [0, 8] }, f16: { dtype: "F16", shape: [3], data_offsets: [8, 14] },
      bf16: { dtype: "BF16", shape: [2], data_offsets: [14, 18] }, i64: { dtype: "I64", shape: [2, 1], data_offsets: [18, 34] },
      i16: { dtype: "I16", shape: [2], data_offsets: [34, 38] }, b: { dtype: "BOOL", shape: [3], data_offsets: [38, 41] },
      scalar: { dtype: "F32", shape: [], data_offsets: [41, 45] }, empty: { dtype: "I64", shape: [2, 0], data_offsets: [45, 45] },
    });
    const { tensors: t, metadata, dtypes } = eg.io.readSafetensors(fileOf(header, buf));
    expect({ ...metadata }).toEqual({ format: "pt" });
    expect(dtypes.bf16).toBe("BF16");
    const got = Object.fromEntries(Object.entries(t).map(([k, x]) => [k, [x.dtype, x.shape, Array.from(x.data as ArrayLike<number>)]]));
    expect(got).toEqual({
      f64: ["float64", [1], [-2.5]], f16: ["float32", [3], [1, 65504, -0.00010001659393310547]], bf16: ["float32", [2], [1, 3.140625]],
      i64: ["int32", [2, 1], [-7, 2147483647]], i16: ["int32", [2], [-32768, 32767]], b: ["bool", [3], [1, 0, 1]],
      scalar: ["float32", [], [0.5]], empty: ["int32", [2, 0], []],
    });
    // A transposed view is stored as its logical (row-major) values, as torch's contiguous() would.
    const x = eg.tensor([[1, 2, 3], [4, 5, 6]]);
    const back = eg.io.loadSafetensors(eg.io.saveSafetensors({ t: x.transpose(0, 1), s: eg.tensor(3), e: eg.zeros([0, 2]) }));
    expect([back.t.shape, Array.from(back.t.data)]).toEqual([[3, 2], [1, 4, 2, 5, 3, 6]]);
    expect([back.s.shape, Array.from(back.s.data), back.e.shape]).toEqual([[], [3], [0, 2]]);
  });

  it("\"__metadata__\": null is no metadata (the reference reader's Option), an array is a FormatError, and saving array metadata is refused", () => {
    const one = new Uint8Array(4);
    new DataView(one.buffer).setFloat32(0, 1.5, true);
    const entry = '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const nullMeta = eg.io.readSafetensors(fileOf(`{"__metadata__":null,${entry}}`, one));
    expect({ ...nullMeta.metadata }).toEqual({});
    expect(Array.from(nullMeta.tensors.a.data)).toEqual([1.5]);
    expect(() => eg.io.readSafetensors(fileOf(`{"__metadata__":["x"],${entry}}`, one))).toThrow(FormatError);
    expect(() => eg.io.saveSafetensors({ a: eg.zeros([1]) }, { metadata: ["x"] as unknown as Record<string, string> })).toThrow(ValueError);
  });
});

describe("compiled models", () => {
  it("a quantized or sparsified model refuses stateDict and loadStateDict instead of silently leaving out its compiled weights", () => {
    const float = new nn.Sequential(new nn.Linear(4, 6, { seed: 1 }), new nn.ReLU(), new nn.BatchNorm1d(6), new nn.Linear(6, 2, { seed: 2 }));
    float.eval();
    const x = eg.randn([8, 4], { seed: 3 });
    for (const compiled of [quantizeModel(float, { calibration: x }), sparsify(float)]) {
      // Before: stateDict() held only the BatchNorm between the compiled layers, so a saved file lacked every weight.
      expect(() => compiled.stateDict()).toThrow(/compiled .* layers have no state dict/);
      expect(() => compiled.stateDict()).toThrow(ValueError);
      const y = Array.from(compiled.predict(x).data);
      const bn = { "2.weight": eg.zeros([6]), "2.bias": eg.zeros([6]), "2.running_mean": eg.zeros([6]), "2.running_var": eg.ones([6]), "2.num_batches_tracked": eg.zeros([], { dtype: "int32" }) };
      expect(() => compiled.loadStateDict(bn, { strict: false })).toThrow(ValueError);
      expect(Array.from(compiled.predict(x).data)).toEqual(y);
    }
    // The float model's state still saves and compiles again after loading.
    const copy = new nn.Sequential(new nn.Linear(4, 6, { seed: 8 }), new nn.ReLU(), new nn.BatchNorm1d(6), new nn.Linear(6, 2, { seed: 9 }));
    copy.loadStateDict(eg.io.loadSafetensors(eg.io.saveSafetensors(float.stateDict())));
    copy.eval();
    expect(Array.from(quantizeModel(copy, { calibration: x }).predict(x).data)).toEqual(Array.from(quantizeModel(float, { calibration: x }).predict(x).data));
  });
});

/** Running statistics and affine parameters away from their defaults. */
function randomizeBatchNorm<T extends eg.nn.BatchNorm1d | eg.nn.BatchNorm2d>(bn: T, seed: number): T {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  bn.runningMean?.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
  bn.runningVar?.storage.forEach((_, i, a) => { a[i] = 0.2 + next(); });
  bn.weight?.storage.forEach((_, i, a) => { a[i] = 0.5 + next(); });
  bn.bias?.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
  return bn;
}

describe("ONNX export", () => {
  it("layers alone and in small stacks give edgegrad's outputs in onnxruntime-web", async () => {
    const S = (...m: AnyModule[]) => new nn.Sequential(...m);
    const cases: [string, AnyModule, number[]][] = [
      ["Linear → BatchNorm1d → ReLU", S(new nn.Linear(4, 6, { seed: 1 }), randomizeBatchNorm(new nn.BatchNorm1d(6), 2), new nn.ReLU()), [4]],
      ["BatchNorm1d on [C, L]", S(randomizeBatchNorm(new nn.BatchNorm1d(3), 3)), [3, 7]],
      ["Conv1d → BatchNorm1d → ReLU → pools → Linear → Softmax", S(new nn.Conv1d(2, 4, 3, { stride: 2, dilation: 2, padding: 2, seed: 3 }),
        randomizeBatchNorm(new nn.BatchNorm1d(4), 4), new nn.ReLU(), new nn.MaxPool1d(2, { ceilMode: true }), new nn.AvgPool1d(2, { ceilMode: true, padding: 1 }),
        new nn.Flatten(), new nn.Linear(12, 3, { seed: 5 }), new nn.Softmax()), [2, 20]],
      ["grouped dilated Conv2d → BatchNorm2d(affine false) → LeakyReLU → global pool → LogSoftmax", S(new nn.Conv2d(4, 6, 3, { stride: 2, dilation: 2, padding: 1, groups: 2, seed: 6 }),
        randomizeBatchNorm(new nn.BatchNorm2d(6, { affine: false }), 7), new nn.LeakyReLU(0.2), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(),
        new nn.Linear(6, 3, { seed: 8 }), new nn.LogSoftmax(1)), [4, 9, 9]],
      ["ConvTranspose2d → ELU → Sigmoid → Tanh → GELU", S(new nn.ConvTranspose2d(2, 4, 3, { stride: 2, dilation: 2, padding: 1, outputPadding: 1, seed: 9 }),
        new nn.ELU(0.7), new nn.Sigmoid(), new nn.Tanh(), new nn.GELU()), [2, 4, 5]],
      ["grouped ConvTranspose2d, rectangular kernel", new nn.ConvTranspose2d(4, 6, [2, 3], { stride: [2, 1], padding: [0, 1], groups: 2, seed: 10 }), [4, 3, 4]],
      ["Conv2d \"same\" with even kernels", new nn.Conv2d(2, 3, [2, 4], { padding: "same", seed: 11 }), [2, 5, 6]],
      ["Conv1d \"same\" with an even kernel", new nn.Conv1d(2, 3, 4, { padding: "same", seed: 12 }), [2, 9]],
      ["Conv2d(bias false) → BatchNorm2d folded → Softmax over channels", S(new nn.Conv2d(2, 3, 1, { bias: false, seed: 13 }), randomizeBatchNorm(new nn.BatchNorm2d(3), 14), new nn.Softmax(1)), [2, 3, 3]],
      ["BatchNorm2d alone (eps 0.1)", randomizeBatchNorm(new nn.BatchNorm2d(3, { eps: 0.1 }), 15), [3, 4, 4]],
      ["MaxPool2d dilated, padded, ceil mode", new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), [2, 9, 10]],
      ["AvgPool2d without padding in the count", new nn.AvgPool2d([2, 3], { stride: [1, 2], padding: [1, 1], countIncludePad: false }), [2, 5, 7]],
      ["AdaptiveAvgPool2d([2, null])", new nn.AdaptiveAvgPool2d([2, null]), [2, 4, 6]],
      ["Flatten → Linear → ReLU → Dropout → Linear(bias false)", S(new nn.Flatten(), new nn.Linear(12, 5, { seed: 19 }), new nn.ReLU(), new nn.Dropout(0.5),
        new nn.Linear(5, 2, { seed: 20, bias: false })), [3, 4]],
    ];
    for (const [name, m, shape] of cases) {
      m.eval();
      const x = eg.randn([3, ...shape], { seed: 99 });
      const want = Array.from((m.predict(x) as eg.Tensor).data);
      const got = Array.from(await runOrt(eg.io.exportOnnx(m, { inputShape: shape }), Float32Array.from(x.data), [3, ...shape]));
      expect(got.length, name).toBe(want.length);
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `${name} [${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
    }
  });

  it("layers without an ONNX mapping are refused with a ValueError naming the class and the index", () => {
    // (LayerNorm exports since the sequence layers did: tests/io/onnx-transformer.test.ts; an
    // Embedding exports only as the first layer, and the encoder only on [seq, dModel] samples.)
    const refused: AnyModule[] = [
      new nn.GroupNorm(2, 4), new nn.Embedding(4, 3), new nn.RNN(4, 4), new nn.LSTM(4, 4), new nn.GRU(4, 4),
      new nn.MultiheadAttention(4, 2), new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 1),
      new nn.Upsample({ scaleFactor: 2, mode: "area" }), new nn.RMSNorm(4), new nn.SiLU(), new nn.Identity(),
    ];
    for (const m of refused) {
      const name = (m.constructor as { typeName?: string }).typeName ?? m.constructor.name;
      expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Linear(4, 4), m), { inputShape: [4] }), name).toThrow(new RegExp(`${name} at index 1|layer 1 \\(${name}\\)`));
      expect(() => eg.io.exportOnnx(new nn.Sequential(new nn.Linear(4, 4), m), { inputShape: [4] }), name).toThrow(ValueError);
    }
  });

  it("input and output names that collide with the exporter's own tensor names, or with each other, are refused (runtimes refuse such a model)", async () => {
    const m = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new nn.ReLU(), new nn.Linear(4, 2, { seed: 2 }));
    // Before: each exported, and onnxruntime refused the model ("Duplicate definition of name").
    for (const [inputName, outputName] of [["t0", "output"], ["input", "t1"], ["0.weight", "output"], ["input", "0.bias"], ["layer0.x_scale", "y"], ["x", "x"]]) {
      expect(() => eg.io.exportOnnx(m, { inputName, outputName }), `${inputName} → ${outputName}`).toThrow(ValueError);
    }
    const x = eg.randn([2, 3], { seed: 5 });
    const got = await runOrt(eg.io.exportOnnx(m, { inputName: "pixels", outputName: "logits" }), Float32Array.from(x.data), [2, 3], "pixels", "logits");
    const want = Array.from(m.predict(x).data);
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
  });
});
