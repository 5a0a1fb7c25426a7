import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkCloneable, makeRunner, RUNNER_KEYS, type RunnerOptions, type TrialRunner } from "./pool.js";
import type { ParamSpace } from "./space.js";
import { drawParams, positive, spaceEntries, trialSeed, type TrialFn, type TrialJob, type TrialOutcome } from "./trial.js";

export interface HalvingOptions extends RunnerOptions {
  /**
   * A lower bound on the first rung's budget (default 1), not the budget itself: the rungs are
   * counted down from maxResource, r_i = maxResource / eta^(s−i), with s the largest number of
   * halvings that keeps maxResource / eta^s ≥ minResource. The first rung gets exactly minResource
   * only when maxResource = minResource · eta^s (minResource 10, maxResource 81, eta 3 gives
   * rungs [27, 81], not scikit-learn's [10, 30]). When maxResource and minResource are both whole
   * numbers (epochs, say), every budget is rounded up to a whole number, as KerasTuner's
   * Hyperband (⌈max_epochs / factor^k⌉): maxResource 10, eta 3 gives rungs [2, 4, 10], not
   * [1.11, 3.33, 10], which fit() could not run as epochs. The numbers of configurations do not
   * change. Otherwise (a fraction of the data, say) the budgets are left as they are.
   */
  minResource?: number;
  /** Budget of the last rung, e.g. the most epochs a configuration may train (required). */
  maxResource?: number;
  /** Keep the best 1/eta of each rung (default 3). */
  eta?: number;
  /** Configurations in the first rung (successiveHalving; default eta^s, s the number of halvings). */
  nConfigs?: number;
  /** Seeds the configurations drawn and, through the trial numbers, every trial. */
  seed?: number;
  /** Higher scores are better (default true); false for losses. */
  greaterIsBetter?: boolean;
  /** Called after each trial, once its rung is done, in trial order. */
  onTrial?: (t: BandTrial) => void;
}

/** One training run: a configuration at one rung's budget. */
export interface BandTrial<P = Record<string, unknown>> {
  /** The trial's number, in the order the search created it. */
  trial: number;
  /** The configuration's number; a promoted configuration keeps it (and its seed) from rung to rung. */
  config: number;
  params: P;
  seed: number;
  bracket: number;
  rung: number;
  resource: number;
  score: number;
  reports: [number, number][];
  timeMs: number;
}

/** A rung's bookkeeping: n_i configurations trained with r_i each, and which go on. */
export interface Rung { nConfigs: number; resource: number; configs: number[]; promoted: number[] }
export interface Bracket { s: number; rungs: Rung[] }

export interface BandResult<P = Record<string, unknown>> {
  bestParams: P;
  bestScore: number;
  /** The budget the best score was reached with. */
  bestResource: number;
  brackets: Bracket[];
  trials: BandTrial<P>[];
  /** Σ resource over every trial: the epochs spent, when the resource is epochs. */
  totalResource: number;
}

const HALVING_KEYS = [...RUNNER_KEYS, "minResource", "maxResource", "eta", "seed", "greaterIsBetter", "onTrial"];

/**
 * A rung's budget R / η^k: rounded up to a whole number when R and minResource both are whole
 * (KerasTuner's ⌈max_epochs / factor^k⌉), else as it is. The paper's r_i = R η^(i−s) is real.
 */
function budget(maxResource: number, eta: number, k: number, minResource: number): number {
  const r = maxResource / eta ** k;
  // The slack keeps a quotient that is whole up to the division's rounding (81 / 3³) from rounding up past it.
  return Number.isInteger(maxResource) && Number.isInteger(minResource) ? Math.ceil(r * (1 - 1e-12)) : r;
}

/**
 * Hyperband's brackets for R and η (Li et al. 2017, Algorithm 1): n, r and the rung sizes.
 * sMax is the largest s with minResource · η^s ≤ R, and bracket s starts at r = R / η^s
 * (≥ minResource), rounded up to a whole number when R and minResource are whole (see budget).
 */
export function hyperbandSchedule(maxResource: number, eta: number, minResource = 1): { s: number; n: number; r: number }[] {
  // The checks hyperband() makes: eta < 2 or minResource ≤ 0 would loop forever, 0 or NaN give NaN brackets.
  if (eta === undefined) throw new ValueError("hyperbandSchedule: eta must be a number ≥ 2, got undefined");
  checkCommon({ maxResource, eta, minResource }, "hyperbandSchedule");
  let sMax = 0;
  while (minResource * eta ** (sMax + 1) <= maxResource * (1 + 1e-12)) sMax++;
  return Array.from({ length: sMax + 1 }, (_, k) => {
    const s = sMax - k;
    return { s, n: Math.ceil(((sMax + 1) * eta ** s) / (s + 1)), r: budget(maxResource, eta, s, minResource) };
  });
}

