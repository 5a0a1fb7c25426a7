import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import { closeStep, newStepArrays, openStep, type StepArrays } from "../backend/step-arrays.js";
import { Rng, rngFrom, Tensor } from "../ndarray/index.js";
import { handBackWeightGrads } from "../ndarray/grad-buffers.js";
import { keepsNoStepTensors, readsNoArraysPerBatch } from "./step-safe.js";
import { ResidentBatches } from "./fit-resident.js";
import { withGlobalRng } from "../ndarray/random.js";
import { Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, RMSprop, SGD } from "../optim/index.js";
import { checkOptions } from "../options.js";
import type { Transform } from "../data/transforms.js";
import type { Callback, FitContext, Logs } from "./callbacks.js";
import { checkCallbacks, logKeys } from "./fit-callbacks.js";
import { checkMetrics, evaluateRows, LOGIT_LOSSES, prepare, type ResolvedLoss } from "./evaluate.js";
import { batchBuffer, checkBatchSize, countCorrect, gather, resolveLoss, type LossFn, type Rows } from "./fit-data.js";
import { Module } from "./module.js";
import type { LossModule } from "./loss-module.js";
import { trainingRandom } from "./training-random.js";
import { checkPrecision } from "./autocast-check.js";

export { evaluate, predict } from "./evaluate.js";

interface StepOptimizer {
  step(): void;
  zeroGrad(): void;
  paramGroups: { lr: number }[];
  lr?: number;
}
export interface FitOptions {
  /** A name ("crossEntropy", "mse", …), a loss function, or a loss module with reduction "mean" (nn.CrossEntropyLoss({ weight })). */
  loss: string | LossFn | LossModule;
  /** An optimizer over the model's parameters, or a name ("adam", "sgd", …) for one with defaults. */
  optimizer: StepOptimizer | string;
  /** The epoch to stop before (Keras's meaning: with initialEpoch 2 and epochs 4, two epochs run). */
  epochs?: number;
  /** The epoch to start at when resuming (Keras's initial_epoch); see loadCheckpoint(). */
  initialEpoch?: number;
  batchSize?: number;
  shuffle?: boolean;
  /**
   * Seeds the run's generator (shuffling, and unseeded Dropout while the run's batches execute).
   * Without it the seed is drawn from the global generator, so manualSeed() alone makes a run
   * reproducible. A resumed run continues the generator of the run it resumes.
   */
  seed?: number;
  /** Fraction of samples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  /** ["accuracy"], or Keras's alias ["acc"]: logged under the name given ("acc", "val_acc"). */
  metrics?: string[];
  callbacks?: Callback[];
  /**
   * Applied to every training batch, with the run's generator (e.g. data.transforms.compose of
   * randomCrop and randomHorizontalFlip); never to validation data. It must keep the batch's
   * shape, since validation and evaluation see the data as given. Tried once on the first row
   * with a throwaway generator before training starts, so a mismatch is refused up front.
   */
  transform?: Transform;
  /**
   * "bf16": each training batch's forward pass and loss run in nn.autocast("bf16", …) (bfloat16
   * weights read by Linear/Conv, activations saved in bfloat16; float32 master weights, gradients
   * and optimizer). Default "fp32". "fp16" is refused (see autocast).
   */
  precision?: "fp32" | "bf16";
}
const FIT_KEYS = ["loss", "optimizer", "epochs", "initialEpoch", "batchSize", "shuffle", "seed", "validationSplit", "validationData", "metrics", "callbacks", "transform", "precision"];

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  /** Why training ended before `epochs`, or null. */
  stopReason: string | null;
}

const OPTIMIZERS: Record<string, new (p: Tensor[]) => StepOptimizer> = {
  sgd: SGD, adam: Adam, adamw: AdamW, adamax: Adamax, nadam: Nadam, rmsprop: RMSprop, adagrad: Adagrad, adadelta: Adadelta,
};

