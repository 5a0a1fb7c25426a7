// The exported ONNX model runs in onnxruntime-web and agrees with edgegrad: within a bound
// derived from the network (f32) and bit for bit on the int8 integer path.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { runOrt } from "../support/onnx-runtime.js";
import { gamma, U32 } from "../support/tolerance.js";

/**
 * Float64 forward pass of a Linear/activation chain that also propagates a bound on the error
 * any float32 evaluation may have: through a Linear, |W|·err + γ(k+1)·(|W||x| + |b|); through a
 * 1-Lipschitz activation, err plus its own evaluation error of a few ulps (libm-grade
 * approximations: 64u·|y| + 2^-30 covers the fast tanh/erf kernels runtimes use).
 */
function referenceWithBound(layers: eg.io.OnnxLayer[], x: Float64Array, m: number): { y: Float64Array; err: Float64Array } {
  let h = x, err = new Float64Array(x.length);
  for (const l of layers) {
    if (l.kind === "linear") {
      const { inFeatures: k, outFeatures: n, weight: w, bias: b } = l;
      const y = new Float64Array(m * n), e = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = b ? b[j] : 0, abs = b ? Math.abs(b[j]) : 0, prop = 0;
        for (let p = 0; p < k; p++) {
          const t = w[j * k + p] * h[i * k + p];
          s += t; abs += Math.abs(t); prop += Math.abs(w[j * k + p]) * err[i * k + p];
        }
        y[i * n + j] = s;
        e[i * n + j] = prop + gamma(k + 1) * abs + (k + 1) * 2 ** -149;
      }
      h = y; err = e;
    } else {
      const f: Record<string, (v: number) => number> = {
        relu: (v) => Math.max(v, 0), tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)),
        gelu: (v) => 0.5 * v * (1 + eg.nn.erf(v / Math.SQRT2)),
      };
      const lip = l.kind === "gelu" ? 1.13 : 1;
      h = h.map(f[l.kind]);
      err = err.map((e, i) => lip * e + 64 * U32 * Math.abs(h[i]) + 2 ** -30);
    }
  }
  return { y: h, err };
}

