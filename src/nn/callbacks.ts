import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Tensor } from "../ndarray/index.js";
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "../optim/lr/plateau.js";
import type { LRScheduler } from "../optim/lr/scheduler.js";
import { saveCheckpoint, type Stateful } from "./checkpoint.js";
import type { Module } from "./module.js";

/** Per-epoch numbers, Keras's keys: loss, accuracy, val_loss, val_accuracy, lr. */
export type Logs = Record<string, number>;

/** What callbacks see and may change while fit() runs. */
export interface FitContext {
  model: Module;
  optimizer: { paramGroups: { lr: number }[]; lr?: number };
  epochs: number;
  stepsPerEpoch: number;
  /** Set to true to end training after the current batch. */
  stopTraining: boolean;
  stopReason: string | null;
  history: { epoch: number[]; history: Record<string, number[]> };
}

/** Hooks called by fit(); every one is optional and may be async (epoch-level ones are awaited). */
export interface Callback {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): void;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
  /** When a batch loss is NaN/∞: true makes fit stop before the update instead of throwing. */
  readonly stopsOnNaN?: boolean;
}

function monitored(logs: Logs, monitor: string, who: string): number | undefined {
  const v = logs[monitor];
  if (v === undefined && !(monitor in logs)) {
    throw new ValueError(`${who}: metric "${monitor}" is not logged; available: ${Object.keys(logs).join(", ")}`);
  }
  return v;
}
const modeFor = (monitor: string, mode: "min" | "max" | "auto" = "auto") =>
  mode !== "auto" ? mode : /acc|auc|precision|recall|f1|r2/.test(monitor) ? "max" : "min";

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: "min" | "max" | "auto";
  /** At the end, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  baseline?: number;
}

/** Keras's EarlyStopping: stop when `monitor` has not improved by minDelta for `patience` epochs. */
export function earlyStopping(o: EarlyStoppingOptions = {}): Callback {
  checkOptions("earlyStopping", o, ["monitor", "minDelta", "patience", "mode", "restoreBestWeights", "baseline"]);
  const minDelta = Math.abs(o.minDelta ?? 0);
  const patience = o.patience ?? 0;
  let monitor = o.monitor;
  let sign = 1;
  let best: number | null = null, wait = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  return {
    onTrainBegin() {
      best = null; wait = 0; bestWeights = null;
    },
    onEpochEnd(epoch, logs, ctx) {
      monitor ??= "val_loss" in logs ? "val_loss" : "loss";
      if (best === null) {
        // Values are compared as sign·v so that "max" metrics use the same "smaller is better" test.
        sign = modeFor(monitor, o.mode) === "min" ? 1 : -1;
        best = o.baseline !== undefined ? sign * o.baseline : Infinity;
      }
      const v = monitored(logs, monitor, "earlyStopping");
      if (v === undefined) return;
      wait++;
      if (sign * v < best - minDelta) {
        best = sign * v;
        wait = 0;
        if (o.restoreBestWeights) {
          bestWeights = {};
          for (const [k, t] of Object.entries(ctx.model.stateDict())) bestWeights[k] = t.clone();
        }
      } else if (wait >= patience && epoch > 0) {
        ctx.stopTraining = true;
        ctx.stopReason = `earlyStopping: ${monitor} did not improve for ${wait} epochs`;
      }
    },
    onTrainEnd(ctx) {
      if (o.restoreBestWeights && bestWeights) ctx.model.loadStateDict(bestWeights);
    },
  };
}

/** Lowers the lr when `monitor` plateaus (optim.lr.ReduceLROnPlateau driven by the logs). */
export function reduceLROnPlateau(o: ReduceLROnPlateauOptions & { monitor?: string } = {}): Callback {
  let sched: ReduceLROnPlateau | null = null;
  const { monitor: chosen, ...plateau } = o;
  let monitor = chosen;
  return {
    onEpochEnd(_e, logs, ctx) {
      monitor ??= "val_loss" in logs ? "val_loss" : "loss";
      sched ??= new ReduceLROnPlateau(ctx.optimizer, { mode: modeFor(monitor), ...plateau });
      const v = monitored(logs, monitor, "reduceLROnPlateau");
      if (v !== undefined) sched.step(v);
    },
  };
}

/**
 * Steps an LR scheduler at the end of every epoch, or after every batch's update with
 * `{ interval: "batch" }` (OneCycleLR and CyclicLR count batches).
 */
export function lrScheduler(s: LRScheduler, o: { interval?: "epoch" | "batch" } = {}): Callback {
  checkOptions("lrScheduler", o, ["interval"]);
  const interval = o.interval ?? "epoch";
  if (interval !== "epoch" && interval !== "batch") throw new ValueError(`lrScheduler: interval must be "epoch" or "batch", got ${String(interval)}`);
  return interval === "batch" ? { onBatchEnd() { s.step(); } } : { onEpochEnd() { s.step(); } };
}

/** Stops training (before applying the update) when a batch loss is NaN or ±∞. */
export function terminateOnNaN(): Callback {
  return { stopsOnNaN: true };
}

