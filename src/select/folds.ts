import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions } from "../ndarray/index.js";
import { groupByLabel } from "../data/labels.js";

/** One split: row indices to train on and to validate on, each ascending. */
export interface Fold {
  train: number[];
  validation: number[];
}

export interface KFoldOptions extends RandomOptions {
  /** Number of folds, ≥ 2 (default 5). */
  k?: number;
  /** Shuffle rows before assigning folds (default false: folds are contiguous blocks / in order). */
  shuffle?: boolean;
}

/**
 * Whether to shuffle; a seed or generator without shuffling would be ignored, so it is refused,
 * as scikit-learn's KFold(shuffle=False, random_state=0) raises "Setting a random_state has no
 * effect since shuffle is False".
 */
function checkShuffle(o: KFoldOptions, where: string): boolean {
  const shuffle = boolean(where, "shuffle", o.shuffle ?? false);
  if (!shuffle && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`${where}: ${o.seed !== undefined ? "seed" : "rng"} has no effect since shuffle is false; set shuffle: true or leave it out`);
  }
  return shuffle;
}

export function checkK(k: number, n: number, where: string): void {
  if (!Number.isInteger(k) || k < 2) throw new ValueError(`${where}: k must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new ValueError(`${where}: k = ${k} folds need at least ${k} samples, got ${n}`);
}

/** Folds from a fold number per row: validation = rows of fold f, train = all the others. */
export function foldsFrom(assign: Int32Array, k: number): Fold[] {
  const folds: Fold[] = Array.from({ length: k }, () => ({ train: [], validation: [] }));
  for (let i = 0; i < assign.length; i++) {
    for (let f = 0; f < k; f++) (f === assign[i] ? folds[f].validation : folds[f].train).push(i);
  }
  return folds;
}

/**
 * k folds over n rows: every row is in exactly one validation fold; fold sizes differ by at most
 * one (the first n mod k folds get the extra row, as scikit-learn). Seeded when shuffled.
 */
const FOLD_KEYS = ["k", "shuffle", "seed", "rng"];

export function kFold(n: number, o: KFoldOptions = {}): Fold[] {
  checkOptions("kFold", o, FOLD_KEYS);
  const k = o.k ?? 5;
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`kFold: n must be a non-negative integer, got ${n}`);
  checkK(k, n, "kFold");
  const shuffle = checkShuffle(o, "kFold");
  const order = Array.from({ length: n }, (_, i) => i);
  if (shuffle) rngFrom(o).shuffle(order);
  const assign = new Int32Array(n);
  const base = Math.floor(n / k);
  const extra = n % k;
  for (let f = 0, at = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let j = 0; j < size; j++) assign[order[at++]] = f;
  }
  return foldsFrom(assign, k);
}

/** Refuses what is not one label per row; `name` is the argument (y, groups). */
export function checkLabels(y: unknown, name: string, where: string): void {
  // Anything else (null, a string) would fail deep inside or be read character by character.
  if (!(y instanceof Tensor || Array.isArray(y) || ArrayBuffer.isView(y))) {
    throw new ValueError(`${where}: ${name} must be a Tensor or an array of labels, got ${y === null ? "null" : typeof y === "string" ? JSON.stringify(y) : typeof y}`);
  }
  // One-hot [n, c] labels would be read as n·c rows, folds pointing past x's rows.
  if (y instanceof Tensor && y.ndim > 1 && y.size !== y.shape[0]) {
    throw new ValueError(`${where}: ${name} must hold one label per row ([n] or [n, 1]), got shape [${y.shape.join(", ")}]; give class indices (argmax of one-hot labels)`);
  }
}

/**
 * k folds that keep class proportions, as scikit-learn's StratifiedKFold: classes in order of first
 * appearance deal their counts round-robin across the folds (class after class, continuing where
 * the last one stopped), so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class c and ⌊n/k⌋ or
 * ⌈n/k⌉ rows in all; each class's rows then fill its folds in order, in blocks (fold 0's share
 * first). Shuffling (seeded) reorders rows within each class first. A class with fewer than k
 * rows is absent from some folds; when every class has fewer, k is refused (as scikit-learn).
 */
export function stratifiedKFold(y: Tensor | ArrayLike<number>, o: KFoldOptions = {}): Fold[] {
  checkOptions("stratifiedKFold", o, FOLD_KEYS);
  const k = o.k ?? 5;
  const shuffle = checkShuffle(o, "stratifiedKFold");
  checkLabels(y, "y", "stratifiedKFold");
  const { groups } = groupByLabel(y, "stratifiedKFold");
  const n = groups.reduce((s, g) => s + g.length, 0);
  checkK(k, n, "stratifiedKFold");
  // Every class would be missing from some fold: scikit-learn refuses such folds, which stratify nothing.
  const largest = groups.reduce((m, g) => Math.max(m, g.length), 0);
  if (largest < k) throw new ValueError(`stratifiedKFold: k = ${k} folds need a class with at least ${k} rows; the largest class has ${largest}`);
  const rng = shuffle ? rngFrom(o) : null;
  const assign = new Int32Array(n);
  let next = 0;
  // Groups hold ascending row indices, so g[0] is where a class first appears.
  for (const g of [...groups].sort((a, b) => a[0] - b[0])) {
    const perFold = new Array<number>(k).fill(0);
    for (let j = 0; j < g.length; j++) perFold[next++ % k]++;
    if (rng) rng.shuffle(g);
    for (let f = 0, at = 0; f < k; f++) for (let j = 0; j < perFold[f]; j++) assign[g[at++]] = f;
  }
  return foldsFrom(assign, k);
}
