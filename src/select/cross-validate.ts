import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { rngFrom, type RandomOptions, type Tensor } from "../ndarray/index.js";
import { checkSameRows, takeRows } from "../data/rows.js";
import { kFold, stratifiedKFold, type Fold } from "./folds.js";
import { meanStd, namedScores, toTrainAndScore, type Trainable } from "./trainable.js";

/** Every key of CvOptions, for checkOptions. */
export const CV_KEYS = ["k", "stratify", "shuffle", "folds", "metric", "seed", "rng"];

export interface CvOptions extends RandomOptions {
  /** Number of folds (default 5). */
  k?: number;
  /** Stratified folds by the labels y (default false). */
  stratify?: boolean;
  /** Shuffle rows before folding (default true: data sets are often sorted by class). */
  shuffle?: boolean;
  /** Use these folds instead (e.g. the same folds for several models). */
  folds?: Fold[];
  /** Which named score is the main one when the callback returns several (default: the first). */
  metric?: string;
}

export interface MetricSummary {
  scores: number[];
  mean: number;
  std: number;
}

export interface CvResult extends MetricSummary {
  /** Every named score returned by the callback, per fold and summarized. */
  metrics: Record<string, MetricSummary>;
  folds: Fold[];
  /** Wall-clock milliseconds per fold (train + score). */
  timesMs: number[];
}

/** The folds a cross-validation over x, y uses, drawn once so every candidate sees the same ones. */
export function makeFolds(x: Tensor, y: Tensor, o: CvOptions, where: string): Fold[] {
  checkSameRows(x, y, where);
  if (o.folds) {
    if (o.folds.length < 2) throw new ValueError(`${where}: folds must hold at least 2 folds`);
    return o.folds;
  }
  const opts = { k: o.k ?? 5, shuffle: o.shuffle ?? true, rng: rngFrom(o) };
  return o.stratify ? stratifiedKFold(y, opts) : kFold(x.shape[0], opts);
}

/** Runs one training callback over the folds, in order (one fold at a time: the CPU is shared). */
export async function runFolds<P>(train: Trainable<P>, params: P, x: Tensor, y: Tensor, folds: Fold[], metric: string | undefined, where: string): Promise<CvResult> {
  const step = toTrainAndScore(train, where);
  const perFold: Record<string, number>[] = [];
  const timesMs: number[] = [];
  for (let f = 0; f < folds.length; f++) {
    const { train: tr, validation: va } = folds[f];
    const start = now();
    const s = await step(params, takeRows(x, tr), takeRows(y, tr), takeRows(x, va), takeRows(y, va), { fold: f, trainIndex: tr, validationIndex: va });
    timesMs.push(now() - start);
    perFold.push(namedScores(s, where));
  }
  const names = Object.keys(perFold[0]);
  const metrics: Record<string, MetricSummary> = {};
  for (const name of names) {
    const scores = perFold.map((s, f) => {
      if (!(name in s)) throw new ValueError(`${where}: fold ${f} returned no score ${JSON.stringify(name)}`);
      return s[name];
    });
    metrics[name] = { scores, ...meanStd(scores) };
  }
  const main = metric ?? names[0];
  if (!metrics[main]) throw new ValueError(`${where}: metric ${JSON.stringify(main)} is not among the scores [${names}]`);
  return { ...metrics[main], metrics, folds, timesMs };
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * k-fold cross-validation of one configuration: trains a fresh model per fold through the
 * callback and returns the per-fold scores with their mean and standard deviation.
 *
 *   const cv = await eg.select.crossValidate(async (_, xt, yt, xv, yv) => {
 *     const model = makeMlp();
 *     await eg.nn.fit(model, xt, yt, { loss: "crossEntropy", optimizer: "adam", epochs: 10 });
 *     return eg.metrics.accuracy(yv, eg.nn.predict(model, xv));
 *   }, x, y, { k: 5, stratify: true, seed: 0 });
 *   console.log(`${cv.mean.toFixed(3)} ± ${cv.std.toFixed(3)}`);
 */
export async function crossValidate<P = Record<string, never>>(
  train: Trainable<P>, x: Tensor, y: Tensor, o: CvOptions & { params?: P } = {},
): Promise<CvResult> {
  checkOptions("crossValidate", o, [...CV_KEYS, "params"]);
  const folds = makeFolds(x, y, o, "crossValidate");
  return runFolds(train, (o.params ?? {}) as P, x, y, folds, o.metric, "crossValidate");
}
