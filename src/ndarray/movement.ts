// Data movement without arithmetic, as torch.tile, movedim, swapaxes, narrow, take,
// take_along_dim, rot90 and meshgrid: each is a composition of views (permute, slice,
// broadcastTo), flip, repeat and gather, so its gradient is theirs.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { oneOf } from "../checks.js";
import { checkOptions } from "../options.js";
import { gather, indexSelect } from "./indexing.js";
import { flip, repeat } from "./rearrange.js";
import { broadcastShapes, normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((s) => Number.isInteger(s));
const INDEX_DTYPES = ["int32", "int8", "uint8"];

function checkIndexTensor(where: string, index: unknown): asserts index is Tensor {
  if (!(index instanceof Tensor) || !INDEX_DTYPES.includes(index.dtype)) {
    throw new DTypeError(`${where}: index must be an integer Tensor (${INDEX_DTYPES.join(", ")}), got ${index instanceof Tensor ? index.dtype : typeof index}`);
  }
}

/** x repeated reps[i] times along dim i, as torch.tile: fewer reps than dims get leading 1s. */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  if (!isIntList(reps)) throw new ValueError(`tile: reps must be a list of integers, got ${String(reps)}`);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps]);
}

/** x with dims `source` moved to positions `destination`, the others keeping their order, as torch.movedim. */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const src = typeof source === "number" ? [source] : source;
  const dst = typeof destination === "number" ? [destination] : destination;
  if (!isIntList(src) || !isIntList(dst)) throw new ValueError(`movedim: source and destination must be integers or lists of integers`);
  if (src.length !== dst.length) {
    throw new ValueError(`movedim: source [${src}] and destination [${dst}] must have the same number of dims`);
  }
  const s = src.map((d) => normalizeAxis(d, x.ndim, "movedim"));
  const t = dst.map((d) => normalizeAxis(d, x.ndim, "movedim"));
  if (new Set(s).size !== s.length) throw new ValueError(`movedim: repeated dim in source [${src}]`);
  if (new Set(t).size !== t.length) throw new ValueError(`movedim: repeated dim in destination [${dst}]`);
  if (x.ndim === 0) return x;
  const perm = new Array<number>(x.ndim).fill(-1);
  s.forEach((d, i) => (perm[t[i]] = d));
  const rest = x.shape.map((_, i) => i).filter((i) => !s.includes(i));
  for (let i = 0, r = 0; i < x.ndim; i++) if (perm[i] < 0) perm[i] = rest[r++];
  return x.permute(perm);
}

/** x with dims a and b swapped (a view), as torch.swapaxes / torch.transpose. */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  const a = normalizeAxis(axis0, x.ndim, "swapaxes"), b = normalizeAxis(axis1, x.ndim, "swapaxes");
  if (x.ndim < 2) return x;
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return x.permute(perm);
}

