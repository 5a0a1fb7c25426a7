// The lookup table that Embedding and EmbeddingBag share: PyTorch's N(0, 1) start with the
// padding row zeroed, and fromPretrained's check and copy of a given table.
import { ShapeError } from "../errors.js";
import { rngFrom, Tensor, zeros, type RandomOptions } from "../ndarray/index.js";

/** A [rows, dim] table of N(0, 1) draws from the options' generator, row `paddingIdx` (−1: none) zero. */
export function normalTable(rows: number, dim: number, dtype: "float32" | "float64", o: RandomOptions, paddingIdx: number): Tensor {
  const gen = rngFrom(o);
  const table = zeros([rows, dim], { dtype }), data = table.storage; // a size no array holds: a ShapeError
  for (let i = 0; i < data.length; i++) data[i] = gen.normal();
  if (paddingIdx >= 0) data.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
  return table;
}

/** `weights` checked as a 2-D float table: its [rows, dim, dtype] (the layer fromPretrained then builds). */
export function pretrainedShape(where: string, weights: unknown): [number, number, "float32" | "float64"] {
  if (!(weights instanceof Tensor) || weights.ndim !== 2 || (weights.dtype !== "float32" && weights.dtype !== "float64")) {
    throw new ShapeError(`${where}: weights must be a 2-D float tensor, got ${weights instanceof Tensor ? `${weights.dtype} [${weights.shape}]` : typeof weights}`);
  }
  return [weights.shape[0], weights.shape[1], weights.dtype];
}

/** Copies `weights` into a new layer's table (the padding row kept as given, as PyTorch), frozen if asked. */
export function copyPretrained(table: Tensor, weights: Tensor, frozen: boolean): void {
  const src = weights.contiguous();
  table.storage.set(src.storage.subarray(src.offset, src.offset + src.size));
  if (frozen) table.requiresGrad = false;
}
