/**
 * Seeded cross-validation splitters, as scikit-learn 1.2's ShuffleSplit, StratifiedShuffleSplit,
 * RepeatedKFold and RepeatedStratifiedKFold. Sizes, checks and stratification follow
 * scikit-learn's rules exactly; the rows drawn come from edgegrad's generator (`seed` or `rng`),
 * so they differ from NumPy's draws. Each returns the `Fold[]` kFold gives (rows ascending), so
 * crossValidate and gridSearch take them as `folds`.
 */
import { positiveInt } from "../checks.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { rngFrom, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { groupByLabel } from "../data/labels.js";
import { checkK, checkLabels, kFold, stratifiedKFold, type Fold } from "./folds.js";

export interface ShuffleSplitOptions extends RandomOptions {
  /** Number of splits drawn (default 10). */
  nSplits?: number;
  /**
   * Test rows: a fraction in (0, 1) of n (rounded up) or a count in [1, n). Default: the rows
   * trainSize leaves, or 0.1 when trainSize is not given either.
   */
  testSize?: number;
  /** Train rows: a fraction in (0, 1) of n (rounded down) or a count in [1, n). Default: the rows testSize leaves. */
  trainSize?: number;
}

const SHUFFLE_KEYS = ["nSplits", "testSize", "trainSize", "seed", "rng"];

/**
 * Train and test sizes as scikit-learn's _validate_shuffle_split computes them: a fraction of
 * the test set is rounded up, of the train set down; an integer is a row count (so 1 means one
 * row, where Python's 1.0 would be refused as a fraction).
 */
export function shuffleSplitSizes(n: number, testSize: number | undefined, trainSize: number | undefined, where: string): { nTrain: number; nTest: number } {
  const test = testSize === undefined && trainSize === undefined ? 0.1 : testSize;
  for (const [key, v] of [["testSize", test], ["trainSize", trainSize]] as const) {
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || (Number.isInteger(v) ? v <= 0 || v >= n : v <= 0 || v >= 1)) {
      throw new ValueError(`${where}: ${key} = ${typeof v === "string" ? JSON.stringify(v) : String(v)} must be a row count in [1, ${n}) or a fraction in (0, 1)`);
    }
  }
  const isFraction = (v: number | undefined) => v !== undefined && !Number.isInteger(v);
  if (isFraction(test) && isFraction(trainSize) && test! + trainSize! > 1) {
    throw new ValueError(`${where}: testSize + trainSize = ${test! + trainSize!} must be at most 1`);
  }
  let nTest = test === undefined ? 0 : isFraction(test) ? Math.ceil(test * n) : test;
  let nTrain = trainSize === undefined ? 0 : isFraction(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (trainSize === undefined) nTrain = n - nTest;
  else if (test === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) throw new ValueError(`${where}: ${nTrain} train rows + ${nTest} test rows exceed the ${n} rows; reduce testSize or trainSize`);
  if (nTrain === 0) throw new ValueError(`${where}: with n = ${n}, testSize = ${testSize} and trainSize = ${trainSize} the train set is empty`);
  return { nTrain, nTest };
}

const ascending = (rows: number[]) => rows.sort((a, b) => a - b);

/**
 * nSplits independent random splits, as scikit-learn's ShuffleSplit: each draws a permutation of
 * the n rows, its first nTest rows to validate on and the next nTrain to train on (rows left over
 * when trainSize is given are in neither). Validation sets of different splits may overlap.
 */
