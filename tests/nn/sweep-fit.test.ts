// Differential sweep of fit/evaluate/predict and the callbacks against Keras 2.15 (tf.keras, read
// from keras-team/keras at tag v2.15.0 — Keras is not installed here) and PyTorch 1.13: the
// disagreements it found, each pinned with the reference's numbers.
import { describe, expect, it } from "vitest";
import { nn, optim, Tensor, ValueError } from "../../src/index.js";
type Callback = nn.Callback;
type FitContext = nn.FitContext;

const cb = nn.callbacks;

/**
 * Drives a callback through one run by hand: before epoch i's end the model's weight is set to i,
 * so the weight left at the end names the epoch whose weights were restored.
 */
async function drive(c: Callback, values: number[], monitor = "loss") {
  const model = new nn.Linear(1, 1, { bias: false });
  const ctx: FitContext = { model, optimizer: { paramGroups: [{ lr: 0.1 }] }, epochs: values.length, stepsPerEpoch: 1, stopTraining: false, stopReason: null, history: { epoch: [], history: {} } };
  c.checkRun?.({ logKeys: ["loss", "accuracy", "lr"], optimizer: ctx.optimizer, epochs: values.length });
  await c.onTrainBegin?.(ctx);
  let run = 0;
  for (let e = 0; e < values.length && !ctx.stopTraining; e++, run++) {
    model.weight.data[0] = e;
    await c.onEpochEnd?.(e, { [monitor]: values[e] }, ctx);
  }
  await c.onTrainEnd?.(ctx);
  return { epochsRun: run, weight: model.weight.data[0] };
}

describe("earlyStopping's baseline (Keras 2.15 keras/callbacks.py EarlyStopping.on_epoch_end)", () => {
  // Expected values: a Python replay of that on_epoch_end. Keras tracks the best value
  // from +∞ (not from the baseline), keeps its weights, resets the wait only when the epoch also
  // beats the baseline, and returns before the patience test on any improving epoch.
  it("an improving run short of the baseline keeps going until it stops improving", async () => {
    // Keras: stops at epoch 4 (5 epochs run), restores epoch 3's weights. edgegrad stopped at
    // epoch 1 (2 epochs) and restored nothing (the last weights stayed).
    const r = await drive(cb.earlyStopping({ monitor: "loss", patience: 2, baseline: 0.5, restoreBestWeights: true }), [0.9, 0.8, 0.7, 0.6, 0.65, 0.66, 0.67]);
    expect(r).toEqual({ epochsRun: 5, weight: 3 });
  });
  it("an epoch that beats the baseline restarts the wait; the best epoch is restored", async () => {
    // Keras: stops at epoch 3 (4 run), restores epoch 1.
    const r = await drive(cb.earlyStopping({ monitor: "loss", patience: 2, baseline: 0.5, restoreBestWeights: true }), [0.9, 0.4, 0.45, 0.46, 0.3]);
    expect(r).toEqual({ epochsRun: 4, weight: 1 });
  });
  it("a worsening run short of the baseline restores the first epoch", async () => {
    // Keras: stops at epoch 1 (2 run), restores epoch 0 (edgegrad restored nothing: weight 1).
    const r = await drive(cb.earlyStopping({ monitor: "loss", patience: 1, baseline: 0.5, restoreBestWeights: true }), [0.6, 0.7, 0.8, 0.9]);
    expect(r).toEqual({ epochsRun: 2, weight: 0 });
  });
  it("mode max: an accuracy rising below the baseline never stops the run", async () => {
    // Keras: runs all 3 epochs (edgegrad stopped after 2). The best (epoch 2) is restored at the
    // end as Keras 3 does (keras/src/callbacks/early_stopping.py on_train_end); 2.15 keeps the last.
    const r = await drive(cb.earlyStopping({ monitor: "accuracy", patience: 0, baseline: 0.5, restoreBestWeights: true }), [0.2, 0.3, 0.35], "accuracy");
    expect(r).toEqual({ epochsRun: 3, weight: 2 });
  });
  it("a monitor that is NaN from the start: the first epoch's weights are restored", async () => {
    // Keras: "Restore the weights after first epoch if no progress is ever made": stops at epoch
    // 1, restores epoch 0 (edgegrad restored nothing: weight 1).
    const r = await drive(cb.earlyStopping({ monitor: "loss", patience: 1, restoreBestWeights: true }), [NaN, NaN, NaN]);
    expect(r).toEqual({ epochsRun: 2, weight: 0 });
  });
  it("without a baseline: unchanged (stops at epoch 5 of 0.9…0.67 with patience 2, restores epoch 3)", async () => {
    const r = await drive(cb.earlyStopping({ monitor: "loss", patience: 2, restoreBestWeights: true }), [0.9, 0.8, 0.7, 0.6, 0.65, 0.66, 0.67]);
    expect(r).toEqual({ epochsRun: 6, weight: 3 });
  });
});

