/**
 * Model-selection curves, as scikit-learn 1.2's cross_val_predict, learning_curve and
 * validation_curve, on the folds crossValidate makes (k, stratify, shuffle, seed, or your own
 * `folds`). They need the model itself, not only a validation score, so they take the
 * `{ create(params), fit(model, x, y, params), score(model, x, y) }` form of a trainable (with
 * `predict` / `predictProba` for crossValPredict); a `(params, xTrain, …) => score` callback
 * cannot score its training rows or predict. One fit at a time, as crossValidate.
 *
 * Left out on purpose: scikit-learn's `scoring` (the estimator's own `score` scores, and
 * `metric` picks one of its named scores, as in crossValidate), `groups` (pass
 * `folds: groupKFold(groups)`), `n_jobs`, `pre_dispatch`, `verbose`, `error_score` (an error
 * in fit or score propagates), `fit_params` (`params` reach fit), learning_curve's
 * `exploit_incremental_learning` (there is no partial_fit convention) and `return_times`.
 */
import { boolean, oneOf } from "../checks.js";
import { checkOptions } from "../options.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { fromTypedArray, rngFrom, Tensor, type TypedArray } from "../ndarray/index.js";
import { rowSize, takeRows } from "../data/rows.js";
import { CV_KEYS, makeFolds, type CvOptions } from "./cross-validate.js";
import type { Fold } from "./folds.js";
import { namedScores, type Estimator, type Predictor, type Score } from "./trainable.js";

/** The folds' options without `metric`: predictions are not scored. */
export type CrossValPredictOptions<P> = Omit<CvOptions, "metric"> & {
  /** Which of the estimator's methods gives the predictions (default "predict"). */
  method?: "predict" | "predictProba";
  /** Passed to create and fit, as crossValidate's `params`. */
  params?: P;
};

/**
 * Out-of-fold predictions: each fold trains a fresh model on its training rows and predicts its
 * validation rows; the result holds one prediction row per sample, in the samples' order (the
 * fold predictions' dtype and trailing shape). The folds' validation rows must partition the
 * samples, as scikit-learn's "cross_val_predict only works for partitions": shuffleSplit or
 * timeSeriesSplit folds are refused. Unlike scikit-learn, y is not label-encoded first (labels
 * are class indices already), so every fold's predictProba must give the same columns.
 *
 *   const proba = await eg.select.crossValPredict(est, x, y, { k: 5, seed: 0, method: "predictProba" });
 */
export async function crossValPredict<P = Record<string, never>>(
  estimator: Predictor<P, any>, x: Tensor, y: Tensor, o: CrossValPredictOptions<P> = {},
): Promise<Tensor> {
  const where = "crossValPredict";
  checkOptions(where, o, [...CV_KEYS.filter((k) => k !== "metric"), "params", "method"]);
  const method = oneOf(where, "method", o.method ?? "predict", ["predict", "predictProba"]);
  const fitter = checkFitter(estimator, where);
  if (typeof fitter[method] !== "function") {
    throw new ValueError(`${where}: method "${method}" needs the estimator to have ${method}(model, x) returning a Tensor`);
  }
  const folds = makeFolds(x, y, o, where);
  const n = x.shape[0];
  checkPartition(folds, n, where);
  const params = (o.params ?? {}) as P;
  let out: TypedArray | undefined;
  let first: Tensor | undefined;
  for (let f = 0; f < folds.length; f++) {
    const { train, validation } = folds[f];
    const model = fitter.create(params);
    await fitter.fit(model, takeRows(x, train, where), takeRows(y, train, where), params);
    const p: unknown = await fitter[method]!(model, takeRows(x, validation, where));
    if (!(p instanceof Tensor)) throw new ValueError(`${where}: ${method} must return a Tensor, got ${p === null ? "null" : Array.isArray(p) ? "an array" : typeof p} in fold ${f}`);
    if (p.ndim === 0 || p.shape[0] !== validation.length) {
      throw new ShapeError(`${where}: ${method} must return one row per row of x; fold ${f} gave shape [${p.shape}] for ${validation.length} rows`);
    }
    if (!first) {
      first = p;
      out = new (p.data.constructor as new (len: number) => TypedArray)(n * rowSize(p));
    } else if (p.dtype !== first.dtype) {
      throw new DTypeError(`${where}: ${method} gave ${first.dtype} in fold 0 but ${p.dtype} in fold ${f}`);
    } else if (p.shape.slice(1).join() !== first.shape.slice(1).join()) {
      throw new ShapeError(`${where}: ${method} gave rows of shape [${first.shape.slice(1)}] in fold 0 but [${p.shape.slice(1)}] in fold ${f}${method === "predictProba" ? " (a class missing from a fold's training rows? try stratify: true)" : ""}`);
    }
    const width = rowSize(first);
    const src = p.data;
    for (let i = 0; i < validation.length; i++) out!.set(src.subarray(i * width, (i + 1) * width), validation[i] * width);
  }
  const shape = [n, ...first!.shape.slice(1)];
  // bool tensors share uint8 storage; keep the dtype the folds gave.
  return first!.dtype === "bool" ? new Tensor(out!, "bool", shape) : fromTypedArray(out!, shape);
}