/** Stops when the monitored value changes by less than minDelta for `patience` epochs in a row. */
export function stopOnLossChange(o: { minDelta: number; patience?: number; monitor?: string }): Callback {
  checkOptions("stopOnLossChange", o, ["minDelta", "patience", "monitor"]);
  if (!(o?.minDelta >= 0)) throw new ValueError(`stopOnLossChange: minDelta must be ≥ 0, got ${o?.minDelta}`);
  const patience = o.patience ?? 1;
  const monitor = o.monitor ?? "loss";
  let prev: number | null = null, calm = 0;
  return {
    onTrainBegin() { prev = null; calm = 0; },
    onEpochEnd(_e, logs, ctx) {
      const v = monitored(logs, monitor, "stopOnLossChange")!;
      if (prev !== null && Math.abs(v - prev) < o.minDelta) calm++;
      else calm = 0;
      prev = v;
      if (calm >= patience) {
        ctx.stopTraining = true;
        ctx.stopReason = `stopOnLossChange: ${monitor} changed by less than ${o.minDelta} for ${calm} epochs`;
      }
    },
  };
}

/** Stops after the batch during which `seconds` of training time have passed. */
export function timeBudget(o: { seconds: number }): Callback {
  checkOptions("timeBudget", o, ["seconds"]);
  if (!(o?.seconds > 0)) throw new ValueError(`timeBudget: seconds must be > 0, got ${o?.seconds}`);
  let start = 0;
  return {
    onTrainBegin() { start = performance.now(); },
    onBatchEnd(_b, _l, ctx) {
      if (performance.now() - start >= o.seconds * 1000) {
        ctx.stopTraining = true;
        ctx.stopReason = `timeBudget: ${o.seconds} s elapsed`;
      }
    },
  };
}

/** A plain hook at the end of every epoch. */
export function onEpochEnd(fn: (epoch: number, logs: Logs, ctx: FitContext) => void | Promise<void>): Callback {
  return { onEpochEnd: fn };
}

export interface ModelCheckpointOptions {
  /** Receives each checkpoint (saveCheckpoint's bytes), the epochs completed and the epoch's logs. */
  save: (bytes: Uint8Array, epoch: number, logs: Logs) => void | Promise<void>;
  /** The logged value saveBestOnly compares (default val_loss when logged, else loss). */
  monitor?: string;
  mode?: "min" | "max" | "auto";
  /** Save only when `monitor` improved on every earlier saved value. */
  saveBestOnly?: boolean;
  /** Consider saving every n epochs (default 1). */
  everyNEpochs?: number;
  /** Saved with the model and optimizer, for a scheduler fit does not know about. */
  scheduler?: Stateful;
}

/**
 * Keras's ModelCheckpoint: at the end of an epoch, a checkpoint of the model, the optimizer
 * (when it has stateDict()), the scheduler given here and the run's random state, handed to
 * `save` — the best so far or every n epochs. Its epoch is the number of epochs completed, so
 * `fit(…, { initialEpoch: epoch })` after loadCheckpoint() continues the run.
 */
export function modelCheckpoint(o: ModelCheckpointOptions): Callback {
  checkOptions("modelCheckpoint", o, ["save", "monitor", "mode", "saveBestOnly", "everyNEpochs", "scheduler"]);
  if (typeof o?.save !== "function") throw new ValueError("modelCheckpoint: save must be a function (bytes, epoch, logs) => …");
  const every = o.everyNEpochs ?? 1;
  positiveInt("modelCheckpoint", "everyNEpochs", every);
  if (o.mode !== undefined && !["min", "max", "auto"].includes(o.mode)) throw new ValueError(`modelCheckpoint: mode must be "min", "max" or "auto", got ${JSON.stringify(o.mode)}`);
  if (o.saveBestOnly !== undefined && typeof o.saveBestOnly !== "boolean") throw new ValueError("modelCheckpoint: saveBestOnly must be a boolean");
  if (!o.saveBestOnly && (o.monitor !== undefined || o.mode !== undefined)) throw new ValueError("modelCheckpoint: monitor and mode choose the best epoch, so they need saveBestOnly: true");
  let best = Infinity;
  return {
    onTrainBegin() { best = Infinity; },
    async onEpochEnd(epoch, logs, ctx) {
      if ((epoch + 1) % every !== 0) return;
      if (o.saveBestOnly) {
        const monitor = o.monitor ?? ("val_loss" in logs ? "val_loss" : "loss");
        const v = monitored(logs, monitor, "modelCheckpoint");
        // Compared as sign·v, so "max" metrics use the same "smaller is better" test.
        const signed = (modeFor(monitor, o.mode) === "min" ? 1 : -1) * (v ?? NaN);
        if (!(signed < best)) return;
        best = signed;
      }
      const opt = ctx.optimizer as Partial<Stateful>;
      const optimizer = typeof opt.stateDict === "function" && typeof opt.loadStateDict === "function" ? (opt as Stateful) : undefined;
      const bytes = saveCheckpoint({ model: ctx.model, optimizer, scheduler: o.scheduler, epoch: epoch + 1, extra: { logs } });
      await o.save(bytes, epoch + 1, logs);
    },
  };
}

export { progressBar } from "./progress.js";
