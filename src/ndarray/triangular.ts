// The lower and upper triangles of matrices, as torch.tril and torch.triu: the last two dims are
// the matrix, any dims before them a batch. Any dtype; the kept entries are copied as they are
// (integers exactly, NaN and ±∞ too) and the others set to 0 (false for bool).
import { ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate } from "./dtype.js";
import { copyStrided } from "./strided.js";
import { Tensor } from "./tensor.js";

/** A copy of x with each matrix's other triangle set to 0; its gradient is the same triangle of the incoming one. */
function triangle(x: Tensor, diagonal: number, lower: boolean, where: string): Tensor {
  const out = allocate(x.dtype, x.size, x.shape);
  copyStrided(x.storage, x.shape, x.strides, x.offset, out);
  const rows = x.shape[x.ndim - 2], cols = x.shape[x.ndim - 1];
  const matrices = rows * cols === 0 ? 0 : x.size / (rows * cols);
  for (let m = 0; m < matrices; m++) {
    for (let i = 0; i < rows; i++) {
      const base = (m * rows + i) * cols;
      // tril keeps j ≤ i + diagonal, so it clears j from i + diagonal + 1 on; triu clears j < i + diagonal.
      const [from, to] = lower ? [Math.max(0, i + diagonal + 1), cols] : [0, Math.min(cols, i + diagonal)];
      for (let j = from; j < to; j++) out[base + j] = 0;
    }
  }
  return record(new Tensor(out, x.dtype, x.shape.slice()), where, [x], (g) => [triangle(g, diagonal, lower, where)]);
}

function checked(x: unknown, diagonal: unknown, lower: boolean, where: string): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor, got ${typeof x}`);
  if (typeof diagonal !== "number" || !Number.isInteger(diagonal)) throw new ValueError(`${where}: diagonal must be an integer, got ${String(diagonal)}`);
  if (x.ndim < 2) throw new ShapeError(`${where}: the input must have at least 2 dimensions (a matrix or a batch of them), got shape [${x.shape}]`);
  return triangle(x, diagonal, lower, where);
}

/**
 * The lower triangle of each matrix of x (its last two dims), as torch.tril: entry (i, j) is
 * kept when j ≤ i + diagonal (0: the main diagonal and below; > 0 also that many diagonals
 * above it; < 0 that many fewer), the rest is 0.
 */
export const tril = (x: Tensor, diagonal = 0): Tensor => checked(x, diagonal, true, "tril");

/** The upper triangle of each matrix of x, as torch.triu: entry (i, j) is kept when j ≥ i + diagonal. */
export const triu = (x: Tensor, diagonal = 0): Tensor => checked(x, diagonal, false, "triu");
