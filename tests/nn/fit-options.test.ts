// fit() options whose values were taken by truthiness or coercion, and predict() on zero rows.
import { describe, expect, it } from "vitest";
import { nn, optim, randn, Rng, Tensor, ShapeError, ValueError, zeros } from "../../src/index.js";

function data(n: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(1);
  const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (x[2 * i] > 0 ? 1 : 0));
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]) };
}
const net = () => new nn.Sequential(new nn.Linear(2, 4, { seed: 1 }), new nn.ReLU(), new nn.Linear(4, 2, { seed: 2 }));
const weights = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));

describe("fit refuses option values of the wrong type, before any update", () => {
  it("shuffle, validationSplit and validationData", async () => {
    const { x, y } = data(20);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ shuffle: "no" }, /fit: shuffle must be true or false, got no/],
      [{ shuffle: 0 }, /fit: shuffle must be true or false, got 0/],
      [{ validationSplit: "0.2" }, /fit: validationSplit must be a number in \[0, 1\), got "0.2"/],
      [{ validationSplit: 1 }, /fit: validationSplit must be a number in \[0, 1\), got 1/],
      [{ validationData: null }, /fit: validationData must be \[x, y\]/],
      [{ validationData: [x, y], validationSplit: 0.2 }, /fit: validationData and validationSplit both choose the validation rows/],
    ];
    for (const [extra, message] of cases) {
      const m = net();
      const before = weights(m);
      const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
      await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 1, ...extra } as never), JSON.stringify(Object.keys(extra))).rejects.toThrow(message);
      expect(weights(m)).toEqual(before);
    }
  });

  it("shuffle: false keeps the order (two runs from different seeds are identical); validationSplit 0 validates nothing", async () => {
    const { x, y } = data(20);
    const run = async (seed: number) => {
      const m = net();
      const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 2, batchSize: 4, shuffle: false, seed, validationSplit: 0 });
      return { w: weights(m), keys: Object.keys(h.history) };
    };
    const a = await run(1), b = await run(2);
    expect(a.w).toEqual(b.w);
    expect(a.keys.sort()).toEqual(["loss", "lr"]);
  });
});

describe("predict on zero rows", () => {
  it("returns [0, outputs] (Keras's shape for an empty input), for an MLP and a CNN", () => {
    const mlp = new nn.Sequential(new nn.Linear(64, 10, { seed: 1 }), new nn.ReLU(), new nn.Linear(10, 3, { seed: 2 }));
    const p = nn.predict(mlp, zeros([0, 64]));
    expect(p.shape).toEqual([0, 3]);
    expect(p.dtype).toBe("float32");
    const cnn = new nn.Sequential(new nn.Conv2d(1, 2, 3, { seed: 1 }), new nn.Flatten(), new nn.Linear(2 * 6 * 6, 4, { seed: 2 }));
    expect(nn.predict(cnn, zeros([0, 1, 8, 8])).shape).toEqual([0, 4]);
    // The model still checks the feature count of an empty batch.
    expect(() => nn.predict(mlp, zeros([0, 5]))).toThrow(ShapeError);
    // A non-empty input still gives one row per sample.
    expect(nn.predict(mlp, randn([3, 64], { seed: 1 })).shape).toEqual([3, 3]);
  });

  it("a model leaves no mode changed after an empty predict", () => {
    const mlp = new nn.Sequential(new nn.Linear(4, 2, { seed: 1 }), new nn.Dropout(0.5));
    mlp.train();
    nn.predict(mlp, zeros([0, 4]));
    expect(mlp.training).toBe(true);
    expect(() => nn.predict(mlp, zeros([0, 4]), { batchSize: 0 })).toThrow(ValueError);
  });
});
