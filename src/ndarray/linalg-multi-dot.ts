// The product of a chain of matrices, as torch.linalg.multi_dot: multiplied in the order that
// needs the fewest scalar multiplications (the classic O(k³) dynamic program over split
// points), so [1000×10]·[10×1000]·[1000×1] costs two thin products instead of a 1000×1000 one.
// The first tensor may be 1-D (a row vector) and the last 1-D (a column vector); their dims are
// dropped from the result. The gradient is matmul's, through the chosen tree.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "./tensor.js";

/** split[i][j]: where the cheapest product of matrices i..j splits, for dims d (matrix i is d[i]×d[i+1]). */
function cheapestSplits(d: number[]): number[][] {
  const k = d.length - 1;
  const cost = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const split = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let len = 1; len < k; len++) {
    for (let i = 0; i + len < k; i++) {
      const j = i + len;
      cost[i][j] = Infinity;
      for (let s = i; s < j; s++) {
        const c = cost[i][s] + cost[s + 1][j] + d[i] * d[s + 1] * d[j + 1];
        if (c < cost[i][j]) { cost[i][j] = c; split[i][j] = s; }
      }
    }
  }
  return split;
}

/** The product of `tensors` (at least two; 2-D, except that the first and last may be 1-D). */
export function multiDot(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length < 2) throw new ValueError(`multiDot: needs a list of at least 2 tensors, got ${Array.isArray(tensors) ? tensors.length : typeof tensors}`);
  tensors.forEach((t, i) => { if (!(t instanceof Tensor)) throw new ValueError(`multiDot: tensor ${i} must be a Tensor, got ${typeof t}`); });
  const last = tensors.length - 1, dtype = tensors[0].dtype;
  tensors.forEach((t, i) => {
    const oneD = (i === 0 || i === last) && t.ndim === 1;
    if (!oneD && t.ndim !== 2) throw new ShapeError(`multiDot: tensor ${i} must be 2-D${i === 0 || i === last ? " or 1-D" : ""}, got shape [${t.shape}]`);
    if (t.dtype !== dtype) throw new DTypeError(`multiDot: all tensors must have one dtype, got ${dtype} and ${t.dtype} (tensor ${i})`);
  });
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`multiDot: expected float32 or float64 tensors, got ${dtype}`);
  const mats = tensors.map((t, i) => (t.ndim === 2 ? t : i === 0 ? t.unsqueeze(0) : t.unsqueeze(1)));
  const d = [mats[0].shape[0], ...mats.map((t) => t.shape[1])];
  mats.forEach((t, i) => {
    if (t.shape[0] !== d[i]) throw new ShapeError(`multiDot: tensor ${i - 1} has ${d[i]} columns but tensor ${i} has ${t.shape[0]} rows (shapes [${tensors[i - 1].shape}] and [${tensors[i].shape}])`);
  });
  const split = cheapestSplits(d);
  const product = (i: number, j: number): Tensor => (i === j ? mats[i] : product(i, split[i][j]).matmul(product(split[i][j] + 1, j)));
  const out = product(0, last);
  const shape = [...(tensors[0].ndim === 2 ? [d[0]] : []), ...(tensors[last].ndim === 2 ? [d[last + 1]] : [])];
  return out.reshape(shape);
}
