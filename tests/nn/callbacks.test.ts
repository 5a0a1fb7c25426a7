// Callbacks reused across fit() calls, and their options refused when the callback is built or,
// for what depends on the run (the monitored key, the optimizer), before fit's first batch.
import { describe, expect, it } from "vitest";
import { nn, optim, Rng, Tensor, ValueError } from "../../src/index.js";

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
const weights = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));
const cb = nn.callbacks;

describe("callbacks reused across fit() calls", () => {
  it("reduceLROnPlateau acts on the current run's optimizer and starts afresh (Keras resets it in on_train_begin)", async () => {
    const { x, y } = blobs(30, 1);
    // Keras (keras/callbacks.py, not installed here, so read rather than run): ReduceLROnPlateau.
    // on_train_begin calls _reset(), and on_epoch_end sets self.model.optimizer's lr.
    // threshold 0.99 (relative): an epoch improves only if its loss is under 1% of the best, so
    // epoch 1 sets the best and every later epoch is a plateau; patience 0 lowers the lr after
    // each of them: lr = 0.1 · 0.5^(epochs − 1) at the end of a 3-epoch run.
    const plateau = cb.reduceLROnPlateau({ monitor: "loss", patience: 0, factor: 0.5, threshold: 0.99 });
    const run = async () => {
      const m = net();
      const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
      const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 3, seed: 1, callbacks: [plateau] });
      return { opt, h };
    };
    const first = await run();
    const second = await run();
    expect(first.opt.paramGroups[0].lr).toBe(0.1 * 0.5 ** 2);
    expect(second.opt.paramGroups[0].lr).toBe(0.1 * 0.5 ** 2);
    expect(second.h.history.lr).toEqual([0.1, 0.1, 0.05]);
  });

  it("earlyStopping chooses its default monitor per run (val_loss with validation, loss without)", async () => {
    const { x, y } = blobs(30, 2);
    const stop = cb.earlyStopping({ patience: 1 });
    const m = net();
    await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), epochs: 5, validationData: [x, y], callbacks: [stop] });
    const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0 }), epochs: 5, callbacks: [stop] });
    // lr 0: the loss never improves after the first epoch, so patience 1 stops after the second.
    expect(h.epoch).toEqual([0, 1]);
    expect(h.stopReason).toMatch(/earlyStopping: loss did not improve/);
  });

  it("lrScheduler refuses, before any update, a run whose optimizer is not the one its scheduler drives", async () => {
    const { x, y } = blobs(30, 3);
    const m = net();
    const opt1 = new optim.SGD(m.parameters(), { lr: 0.1 });
    const sched = cb.lrScheduler(new optim.lr.StepLR(opt1, { stepSize: 1, gamma: 0.5 }));
    await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt1, epochs: 2, callbacks: [sched] });
    expect(opt1.paramGroups[0].lr).toBe(0.025);
    const opt2 = new optim.SGD(m.parameters(), { lr: 0.1 });
    const before = weights(m);
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt2, epochs: 2, callbacks: [sched] }))
      .rejects.toThrow(/lrScheduler: the scheduler drives another optimizer than this fit's/);
    expect(weights(m)).toEqual(before);
    expect([opt1.paramGroups[0].lr, opt2.paramGroups[0].lr]).toEqual([0.025, 0.1]);
  });
});