/** Linear(2 → 12) viewed as [n, 3 classes, 4 positions] (a sequence classifier in PyTorch's layout), fixed weights. */
class PerPosition extends nn.Module {
  lin = this.registerModule("lin", new nn.Linear(2, 12));
  constructor() {
    super();
    for (let j = 0; j < 12; j++) {
      for (let k = 0; k < 2; k++) this.lin.weight.data[j * 2 + k] = Math.sin(j * 2 + k + 1) * 0.5;
      this.lin.bias!.data[j] = Math.cos(j) * 0.1;
    }
  }
  forward(x: Tensor): Tensor { return this.lin.forward(x).reshape([x.shape[0], 3, 4]); }
}
const seqX = new Tensor(Float32Array.of(0.5, -1, 1.5, 0.25, -0.75, 0.8, 0.3, 0.3), "float32", [4, 2]);
const seqY = new Tensor(Int32Array.from({ length: 16 }, (_, k) => (k * 7) % 3), "int32", [4, 4]);

describe("crossEntropy over positions (an output [n, C, d]): val_loss, evaluate and accuracy", () => {
  // PyTorch 1.13 (float64): F.cross_entropy(out, y) = 1.1584754458421245 (the
  // mean over all 16 positions); (out.argmax(1) == y).mean() = 0.375. Keras's
  // sparse_categorical_accuracy also averages over every position. edgegrad gave val_loss and
  // evaluate 4.634 (the sum over a sample's 4 positions) and an accuracy from an argmax over all
  // 12 outputs. float32 logits of a few terms: 1e-5 relative.
  it("fit's loss and val_loss are the same mean, and both accuracies score each position", async () => {
    const m = new PerPosition();
    const h = await nn.fit(m, seqX, seqY, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), batchSize: 2, validationData: [seqX, seqY], metrics: ["accuracy"] });
    expect(h.history.loss[0]).toBeCloseTo(1.1584754458421245, 5);
    expect(h.history.val_loss[0]).toBeCloseTo(1.1584754458421245, 5);
    expect(h.history.accuracy[0]).toBe(0.375);
    expect(h.history.val_accuracy[0]).toBe(0.375);
    const ev = nn.evaluate(m, seqX, seqY, { loss: "crossEntropy", batchSize: 3 });
    expect(ev.loss).toBeCloseTo(1.1584754458421245, 5);
    expect(ev.accuracy).toBe(0.375);
    // Accuracy alone (no loss): the labels are per position too (edgegrad: ShapeError "12
    // outputs per sample but y has 4").
    expect(nn.evaluate(m, seqX, seqY)).toEqual({ accuracy: 0.375 });
  });
  // A target of neither shape is refused up front, naming both (crossEntropy itself refused it
  // at the first batch).
  it("a target [n] for an output [n, 3, 4] is a ShapeError before training", async () => {
    const m = new PerPosition();
    const y = new Tensor(Int32Array.of(0, 1, 2, 0), "int32", [4]);
    await expect(nn.fit(m, seqX, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) })).rejects.toThrow(/fit: the model gives 12 outputs per sample but y has 1 values per sample/);
  });
  // edgegrad checked per-position labels only inside crossEntropy: the first batch's update was
  // applied before the label 5 of sample 3 threw.
  it("a label outside [0, C) at any position is refused before the first update", async () => {
    const m = new PerPosition();
    const before = Array.from(m.lin.weight.data);
    const bad = new Tensor(Int32Array.from(seqY.data, (v, k) => (k === 13 ? 5 : v)), "int32", [4, 4]);
    await expect(nn.fit(m, seqX, bad, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), batchSize: 2, shuffle: false }))
      .rejects.toThrow(/crossEntropy: label 5 of sample 3 \(position 1\) is not a class index in \[0, 3\)/);
    expect(Array.from(m.lin.weight.data)).toEqual(before);
  });
});

