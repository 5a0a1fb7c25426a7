import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import type { Callback, RunPlan } from "./callbacks.js";

// fit()'s checks of its callbacks, run before the first batch so that a bad one changes nothing.

/** The keys of every epoch's logs, in the order fit() writes them. */
export function logKeys(accuracy: readonly string[], validation: boolean): string[] {
  const own = ["loss", ...accuracy];
  return [...own, ...(validation ? own.map((k) => `val_${k}`) : []), "lr"];
}

const HOOKS = ["checkRun", "onTrainBegin", "onEpochBegin", "onBatchEnd", "onEpochEnd", "onTrainEnd"] as const;

/**
 * fit()'s check of its callbacks list, before the first batch: each entry an object whose hooks
 * are functions (a non-function would fail mid-training, after updates), then each one's
 * checkRun against the run. Returns the list.
 */
export function checkCallbacks(list: unknown, plan: RunPlan): Callback[] {
  if (!Array.isArray(list)) throw new ValueError(`fit: callbacks must be an array, got ${list === null ? "null" : typeof list}`);
  list.forEach((c: unknown, i) => {
    if (c === null || typeof c !== "object") throw new ValueError(`fit: callbacks[${i}] must be a callback object, got ${c === null ? "null" : typeof c}`);
    const hooks = c as Record<string, unknown>;
    for (const h of HOOKS) {
      if (hooks[h] !== undefined && typeof hooks[h] !== "function") throw new ValueError(`fit: callbacks[${i}].${h} must be a function, got ${typeof hooks[h]}`);
    }
    if (hooks.stopsOnNaN !== undefined) boolean("fit", `callbacks[${i}].stopsOnNaN`, hooks.stopsOnNaN);
  });
  for (const c of list as Callback[]) c.checkRun?.(plan);
  return list as Callback[];
}
