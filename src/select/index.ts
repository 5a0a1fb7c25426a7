/**
 * Model selection: folds, cross-validation, learning and validation curves, and hyperparameter
 * search. Nothing here knows a model: the caller passes a training step —
 * `(params, xTrain, yTrain, xVal, yVal, info) => score` (sync or async), or
 * `{ create(params), fit(model, x, y, params), score(model, x, y) }` — so any model or library
 * fits, edgegrad's nn.fit included.
 */
export { kFold, stratifiedKFold } from "./folds.js";
export type { Fold, KFoldOptions } from "./folds.js";
export { timeSeriesSplit, groupKFold, leaveOneOut, leavePOut, leaveOneGroupOut } from "./splits-ordered.js";
export type { Groups, TimeSeriesSplitOptions, GroupKFoldOptions } from "./splits-ordered.js";
export { shuffleSplit, stratifiedShuffleSplit, repeatedKFold, repeatedStratifiedKFold } from "./splits-random.js";
export type { ShuffleSplitOptions, RepeatedKFoldOptions } from "./splits-random.js";
export { crossValidate } from "./cross-validate.js";
export type { CvOptions, CvResult, MetricSummary } from "./cross-validate.js";
export { crossValPredict, learningCurve, validationCurve } from "./curves.js";
export type { CrossValPredictOptions, LearningCurveOptions, LearningCurveResult, ValidationCurveOptions, CurveResult } from "./curves.js";
export { gridSearch, randomSearch } from "./search.js";
export type { SearchOptions, SearchResult, SearchRow } from "./search.js";
export { paramGrid, uniform, logUniform, intUniform, choice } from "./space.js";
export type { ParamGrid, ParamSpace, Sampler } from "./space.js";
export type { Score, FoldInfo, TrainAndScore, Estimator, Trainable, Predictor } from "./trainable.js";
export { formatResults, formatTrials } from "./format.js";
export { lrFinder } from "./lr-finder.js";
export type { LrFinderOptions, LrFinderResult, FinderOptimizer } from "./lr-finder.js";
export { successiveHalving, hyperband, hyperbandSchedule } from "./hyperband.js";
export type { HalvingOptions, BandResult, BandTrial, Bracket, Rung } from "./hyperband.js";
export { tpeSearch } from "./tpe.js";
export type { TpeOptions, TpeResult, TpeTrial, MedianPruner } from "./tpe.js";
export { TrialPruned, TrialError } from "./trial.js";
export type { TrialContext, TrialFn } from "./trial.js";
export type { RunnerOptions } from "./pool.js";
export type { Distribution } from "./space.js";
export { lrFinderSvg, trialsSvg } from "./plot.js";