export function shuffleSplit(n: number, o: ShuffleSplitOptions = {}): Fold[] {
  const where = "shuffleSplit";
  checkOptions(where, o, SHUFFLE_KEYS);
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${where}: n must be a non-negative integer, got ${n}`);
  const nSplits = positiveInt(where, "nSplits", o.nSplits ?? 10);
  const { nTrain, nTest } = shuffleSplitSizes(n, o.testSize, o.trainSize, where);
  const rng = rngFrom(o);
  const folds: Fold[] = [];
  for (let s = 0; s < nSplits; s++) {
    const perm = Array.from({ length: n }, (_, i) => i);
    rng.shuffle(perm);
    folds.push({ train: ascending(perm.slice(nTest, nTest + nTrain)), validation: ascending(perm.slice(0, nTest)) });
  }
  return folds;
}

/**
 * How many of `draws` rows each class gets, as scikit-learn's _approximate_mode: the share
 * counts[i] / total · draws rounded down, then one more to the classes with the largest
 * fractional parts, classes with equal parts drawn at random (so no class is always favoured).
 */
export function approximateMode(counts: number[], draws: number, rng: Rng): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  // The same operations in the same order as NumPy, so that equal remainders tie here too.
  const continuous = counts.map((c) => (c / total) * draws);
  const out = continuous.map(Math.floor);
  let needToAdd = draws - out.reduce((a, b) => a + b, 0);
  if (needToAdd <= 0) return out;
  const remainder = continuous.map((c, i) => c - out[i]);
  const values = [...new Set(remainder)].sort((a, b) => b - a);
  for (const value of values) {
    const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
    const addNow = Math.min(inds.length, needToAdd);
    rng.shuffle(inds);
    for (let j = 0; j < addNow; j++) out[inds[j]]++;
    needToAdd -= addNow;
    if (needToAdd === 0) break;
  }
  return out;
}

/**
 * nSplits random splits that keep class proportions, as scikit-learn's StratifiedShuffleSplit:
 * sizes as shuffleSplit's; each class's train rows are its share of nTrain (approximateMode), its
 * test rows its share of nTest among the rows train left, drawn at random within the class.
 * Every class needs 2 rows, and each part at least one row per class.
 */
export function stratifiedShuffleSplit(y: Tensor | ArrayLike<number>, o: ShuffleSplitOptions = {}): Fold[] {
  const where = "stratifiedShuffleSplit";
  checkOptions(where, o, SHUFFLE_KEYS);
  const nSplits = positiveInt(where, "nSplits", o.nSplits ?? 10);
  checkLabels(y, "y", where);
  const { labels, groups } = groupByLabel(y, where);
  const n = groups.reduce((s, g) => s + g.length, 0);
  const { nTrain, nTest } = shuffleSplitSizes(n, o.testSize, o.trainSize, where);
  const counts = groups.map((g) => g.length);
  const least = counts.indexOf(Math.min(...counts));
  if (counts[least] < 2) throw new ValueError(`${where}: class ${labels[least]} has only 1 row; every class needs at least 2`);
  for (const [part, size] of [["train", nTrain], ["test", nTest]] as const) {
    if (size < labels.length) throw new ValueError(`${where}: the ${part} set has ${size} rows for ${labels.length} classes; it needs at least one row per class`);
  }
  const rng = rngFrom(o);
  const folds: Fold[] = [];
  for (let s = 0; s < nSplits; s++) {
    const trainCounts = approximateMode(counts, nTrain, rng);
    const testCounts = approximateMode(counts.map((c, i) => c - trainCounts[i]), nTest, rng);
    const train: number[] = [];
    const validation: number[] = [];
    groups.forEach((g, c) => {
      const perm = [...g];
      rng.shuffle(perm);
      train.push(...perm.slice(0, trainCounts[c]));
      validation.push(...perm.slice(trainCounts[c], trainCounts[c] + testCounts[c]));
    });
    folds.push({ train: ascending(train), validation: ascending(validation) });
  }
  return folds;
}

export interface RepeatedKFoldOptions extends RandomOptions {
  /** Folds per repetition, ≥ 2 (default 5). */
  k?: number;
  /** Number of repetitions, each shuffled anew (default 10). */
  nRepeats?: number;
}

const REPEATED_KEYS = ["k", "nRepeats", "seed", "rng"];

/**
 * kFold with shuffling, repeated nRepeats times from one generator (each repetition a new
 * shuffle), as scikit-learn's RepeatedKFold: k · nRepeats folds, repetition after repetition.
 */
export function repeatedKFold(n: number, o: RepeatedKFoldOptions = {}): Fold[] {
  const where = "repeatedKFold";
  checkOptions(where, o, REPEATED_KEYS);
  const k = o.k ?? 5;
  const nRepeats = positiveInt(where, "nRepeats", o.nRepeats ?? 10);
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${where}: n must be a non-negative integer, got ${n}`);
  checkK(k, n, where);
  const rng = rngFrom(o);
  const folds: Fold[] = [];
  for (let r = 0; r < nRepeats; r++) folds.push(...kFold(n, { k, shuffle: true, rng }));
  return folds;
}

/** stratifiedKFold with shuffling, repeated nRepeats times, as scikit-learn's RepeatedStratifiedKFold. */
export function repeatedStratifiedKFold(y: Tensor | ArrayLike<number>, o: RepeatedKFoldOptions = {}): Fold[] {
  const where = "repeatedStratifiedKFold";
  checkOptions(where, o, REPEATED_KEYS);
  const k = o.k ?? 5;
  const nRepeats = positiveInt(where, "nRepeats", o.nRepeats ?? 10);
  // stratifiedKFold's checks, made here so that errors name this function.
  checkLabels(y, "y", where);
  const { groups } = groupByLabel(y, where);
  checkK(k, groups.reduce((s, g) => s + g.length, 0), where);
  const largest = groups.reduce((m, g) => Math.max(m, g.length), 0);
  if (largest < k) throw new ValueError(`${where}: k = ${k} folds need a class with at least ${k} rows; the largest class has ${largest}`);
  const rng = rngFrom(o);
  const folds: Fold[] = [];
  for (let r = 0; r < nRepeats; r++) folds.push(...stratifiedKFold(y, { k, shuffle: true, rng }));
  return folds;
}
