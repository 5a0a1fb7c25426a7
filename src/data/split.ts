import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor, rngFrom, type RandomOptions } from "../ndarray/index.js";
import { apportion, groupByLabel } from "./labels.js";
import { checkSameRows, checkTensor, takeRows } from "./rows.js";

export interface SplitOptions extends RandomOptions {
  /** Fraction in (0, 1) of the rows (rounded up, as scikit-learn), or a row count ≥ 1. Default 0.25. */
  testSize?: number;
  /** Shuffle before splitting (default true); without it the last rows are the test set. */
  shuffle?: boolean;
  /** Keep class proportions in both parts: true (use y) or a tensor of labels. */
  stratify?: boolean | Tensor;
}

export interface TrainTest {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
  /** Row indices of the original data in each part. */
  trainIndex: number[];
  testIndex: number[];
}

/**
 * scikit-learn's refusals for a stratified split (StratifiedShuffleSplit, through
 * train_test_split(stratify=y)): a class with one row cannot be in both parts, and a part with
 * fewer rows than there are classes cannot hold every class.
 */
function checkStratifiable(classes: number[], groups: number[][], nTrain: number, nTest: number): void {
  const least = groups.reduce((a, g, c) => (g.length < groups[a].length ? c : a), 0);
  if (groups[least].length < 2) {
    throw new ValueError(`trainTestSplit: stratify: class ${classes[least]} has only ${groups[least].length} row; every class needs at least 2 (one for each part)`);
  }
  for (const [part, size] of [["train", nTrain], ["test", nTest]] as const) {
    if (size < classes.length) throw new ValueError(`trainTestSplit: stratify: the ${part} part has ${size} rows for ${classes.length} classes; it needs at least one row per class`);
  }
}

/**
 * Splits rows into a train and a test part, seeded. With `stratify`, every class's share of the
 * test set is within one row of its share of the data.
 */
export function trainTestSplit(x: Tensor, y: Tensor, o: SplitOptions = {}): TrainTest {
  checkOptions("trainTestSplit", o, ["testSize", "shuffle", "stratify", "seed", "rng"]);
  checkTensor("trainTestSplit", "y", y);
  checkSameRows(x, y, "trainTestSplit");
  const n = x.shape[0];
  const testSize = o.testSize ?? 0.25;
  // typeof first: "0.5" would pass the comparisons below by coercion.
  if (typeof testSize !== "number") throw new ValueError(`trainTestSplit: testSize must be a number (a fraction in (0, 1) or a row count), got ${JSON.stringify(testSize)}`);
  const nTest = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(nTest) || nTest < 1 || nTest > n - 1) {
    throw new ValueError(`trainTestSplit: testSize ${testSize} leaves ${nTest} of ${n} rows for test; each part needs at least one row`);
  }
  const shuffle = boolean("trainTestSplit", "shuffle", o.shuffle ?? true);
  if (!shuffle && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError(`trainTestSplit: ${o.seed !== undefined ? "seed" : "rng"} has no effect with shuffle: false`);
  }
  const stratify = o.stratify ?? false;
  if (typeof stratify !== "boolean" && !(stratify instanceof Tensor)) {
    throw new ValueError(`trainTestSplit: stratify must be true (use y), false or a Tensor of labels, got ${typeof stratify === "string" ? JSON.stringify(stratify) : String(stratify)}`);
  }
  let trainIndex: number[] = [];
  let testIndex: number[] = [];
  if (stratify !== false) {
    if (!shuffle) throw new ValueError("trainTestSplit: stratify needs shuffle (a stratified split of unshuffled rows is not defined)");
    const labels = stratify === true ? y : stratify;
    if (labels.size !== n) throw new ValueError(`trainTestSplit: stratify has ${labels.size} labels for ${n} rows`);
    const { labels: classes, groups } = groupByLabel(labels, "trainTestSplit");
    checkStratifiable(classes, groups, n - nTest, nTest);
    const rng = rngFrom(o);
    const shares = apportion(groups.map((g) => g.length), nTest, rng);
    groups.forEach((g, c) => {
      rng.shuffle(g);
      testIndex.push(...g.slice(0, shares[c]));
      trainIndex.push(...g.slice(shares[c]));
    });
    // Mix the classes, so that taking the first rows of a part is not taking one class.
    rng.shuffle(trainIndex);
    rng.shuffle(testIndex);
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffle) rngFrom(o).shuffle(order);
    trainIndex = order.slice(0, n - nTest);
    testIndex = order.slice(n - nTest);
  }
  return {
    xTrain: takeRows(x, trainIndex), xTest: takeRows(x, testIndex),
    yTrain: takeRows(y, trainIndex), yTest: takeRows(y, testIndex),
    trainIndex, testIndex,
  };
}
