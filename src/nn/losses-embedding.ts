import { ShapeError, ValueError } from "../errors.js";
import { clip, record, Tensor, where } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkReduction, flag, floatInput, matchTarget, reduce, type LossOptions } from "./loss-reduction.js";

/**
 * Margin losses on pairs and triplets (PyTorch's semantics), composed from Tensor ops (but for the
 * triplet's p-norm, one op for its gradient at 0). Every hinge is clamp_min(·, 0), whose gradient
 * passes at exactly 0, as PyTorch's does.
 */
export interface MarginOptions extends LossOptions {
  margin?: number;
}

function marginOf(o: MarginOptions, fallback: number, name: string): number {
  const m = o.margin ?? fallback;
  if (typeof m !== "number" || Number.isNaN(m)) throw new ValueError(`${name}: margin must be a number, got ${String(m)}`);
  return m;
}

/** Labels (±1) of any numeric dtype, as the inputs' float dtype. */
function labelsOf(target: Tensor, like: Tensor, name: string): Tensor {
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  return target.dtype === like.dtype ? target : target.astype(like.dtype);
}

function sameShapes(name: string, named: Record<string, Tensor>): void {
  const entries = Object.entries(named);
  const [firstName, first] = entries[0];
  for (const [k, t] of entries.slice(1)) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new ShapeError(`${name}: ${k} of shape [${t.shape}] differs from ${firstName} of shape [${first.shape}]`);
    }
  }
}

/**
 * y = 1: 1 − cos(x1, x2); y = −1: max(0, cos − margin); other labels contribute 0. Vectors are
 * the last dim of [N, D] (or [D]); cos = x1·x2 / √((|x1|² + 1e-12)(|x2|² + 1e-12)) as in PyTorch.
 */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  const name = "cosineEmbeddingLoss";
  checkOptions(name, o, ["reduction", "margin"]);
  checkReduction(o.reduction, name);
  const margin = marginOf(o, 0, name);
  const a = floatInput(x1, name, "x1"), b = floatInput(x2, name, "x2");
  sameShapes(name, { x1: a, x2: b });
  if (a.ndim !== 1 && a.ndim !== 2) throw new ShapeError(`${name}: inputs must be [N, D] or [D], got [${a.shape}]`);
  const y = labelsOf(target, a, name);
  const want = a.ndim === 2 ? [a.shape[0]] : [];
  if (y.ndim !== want.length || (want.length === 1 && y.shape[0] !== want[0])) {
    throw new ShapeError(`${name}: target must have shape [${want}], got [${y.shape}]`);
  }
  const EPS = 1e-12;
  const dot = a.mul(b).sum(-1);
  const cos = dot.div(a.mul(a).sum(-1).add(EPS).mul(b.mul(b).sum(-1).add(EPS)).sqrt());
  const per = where(y.eq(1), cos.neg().add(1), 0).add(where(y.eq(-1), clip(cos.sub(margin), 0, null), 0));
  return reduce(per, o.reduction, name);
}

/** max(0, −y·(x1 − x2) + margin), all three of one rank, broadcast together (PyTorch's margin_ranking_loss). */
export function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  const name = "marginRankingLoss";
  checkOptions(name, o, ["reduction", "margin"]);
  checkReduction(o.reduction, name);
  const margin = marginOf(o, 0, name);
  const a = floatInput(x1, name, "x1"), b = floatInput(x2, name, "x2"), y = labelsOf(target, a, name);
  // PyTorch broadcasts only tensors of the same rank here: x1 [N] with a 0-d target is refused.
  if (a.ndim !== b.ndim || a.ndim !== y.ndim) {
    throw new ShapeError(`${name}: x1, x2 and target must have the same number of dims, got [${a.shape}], [${b.shape}] and [${y.shape}]`);
  }
  return reduce(clip(y.neg().mul(a.sub(b)).add(margin), 0, null), o.reduction, name);
}