/** Every row in exactly one validation set, as scikit-learn's _check_is_permutation. */
function checkPartition(folds: Fold[], n: number, where: string): void {
  const hits = new Int32Array(n);
  for (const f of folds) for (const r of f.validation) hits[r]++;
  const bad = hits.findIndex((h) => h !== 1);
  if (bad >= 0) {
    throw new ValueError(`${where}: the folds' validation rows must partition the ${n} rows (each row in exactly one), but row ${bad} is in ${hits[bad]}; use k-fold-like folds (kFold, stratifiedKFold, groupKFold, leaveOneOut)`);
  }
}

export interface LearningCurveOptions<P> extends CvOptions {
  /**
   * Training-set sizes: fractions in (0, 1] of the first fold's training rows (as scikit-learn,
   * which takes the first fold's, the smallest for k-fold), each truncated to an integer and at
   * least 1; or row counts in [1, that size]. As NumPy decides by the array's dtype, the whole
   * array is fractions when any entry is not an integer, counts when all are: [1] is one row,
   * where Python's [1.0] is every row (give the count instead). Duplicates after rounding are
   * dropped, as scikit-learn (which warns); sizes are returned ascending. Default
   * [0.1, 0.325, 0.55, 0.775, 1] (np.linspace(0.1, 1.0, 5)).
   */
  trainSizes?: readonly number[];
  /**
   * Shuffle each fold's training rows (seeded, from the same generator as the folds) before taking
   * the first n of them — scikit-learn's learning_curve `shuffle`. Default true, as crossValidate
   * shuffles by default: fold training rows are ascending, so on data sorted by class the first
   * rows would hold one class. false is scikit-learn's default (the first n rows in order).
   */
  shuffleTrain?: boolean;
  /** Passed to create and fit, as crossValidate's `params`. */
  params?: P;
}

export interface CurveResult {
  /** [sizes or parameter values][folds]: each model's score on the rows it trained on. */
  trainScores: number[][];
  /** [sizes or parameter values][folds]: each model's score on its fold's validation rows. */
  testScores: number[][];
  folds: Fold[];
}

export interface LearningCurveResult extends CurveResult {
  /** The training-set sizes used, absolute and ascending. */
  trainSizes: number[];
}

/**
 * Scores against the number of training rows, as scikit-learn's learning_curve: for each fold
 * and each size n, a fresh model trains on the first n of the fold's training rows (shuffled
 * first unless shuffleTrain is false) and is scored on those rows and on the validation rows.
 *
 *   const lc = await eg.select.learningCurve(est, x, y, { k: 5, seed: 0, trainSizes: [0.1, 0.5, 1] });
 *   lc.trainSizes; lc.testScores[2];   // the 5 folds' scores at the largest size
 */