/** Everything one fit() run needs, checked and built before the first epoch. */
interface Run {
  model: Module;
  optimizer: StepOptimizer;
  loss: ResolvedLoss;
  xr: Rows;
  yr: Rows;
  val: { xr: Rows; yr: Rows } | null;
  batchSize: number;
  shuffle: boolean;
  /** The accuracy keys, as given in metrics (none: no accuracy). */
  acc: string[];
  stopsOnNaN: boolean;
  callbacks: Callback[];
  initialEpoch: number;
  ctx: FitContext;
  rng: Rng;
  order: Int32Array;
  xb: ReturnType<typeof batchBuffer>;
  yb: ReturnType<typeof batchBuffer>;
  transform: Transform | null;
  /** Runs a batch's forward and loss: as it is, or inside a bfloat16 autocast scope. */
  scope: <T>(fn: () => T) => T;
  /** Arrays reused from step to step, or null when code outside the library may keep a step's tensors. */
  stepArrays: StepArrays | null;
  /** The model's arrays in kernel memory during the batches, when it and the backend allow it (fit-resident.ts). */
  resident: ResidentBatches | null;
}

function nonNegativeInt(key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValueError(`fit: ${key} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** Splits off the validation rows (from the end, before shuffling, as Keras does). */
function validationRows(xr: Rows, yr: Rows, model: Module, o: FitOptions, lossName: string) {
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new ValueError("fit: validationData must be [x, y]");
    if (o.validationSplit !== undefined) throw new ValueError("fit: validationData and validationSplit both choose the validation rows; give one");
    return { xr, yr, val: prepare(model, o.validationData[0], o.validationData[1], lossName, "fit: validationData") };
  }
  if (o.validationSplit === undefined) return { xr, yr, val: null };
  const f = o.validationSplit;
  // typeof first: a string such as "0.2" would pass the range test by coercion.
  if (typeof f !== "number" || !(f >= 0 && f < 1)) throw new ValueError(`fit: validationSplit must be a number in [0, 1), got ${typeof f === "string" ? JSON.stringify(f) : String(f)}`);
  if (f === 0) return { xr, yr, val: null };
  const nTrain = Math.floor(xr.n * (1 - f));
  if (nTrain < 1 || nTrain >= xr.n) throw new ValueError(`fit: validationSplit ${f} leaves no training or no validation samples of ${xr.n}`);
  return { xr: sliceRows(xr, 0, nTrain), yr: sliceRows(yr, 0, nTrain), val: { xr: sliceRows(xr, nTrain, xr.n), yr: sliceRows(yr, nTrain, yr.n) } };
}

/**
 * The run's generator, taken last (after every check, so a refused call changes nothing): a
 * resumed run continues the model's; otherwise a new one from { seed } or from the global generator.
 */
function runGenerator(model: Module, seed: number | undefined, initialEpoch: number): Rng {
  const carried = initialEpoch > 0 ? trainingRandom.get(model) : undefined;
  if (carried) {
    if (seed !== undefined && seed !== carried.seed) {
      throw new ValueError(`fit: seed ${seed} differs from the ${carried.seed === null ? "unseeded run" : `seed ${carried.seed} of the run`} being resumed at epoch ${initialEpoch}; the resumed run continues that run's random stream`);
    }
    return carried.rng;
  }
  if (seed !== undefined && (typeof seed !== "number" || !Number.isFinite(seed))) throw new ValueError(`fit: seed must be a finite number, got ${String(seed)}`);
  const rng = new Rng(seed ?? rngFrom(undefined).nextU32());
  trainingRandom.set(model, { rng, seed: seed ?? null });
  return rng;
}

