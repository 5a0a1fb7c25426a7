import { positive, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { ReduceLROnPlateau } from "../optim/lr/plateau.js";
import { LRScheduler } from "../optim/lr/scheduler.js";
import type { Module } from "./module.js";
import { checkMonitor, monitored } from "./callbacks-monitor.js";
import { seesNoArrays } from "./step-safe.js";

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

/** What a fit() run will be, known before its first batch. */
export interface RunPlan {
  /** The keys of every epoch's logs: loss, accuracy with the metric, val_* with validation, lr. */
  logKeys: readonly string[];
  optimizer: FitContext["optimizer"];
  epochs: number;
}

/** Hooks called by fit(); every one is optional and may be async (epoch-level ones are awaited). */
export interface Callback {
  /**
   * Called by fit() before anything changes (no weight, optimizer or generator touched yet):
   * throw to refuse a run the callback cannot serve, e.g. a monitored key the run never logs.
   */
  checkRun?(plan: RunPlan): void;
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): void;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
  /** When a batch loss is NaN/∞: true makes fit stop before the update instead of throwing. */
  readonly stopsOnNaN?: boolean;
}

export { earlyStopping, reduceLROnPlateau, modelCheckpoint } from "./callbacks-monitor.js";
export type { EarlyStoppingOptions, ReduceLROnPlateauCallbackOptions, ModelCheckpointOptions } from "./callbacks-monitor.js";

/**
 * Steps an LR scheduler at the end of every epoch, or after every batch's update with
 * `{ interval: "batch" }` (OneCycleLR and CyclicLR count batches). The scheduler keeps its own
 * state across fit() calls (as a PyTorch scheduler does), so it must drive the run's optimizer:
 * a run with another optimizer is refused before it starts.
 */
export function lrScheduler(s: LRScheduler, o: { interval?: "epoch" | "batch" } = {}): Callback {
  if (s instanceof ReduceLROnPlateau) throw new ValueError("lrScheduler: ReduceLROnPlateau steps on a metric; use callbacks.reduceLROnPlateau({ monitor })");
  if (!(s instanceof LRScheduler) && (s === null || typeof s !== "object" || typeof (s as { step?: unknown }).step !== "function")) {
    throw new ValueError(`lrScheduler: expected an LR scheduler with step(), got ${s === null ? "null" : typeof s === "object" ? "an object without step()" : typeof s}`);
  }
  checkOptions("lrScheduler", o, ["interval"]);
  const interval = o.interval ?? "epoch";
  if (interval !== "epoch" && interval !== "batch") throw new ValueError(`lrScheduler: interval must be "epoch" or "batch", got ${String(interval)}`);
  const checkRun = (plan: RunPlan) => {
    const driven = (s as { optimizer?: unknown }).optimizer;
    if (driven !== undefined && driven !== plan.optimizer) {
      throw new ValueError("lrScheduler: the scheduler drives another optimizer than this fit's (build a scheduler on the optimizer passed to fit)");
    }
  };
  return interval === "batch" ? { checkRun, onBatchEnd() { s.step(); } } : { checkRun, onEpochEnd() { s.step(); } };
}

/** Stops training (before applying the update) when a batch loss is NaN or ±∞. */
export function terminateOnNaN(): Callback {
  return { stopsOnNaN: true };
}

/** Stops when the monitored value changes by less than minDelta for `patience` epochs in a row. */
export function stopOnLossChange(o: { minDelta: number; patience?: number; monitor?: string }): Callback {
  checkOptions("stopOnLossChange", o, ["minDelta", "patience", "monitor"]);
  const minDelta = positive("stopOnLossChange", "minDelta", o?.minDelta, true);
  const patience = positiveInt("stopOnLossChange", "patience", o.patience ?? 1);
  const monitor = o.monitor ?? "loss";
  checkMonitor("stopOnLossChange", monitor);
  let prev: number | null = null, calm = 0;
  return {
    checkRun(plan) { checkMonitor("stopOnLossChange", monitor, plan); },
    onTrainBegin() { prev = null; calm = 0; },
    onEpochEnd(_e, logs, ctx) {
      const v = monitored(logs, monitor, "stopOnLossChange")!;
      if (prev !== null && Math.abs(v - prev) < minDelta) calm++;
      else calm = 0;
      prev = v;
      if (calm >= patience) {
        ctx.stopTraining = true;
        ctx.stopReason = `stopOnLossChange: ${monitor} changed by less than ${minDelta} for ${calm} epochs`;
      }
    },
  };
}

/** Stops after the batch during which `seconds` of training time have passed. */
export function timeBudget(o: { seconds: number }): Callback {
  checkOptions("timeBudget", o, ["seconds"]);
  const seconds = positive("timeBudget", "seconds", o?.seconds);
  let start = 0;
  // It reads the clock and nothing of the model: fit's arrays may stay in kernel memory.
  return seesNoArrays({
    onTrainBegin() { start = performance.now(); },
    onBatchEnd(_b, _l, ctx) {
      if (performance.now() - start >= seconds * 1000) {
        ctx.stopTraining = true;
        ctx.stopReason = `timeBudget: ${seconds} s elapsed`;
      }
    },
  } satisfies Callback);
}

/** A plain hook at the end of every epoch. */
export function onEpochEnd(fn: (epoch: number, logs: Logs, ctx: FitContext) => void | Promise<void>): Callback {
  if (typeof fn !== "function") throw new ValueError(`onEpochEnd: expected a function (epoch, logs, ctx) => …, got ${typeof fn}`);
  return { onEpochEnd: fn };
}

export { progressBar } from "./progress.js";
