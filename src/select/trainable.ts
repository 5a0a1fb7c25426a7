import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

/** A validation score, or several named ones (the first, or `metric`, ranks candidates). */
export type Score = number | Record<string, number>;

export interface FoldInfo {
  /** 0-based fold number. */
  fold: number;
  trainIndex: number[];
  validationIndex: number[];
}

/**
 * The user's training step: train a fresh model with `params` on the training rows, return its
 * score on the validation rows. select knows nothing of models, so any library (or edgegrad's
 * nn.fit) fits behind it.
 */
export type TrainAndScore<P> = (
  params: P, xTrain: Tensor, yTrain: Tensor, xVal: Tensor, yVal: Tensor, info: FoldInfo,
) => Score | Promise<Score>;

/** The same step split into a model factory, a fit function and a scorer. */
export interface Estimator<P, M> {
  create(params: P): M;
  fit(model: M, x: Tensor, y: Tensor, params: P): unknown;
  score(model: M, x: Tensor, y: Tensor): Score | Promise<Score>;
}

export type Trainable<P> = TrainAndScore<P> | Estimator<P, any>;

/**
 * A model factory and fit function with predictions instead of (or besides) a score, for
 * crossValPredict: an Estimator with `predict` serves both. Each returns one row per row of x.
 */
export interface Predictor<P, M> {
  create(params: P): M;
  fit(model: M, x: Tensor, y: Tensor, params: P): unknown;
  predict?(model: M, x: Tensor): Tensor | Promise<Tensor>;
  predictProba?(model: M, x: Tensor): Tensor | Promise<Tensor>;
}

export function toTrainAndScore<P>(t: Trainable<P>, where: string): TrainAndScore<P> {
  if (typeof t === "function") return t;
  if (t && typeof t.create === "function" && typeof t.fit === "function" && typeof t.score === "function") {
    return async (params, xTrain, yTrain, xVal, yVal) => {
      const model = t.create(params);
      await t.fit(model, xTrain, yTrain, params);
      return t.score(model, xVal, yVal);
    };
  }
  throw new ValueError(`${where}: expected a function (params, xTrain, yTrain, xVal, yVal) => score, or { create, fit, score }`);
}

/** A score as named numbers, checked: a NaN or non-number score would silently win or lose a search. */
export function namedScores(s: Score, where: string): Record<string, number> {
  const named = typeof s === "number" ? { score: s } : s;
  if (!named || typeof named !== "object" || Object.keys(named).length === 0) {
    throw new ValueError(`${where}: the training callback must return a number or an object of numbers, got ${JSON.stringify(s)}`);
  }
  for (const [k, v] of Object.entries(named)) {
    if (typeof v !== "number" || Number.isNaN(v)) throw new ValueError(`${where}: score ${JSON.stringify(k)} is ${v}, not a number`);
  }
  return named;
}

/** Mean and population standard deviation (ddof = 0, as scikit-learn's cv_results_). */
export function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std };
}
