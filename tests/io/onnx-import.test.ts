// eg.io.importOnnx on models edgegrad exports: the imported MLP and CNN give the model's outputs
// within the bound a float64 reference (written here and in tests/support/cnn-reference.ts)
// derives from the network, as onnxruntime-web does on the same bytes; the int8 models give the
// same bits as edgegrad's integer path and onnxruntime; an imported MLP fine-tunes (its gradients
// are the original model's, an SGD step lowers the loss); initializer names map to stateDict keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { quantizeModel } from "../../src/compress/index.js";
import { batchNorm, bounded, conv, expectWithin, flatten, linear, pool, relu, type Bounded } from "../support/cnn-reference.js";
import { FLOAT, graphModel, node, ortRun } from "../support/onnx-graph.js";
import { U32 } from "../support/tolerance.js";

const nn = eg.nn;
type Act = "relu" | "tanh" | "sigmoid" | "leakyRelu" | "elu";
const ACTS: Record<Act, { make: () => eg.nn.Module; f: (v: number) => number }> = {
  relu: { make: () => new nn.ReLU(), f: (v) => Math.max(v, 0) },
  tanh: { make: () => new nn.Tanh(), f: Math.tanh },
  sigmoid: { make: () => new nn.Sigmoid(), f: (v) => 1 / (1 + Math.exp(-v)) },
  // Slopes a float32 attribute holds exactly: the file then carries the model's own constant.
  leakyRelu: { make: () => new nn.LeakyReLU(0.25), f: (v) => (v < 0 ? 0.25 * v : v) },
  elu: { make: () => new nn.ELU(0.75), f: (v) => (v < 0 ? 0.75 * Math.expm1(v) : v) },
};

/** The float64 MLP with its bound: Linear as cnn-reference's; a 1-Lipschitz activation adds its own few-ulp evaluation error. */
function mlpReference(layers: eg.io.OnnxLayer[], acts: Act[], x: eg.Tensor): Bounded {
  let h = bounded(x.shape, x.data), a = 0;
  for (const l of layers) {
    if (l.kind === "linear") h = linear(h, l.weight, l.bias, l.outFeatures);
    else if (l.kind !== "identity") {
      const f = ACTS[acts[a++]].f, y = h.y.map(f);
      h = { shape: h.shape, y, err: h.err.map((e, i) => e + 64 * U32 * Math.abs(y[i]) + 2 ** -30) };
    }
  }
  return h;
}

const mlpArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 4 }),
  acts: fc.array(fc.constantFrom<Act>("relu", "tanh", "sigmoid", "leakyRelu", "elu"), { minLength: 3, maxLength: 3 }),
  batch: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 1, max: 1e6 }),
});

function makeMlp(sizes: number[], acts: Act[], seed: number): eg.nn.Sequential {
  const layers: eg.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1], { seed: seed + i }));
    if (i + 2 < sizes.length) layers.push(ACTS[acts[i]].make());
  }
  return new nn.Sequential(...layers);
}