/** The rungs of one bracket of n configurations ending at budget R: n_i = ⌊n η^−i⌋, r_i = R η^(i−s) (see budget). */
function rungSizes(n: number, maxResource: number, s: number, eta: number, minResource: number): { nConfigs: number; resource: number }[] {
  // R / η^(s−i) rather than (R η^−s)·η^i: the last rung gets exactly maxResource, whatever the rounding.
  return Array.from({ length: s + 1 }, (_, i) => ({ nConfigs: Math.max(1, Math.floor(n / eta ** i)), resource: budget(maxResource, eta, s - i, minResource) }));
}

interface Search { runner: TrialRunner; o: HalvingOptions; sign: number; trials: BandTrial[]; nextTrial: number }

type Config = { config: number; params: Record<string, unknown> };

/** A rung's jobs, numbered when made: the caller fixes the trial numbers by the order it makes rungs in. */
function rungJobs(S: Search, alive: Config[], resource: number, searchSeed: number): TrialJob[] {
  return alive.map((c) => ({ trial: S.nextTrial++, params: c.params, seed: trialSeed(searchSeed, c.config), resource }));
}

/**
 * A rung's expected trial times, to hand the longest out first: a promoted configuration's last
 * time scaled to the new budget (its width, say, makes it slow or fast), else (a first rung, where
 * no configuration has run yet) the budget. Only the order trials are taken in depends on these.
 */
function expectedCosts(S: Search, configs: Config[], jobs: TrialJob[]): number[] {
  const last = new Map(S.trials.map((t) => [t.config, t]));
  return jobs.map((j, k) => {
    const before = last.get(configs[k].config);
    return before ? (before.timeMs / before.resource) * j.resource! : j.resource!;
  });
}

/** Records a rung's trials and returns the rung with the best `keep` configurations. */
function scoreRung(S: Search, bracket: number, rung: number, alive: Config[], jobs: TrialJob[], outcomes: TrialOutcome[], keep: number): Rung {
  const resource = jobs[0]?.resource ?? 0;
  const scored = jobs.map((j, k) => {
    const t: BandTrial = { trial: j.trial, config: alive[k].config, params: j.params, seed: j.seed, bracket, rung, resource, score: outcomes[k].score, reports: outcomes[k].reports, timeMs: outcomes[k].timeMs };
    S.trials.push(t);
    S.o.onTrial?.(t);
    return t;
  });
  // Best first; equal scores keep the lower configuration number, so the order is total.
  const ranked = [...scored].sort((a, b) => S.sign * (b.score - a.score) || a.config - b.config);
  const promoted = ranked.slice(0, keep).map((t) => t.config).sort((a, b) => a - b);
  return { nConfigs: alive.length, resource, configs: alive.map((c) => c.config), promoted };
}

function checkCommon(o: HalvingOptions, where: string): { eta: number; maxResource: number; seed: number; sign: number } {
  const maxResource = positive(where, "maxResource", o.maxResource);
  const eta = o.eta ?? 3;
  if (typeof eta !== "number" || !(eta >= 2) || !Number.isFinite(eta)) throw new ValueError(`${where}: eta must be a number ≥ 2, got ${String(eta)}`);
  const seed = o.seed ?? 0;
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw new ValueError(`${where}: seed must be a finite number, got ${String(seed)}`);
  if (o.minResource !== undefined && positive(where, "minResource", o.minResource) > maxResource) {
    throw new ValueError(`${where}: minResource ${o.minResource} is above maxResource ${maxResource}`);
  }
  // Checked before the first rung trains, not when its results come back.
  if (o.onTrial !== undefined && typeof o.onTrial !== "function") throw new ValueError(`${where}: onTrial must be a function, got ${o.onTrial === null ? "null" : typeof o.onTrial}`);
  return { eta, maxResource, seed, sign: boolean(where, "greaterIsBetter", o.greaterIsBetter ?? true) ? 1 : -1 };
}

/** Runs the brackets over one runner, then picks the best trial (on a tie, the larger budget, then the earlier trial). */
async function runBands<P>(space: ParamSpace, trainFn: TrialFn<P> | undefined, o: HalvingOptions, bands: { n: number; r: number; s: number }[], where: string): Promise<BandResult<P>> {
  const entries = spaceEntries(space, where);
  const { eta, seed, sign } = checkCommon(o, where);
  // Every configuration is drawn up front, bracket by bracket, from the search's generator.
  const rng = new Rng(seed);
  let config = 0;
  const plans = bands.map((b) => ({ b, configs: Array.from({ length: b.n }, () => ({ config: config++, params: drawParams(entries, rng) })) }));
  // Every configuration is known now: with worker threads, each value must be one they can receive.
  if (typeof o.workers === "number" && o.workers > 1 && o.trainModule !== undefined) {
    for (const p of plans) for (const c of p.configs) for (const [key, v] of Object.entries(c.params)) checkCloneable(where, key, v);
  }
  const runner = await makeRunner(trainFn as TrialFn | undefined, o, where);
  const S: Search = { runner, o, sign, trials: [], nextTrial: 0 };
  let brackets: Bracket[];
  try {
    brackets = await runInLockstep(S, plans, eta, seed, o.maxResource!, o.minResource ?? 1);
  } finally {
    await runner.close();
  }
  const trials = [...S.trials].sort((a, b) => a.trial - b.trial);
  const best = trials.reduce((a, t) => (sign * t.score > sign * a.score || (t.score === a.score && (t.resource > a.resource || (t.resource === a.resource && t.trial < a.trial))) ? t : a));
  return {
    bestParams: best.params as P, bestScore: best.score, bestResource: best.resource, brackets,
    trials: trials as BandTrial<P>[], totalResource: trials.reduce((a, t) => a + t.resource, 0),
  };
}

