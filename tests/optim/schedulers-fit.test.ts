// Per-batch schedules driven by fit: OneCycleLR stepped after every batch's update ends where
// PyTorch's loop (optimizer.step(); scheduler.step() per batch) ends.
import { describe, expect, it } from "vitest";
import { nn, optim, Rng, Tensor, ValueError } from "../../src/index.js";

function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 3; x[2 * i] = y[i] + 0.3 * rng.normal(); x[2 * i + 1] = -y[i] + 0.3 * rng.normal(); }
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]) };
}

/** PyTorch's OneCycleLR (cos, two phases, defaults) at step t of N, for lr and momentum. */
function oneCycle(t: number, N: number, maxLr: number): { lr: number; m: number } {
  const anneal = (a: number, b: number, p: number) => b + ((a - b) / 2) * (1 + Math.cos(Math.PI * p));
  const init = maxLr / 25, min = init / 1e4, e1 = 0.3 * N - 1;
  if (t <= e1) return { lr: anneal(init, maxLr, t / e1), m: anneal(0.95, 0.85, t / e1) };
  const p = (t - e1) / (N - 1 - e1);
  return { lr: anneal(maxLr, min, p), m: anneal(0.85, 0.95, p) };
}

describe("LR schedules from fit", () => {
  it("OneCycleLR stepped per batch over epochs × batches ends at PyTorch's final lr and momentum", async () => {
    const { x, y } = data(50, 1);
    const model = new nn.Linear(2, 3, { seed: 2 });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const epochs = 4, batchSize = 8, steps = Math.ceil(50 / batchSize);
    const s = new optim.lr.OneCycleLR(opt, { maxLr: 0.05, epochs, stepsPerEpoch: steps });
    const h = await nn.fit(model, x, y, { loss: "crossEntropy", optimizer: opt, epochs, batchSize, seed: 1,
      callbacks: [nn.callbacks.lrScheduler(s, { interval: "batch" })] });
    const N = epochs * steps;
    expect(s.lastEpoch).toBe(N);
    const end = oneCycle(N, N, 0.05);
    expect(Math.abs(opt.lr - end.lr)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(opt.paramGroups[0].momentum - end.m)).toBeLessThanOrEqual(1e-15);
    // The lr logged at each epoch's end is the one after that epoch's last batch.
    h.history.lr.forEach((lr, e) => expect(Math.abs(lr - oneCycle((e + 1) * steps, N, 0.05).lr)).toBeLessThanOrEqual(1e-15));
  });

  it("interval defaults to \"epoch\"; unknown options and intervals are ValueErrors", async () => {
    const { x, y } = data(20, 3);
    const model = new nn.Linear(2, 3, { seed: 4 });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const s = new optim.lr.ExponentialLR(opt, { gamma: 0.5 });
    const h = await nn.fit(model, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 3, batchSize: 4, callbacks: [nn.callbacks.lrScheduler(s)] });
    // Logged: the lr each epoch trained with; the step at its end sets the next one.
    expect(h.history.lr).toEqual([0.1, 0.05, 0.025]);
    expect(opt.lr).toBe(0.0125);
    expect(() => nn.callbacks.lrScheduler(s, { interval: "step" as never })).toThrow(ValueError);
    expect(() => nn.callbacks.lrScheduler(s, { every: "batch" } as never)).toThrow(/unknown option "every"/);
  });

  it("reduceLROnPlateau with a monitor still builds its scheduler", async () => {
    const { x, y } = data(20, 5);
    const model = new nn.Linear(2, 3, { seed: 6 });
    const opt = new optim.SGD(model.parameters(), { lr: 0 });
    const h = await nn.fit(model, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 2, callbacks: [nn.callbacks.reduceLROnPlateau({ monitor: "loss", patience: 0 })] });
    expect(h.history.lr).toEqual([0, 0]);
  });
});
