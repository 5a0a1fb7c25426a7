import { ShapeError, ValueError } from "../errors.js";
import { concat, noGrad, Rng, type Tensor } from "../ndarray/index.js";
import { Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, RMSprop, SGD } from "../optim/index.js";
import type { Callback, FitContext, Logs } from "./callbacks.js";
import { batchBuffer, checkFinite, checkLabels, countCorrect, gather, resolveLoss, rowsOf, type LossFn, type Rows } from "./fit-data.js";
import type { Module } from "./module.js";

interface StepOptimizer {
  step(): void;
  zeroGrad(): void;
  paramGroups: { lr: number }[];
  lr?: number;
}
export interface FitOptions {
  loss: string | LossFn;
  /** An optimizer over the model's parameters, or a name ("adam", "sgd", …) for one with defaults. */
  optimizer: StepOptimizer | string;
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Seeds the shuffling (and nothing else), so a run is reproducible. */
  seed?: number;
  /** Fraction of samples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  metrics?: string[];
  callbacks?: Callback[];
}
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  /** Why training ended before `epochs`, or null. */
  stopReason: string | null;
}

const OPTIMIZERS: Record<string, new (p: Tensor[]) => StepOptimizer> = {
  sgd: SGD, adam: Adam, adamw: AdamW, adamax: Adamax, nadam: Nadam, rmsprop: RMSprop, adagrad: Adagrad, adadelta: Adadelta,
};
const LOGIT_LOSSES = new Set(["bceWithLogits", "crossEntropy"]);

function checkMetrics(metrics: string[]): boolean {
  for (const m of metrics) if (m !== "accuracy" && m !== "acc") throw new ValueError(`unknown metric "${m}"; supported: accuracy`);
  return metrics.length > 0;
}

/** Validates data against the model once, before any update: shapes, NaN/∞, label range. */
function prepare(model: Module, x: Tensor, y: Tensor, lossName: string, what: string): { xr: Rows; yr: Rows } {
  const xr = rowsOf(x, `${what}: x`);
  const yr = rowsOf(y, `${what}: y`);
  if (xr.n !== yr.n) throw new ShapeError(`${what}: x has ${xr.n} samples but y has ${yr.n}`);
  if (xr.n === 0) throw new ValueError(`${what}: no samples`);
  checkFinite(xr, `${what}: x`);
  checkFinite(yr, `${what}: y`);
  // One sample through the model in eval mode: a feature-count mismatch surfaces here as a ShapeError.
  const was = model.training;
  model.eval();
  let out: Tensor;
  try {
    const idx = Int32Array.of(0);
    out = model.predict(gather(xr, idx, 0, 1, batchBuffer(xr, 1, true), true));
  } finally {
    model.train(was);
  }
  const classes = out.size;
  // Without a loss (evaluate for accuracy), [n] targets for a multi-output model are labels.
  const labels = lossName === "" && yr.rowShape.length === 0 && classes > 1;
  if (lossName === "crossEntropy" || labels) checkLabels(yr, classes, lossName || what);
  else if (yr.rowSize !== classes) {
    throw new ShapeError(`${what}: the model gives ${classes} outputs per sample but y has ${yr.rowSize} values per sample`);
  }
  return { xr, yr };
}

/** Loss (sample mean) and accuracy of the model over whole arrays, in eval mode, by batches. */
function evaluateRows(model: Module, xr: Rows, yr: Rows, loss: { fn: LossFn; name: string } | null, acc: boolean, batchSize: number): Logs {
  const idx = Int32Array.from({ length: xr.n }, (_, i) => i);
  const xb = batchBuffer(xr, batchSize, true), yb = batchBuffer(yr, batchSize, false);
  let lossSum = 0, correct = 0;
  const was = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let s = 0; s < xr.n; s += batchSize) {
        const e = Math.min(s + batchSize, xr.n);
        const out = model.forward(gather(xr, idx, s, e, xb, true));
        const yt = gather(yr, idx, s, e, yb, false);
        if (loss) lossSum += loss.fn(out, yt, { reduction: "sum" }).item() / (out.size / (e - s) > 1 && loss.name !== "crossEntropy" ? out.size / (e - s) : 1);
        if (acc) correct += countCorrect(out, yt, LOGIT_LOSSES.has(loss?.name ?? ""));
      }
    });
  } finally {
    model.train(was);
  }
  const logs: Logs = {};
  if (loss) logs.loss = lossSum / xr.n;
  if (acc) logs.accuracy = correct / xr.n;
  return logs;
}

/**
 * Keras-style training loop: seeded shuffled mini-batches, one optimizer step per batch, the
 * model's regularization penalties added to the loss, validation and callbacks per epoch.
 * Returns the history (Keras's keys). A NaN/∞ batch loss throws a ValueError before the update,
 * or ends training if callbacks.terminateOnNaN() is given — the weights are never NaN-poisoned.
 */
