import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkSpaceCloneable, makeRunner, RUNNER_KEYS, type RunnerOptions } from "./pool.js";
import { parzen } from "./parzen.js";
import type { ParamSpace, Sampler } from "./space.js";
import { distributionOf, drawParams, positive, spaceEntries, trialSeed, type PruneReference, type TrialFn } from "./trial.js";

/**
 * The median stopping rule, as Optuna's MedianPruner: stop a trial at a step when its best report
 * so far is worse than the median of the completed trials' reports at that step.
 */
export interface MedianPruner {
  kind: "median";
  /** Completed trials needed before anything is pruned (default 5). */
  nStartupTrials?: number;
  /** Steps below this are never pruned (default 0). */
  nWarmupSteps?: number;
}

export interface TpeOptions extends RunnerOptions {
  /** Trials in all (default 30). */
  nTrials?: number;
  /** Trials drawn at random before the model takes over (default 10). */
  nStartup?: number;
  seed?: number;
  /** "median" (or a MedianPruner) to stop unpromising trials at their report(); default none. */
  pruner?: "median" | MedianPruner;
  /** Fraction of the trials counted as good, l(x); the rest make g(x) (default 0.25). */
  gamma?: number;
  /** Candidates drawn from l(x) per suggestion; the one maximizing l(x)/g(x) is tried (default 24). */
  nCandidates?: number;
  /**
   * Trials suggested together from the same history (default 4). A round is fixed, whatever the
   * number of workers: its trials run at once and the next round waits for all of them, so
   * suggestions and pruning see the same history with 1 worker or 8.
   */
  roundSize?: number;
  /** Higher scores are better (default true); false for losses. */
  greaterIsBetter?: boolean;
  /** Called after each trial, in trial order. */
  onTrial?: (t: TpeTrial) => void;
}

export interface TpeTrial<P = Record<string, unknown>> {
  trial: number;
  round: number;
  params: P;
  seed: number;
  /** The returned score, or for a pruned trial its last report. */
  score: number;
  state: "complete" | "pruned";
  reports: [number, number][];
  timeMs: number;
}

export interface TpeResult<P = Record<string, unknown>> {
  bestParams: P;
  bestScore: number;
  bestTrial: number;
  trials: TpeTrial<P>[];
  nPruned: number;
}

const TPE_KEYS = [...RUNNER_KEYS, "nTrials", "nStartup", "seed", "pruner", "gamma", "nCandidates", "roundSize", "greaterIsBetter", "onTrial"];

type Entries = ReturnType<typeof spaceEntries>;

/**
 * One suggestion: split the finished trials at the gamma quantile (pruned ones count as bad),
 * fit l(x) to the good and g(x) to the bad per parameter, and keep the candidate drawn from l
 * with the largest Σ log l(x) − log g(x). Parameters with a hand-written sampler are drawn from it.
 */
function suggest(entries: Entries, done: TpeTrial[], sign: number, gamma: number, nCandidates: number, rng: Rng): Record<string, unknown> {
  const ranked = done.filter((t) => t.state === "complete").sort((a, b) => sign * (b.score - a.score) || a.trial - b.trial);
  const nGood = Math.max(1, Math.ceil(gamma * ranked.length));
  const good = ranked.slice(0, nGood);
  const bad = [...ranked.slice(nGood), ...done.filter((t) => t.state === "pruned")];
  const models = entries.map(([key, v]) => {
    const d = distributionOf(v);
    if (!d) return { key, sampler: v as Sampler };
    return { key, l: parzen(d, good.map((t) => t.params[key])), g: parzen(d, bad.map((t) => t.params[key])) };
  });
  let best: Record<string, unknown> = {};
  let bestGain = -Infinity;
  for (let c = 0; c < nCandidates; c++) {
    const cand: Record<string, unknown> = {};
    let gain = 0;
    for (const m of models) {
      if ("sampler" in m) { cand[m.key] = m.sampler!(rng); continue; }
      const v = m.l!.sample(rng);
      cand[m.key] = v;
      gain += m.l!.logDensity(v) - m.g!.logDensity(v);
    }
    if (gain > bestGain) [best, bestGain] = [cand, gain];
  }
  return best;
}

/** The median of each step's reports over the completed trials, or nothing before nStartupTrials. */
function pruneReference(p: Required<MedianPruner> | null, done: TpeTrial[], sign: number): PruneReference | undefined {
  const complete = done.filter((t) => t.state === "complete");
  if (!p || complete.length < p.nStartupTrials) return undefined;
  const byStep = new Map<number, number[]>();
  for (const t of complete) for (const [step, v] of t.reports) (byStep.get(step) ?? byStep.set(step, []).get(step)!).push(v);
  const medians: Record<number, number> = {};
  for (const [step, vs] of byStep) {
    const s = vs.sort((a, b) => a - b), h = s.length >> 1;
    medians[step] = s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
  }
  return { medians, warmupSteps: p.nWarmupSteps, sign };
}