describe("ONNX export", () => {
  it("an f32 MLP runs in onnxruntime-web with the same outputs (within the derived bound)", async () => {
    const model = new eg.nn.Sequential(
      new eg.nn.Linear(20, 16, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Dropout(0.3),
      new eg.nn.Linear(16, 12, { seed: 2 }), new eg.nn.Tanh(),
      new eg.nn.Linear(12, 8, { seed: 3 }), new eg.nn.GELU(),
      new eg.nn.Linear(8, 5, { seed: 4 }), new eg.nn.Sigmoid());
    model.eval();
    const m = 7;
    const x = eg.randn([m, 20], { seed: 5 });
    const ours = eg.noGrad(() => model.forward(x)).data as Float32Array;
    const theirs = await runOrt(eg.io.exportOnnx(model), x.data as Float32Array, [m, 20]);
    const layers = eg.io.describeSequential(model).filter((l) => l.kind !== "identity");
    const { y, err } = referenceWithBound(layers, Float64Array.from(x.data), m);
    expect(theirs.length).toBe(ours.length);
    for (let i = 0; i < y.length; i++) {
      for (const [who, v] of [["edgegrad", ours[i]], ["onnxruntime", theirs[i]]] as const) {
        const bound = err[i] + U32 * Math.abs(y[i]);
        if (!(Math.abs(v - y[i]) <= bound)) throw new Error(`${who} output ${i}: ${v} vs float64 ${y[i]} (bound ${bound})`);
      }
    }
  });

  it("softmax/logSoftmax/leakyRelu/elu heads export with their attributes", async () => {
    const model = new eg.nn.Sequential(new eg.nn.Linear(6, 4), new eg.nn.LeakyReLU(0.2), new eg.nn.Linear(4, 4), new eg.nn.ELU(0.7), new eg.nn.LogSoftmax(-1));
    const x = eg.randn([3, 6], { seed: 8 });
    const ours = eg.noGrad(() => model.forward(x)).data;
    const theirs = await runOrt(eg.io.exportOnnx(model), x.data as Float32Array, [3, 6]);
    // Values are O(1) after a 6- and 4-term dot product: 64 ulps of float32 bounds both engines' rounding.
    ours.forEach((v, i) => expect(Math.abs(theirs[i] - v)).toBeLessThanOrEqual(64 * U32 * (Math.abs(v) + 4)));
  });

  it("the int8 path (QuantizeLinear → MatMulInteger → int32 bias → rescale) matches edgegrad bit for bit", async () => {
    const m = 9, k = 33, n = 10;
    const w = eg.randn([n, k], { seed: 11 });
    const x = eg.randn([m, k], { seed: 12 });
    // Per-output-channel symmetric int8 weights, static uint8 input quantization.
    const q = eg.compress.quantize(w, { scheme: "symmetric", axis: 0 });
    const wq = q.values as Int8Array;
    const ws = Float32Array.from(q.scale as ArrayLike<number>);
    const xs = eg.compress.computeQuantParams(x.data as Float32Array, [m, k], { scheme: "affine", dtype: "uint8" });
    const inputScale = xs.scale[0], inputZeroPoint = xs.zeroPoint[0];
    const bias = Int32Array.from({ length: n }, (_, j) => (j * 37) % 200 - 100);
    // edgegrad: quantize the input exactly as ONNX, then the requantizing int8 GEMM.
    const xq = eg.compress.quantizeLinearArray(x.data, [m, k], inputScale, inputZeroPoint, { dtype: "uint8" }) as Uint8Array;
    const wt = new Int8Array(k * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) wt[c * n + r] = wq[r * k + c];
    const packed = eg.compress.packMatmulIntegerB(wt, k, n, 0);
    const ours = eg.compress.matmulIntegerScaled(xq, m, packed, inputZeroPoint, { scaleA: inputScale, scaleB: ws, bias });
    const layer: eg.io.OnnxLayer = { kind: "linearInt8", inFeatures: k, outFeatures: n, weight: wq, weightScale: ws, inputScale, inputZeroPoint, bias };
    const theirs = await runOrt(eg.io.exportOnnx([layer]), x.data as Float32Array, [m, k]);
    expect(Array.from(theirs)).toEqual(Array.from(ours));
  });

  it("an int8 model whose bias needed int32 headroom (enlarged weight scale) gives the same bits in onnxruntime-web", async () => {
    const lin = new eg.nn.Linear(2, 2);
    lin.weight.storage.set([0.8, -0.3, 0.001, -0.001]);
    lin.bias!.storage.set([0.1, 0.5]);
    const x = eg.tensor([[0.001, 0], [0, 0.001], [0.0005, 0.0002]]);
    const q = eg.compress.quantizeModel(new eg.nn.Sequential(lin), { calibration: x });
    const ours = q.forward(x).data as Float32Array;
    // The float layer's channel 1 is 0.5 ± 1e-6: the int8 model keeps it (it gave ∓0.07 when the bias overflowed int32).
    for (let i = 0; i < 3; i++) expect(Math.abs(ours[i * 2 + 1] - 0.5)).toBeLessThan(1e-5);
    const theirs = await runOrt(eg.io.exportOnnx(q), x.data as Float32Array, [3, 2]);
    expect(Array.from(theirs)).toEqual(Array.from(ours));
  });

  it("a bare layer exports as a one-layer model and runs in onnxruntime-web", async () => {
    const lin = new eg.nn.Linear(4, 3, { seed: 21 });
    const bytes = eg.io.exportOnnx(lin);
    expect(Array.from(bytes)).toEqual(Array.from(eg.io.exportOnnx(new eg.nn.Sequential(lin))));
    const m = 5;
    const x = eg.randn([m, 4], { seed: 22 });
    const theirs = await runOrt(bytes, x.data as Float32Array, [m, 4]);
    const { y, err } = referenceWithBound(eg.io.describeSequential(lin), Float64Array.from(x.data), m);
    expect(theirs.length).toBe(m * 3);
    theirs.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThanOrEqual(err[i] + U32 * Math.abs(y[i])));
    expect(eg.io.describeSequential(new eg.nn.Tanh())).toEqual([{ kind: "tanh" }]);
  });

  it("rejects modules it cannot map, naming the class and the index, and inconsistent feature counts", () => {
    class Custom extends eg.nn.Module { forward(t: eg.Tensor) { return t; } }
    const { Linear, ReLU, Sequential, Flatten } = eg.nn;
    const cases: [eg.nn.Module, RegExp][] = [
      [new Sequential(new Linear(2, 2), new ReLU(), new Custom()), /module Custom at index 2 has no ONNX mapping/],
      [new Custom(), /module Custom at index 0/],
      [new Sequential(new Linear(2, 2), new Sequential(new ReLU())), /module Sequential at index 1 .*flatten nested/],
      [new Sequential(new Flatten(0)), /Flatten\(0, -1\) at index 0 is not supported/],
    ];
    for (const [model, message] of cases) {
      expect(() => eg.io.exportOnnx(model, { inputFeatures: 2 })).toThrow(eg.ValueError);
      expect(() => eg.io.exportOnnx(model, { inputFeatures: 2 })).toThrow(message);
    }
    expect(() => eg.io.exportOnnx([{ kind: "linear", inFeatures: 3, outFeatures: 2, weight: new Float32Array(6), bias: null }], { inputFeatures: 4 })).toThrow(eg.ValueError);
    expect(() => eg.io.exportOnnx([{ kind: "lstm" } as unknown as eg.io.OnnxLayer], { inputFeatures: 4 })).toThrow(/layer 0 has unknown kind "lstm"/);
    expect(() => eg.io.exportOnnx(null as unknown as eg.nn.Module)).toThrow(eg.ValueError);
  });

  it("a layer list is checked field by field: a typed error naming the layer index and field, before any bytes", () => {
    type L = eg.io.OnnxLayer;
    const lin = (o: Record<string, unknown>) => ({ kind: "linear", inFeatures: 3, outFeatures: 2, weight: new Float32Array(6), bias: null, ...o }) as unknown as L;
    const int8 = (o: Record<string, unknown>) => ({ kind: "linearInt8", inFeatures: 3, outFeatures: 2, weight: new Int8Array(6),
      weightScale: Float32Array.of(0.1, 0.2), inputScale: 0.05, inputZeroPoint: 128, bias: null, ...o }) as unknown as L;
    const conv = (o: Record<string, unknown>, attrs: Record<string, unknown> = {}) => ({ kind: "conv", weight: new Float32Array(2 * 3 * 3), weightShape: [2, 1, 3, 3], bias: null,
      attrs: { kernelShape: [3, 3], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, ...attrs }, ...o }) as unknown as L;
    const cases: [L[], RegExp][] = [
      [[lin({ weight: new Float32Array(5) })], /layer 0 \(linear\): weight must be a Float32Array of length 6, got Float32Array of length 5/],
      [[lin({ bias: new Float32Array(3) })], /layer 0 \(linear\): bias must be null or a Float32Array of length 2/],
      [[lin({ weight: [1, 2, 3, 4, 5, 6] })], /layer 0 \(linear\): weight must be a Float32Array of length 6, got \[1,2,3,4,5,6\]/],
      [[lin({ outFeatures: 2.5 })], /layer 0 \(linear\): outFeatures must be an integer ≥ 1, got 2.5/],
      [[lin({}), { kind: "softmax" } as unknown as L], /layer 1 \(softmax\): axis must be an integer, got undefined/],
      [[lin({}), { kind: "leakyRelu", alpha: "x" } as unknown as L], /layer 1 \(leakyRelu\): alpha must be a finite number, got "x"/],
      [[lin({}), { kind: "elu", alpha: Infinity } as unknown as L], /layer 1 \(elu\): alpha must be a finite number, got Infinity/],
      [[lin({}), { kind: "relu", alpha: 0.1 } as unknown as L], /layer 1 \(relu\) has unknown field "alpha"/],
      [[lin({}), { kind: "softmax", axis: 2 }], /layer 1: softmax axis 2 is out of range for a rank-2 tensor/],
      [[int8({ weightScale: Float32Array.of(0.1, 0) })], /layer 0 \(linearInt8\): weightScale must be a Float32Array of length 2, every scale positive and finite/],
      [[int8({ inputZeroPoint: 256 })], /layer 0 \(linearInt8\): inputZeroPoint must be an integer in \[0, 255\]/],
      [[int8({ bias: new Float32Array(2) })], /layer 0 \(linearInt8\): bias must be null or a Int32Array of length 2/],
      [[conv({ weight: new Float32Array(17) })], /layer 0 \(conv\): weight must be a Float32Array of length 18/],
      [[conv({}, { pads: [0, 0] })], /layer 0 \(conv\): attrs must be attrs.pads 4 integers ≥ 0/],
      [[conv({}, { kernelShape: [3, 2] })], /layer 0 \(conv\): attrs must be attrs.kernelShape the weight's kernel \[3,3\]/],
      [[conv({}, { group: 4 })], /layer 0 \(conv\): weightShape \[2,1,3,3\]: 2 channels do not split into attrs.group 4 groups/],
      [[{ kind: "maxPool", kernelShape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], ceilMode: 1 } as unknown as L], /layer 0 \(maxPool\): ceilMode must be a boolean, got 1/],
      [[{ kind: "averagePool", kernelShape: [2, 2], strides: [2], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: true } as unknown as L], /layer 0 \(averagePool\): strides must be 2 integers ≥ 1/],
      [[{ kind: "batchNormalization", scale: new Float32Array(2), bias: new Float32Array(2), mean: new Float32Array(2), variance: new Float32Array(1), epsilon: 1e-5 }], /layer 0 \(batchNormalization\): variance must be a Float32Array of length 2/],
      [[null as unknown as L], /layer 0 has unknown kind undefined/],
    ];
    for (const [layers, message] of cases) {
      expect(() => eg.io.exportOnnx(layers, { inputShape: [3] })).toThrow(eg.ValueError);
      expect(() => eg.io.exportOnnx(layers, { inputShape: [3] })).toThrow(message);
    }
  });

  it("every layer describeSequential produces passes the list check: the list exports the same bytes as the model", () => {
    const { Sequential, Linear, ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax, Conv2d, ConvTranspose2d, BatchNorm2d, MaxPool2d, AvgPool2d,
      AdaptiveAvgPool2d, Flatten, Dropout } = eg.nn;
    const mlp = new Sequential(new Linear(4, 5), new LeakyReLU(0.1), new Linear(5, 5), new ELU(), new GELU(), new Sigmoid(), new Tanh(), new Dropout(), new Softmax(1), new LogSoftmax(-1));
    const cnn = new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new ConvTranspose2d(4, 4, 2, { stride: 2, groups: 2 }),
      new BatchNorm2d(4), new MaxPool2d(2, { ceilMode: true }), new AvgPool2d(3, { padding: 1, countIncludePad: false }), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 3));
    cnn.eval();
    const q = eg.compress.quantizeModel(new Sequential(new Conv2d(2, 3, 3), new ReLU(), new Flatten(), new Linear(12, 2)), { calibration: eg.randn([4, 2, 4, 4], { seed: 1 }) });
    const models: [eg.nn.Module, eg.io.OnnxExportOptions][] = [[mlp, {}], [cnn, { inputShape: [2, 6, 6] }], [q, { inputShape: [2, 4, 4] }]];
    for (const [model, o] of models) {
      const layers = eg.io.describeSequential(model);
      expect(Array.from(eg.io.exportOnnx(layers, o))).toEqual(Array.from(eg.io.exportOnnx(model, o)));
    }
  });

  it("refuses unknown and malformed options", () => {
    const lin = new eg.nn.Linear(4, 3);
    expect(() => eg.io.exportOnnx(lin, { batchSize: 4 } as never)).toThrow(/unknown option "batchSize"/);
    for (const o of [{ batch: 0 }, { batch: 2.5 }, { batch: "" }, { inputFeatures: -1 }, { inputName: "" }, { producer: 3 as unknown as string }]) {
      expect(() => eg.io.exportOnnx(lin, o)).toThrow(eg.ValueError);
    }
  });
});