/**
 * y = 1: x; y = −1: max(0, margin − x); PyTorch's hinge_embedding_loss (default margin 1). The
 * target has the input's shape ([n] and [n, 1] are accepted for each other, as in mseLoss).
 */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  const name = "hingeEmbeddingLoss";
  checkOptions(name, o, ["reduction", "margin"]);
  checkReduction(o.reduction, name);
  const margin = marginOf(o, 1, name);
  const x = floatInput(input, name), y = matchTarget(x, target, name);
  // PyTorch's formula, so a label other than ±1 gets both terms, as there.
  const per = where(y.ne(1), clip(x.neg().add(margin), 0, null), 0).add(where(y.ne(-1), x, 0));
  return reduce(per, o.reduction, name);
}

export interface TripletMarginOptions extends MarginOptions {
  /** The norm's degree (default 2). */
  p?: number;
  /** Added to each difference before the norm, as PyTorch's pairwise_distance (default 1e-6). */
  eps?: number;
  /** Uses min(d(a, n), d(p, n)) as the negative distance (Balntas et al. 2016). */
  swap?: boolean;
}

/**
 * ‖x − y + eps‖_p over the last dim of [N, D] or [D], with PyTorch's norm gradient
 * sign(d)·|d|^(p−1)·g / ‖d‖^(p−1), which is 0 where d = 0: composed of sqrt or pow, a zero
 * distance (eps 0, anchor = positive) or, for p < 1, a zero coordinate would give 0·∞ = NaN.
 */
function pairwiseDistance(x: Tensor, y: Tensor, p: number, eps: number): Tensor {
  const d = x.sub(y).add(eps);
  const D = d.shape[d.ndim - 1], rows = d.ndim === 2 ? d.shape[0] : 1, dd = d.data;
  const F = d.dtype === "float64" ? Float64Array : Float32Array;
  const norm = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * D; i < (r + 1) * D; i++) s += p === 1 ? Math.abs(dd[i]) : p === 2 ? dd[i] * dd[i] : Math.abs(dd[i]) ** p;
    norm[r] = p === 1 ? s : p === 2 ? Math.sqrt(s) : s ** (1 / p);
  }
  const out = new Tensor(F.from(norm), d.dtype, d.shape.slice(0, -1));
  return record(out, "pairwiseDistance", [d], (g) => {
    const gd = g.data, grad = new F(d.size);
    for (let r = 0; r < rows; r++) {
      const k = gd[r] / norm[r] ** (p - 1);
      for (let i = r * D; i < (r + 1) * D; i++) if (dd[i] !== 0) grad[i] = Math.sign(dd[i]) * Math.abs(dd[i]) ** (p - 1) * k;
    }
    return [new Tensor(grad, d.dtype, d.shape.slice())];
  });
}

/** max(0, margin + d(anchor, positive) − d(anchor, negative)) per sample (default margin 1). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, o: TripletMarginOptions = {}): Tensor {
  const name = "tripletMarginLoss";
  checkOptions(name, o, ["reduction", "margin", "p", "eps", "swap"]);
  checkReduction(o.reduction, name);
  const margin = marginOf(o, 1, name);
  const p = o.p ?? 2, eps = o.eps ?? 1e-6;
  if (!(p > 0 && Number.isFinite(p))) throw new ValueError(`${name}: p must be a finite number > 0, got ${p}`);
  if (typeof eps !== "number" || !(eps >= 0)) throw new ValueError(`${name}: eps must be >= 0, got ${eps}`);
  const a = floatInput(anchor, name, "anchor"), pos = floatInput(positive, name, "positive"), neg = floatInput(negative, name, "negative");
  sameShapes(name, { anchor: a, positive: pos, negative: neg });
  if (a.ndim !== 1 && a.ndim !== 2) throw new ShapeError(`${name}: inputs must be [N, D] or [D], got [${a.shape}]`);
  const dPos = pairwiseDistance(a, pos, p, eps);
  let dNeg = pairwiseDistance(a, neg, p, eps);
  if (flag(o.swap, false, name, "swap")) dNeg = dNeg.minimum(pairwiseDistance(pos, neg, p, eps));
  return reduce(clip(dPos.sub(dNeg).add(margin), 0, null), o.reduction, name);
}
