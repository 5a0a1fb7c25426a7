import { boolean, finite, nonNegativeInt, oneOf, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Tensor } from "../ndarray/index.js";
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "../optim/lr/plateau.js";
import { saveCheckpoint, type Stateful } from "./checkpoint.js";
import type { Callback, Logs, RunPlan } from "./callbacks.js";

/** The callbacks that watch one logged value (Keras's `monitor`): earlyStopping, reduceLROnPlateau, modelCheckpoint. */

const MODES = ["min", "max", "auto"] as const;
type Mode = (typeof MODES)[number];

/**
 * A monitor option is a non-empty string; given the run's plan, also a key its logs will hold —
 * checked before the first batch, not after an epoch has already changed the weights.
 */
export function checkMonitor(who: string, monitor: unknown, plan?: RunPlan): string {
  if (typeof monitor !== "string" || monitor === "") throw new ValueError(`${who}: monitor must be a non-empty string, got ${String(monitor)}`);
  if (plan && !plan.logKeys.includes(monitor)) {
    throw new ValueError(`${who}: monitor "${monitor}" is not logged by this fit; it logs ${plan.logKeys.join(", ")} (val_* need validationData or validationSplit, accuracy needs metrics: ["accuracy"])`);
  }
  return monitor;
}

/** Keras's default: val_loss when the run validates, else loss. Chosen per run, from that run's keys. */
const defaultMonitor = (keys: readonly string[] | Logs) => (Array.isArray(keys) ? keys.includes("val_loss") : "val_loss" in keys) ? "val_loss" : "loss";

export function monitored(logs: Logs, monitor: string, who: string): number | undefined {
  const v = logs[monitor];
  if (v === undefined && !(monitor in logs)) {
    throw new ValueError(`${who}: metric "${monitor}" is not logged; available: ${Object.keys(logs).join(", ")}`);
  }
  return v;
}
const modeFor = (monitor: string, mode: Mode = "auto") =>
  mode !== "auto" ? mode : /acc|auc|precision|recall|f1|r2/.test(monitor) ? "max" : "min";

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  /** At the end, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** As Keras: patience runs out unless an epoch beats both the best so far and this value. */
  baseline?: number;
}

/**
 * Keras's EarlyStopping: stop when `monitor` has not improved by minDelta for `patience` epochs.
 * Like Keras, its state (best value, wait, best weights, default monitor) restarts with every fit.
 */
export function earlyStopping(o: EarlyStoppingOptions = {}): Callback {
  const who = "earlyStopping";
  checkOptions(who, o, ["monitor", "minDelta", "patience", "mode", "restoreBestWeights", "baseline"]);
  if (o.monitor !== undefined) checkMonitor(who, o.monitor);
  // Keras takes |min_delta|: the direction comes from the mode.
  const minDelta = Math.abs(finite(who, "minDelta", o.minDelta ?? 0));
  const patience = nonNegativeInt(who, "patience", o.patience ?? 0);
  const mode = oneOf(who, "mode", o.mode ?? "auto", MODES);
  const restore = boolean(who, "restoreBestWeights", o.restoreBestWeights ?? false);
  const baseline = o.baseline === undefined ? undefined : finite(who, "baseline", o.baseline);
  let monitor = "", sign = 1;
  let best = Infinity, wait = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  return {
    checkRun(plan) { checkMonitor(who, o.monitor ?? defaultMonitor(plan.logKeys), plan); },
    onTrainBegin() {
      monitor = ""; wait = 0; bestWeights = null;
    },
    onEpochEnd(epoch, logs, ctx) {
      if (monitor === "") {
        monitor = o.monitor ?? defaultMonitor(logs);
        // Values are compared as sign·v so that "max" metrics use the same "smaller is better" test.
        sign = modeFor(monitor, mode) === "min" ? 1 : -1;
        best = Infinity;
      }
      const v = monitored(logs, monitor, who);
      if (v === undefined) return;
      const keep = () => {
        bestWeights = {};
        for (const [k, t] of Object.entries(ctx.model.stateDict())) bestWeights[k] = t.clone();
      };
      // As Keras: the first epoch's weights stand in when no epoch ever improves (a NaN monitor).
      if (restore && bestWeights === null) keep();
      wait++;
      if (sign * v < best - minDelta) {
        // The best so far is tracked (and its weights kept) even short of the baseline; the wait
        // restarts only once the baseline is beaten too, and an improving epoch never stops the run.
        best = sign * v;
        if (restore) keep();
        if (baseline === undefined || sign * v < sign * baseline - minDelta) wait = 0;
      } else if (wait >= patience && epoch > 0) {
        ctx.stopTraining = true;
        ctx.stopReason = `earlyStopping: ${monitor} did not improve for ${wait} epochs`;
      }
    },
    onTrainEnd(ctx) {
      if (restore && bestWeights) ctx.model.loadStateDict(bestWeights);
    },
  };
}

export interface ReduceLROnPlateauCallbackOptions extends Omit<ReduceLROnPlateauOptions, "mode"> {
  monitor?: string;
  /** "auto" (default): "max" for accuracy-like monitors, else "min", as Keras. */
  mode?: Mode;
}
const PLATEAU_KEYS = ["monitor", "mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"];

