import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor, rngFrom, type RandomOptions } from "../ndarray/index.js";
import { apportion, groupByLabel } from "./labels.js";
import { checkSameRows, takeRows } from "./rows.js";

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
 * Splits rows into a train and a test part, seeded. With `stratify`, every class's share of the
 * test set is within one row of its share of the data.
 */
export function trainTestSplit(x: Tensor, y: Tensor, o: SplitOptions = {}): TrainTest {
  checkOptions("trainTestSplit", o, ["testSize", "shuffle", "stratify", "seed", "rng"]);
  checkSameRows(x, y, "trainTestSplit");
  const n = x.shape[0];
  const testSize = o.testSize ?? 0.25;
  const nTest = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(nTest) || nTest < 1 || nTest > n - 1) {
    throw new ValueError(`trainTestSplit: testSize ${testSize} leaves ${nTest} of ${n} rows for test; each part needs at least one row`);
  }
  const shuffle = o.shuffle ?? true;
  let trainIndex: number[] = [];
  let testIndex: number[] = [];
  if (o.stratify) {
    if (!shuffle) throw new ValueError("trainTestSplit: stratify needs shuffle (a stratified split of unshuffled rows is not defined)");
    const rng = rngFrom(o);
    const labels = o.stratify === true ? y : o.stratify;
    if (labels.size !== n) throw new ValueError(`trainTestSplit: stratify has ${labels.size} labels for ${n} rows`);
    const { groups } = groupByLabel(labels, "trainTestSplit");
    const shares = apportion(groups.map((g) => g.length), nTest);
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
