import { ShapeError, ValueError } from "../errors.js";
import { record, Tensor, where } from "../ndarray/index.js";

/**
 * Losses with PyTorch's names, argument order (input, target) and reductions. Regression losses
 * are composed from Tensor ops; the binary cross-entropies are fused elementwise ops with their
 * closed-form gradients (crossEntropy lives in cross-entropy.ts).
 */
export type Reduction = "mean" | "sum" | "none";
export interface LossOptions {
  reduction?: Reduction;
}

export function reduce(per: Tensor, reduction: Reduction | undefined, where = "loss"): Tensor {
  switch (reduction ?? "mean") {
    case "mean": return per.mean();
    case "sum": return per.sum();
    case "none": return per;
    default: throw new ValueError(`${where}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
}

/** The target in the input's shape and dtype; [n] and [n, 1] are accepted for each other. */
export function matchTarget(input: Tensor, target: Tensor, name: string): Tensor {
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  const same = input.ndim === target.ndim && input.shape.every((d, i) => d === target.shape[i]);
  let t = target;
  if (!same) {
    const squeezeEq = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length + 1 && a[a.length - 1] === 1 && b.every((d, i) => d === a[i]);
    if (squeezeEq(input.shape, target.shape) || squeezeEq(target.shape, input.shape)) t = target.reshape(input.shape);
    else throw new ShapeError(`${name}: input of shape [${input.shape}] and target of shape [${target.shape}] differ`);
  }
  return t.dtype === input.dtype ? t : t.astype(input.dtype === "float64" ? "float64" : "float32");
}

function floatInput(x: Tensor, name: string): Tensor {
  if (x.dtype === "float32" || x.dtype === "float64") return x;
  throw new ValueError(`${name}: input must be float32 or float64, got ${x.dtype}`);
}

export function mseLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const d = floatInput(input, "mseLoss").sub(matchTarget(input, target, "mseLoss"));
  return reduce(d.mul(d), o.reduction, "mseLoss");
}

export function l1Loss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  return reduce(floatInput(input, "l1Loss").sub(matchTarget(input, target, "l1Loss")).abs(), o.reduction, "l1Loss");
}

/** ½d² for |d| < δ, δ(|d| − ½δ) beyond (PyTorch's HuberLoss; δ = 1 is SmoothL1). */
export function huberLoss(input: Tensor, target: Tensor, o: LossOptions & { delta?: number } = {}): Tensor {
  const delta = o.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be > 0, got ${delta}`);
  const d = floatInput(input, "huberLoss").sub(matchTarget(input, target, "huberLoss"));
  const a = d.abs();
  const per = where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta));
  return reduce(per, o.reduction, "huberLoss");
}

type Elementwise = (x: ArrayLike<number>, t: ArrayLike<number>, loss: Float32Array | Float64Array, grad: Float32Array | Float64Array) => void;

/** A fused per-element loss: the forward fills loss and dloss/dx at once; backward scales by g. */
function fused(name: string, input: Tensor, target: Tensor, body: Elementwise): Tensor {
  const x = floatInput(input, name);
  const t = matchTarget(x, target, name);
  const n = x.size;
  const F = x.dtype === "float64" ? Float64Array : Float32Array;
  const loss = new F(n), dx = new F(n);
  body(x.data, t.data, loss, dx);
  const out = new Tensor(loss, x.dtype, x.shape.slice());
  return record(out, name, [x], (g) => {
    const gd = g.data;
    const r = new F(n);
    for (let i = 0; i < n; i++) r[i] = gd[i] * dx[i];
    return [new Tensor(r, x.dtype, x.shape.slice())];
  });
}

/**
 * −[t·log p + (1−t)·log(1−p)] on probabilities; each log is clamped at −100 and the gradient
 * divides by max(p(1−p), 1e-12), as PyTorch does, so p = 0 or 1 gives a large finite loss.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const per = fused("binaryCrossEntropy", input, target, (p, t, loss, grad) => {
    for (let i = 0; i < loss.length; i++) {
      const pi = p[i], ti = t[i];
      if (!(pi >= 0 && pi <= 1)) throw new ValueError(`binaryCrossEntropy: input must be probabilities in [0, 1], got ${pi} at ${i}`);
      const lp = Math.max(Math.log(pi), -100), lq = Math.max(Math.log(1 - pi), -100);
      loss[i] = -(ti * lp + (1 - ti) * lq);
      grad[i] = (pi - ti) / Math.max(pi * (1 - pi), 1e-12);
    }
  });
  return reduce(per, o.reduction, "binaryCrossEntropy");
}

/**
 * Binary cross-entropy on logits z, in the stable form max(z,0) − z·t + log(1 + e^(−|z|)); its
 * gradient is σ(z) − t. posWeight multiplies the positive term (PyTorch's pos_weight).
 */
export function bceWithLogits(input: Tensor, target: Tensor, o: LossOptions & { posWeight?: number } = {}): Tensor {
  const w = o.posWeight ?? 1;
  const per = fused("bceWithLogits", input, target, (z, t, loss, grad) => {
    for (let i = 0; i < loss.length; i++) {
      const zi = z[i], ti = t[i];
      // log σ(z) = −softplus(−z), log(1−σ(z)) = −softplus(z); softplus(v) = max(v,0) + log1p(e^−|v|)
      const tail = Math.log1p(Math.exp(-Math.abs(zi)));
      const spNeg = Math.max(-zi, 0) + tail, spPos = Math.max(zi, 0) + tail;
      loss[i] = w * ti * spNeg + (1 - ti) * spPos;
      const s = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
      grad[i] = -w * ti * (1 - s) + (1 - ti) * s;
    }
  });
  return reduce(per, o.reduction, "bceWithLogits");
}