function setUp(model: Module, x: Tensor, y: Tensor, o: FitOptions): Run {
  if (!(model instanceof Module)) throw new ValueError("fit: model must be a Module");
  if (o === undefined || o === null) throw new ValueError("fit: options { loss, optimizer } are required");
  checkOptions("fit", o, FIT_KEYS);
  const loss = resolveLoss(o.loss);
  const epochs = nonNegativeInt("epochs", o.epochs ?? 1);
  const initialEpoch = nonNegativeInt("initialEpoch", o.initialEpoch ?? 0);
  if (initialEpoch > epochs) throw new ValueError(`fit: initialEpoch ${initialEpoch} is past epochs ${epochs} (epochs is the epoch to stop before)`);
  const batchSize = checkBatchSize("fit", o.batchSize ?? 32);
  if (initialEpoch > 0 && typeof o.optimizer === "string") {
    // A named optimizer is created empty here: Adam's moments or SGD's momentum would restart.
    throw new ValueError(`fit: resuming at initialEpoch ${initialEpoch} needs the optimizer instance restored by loadCheckpoint(), not the name "${o.optimizer}"`);
  }
  const optimizer = typeof o.optimizer === "string" ? makeOptimizer(o.optimizer, model) : o.optimizer;
  // Checked whole before the first batch: a missing zeroGrad or paramGroups (read for the lr log)
  // would otherwise fail mid-run, after updates.
  const groups = optimizer?.paramGroups;
  if (!optimizer || typeof optimizer.step !== "function" || typeof optimizer.zeroGrad !== "function" || !Array.isArray(groups) || typeof groups[0]?.lr !== "number") {
    throw new ValueError("fit: `optimizer` must be an optimizer (step(), zeroGrad() and paramGroups with an lr) or its name");
  }
  if (o.precision !== undefined && o.precision !== "fp32") checkPrecision("fit", o.precision);
  const acc = checkMetrics(o.metrics ?? []);
  const shuffle = boolean("fit", "shuffle", o.shuffle ?? true);
  const first = prepare(model, x, y, loss.name, "fit");
  const { xr, yr, val } = validationRows(first.xr, first.yr, model, o, loss.name);
  const transform = checkTransform(o.transform, xr);
  const callbacks = checkCallbacks(o.callbacks ?? [], { logKeys: logKeys(acc, val !== null), optimizer, epochs });
  const ctx: FitContext = { model, optimizer, epochs, stepsPerEpoch: Math.ceil(xr.n / batchSize), stopTraining: false, stopReason: null, history: { epoch: [], history: {} } };
  const rng = runGenerator(model, o.seed, initialEpoch);
  // A loss by name and a model of registered layers: no code outside the library sees the step's
  // tensors (src/nn/step-safe.ts). bfloat16 steps run other kernels, and keep fresh arrays.
  const stepArrays = typeof o.loss === "string" && o.precision !== "bf16" && keepsNoStepTensors(model) ? newStepArrays() : null;
  return {
    model, optimizer, loss, xr, yr, val, batchSize, shuffle, acc, callbacks, initialEpoch, ctx, rng,
    stopsOnNaN: callbacks.some((c) => c.stopsOnNaN),
    stepArrays,
    // The parameters too are then arrays of kernel memory during the batches, if no callback of the
    // program's own runs between them: it would see those arrays, and could keep one.
    resident: stepArrays && callbacks.every(readsNoArraysPerBatch) ? new ResidentBatches(stepArrays) : null,
    order: Int32Array.from({ length: xr.n }, (_, i) => i),
    // One buffer per batch size, reused every step so that memory stays flat over epochs; no
    // larger than the data (a batchSize past it, which Keras accepts, makes one batch of all).
    xb: batchBuffer(xr, Math.min(batchSize, xr.n), true), yb: batchBuffer(yr, Math.min(batchSize, xr.n), false),
    transform, scope: (fn) => fn(),
  };
}

/** The transform applied to a training batch, which must keep the batch's shape. */
function transformed(t: Transform, batch: Tensor, rng: Rng, where: string): Tensor {
  const out = t(batch, rng);
  if (!(out instanceof Tensor) || out.shape.length !== batch.shape.length || out.shape.some((d, i) => d !== batch.shape[i])) {
    const got = out instanceof Tensor ? `[${out.shape}]` : typeof out;
    throw new ValueError(`fit: transform turned a batch [${batch.shape}] into ${got} at ${where}; it must keep the shape (validation data are not transformed)`);
  }
  return out;
}

