// The detection error tradeoff (DET) curve, as scikit-learn 1.2's det_curve: false positive and
// false negative rates against the threshold, over the thresholds where the curve moves.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { binaryCounts, type CurveOptions } from "./curves.js";
import { distinct, labelsOf, type Values } from "./inputs.js";

export interface DetCurve {
  /** False positive rate of predicting positive at score ≥ thresholds[i] (decreasing). */
  fpr: number[];
  /** False negative rate at the same thresholds (increasing). */
  fnr: number[];
  /** Distinct scores, increasing. */
  thresholds: number[];
}

/**
 * Error rates per threshold for binary yTrue (both classes present) and scores [n] (or [n, 2]
 * probabilities), thresholds increasing. As scikit-learn, the curve is trimmed to the thresholds
 * where it moves: it starts at the lowest score that still finds every positive (fnr 0) and ends
 * at the highest score with the fewest false positives. With `sampleWeight`, rates of summed
 * weights; samples of weight 0 add no threshold.
 */
export function detCurve(yTrue: Values, score: Values, o: CurveOptions = {}): DetCurve {
  const where = "detCurve";
  checkOptions(where, o, ["posLabel", "sampleWeight"]);
  const c = binaryCounts(yTrue, score, where, o.posLabel, o.sampleWeight);
  // Counted over every sample, zero weights included, as scikit-learn's np.unique(y_true).
  if (distinct(labelsOf(yTrue, where)).length !== 2) throw new ValueError(`${where}: only one class present in yTrue; the DET curve is not defined`);
  const { tps, fps, thresholds } = c;
  const m = thresholds.length;
  if (m === 0) throw new ValueError(`${where}: every sampleWeight is 0, there is no threshold`);
  // Thresholds run from the highest score down. Start at the last of those with the fewest false
  // positives (fps[0]); stop at the first that finds every positive (fnr 0).
  let first = 0;
  while (first + 1 < m && fps[first + 1] === fps[0]) first++;
  let last = 0;
  while (last < m - 1 && tps[last] !== tps[m - 1]) last++;
  const fpr: number[] = [], fnr: number[] = [], out: number[] = [];
  for (let i = last; i >= first; i--) {
    fpr.push(fps[i] / c.negatives);
    fnr.push((tps[m - 1] - tps[i]) / c.positives);
    out.push(thresholds[i]);
  }
  return { fpr, fnr, thresholds: out };
}