describe("callback options refused when the callback is built", () => {
  it("reduceLROnPlateau: the scheduler's own checks, unknown keys and the monitor's type", () => {
    expect(() => cb.reduceLROnPlateau({ factor: 5 })).toThrow(/ReduceLROnPlateau: factor must be in \[0, 1\), got 5/);
    expect(() => cb.reduceLROnPlateau({ patiense: 1 } as never)).toThrow(/reduceLROnPlateau: unknown option "patiense"/);
    expect(() => cb.reduceLROnPlateau({ patience: -1 })).toThrow(/patience must be an integer ≥ 0, got -1/);
    expect(() => cb.reduceLROnPlateau({ thresholdMode: "x" as never })).toThrow(ValueError);
    expect(() => cb.reduceLROnPlateau({ mode: "bogus" as never })).toThrow(/mode must be one of "min", "max", "auto", got bogus/);
    expect(() => cb.reduceLROnPlateau({ monitor: 3 as never })).toThrow(/reduceLROnPlateau: monitor must be a non-empty string, got 3/);
  });

  it("earlyStopping checks every option's value (mode as modelCheckpoint does)", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ mode: "bogus" }, /earlyStopping: mode must be one of "min", "max", "auto", got bogus/],
      [{ patience: -1 }, /earlyStopping: patience must be an integer ≥ 0, got -1/],
      [{ patience: 1.5 }, /patience must be an integer ≥ 0, got 1.5/],
      [{ patience: "3" }, /patience must be an integer ≥ 0, got 3/],
      [{ minDelta: NaN }, /earlyStopping: minDelta must be a finite number, got NaN/],
      [{ restoreBestWeights: "yes" }, /earlyStopping: restoreBestWeights must be true or false, got yes/],
      [{ baseline: "x" }, /earlyStopping: baseline must be a finite number, got x/],
      [{ monitor: 123 }, /earlyStopping: monitor must be a non-empty string, got 123/],
    ];
    for (const [o, message] of bad) expect(() => cb.earlyStopping(o as never), JSON.stringify(o)).toThrow(message);
    expect(() => cb.modelCheckpoint({ save: () => {}, saveBestOnly: true, mode: "bogus" as never })).toThrow(/modelCheckpoint: mode must be one of "min", "max", "auto", got bogus/);
  });

  it("lrScheduler needs a scheduler; the other callbacks check their values' types", () => {
    expect(() => cb.lrScheduler({} as never)).toThrow(/lrScheduler: expected an LR scheduler with step\(\), got an object/);
    expect(() => cb.lrScheduler(null as never)).toThrow(/lrScheduler: expected an LR scheduler with step\(\), got null/);
    const m = net();
    const plateau = new optim.lr.ReduceLROnPlateau(new optim.SGD(m.parameters(), { lr: 0.1 }));
    expect(() => cb.lrScheduler(plateau as never)).toThrow(/callbacks.reduceLROnPlateau/);
    expect(() => cb.timeBudget({ seconds: "5" as never })).toThrow(/timeBudget: seconds must be a finite number > 0, got 5/);
    expect(() => cb.stopOnLossChange({ minDelta: "0.1" as never })).toThrow(/stopOnLossChange: minDelta must be a finite number ≥ 0/);
    expect(() => cb.stopOnLossChange({ minDelta: 0, patience: 0 })).toThrow(/stopOnLossChange: patience must be a positive integer, got 0/);
    expect(() => cb.onEpochEnd(5 as never)).toThrow(/onEpochEnd: expected a function/);
    expect(() => cb.progressBar({ width: 0 })).toThrow(/progressBar: width must be a positive integer, got 0/);
    expect(() => cb.progressBar({ stream: {} as never })).toThrow(/progressBar: stream must have a write\(\) method/);
  });
});

describe("callbacks checked at the start of fit, before the first batch", () => {
  const refused = async (callbacks: unknown, message: RegExp, extra: Record<string, unknown> = {}) => {
    const { x, y } = blobs(30, 4);
    const m = net();
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const before = weights(m);
    let epochs = 0;
    const counter = cb.onEpochEnd(() => { epochs++; });
    const list = Array.isArray(callbacks) ? [counter, ...callbacks] : callbacks;
    await expect(nn.fit(m, x, y, { loss: "crossEntropy", optimizer: opt, epochs: 2, callbacks: list as never, ...extra })).rejects.toThrow(message);
    expect(weights(m)).toEqual(before);
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(epochs).toBe(0);
  };

  it("a monitor the run will not log is refused, naming the keys it will log", async () => {
    await refused([cb.earlyStopping({ monitor: "val_acc" })], /earlyStopping: monitor "val_acc" is not logged by this fit; it logs loss, lr/);
    await refused([cb.earlyStopping({ monitor: "val_loss" })], /monitor "val_loss" is not logged by this fit; it logs loss, accuracy, lr/, { metrics: ["accuracy"] });
    await refused([cb.reduceLROnPlateau({ monitor: "val_loss" })], /reduceLROnPlateau: monitor "val_loss" is not logged/);
    await refused([cb.modelCheckpoint({ save: () => {}, saveBestOnly: true, monitor: "accuracy" })], /modelCheckpoint: monitor "accuracy" is not logged/);
    await refused([cb.stopOnLossChange({ minDelta: 0, monitor: "val_loss" })], /stopOnLossChange: monitor "val_loss" is not logged/);
  });

  it("a minLr list that does not match the optimizer's groups is refused", async () => {
    await refused([cb.reduceLROnPlateau({ minLr: [0, 0] })], /ReduceLROnPlateau: minLr has 2 values for 1 parameter groups/);
  });

  it("the callbacks list: each entry an object whose hooks are functions", async () => {
    await refused([{ onEpochEnd: 5 }], /fit: callbacks\[1\]\.onEpochEnd must be a function, got number/);
    await refused([null], /fit: callbacks\[1\] must be a callback object, got null/);
    await refused([{ stopsOnNaN: "yes" }], /fit: callbacks\[1\]\.stopsOnNaN must be true or false, got yes/);
    await refused({ onEpochEnd: () => {} }, /fit: callbacks must be an array/);
  });

  it("monitors that the run does log are accepted (val_* with validation, accuracy with the metric)", async () => {
    const { x, y } = blobs(30, 5);
    const m = net();
    const h = await nn.fit(m, x, y, {
      loss: "crossEntropy", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 2, metrics: ["accuracy"], validationSplit: 0.2,
      callbacks: [cb.earlyStopping({ monitor: "val_accuracy", patience: 5 }), cb.reduceLROnPlateau({ monitor: "accuracy" })],
    });
    expect(Object.keys(h.history).sort()).toEqual(["accuracy", "loss", "lr", "val_accuracy", "val_loss"]);
  });
});