/**
 * Lowers the lr when `monitor` plateaus (optim.lr.ReduceLROnPlateau driven by the logs). Its
 * options are checked now by that scheduler's own checks; each fit builds a fresh scheduler on
 * that run's optimizer (Keras resets the callback when training begins).
 */
export function reduceLROnPlateau(o: ReduceLROnPlateauCallbackOptions = {}): Callback {
  const who = "reduceLROnPlateau";
  checkOptions(who, o, PLATEAU_KEYS);
  const { monitor: chosen, mode: given, ...plateau } = o;
  if (chosen !== undefined) checkMonitor(who, chosen);
  const mode = oneOf(who, "mode", given ?? "auto", MODES);
  const options = (monitor: string) => ({ ...plateau, mode: modeFor(monitor, mode) });
  // A throwaway scheduler on a stand-in optimizer runs the scheduler's checks of every value; a
  // minLr list is given as many groups as it has, and is matched to the real optimizer by checkRun.
  const groups = Array.isArray(plateau.minLr) ? Math.max(plateau.minLr.length, 1) : 1;
  new ReduceLROnPlateau({ paramGroups: Array.from({ length: groups }, () => ({ lr: 1 })) }, options(chosen ?? "loss"));
  let run: { monitor: string; sched: ReduceLROnPlateau } | null = null;
  return {
    checkRun(plan) {
      const monitor = checkMonitor(who, chosen ?? defaultMonitor(plan.logKeys), plan);
      new ReduceLROnPlateau(plan.optimizer, options(monitor));
    },
    onTrainBegin() { run = null; },
    onEpochEnd(_e, logs, ctx) {
      if (run === null || run.sched.optimizer !== ctx.optimizer) {
        const monitor = chosen ?? defaultMonitor(logs);
        run = { monitor, sched: new ReduceLROnPlateau(ctx.optimizer, options(monitor)) };
      }
      const v = monitored(logs, run.monitor, who);
      if (v !== undefined) run.sched.step(v);
    },
  };
}

export interface ModelCheckpointOptions {
  /** Receives each checkpoint (saveCheckpoint's bytes), the epochs completed and the epoch's logs. */
  save: (bytes: Uint8Array, epoch: number, logs: Logs) => void | Promise<void>;
  /** The logged value saveBestOnly compares (default val_loss when logged, else loss). */
  monitor?: string;
  mode?: Mode;
  /** Save only when `monitor` improved on every earlier saved value (of earlier fit() calls too, as Keras). */
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
  const who = "modelCheckpoint";
  checkOptions(who, o, ["save", "monitor", "mode", "saveBestOnly", "everyNEpochs", "scheduler"]);
  if (typeof o?.save !== "function") throw new ValueError("modelCheckpoint: save must be a function (bytes, epoch, logs) => …");
  const every = positiveInt(who, "everyNEpochs", o.everyNEpochs ?? 1);
  const mode = oneOf(who, "mode", o.mode ?? "auto", MODES);
  const bestOnly = boolean(who, "saveBestOnly", o.saveBestOnly ?? false);
  if (o.monitor !== undefined) checkMonitor(who, o.monitor);
  if (!bestOnly && (o.monitor !== undefined || o.mode !== undefined)) throw new ValueError("modelCheckpoint: monitor and mode choose the best epoch, so they need saveBestOnly: true");
  const s = o.scheduler;
  if (s !== undefined && (s === null || typeof s.stateDict !== "function" || typeof s.loadStateDict !== "function")) {
    throw new ValueError("modelCheckpoint: scheduler must have stateDict() and loadStateDict()");
  }
  // The best saved value outlives a fit() call, as Keras's self.best (never reset in
  // on_train_begin): a later run saves only what beats the earlier runs' best. A run whose
  // default monitor is another key (val_loss after loss) starts afresh: the values do not compare.
  let best = Infinity, bestOf = "";
  return {
    checkRun(plan) {
      if (bestOnly) checkMonitor(who, o.monitor ?? defaultMonitor(plan.logKeys), plan);
    },
    async onEpochEnd(epoch, logs, ctx) {
      if ((epoch + 1) % every !== 0) return;
      if (bestOnly) {
        const monitor = o.monitor ?? defaultMonitor(logs);
        if (monitor !== bestOf) { best = Infinity; bestOf = monitor; }
        const v = monitored(logs, monitor, who);
        // Compared as sign·v, so "max" metrics use the same "smaller is better" test.
        const signed = (modeFor(monitor, mode) === "min" ? 1 : -1) * (v ?? NaN);
        if (!(signed < best)) return;
        best = signed;
      }
      const opt = ctx.optimizer as Partial<Stateful>;
      const optimizer = typeof opt.stateDict === "function" && typeof opt.loadStateDict === "function" ? (opt as Stateful) : undefined;
      const bytes = saveCheckpoint({ model: ctx.model, optimizer, scheduler: s, epoch: epoch + 1, extra: { logs } });
      await o.save(bytes, epoch + 1, logs);
    },
  };
}
