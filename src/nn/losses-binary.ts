import { ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkReduction, elementWeight, floatInput, matchTarget, reduce, type LossOptions } from "./loss-reduction.js";

/**
 * The binary cross-entropies: fused elementwise ops whose forward fills the loss and both partial
 * derivatives (input and target) in one pass, so a target that requires grad (distillation,
 * consistency losses) trains too, as in PyTorch. Weights multiply the per-element loss.
 */
export interface BinaryCrossEntropyOptions extends LossOptions {
  /** Rescales each element's loss; broadcast to the input's shape. */
  weight?: Tensor;
}
export interface BceWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term: a number, or a tensor broadcast over the input (e.g. [C] for the class dim). */
  posWeight?: number | Tensor;
}

type Body = (x: ArrayLike<number>, t: ArrayLike<number>, loss: Float64Array, dx: Float64Array, dt: Float64Array) => void;

/** Elementwise loss with the input's and the target's gradients precomputed by `body`. */
function fused(name: string, x: Tensor, target: Tensor, body: Body): Tensor {
  const t = matchTarget(x, target, name);
  const n = x.size;
  const loss = new Float64Array(n), dx = new Float64Array(n), dt = new Float64Array(n);
  body(x.data, t.data, loss, dx, dt);
  const F = x.dtype === "float64" ? Float64Array : Float32Array;
  const out = new Tensor(F.from(loss), x.dtype, x.shape.slice());
  const scaled = (gd: ArrayLike<number>, d: Float64Array) => {
    const r = new F(n);
    for (let i = 0; i < n; i++) r[i] = gd[i] * d[i];
    return new Tensor(r, x.dtype, x.shape.slice());
  };
  return record(out, name, [x, t], (g) => {
    const gd = g.data;
    return [x.requiresGrad ? scaled(gd, dx) : null, t.requiresGrad ? scaled(gd, dt) : null];
  });
}

function weighted(per: Tensor, weight: Tensor | null, o: LossOptions, name: string): Tensor {
  return reduce(weight ? per.mul(weight.astype(per.dtype)) : per, o.reduction, name);
}

/**
 * −w·[t·log p + (1−t)·log(1−p)] on probabilities; each log is clamped at −100 and the input's
 * gradient divides by max(p(1−p), 1e-12), as PyTorch does, so p = 0 or 1 gives a large finite
 * loss. The target's gradient is the derivative of the computed loss, log(1−p) − log p with the
 * same clamped logs (PyTorch: −logit(p), which differs only at p = 0 or 1 exactly).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, o: BinaryCrossEntropyOptions = {}): Tensor {
  const name = "binaryCrossEntropy";
  checkOptions(name, o, ["reduction", "weight"]);
  checkReduction(o.reduction, name);
  const x = floatInput(input, name);
  const weight = elementWeight(o.weight, x.shape, name);
  const pd = x.data;
  for (let i = 0; i < pd.length; i++) {
    if (!(pd[i] >= 0 && pd[i] <= 1)) throw new ValueError(`${name}: input must be probabilities in [0, 1], got ${pd[i]} at ${i}`);
  }
  const per = fused(name, x, target, (p, t, loss, dx, dt) => {
    for (let i = 0; i < loss.length; i++) {
      const pi = p[i], ti = t[i];
      const lp = Math.max(Math.log(pi), -100), lq = Math.max(Math.log(1 - pi), -100);
      loss[i] = -(ti * lp + (1 - ti) * lq);
      dx[i] = (pi - ti) / Math.max(pi * (1 - pi), 1e-12);
      dt[i] = lq - lp;
    }
  });
  return weighted(per, weight, o, name);
}

/**
 * Binary cross-entropy on logits z with positive weight w⁺ (PyTorch's pos_weight):
 *   loss = (1−t)·softplus(z) + w⁺·t·softplus(−z)
 *   ∂/∂z = (1−t)·σ(z) − w⁺·t·σ(−z)     ∂/∂t = w⁺·softplus(−z) − softplus(z)
 * with softplus(v) = max(v, 0) + log1p(e^−|v|), exact and finite for any z.
 */
export function bceWithLogits(input: Tensor, target: Tensor, o: BceWithLogitsOptions = {}): Tensor {
  const name = "bceWithLogits";
  checkOptions(name, o, ["reduction", "weight", "posWeight"]);
  checkReduction(o.reduction, name);
  const x = floatInput(input, name);
  const weight = elementWeight(o.weight, x.shape, name);
  const pw = positiveWeight(o.posWeight, x.shape, name);
  const per = fused(name, x, target, (z, t, loss, dx, dt) => {
    for (let i = 0; i < loss.length; i++) {
      const zi = z[i], ti = t[i], wi = pw(i);
      const tail = Math.log1p(Math.exp(-Math.abs(zi)));
      const spNeg = Math.max(-zi, 0) + tail, spPos = Math.max(zi, 0) + tail;
      const e = Math.exp(-Math.abs(zi));
      const s = zi >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(z) without overflow
      const sNeg = zi >= 0 ? e / (1 + e) : 1 / (1 + e); // σ(−z) = 1 − σ(z), without cancellation
      loss[i] = wi * ti * spNeg + (1 - ti) * spPos;
      dx[i] = (1 - ti) * s - wi * ti * sNeg;
      dt[i] = wi * spNeg - spPos;
    }
  });
  return weighted(per, weight, o, name);
}

/** posWeight as a per-element lookup: a constant, or a tensor broadcast to the input's shape. */
function positiveWeight(pw: unknown, shape: readonly number[], name: string): (i: number) => number {
  if (pw === undefined) return () => 1;
  if (typeof pw === "number") {
    if (Number.isNaN(pw)) throw new ValueError(`${name}: posWeight must be a number or a Tensor, got NaN`);
    return () => pw;
  }
  const w = elementWeight(pw, shape, name, "posWeight")!;
  const d = w.broadcastTo(shape).data;
  return (i) => d[i];
}

/**
 * PyTorch's MultiLabelSoftMarginLoss: per sample, the class-weighted mean over the C classes of
 * the binary cross-entropy on logits, −(1/C)·Σc wc·[yc·log σ(xc) + (1−yc)·log σ(−xc)].
 * Input and target [N, C] (or [C]); reduction over samples.
 */
export function multiLabelSoftMarginLoss(input: Tensor, target: Tensor, o: BinaryCrossEntropyOptions = {}): Tensor {
  const name = "multiLabelSoftMarginLoss";
  checkOptions(name, o, ["reduction", "weight"]);
  checkReduction(o.reduction, name);
  const x = floatInput(input, name);
  if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(`${name}: input must be [N, C] or [C], got [${x.shape}]`);
  const C = x.shape[x.ndim - 1];
  const t = matchTarget(x, target, name);
  // Usually [C] (one per class), but PyTorch multiplies it elementwise: [N, C] or [N, 1] work too.
  const weight = elementWeight(o.weight, x.shape, name);
  const per = bceWithLogits(x, t, { reduction: "none", ...(weight ? { weight } : {}) });
  return reduce(per.sum(-1).div(C), o.reduction, name);
}
