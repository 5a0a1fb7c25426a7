import { ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { classWeights } from "./class-targets.js";
import { checkReduction, floatInput, matchTarget, reduce, type LossOptions } from "./loss-reduction.js";

/**
 * The hinge losses over classes (PyTorch's multi_margin_loss and multilabel_margin_loss) and the
 * logistic soft margin (soft_margin_loss). Each computes its per-sample losses in one recorded
 * op, in float64 loops (a sample's hinge terms pair every class with its target, which no
 * elementwise composition says without an [N, C, C] intermediate), then reduces with reduce().
 * As in PyTorch's kernels a hinge term counts, and passes gradient, only where it is > 0.
 */

export interface MultiMarginOptions extends LossOptions {
  /** 1 (default) or 2: the hinge's power. */
  p?: number;
  /** Default 1. */
  margin?: number;
  /** Per-class weights [C], multiplying every term of a sample by its target class's weight. */
  weight?: Tensor | null;
}

/** [N, C] as N samples, [C] or a 0-d tensor as one; C = 0 is refused, as PyTorch. */
function samplesOf(x: Tensor, name: string): { n: number; C: number; perShape: number[] } {
  if (x.ndim > 2 || (x.ndim >= 1 && x.shape[x.ndim - 1] === 0)) {
    throw new ShapeError(`${name}: input must be a non-empty [C], [N, C] or a 0-d tensor, got shape [${x.shape}]`);
  }
  if (x.ndim === 2) return { n: x.shape[0], C: x.shape[1], perShape: [x.shape[0]] };
  return { n: 1, C: x.ndim === 1 ? x.shape[0] : 1, perShape: [] };
}

/** Integer class values of `target` (any numeric dtype holding whole numbers), each in [lo, C). */
function classValues(target: Tensor, lo: number, C: number, name: string): Int32Array {
  const d = target.contiguous().data as ArrayLike<number>;
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    if (!Number.isInteger(v) || v < lo || v >= C) throw new ValueError(`${name}: target ${v} at index ${i} is not a class index in [${lo}, ${C})`);
    out[i] = v;
  }
  return out;
}

const floatArrayFor = (x: Tensor, n: number) => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

/**
 * Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C per sample, target y a class index per sample
 * ([N] for [N, C], 0-d or [1] for [C]); PyTorch's multi_margin_loss, defaults p 1, margin 1.
 */
export function multiMarginLoss(input: Tensor, target: Tensor, o: MultiMarginOptions = {}): Tensor {
  const name = "multiMarginLoss";
  checkOptions(name, o, ["reduction", "p", "margin", "weight"]);
  checkReduction(o.reduction, name);
  const p = o.p ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError(`${name}: p must be 1 or 2 (as PyTorch), got ${String(p)}`);
  const margin = o.margin ?? 1;
  if (typeof margin !== "number" || Number.isNaN(margin)) throw new ValueError(`${name}: margin must be a number, got ${String(margin)}`);
  const x = floatInput(input, name);
  const { n, C, perShape } = samplesOf(x, name);
  const w = classWeights(o.weight, C, name);
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  if (target.ndim > 1 || target.size !== n) {
    throw new ShapeError(`${name}: target must hold one class index per sample (${x.ndim === 2 ? `[${n}]` : "0-d or [1]"}) for input [${x.shape}], got shape [${target.shape}]`);
  }
  const y = classValues(target, 0, C, name);
  const xs = x.contiguous().data as ArrayLike<number>;
  const per = floatArrayFor(x, n);
  for (let s = 0; s < n; s++) {
    const b = s * C, xy = xs[b + y[s]];
    let sum = 0;
    for (let i = 0; i < C; i++) {
      if (i === y[s]) continue;
      const z = margin - xy + xs[b + i];
      if (z > 0) sum += p === 1 ? z : z * z;
    }
    per[s] = (w ? w[y[s]] : 1) * sum / C;
  }
  const out = record(new Tensor(per, x.dtype, perShape), name, [x], (g) => {
    const gs = g.contiguous().data as ArrayLike<number>;
    const grad = floatArrayFor(x, x.size);
    for (let s = 0; s < n; s++) {
      const b = s * C, xy = xs[b + y[s]], k = (gs[s] * (w ? w[y[s]] : 1)) / C;
      let toTarget = 0;
      for (let i = 0; i < C; i++) {
        if (i === y[s]) continue;
        const z = margin - xy + xs[b + i];
        if (!(z > 0)) continue;
        const d = k * (p === 1 ? 1 : 2 * z);
        grad[b + i] = d;
        toTarget += d;
      }
      if (toTarget !== 0) grad[b + y[s]] = -toTarget;
    }
    return [new Tensor(grad, x.dtype, x.shape.slice())];
  });
  return reduce(out, o.reduction, name);
}

