// Differential sweep of training-loop leftovers against PyTorch 1.13 (run with /usr/bin/python3)
// and Keras 2.15 / KerasTuner (read from their sources at tag v2.15.0 and keras-tuner's
// hyperband.py — neither is installed here): BatchNorm on empty batches, Hyperband's budgets for
// a maxResource that is not a power of eta, Keras's "acc" metric name, and what a callback sees
// of (and adds to) the history.
import { describe, expect, it } from "vitest";
import { nn, optim, Rng, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { hyperband, hyperbandSchedule, successiveHalving, uniform } from "../../src/select/index.js";

describe("BatchNorm in training mode on an empty batch (PyTorch 1.13: accepted, running statistics untouched)", () => {
  // PyTorch 1.13: BatchNorm1d(3)(torch.randn(0, 3)) has shape [0, 3]; running_mean stays
  // [0, 0, 0], running_var [1, 1, 1], num_batches_tracked becomes 1; after .sum().backward()
  // weight.grad and bias.grad are [0, 0, 0] and x.grad has shape [0, 3]. The same for [0, 3, 4],
  // [0, 3, 2, 2] (BatchNorm2d) and [2, 3, 0] (no positions). edgegrad refused every one
  // ("expected more than 1 value per channel").
  const cases: [string, () => nn.BatchNorm1d | nn.BatchNorm2d, number[]][] = [
    ["BatchNorm1d [0, 3]", () => new nn.BatchNorm1d(3), [0, 3]],
    ["BatchNorm1d [0, 3, 4]", () => new nn.BatchNorm1d(3), [0, 3, 4]],
    ["BatchNorm1d [2, 3, 0]", () => new nn.BatchNorm1d(3), [2, 3, 0]],
    ["BatchNorm2d [0, 3, 2, 2]", () => new nn.BatchNorm2d(3), [0, 3, 2, 2]],
    // PyTorch 1.13, eps=0.0: the same (weight.grad [0, 0, 0], not NaN).
    ["BatchNorm1d [0, 3] with eps 0", () => new nn.BatchNorm1d(3, { eps: 0 }), [0, 3]],
  ];
  for (const [name, make, shape] of cases) {
    it(`${name}: an empty output, the running statistics as they were, zero affine gradients`, () => {
      const bn = make();
      const x = zeros(shape);
      x.requiresGrad = true;
      const y = bn.forward(x);
      expect(y.shape).toEqual(shape);
      y.sum().backward();
      expect(Array.from(bn.runningMean!.data)).toEqual([0, 0, 0]);
      expect(Array.from(bn.runningVar!.data)).toEqual([1, 1, 1]);
      expect(bn.numBatchesTracked!.item()).toBe(1);
      expect(Array.from(bn.weight!.grad!.data)).toEqual([0, 0, 0]);
      expect(Array.from(bn.bias!.grad!.data)).toEqual([0, 0, 0]);
      expect(x.grad!.shape).toEqual(shape);
    });
  }

  it("the empty batch counts as a batch, as PyTorch counts it (momentum null: the cumulative average)", () => {
    // PyTorch 1.13: m = BatchNorm1d(2, momentum=None); m(zeros(0, 2)); m([[1, 2], [3, 6], [5, 7]])
    // → running_mean [1.5, 2.5], running_var [2.5, 4.0], num_batches_tracked 2 (the empty batch
    // took the factor 1/1 and left the statistics; the real one gets 1/2). With momentum 0.1:
    // [0.3, 0.5], [1.3, 1.6]. Exact in float32 up to one rounding of 0.3, 1.3 and 1.6.
    const x = tensor([[1, 2], [3, 6], [5, 7]]);
    const cumulative = new nn.BatchNorm1d(2, { momentum: null });
    cumulative.forward(zeros([0, 2]));
    cumulative.forward(x);
    expect(Array.from(cumulative.runningMean!.data)).toEqual([1.5, 2.5]);
    expect(Array.from(cumulative.runningVar!.data)).toEqual([2.5, 4]);
    expect(cumulative.numBatchesTracked!.item()).toBe(2);
    const moving = new nn.BatchNorm1d(2);
    moving.forward(zeros([0, 2]));
    moving.forward(x);
    expect(Array.from(moving.runningMean!.data)).toEqual([Math.fround(0.3), 0.5]);
    expect(Array.from(moving.runningVar!.data)).toEqual([Math.fround(1.3), Math.fround(1.6)]);
  });

  it("F.batch_norm with training: true on [0, 2, 5] leaves runningMean and runningVar as given (not NaN)", () => {
    // PyTorch 1.13: F.batch_norm(zeros(0, 2, 5), rm=[0.5, -1], rv=[2, 3], w=[2, 3], b=[1, -1],
    // training=True) → shape [0, 2, 5], rm and rv unchanged, w.grad = b.grad = [0, 0].
    const rm = tensor([0.5, -1]), rv = tensor([2, 3]);
    const w = tensor([2, 3]), b = tensor([1, -1]);
    w.requiresGrad = true;
    b.requiresGrad = true;
    const y = nn.functional.batchNorm(zeros([0, 2, 5]), rm, rv, { weight: w, bias: b, training: true });
    expect(y.shape).toEqual([0, 2, 5]);
    y.sum().backward();
    expect(Array.from(rm.data)).toEqual([0.5, -1]);
    expect(Array.from(rv.data)).toEqual([2, 3]);
    expect(Array.from(w.grad!.data)).toEqual([0, 0]);
    expect(Array.from(b.grad!.data)).toEqual([0, 0]);
  });

  it("Conv2d → BatchNorm2d → ReLU → MaxPool2d(2) (the fused training step) on an empty batch", () => {
    // PyTorch 1.13: Sequential(Conv2d(1, 2, 3, padding=1), BatchNorm2d(2), ReLU(), MaxPool2d(2))
    // on zeros(0, 1, 4, 4): shape [0, 2, 2, 2], running stats [0, 0] / [1, 1], every gradient 0.
    const conv = new nn.Conv2d(1, 2, 3, { padding: 1, seed: 1 }), bn = new nn.BatchNorm2d(2);
    const model = new nn.Sequential(conv, bn, new nn.ReLU(), new nn.MaxPool2d(2));
    const y = model.forward(zeros([0, 1, 4, 4]));
    expect(y.shape).toEqual([0, 2, 2, 2]);
    y.sum().backward();
    expect(Array.from(bn.runningMean!.data)).toEqual([0, 0]);
    expect(Array.from(bn.runningVar!.data)).toEqual([1, 1]);
    expect(Array.from(bn.weight!.grad!.data)).toEqual([0, 0]);
    expect(Array.from(conv.weight.grad!.data).every((v) => v === 0)).toBe(true);
  });

  it("one value per channel is still refused, naming the shape, and leaves the module as it was", () => {
    // PyTorch 1.13: ValueError "Expected more than 1 value per channel when training, got input
    // size torch.Size([1, 3])" (and [1, 3, 1]; BatchNorm2d [1, 3, 1, 1]).
    const bn = new nn.BatchNorm1d(3);
    expect(() => bn.forward(zeros([1, 3]))).toThrow(ValueError);
    expect(() => bn.forward(zeros([1, 3]))).toThrow(/BatchNorm1d: expected more than 1 value per channel when training, got input of shape \[1,3\]/);
    expect(() => bn.forward(zeros([1, 3, 1]))).toThrow(/got input of shape \[1,3,1\]/);
    expect(() => new nn.BatchNorm2d(3).forward(zeros([1, 3, 1, 1]))).toThrow(/BatchNorm2d: .*\[1,3,1,1\]/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(() => nn.functional.batchNorm(zeros([1, 3]), null, null, { training: true })).toThrow(/more than 1 value per channel/);
  });
});

describe("Hyperband and successive halving with a maxResource that is not a power of eta", () => {
  // Li et al. (JMLR 2018), Algorithm 1, for R = 10, η = 3: s_max = 2, brackets of n = 9, 5, 3
  // configurations, rungs n_i = ⌊n η^−i⌋ = [9, 3, 1], [5, 1], [3] with r_i = R η^(i−s) =
  // [10/9, 10/3, 10], [10/3, 10], [10] (real: the paper does not round). KerasTuner's Hyperband
  // trains ⌈max_epochs / factor^(s−i)⌉ epochs: [2, 4, 10], [4, 10], [10]. edgegrad handed
  // trainFn the real budgets (1.11 epochs), which fit() refuses ("epochs must be a non-negative
  // integer").
  const score = (p: { x: number }, c: { resource?: number }) => p.x + Math.log(c.resource!);

  it("a whole maxResource gives whole budgets, rounded up as KerasTuner; the numbers of configurations are the paper's", async () => {
    expect(hyperbandSchedule(10, 3)).toEqual([{ s: 2, n: 9, r: 2 }, { s: 1, n: 5, r: 4 }, { s: 0, n: 3, r: 10 }]);
    const seen: number[] = [];
    const r = await hyperband({ x: uniform(0, 1) }, (p: { x: number }, c) => { seen.push(c.resource!); return score(p, c); }, { maxResource: 10, eta: 3, seed: 0 });
    expect(r.brackets.map((b) => b.rungs.map((g) => g.resource))).toEqual([[2, 4, 10], [4, 10], [10]]);
    expect(r.brackets.map((b) => b.rungs.map((g) => g.nConfigs))).toEqual([[9, 3, 1], [5, 1], [3]]);
    expect(r.trials.length).toBe(22);
    expect(seen.every((e) => Number.isInteger(e))).toBe(true);
    expect(r.totalResource).toBe(9 * 2 + 3 * 4 + 1 * 10 + 5 * 4 + 1 * 10 + 3 * 10);
  });

  it("successive halving: minResource 2, maxResource 20, eta 3 → 9, 3, 1 configurations at 3, 7, 20", async () => {
    // s = 2 (2·3² ≤ 20 < 2·3³), rungs 20/9, 20/3, 20 rounded up: 3, 7, 20.
    const r = await successiveHalving({ x: uniform(0, 1) }, score, { minResource: 2, maxResource: 20, eta: 3, seed: 1 });
    expect(r.brackets[0].rungs.map((g) => [g.nConfigs, g.resource])).toEqual([[9, 3], [3, 7], [1, 20]]);
  });

  it("budgets that are whole already stay as they are; a fractional minResource keeps them real", () => {
    expect(hyperbandSchedule(81, 3).map((b) => b.r)).toEqual([1, 3, 9, 27, 81]);
    expect(hyperbandSchedule(1, 3, 1 / 9).map((b) => b.r)).toEqual([1 / 9, 1 / 3, 1]);
  });
});

/** Three Gaussian blobs in 2-D, one class each. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const centers = [[2, 0], [-1, 2], [-1, -2]];
  const x = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    x[2 * i] = centers[i % 3][0] + 0.5 * rng.normal();
    x[2 * i + 1] = centers[i % 3][1] + 0.5 * rng.normal();
  }
  return { x: new Tensor(x, "float32", [n, 2]), y: new Tensor(y, "int32", [n]) };
}
const net = () => new nn.Sequential(new nn.Linear(2, 8, { seed: 1 }), new nn.ReLU(), new nn.Linear(8, 3, { seed: 2 }));

describe('metrics: ["acc"] (Keras 2.15 compile_utils: "acc" is accuracy, logged under the name given)', () => {
  // Keras 2.15 MetricsContainer._get_metric_object: "acc" picks the same accuracy as "accuracy"
  // and wraps it as MeanMetricWrapper(name=metric), so history has "acc" and "val_acc", and
  // evaluate(return_dict=True) gives {"loss", "acc"}. edgegrad logged "accuracy"/"val_accuracy".
  it("fit logs acc and val_acc, with the values ['accuracy'] gives", async () => {
    const { x, y } = blobs(30, 5);
    const run = async (metrics: string[], monitor: string) => {
      const m = net();
      return nn.fit(m, x, y, {
        loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 3, seed: 4, metrics, validationSplit: 0.2,
        callbacks: [nn.callbacks.earlyStopping({ monitor, patience: 5 })],
      });
    };
    const acc = await run(["acc"], "val_acc"), accuracy = await run(["accuracy"], "val_accuracy");
    expect(Object.keys(acc.history)).toEqual(["loss", "acc", "val_loss", "val_acc", "lr"]);
    expect(acc.history.acc).toEqual(accuracy.history.accuracy);
    expect(acc.history.val_acc).toEqual(accuracy.history.val_accuracy);
    expect(acc.history.loss).toEqual(accuracy.history.loss);
  });

  it("evaluate returns acc", () => {
    const { x, y } = blobs(12, 2);
    const m = net();
    const ev = nn.evaluate(m, x, y, { loss: "crossEntropy", metrics: ["acc"] });
    expect(Object.keys(ev)).toEqual(["loss", "acc"]);
    expect(ev.acc).toBe(nn.evaluate(m, x, y).accuracy);
  });

  it("an unknown metric is refused with a ValueError listing both names", async () => {
    const { x, y } = blobs(12, 2);
    const m = net();
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", metrics: ["f1"] })).rejects.toThrow(/unknown metric "f1"; supported: accuracy \(or its alias acc\)/);
    expect(() => nn.evaluate(m, x, y, { metrics: ["f1"] })).toThrow(ValueError);
  });
});

describe("the history and the callbacks' onEpochEnd", () => {
  it("a callback reading ctx.history in onEpochEnd sees the epoch that just ended", async () => {
    // Keras 2.15 appends its History callback after the user's (CallbackList._add_default_callbacks),
    // so there model.history lags by one epoch in on_epoch_end; edgegrad records the epoch first,
    // on purpose (fit.ts), and this pins that order.
    const { x, y } = blobs(12, 3);
    const m = net();
    const seen: [number, number, number][] = [];
    await nn.fit(m, x, y, {
      loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 3, seed: 1,
      callbacks: [{ onEpochEnd(epoch, logs, ctx) { seen.push([epoch, ctx.history.epoch.length, ctx.history.history.loss.at(-1)! - logs.loss]); } }],
    });
    expect(seen).toEqual([[0, 1, 0], [1, 2, 0], [2, 3, 0]]);
  });

  it("a key a callback adds to the logs is recorded in the history, as Keras's History records it", async () => {
    // Keras 2.15: the callbacks share one logs dict per epoch and History runs last, so a value a
    // callback writes into logs (logs["val_f1"] = …) lands in history. edgegrad dropped it.
    const { x, y } = blobs(12, 3);
    const m = net();
    const later: number[] = [];
    const h = await nn.fit(m, x, y, {
      loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 3, seed: 1,
      callbacks: [
        { onEpochEnd(epoch, logs) { if (epoch > 0) logs.custom = 10 * epoch; } },
        { onEpochEnd(_, logs) { later.push(logs.custom ?? -1); } },
      ],
    });
    expect(h.history.custom).toEqual([10, 20]);
    expect(later).toEqual([-1, 10, 20]);
    expect(h.history.loss).toHaveLength(3);
  });
});
