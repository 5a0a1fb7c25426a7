// The zero-one loss, as scikit-learn 1.2's zero_one_loss: the fraction (or count) of samples
// predicted wrong; of multilabel indicator matrices, of samples with any label wrong.
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { checkLengths, labelsOf, type Values } from "./inputs.js";
import { indicators } from "./multilabel.js";
import { sampleWeights, type WeightOptions } from "./weights.js";

export interface ZeroOneOptions extends WeightOptions {
  /** The fraction of samples misclassified (default true), or (false) their number — with `sampleWeight`, their summed weight. */
  normalize?: boolean;
}

/**
 * 1 − accuracy: samples whose predicted label differs from the true one (yPred may be [n, k]
 * scores: argmax). Two [n, k] 0/1 indicator matrices (multilabel): a sample counts as correct
 * only when its whole row matches. `normalize: false` gives the count (or summed weight) of
 * wrong samples instead of their fraction.
 */
export function zeroOneLoss(yTrue: Values, yPred: Values, o: ZeroOneOptions = {}): number {
  const where = "zeroOneLoss";
  checkOptions(where, o, ["normalize", "sampleWeight"]);
  const normalize = o.normalize === undefined ? true : boolean(where, "normalize", o.normalize);
  let n: number;
  let wrong: (i: number) => boolean;
  const m = indicators(yTrue, yPred, where);
  if (m !== null) {
    n = m.n;
    wrong = (i) => {
      for (let j = i * m.k; j < (i + 1) * m.k; j++) if (m.t[j] !== m.p[j]) return true;
      return false;
    };
  } else {
    const t = labelsOf(yTrue, where);
    const p = labelsOf(yPred, where);
    n = checkLengths(t, p, where);
    wrong = (i) => t[i] !== p[i];
  }
  // A fraction of a total weight of 0 is 0/0 (scikit-learn: ZeroDivisionError); a count is not.
  const w = sampleWeights(where, o.sampleWeight, n, normalize);
  let right = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    if (!wrong(i)) right += wi;
    total += wi;
  }
  // As scikit-learn: 1 − the accuracy, or the total less the correct count, so its roundings.
  return normalize ? 1 - right / total : total - right;
}
