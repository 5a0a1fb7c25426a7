// Multilabel targets as scikit-learn reads them: two [n, k] matrices of 0/1 (label-indicator
// matrices, one column per label) are scored column by column, never as scores to argmax.
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import type { Values } from "./inputs.js";

export interface Indicators {
  n: number;
  k: number;
  t: ArrayLike<number>;
  p: ArrayLike<number>;
}

const isMatrix = (v: Values): v is Tensor => v instanceof Tensor && v.ndim === 2 && v.shape[1] > 1;

/** True when every value is 0 or 1. */
function zeroOne(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 1) return false;
  return true;
}

/**
 * Both inputs as label-indicator matrices, or null when they are not both [n, k] (k ≥ 2)
 * tensors of 0/1 — then they are labels, or scores read row-wise, as before. Two matrices of
 * which one holds another value are refused when `strict` (hammingLoss has no other reading).
 */
export function indicators(yTrue: Values, yPred: Values, where: string, strict = false): Indicators | null {
  if (!isMatrix(yTrue) || !isMatrix(yPred)) return null;
  const a = yTrue.data, b = yPred.data;
  const both = zeroOne(a) && zeroOne(b);
  if (!both && !strict) return null;
  if (yTrue.shape.join() !== yPred.shape.join()) throw new ShapeError(`${where}: yTrue [${yTrue.shape}] and yPred [${yPred.shape}] differ in shape`);
  if (a.length === 0) throw new ValueError(`${where}: no samples`);
  if (!both) {
    for (const [name, d] of [["yTrue", a], ["yPred", b]] as const) {
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== 0 && d[i] !== 1) throw new ValueError(`${where}: ${name} [${yTrue.shape}] is read as a 0/1 label-indicator matrix, but holds ${d[i]} at flat index ${i}`);
      }
    }
  }
  return { n: yTrue.shape[0], k: yTrue.shape[1], t: a, p: b };
}