/** Entries start … start + length − 1 along `dim` (a view), as torch.narrow; start may be negative. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new ShapeError("narrow: the input must have at least 1 dimension, got a 0-d tensor");
  const d = normalizeAxis(dim, x.ndim, "narrow");
  const n = x.shape[d];
  if (!Number.isInteger(start) || start < -n || start > n) throw new ValueError(`narrow: start ${start} is out of range for dimension ${d} of size ${n}`);
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(length) || length < 0 || s + length > n) {
    throw new ValueError(`narrow: start ${s} + length ${length} exceeds dimension ${d} of size ${n}`);
  }
  return x.slice(...x.shape.map((_, i) => (i === d ? ([s, s + length] as [number, number]) : null)));
}

/** x read as 1-D at the positions of `index` (negative ones count from the end), as torch.take; the result has index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  checkIndexTensor("take", index);
  const n = x.size;
  const flat = index.reshape([index.size]).data;
  const positions = new Int32Array(flat.length);
  flat.forEach((k, i) => {
    if (!(k >= -n && k < n)) throw new ValueError(`take: index ${k} is out of range for an input of ${n} elements`);
    positions[i] = k < 0 ? k + n : k;
  });
  return indexSelect(x.reshape([n]), 0, new Tensor(positions, "int32", [positions.length])).reshape(index.shape.slice());
}

/**
 * x picked along `dim` at `indices`, the two broadcast together in the other dims, as
 * torch.take_along_dim; without dim, both are flattened first.
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkIndexTensor("takeAlongDim", indices);
  if (dim === undefined || dim === null) return gather(x.reshape([x.size]), 0, indices.reshape([indices.size]));
  if (x.ndim !== indices.ndim) {
    throw new ShapeError(`takeAlongDim: input of shape [${x.shape}] and indices of shape [${indices.shape}] need the same number of dimensions`);
  }
  const d = normalizeAxis(dim, x.ndim, "takeAlongDim");
  if (x.ndim === 0) return gather(x, 0, indices);
  const shape = broadcastShapes(x.shape.map((s, i) => (i === d ? 1 : s)), indices.shape.map((s, i) => (i === d ? 1 : s)), "takeAlongDim");
  const xs = x.broadcastTo(shape.map((s, i) => (i === d ? x.shape[d] : s)));
  return gather(xs, d, indices.broadcastTo(shape.map((s, i) => (i === d ? indices.shape[d] : s))));
}

/** x rotated by 90° k times in the plane of `dims`, from the first dim towards the second, as torch.rot90. */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  if (!Number.isInteger(k)) throw new ValueError(`rot90: k must be an integer, got ${String(k)}`);
  if (!isIntList(dims) || dims.length !== 2) throw new ValueError(`rot90: dims must be a list of 2 integers, got ${String(dims)}`);
  if (x.ndim < 2) throw new ShapeError(`rot90: the input must have at least 2 dimensions, got shape [${x.shape}]`);
  const a = normalizeAxis(dims[0], x.ndim, "rot90"), b = normalizeAxis(dims[1], x.ndim, "rot90");
  if (a === b) throw new ValueError(`rot90: the two dims must differ, got [${dims}]`);
  const turns = ((k % 4) + 4) % 4;
  if (turns === 1) return swapaxes(flip(x, b), a, b);
  if (turns === 2) return flip(x, [a, b]);
  if (turns === 3) return swapaxes(flip(x, a), a, b);
  return x.permute(x.shape.map((_, i) => i)); // a new view, as PyTorch returns a new tensor
}

export interface MeshgridOptions {
  /** "ij" (matrix, PyTorch 1.13's default): output dim i follows input i. "xy" (Cartesian): the first two swap. */
  indexing?: "ij" | "xy";
}

/**
 * Coordinate grids from 0-d or 1-D tensors, as torch.meshgrid: each output has shape
 * [n0, n1, …] (n1, n0 first under "xy") and is a broadcast view of its input.
 * meshgrid(a, b), meshgrid(a, b, { indexing }) or meshgrid([a, b], { indexing }).
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | MeshgridOptions)[]): Tensor[] {
  let o: MeshgridOptions = {};
  const last = args[args.length - 1];
  if (args.length > 0 && !(last instanceof Tensor) && !Array.isArray(last)) o = args.pop() as MeshgridOptions;
  checkOptions("meshgrid", o, ["indexing"]);
  const indexing = o.indexing === undefined ? "ij" : oneOf("meshgrid", "indexing", o.indexing, ["ij", "xy"] as const);
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  if (ts.length === 0) throw new ValueError("meshgrid: expects at least one tensor");
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`meshgrid: argument ${i} must be a Tensor, got ${typeof t}`);
    if (t.ndim > 1) throw new ShapeError(`meshgrid: tensor ${i} must be 0-D or 1-D, got shape [${t.shape}]`);
    if (t.dtype !== (ts[0] as Tensor).dtype) throw new DTypeError(`meshgrid: all tensors must have the same dtype, got ${(ts[0] as Tensor).dtype} and ${t.dtype}`);
  });
  const sizes = (ts as Tensor[]).map((t) => t.size);
  const swap = indexing === "xy" && ts.length >= 2;
  const place = (i: number) => (swap && i < 2 ? 1 - i : i);
  const shape = sizes.map((_, j) => sizes[place(j)]);
  return (ts as Tensor[]).map((t, i) => t.reshape(shape.map((s, j) => (j === place(i) ? s : 1))).broadcastTo(shape));
}
