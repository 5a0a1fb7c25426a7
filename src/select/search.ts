import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { rngFrom, type Tensor } from "../ndarray/index.js";
import type { Fold } from "./folds.js";
import { CV_KEYS, makeFolds, runFolds, type CvOptions, type MetricSummary } from "./cross-validate.js";
import { paramGrid, sampleSpace, type ParamGrid, type ParamSpace } from "./space.js";
import type { Trainable } from "./trainable.js";

export interface SearchOptions extends CvOptions {
  /** Higher scores are better (default true); false for losses such as logLoss or mse. */
  greaterIsBetter?: boolean;
  /** Called after each candidate, e.g. to print progress. */
  onResult?: (row: SearchRow, index: number, total: number) => void;
}

export interface SearchRow<P = Record<string, unknown>> extends MetricSummary {
  params: P;
  /** 1 = best mean score; equal means share a rank. */
  rank: number;
  metrics: Record<string, MetricSummary>;
  /** Total training + scoring time over the folds, in milliseconds. */
  timeMs: number;
}

export interface SearchResult<P = Record<string, unknown>> {
  bestParams: P;
  bestScore: number;
  bestIndex: number;
  /** One row per candidate, in the order evaluated. */
  results: SearchRow<P>[];
}

/** Cross-validates each candidate on the same folds and ranks them by mean score. */
async function search<P>(train: Trainable<P>, x: Tensor, y: Tensor, candidates: P[], folds: Fold[], o: SearchOptions, where: string): Promise<SearchResult<P>> {
  // Checked before the first candidate trains, not after the whole search.
  const sign = boolean(where, "greaterIsBetter", o.greaterIsBetter ?? true) ? 1 : -1;
  if (o.onResult !== undefined && typeof o.onResult !== "function") throw new ValueError(`${where}: onResult must be a function, got ${typeof o.onResult}`);
  const results: SearchRow<P>[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const cv = await runFolds(train, candidates[i], x, y, folds, o.metric, where);
    const row: SearchRow<P> = {
      params: candidates[i], scores: cv.scores, mean: cv.mean, std: cv.std, rank: 0, metrics: cv.metrics,
      timeMs: cv.timesMs.reduce((a, b) => a + b, 0),
    };
    results.push(row);
    o.onResult?.(row as SearchRow, i, candidates.length);
  }
  // A NaN mean (folds scoring +∞ and −∞) ranks last, below −∞, as in scikit-learn, not first:
  // every comparison with NaN is false, so no candidate would count as better than it.
  const beats = (q: SearchRow<P>, r: SearchRow<P>) => (Number.isNaN(r.mean) ? !Number.isNaN(q.mean) : sign * q.mean > sign * r.mean);
  for (const r of results) r.rank = 1 + results.filter((q) => beats(q, r)).length;
  // The first candidate among the best wins ties, so the result does not depend on sort stability.
  const bestIndex = results.findIndex((r) => r.rank === 1);
  return { bestParams: results[bestIndex].params, bestScore: results[bestIndex].mean, bestIndex, results };
}

/**
 * Exhaustive search over every combination of `grid`, each scored by k-fold cross-validation
 * (default k = 5) on the same folds:
 *
 *   const r = await eg.select.gridSearch(
 *     (p, xt, yt, xv, yv) => trainAndScore(p, xt, yt, xv, yv),
 *     x, y, { lr: [1e-3, 1e-2], hidden: [32, 64], batchSize: [32, 128] }, { k: 3, seed: 0 });
 *   r.bestParams; r.bestScore; r.results;   // the full table, ranked
 */
export async function gridSearch<P = Record<string, unknown>>(
  train: Trainable<P>, x: Tensor, y: Tensor, grid: ParamGrid | readonly ParamGrid[], o: SearchOptions = {},
): Promise<SearchResult<P>> {
  checkOptions("gridSearch", o, [...CV_KEYS, "greaterIsBetter", "onResult"]);
  const candidates = paramGrid(grid) as P[];
  return search(train, x, y, candidates, makeFolds(x, y, o, "gridSearch"), o, "gridSearch");
}

/**
 * nIter (default 10) parameter sets drawn from `space` — lists or samplers such as
 * logUniform(1e-4, 1e-1) — each scored by k-fold cross-validation on the same folds. Seeded.
 */
export async function randomSearch<P = Record<string, unknown>>(
  train: Trainable<P>, x: Tensor, y: Tensor, space: ParamSpace, o: SearchOptions & { nIter?: number } = {},
): Promise<SearchResult<P>> {
  checkOptions("randomSearch", o, [...CV_KEYS, "greaterIsBetter", "onResult", "nIter"]);
  const rng = rngFrom(o);
  // Folds first, then candidates, from the one generator: the same seed gives the same search.
  const folds = makeFolds(x, y, o, "randomSearch", rng);
  const candidates = sampleSpace(space, o.nIter ?? 10, rng) as P[];
  return search(train, x, y, candidates, folds, o, "randomSearch");
}
