import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { rngFrom, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
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

/**
 * The folds a cross-validation over x, y uses, drawn once so every candidate sees the same ones.
 * `rng` is a search's own generator when it draws candidates too (randomSearch): its seed is then
 * used whether or not the folds are shuffled. Otherwise a seed without shuffling is refused.
 */
export function makeFolds(x: Tensor, y: Tensor, o: CvOptions, where: string, rng?: Rng): Fold[] {
  checkSameRows(x, y, where);
  if (o.folds !== undefined) return checkFolds(o, x.shape[0], where, rng !== undefined);
  const shuffle = boolean(where, "shuffle", o.shuffle ?? true);
  const stratify = boolean(where, "stratify", o.stratify ?? false);
  if (!shuffle && rng === undefined && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`${where}: ${o.seed !== undefined ? "seed" : "rng"} has no effect since shuffle is false; set shuffle: true or leave it out`);
  }
  const opts = { k: o.k ?? 5, shuffle, ...(shuffle ? { rng: rng ?? rngFrom(o) } : {}) };
  return stratify ? stratifiedKFold(y, opts) : kFold(x.shape[0], opts);
}

/**
 * Folds given by the caller: the options that make folds would be ignored, so they are refused;
 * every fold needs rows to train on and rows to score, each a row of x.
 */
function checkFolds(o: CvOptions, n: number, where: string, seedUsed: boolean): Fold[] {
  const makers: (keyof CvOptions)[] = seedUsed ? ["k", "stratify", "shuffle"] : ["k", "stratify", "shuffle", "seed", "rng"];
  const given = makers.filter((key) => o[key] !== undefined);
  if (given.length > 0) throw new ValueError(`${where}: ${given.join(", ")} ${given.length > 1 ? "choose" : "chooses"} how folds are made, so ${given.length > 1 ? "they do" : "it does"} not apply with folds`);
  if (!Array.isArray(o.folds) || o.folds.length < 2) throw new ValueError(`${where}: folds must hold at least 2 folds`);
  o.folds.forEach((f: Partial<Fold> | null, i) => {
    for (const part of ["train", "validation"] as const) {
      const rows: unknown = f?.[part];
      if (!Array.isArray(rows) || rows.length === 0) {
        throw new ValueError(`${where}: folds[${i}].${part} must be a non-empty array of row indices, got ${Array.isArray(rows) ? "[]" : String(rows)}`);
      }
      const bad = rows.findIndex((r) => !Number.isInteger(r) || r < 0 || r >= n);
      if (bad >= 0) throw new ValueError(`${where}: folds[${i}].${part}[${bad}] = ${String(rows[bad])} is not a row index in [0, ${n})`);
    }
  });
  return o.folds;
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
