// torch.diff: the n-th forward difference along a dim, written with slices and subtraction so
// that its gradient comes from theirs. bool tensors give their neighbours' xor, as PyTorch.
import { ValueError } from "../errors.js";
import { nonNegativeInt } from "../checks.js";
import { checkOptions } from "../options.js";
import { concat } from "./join.js";
import { tensorArg } from "./scan.js";
import { normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface DiffOptions {
  /** How many times to take the difference (default 1). */
  n?: number;
  /** The dim (default -1). */
  dim?: number;
  /** Values put before x along `dim` first (x's shape except along `dim`). */
  prepend?: Tensor;
  /** Values put after x along `dim` first. */
  append?: Tensor;
}

/** out[i] = x[i+1] − x[i] along `dim`, `n` times, as torch.diff. */
export function diff(x: Tensor, o: DiffOptions = {}): Tensor {
  tensorArg("diff", x);
  checkOptions("diff", o, ["n", "dim", "prepend", "append"]);
  const n = o.n === undefined ? 1 : nonNegativeInt("diff", "n", o.n);
  if (x.ndim === 0) throw new ValueError("diff: expects a tensor of at least 1 dimension, got a 0-d tensor");
  const d = normalizeAxis(o.dim ?? -1, x.ndim, "diff");
  const parts: Tensor[] = [];
  for (const key of ["prepend", "append"] as const) {
    const t = o[key];
    if (t === undefined) continue;
    if (!(t instanceof Tensor)) throw new ValueError(`diff: ${key} must be a Tensor, got ${typeof t}`);
    if (t.ndim !== x.ndim) throw new ValueError(`diff: ${key} must have ${x.ndim} dimensions as the input, got shape [${t.shape}]`);
  }
  if (o.prepend) parts.push(o.prepend);
  parts.push(x);
  if (o.append) parts.push(o.append);
  let y = parts.length > 1 ? concat(parts, d) : x;
  const at = (spec: [number, number?]) => y.slice(...y.shape.map((_, i) => (i === d ? spec : null)));
  for (let k = 0; k < n && y.shape[d] > 0; k++) {
    const hi = at([1]), lo = at([0, -1]);
    y = y.dtype === "bool" ? hi.ne(lo) : hi.sub(lo);
  }
  return y;
}