describe("importOnnx round trips of exported models", () => {
  it("a drawn MLP: the imported model computes the original's outputs (the same ops), within the float64 reference's bound, as onnxruntime-web does", async () => {
    await fc.assert(fc.asyncProperty(mlpArb, async ({ sizes, acts, batch, seed }) => {
      const model = makeMlp(sizes, acts, seed), bytes = eg.io.exportOnnx(model);
      const imported = eg.io.importOnnx(bytes);
      const x = eg.randn([batch, sizes[0]], { seed: seed + 99 });
      const ref = mlpReference(eg.io.describeSequential(model), acts, x);
      const mine = eg.noGrad(() => imported.forward(x) as eg.Tensor);
      expect(mine.shape).toEqual([batch, sizes[sizes.length - 1]]);
      expectWithin("imported", mine.data, ref);
      expect(Array.from(mine.data)).toEqual(Array.from(eg.noGrad(() => model.forward(x)).data));
      expectWithin("onnxruntime", (await ortRun(bytes, { input: x })).output.data, ref);
    }), { numRuns: 25 });
  });

  it("a CNN (Conv with BatchNorm folded and not, ReLU, max/avg pool, flatten, Linear): within the reference's bound, as the model and onnxruntime-web", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 8, max: 13 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1e6 }), async (size, batch, seed) => {
      const { Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear } = nn;
      const bn1 = new BatchNorm2d(4), bn2 = new BatchNorm2d(5);
      for (const bn of [bn1, bn2]) for (const t of [bn.runningMean!, bn.runningVar!, bn.weight!, bn.bias!]) t.storage.forEach((_, i, a) => { a[i] = 0.6 + 0.3 * Math.sin(seed + 3 * i + a.length); });
      const side = Math.floor(Math.floor(size / 2) / 2);
      const model = new Sequential(new Conv2d(2, 4, 3, { padding: 1, seed }), bn1, new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 5, 3, { padding: 1, seed: seed + 1 }), new ReLU(), bn2, new AvgPool2d(2), new Flatten(), new Linear(5 * side * side, 3, { seed: seed + 2 })).eval();
      const bytes = eg.io.exportOnnx(model, { inputShape: [2, size, size] });
      const x = eg.randn([batch, 2, size, size], { seed: seed + 3 });
      let h = bounded(x.shape, x.data);
      for (const l of eg.io.describeSequential(model)) {
        if (l.kind === "conv") h = conv(h, { weight: l.weight, weightShape: l.weightShape, bias: l.bias, stride: l.attrs.strides, dilation: l.attrs.dilations, padBegin: l.attrs.pads.slice(0, 2), padEnd: l.attrs.pads.slice(2), groups: l.attrs.group });
        else if (l.kind === "relu") h = relu(h);
        else if (l.kind === "maxPool") h = pool(h, "max", { kernel: l.kernelShape, stride: l.strides, padding: [0, 0] });
        else if (l.kind === "averagePool") h = pool(h, "avg", { kernel: l.kernelShape, stride: l.strides, padding: [0, 0] });
        else if (l.kind === "batchNormalization") h = batchNorm(h, l.mean, l.variance, l.scale, l.bias, l.epsilon);
        else if (l.kind === "flatten") h = flatten(h);
        else if (l.kind === "linear") h = linear(h, l.weight, l.bias, l.outFeatures);
      }
      const imported = eg.io.importOnnx(bytes);
      expectWithin("imported", eg.noGrad(() => imported.forward(x) as eg.Tensor).data, h);
      expectWithin("edgegrad", eg.noGrad(() => model.forward(x)).data, h);
      expectWithin("onnxruntime", (await ortRun(bytes, { input: x })).output.data, h);
    }), { numRuns: 6 });
  });

  it("int8 models (quantizeModel: Linear and Conv) give edgegrad's integer path bit for bit, as onnxruntime-web does", async () => {
    const { Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear } = nn;
    const mlp = new Sequential(new Linear(12, 9, { seed: 1 }), new ReLU(), new Linear(9, 4, { seed: 2 }));
    const cnn = new Sequential(new Conv2d(2, 4, 3, { padding: 1, seed: 3 }), new ReLU(), new MaxPool2d(2), new Conv2d(4, 3, 3, { seed: 4 }), new Flatten(), new Linear(12, 5, { seed: 5 })).eval();
    const cases = [
      { q: quantizeModel(mlp, { calibration: eg.randn([32, 12], { seed: 6 }) }), x: eg.randn([7, 12], { seed: 7 }), o: {} },
      { q: quantizeModel(cnn, { calibration: eg.randn([16, 2, 8, 8], { seed: 8 }) }), x: eg.randn([3, 2, 8, 8], { seed: 9 }), o: { inputShape: [2, 8, 8] } },
    ];
    for (const { q, x, o } of cases) {
      const bytes = eg.io.exportOnnx(q, o);
      const mine = eg.io.importOnnx(bytes).forward(x) as eg.Tensor;
      expect(Array.from(mine.data)).toEqual(Array.from(q.forward(x).data));
      expect(Array.from((await ortRun(bytes, { input: x })).output.data)).toEqual(Array.from(mine.data));
    }
  });
});

