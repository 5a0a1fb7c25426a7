// Drives pruning from fit(): masks applied before the first step and after every optimizer step
// (so pruned weights stay exactly zero through fine-tuning), recomputed on the schedule's steps.
import { ValueError } from "../errors.js";
import type { Callback } from "../nn/callbacks.js";
import { checkOptions } from "../options.js";
import type { Module } from "../nn/module.js";
import { magnitudePrune, type PruneOptions } from "./prune.js";
import { applyMasks, getPruning } from "./pruning-state.js";
import type { PruningSchedule } from "./schedule.js";

export interface PruningCallbackOptions extends Omit<PruneOptions, "sparsity"> {
  /** When and how far to prune; without one, the masks already on the model are just held. */
  schedule?: PruningSchedule;
}

export interface PruningCallback extends Callback {
  /** Optimizer steps seen so far (kept across fit() calls, as the schedule's clock). */
  readonly step: number;
  /** The sparsity the masks were last computed for. */
  readonly sparsity: number;
}

export function pruningCallback(o: PruningCallbackOptions = {}): PruningCallback {
  checkOptions("pruningCallback", o, ["schedule", "scope", "structure", "norm", "filter"]);
  let step = 0, sparsity = 0;
  const { schedule, ...prune } = o;
  const given = Object.entries(prune).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (!schedule && given.length > 0) {
    // Without a schedule the callback never prunes, only holds the masks: pruning options would be unused.
    throw new ValueError(`pruningCallback: ${given.join(", ")} only apply with a schedule`);
  }
  // N:M fixes the sparsity at 1 − n/m, so a schedule's ramp of targets could not be followed.
  const refuseNM = (structure: unknown, whose: string) => {
    if (schedule && typeof structure === "object" && structure !== null) {
      throw new ValueError(`pruningCallback: ${whose} N:M structure fixes the sparsity at 1 − n/m, so a sparsity schedule does not apply; prune once with magnitudePrune(model, { structure }) and hold the masks with pruningCallback() (no schedule)`);
    }
  };
  refuseNM(prune.structure, "the");
  // Prunes at the schedule's target for `step` if this is an update step; always re-applies masks.
  const sync = (model: Module) => {
    if (schedule && schedule.updatesAt(step)) {
      const s = schedule.sparsityAt(step);
      const p = getPruning(model);
      // Never unprune: keep the options the model was pruned with, with the new target.
      magnitudePrune(model, { ...(p?.options ?? {}), ...prune, sparsity: Math.max(s, sparsity) });
      sparsity = Math.max(s, sparsity);
    } else applyMasks(model);
  };
  return {
    get step() { return step; },
    get sparsity() { return sparsity; },
    onTrainBegin(ctx) {
      refuseNM(prune.structure ?? getPruning(ctx.model)?.options.structure, "the model's");
      sync(ctx.model);
    },
    onBatchEnd(_b, _logs, ctx) {
      step++;
      sync(ctx.model);
    },
  };
}