export async function learningCurve<P = Record<string, never>>(
  estimator: Estimator<P, any>, x: Tensor, y: Tensor, o: LearningCurveOptions<P> = {},
): Promise<LearningCurveResult> {
  const where = "learningCurve";
  checkOptions(where, o, [...CV_KEYS, "params", "trainSizes", "shuffleTrain"]);
  const est = checkScorer(estimator, where);
  const shuffleTrain = boolean(where, "shuffleTrain", o.shuffleTrain ?? true);
  const wanted = checkTrainSizes(o.trainSizes ?? [0.1, 0.325, 0.55, 0.775, 1.0], where);
  // One generator for the folds and then the training orders: the same seed, the same curve.
  const rng = shuffleTrain ? rngFrom(o) : undefined;
  const folds = makeFolds(x, y, o, where, rng);
  const trainSizes = absoluteTrainSizes(wanted, folds[0].train.length, where);
  const orders = folds.map((f) => {
    const rows = [...f.train];
    rng?.shuffle(rows);
    return rows;
  });
  const params = (o.params ?? {}) as P;
  const trainScores = trainSizes.map(() => [] as number[]);
  const testScores = trainSizes.map(() => [] as number[]);
  // Fold after fold, each size in turn: scikit-learn's order of fits.
  for (let f = 0; f < folds.length; f++) {
    for (let s = 0; s < trainSizes.length; s++) {
      const [tr, te] = await fitAndScore(est, params, x, y, orders[f].slice(0, trainSizes[s]), folds[f].validation, o.metric, where);
      trainScores[s].push(tr);
      testScores[s].push(te);
    }
  }
  return { trainSizes, trainScores, testScores, folds };
}

function checkTrainSizes(sizes: unknown, where: string): number[] {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new ValueError(`${where}: trainSizes must be a non-empty array of fractions in (0, 1] or row counts, got ${Array.isArray(sizes) ? "[]" : String(sizes)}`);
  }
  const bad = sizes.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) throw new ValueError(`${where}: trainSizes[${bad}] = ${String(sizes[bad])} is not a finite number`);
  return sizes as number[];
}

/** scikit-learn's _translate_train_sizes: fractions truncated toward 0 and clipped to [1, nMax], or counts. */
function absoluteTrainSizes(sizes: number[], nMax: number, where: string): number[] {
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  let abs: number[];
  if (sizes.some((v) => !Number.isInteger(v))) {
    if (lo <= 0 || hi > 1) throw new ValueError(`${where}: trainSizes are fractions of the first fold's ${nMax} training rows (not all are integers), so must be in (0, 1], but are in [${lo}, ${hi}]`);
    abs = sizes.map((v) => Math.min(Math.max(Math.trunc(v * nMax), 1), nMax));
  } else {
    if (lo <= 0 || hi > nMax) throw new ValueError(`${where}: trainSizes are row counts (all are integers), so must be in [1, ${nMax}] (the first fold's training rows), but are in [${lo}, ${hi}]`);
    abs = sizes;
  }
  return [...new Set(abs)].sort((a, b) => a - b);
}

export interface ValidationCurveOptions<P> extends CvOptions {
  /** The parameter to vary: a key of `params`. */
  paramName: string;
  /** Its values, one curve point each. */
  paramRange: readonly unknown[];
  /**
   * Every parameter of the estimator; each point passes `{ ...params, [paramName]: value }` to
   * create and fit, as gridSearch passes a candidate. paramName must be one of its keys, as
   * scikit-learn's set_params refuses a parameter the estimator does not have.
   */
  params: P;
}

/**
 * Scores against one parameter's values, as scikit-learn's validation_curve: for each fold and
 * each value, a fresh model with that value trains on the fold's training rows and is scored on
 * them and on the validation rows.
 *
 *   const vc = await eg.select.validationCurve(est, x, y, { params: { lr: 1e-3, hidden: 32 }, paramName: "hidden", paramRange: [8, 32, 128], k: 3, seed: 0 });
 *   vc.testScores[1];   // the 3 folds' scores with hidden = 32
 */
