// Products of whole tensors, as torch.outer, torch.kron and torch.cross, built from broadcast
// views and elementwise ops: the gradients and the dtype promotion are theirs.
import { ShapeError, ValueError } from "../errors.js";
import { concat } from "./join.js";
import { broadcastShapes, normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

function tensorArg(where: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor, got ${typeof v}`);
  return v;
}

/** out[i][j] = a[i]·b[j] for 1-D a and b, as torch.outer. */
export function outer(a: Tensor, b: Tensor): Tensor {
  tensorArg("outer", "input", a);
  tensorArg("outer", "vec2", b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`outer: both inputs must be 1-D, got shapes [${a.shape}] and [${b.shape}]`);
  return a.reshape([a.shape[0], 1]).mul(b.reshape([1, b.shape[0]]));
}

/**
 * The Kronecker product, as torch.kron: the shorter shape gets leading 1s, and block
 * (i0, i1, …) of the result is a[i0, i1, …]·b; each dim has size a's times b's.
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  tensorArg("kron", "input", a);
  tensorArg("kron", "other", b);
  const nd = Math.max(a.ndim, b.ndim);
  const pad = (s: readonly number[]) => [...new Array<number>(nd - s.length).fill(1), ...s];
  const sa = pad(a.shape), sb = pad(b.shape);
  const y = a.reshape(sa.flatMap((s) => [s, 1])).mul(b.reshape(sb.flatMap((s) => [1, s])));
  return y.reshape(sa.map((s, i) => s * sb[i]));
}

/**
 * The cross product of 3-vectors along `dim`, a and b broadcast together, as torch.cross. Without
 * `dim`, PyTorch 1.13's rule: the first dim of size 3 (torch.linalg.cross would take -1).
 */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  tensorArg("cross", "input", a);
  tensorArg("cross", "other", b);
  if (a.ndim !== b.ndim) throw new ShapeError(`cross: inputs of shapes [${a.shape}] and [${b.shape}] must have the same number of dimensions`);
  const shape = broadcastShapes(a.shape, b.shape, "cross");
  let d: number;
  if (dim === undefined) {
    d = shape.indexOf(3);
    if (d < 0) throw new ShapeError(`cross: no dimension of size 3 in the inputs' shape [${shape}]`);
  } else {
    d = normalizeAxis(dim, shape.length, "cross");
    if (shape[d] !== 3) throw new ShapeError(`cross: dimension ${d} of the inputs' shape [${shape}] has size ${shape[d]}, not 3`);
  }
  const x = a.broadcastTo(shape), y = b.broadcastTo(shape);
  const at = (t: Tensor, i: number) => t.slice(...shape.map((_, k) => (k === d ? ([i, i + 1] as [number, number]) : null)));
  const part = (i: number, j: number) => at(x, i).mul(at(y, j)).sub(at(x, j).mul(at(y, i)));
  return concat([part(1, 2), part(2, 0), part(0, 1)], d);
}