/**
 * Σ_{j} Σ_{i ∉ targets} max(0, 1 − (x_{y_j} − x_i)) / C per sample, where y_j are the sample's
 * target classes up to the first −1 (PyTorch's multilabel_margin_loss): the target has the
 * input's shape ([N, C], [C] or 0-d), values in [−1, C); those after a −1 are ignored, and a
 * class listed twice counts twice, as in PyTorch.
 */
export function multilabelMarginLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const name = "multilabelMarginLoss";
  checkOptions(name, o, ["reduction"]);
  checkReduction(o.reduction, name);
  const x = floatInput(input, name);
  const { n, C, perShape } = samplesOf(x, name);
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  if (target.ndim !== x.ndim || target.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(`${name}: target of shape [${target.shape}] must have the input's shape [${x.shape}]`);
  }
  const y = classValues(target, -1, C, name);
  // The listed classes of each sample (up to the first −1), and which classes they are.
  const listed: number[][] = [];
  const isTarget = new Uint8Array(n * C);
  for (let s = 0; s < n; s++) {
    const l: number[] = [];
    for (let j = 0; j < C && y[s * C + j] >= 0; j++) {
      l.push(y[s * C + j]);
      isTarget[s * C + y[s * C + j]] = 1;
    }
    listed.push(l);
  }
  const xs = x.contiguous().data as ArrayLike<number>;
  const per = floatArrayFor(x, n);
  for (let s = 0; s < n; s++) {
    const b = s * C;
    let sum = 0;
    for (const t of listed[s]) {
      for (let i = 0; i < C; i++) {
        if (isTarget[b + i]) continue;
        const z = 1 - xs[b + t] + xs[b + i];
        if (z > 0) sum += z;
      }
    }
    per[s] = sum / C;
  }
  const out = record(new Tensor(per, x.dtype, perShape), name, [x], (g) => {
    const gs = g.contiguous().data as ArrayLike<number>;
    const grad = new Float64Array(x.size);
    for (let s = 0; s < n; s++) {
      const b = s * C, k = gs[s] / C;
      for (const t of listed[s]) {
        for (let i = 0; i < C; i++) {
          if (isTarget[b + i] || !(1 - xs[b + t] + xs[b + i] > 0)) continue;
          grad[b + i] += k;
          grad[b + t] -= k;
        }
      }
    }
    return [new Tensor(x.dtype === "float64" ? grad : Float32Array.from(grad), x.dtype, x.shape.slice())];
  });
  return reduce(out, o.reduction, name);
}

/**
 * log(1 + e^(−y·x)) per element (PyTorch's soft_margin_loss), target y (usually ±1) of the
 * input's shape ([n] and [n, 1] are accepted for each other, as in mseLoss). Computed as
 * max(z, 0) + log1p(e^(−|z|)), z = −y·x, so a large z gives z where PyTorch's float32 gives ∞.
 * The target gets a gradient too (−x·σ(z)); PyTorch 1.13 gives it none.
 */
export function softMarginLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const name = "softMarginLoss";
  checkOptions(name, o, ["reduction"]);
  checkReduction(o.reduction, name);
  const x = floatInput(input, name), t = matchTarget(x, target, name);
  const xs = x.contiguous().data as ArrayLike<number>, ts = t.contiguous().data as ArrayLike<number>;
  const per = floatArrayFor(x, x.size), sig = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const z = -ts[i] * xs[i];
    per[i] = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    sig[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  const out = record(new Tensor(per, x.dtype, x.shape.slice()), name, [x, t], (g) => {
    const gs = g.contiguous().data as ArrayLike<number>;
    const gx = floatArrayFor(x, x.size), gt = floatArrayFor(x, x.size);
    for (let i = 0; i < x.size; i++) {
      gx[i] = -ts[i] * sig[i] * gs[i];
      gt[i] = -xs[i] * sig[i] * gs[i];
    }
    return [new Tensor(gx, x.dtype, x.shape.slice()), new Tensor(gt, x.dtype, x.shape.slice())];
  });
  return reduce(out, o.reduction, name);
}
