// Vector and matrix norms, as torch.linalg.vector_norm and torch.linalg.matrix_norm, with
// options objects. vectorNorm is the p-norm of norm.ts (its gradient rules at the kinks
// included); matrixNorm composes sums, extremes (amax/amin: ties share the gradient evenly, as
// PyTorch) and singular values (svdvals), so its gradient is that of the composition.
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkMatrix, svdvals } from "./linalg-svd.js";
import { movedim, narrow } from "./movement.js";
import { norm } from "./norm.js";
import { amax, amin } from "./stats.js";
import { Tensor } from "./tensor.js";

export interface VectorNormOptions {
  /** Any p, ±Infinity or 0 (the count of nonzeros); default 2. */
  ord?: number;
  /** The dims reduced; all of them when omitted. */
  dim?: number | readonly number[];
  /** Keep the reduced dims with size 1 (default false). */
  keepdim?: boolean;
}

/** The ord-norm of x over `dim`, as torch.linalg.vector_norm. */
export function vectorNorm(x: Tensor, o: VectorNormOptions = {}): Tensor {
  checkOptions("vectorNorm", o, ["ord", "dim", "keepdim"]);
  if (!(x instanceof Tensor)) throw new ValueError(`vectorNorm: x must be a Tensor, got ${typeof x}`);
  const ord = o.ord ?? 2;
  if (typeof ord !== "number" || ord !== ord) throw new ValueError(`vectorNorm: ord must be a number or ±Infinity, got ${String(ord)}`);
  if (o.keepdim !== undefined && typeof o.keepdim !== "boolean") throw new ValueError(`vectorNorm: keepdim must be true or false, got ${String(o.keepdim)}`);
  return norm(x, ord, o.dim, { keepdim: o.keepdim ?? false });
}

export type MatrixNormOrder = "fro" | "nuc" | 1 | -1 | 2 | -2 | number;

export interface MatrixNormOptions {
  /** "fro" (default), "nuc", ±1 (column sums), ±2 (singular values), ±Infinity (row sums). */
  ord?: MatrixNormOrder;
  /** The two dims holding the matrices (default [-2, -1]). */
  dim?: readonly [number, number];
  /** Keep the two dims with size 1 (default false). */
  keepdim?: boolean;
}

const ORDERS: readonly unknown[] = ["fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity];

/** The two matrix dims as distinct non-negative axes. */
function matrixDims(A: Tensor, dim: unknown): [number, number] {
  if (!Array.isArray(dim) || dim.length !== 2 || !dim.every((d) => Number.isInteger(d))) {
    throw new ValueError(`matrixNorm: dim must be two integers, got ${JSON.stringify(dim)}`);
  }
  const axes = dim.map((d: number) => (d < 0 ? d + A.ndim : d));
  if (axes.some((a) => a < 0 || a >= A.ndim)) throw new ShapeError(`matrixNorm: dim [${dim}] out of range for shape [${A.shape}]`);
  if (axes[0] === axes[1]) throw new ValueError(`matrixNorm: dim must name two different dims, got [${dim}]`);
  return [axes[0], axes[1]];
}

/** The ord-norm of each matrix of A (over the two dims `dim`), as torch.linalg.matrix_norm. */
export function matrixNorm(A: Tensor, o: MatrixNormOptions = {}): Tensor {
  checkOptions("matrixNorm", o, ["ord", "dim", "keepdim"]);
  checkMatrix(A, "matrixNorm");
  const ord = o.ord ?? "fro";
  if (!ORDERS.includes(ord)) throw new ValueError(`matrixNorm: ord must be "fro", "nuc", ±1, ±2 or ±Infinity, got ${String(ord)}`);
  if (o.keepdim !== undefined && typeof o.keepdim !== "boolean") throw new ValueError(`matrixNorm: keepdim must be true or false, got ${String(o.keepdim)}`);
  const [rows, cols] = matrixDims(A, o.dim ?? [-2, -1]);
  const keepShape = A.shape.map((d, i) => (i === rows || i === cols ? 1 : d));
  const dropShape = A.shape.filter((_, i) => i !== rows && i !== cols);
  const keep = { keepdims: true };
  let out: Tensor;
  if (ord === "fro") out = norm(A, 2, [rows, cols], { keepdim: true });
  else if (ord === 1 || ord === -1) out = (ord > 0 ? amax : amin)(A.abs().sum(rows, keep), cols, keep);
  else if (ord === Infinity || ord === -Infinity) out = (ord > 0 ? amax : amin)(A.abs().sum(cols, keep), rows, keep);
  else {
    if (Math.min(A.shape[rows], A.shape[cols]) === 0 && ord !== "nuc") throw new ValueError(`matrixNorm: the ${ord}-norm of an empty matrix is undefined (shape [${A.shape}])`);
    const s = svdvals(movedim(A, [rows, cols], [-2, -1])), k = s.shape[s.ndim - 1];
    // s is descending: σ_max is its first entry, σ_min its last
    out = ord === "nuc" ? s.sum(-1) : narrow(s, -1, ord === 2 ? 0 : k - 1, 1).reshape(dropShape);
  }
  return out.reshape(o.keepdim ? keepShape : dropShape);
}