function checkPruner(p: unknown): Required<MedianPruner> | null {
  if (p === undefined) return null;
  if (p === "median") return { kind: "median", nStartupTrials: 5, nWarmupSteps: 0 };
  if (p && typeof p === "object" && (p as MedianPruner).kind === "median") {
    checkOptions("tpeSearch pruner", p, ["kind", "nStartupTrials", "nWarmupSteps"]);
    const m = p as MedianPruner;
    const startup = m.nStartupTrials ?? 5, warmup = m.nWarmupSteps ?? 0;
    if (!Number.isInteger(startup) || startup < 1 || !Number.isInteger(warmup) || warmup < 0) {
      throw new ValueError(`tpeSearch: the median pruner needs nStartupTrials ≥ 1 and nWarmupSteps ≥ 0 (integers), got ${startup} and ${warmup}`);
    }
    return { kind: "median", nStartupTrials: startup, nWarmupSteps: warmup };
  }
  throw new ValueError(`tpeSearch: pruner must be "median" or { kind: "median", nStartupTrials, nWarmupSteps }, got ${JSON.stringify(p)}`);
}

/**
 * Tree-structured Parzen Estimator search (Bergstra et al. 2011) over the space randomSearch
 * takes: after nStartup random trials, each trial tries the candidate that maximizes l(x)/g(x),
 * the density of the best gamma fraction of trials over that of the rest. Numeric samplers
 * (uniform, logUniform, intUniform) get truncated-Gaussian Parzen windows (log-scale for
 * logUniform), lists and choice() smoothed frequencies. With pruner "median", a trial whose best
 * report(step, score) so far is worse than the median of completed trials at that step is stopped.
 *
 *   const r = await eg.select.tpeSearch({ lr: logUniform(1e-4, 1e-1), hidden: [32, 64, 128] },
 *     async (p, { seed, report }) => { ...; for (e…) report(e, valAcc); return valAcc; },
 *     { nTrials: 40, seed: 0, pruner: "median" });
 */
export async function tpeSearch<P = Record<string, unknown>>(space: ParamSpace, trainFn: TrialFn<P> | undefined, o: TpeOptions = {}): Promise<TpeResult<P>> {
  checkOptions("tpeSearch", o, TPE_KEYS);
  const entries = spaceEntries(space, "tpeSearch");
  const nTrials = positive("tpeSearch", "nTrials", o.nTrials ?? 30, true);
  const nStartup = o.nStartup ?? 10;
  if (!Number.isInteger(nStartup) || nStartup < 0) throw new ValueError(`tpeSearch: nStartup must be an integer ≥ 0, got ${String(nStartup)}`);
  const gamma = o.gamma ?? 0.25;
  if (typeof gamma !== "number" || !(gamma > 0 && gamma < 1)) throw new ValueError(`tpeSearch: gamma must be in (0, 1), got ${String(gamma)}`);
  const nCandidates = positive("tpeSearch", "nCandidates", o.nCandidates ?? 24, true);
  const roundSize = positive("tpeSearch", "roundSize", o.roundSize ?? 4, true);
  const seed = o.seed ?? 0;
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw new ValueError(`tpeSearch: seed must be a finite number, got ${String(seed)}`);
  const pruner = checkPruner(o.pruner);
  const sign = boolean("tpeSearch", "greaterIsBetter", o.greaterIsBetter ?? true) ? 1 : -1;
  // Checked before the first trial trains, not when its result comes back.
  if (o.onTrial !== undefined && typeof o.onTrial !== "function") throw new ValueError(`tpeSearch: onTrial must be a function, got ${o.onTrial === null ? "null" : typeof o.onTrial}`);
  checkSpaceCloneable(entries, o, "tpeSearch");
  const rng = new Rng(seed);
  const runner = await makeRunner(trainFn as TrialFn | undefined, o, "tpeSearch");
  const done: TpeTrial[] = [];
  try {
    for (let round = 0; done.length < nTrials; round++) {
      // Suggestions and the pruning reference come from earlier rounds only, in trial order.
      const first = done.length, count = Math.min(roundSize, nTrials - first);
      const prune = pruneReference(pruner, done, sign);
      const params = Array.from({ length: count }, (_, k) =>
        first + k < nStartup || done.every((t) => t.state === "pruned") ? drawParams(entries, rng) : suggest(entries, done, sign, gamma, nCandidates, rng));
      const outcomes = await runner.runBatch(params.map((p, k) => ({ trial: first + k, params: p, seed: trialSeed(seed, first + k), prune })));
      outcomes.forEach((r, k) => {
        const t: TpeTrial = { trial: first + k, round, params: params[k], seed: trialSeed(seed, first + k), score: r.score, state: r.pruned ? "pruned" : "complete", reports: r.reports, timeMs: r.timeMs };
        done.push(t);
        o.onTrial?.(t);
      });
    }
  } finally {
    await runner.close();
  }
  const complete = done.filter((t) => t.state === "complete");
  const pool = complete.length > 0 ? complete : done;
  const best = pool.reduce((a, t) => (sign * t.score > sign * a.score ? t : a));
  return { bestParams: best.params as P, bestScore: best.score, bestTrial: best.trial, trials: done as TpeTrial<P>[], nPruned: done.length - complete.length };
}