export async function validationCurve<P extends object = Record<string, unknown>>(
  estimator: Estimator<P, any>, x: Tensor, y: Tensor, o: ValidationCurveOptions<P>,
): Promise<CurveResult> {
  const where = "validationCurve";
  if (o === undefined) throw new ValueError(`${where}: options { params, paramName, paramRange } are required`);
  checkOptions(where, o, [...CV_KEYS, "params", "paramName", "paramRange"]);
  const est = checkScorer(estimator, where);
  const base = o.params as unknown;
  if (base === null || typeof base !== "object" || Array.isArray(base)) {
    throw new ValueError(`${where}: params must be an object holding every parameter of the estimator (paramName among them), got ${base === null ? "null" : Array.isArray(base) ? "an array" : typeof base}`);
  }
  if (typeof o.paramName !== "string" || !Object.prototype.hasOwnProperty.call(base, o.paramName)) {
    throw new ValueError(`${where}: paramName ${typeof o.paramName === "string" ? JSON.stringify(o.paramName) : String(o.paramName)} is not a parameter of params [${Object.keys(base)}]`);
  }
  if (!Array.isArray(o.paramRange) || o.paramRange.length === 0) {
    throw new ValueError(`${where}: paramRange must be a non-empty array of values for ${JSON.stringify(o.paramName)}, got ${Array.isArray(o.paramRange) ? "[]" : String(o.paramRange)}`);
  }
  const folds = makeFolds(x, y, o, where);
  const candidates = o.paramRange.map((v) => ({ ...o.params, [o.paramName]: v }) as P);
  const trainScores = candidates.map(() => [] as number[]);
  const testScores = candidates.map(() => [] as number[]);
  // Fold after fold, each value in turn: scikit-learn's order of fits.
  for (const { train, validation } of folds) {
    for (let c = 0; c < candidates.length; c++) {
      const [tr, te] = await fitAndScore(est, candidates[c], x, y, train, validation, o.metric, where);
      trainScores[c].push(tr);
      testScores[c].push(te);
    }
  }
  return { trainScores, testScores, folds };
}

/** A fresh model fitted on the `train` rows, scored on them and on the `test` rows (test first, as scikit-learn). */
async function fitAndScore<P>(est: Estimator<P, unknown>, params: P, x: Tensor, y: Tensor, train: number[], test: number[], metric: string | undefined, where: string): Promise<[number, number]> {
  const xt = takeRows(x, train, where);
  const yt = takeRows(y, train, where);
  const model = est.create(params);
  await est.fit(model, xt, yt, params);
  const testScore = mainScore(await est.score(model, takeRows(x, test, where), takeRows(y, test, where)), metric, where);
  return [mainScore(await est.score(model, xt, yt), metric, where), testScore];
}

/** The named score `metric`, or the first one, as crossValidate ranks. */
function mainScore(s: Score, metric: string | undefined, where: string): number {
  const named = namedScores(s, where);
  const name = metric ?? Object.keys(named)[0];
  if (!(name in named)) throw new ValueError(`${where}: metric ${JSON.stringify(name)} is not among the scores [${Object.keys(named)}]`);
  return named[name];
}

/** create and fit, checked before any training. */
function checkFitter<T extends { create: unknown; fit: unknown }>(t: T, where: string): T {
  if (typeof t === "function") {
    throw new ValueError(`${where}: needs the { create, fit, … } form of a trainable: a (params, xTrain, yTrain, xVal, yVal) => score callback gives no model to ${where === "crossValPredict" ? "predict with" : "score on its training rows"}`);
  }
  if (!t || typeof t.create !== "function" || typeof t.fit !== "function") {
    throw new ValueError(`${where}: expected an estimator { create(params), fit(model, x, y, params), … }, got ${t === null ? "null" : typeof t}`);
  }
  return t;
}

function checkScorer<P>(t: Estimator<P, unknown>, where: string): Estimator<P, unknown> {
  const est = checkFitter(t, where);
  if (typeof est.score !== "function") throw new ValueError(`${where}: the estimator needs score(model, x, y) returning a number or named numbers`);
  return est;
}
