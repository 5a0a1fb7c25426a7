/**
 * Cross-validation splitters without randomness, as scikit-learn 1.2's: TimeSeriesSplit,
 * GroupKFold, LeaveOneOut, LeavePOut and LeaveOneGroupOut. Each returns every split at once as
 * the `Fold[]` kFold gives (train and validation rows, each ascending), so crossValidate and
 * gridSearch take them as `folds`; the indices equal scikit-learn's, ties included.
 */
import { nonNegativeInt, positiveInt } from "../checks.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkK, checkLabels, foldsFrom, type Fold } from "./folds.js";

/** Group labels, one per row: numbers (a Tensor or an array) or strings (ids such as "patient-7"). */
export type Groups = Tensor | ArrayLike<number> | readonly string[];

/**
 * leaveOneOut and leavePOut return every split at once where scikit-learn yields them lazily;
 * more than this many indices in all (about 0.5 GB) is refused rather than exhausting memory.
 */
const MAX_INDICES = 2 ** 26;

function checkN(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${where}: n must be a non-negative integer, got ${n}`);
}

/** Train = every row not in the validation rows (ascending). */
function foldOf(validation: number[], n: number): Fold {
  const train: number[] = [];
  for (let i = 0, v = 0; i < n; i++) {
    if (v < validation.length && validation[v] === i) v++;
    else train.push(i);
  }
  return { train, validation };
}

/** Code-point order, as NumPy sorts strings (JavaScript's < compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Rows of each distinct group, groups in ascending order (as np.unique): numbers ascending or
 * strings by code point. NaN is refused: it would form a group of its own unnoticed.
 */
export function groupRows(groups: Groups, where: string): number[][] {
  checkLabels(groups, "groups", where);
  const values: ArrayLike<number | string> = groups instanceof Tensor ? groups.data : groups;
  const first = values.length > 0 ? typeof values[0] : "number";
  if (first !== "number" && first !== "string") throw new ValueError(`${where}: groups must be numbers or strings, got ${first} at groups[0]`);
  const rows = new Map<number | string, number[]>();
  for (let i = 0; i < values.length; i++) {
    const g = values[i];
    if (typeof g !== first || (typeof g === "number" && !Number.isFinite(g))) {
      throw new ValueError(`${where}: groups[${i}] is ${typeof g === "string" ? JSON.stringify(g) : String(g)}; groups must be all finite numbers or all strings`);
    }
    let r = rows.get(g);
    if (!r) rows.set(g, (r = []));
    r.push(i);
  }
  const keys = [...rows.keys()];
  keys.sort(first === "string" ? (a, b) => byCodePoint(a as string, b as string) : (a, b) => (a as number) - (b as number));
  return keys.map((key) => rows.get(key)!);
}

export interface TimeSeriesSplitOptions {
  /** Number of splits, ≥ 2 (default 5). */
  nSplits?: number;
  /** Keep at most this many of the latest rows before each test block for training (default: all). */
  maxTrainSize?: number;
  /** Rows per test block (default ⌊n / (nSplits + 1)⌋). */
  testSize?: number;
  /** Rows left out between the end of each train set and its test block (default 0). */
  gap?: number;
}

/**
 * Splits for rows in time order, as scikit-learn's TimeSeriesSplit: nSplits consecutive test
 * blocks of testSize rows ending at the last row, each trained on the rows before it (less `gap`
 * rows, at most maxTrainSize of the latest), so no split trains on its future.
 */
export function timeSeriesSplit(n: number, o: TimeSeriesSplitOptions = {}): Fold[] {
  const where = "timeSeriesSplit";
  checkOptions(where, o, ["nSplits", "maxTrainSize", "testSize", "gap"]);
  checkN(n, where);
  const nSplits = o.nSplits ?? 5;
  if (!Number.isInteger(nSplits) || nSplits < 2) throw new ValueError(`${where}: nSplits must be an integer ≥ 2, got ${nSplits}`);
  const maxTrainSize = o.maxTrainSize === undefined ? undefined : positiveInt(where, "maxTrainSize", o.maxTrainSize);
  const gap = nonNegativeInt(where, "gap", o.gap ?? 0);
  const testSize = o.testSize === undefined ? Math.floor(n / (nSplits + 1)) : positiveInt(where, "testSize", o.testSize);
  if (nSplits + 1 > n) throw new ValueError(`${where}: nSplits = ${nSplits} needs nSplits + 1 = ${nSplits + 1} rows at least, got n = ${n}`);
  if (n - gap - testSize * nSplits <= 0) {
    throw new ValueError(`${where}: nSplits = ${nSplits} test blocks of testSize = ${testSize} rows after gap = ${gap} leave no row to train on among n = ${n}`);
  }
  const folds: Fold[] = [];
  for (let testStart = n - nSplits * testSize; testStart < n; testStart += testSize) {
    const trainEnd = testStart - gap;
    const trainStart = maxTrainSize !== undefined && maxTrainSize < trainEnd ? trainEnd - maxTrainSize : 0;
    folds.push({ train: range(trainStart, trainEnd), validation: range(testStart, testStart + testSize) });
  }
  return folds;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export interface GroupKFoldOptions {
  /** Number of folds, ≥ 2 and at most the number of groups (default 5). */
  k?: number;
}

/**
 * k folds that never split a group, as scikit-learn 1.2's GroupKFold: groups from the largest to
 * the smallest each join the fold with the fewest rows so far (the first such fold on a tie).
 * Every group is in exactly one validation fold. Groups of equal size go in descending order of
 * their sorted labels — scikit-learn's order when it has at most 16 groups (it reverses
 * np.argsort of the sizes, whose insertion sort is stable there); past 16 its quicksort orders
 * such ties in no documented way, so the folds can differ from scikit-learn's there.
 */
export function groupKFold(groups: Groups, o: GroupKFoldOptions = {}): Fold[] {
  const where = "groupKFold";
  checkOptions(where, o, ["k"]);
  const k = o.k ?? 5;
  const rows = groupRows(groups, where);
  const n = rows.reduce((s, r) => s + r.length, 0);
  checkK(k, n, where);
  if (k > rows.length) throw new ValueError(`${where}: k = ${k} folds need at least ${k} groups, got ${rows.length}`);
  const order = range(0, rows.length).sort((a, b) => rows[a].length - rows[b].length || a - b).reverse();
  const perFold = new Array<number>(k).fill(0);
  const assign = new Int32Array(n);
  for (const g of order) {
    let lightest = 0;
    for (let f = 1; f < k; f++) if (perFold[f] < perFold[lightest]) lightest = f;
    perFold[lightest] += rows[g].length;
    for (const i of rows[g]) assign[i] = lightest;
  }
  return foldsFrom(assign, k);
}

/** n splits, each validating on one row, as scikit-learn's LeaveOneOut (n ≥ 2). */
export function leaveOneOut(n: number): Fold[] {
  checkN(n, "leaveOneOut");
  if (n <= 1) throw new ValueError(`leaveOneOut: needs at least 2 rows, got n = ${n}`);
  if (n * n > MAX_INDICES) throw new ValueError(`leaveOneOut: n = ${n} splits of ${n} rows would hold ${n * n} indices, more than ${MAX_INDICES}; use kFold`);
  return range(0, n).map((i) => foldOf([i], n));
}

/**
 * Every set of p rows as a validation set, in scikit-learn's order (itertools.combinations:
 * lexicographic), as LeavePOut: C(n, p) splits, validation sets overlapping.
 */
export function leavePOut(n: number, p: number): Fold[] {
  checkN(n, "leavePOut");
  positiveInt("leavePOut", "p", p);
  if (n <= p) throw new ValueError(`leavePOut: p = ${p} must be less than the number of rows n = ${n}`);
  let count = 1;
  for (let i = 1; i <= p && count * n <= MAX_INDICES; i++) count = (count * (n - p + i)) / i;
  if (count * n > MAX_INDICES) throw new ValueError(`leavePOut: n = ${n}, p = ${p} gives more than ${Math.floor(MAX_INDICES / n)} splits (at most ${MAX_INDICES} indices in all); use kFold or shuffleSplit`);
  const folds: Fold[] = [];
  const pick = range(0, p);
  for (;;) {
    folds.push(foldOf([...pick], n));
    // Next combination: advance the last entry that can still move right, reset the ones after it.
    let i = p - 1;
    while (i >= 0 && pick[i] === n - p + i) i--;
    if (i < 0) return folds;
    pick[i]++;
    for (let j = i + 1; j < p; j++) pick[j] = pick[j - 1] + 1;
  }
}

/**
 * One split per group, validating on that group's rows, groups in ascending order, as
 * scikit-learn's LeaveOneGroupOut (at least 2 groups).
 */
export function leaveOneGroupOut(groups: Groups): Fold[] {
  const rows = groupRows(groups, "leaveOneGroupOut");
  if (rows.length < 2) throw new ValueError(`leaveOneGroupOut: groups must hold at least 2 distinct groups, got ${rows.length}`);
  const n = rows.reduce((s, r) => s + r.length, 0);
  return rows.map((r) => foldOf(r, n));
}
