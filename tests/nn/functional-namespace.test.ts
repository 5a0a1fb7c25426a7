// eg.nn.functional: torch.nn.functional's names (camelCased) are all there and compute what the
// flat exports and modules compute; fit/evaluate accept the new elementwise losses by name.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { nn, randn, tensor, Rng, Tensor } from "../../src/index.js";

const F = nn.functional;
const same = (a: Tensor, b: Tensor) => expect(Array.from(a.data)).toEqual(Array.from(b.data));

describe("eg.nn.functional", () => {
  it("has F's name for every activation, dropout, linear and loss", () => {
    const names = [
      "relu", "leakyRelu", "elu", "gelu", "sigmoid", "tanh", "softmax", "logSoftmax", "dropout", "linear",
      "softplus", "silu", "mish", "selu", "celu", "logsigmoid", "logSigmoid", "hardtanh", "hardswish", "hardsigmoid", "softsign",
      "mseLoss", "l1Loss", "huberLoss", "smoothL1Loss", "binaryCrossEntropy", "binaryCrossEntropyWithLogits", "bceWithLogits",
      "crossEntropy", "nllLoss", "klDiv", "klDivLoss", "poissonNllLoss", "gaussianNllLoss", "cosineEmbeddingLoss",
      "marginRankingLoss", "hingeEmbeddingLoss", "tripletMarginLoss", "multilabelSoftMarginLoss", "multiLabelSoftMarginLoss",
      "ctcLoss",
      "conv1d", "conv2d", "convTranspose2d",
      "convTranspose1d", "adaptiveAvgPool1d", "adaptiveMaxPool1d", "lpPool1d", "lpPool2d",
      "maxPool1d", "maxPool2d", "avgPool1d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveMaxPool2d",
      "conv3d", "convTranspose3d", "maxPool3d", "avgPool3d", "adaptiveAvgPool3d", "adaptiveMaxPool3d",
      "batchNorm", "layerNorm", "groupNorm", "dropout2d", "interpolate",
      "affineGrid", "gridSample", "rrelu", "dropout3d", "maxUnpool3d", "tripletMarginWithDistanceLoss",
      "fractionalMaxPool2d", "fractionalMaxPool3d",
    ];
    for (const n of names) expect(typeof (F as Record<string, unknown>)[n], n).toBe("function");
    expect(eg.nn.functional).toBe(F);
  });

  it("activations agree with the modules and the tensor methods", () => {
    const x = randn([3, 4], { seed: 1 }).mul(3);
    same(F.relu(x), new nn.ReLU().forward(x));
    same(F.sigmoid(x), x.sigmoid());
    same(F.tanh(x), x.tanh());
    same(F.softmax(x, 0), new nn.Softmax(0).forward(x));
    same(F.logSoftmax(x), new nn.LogSoftmax(-1).forward(x));
    same(F.leakyRelu(x, 0.2), new nn.LeakyReLU(0.2).forward(x));
    same(F.elu(x, 0.5), new nn.ELU(0.5).forward(x));
    same(F.gelu(x, { approximate: "tanh" }), new nn.GELU({ approximate: "tanh" }).forward(x));
    same(F.logsigmoid(x), new nn.LogSigmoid().forward(x));
    same(F.hardtanh(x, { maxVal: 2 }), new nn.Hardtanh({ maxVal: 2 }).forward(x));
  });

  it("linear is x·Wᵀ + b (checked against a float64 loop)", () => {
    const x = randn([2, 3], { seed: 2, dtype: "float64" }), w = randn([4, 3], { seed: 3, dtype: "float64" });
    const b = randn([4], { seed: 4, dtype: "float64" });
    const y = F.linear(x, w, b).data;
    const xd = x.data, wd = w.data, bd = b.data;
    for (let i = 0; i < 2; i++) for (let o = 0; o < 4; o++) {
      let s = bd[o], mag = Math.abs(bd[o]);
      for (let k = 0; k < 3; k++) { s += xd[i * 3 + k] * wd[o * 3 + k]; mag += Math.abs(xd[i * 3 + k] * wd[o * 3 + k]); }
      expect(Math.abs(y[i * 4 + o] - s)).toBeLessThanOrEqual(8 * 2 ** -53 * mag);
    }
    expect(F.linear(x, w).shape).toEqual([2, 4]);
  });

  it("dropout: identity when training is false, the seeded mask otherwise, options checked", () => {
    const x = randn([50], { seed: 5 });
    expect(F.dropout(x, 0.3, { training: false })).toBe(x);
    same(F.dropout(x, 0.3, { seed: 7 }), nn.dropout(x, 0.3, new Rng(7)));
    same(F.dropout(x, undefined, { seed: 7 }), nn.dropout(x, 0.5, new Rng(7)));
    expect(() => F.dropout(x, 0.3, { inplace: true } as never)).toThrow(/unknown option "inplace"/);
    same(F.dropout(x, 1), x.mul(0)); // PyTorch's p = 1: input * 0
    expect(() => F.dropout(x, 1.01)).toThrow(eg.ValueError);
  });
});

describe("fit/evaluate by loss name", () => {
  const model = new nn.Sequential(new nn.Linear(3, 2, { seed: 1 }));
  const x = randn([10, 3], { seed: 2 });
  const cases: [string, (o: Tensor, y: Tensor) => Tensor, Tensor][] = [
    ["smoothL1Loss", (o, y) => nn.smoothL1Loss(o, y), randn([10, 2], { seed: 3 })],
    ["poissonNllLoss", (o, y) => nn.poissonNllLoss(o, y), tensor(Array.from({ length: 20 }, (_, i) => i % 4)).reshape([10, 2])],
    ["klDivLoss", (o, y) => nn.klDivLoss(o, y), randn([10, 2], { seed: 4 }).abs()],
    ["hingeEmbeddingLoss", (o, y) => nn.hingeEmbeddingLoss(o, y), tensor(Array.from({ length: 20 }, (_, i) => (i % 3 ? 1 : -1))).reshape([10, 2])],
  ];
  for (const [name, fn, y] of cases) {
    it(`evaluate({ loss: "${name}" }) equals the loss of the predictions`, () => {
      const got = nn.evaluate(model, x, y, { loss: name, metrics: [], batchSize: 3 }).loss!;
      const want = eg.noGrad(() => fn(model.forward(x), y)).item();
      // float32 per-element losses summed per batch and across batches in another order: ~n + batch roundings.
      expect(Math.abs(got - want)).toBeLessThanOrEqual(64 * 2 ** -24 * 20 * Math.max(1, Math.abs(want)));
    });
  }
});

describe("eg.nn.functional.embedding", () => {
  it("is F.embedding and agrees with the Embedding module", () => {
    const layer = new nn.Embedding(5, 3, { seed: 1 });
    const idx = new Tensor(Int32Array.from([4, 0, 4]), "int32", [3]);
    expect(typeof F.embedding).toBe("function");
    same(F.embedding(idx, layer.weight), layer.forward(idx));
  });
});