describe("fine-tuning an imported model", () => {
  it("an imported MLP has the original's parameters by name, the same gradients, and SGD steps change them and lower the loss", () => {
    fc.assert(fc.property(mlpArb, ({ sizes, acts, batch, seed }) => {
      const model = makeMlp(sizes, acts, seed), imported = eg.io.importOnnx(eg.io.exportOnnx(model));
      expect(Object.keys(imported.stateDict())).toEqual(Object.keys(model.stateDict()));
      expect(imported.namedParameters().map(([k]) => k)).toEqual(model.namedParameters().map(([k]) => k));
      const x = eg.randn([batch + 3, sizes[0]], { seed: seed + 1 }), target = eg.randn([batch + 3, sizes[sizes.length - 1]], { seed: seed + 2 });
      const loss = (m: eg.nn.Module) => nn.mseLoss(m.forward(x) as eg.Tensor, target);
      for (const m of [model, imported]) { m.zeroGrad(); loss(m).backward(); }
      const theirs = Object.fromEntries(model.namedParameters());
      for (const [k, p] of imported.namedParameters()) expect(Array.from(p.grad!.data), k).toEqual(Array.from(theirs[k].grad!.data));
      const before = eg.noGrad(() => loss(imported).item()), start = imported.parameters().map((p) => Float32Array.from(p.data));
      const opt = new eg.optim.SGD(imported.parameters(), { lr: 0.01 });
      for (let step = 0; step < 3; step++) { opt.zeroGrad(); loss(imported).backward(); opt.step(); }
      expect(imported.parameters().some((p, i) => p.data.some((v, j) => v !== start[i][j]))).toBe(true);
      // A small step along −∇L lowers L unless the gradient vanishes (then nothing moves).
      if (before > 1e-6) expect(eg.noGrad(() => loss(imported).item())).toBeLessThan(before);
    }), { numRuns: 30 });
  });

  it("stateDict and loadStateDict: the original model's state loads into the imported one by the same keys, and it then computes as the original", () => {
    const model = makeMlp([5, 6, 3], ["tanh", "relu", "relu"], 11), imported = eg.io.importOnnx(eg.io.exportOnnx(model));
    for (const p of model.parameters()) p.storage.forEach((_, i, a) => { a[i] += 0.25; });
    const result = imported.loadStateDict(model.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = eg.randn([4, 5], { seed: 12 });
    expect(Array.from((imported.forward(x) as eg.Tensor).data)).toEqual(Array.from(model.forward(x).data));
    const back = eg.io.loadSafetensors(eg.io.saveSafetensors(imported.stateDict()));
    expect(Object.keys(back).sort()).toEqual(Object.keys(model.stateDict()).sort());
  });

  it("an averaged model (SWA's deep copy) of an imported one computes as it, and averages its parameters", () => {
    const model = makeMlp([4, 5, 2], ["relu", "relu", "relu"], 21), imported = eg.io.importOnnx(eg.io.exportOnnx(model));
    const averaged = new eg.optim.swa.AveragedModel(imported), x = eg.randn([3, 4], { seed: 22 });
    expect(Array.from((averaged.forward(x) as eg.Tensor).data)).toEqual(Array.from((imported.forward(x) as eg.Tensor).data));
    const before = imported.parameters().map((p) => Float64Array.from(p.data));
    averaged.updateParameters(imported);
    for (const p of imported.parameters()) p.storage.forEach((_, i, a) => { a[i] += 1; });
    averaged.updateParameters(imported);
    // The first update takes the parameters w, the second averages in w + 1: w + ½, one float32 rounding or two away.
    averaged.module.parameters().forEach((p, k) => p.data.forEach((v, i) => expect(Math.abs(v - (before[k][i] + 0.5))).toBeLessThanOrEqual(4 * 2 ** -24 * (Math.abs(before[k][i]) + 1))));
  });
});

describe("initializer names and kinds", () => {
  const scalar = (name: string) => ({ name, type: FLOAT, dims: [] as number[], data: Float32Array.of(2) });
  const vector = (name: string, v = 1) => ({ name, type: FLOAT, dims: [2], data: Float32Array.of(v, v + 1) });

  it("a dotted name is a path of child modules; names that cannot be one take \"_\" for \".\" and a suffix while taken", () => {
    const inits = [vector("fc.weight"), vector("fc"), vector("a..b"), vector("training"), vector("forward"), vector("fc_1"), vector("conv.0.w")];
    const names = inits.map((i) => i.name);
    const nodes = names.map((n, k) => node("Add", [k === 0 ? "x" : `s${k - 1}`, n], [k === names.length - 1 ? "y" : `s${k}`], `add${k}`));
    const bytes = graphModel({ nodes, inits, inputs: [{ name: "x", type: FLOAT, dims: [2] }], outputs: [{ name: "y", type: FLOAT }] });
    const m = eg.io.importOnnx(bytes);
    expect(m.stateKeys).toEqual({ "fc.weight": "fc.weight", fc: "fc_1", "a..b": "a__b", training: "training_1", forward: "forward_1", fc_1: "fc_1_1", "conv.0.w": "conv.0.w" });
    expect(Object.keys(m.stateDict()).sort()).toEqual(Object.values(m.stateKeys).sort());
    expect(m.training).toBe(true);
    // Σ of the seven vectors (1, 2) added to x.
    expect(Array.from((m.forward(eg.tensor([0.5, -1])) as eg.Tensor).data)).toEqual([7.5, 13]);
  });

  it("float tensors are Parameters; scalars, BatchNorm statistics and integer tensors are buffers; trainable: false makes every one a buffer", () => {
    const ints = { name: "shape", type: 7, dims: [2], data: BigInt64Array.of(-1n, 2n) };
    const inits = [vector("w"), scalar("eps"), vector("mean", 0), vector("var", 1), vector("gamma"), vector("beta"), ints];
    const nodes = [node("Mul", ["x", "w"], ["a"], "mul"), node("Add", ["a", "eps"], ["b"], "add"), node("Reshape", ["b", "shape"], ["c"], "reshape"),
      node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", [])];
    const bytes = graphModel({ nodes, inits, inputs: [{ name: "x", type: FLOAT, dims: [2] }], outputs: [{ name: "y", type: FLOAT }] });
    const m = eg.io.importOnnx(bytes);
    expect(m.namedParameters().map(([k]) => k)).toEqual(["w", "gamma", "beta"]);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(["eps", "mean", "var", "shape"]);
    const frozen = eg.io.importOnnx(bytes, { trainable: false });
    expect(frozen.parameters()).toEqual([]);
    expect(frozen.namedBuffers().length).toBe(7);
    expect(() => eg.io.importOnnx(bytes, { trainable: 1 as unknown as boolean })).toThrow(/trainable must be true or false/);
    expect(() => eg.io.importOnnx(bytes, { train: true } as eg.io.ImportOnnxOptions)).toThrow(/unknown option "train"/);
  });
});