describe("binary accuracy of an output [n, 1, h, w] (a one-channel mask)", () => {
  // PyTorch 1.13 (float64): bce_with_logits = 0.8019421896594355 and
  // ((out > 0) == (y >= 0.5)).mean() = 0.4375, every pixel scored as Keras's binary_accuracy does.
  // edgegrad took the 4 pixels for 4 classes and compared argmaxes: 0.
  it("scores each element against the threshold", () => {
    class Mask extends nn.Module {
      lin = this.registerModule("lin", new nn.Linear(2, 4));
      constructor() {
        super();
        for (let j = 0; j < 4; j++) {
          for (let k = 0; k < 2; k++) this.lin.weight.data[j * 2 + k] = Math.sin(3 * j + k);
          this.lin.bias!.data[j] = 0.1 * (j - 1.5);
        }
      }
      forward(t: Tensor): Tensor { return this.lin.forward(t).reshape([t.shape[0], 1, 2, 2]); }
    }
    const y = new Tensor(Float32Array.from({ length: 16 }, (_, k) => ((k * 5) % 3 === 0 ? 1 : 0)), "float32", [4, 1, 2, 2]);
    const ev = nn.evaluate(new Mask(), seqX, y, { loss: "bceWithLogits", batchSize: 3 });
    expect(ev.loss).toBeCloseTo(0.8019421896594355, 5);
    expect(ev.accuracy).toBe(0.4375);
  });
});

describe("regularization penalties in val_loss and evaluate (Keras 2.15 keras/engine/training.py test_step → compute_loss(…, regularization_losses=self.losses))", () => {
  // PyTorch 1.13 (float64): mse_loss = 1.63671875 and 0.5·ΣW² = 0.90625, so
  // Keras's loss, val_loss and evaluate loss are all 2.54296875. edgegrad added the penalty to
  // the training loss only (val_loss and evaluate gave 1.63671875). Binary fractions: exact up to
  // float32 rounding of the sums, 1e-6.
  it("fit's loss and val_loss agree, and evaluate gives the same", async () => {
    const m = new nn.Linear(2, 1, { kernelRegularizer: nn.regularizers.l2(0.5) });
    m.weight.data.set([0.5, -1.25]);
    m.bias!.data.set([0.125]);
    const x = new Tensor(Float32Array.of(1, 2, -0.5, 0.75, 2, -1), "float32", [3, 2]);
    const y = new Tensor(Float32Array.of(0.25, -1, 3), "float32", [3, 1]);
    const h = await nn.fit(m, x, y, { loss: "mseLoss", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), batchSize: 3, validationData: [x, y] });
    expect(h.history.loss[0]).toBeCloseTo(2.54296875, 6);
    expect(h.history.val_loss[0]).toBeCloseTo(2.54296875, 6);
    expect(nn.evaluate(m, x, y, { loss: "mseLoss" }).loss).toBeCloseTo(2.54296875, 6);
    // Without a loss there is no penalty to report: accuracy alone.
    expect(Object.keys(nn.evaluate(m, x, y, {}))).toEqual(["accuracy"]);
  });
});

describe("a batchSize larger than the data", () => {
  // Keras 2.15 (keras/engine/data_adapter.py TensorLikeDataAdapter): one batch of all the rows.
  // edgegrad sized its reused batch buffer by batchSize alone: 1e9 rows of 100 features threw a
  // RangeError ("Invalid typed array length") from fit and evaluate.
  it("is one batch of every row, for fit, evaluate and predict", async () => {
    const m = new nn.Linear(100, 1);
    const x = new Tensor(Float32Array.from({ length: 400 }, (_, i) => Math.sin(i)), "float32", [4, 100]);
    const y = new Tensor(Float32Array.of(1, -1, 0.5, 2), "float32", [4, 1]);
    const small = nn.evaluate(m, x, y, { loss: "mseLoss", metrics: [], batchSize: 4 }).loss;
    expect(nn.evaluate(m, x, y, { loss: "mseLoss", metrics: [], batchSize: 1e9 }).loss).toBe(small);
    expect(Array.from(nn.predict(m, x, { batchSize: 1e9 }).data)).toEqual(Array.from(nn.predict(m, x, { batchSize: 4 }).data));
    const h = await nn.fit(m, x, y, { loss: "mseLoss", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), batchSize: 1e9 });
    expect(h.history.loss[0]).toBeCloseTo(small, 5);
  });
});