/**
 * Brackets advance together: every bracket's rung k is numbered (in bracket order) before any
 * rung k + 1, and the rungs k of all brackets go to the runner as one batch, so trial numbers
 * (hence the trials table) do not depend on which worker is fast, while the trials of all
 * brackets' rung k run concurrently.
 */
async function runInLockstep(S: Search, plans: { b: { n: number; r: number; s: number }; configs: Config[] }[], eta: number, seed: number, maxResource: number, minResource: number): Promise<Bracket[]> {
  const brackets: Bracket[] = plans.map((p) => ({ s: p.b.s, rungs: [] }));
  const alive = plans.map((p) => p.configs);
  const sizes = plans.map((p) => rungSizes(p.b.n, maxResource, p.b.s, eta, minResource));
  const depth = Math.max(...sizes.map((r) => r.length));
  for (let k = 0; k < depth; k++) {
    const here = plans.map((_, j) => (sizes[j][k] ? rungJobs(S, alive[j], sizes[j][k].resource, seed) : null));
    const jobs = here.flatMap((js) => js ?? []);
    const outcomes = await S.runner.runBatch(jobs, expectedCosts(S, here.flatMap((js, j) => (js ? alive[j] : [])), jobs));
    let at = 0;
    here.forEach((jobs, j) => {
      if (!jobs) return;
      const keep = sizes[j][k + 1]?.nConfigs ?? 0;
      const rung = scoreRung(S, j, k, alive[j], jobs, outcomes.slice(at, (at += jobs.length)), keep);
      brackets[j].rungs.push(rung);
      alive[j] = plans[j].configs.filter((c) => rung.promoted.includes(c.config));
    });
  }
  return brackets;
}

/**
 * Successive halving (Jamieson & Talwalkar 2016): nConfigs configurations drawn from `space`
 * are trained with a small budget, the best 1/eta go on with eta times the budget, and so on up
 * to maxResource. trainFn(params, { resource, seed, report }) trains from scratch with the budget.
 * With a whole maxResource and minResource (epochs) every budget is a whole number, rounded up
 * (maxResource 10, eta 3: 2, 4, 10), so that it can be passed to fit() as epochs.
 */
export async function successiveHalving<P = Record<string, unknown>>(space: ParamSpace, trainFn: TrialFn<P> | undefined, o: HalvingOptions): Promise<BandResult<P>> {
  checkOptions("successiveHalving", o, [...HALVING_KEYS, "nConfigs"]);
  const { eta, maxResource } = checkCommon(o ?? {}, "successiveHalving");
  const minResource = o.minResource ?? 1;
  let s = 0;
  while (minResource * eta ** (s + 1) <= maxResource * (1 + 1e-12)) s++;
  const n = o.nConfigs === undefined ? Math.round(eta ** s) : positive("successiveHalving", "nConfigs", o.nConfigs, true);
  return runBands(space, trainFn, o, [{ s, n, r: budget(maxResource, eta, s, minResource) }], "successiveHalving");
}

/**
 * Hyperband (Li et al. 2017): successive halving in brackets s = sMax … 0 that trade the number
 * of configurations against the budget each starts with, so a slow starter still gets a full
 * run in some bracket. With maxResource 81 and eta 3 the brackets are those of the paper's Table 1.
 * With a whole maxResource and minResource (epochs) every budget is a whole number, rounded up as
 * KerasTuner rounds its epochs (maxResource 10, eta 3: brackets [2, 4, 10], [4, 10], [10]); the
 * numbers of configurations are the paper's.
 */
export async function hyperband<P = Record<string, unknown>>(space: ParamSpace, trainFn: TrialFn<P> | undefined, o: HalvingOptions): Promise<BandResult<P>> {
  checkOptions("hyperband", o, HALVING_KEYS);
  const { eta, maxResource } = checkCommon(o ?? {}, "hyperband");
  return runBands(space, trainFn, o, hyperbandSchedule(maxResource, eta, o.minResource ?? 1), "hyperband");
}
