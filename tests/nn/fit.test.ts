// fit/evaluate/predict on small seeded problems: learning, history, validation, callbacks,
// stop conditions and typed errors for bad input.
import { describe, expect, it } from "vitest";
import { nn, optim, randn, tensor, Rng, Tensor, ShapeError, ValueError } from "../../src/index.js";

/** Two Gaussian blobs per class in 2-D, 3 classes. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const centers = [[2, 0], [-1, 2], [-1, -2]];
  const x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    x[2 * i] = centers[c][0] + 0.5 * rng.normal();
    x[2 * i + 1] = centers[c][1] + 0.5 * rng.normal();
  }
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]) };
}
const net = (seed = 1) => new nn.Sequential(new nn.Linear(2, 16, { seed, init: "he_uniform" }), new nn.ReLU(), new nn.Linear(16, 3, { seed: seed + 1 }));

describe("fit", () => {
  it("learns a 3-class problem, logs Keras-named history, and is reproducible by seed", async () => {
    const { x, y } = blobs(300, 1);
    const run = async () => {
      const m = net();
      const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.Adam(m.parameters(), { lr: 0.01 }), epochs: 15, batchSize: 16, seed: 3, metrics: ["accuracy"], validationSplit: 0.2 });
      return { m, h };
    };
    const { m, h } = await run();
    expect(Object.keys(h.history).sort()).toEqual(["accuracy", "loss", "lr", "val_accuracy", "val_loss"]);
    expect(h.epoch).toEqual([...Array(15).keys()]);
    expect(h.history.val_accuracy[14]).toBeGreaterThan(0.95);
    expect(h.history.loss[14]).toBeLessThan(h.history.loss[0]);
    const again = await run();
    expect(again.h.history.loss).toEqual(h.history.loss);
    const ev = nn.evaluate(m, x, y, { loss: "crossEntropy", metrics: ["accuracy"] });
    expect(ev.accuracy).toBeGreaterThan(0.95);
    const p = nn.predict(m, x, { batchSize: 64 });
    expect(p.shape).toEqual([300, 3]);
    expect(p.requiresGrad).toBe(false);
  });

  it("adds regularization penalties to the loss (an L2-regularized fit ends with smaller weights)", async () => {
    const { x, y } = blobs(150, 2);
    const norms: number[] = [];
    for (const c of [0, 0.05]) {
      const m = new nn.Sequential(new nn.Linear(2, 16, { seed: 1, kernelRegularizer: nn.regularizers.l2(c) }), new nn.ReLU(), new nn.Linear(16, 3, { seed: 2 }));
      await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 }), epochs: 10, seed: 1 });
      norms.push(Array.from((m.at(0) as nn.Linear).weight.data).reduce((a, v) => a + v * v, 0));
    }
    expect(norms[1]).toBeLessThan(norms[0]);
  });

  it("earlyStopping stops after `patience` epochs without improvement and restores the best weights", async () => {
    const { x, y } = blobs(90, 3);
    const m = net();
    const seen: number[] = [];
    const h = await nn.fit(m, x, y, {
      loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), epochs: 50, seed: 1, validationData: [x, y],
      callbacks: [nn.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true }), nn.callbacks.onEpochEnd((e) => { seen.push(e); })],
    });
    // lr 0: val_loss never improves after epoch 0, so training stops at epoch 2.
    expect(seen).toEqual([0, 1, 2]);
    expect(h.stopReason).toMatch(/earlyStopping/);
  });

  it("terminateOnNaN stops before the update; without it a NaN loss throws and the weights stay finite", async () => {
    const { x } = blobs(60, 4);
    const y = randn([60, 3], { seed: 1 });
    const make = () => { const m = net(); return { m, opt: new optim.SGD(m.parameters(), { lr: 1e6 }) }; };
    const a = make();
    const h = await nn.fit(a.m, x, y, { loss: "mseLoss", optimizer: a.opt, epochs: 20, seed: 1, callbacks: [nn.callbacks.terminateOnNaN()] }).catch((e) => e);
    expect(h).not.toBeInstanceOf(Error);
    expect(h.stopReason).toMatch(/terminateOnNaN/);
    expect(a.m.parameters().every((p) => Array.from(p.data).every(Number.isFinite))).toBe(true);
    const b = make();
    await expect(nn.fit(b.m, x, y, { loss: "mseLoss", optimizer: b.opt, epochs: 20, seed: 1 })).rejects.toThrow(ValueError);
    expect(b.m.parameters().every((p) => Array.from(p.data).every(Number.isFinite))).toBe(true);
  });

  it("bad input gives typed errors before any update", async () => {
    const { x, y } = blobs(30, 5);
    const m = net();
    const before = m.parameters().map((p) => Array.from(p.data));
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const o = { loss: "crossEntropy", optimizer: opt, epochs: 1 } as const;
    await expect(nn.fit(m, x, tensor(Array.from(y.data, (v) => (v === 2 ? 3 : v)), { dtype: "int32" }), o)).rejects.toThrow(/label 3 of sample 2 is not a class index in \[0, 3\)/);
    await expect(nn.fit(m, randn([30, 5]), y, o)).rejects.toThrow(ShapeError);
    await expect(nn.fit(m, x, tensor([0, 1]), o)).rejects.toThrow(/30 samples but y has 2/);
    const xn = x.clone(); xn.storage[7] = NaN;
    await expect(nn.fit(m, xn, y, o)).rejects.toThrow(/NaN at sample 3/);
    await expect(nn.fit(m, x, y, { ...o, loss: "nope" })).rejects.toThrow(ValueError);
    await expect(nn.fit(m, x, y, { ...o, metrics: ["f2"] })).rejects.toThrow(ValueError);
    await expect(nn.fit(m, x, randn([30, 2]), { ...o, loss: "mseLoss" })).rejects.toThrow(/3 outputs per sample but y has 2/);
    m.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(before[i]));
  });

  it("stopOnLossChange and timeBudget end training early with a reason", async () => {
    const { x, y } = blobs(60, 6);
    const m = net();
    const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), epochs: 30,
      callbacks: [nn.callbacks.stopOnLossChange({ minDelta: 1e-6, patience: 2 })] });
    expect(h.epoch.length).toBe(3);
    expect(h.stopReason).toMatch(/stopOnLossChange/);
    const h2 = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "adam", epochs: 1000000, batchSize: 4, callbacks: [nn.callbacks.timeBudget({ seconds: 0.05 })] });
    expect(h2.stopReason).toMatch(/timeBudget/);
  });

  it("reduceLROnPlateau and lrScheduler callbacks change the optimizer's lr between epochs", async () => {
    const { x, y } = blobs(30, 7);
    const m = net();
    const opt = new optim.SGD(m.parameters(), { lr: 0 });
    const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 4, callbacks: [nn.callbacks.reduceLROnPlateau({ patience: 0, factor: 0.5 })] });
    expect(h.history.lr).toEqual([0, 0, 0, 0]);
    const opt2 = new optim.SGD(m.parameters(), { lr: 1e-3 });
    const h2 = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt2, epochs: 3, callbacks: [nn.callbacks.lrScheduler(new optim.lr.StepLR(opt2, { stepSize: 1, gamma: 0.5 }))] });
    expect(h2.history.lr).toEqual([1e-3, 5e-4, 2.5e-4]);
  });

  it("progressBar prints one line per epoch when the stream is not a TTY", async () => {
    const { x, y } = blobs(30, 8);
    const m = net();
    const lines: string[] = [];
    await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", epochs: 3, metrics: ["accuracy"],
      callbacks: [nn.callbacks.progressBar({ stream: { isTTY: false, write: (s: string) => lines.push(s) } })] });
    expect(lines.length).toBe(3);
    expect(lines[2]).toMatch(/^Epoch 3\/3 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ - lr: /);
    const tty: string[] = [];
    await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", epochs: 1, callbacks: [nn.callbacks.progressBar({ stream: { isTTY: true, write: (s: string) => tty.push(s) } })] });
    expect(tty.some((s) => s.startsWith("\r") && s.includes("["))).toBe(true);
  });

  it("binary classification with a single logit: bceWithLogits and accuracy thresholded at 0", async () => {
    const rng = new Rng(9);
    const n = 200, xs = new Float32Array(n * 2), ys = new Float32Array(n);
    for (let i = 0; i < n; i++) { xs[2 * i] = rng.normal(); xs[2 * i + 1] = rng.normal(); ys[i] = xs[2 * i] + xs[2 * i + 1] > 0 ? 1 : 0; }
    const m = new nn.Sequential(new nn.Linear(2, 1, { seed: 1 }));
    const h = await nn.fit(m, new Tensor(xs, "float32", [n, 2]), new Tensor(ys, "float32", [n]),
      { loss: "bceWithLogits", optimizer: new optim.Adam(m.parameters(), { lr: 0.05 }), epochs: 20, seed: 1, metrics: ["accuracy"] });
    expect(h.history.accuracy[19]).toBeGreaterThan(0.95);
  });
});
