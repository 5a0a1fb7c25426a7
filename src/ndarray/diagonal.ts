// Diagonals of tensors, as torch.diagonal, torch.diag, torch.diag_embed and torch.trace. A
// diagonal is a strided view (stride = the sum of the two dims' strides), so reading one costs
// nothing; its backward writes the gradient into the same view of a zero tensor.
import { ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate } from "./dtype.js";
import { assignInto } from "./elementwise.js";
import { normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

function checkOffset(where: string, offset: unknown): number {
  if (typeof offset !== "number" || !Number.isInteger(offset)) throw new ValueError(`${where}: offset must be an integer, got ${String(offset)}`);
  return offset;
}

function twoDims(where: string, dim1: number, dim2: number, ndim: number): [number, number] {
  const a = normalizeAxis(dim1, ndim, where), b = normalizeAxis(dim2, ndim, where);
  if (a === b) throw new ValueError(`${where}: dim1 and dim2 must differ, both are ${a}`);
  return [a, b];
}

/** The diagonal of dims (a, b) of x as a view without recording: the other dims, then the diagonal. */
function diagonalView(x: Tensor, offset: number, a: number, b: number): Tensor {
  const n = x.shape[a], m = x.shape[b];
  const length = Math.max(0, offset >= 0 ? Math.min(n, m - offset) : Math.min(n + offset, m));
  const keep = x.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
  const start = length === 0 ? 0 : offset >= 0 ? offset * x.strides[b] : -offset * x.strides[a];
  return new Tensor(x.storage, x.dtype, [...keep.map((i) => x.shape[i]), length],
    [...keep.map((i) => x.strides[i]), x.strides[a] + x.strides[b]], x.offset + start);
}

function diagonalOf(x: Tensor, offset: number, a: number, b: number): Tensor {
  const out = diagonalView(x, offset, a, b);
  return record(out, "diagonal", [x], (g) => {
    const full = new Tensor(allocate(g.dtype, x.size), g.dtype, x.shape.slice());
    assignInto(diagonalView(full, offset, a, b), g);
    return [full];
  });
}

/**
 * The diagonal of x over dims (dim1, dim2) — offset > 0 above the main one, < 0 below — as a view
 * whose last dim is the diagonal and whose other dims are x's others in order, as torch.diagonal.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkOffset("diagonal", offset);
  if (x.ndim < 2) throw new ShapeError(`diagonal: the input must have at least 2 dimensions, got shape [${x.shape}]`);
  const [a, b] = twoDims("diagonal", dim1, dim2, x.ndim);
  return diagonalOf(x, offset, a, b);
}

/**
 * A tensor whose diagonals over (dim1, dim2) are x's last dim, zero elsewhere, as
 * torch.diag_embed: each of those dims has size x.shape[-1] + |offset|.
 */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  checkOffset("diagEmbed", offset);
  if (x.ndim === 0) throw new ShapeError("diagEmbed: the input must have at least 1 dimension, got a 0-d tensor");
  const [a, b] = twoDims("diagEmbed", dim1, dim2, x.ndim + 1);
  const n = x.shape[x.ndim - 1] + Math.abs(offset);
  const rest = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let i = 0, r = 0; i < x.ndim + 1; i++) shape.push(i === a || i === b ? n : rest[r++]);
  const out = new Tensor(allocate(x.dtype, shape.reduce((p, s) => p * s, 1)), x.dtype, shape);
  assignInto(diagonalView(out, offset, a, b), x);
  return record(out, "diagEmbed", [x], (g) => [diagonalView(g, offset, a, b)]);
}

/**
 * torch.diag: a 1-D x becomes a square matrix with x on its `diagonal`-th diagonal; a 2-D x
 * gives that diagonal of it (1-D).
 */
export function diag(x: Tensor, diagonal = 0): Tensor {
  checkOffset("diag", diagonal);
  if (x.ndim === 1) return diagEmbed(x, diagonal, 0, 1);
  if (x.ndim === 2) return diagonalOf(x, diagonal, 0, 1);
  throw new ShapeError(`diag: the input must be 1-D or 2-D, got shape [${x.shape}]`);
}

/** The sum of a matrix's main diagonal, as torch.trace (2-D inputs only). */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new ShapeError(`trace: the input must be a matrix (2-D), got shape [${x.shape}]`);
  return diagonalOf(x, 0, 0, 1).sum();
}
