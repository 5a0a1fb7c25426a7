import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/**
 * Integer labels [n] → float32 one-hot rows [n, numClasses] (numClasses defaults to max label + 1).
 * A label that is not an integer in [0, numClasses) is a ValueError naming its index.
 */
export function oneHot(labels: Tensor, numClasses?: number): Tensor {
  const y = labels.data;
  let k = numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < y.length; i++) if (y[i] + 1 > k) k = y[i] + 1;
  }
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${k}`);
  const out = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new ValueError(`oneHot: label ${c} at index ${i} is not an integer in [0, ${k})`);
    out[i * k + c] = 1;
  }
  return new Tensor(out, "float32", [...labels.shape, k]);
}
