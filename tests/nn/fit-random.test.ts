// fit's random state (manualSeed alone reproduces a run; concurrent runs own their generators),
// typed refusals of bad batch sizes and options before any work, custom losses independent of
// their name, and parameters made non-finite by an update reported truthfully.
import { afterEach, describe, expect, it, vi } from "vitest";
import { manualSeed, nn, optim, rand, Rng, Tensor, ValueError } from "../../src/index.js";

function data(n: number, seed: number): { x: Tensor; y: Tensor; onehot: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2), y = new Int32Array(n), onehot = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    onehot[i * 3 + (i % 3)] = 1;
    x[2 * i] = [2, -1, -1][i % 3] + rng.normal();
    x[2 * i + 1] = [0, 2, -2][i % 3] + rng.normal();
  }
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]), onehot: new Tensor(onehot, "float32", [n, 3]) };
}
/** Unseeded everything: initial weights and Dropout draw from the global generator. */
const net = () => new nn.Sequential(new nn.Linear(2, 12), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(12, 3));
const bits = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));
const { x, y, onehot } = data(60, 1);

afterEach(() => vi.restoreAllMocks());

describe("fit's random state", () => {
  it("manualSeed alone reproduces a run (shuffle and Dropout), and fit never calls Math.random", async () => {
    const random = vi.spyOn(Math, "random");
    const run = async () => {
      manualSeed(11);
      const m = net();
      const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "adam", epochs: 3, batchSize: 7 });
      return { w: bits(m), loss: h.history.loss };
    };
    const a = await run(), b = await run();
    expect(b).toEqual(a);
    expect(random).not.toHaveBeenCalled();
    manualSeed(12);
    const m = net();
    await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "adam", epochs: 3, batchSize: 7 });
    expect(bits(m)).not.toEqual(a.w);
  });

  it("two concurrent fits give what the same two give one after the other", async () => {
    const order: string[] = [];
    const tag = (name: string) => nn.callbacks.onEpochEnd((e) => { order.push(`${name}${e}`); });
    const both = async (concurrent: boolean) => {
      manualSeed(21);
      const a = net(), b = net();
      const fitA = () => nn.fit(a, x, y, { loss: "crossEntropy", optimizer: "adam", epochs: 4, batchSize: 5, callbacks: [tag("a")] });
      const fitB = () => nn.fit(b, x, onehot, { loss: "mseLoss", optimizer: "sgd", epochs: 4, batchSize: 9, callbacks: [tag("b")] });
      if (concurrent) await Promise.all([fitA(), fitB()]);
      else { await fitA(); await fitB(); }
      return [bits(a), bits(b)];
    };
    const sequential = await both(false);
    order.length = 0;
    const concurrent = await both(true);
    // The runs did interleave (b's first epoch ended before a's last), and nothing changed.
    expect(order.indexOf("b0")).toBeLessThan(order.indexOf("a3"));
    expect(concurrent).toEqual(sequential);
  });
});

describe("refusals before any work", () => {
  const counted = () => {
    const m = new nn.Linear(2, 3, { seed: 1 });
    const calls = { n: 0 };
    const forward = m.forward.bind(m);
    m.forward = (t: Tensor) => { calls.n++; return forward(t); };
    return { m, calls };
  };

  it("batchSize 0, negative, NaN, fractional or not a number is a ValueError for fit, predict and evaluate", async () => {
    for (const bad of [0, -1, -0.5, NaN, 1.5, Infinity, "8"]) {
      const { m, calls } = counted();
      const before = bits(m);
      expect(() => nn.predict(m, x, { batchSize: bad as number })).toThrow(ValueError);
      expect(() => nn.predict(m, x, { batchSize: bad as number })).toThrow(/batchSize must be a positive integer/);
      expect(() => nn.evaluate(m, x, y, { batchSize: bad as number })).toThrow(ValueError);
      await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", batchSize: bad as number })).rejects.toThrow(ValueError);
      expect(calls.n).toBe(0);
      expect(bits(m)).toEqual(before);
    }
  });

  it("unknown option keys are refused by fit, predict and evaluate, and the global generator is untouched", async () => {
    const { m, calls } = counted();
    manualSeed(3);
    const expected = Array.from(rand([4]).data);
    manualSeed(3);
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", learningRate: 0.1 } as never)).rejects.toThrow(/fit: unknown option "learningRate"/);
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", initialEpoch: -1 })).rejects.toThrow(/initialEpoch must be a non-negative integer/);
    expect(() => nn.predict(m, x, { batch: 4 } as never)).toThrow(/predict: unknown option "batch"/);
    expect(() => nn.evaluate(m, x, y, { metric: ["accuracy"] } as never)).toThrow(/evaluate: unknown option "metric"/);
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "adam", epochs: 2, initialEpoch: 1 })).rejects.toThrow(/needs the optimizer instance restored by loadCheckpoint/);
    expect(Array.from(rand([4]).data)).toEqual(expected);
    expect(calls.n).toBe(0);
  });

  it("a model whose forward gives several outputs is refused by the dataset loops", async () => {
    class TwoHeads extends nn.Module {
      readonly lin = this.registerModule("lin", new nn.Linear(2, 3, { seed: 1 }));
      forward(t: Tensor): [Tensor, Tensor] { const h = this.lin.forward(t); return [h, h]; }
    }
    await expect(nn.fit(new TwoHeads(), x, y, { loss: "crossEntropy", optimizer: "sgd" })).rejects.toThrow(/forward\(\) must return one Tensor for a dataset loop, got an array/);
    expect(() => nn.evaluate(new TwoHeads(), x, y)).toThrow(ValueError);
  });
});

