// Similarities and distances between vectors: F.cosine_similarity / CosineSimilarity,
// F.pairwise_distance / PairwiseDistance and F.normalize, composed of recorded ops (norm, clip,
// broadcasting arithmetic) so autograd is theirs. eps sits where PyTorch 1.13 puts it, which
// differs between the three: cosine similarity clamps each norm below at eps (and its gradient
// still flows through the clamped norm, as PyTorch's in-place clamp leaves it), pairwise
// distance adds eps to the difference before the norm, normalize divides by max(‖x‖, eps) with
// no gradient through the norm where the clamp holds.
import { noGrad, norm, record, Tensor, where, type NormOrder } from "../ndarray/index.js";
import { broadcastShapes, normalizeAxis } from "../ndarray/shape.js";
import { boolean, finite, positive } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

function floatInput(fn: string, name: string, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${fn}: ${name} must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${fn}: ${name} must be float32 or float64, got ${x.dtype}`);
  return x;
}

/**
 * max(‖x‖₂, eps) over `dim` (kept), whose backward is the 2-norm's evaluated at the clamped
 * value, g·x / max(‖x‖, eps): PyTorch 1.13 clamps the norm in place without recording it.
 */
function clampedNorm(x: Tensor, dim: number, eps: number): Tensor {
  const value = noGrad(() => x.mul(x).sum(dim, { keepdims: true }).sqrt().clamp(eps, null));
  return record(value, "clampedNorm", [x], (g) => [where(value.eq(0), 0, x.div(value)).mul(g)]);
}

export interface CosineSimilarityOptions {
  /** The dim of the vectors (default 1), in the broadcast shape of the two inputs. */
  dim?: number;
  /** Lower bound of each norm (default 1e-8). */
  eps?: number;
}

/** F.cosine_similarity: Σ (x1/max(‖x1‖, eps))·(x2/max(‖x2‖, eps)) over `dim`, inputs broadcast together. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, o: CosineSimilarityOptions = {}): Tensor {
  const fn = "cosineSimilarity";
  checkOptions(fn, o, ["dim", "eps"]);
  floatInput(fn, "x1", x1);
  floatInput(fn, "x2", x2);
  const eps = positive(fn, "eps", o.eps ?? 1e-8, true);
  const shape = broadcastShapes(x1.shape, x2.shape, fn);
  const dim = normalizeAxis(o.dim ?? 1, shape.length, fn);
  if (shape.length === 0) {
    // A 0-d pair: dim 0 is the scalar itself, a vector of one element.
    return cosineSimilarity(x1.reshape([1]), x2.reshape([1]), { dim: 0, eps }).reshape([]);
  }
  // float32 with float64: both in float64 first, as PyTorch (a float32 norm would cost precision).
  const common = x1.dtype === x2.dtype ? x1.dtype : "float64";
  const a = broadcast(x1.astype(common), shape), b = broadcast(x2.astype(common), shape);
  return a.div(clampedNorm(a, dim, eps)).mul(b.div(clampedNorm(b, dim, eps))).sum(dim);
}

/** x broadcast to `shape`, a recorded op (its gradient sums back), or x itself when it has that shape. */
const broadcast = (x: Tensor, shape: readonly number[]): Tensor =>
  x.ndim === shape.length && x.shape.every((d, i) => d === shape[i]) ? x : x.broadcastTo(shape);

export interface PairwiseDistanceOptions {
  /** The norm's order (default 2): any number, ±Infinity. */
  p?: number;
  /** Added to every difference before the norm (default 1e-6). */
  eps?: number;
  /** Keep the reduced last dim as size 1 (default false). */
  keepdim?: boolean;
}

/** F.pairwise_distance: ‖x1 − x2 + eps‖_p over the last dim of the broadcast inputs. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, o: PairwiseDistanceOptions = {}): Tensor {
  const fn = "pairwiseDistance";
  checkOptions(fn, o, ["p", "eps", "keepdim"]);
  floatInput(fn, "x1", x1);
  floatInput(fn, "x2", x2);
  const p = pOf(fn, o.p ?? 2), eps = finite(fn, "eps", o.eps ?? 1e-6), keepdim = boolean(fn, "keepdim", o.keepdim ?? false);
  const shape = broadcastShapes(x1.shape, x2.shape, fn);
  return norm(x1.sub(x2).add(eps), p, shape.length === 0 ? undefined : shape.length - 1, { keepdims: keepdim });
}

function pOf(fn: string, p: unknown): NormOrder {
  if (typeof p !== "number" || p !== p) throw new ValueError(`${fn}: p must be a number or ±Infinity, got ${String(p)}`);
  return p;
}

export interface NormalizeOptions {
  /** The norm's order (default 2). */
  p?: number;
  /** The dim normalized (default 1), or a list of dims normalized together. */
  dim?: number | readonly number[];
  /** Lower bound of the norm divided by (default 1e-12). */
  eps?: number;
}

/** F.normalize: x / max(‖x‖_p, eps) over `dim`. */
export function normalize(x: Tensor, o: NormalizeOptions = {}): Tensor {
  const fn = "normalize";
  checkOptions(fn, o, ["p", "dim", "eps"]);
  floatInput(fn, "input", x);
  const p = pOf(fn, o.p ?? 2), eps = positive(fn, "eps", o.eps ?? 1e-12, true);
  const d = o.dim ?? 1;
  // A list of dims takes one norm over all of them, as PyTorch's (whose norm takes a tuple); an
  // empty list means every dim, as in PyTorch 1.13 (its vector norm reads dim=[] as all dims). A
  // repeated dim (PyTorch refuses it) is refused.
  const listed = Array.isArray(d) ? (d.length === 0 ? x.shape.map((_, i) => i) : d) : null;
  const dim = listed ? listed.map((a: number) => normalizeAxis(a, x.ndim, fn)) : normalizeAxis(d as number, x.ndim, fn);
  if (Array.isArray(dim) && new Set(dim).size !== dim.length) {
    throw new ValueError(`${fn}: dim must be a dim or a list of distinct dims, got ${JSON.stringify(d)}`);
  }
  return x.div(norm(x, p, x.ndim === 0 ? undefined : dim, { keepdims: true }).clamp(eps, null));
}

/** torch.nn.CosineSimilarity({ dim, eps }): forward(x1, x2). */
export class CosineSimilarity extends Module {
  static readonly typeName: string = "CosineSimilarity";
  readonly dim: number;
  readonly eps: number;
  constructor(o: CosineSimilarityOptions = {}) {
    super();
    checkOptions("CosineSimilarity", o, ["dim", "eps"]);
    const dim = o.dim ?? 1;
    if (!Number.isSafeInteger(dim)) throw new ValueError(`CosineSimilarity: dim must be an integer, got ${JSON.stringify(dim)}`);
    this.dim = dim;
    this.eps = positive("CosineSimilarity", "eps", o.eps ?? 1e-8, true);
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps }); }
}

/** torch.nn.PairwiseDistance({ p, eps, keepdim }): forward(x1, x2). */
export class PairwiseDistance extends Module {
  static readonly typeName: string = "PairwiseDistance";
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(o: PairwiseDistanceOptions = {}) {
    super();
    checkOptions("PairwiseDistance", o, ["p", "eps", "keepdim"]);
    this.norm = pOf("PairwiseDistance", o.p ?? 2) as number;
    this.eps = finite("PairwiseDistance", "eps", o.eps ?? 1e-6);
    this.keepdim = boolean("PairwiseDistance", "keepdim", o.keepdim ?? false);
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return pairwiseDistance(x1, x2, { p: this.norm, eps: this.eps, keepdim: this.keepdim }); }
}
