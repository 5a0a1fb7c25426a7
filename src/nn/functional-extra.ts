// torch.nn.functional's one_hot, gumbel_softmax and pdist with PyTorch 1.13's signatures, for
// eg.nn.functional. one_hot wraps eg.data.oneHot (its label checks) with F's int result;
// gumbel_softmax and pdist are composed of recorded ops, so autograd is theirs.
import { boolean, positive } from "../checks.js";
import { oneHot as dataOneHot } from "../data/one-hot.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { indexSelect, norm, rngFrom, Tensor, type RandomOptions } from "../ndarray/index.js";
import { normalizeAxis } from "../ndarray/shape.js";
import { checkOptions } from "../options.js";

/**
 * F.one_hot: integer labels of any shape → int32 [...shape, numClasses] (PyTorch's int64 is
 * int32 here). numClasses −1 (the default) is max label + 1.
 */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`oneHot: input must be a Tensor, got ${Object.prototype.toString.call(t)}`);
  if (t.dtype !== "int32" && t.dtype !== "uint8" && t.dtype !== "int8") {
    throw new DTypeError(`oneHot: input must be an integer tensor (class indices), got ${t.dtype}`);
  }
  return dataOneHot(t, numClasses).astype("int32");
}

export interface GumbelSoftmaxOptions extends RandomOptions {
  /** Temperature τ > 0 (default 1). */
  tau?: number;
  /** One-hot samples whose gradient is the soft sample's (straight-through), default false. */
  hard?: boolean;
  /** The dim of the categories (default −1). */
  dim?: number;
}

/**
 * F.gumbel_softmax: softmax((logits + g)/τ) over `dim`, g standard Gumbel noise drawn from
 * { seed }, { rng } or the global generator (so the draws differ from PyTorch's). With `hard`, the
 * one-hot of each sample's argmax (first of ties), whose backward is the soft sample's:
 * y_hard − y_soft.detach() + y_soft.
 */
export function gumbelSoftmax(logits: Tensor, o: GumbelSoftmaxOptions = {}): Tensor {
  const fn = "gumbelSoftmax";
  checkOptions(fn, o, ["tau", "hard", "dim", "seed", "rng"]);
  if (!(logits instanceof Tensor)) throw new ValueError(`${fn}: logits must be a Tensor, got ${Object.prototype.toString.call(logits)}`);
  if (logits.dtype !== "float32" && logits.dtype !== "float64") throw new DTypeError(`${fn}: logits must be float32 or float64, got ${logits.dtype}`);
  const tau = o.tau === undefined ? 1 : positive(fn, "tau", o.tau);
  const hard = o.hard === undefined ? false : boolean(fn, "hard", o.hard);
  if (o.dim !== undefined && !Number.isInteger(o.dim)) throw new ValueError(`${fn}: dim must be an integer, got ${String(o.dim)}`);
  const d = normalizeAxis(o.dim ?? -1, Math.max(logits.ndim, 1), fn);
  const rng = rngFrom(o);
  // −log(E), E ~ Exp(1) = −log(1 − u), u in [0, 1): PyTorch's −exponential_().log().
  const noise = new Float64Array(logits.size);
  for (let i = 0; i < noise.length; i++) noise[i] = -Math.log(-Math.log(1 - rng.uniform()));
  const g = new Tensor(logits.dtype === "float32" ? Float32Array.from(noise) : noise, logits.dtype, logits.shape.slice());
  const ySoft = logits.add(g).div(tau).softmax(logits.ndim === 0 ? 0 : d);
  if (!hard) return ySoft;
  const hardData = new Float64Array(ySoft.size), s = ySoft.data;
  const size = logits.ndim === 0 ? 1 : logits.shape[d];
  const outer = logits.shape.slice(0, d).reduce((a, b) => a * b, 1), inner = logits.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  for (let a = 0; a < outer; a++) for (let i = 0; i < inner; i++) {
    const base = a * size * inner + i;
    let best = 0;
    // argmax as PyTorch's: the first of ties, a NaN above everything.
    for (let k = 1; k < size; k++) {
      const v = s[base + k * inner], b = s[base + best * inner];
      if (v > b || (v !== v && b === b)) best = k;
    }
    if (size > 0) hardData[base + best * inner] = 1;
  }
  const yHard = new Tensor(logits.dtype === "float32" ? Float32Array.from(hardData) : hardData, logits.dtype, logits.shape.slice());
  return yHard.sub(ySoft.detach()).add(ySoft);
}

/**
 * F.pdist: the p-norm distances between the rows of x [N, M], the upper triangle of the distance
 * matrix row by row, [N·(N−1)/2]. p ≥ 0 (Infinity too); the gradient at a zero distance is 0.
 */
export function pdist(x: Tensor, p = 2): Tensor {
  const fn = "pdist";
  if (!(x instanceof Tensor)) throw new ValueError(`${fn}: input must be a Tensor, got ${Object.prototype.toString.call(x)}`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${fn}: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2) throw new ShapeError(`${fn}: input must be [N, M], got shape [${x.shape}]`);
  if (typeof p !== "number" || !(p >= 0)) throw new ValueError(`${fn}: p must be a number ≥ 0, got ${String(p)}`);
  const n = x.shape[0], pairs = (n * (n - 1)) / 2;
  const I = new Int32Array(pairs), J = new Int32Array(pairs);
  for (let i = 0, at = 0; i < n; i++) for (let j = i + 1; j < n; j++, at++) { I[at] = i; J[at] = j; }
  const rows = (idx: Int32Array) => indexSelect(x, 0, new Tensor(idx, "int32", [pairs]));
  return norm(rows(I).sub(rows(J)), p, 1);
}