export async function fit(model: Module, x: Tensor, y: Tensor, o: FitOptions): Promise<History> {
  const loss = resolveLoss(o?.loss);
  const epochs = o.epochs ?? 1, batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  const optimizer = typeof o.optimizer === "string" ? makeOptimizer(o.optimizer, model) : o.optimizer;
  if (!optimizer || typeof optimizer.step !== "function") throw new ValueError("fit: `optimizer` must be an optimizer or its name");
  const wantAcc = checkMetrics(o.metrics ?? []);
  const callbacks = o.callbacks ?? [];
  const stopsOnNaN = callbacks.some((c) => c.stopsOnNaN);

  let { xr, yr } = prepare(model, x, y, loss.name, "fit");
  let val: { xr: Rows; yr: Rows } | null = null;
  if (o.validationData) val = prepare(model, o.validationData[0], o.validationData[1], loss.name, "fit: validationData");
  else if (o.validationSplit) {
    const f = o.validationSplit;
    if (!(f > 0 && f < 1)) throw new ValueError(`fit: validationSplit must be in (0, 1), got ${f}`);
    const nTrain = Math.floor(xr.n * (1 - f));
    if (nTrain < 1 || nTrain >= xr.n) throw new ValueError(`fit: validationSplit ${f} leaves no training or no validation samples of ${xr.n}`);
    val = { xr: sliceRows(xr, nTrain, xr.n), yr: sliceRows(yr, nTrain, yr.n) };
    xr = sliceRows(xr, 0, nTrain);
    yr = sliceRows(yr, 0, nTrain);
  }

  const n = xr.n;
  const steps = Math.ceil(n / batchSize);
  const ctx: FitContext = { model, optimizer, epochs, stepsPerEpoch: steps, stopTraining: false, stopReason: null, history: { epoch: [], history: {} } };
  const rng = new Rng(o.seed ?? Math.floor(Math.random() * 2 ** 31));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  // One buffer per batch size, reused every step so that memory stays flat over epochs.
  const xb = batchBuffer(xr, batchSize, true), yb = batchBuffer(yr, batchSize, false);
  const logits = LOGIT_LOSSES.has(loss.name);

  for (const c of callbacks) await c.onTrainBegin?.(ctx);
  for (let epoch = 0; epoch < epochs && !ctx.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
    model.train();
    if (o.shuffle ?? true) rng.shuffle(order);
    let lossSum = 0, correct = 0, seen = 0;
    for (let b = 0; b < steps && !ctx.stopTraining; b++) {
      const s = b * batchSize, e = Math.min(s + batchSize, n);
      const xt = gather(xr, order, s, e, xb, true);
      const yt = gather(yr, order, s, e, yb, false);
      const out = model.forward(xt);
      let l = loss.fn(out, yt);
      const reg = model.regularizationLoss();
      if (reg) l = l.add(reg);
      const lv = l.item();
      if (!Number.isFinite(lv)) {
        const where = `epoch ${epoch + 1}, batch ${b + 1}`;
        if (!stopsOnNaN) throw new ValueError(`fit: loss is ${lv} at ${where} (no update was applied; lower the lr, check the data, or add callbacks.terminateOnNaN())`);
        ctx.stopTraining = true;
        ctx.stopReason = `terminateOnNaN: loss is ${lv} at ${where}`;
        break;
      }
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      lossSum += lv * (e - s);
      seen += e - s;
      if (wantAcc) correct += countCorrect(out, yt, logits);
      for (const c of callbacks) c.onBatchEnd?.(b, { loss: lv }, ctx);
    }
    if (seen === 0) break;
    const logs: Logs = { loss: lossSum / seen };
    if (wantAcc) logs.accuracy = correct / seen;
    if (val) {
      const v = evaluateRows(model, val.xr, val.yr, loss, wantAcc, Math.max(batchSize, 256));
      for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
    }
    logs.lr = optimizer.paramGroups[0].lr;
    ctx.history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (ctx.history.history[k] ??= []).push(v);
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, ctx);
    // Give the event loop a turn (browsers repaint, progress output flushes).
    await new Promise((r) => setTimeout(r, 0));
  }
  for (const c of callbacks) await c.onTrainEnd?.(ctx);
  return { ...ctx.history, stopReason: ctx.stopReason };
}

function sliceRows(r: Rows, from: number, to: number): Rows {
  return { ...r, data: r.data.subarray(from * r.rowSize, to * r.rowSize), n: to - from };
}

function makeOptimizer(name: string, model: Module): StepOptimizer {
  const C = OPTIMIZERS[name.toLowerCase()];
  if (!C) throw new ValueError(`fit: unknown optimizer "${name}"; use one of ${Object.keys(OPTIMIZERS).join(", ")} or pass an instance`);
  return new C(model.parameters());
}

/** Loss and metrics over a dataset in eval mode (Keras's evaluate), e.g. { loss, accuracy }. */
export function evaluate(model: Module, x: Tensor, y: Tensor,
                         o: { loss?: string | LossFn; metrics?: string[]; batchSize?: number } = {}): Logs {
  const loss = o.loss !== undefined ? resolveLoss(o.loss) : null;
  const { xr, yr } = prepare(model, x, y, loss?.name ?? "", "evaluate");
  return evaluateRows(model, xr, yr, loss, checkMetrics(o.metrics ?? ["accuracy"]), o.batchSize ?? 256);
}

/** Model outputs for all samples, in eval mode without autograd, computed by batches. */
export function predict(model: Module, x: Tensor, o: { batchSize?: number } = {}): Tensor {
  const xr = rowsOf(x, "predict: x");
  const bs = o.batchSize ?? 256;
  const idx = Int32Array.from({ length: xr.n }, (_, i) => i);
  const was = model.training;
  model.eval();
  try {
    const parts: Tensor[] = [];
    for (let s = 0; s < xr.n; s += bs) {
      // A fresh buffer per batch: a model of views only (Flatten, eval-mode Dropout) returns its input.
      const e = Math.min(s + bs, xr.n);
      parts.push(model.predict(gather(xr, idx, s, e, batchBuffer(xr, e - s, true), true)));
    }
    return parts.length === 1 ? parts[0] : concat(parts, 0);
  } finally {
    model.train(was);
  }
}
