import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/**
 * The most classes oneHot infers from the labels alone. A stray label (30000 among 0..9) would
 * otherwise widen every row to 30001 columns; more classes than this must be asked for with
 * `numClasses`, which says the width is meant.
 */
export const MAX_INFERRED_CLASSES = 4096;

/** Elements of the largest result oneHot builds (2³¹ − 1, 8 GiB of float32): beyond it a typed error, not a RangeError. */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Integer labels [n] → float32 one-hot rows [n, numClasses] (numClasses, when omitted or −1, is
 * max label + 1, inferred up to MAX_INFERRED_CLASSES). A label that is not an integer in
 * [0, numClasses) is a ValueError naming it and its index, thrown before the result is allocated.
 */
export function oneHot(labels: Tensor, numClasses?: number): Tensor {
  if (!(labels instanceof Tensor)) throw new ValueError(`oneHot: labels must be a Tensor, got ${Object.prototype.toString.call(labels)}`);
  const y = labels.data;
  // −1 asks for inference, as F.one_hot's default num_classes=-1.
  let k = numClasses === -1 ? undefined : numClasses;
  if (k === undefined) {
    if (y.length === 0) throw new ValueError(`oneHot: labels are empty (shape [${labels.shape}]), so numClasses cannot be inferred from them; pass numClasses`);
    k = 0;
    let at = -1;
    for (let i = 0; i < y.length; i++) if (y[i] + 1 > k) { k = y[i] + 1; at = i; }
    if (k > MAX_INFERRED_CLASSES) {
      throw new ValueError(`oneHot: label ${y[at]} at index ${at} would make ${k} classes, more than the ${MAX_INFERRED_CLASSES} inferred from labels; pass numClasses if that many are meant`);
    }
  } else if (!Number.isInteger(k) || k < 1) {
    throw new ValueError(`oneHot: numClasses must be a positive integer, got ${k}`);
  }
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new ValueError(`oneHot: label ${c} at index ${i} is not an integer in [0, ${Number.isInteger(k) ? k : "numClasses"})`);
  }
  positiveInt("oneHot", "numClasses", k);
  if (y.length * k > MAX_ELEMENTS) {
    throw new ValueError(`oneHot: [${[...labels.shape, k]}] would hold ${y.length * k} elements, more than ${MAX_ELEMENTS}`);
  }
  const out = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) out[i * k + y[i]] = 1;
  return new Tensor(out, "float32", [...labels.shape, k]);
}