/** Checks `transform` on the first training row with a throwaway generator, before anything changes. */
function checkTransform(t: Transform | undefined, xr: Rows): Transform | null {
  if (t === undefined) return null;
  if (typeof t !== "function") throw new ValueError(`fit: transform must be a function (batch, rng) => batch, got ${typeof t}`);
  transformed(t, gather(xr, Int32Array.of(0), 0, 1, batchBuffer(xr, 1, true), true), new Rng(0), "a trial on the first row");
  return t;
}

/** The first NaN/±∞ among the trained parameters, described for an error message, or null. */
function nonFiniteParameter(model: Module): string | null {
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    const d = p.data;
    for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return `parameter "${name}" became ${d[i]} (element ${i})`;
  }
  return null;
}

/** Stops the run (terminateOnNaN) or throws, with a message that says whether weights changed. */
function nonFinite(run: Run, problem: string, where: string, applied: boolean): void {
  const state = applied ? "the update was applied, so the model now holds non-finite weights: restore a checkpoint, then" : "no update was applied;";
  if (!run.stopsOnNaN) throw new ValueError(`fit: ${problem} at ${where} (${state} lower the lr, clip gradients, check the data, or add callbacks.terminateOnNaN())`);
  run.ctx.stopTraining = true;
  run.ctx.stopReason = `terminateOnNaN: ${problem} at ${where}${applied ? " (after the update)" : ""}`;
}

/**
 * One batch's forward, loss, backward and update: its loss and correct count, or null when the
 * loss is not finite and a callback stops the run. The forward and backward take the last
 * step's arrays when the model allows it (run.stepArrays); the step is closed before the
 * optimizer's update, which may be code of the program's own.
 */
function trainStep(run: Run, xt: Tensor, yt: Tensor, params: Tensor[], logits: boolean, where: string): { loss: number; correct: number } | null {
  const { model, optimizer, loss } = run;
  if (run.stepArrays) openStep(run.stepArrays);
  let out: Tensor, lv: number;
  try {
    let l: Tensor;
    [out, l] = run.scope(() => {
      const o = model.forward(xt) as Tensor;
      let lt = loss.fn(o, yt);
      const reg = model.regularizationLoss();
      if (reg) lt = lt.add(reg);
      return [o, lt] as const;
    });
    lv = l.item();
    if (!Number.isFinite(lv)) {
      // A non-finite parameter makes the next loss non-finite, so the parameters are scanned
      // only then (and once per epoch below), not after every step: the scan of every weight
      // would cost a few percent of each step.
      const bad = nonFiniteParameter(model);
      if (bad) nonFinite(run, `${bad} in an earlier update (this batch's loss is ${lv})`, where, true);
      else nonFinite(run, `loss is ${lv}`, where, false);
      return null;
    }
    handBackWeightGrads(params);
    run.resident?.offerGradSlots();
    optimizer.zeroGrad();
    l.backward();
  } finally {
    // The step's arrays are free for the next step's forward: nothing reads them after this
    // step's own last lines below (its outputs, for the correct count).
    closeStep();
  }
  optimizer.step();
  return { loss: lv, correct: run.acc.length ? countCorrect(out, yt, logits) : 0 };
}

