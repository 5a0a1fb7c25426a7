// The argument forms torch.autograd's functions share: a Tensor or a tuple of Tensors (here an
// array), whose form decides the form of the result.
import { ValueError } from "../errors.js";
import { allocate } from "../ndarray/dtype.js";
import type { DType } from "../ndarray/dtype.js";
import { Tensor } from "../ndarray/tensor.js";
import { typeName } from "../type-name.js";

/** What a message shows for a value that should have been a Tensor. */
export const shown = (v: unknown): string =>
  v === null ? "null" : typeof v === "object" ? `a ${typeName(v)}` : typeof v === "function" ? "a function" : `${typeof v} ${String(v)}`;

/** The tensors of a Tensor-or-array argument, and whether it was an array (a tuple to torch). */
export interface TensorList {
  list: Tensor[];
  isArray: boolean;
}

/** Reads `v` as one Tensor or a non-empty array of Tensors; `what` names it in the message. */
export function tensorList(where: string, what: string, v: unknown): TensorList {
  if (v instanceof Tensor) return { list: [v], isArray: false };
  if (!Array.isArray(v)) throw new ValueError(`${where}: ${what} must be a Tensor or an array of Tensors, got ${shown(v)}`);
  if (v.length === 0) throw new ValueError(`${where}: ${what} is an empty array (it needs at least one Tensor)`);
  v.forEach((t: unknown, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${what}[${i}] must be a Tensor, got ${shown(t)}`);
  });
  return { list: v.slice() as Tensor[], isArray: true };
}

/** A fresh leaf of `shape` and `dtype` holding `values` (row-major), converted to the dtype. */
export function tensorOf(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const data = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i];
  return new Tensor(data, dtype, shape.slice());
}

/** The multi-index of the row-major position `flat` in `shape`, as messages show it. */
export function unravel(flat: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(", ")}]`;
}