describe("custom losses", () => {
  it("behave the same whatever the function's name (here one called crossEntropy)", async () => {
    const mse = (out: Tensor, t: Tensor) => out.sub(t).pow(2).mean();
    const named = (name: string) => Object.defineProperty((o: Tensor, t: Tensor) => mse(o, t), "name", { value: name });
    const run = async (name: string) => {
      manualSeed(4);
      const m = net();
      const h = await nn.fit(m, x, onehot, { loss: named(name), optimizer: "adam", epochs: 3, batchSize: 8, metrics: ["accuracy"], validationSplit: 0.25 });
      return { w: bits(m), h: h.history, ev: nn.evaluate(m, x, onehot, { loss: named(name), batchSize: 7 }), m };
    };
    const a = await run("crossEntropy"), b = await run("myLoss");
    expect(a.w).toEqual(b.w);
    expect(a.h).toEqual(b.h);
    expect(a.ev).toEqual(b.ev);
    // evaluate's loss of a custom loss is its per-sample mean over the data set, in float64 here.
    const p = nn.predict(a.m, x).data, t = onehot.data;
    let ref = 0;
    for (let i = 0; i < p.length; i++) ref += (p[i] - t[i]) ** 2;
    expect(a.ev.loss).toBeCloseTo(ref / p.length, 5);
  });
});

describe("non-finite parameters after a step", () => {
  const overflowing = () => {
    const m = new nn.Linear(1, 1);
    m.weight.storage.set([1]);
    m.bias!.storage.set([0]);
    const xs = new Tensor(Float32Array.of(1, 1), "float32", [2, 1]), ys = new Tensor(Float32Array.of(0, 0), "float32", [2, 1]);
    // The loss (1) is finite; lr·grad = 2e39 is past float32's range, so the weight becomes -∞.
    return { m, xs, ys, opt: new optim.SGD(m.parameters(), { lr: 1e39 }) };
  };

  it("throw naming the parameter and saying the update was applied (the weights are non-finite)", async () => {
    const { m, xs, ys, opt } = overflowing();
    await expect(nn.fit(m, xs, ys, { loss: "mseLoss", optimizer: opt, epochs: 2, batchSize: 2 }))
      .rejects.toThrow(/parameter "weight" became -Infinity \(element 0\) in an update at the end of epoch 1 \(the update was applied/);
    expect(m.weight.data[0]).toBe(-Infinity);
  });

  it("name the parameter at the next batch, whose loss the broken weight makes non-finite", async () => {
    const { m, xs, ys, opt } = overflowing();
    await expect(nn.fit(m, xs, ys, { loss: "mseLoss", optimizer: opt, epochs: 1, batchSize: 1, shuffle: false }))
      .rejects.toThrow(/parameter "weight" became -Infinity \(element 0\) in an earlier update \(this batch's loss is (Infinity|NaN)\) at epoch 1, batch 2 \(the update was applied/);
  });

  it("end training with terminateOnNaN, with the reason", async () => {
    const { m, xs, ys, opt } = overflowing();
    const h = await nn.fit(m, xs, ys, { loss: "mseLoss", optimizer: opt, epochs: 2, batchSize: 2, callbacks: [nn.callbacks.terminateOnNaN()] });
    expect(h.stopReason).toMatch(/terminateOnNaN: parameter "weight" became -Infinity \(element 0\) in an update at the end of epoch 1 \(after the update\)/);
    expect(h.epoch).toEqual([]);
  });
});