describe("options of the wrong type are refused before the first batch", () => {
  const x = new Tensor(Float32Array.of(1, 0, 0, 1, -1, 0, 0, -1), "float32", [4, 2]);
  const y = new Tensor(Int32Array.of(0, 1, 2, 0), "int32", [4]);
  // edgegrad called zeroGrad() at the first batch (TypeError "optimizer.zeroGrad is not a
  // function") and read paramGroups[0].lr after the first epoch's updates (TypeError "Cannot read
  // properties of undefined").
  it("an optimizer object without zeroGrad() or paramGroups: ValueError, weights untouched", async () => {
    const m = new nn.Linear(2, 3);
    const before = Array.from(m.weight.data);
    const step = () => { m.weight.data[0] += 1; };
    for (const opt of [{ step, paramGroups: [{ lr: 1 }] }, { step, zeroGrad() {} }, { step, zeroGrad() {}, paramGroups: [] }]) {
      await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt as never })).rejects.toThrow(ValueError);
      await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt as never })).rejects.toThrow(/fit: `optimizer` must be an optimizer \(step\(\), zeroGrad\(\) and paramGroups with an lr\)/);
    }
    expect(Array.from(m.weight.data)).toEqual(before);
  });
  // A custom loss must give one number (Keras reduces a per-sample loss itself; PyTorch's
  // loss.backward() refuses a non-scalar). edgegrad threw a TypeError ("l.item is not a
  // function") for a number or undefined, and item()'s ShapeError for a [4, 3] tensor.
  it("a custom loss that does not return a scalar Tensor: typed error from fit and evaluate, no update", async () => {
    const t = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i % 2), "float32", [4, 3]);
    const cases: [unknown, RegExp][] = [
      [(a: Tensor, b: Tensor) => a.sub(b).mul(a.sub(b)), /loss: a custom loss must return a scalar Tensor \(reduce it, e\.g\. with \.mean\(\)\), got shape \[4,3\]/],
      [() => 3, /loss: a custom loss must return a scalar Tensor, got number/],
      [() => undefined, /loss: a custom loss must return a scalar Tensor, got undefined/],
    ];
    for (const [loss, message] of cases) {
      const m = new nn.Linear(2, 3);
      const before = Array.from(m.weight.data);
      await expect(nn.fit(m, x, t, { loss: loss as never, optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }) })).rejects.toThrow(message);
      expect(() => nn.evaluate(m, x, t, { loss: loss as never })).toThrow(message);
      expect(Array.from(m.weight.data)).toEqual(before);
    }
  });
  // edgegrad: TypeError "model.modules is not a function" from predict and evaluate (fit
  // already said "fit: model must be a Module").
  it("predict and evaluate of something that is not a Module: ValueError", () => {
    expect(() => nn.predict({} as never, x)).toThrow(/predict: model must be a Module/);
    expect(() => nn.evaluate({} as never, x, y)).toThrow(/evaluate: model must be a Module/);
  });
  // A model with two outputs: edgegrad's predict returned the raw array from one batch and threw
  // concat's DTypeError ("element 0 is not a Tensor") from two; fit and evaluate refuse it.
  it("predict of a model whose forward gives an array: the same ValueError for one batch or two", () => {
    class TwoHeads extends nn.Module {
      l = this.registerModule("l", new nn.Linear(2, 3));
      forward(t: Tensor): Tensor { return [this.l.forward(t), this.l.forward(t)] as never; }
    }
    for (const batchSize of [4, 2]) {
      expect(() => nn.predict(new TwoHeads(), x, { batchSize })).toThrow(/predict: the model's forward\(\) must return one Tensor for a dataset loop, got an array/);
    }
  });
  // Keras's evaluate always reports the compiled loss; edgegrad returned {} for this call.
  it("evaluate with metrics: [] and no loss has nothing to compute: ValueError", () => {
    expect(() => nn.evaluate(new nn.Linear(2, 3), x, y, { metrics: [] })).toThrow(/evaluate: metrics: \[\] without a loss leaves nothing to compute/);
  });
});

describe("modelCheckpoint({ saveBestOnly }) reused across fit() calls", () => {
  // Keras 2.15 keras/callbacks.py ModelCheckpoint (and Keras 3 model_checkpoint.py): self.best is
  // set in __init__ and never reset, so a second fit() saves only an epoch that beats the first
  // run's best. edgegrad reset it in onTrainBegin and saved the second run's first epoch (worse).
  it("a second run saves only what beats the first run's best", async () => {
    const saved: number[] = [];
    const c = cb.modelCheckpoint({ save: (_b, _e, logs) => { saved.push(logs.loss); }, saveBestOnly: true, monitor: "loss" });
    await drive(c, [0.5, 0.4, 0.45]);
    await drive(c, [0.6, 0.42, 0.3]);
    expect(saved).toEqual([0.5, 0.4, 0.3]);
  });
});
