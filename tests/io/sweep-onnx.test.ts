// Differential sweep of eg.io.exportOnnx: exported models run in onnxruntime-web and give what
// edgegrad (and PyTorch 1.13) compute, or the exporter refuses them with a ValueError naming the
// layer. Expected values come from PyTorch 1.13 scripts (quoted where used); the weights and
// inputs are small dyadic fractions, so every product and sum is exact in float32 and the
// outputs can be compared for equality.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ValueError } from "../../src/errors.js";
import { runOrtOutput } from "../support/onnx-runtime.js";

const nn = eg.nn;

type Fields = Map<number, (number | Uint8Array)[]>;
/** A protobuf message's fields (edgegrad only writes protobuf): varints as numbers, length-delimited as bytes, fixed32 as float. */
function decode(b: Uint8Array): Fields {
  const out: Fields = new Map();
  let at = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const c = b[at++];
      v |= BigInt(c & 0x7f) << shift;
      shift += 7n;
      if (!(c & 0x80)) return BigInt.asIntN(64, v);
    }
  };
  while (at < b.length) {
    const key = Number(varint()), field = key >> 3, wire = key & 7;
    let v: number | Uint8Array;
    if (wire === 0) v = Number(varint());
    else if (wire === 2) { const n = Number(varint()); v = b.subarray(at, at + n); at += n; }
    else if (wire === 5) { v = new DataView(b.buffer, b.byteOffset + at, 4).getFloat32(0, true); at += 4; }
    else throw new Error(`wire type ${wire} at byte ${at}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  if (at !== b.length) throw new Error(`message overruns its ${b.length} bytes`);
  return out;
}
const one = (f: Fields, field: number) => f.get(field)![0];
const sub = (f: Fields, field: number) => decode(one(f, field) as Uint8Array);
const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
/** A ValueInfoProto's name, element type and dims (numbers, or the symbolic name). */
function valueInfo(v: Uint8Array): { name: string; elemType: number; dims: (number | string)[] } {
  const f = decode(v), tensor = sub(sub(f, 2), 1);
  const dims = (sub(tensor, 2).get(1) ?? []).map((d) => { const g = decode(d as Uint8Array); return g.has(1) ? (one(g, 1) as number) : text(one(g, 2)); });
  return { name: text(one(f, 1)), elemType: one(tensor, 1) as number, dims };
}

/** ((i·a) mod m − ⌊m/2⌋)/d for i = 0…n−1: the values the PyTorch scripts fill tensors with. */
const vals = (n: number, a: number, m: number, d: number): number[] => Array.from({ length: n }, (_, i) => ((i * a) % m - Math.floor(m / 2)) / d);

describe("ONNX export sweep", () => {
  it("ConvTranspose2d with outputPadding ≥ stride (PyTorch allows it below the dilation) runs in onnxruntime-web with PyTorch's outputs", async () => {
    // PyTorch 1.13: ConvTranspose2d(cin, cout, k, stride, dilation, output_padding, padding), weight vals(·, 7, 11, 8),
    // bias vals(cout, 3, 5, 4), x = vals(cin·H·W, 5, 9, 4) of shape [1, cin, H, W]; y.flatten().
    const cases: [number[], number[], number[]][] = [
      [[2, 3, 2, 1, 2, 1, 1, 3, 3], [1, 3, 4, 4], [-0.3125, -0.78125, -0.5, -0.5, -0.78125, -1.53125, -0.3125, -1.0625, -0.6875, 0.15625, -0.875, 0.0625,
        -0.125, -0.6875, 0.25, -0.5, 0.375, 0.125, 0.1875, 0.34375, 0.125, 0.34375, 0.25, 0.625, 0.0, 0.375, 0.5, -0.125, 0.75, 0.375, -0.25, 0.25,
        -0.1875, -0.21875, -0.375, -0.0625, -0.5625, 0.625, -0.09375, 0.03125, 0.125, -1.0, -0.0625, -0.53125, -1.0, -0.15625, -0.625, -0.25]],
      // outputPadding 2 = stride, padding 1: one row moves into the end pads, one stays (the last row holds the bias alone).
      [[2, 2, 2, 2, 3, 2, 1, 3, 2], [1, 2, 8, 6], [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.3125, -0.6875, -0.5, -0.75, -0.5, -0.5, -0.6875, -0.96875,
        -0.5, -0.96875, -0.5, -0.5, -0.59375, -0.53125, -0.5, -0.59375, -0.5, -0.5, -0.5, -0.96875, -0.5, 0.4375, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5,
        -0.5, -0.5, -0.59375, -0.96875, -0.5, 0.4375, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.0625,
        0.53125, 0.25, 0.3125, 0.25, 0.25, 1.0, 0.21875, 0.25, 0.375, 0.25, 0.25, 0.15625, 0.375, 0.25, 0.15625, 0.25, 0.25, -0.125, 0.25, 0.25,
        0.125, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.15625, 0.28125, 0.25, 0.15625, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]],
    ];
    for (const [[cin, cout, k, stride, dilation, outputPadding, padding, H, W], shape, want] of cases) {
      const m = new nn.ConvTranspose2d(cin, cout, k, { stride, dilation, outputPadding, padding });
      m.weight.storage.set(vals(m.weight.size, 7, 11, 8));
      m.bias!.storage.set(vals(cout, 3, 5, 4));
      const x = eg.tensor(vals(cin * H * W, 5, 9, 4)).reshape([1, cin, H, W]);
      const ours = eg.noGrad(() => m.forward(x));
      expect(ours.shape).toEqual(shape);
      expect(Array.from(ours.data)).toEqual(want);
      // Before: onnxruntime refused the model ("output_padding (1) may be too large for stride (1)").
      const got = await runOrtOutput(eg.io.exportOnnx(m, { inputShape: [cin, H, W] }), Float32Array.from(x.data), x.shape);
      expect(got.dims).toEqual(shape);
      expect(Array.from(got.data)).toEqual(want);
    }
    // Rows past the full convolution beyond what the padding can absorb: refused, not exported for onnxruntime to refuse.
    const bare = new nn.ConvTranspose2d(1, 1, 2, { stride: 1, dilation: 2, outputPadding: 1 });
    expect(() => eg.io.exportOnnx(bare, { inputShape: [1, 3, 3] })).toThrow(ValueError);
    expect(() => eg.io.exportOnnx(bare, { inputShape: [1, 3, 3] })).toThrow(/layer 0 \(ConvTranspose\): outputPadding 1 on axis 0 is not smaller than the stride 1/);
  });

  it("a sparsified model (CSR and dense Linears, a pruned Conv) exports as Gemm/Conv and gives PyTorch's outputs", async () => {
    // PyTorch 1.13: Sequential(Conv2d(2, 3, 3, padding=1), ReLU(), Flatten(), Linear(48, 4), ReLU(), Linear(4, 3)), the parameters in
    // order filled with vals(n, a, m, d) for (a, m, d) = (7, 11, 8), (3, 5, 4), (5, 13, 8), (2, 7, 4), (3, 7, 8), (1, 5, 4), every third
    // entry of each weight zeroed ("pruned"); x = vals(64, 5, 9, 4) as [2, 2, 4, 4]; m(x).flatten().
    const want = [-0.5, -0.98388671875, 0.4892578125, -0.21142578125, -0.59130859375, 0.13134765625];
    const model = new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(48, 4), new nn.ReLU(), new nn.Linear(4, 3));
    const fills: [number, number, number][] = [[7, 11, 8], [3, 5, 4], [5, 13, 8], [2, 7, 4], [3, 7, 8], [1, 5, 4]];
    model.parameters().forEach((p, k) => p.storage.set(vals(p.size, ...fills[k]).map((v, i) => (p.ndim > 1 && i % 3 === 0 ? 0 : v))));
    model.eval();
    const x = eg.tensor(vals(64, 5, 9, 4)).reshape([2, 2, 4, 4]);
    expect(Array.from(eg.noGrad(() => model.forward(x)).data)).toEqual(want);
    for (const format of ["sparse", "dense"] as const) {
      const compiled = eg.compress.sparsify(model, { format });
      expect(compiled.layers.map((l) => l.kind)).toEqual(["dense-conv", format, format]);
      expect(Array.from(compiled.forward(x).data)).toEqual(want);
      // Before: refused ("compiled layer \"dense-conv\" at step 0 has no ONNX mapping"), though stateDict() points to exportOnnx.
      const got = await runOrtOutput(eg.io.exportOnnx(compiled, { inputShape: [2, 4, 4] }), Float32Array.from(x.data), x.shape);
      expect(got.dims, format).toEqual([2, 3]);
      expect(Array.from(got.data), format).toEqual(want);
    }
  });

  it("a pool or ConvTranspose whose output would be empty is refused (PyTorch: \"Output size is too small\"); ceil mode's one clipped window exports", async () => {
    // PyTorch 1.13 raises "Output size is too small" for each of these (MaxPool2d(5) on 4×4, AvgPool1d(5) on 4,
    // MaxPool2d(3, stride=1, padding=1, dilation=3) on 4×4, ConvTranspose2d(1, 1, 1, padding=2) on 2×2); before, each
    // exported a model with an empty or negative declared output shape.
    const cases: [eg.nn.Module, number[], RegExp][] = [
      [new nn.MaxPool2d(5), [1, 4, 4], /layer 0 \(MaxPool\): input \[1,4,4\] is smaller than the kernel \[5,5\]/],
      [new nn.AvgPool1d(5), [1, 4], /layer 0 \(AveragePool\): input \[1,4\] is smaller than the kernel \[5\]/],
      [new nn.Sequential(new nn.Conv2d(1, 2, 1), new nn.MaxPool2d(3, { stride: 1, padding: 1, dilation: 3 })), [1, 4, 4], /layer 1 \(MaxPool\): input \[2,4,4\]/],
      [new nn.ConvTranspose2d(1, 1, 1, { padding: 2 }), [1, 2, 2], /layer 0 \(ConvTranspose\): input \[1,2,2\] gives an output of size \[-2,-2\]/],
    ];
    for (const [model, shape, message] of cases) {
      expect(() => eg.noGrad(() => model.forward(eg.zeros([1, ...shape])))).toThrow();
      expect(() => eg.io.exportOnnx(model, { inputShape: shape })).toThrow(ValueError);
      expect(() => eg.io.exportOnnx(model, { inputShape: shape })).toThrow(message);
    }
    // PyTorch 1.13: MaxPool2d(5, ceil_mode=True)(arange(16.).reshape(1, 1, 4, 4)) = [[[[15.]]]],
    // AvgPool1d(5, ceil_mode=True)(arange(4.).reshape(1, 1, 4)) = [[[1.5]]]: one window, clipped to the input.
    const ceil: [eg.nn.Module, number[], number[]][] = [[new nn.MaxPool2d(5, { ceilMode: true }), [1, 4, 4], [15]], [new nn.AvgPool1d(5, { ceilMode: true }), [1, 4], [1.5]]];
    for (const [model, shape, want] of ceil) {
      const x = eg.arange(shape.reduce((a, b) => a * b, 1)).astype("float32").reshape([1, ...shape]);
      expect(Array.from(eg.noGrad(() => model.forward(x)).data)).toEqual(want);
      const got = await runOrtOutput(eg.io.exportOnnx(model, { inputShape: [...shape] }), Float32Array.from(x.data), x.shape);
      expect(Array.from(got.data)).toEqual(want);
    }
  });

  it("a hand-written pool layer with a pad as large as its kernel is refused before any bytes (onnxruntime refuses the model)", () => {
    type L = eg.io.OnnxLayer;
    const cases: [L, RegExp][] = [
      [{ kind: "maxPool", kernelShape: [2, 2], strides: [1, 1], pads: [2, 0, 0, 0], dilations: [1, 1], ceilMode: false },
        /layer 0 \(maxPool\): pads must be 4 integers ≥ 0, each smaller than the kernel \[2,2\] along its axis, got \[2,0,0,0\]/],
      [{ kind: "averagePool", kernelShape: [3], strides: [1], pads: [0, 3], ceilMode: false, countIncludePad: true },
        /layer 0 \(averagePool\): pads must be 2 integers ≥ 0, each smaller than the kernel \[3\] along its axis, got \[0,3\]/],
    ];
    // Before: exported, and onnxruntime refused the session ("pads[dim] < kernel_shape[dim]").
    for (const [layer, message] of cases) {
      const shape = layer.kind === "maxPool" ? [1, 4, 4] : [1, 6];
      expect(() => eg.io.exportOnnx([layer], { inputShape: shape })).toThrow(ValueError);
      expect(() => eg.io.exportOnnx([layer], { inputShape: shape })).toThrow(message);
    }
  });

  it("the bytes read back: IR 7, opset 13, the given names and batch dim, every node input defined, the declared output shape the one onnxruntime gives at batch 1 and 7", async () => {
    const S = (...m: eg.nn.Module[]) => new nn.Sequential(...m);
    const q = eg.compress.quantizeModel(S(new nn.Conv2d(1, 2, 3, { seed: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 3, { seed: 2 })), { calibration: eg.randn([8, 1, 4, 4], { seed: 3 }) });
    const cases: [eg.nn.Module, number[]][] = [
      [S(new nn.Linear(5, 3, { seed: 4 }), new nn.ReLU(), new nn.Dropout(), new nn.Linear(3, 2, { seed: 5, bias: false }), new nn.LogSoftmax(0)), [5]],
      [S(new nn.Conv2d(2, 3, [2, 4], { padding: "same", seed: 6 }), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.AdaptiveAvgPool2d([2, null])), [2, 4, 6]],
      [S(new nn.MaxPool2d(3, { stride: 2, ceilMode: true, padding: 1 }), new nn.AvgPool2d(2, { ceilMode: true }), new nn.Flatten()), [2, 9, 10]],
      [S(new nn.ConvTranspose2d(2, 4, 3, { stride: 2, outputPadding: 1, padding: 1, groups: 2, seed: 7 }), new nn.Softmax(1)), [2, 4, 5]],
      [S(new nn.Conv1d(2, 4, 3, { stride: 2, dilation: 2, padding: 3, seed: 8 }), new nn.BatchNorm1d(4), new nn.MaxPool1d(2, { ceilMode: true })), [2, 11]],
      [q, [1, 4, 4]],
    ];
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    for (const [model, shape] of cases) {
      model.eval();
      const bytes = eg.io.exportOnnx(model, { inputShape: shape, inputName: "pixels", outputName: "scores", batch: "n", producer: "sweep" });
      const m = decode(bytes), g = sub(m, 7), opset = sub(m, 8);
      expect([one(m, 1), text(one(m, 2)), text(one(opset, 1)), one(opset, 2)]).toEqual([7, "sweep", "", 13]);
      const input = valueInfo(one(g, 11) as Uint8Array), output = valueInfo(one(g, 12) as Uint8Array);
      expect(input).toEqual({ name: "pixels", elemType: 1, dims: ["n", ...shape] });
      expect([output.name, output.elemType, output.dims[0]]).toEqual(["scores", 1, "n"]);
      // Every node reads the graph input, an initializer or an earlier node's output; the last one writes the graph output.
      const defined = new Set(["pixels", ...(g.get(5) ?? []).map((t) => text(one(decode(t as Uint8Array), 8)))]);
      const nodes = (g.get(1) ?? []).map((n) => decode(n as Uint8Array));
      for (const n of nodes) {
        for (const i of n.get(1) ?? []) expect(defined.has(text(i)), `${text(one(n, 4))} reads ${text(i)}`).toBe(true);
        for (const o of n.get(2) ?? []) defined.add(text(o));
      }
      expect(text(one(nodes[nodes.length - 1], 2))).toBe("scores");
      const session = await ort.InferenceSession.create(bytes);
      for (const batch of [1, 7]) {
        const x = eg.randn([batch, ...shape], { seed: 9 });
        const out = (await session.run({ pixels: new ort.Tensor("float32", Float32Array.from(x.data), x.shape) })).scores;
        const want = model.forward(x);
        expect([...out.dims]).toEqual([batch, ...output.dims.slice(1)]);
        expect(want.shape).toEqual([...out.dims]);
        // Sums of at most 24 products of O(1) values, then a softmax or a rescale: 1e-5 relative to the output's scale covers float32 rounding in both engines.
        const w = want.data, got = out.data as Float32Array, scale = Math.max(1, ...Array.from(w, Math.abs));
        for (let i = 0; i < w.length; i++) expect(Math.abs(got[i] - w[i]), `batch ${batch} [${i}]`).toBeLessThanOrEqual(1e-5 * scale);
      }
    }
  });

  it("a BatchNorm on an input of a rank its module refuses (PyTorch: \"expected 4D input\") is refused, not exported as a BatchNormalization", () => {
    // PyTorch 1.13: BatchNorm2d on [N, C, L] raises "expected 4D input (got 3D input)", BatchNorm1d on [N, C, H, W]
    // "expected 2D or 3D input (got 4D input)"; edgegrad's modules raise a ShapeError. Before: each exported.
    const cases: [eg.nn.Module, number[], RegExp][] = [
      [new nn.Sequential(new nn.Conv1d(2, 3, 3), new nn.BatchNorm2d(3)), [2, 8], /layer 1 \(BatchNormalization\) takes a 4-d input, gets \[batch, 3,6\]/],
      [new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm2d(3)), [4], /layer 1 \(BatchNormalization\) takes a 4-d input, gets \[batch, 3\]/],
      [new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm1d(3), new nn.ReLU()), [2, 5, 5], /layer 1 \(BatchNormalization\) takes a 2-d or 3-d input, gets \[batch, 3,3,3\]/],
      [new nn.BatchNorm1d(2), [2, 3, 3], /layer 0 \(BatchNormalization\) takes a 2-d or 3-d input/],
    ];
    for (const [model, shape, message] of cases) {
      model.eval();
      expect(() => model.forward(eg.zeros([2, ...shape]))).toThrow(eg.ShapeError);
      expect(() => eg.io.exportOnnx(model, { inputShape: shape })).toThrow(ValueError);
      expect(() => eg.io.exportOnnx(model, { inputShape: shape })).toThrow(message);
    }
    // The ranks each accepts still export; a hand-written layer without inputRanks normalizes any rank, as ONNX does.
    for (const [model, shape] of [[new nn.BatchNorm1d(3), [3]], [new nn.BatchNorm1d(3), [3, 4]], [new nn.BatchNorm2d(3), [3, 2, 2]]] as const) {
      expect(eg.io.exportOnnx(model.eval(), { inputShape: [...shape] }).length).toBeGreaterThan(0);
    }
    const [bn] = eg.io.describeSequential(new nn.BatchNorm2d(3).eval()) as unknown as [Record<string, unknown>];
    delete bn.inputRanks;
    expect(eg.io.exportOnnx([bn as eg.io.OnnxLayer], { inputShape: [3, 5] }).length).toBeGreaterThan(0);
    expect(() => eg.io.exportOnnx([{ ...bn, inputRanks: [1] } as eg.io.OnnxLayer], { inputShape: [3, 5] }))
      .toThrow(/layer 0 \(batchNormalization\): inputRanks must be absent or a non-empty list of integers ≥ 2, got \[1\]/);
  });

  it("a Softmax/LogSoftmax dim that is not an integer is refused with a ValueError, as the module's forward refuses it", () => {
    // Before: Softmax(1.5) and LogSoftmax(NaN) threw a RangeError from the protobuf writer (BigInt of a non-integer);
    // Softmax("1") exported as axis 1 though its forward refuses the string.
    const cases: [eg.nn.Module, string][] = [[new nn.Softmax(1.5), "1.5"], [new nn.LogSoftmax(NaN), "NaN"], [new nn.Softmax("1" as unknown as number), '"1"']];
    for (const [head, shown] of cases) {
      const model = new nn.Sequential(new nn.Linear(3, 3), head);
      expect(() => model.forward(eg.zeros([2, 3]))).toThrow(ValueError);
      expect(() => eg.io.exportOnnx(model)).toThrow(ValueError);
      expect(() => eg.io.exportOnnx(model)).toThrow(`exportOnnx: layer 1: softmax axis ${shown} is out of range for a rank-2 tensor [batch, 3]`);
    }
  });

  it("a float64 model exports as a float32 graph: float32 input, output and weights (rounded once), outputs within float32 rounding of the float64 forward", async () => {
    const model = new nn.Sequential(new nn.Linear(6, 4, { seed: 1, dtype: "float64" }), new nn.Tanh(), new nn.Linear(4, 3, { seed: 2, dtype: "float64" })).eval();
    const bytes = eg.io.exportOnnx(model);
    const g = sub(decode(bytes), 7);
    expect(valueInfo(one(g, 11) as Uint8Array).elemType).toBe(1);
    expect(valueInfo(one(g, 12) as Uint8Array).elemType).toBe(1);
    const inits = (g.get(5) ?? []).map((t) => decode(t as Uint8Array));
    expect(inits.map((t) => one(t, 2))).toEqual([1, 1, 1, 1]);
    const w = model.parameters()[0];
    expect(Array.from(new Float32Array((one(inits[0], 9) as Uint8Array).slice().buffer))).toEqual(Array.from(Float32Array.from(w.data)));
    const x = eg.randn([5, 6], { seed: 3, dtype: "float64" });
    const want = model.forward(x).data;
    const got = await runOrtOutput(bytes, Float32Array.from(x.data), x.shape);
    // Two layers of ≤ 6-term float32 sums plus the inputs' and weights' own rounding: 1e-5 of the unit-scale outputs.
    got.data.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
  });

  it("describeSequential of something that is not a Module throws a ValueError naming what it got", () => {
    // Before: a TypeError from inside the fusion pass ("Cannot read properties of null (reading 'modules')").
    const cases: [unknown, string][] = [[null, "null"], [undefined, "undefined"], [3, "number"], [{}, "object"], [[new nn.Linear(2, 2)], "an array"]];
    for (const [v, what] of cases) {
      expect(() => eg.io.describeSequential(v as eg.nn.Module)).toThrow(ValueError);
      expect(() => eg.io.describeSequential(v as eg.nn.Module)).toThrow(`describeSequential: expected a Module, got ${what}`);
    }
  });
});
