import { EdgegradError, ValueError } from "../errors.js";
import type { Rng } from "../ndarray/index.js";
import type { Distribution, ParamSpace, Sampler } from "./space.js";

/** What a trial's training function receives besides its parameters. */
export interface TrialContext {
  /** The trial's number in the search (0-based, in the order the search created it). */
  trial: number;
  /**
   * A seed for everything random in the trial, from the search's seed and the trial's number
   * alone (in successive halving and Hyperband, the configuration's number: a promoted
   * configuration trains again from the same initialization with the larger budget).
   */
  seed: number;
  /** The budget to train with (epochs, say), in successive halving and Hyperband; undefined in TPE. */
  resource?: number;
  /**
   * Records an intermediate score (after an epoch, say). Under a pruner it throws TrialPruned when
   * the trial should stop: let it propagate (the search catches it and keeps the last score).
   */
  report(step: number, score: number): void;
}

/** A trial: train with `params`, return the validation score (or report it and return nothing). */
export type TrialFn<P = Record<string, unknown>> = (params: P, ctx: TrialContext) => number | void | Promise<number | void>;

/** Thrown by report() when the pruner stops a trial; the search records the trial as pruned. */
export class TrialPruned extends EdgegradError {
  override name = "TrialPruned";
}

/** A trial's training function threw (in this thread or in a worker): the search stops with this. */
export class TrialError extends EdgegradError {
  override name = "TrialError";
}

/** The median-stopping reference a trial is judged against, frozen when the trial starts. */
export interface PruneReference {
  /** Per step, the median score of the finished trials that reported at that step. */
  medians: Record<number, number>;
  /** Steps below this are never pruned. */
  warmupSteps: number;
  /** +1 when higher scores are better, −1 when lower are. */
  sign: number;
}

/** One trial as sent to a runner (this thread or a worker): plain data, so it can be posted. */
export interface TrialJob {
  trial: number;
  params: Record<string, unknown>;
  seed: number;
  resource?: number;
  prune?: PruneReference;
}

export interface TrialOutcome {
  score: number;
  pruned: boolean;
  /** Every report(step, score), in order. */
  reports: [number, number][];
  timeMs: number;
}

/**
 * Runs one trial. Self-contained on purpose (no reference outside its body): the worker runner
 * ships its source text to the worker, so both runners decide pruning by the same code.
 */
export async function runTrialJob(train: (p: unknown, c: unknown) => unknown, job: TrialJob, makePruned: (m: string) => Error): Promise<TrialOutcome> {
  const reports: [number, number][] = [];
  const start = Date.now();
  const ctx = {
    trial: job.trial, seed: job.seed, resource: job.resource,
    report(step: number, score: number) {
      if (typeof step !== "number" || typeof score !== "number" || Number.isNaN(score)) {
        throw new Error(`report(step, score) needs two numbers, got (${String(step)}, ${String(score)})`);
      }
      reports.push([step, score]);
      const p = job.prune;
      const median = p ? p.medians[step] : undefined;
      if (p && step >= p.warmupSteps && median !== undefined) {
        // The trial's best report so far against the median, as Optuna's MedianPruner: one bad
        // step does not stop a trial that was ahead before it.
        const best = reports.reduce((b, r) => (p.sign * r[1] > p.sign * b ? r[1] : b), score);
        if (p.sign * best < p.sign * median) throw makePruned(`trial ${job.trial} pruned at step ${step}: its best report ${best} is worse than the median ${median}`);
      }
    },
  };
  let returned: unknown;
  let pruned = false;
  try {
    returned = await train(job.params, ctx);
  } catch (e) {
    if (!(e instanceof Error && e.name === "TrialPruned")) throw e;
    pruned = true;
  }
  const last = reports.length > 0 ? reports[reports.length - 1][1] : undefined;
  const score = pruned ? last : returned === undefined ? last : returned;
  if (typeof score !== "number" || Number.isNaN(score)) {
    throw new Error(`the training function must return a number or report one, got ${JSON.stringify(returned)}`);
  }
  return { score, pruned, reports, timeMs: Date.now() - start };
}

/**
 * A trial's seed from the search's seed and the trial's number only (splitmix32 of both), so
 * which worker runs the trial, and when, cannot change it.
 */
export function trialSeed(searchSeed: number, trial: number): number {
  let z = (Math.imul(Math.floor(searchSeed) >>> 0, 0x9e3779b1) + Math.imul(trial + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return ((z ^ (z >>> 16)) >>> 0) % 2147483647;
}

/** A search space must be a plain object (not null, not an array, whose indices would pass for parameter names). */
export function checkSpaceObject(space: unknown, where: string): void {
  if (space === null || typeof space !== "object" || Array.isArray(space)) {
    throw new ValueError(`${where}: the space must be an object of lists or samplers, got ${space === null ? "null" : Array.isArray(space) ? "an array" : typeof space}`);
  }
}

/** Checks a search space (lists or samplers, as randomSearch takes) and returns its entries. */
export function spaceEntries(space: ParamSpace, where: string): [string, readonly unknown[] | Sampler][] {
  checkSpaceObject(space, where);
  const entries = Object.entries(space);
  if (entries.length === 0) throw new ValueError(`${where}: the space has no parameters`);
  for (const [key, v] of entries) {
    if (typeof v !== "function" && (!Array.isArray(v) || v.length === 0)) {
      throw new ValueError(`${where}: ${JSON.stringify(key)} must be a non-empty array or a sampler such as logUniform(1e-4, 1e-1)`);
    }
  }
  return entries;
}

/** The distribution of one entry of a space: a list is a uniform choice; a hand-written sampler has none. */
export function distributionOf(v: readonly unknown[] | Sampler): Distribution | undefined {
  return Array.isArray(v) ? { kind: "choice", values: v } : (v as Sampler).distribution;
}

/** One parameter set drawn from the space's own samplers (lists uniformly). */
export function drawParams(entries: [string, readonly unknown[] | Sampler][], rng: Rng): Record<string, unknown> {
  return Object.fromEntries(entries.map(([key, v]) => [key, Array.isArray(v) ? v[rng.int(v.length)] : (v as Sampler)(rng)]));
}

/** Throws a ValueError unless v is a finite number > 0 (and an integer when asked). */
export function positive(where: string, key: string, v: unknown, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new ValueError(`${where}: ${key} must be a positive ${integer ? "integer" : "number"}, got ${String(v)}`);
  }
  return v;
}