/** One epoch of mini-batch steps; the running loss/accuracy, or null when no batch ran. */
function trainEpoch(run: Run, epoch: number): Logs | null {
  const { model, loss, xr, yr, batchSize, ctx } = run;
  model.train();
  if (run.shuffle) {
    // A permutation of 0..n-1 afresh every epoch (not of the last one): an epoch's order then
    // depends on the generator alone, which a checkpoint saves.
    for (let i = 0; i < run.order.length; i++) run.order[i] = i;
    run.rng.shuffle(run.order);
  }
  const logits = LOGIT_LOSSES.has(loss.name);
  // The weights' gradient arrays go back to their layers before each zeroGrad, to be written
  // again rather than allocated (src/ndarray/grad-buffers.ts).
  const params = model.parameters();
  let lossSum = 0, correct = 0, seen = 0;
  // Input rows are gathered straight into kernel memory when no transform sees them.
  const ownBatch = run.xb;
  const residentBatch = run.resident?.enter(params, run.transform === null && ownBatch instanceof Float32Array ? ownBatch : null);
  if (residentBatch) run.xb = residentBatch;
  try {
    for (let b = 0; b < ctx.stepsPerEpoch && !ctx.stopTraining; b++) {
      const s = b * batchSize, e = Math.min(s + batchSize, xr.n);
      const where = `epoch ${epoch + 1}, batch ${b + 1}`;
      const xb = gather(xr, run.order, s, e, run.xb, true);
      const xt = run.transform ? transformed(run.transform, xb, run.rng, where) : xb;
      const yt = gather(yr, run.order, s, e, run.yb, false);
      run.resident?.beforeBatch(b);
      const step = trainStep(run, xt, yt, params, logits, where);
      if (step === null) break;
      const lv = step.loss;
      lossSum += lv * (e - s);
      seen += e - s;
      correct += step.correct;
      for (const c of run.callbacks) c.onBatchEnd?.(b, { loss: lv }, ctx);
    }
  } finally {
    run.resident?.leave(params);
    run.xb = ownBatch;
  }
  const bad = ctx.stopTraining ? null : nonFiniteParameter(model);
  if (bad) {
    // As for a stop inside the epoch: an epoch that ends with broken weights is not recorded.
    nonFinite(run, `${bad} in an update`, `the end of epoch ${epoch + 1}`, true);
    return null;
  }
  if (seen === 0) return null;
  const logs: Logs = { loss: lossSum / seen };
  for (const k of run.acc) logs[k] = correct / seen;
  return logs;
}

/**
 * Keras-style training loop: seeded shuffled mini-batches, one optimizer step per batch, the
 * model's regularization penalties added to the loss, validation and callbacks per epoch.
 * Returns the history (Keras's keys). A NaN/∞ batch loss throws a ValueError before the update;
 * parameters made non-finite by an update throw naming the parameter; callbacks.terminateOnNaN()
 * turns both into a stop. A Linear weight's `.grad` array is written again by the next batch
 * rather than allocated anew: a callback that keeps a gradient must copy it. On the threaded build
 * (init({ threads })), with no callback per batch but the library's progress bar or time budget, a
 * parameter's storage is kernel memory while an epoch's batches run and its own array again,
 * updated, when they end (src/nn/fit-resident.ts).
 */
export async function fit(model: Module, x: Tensor, y: Tensor, o: FitOptions): Promise<History> {
  const run = setUp(model, x, y, o);
  // Loaded on demand, so that a program that never trains in bfloat16 does not bundle it.
  if (o.precision === "bf16") {
    const { autocast } = await import("./autocast.js");
    run.scope = (fn) => autocast("bf16", fn);
  }
  const { ctx, callbacks } = run;
  for (const c of callbacks) await c.onTrainBegin?.(ctx);
  for (let epoch = run.initialEpoch; epoch < ctx.epochs && !ctx.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
    // The batches run synchronously with the run's generator as the global one: another fit
    // interleaved at an await cannot draw from this run's stream.
    const logs = withGlobalRng(run.rng, () => trainEpoch(run, epoch));
    if (logs === null) break;
    if (run.val) {
      const v = evaluateRows(model, run.val.xr, run.val.yr, run.loss, run.acc, Math.max(run.batchSize, 256));
      for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
    }
    logs.lr = run.optimizer.paramGroups[0].lr;
    // Recorded before the callbacks run, so one that reads ctx.history sees this epoch.
    ctx.history.epoch.push(epoch);
    const own = Object.keys(logs);
    for (const k of own) (ctx.history.history[k] ??= []).push(logs[k]);
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, ctx);
    // A key a callback added to the logs (a metric it computed) is recorded too, as Keras's
    // History records it (it runs after the other callbacks).
    for (const [k, v] of Object.entries(logs)) if (!own.includes(k)) (ctx.history.history[k] ??= []).push(v);
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
