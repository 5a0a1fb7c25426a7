import { DTypeError, ValueError } from "../errors.js";
import { noGrad, record } from "./autograd.js";
import { isFloat } from "./dtype.js";
import { where } from "./elementwise.js";
import { wantsKeepdims, type ReduceOptions } from "./reduce.js";
import { normalizeAxes, sizeOf } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** `{ keepdim }` (PyTorch's name) or `{ keepdims }`, as for every reduction. */
export type NormOptions = ReduceOptions;

/**
 * Any p and ±∞ are vector norms over the dims, as torch.linalg.vector_norm: 0 counts the nonzero
 * entries, −∞ is the least |x|, p < 0 is (Σ|x|^p)^(1/p); "fro" is the 2-norm over them
 * (Frobenius for two).
 */
export type NormOrder = number | "fro";

/**
 * The p-norm of x over `dim` (all dims when omitted), as torch.norm / torch.linalg.vector_norm.
 * The backward follows PyTorch at the kinks: the 2-norm's gradient at a zero vector is 0 (not
 * NaN), the 1-norm's is sign(x) (0 at 0), and the ±∞-norm's is shared evenly between tied extremes.
 * Other p: (Σ|x|^p)^(1/p), with gradient sign(x)·|x|^(p−1)/‖x‖^(p−1) (0 where x or ‖x‖ is 0).
 */
export function norm(x: Tensor, p: NormOrder = 2, dim?: number | readonly number[], o: NormOptions = {}): Tensor {
  const keepdim = wantsKeepdims("norm", o);
  if (p !== "fro" && !(typeof p === "number" && p === p)) {
    throw new ValueError(`norm: p must be a number, ±Infinity or "fro", got ${String(p)}`);
  }
  if (!isFloat(x.dtype)) throw new DTypeError(`norm: needs a floating-point tensor, got ${x.dtype}`);
  const axes = normalizeAxes(dim, x.ndim, "norm");
  const keep = { keepdims: true };
  const empty = sizeOf(axes.map((a) => x.shape[a])) === 0;
  // The least |x| and the p < 0 norms have no value over no elements (PyTorch's vector_norm refuses them too).
  if (empty && typeof p === "number" && p < 0) throw new ValueError(`norm: the ${p}-norm of an empty dimension is undefined (shape [${x.shape}])`);
  const value = noGrad(() => {
    if (p === 0) return x.ne(0).astype(x.dtype).sum(axes, keep);
    if (p === 1) return x.abs().sum(axes, keep);
    // Over no elements the max of |x| is its least possible value, 0 (a max of nothing refuses).
    if (p === Infinity) return empty ? x.abs().sum(axes, keep) : x.abs().max(axes, keep);
    if (p === -Infinity) return x.abs().min(axes, keep);
    if (p === 2 || p === "fro") return x.mul(x).sum(axes, keep).sqrt();
    return x.abs().pow(p).sum(axes, keep).pow(1 / p);
  });
  const y = record(value, "norm", [x], (g) => {
    // The count of nonzeros is a step function: no gradient (PyTorch leaves .grad unset too).
    if (p === 0) return [null];
    if (p === 1) return [g.mul(x.sign())];
    if (p === Infinity || p === -Infinity) {
      const hit = x.abs().eq(value).astype(g.dtype);
      return [x.sign().mul(hit).mul(g.div(hit.sum(axes, keep)))];
    }
    if (p === 2 || p === "fro") return [where(value.eq(0), 0, x.div(value)).mul(g)];
    const scale = where(value.eq(0), 0, g.div(value.pow(p - 1)));
    // sign(x)·|x|^(p−1), 0 where x = 0 (for p < 1 the power alone is infinite there), as PyTorch.
    return [where(x.eq(0), 0, x.sign().mul(x.abs().pow(p - 1))).mul(scale)];
  });
  return keepdim ? y : y.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}
