import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import type { LossOptions } from "./losses.js";

export interface CrossEntropyOptions extends LossOptions {
  /** ε: the target becomes (1−ε)·target + ε/C (Szegedy et al. 2016), as in PyTorch. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [n, C] (or [C]) against integer class labels [n] (or a scalar) or
 * against class probabilities of the logits' shape, with log-softmax fused in:
 *   loss_i = logsumexp(z_i) − Σ_c q_ic·z_ic,   ∂loss_i/∂z_i = softmax(z_i) − q_i
 * where q is the (smoothed) target distribution. Rows are shifted by their max before exp, so
 * logits of ±1e4 give exact, finite results. One pass forward, one pass backward, in float64
 * per row; the tape holds only the per-row logsumexp.
 */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  const reduction = o.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new ValueError(`crossEntropy: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
  const eps = o.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new DTypeError(`crossEntropy: logits must be float32 or float64, got ${input.dtype}`);
  }
  if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(`crossEntropy: logits must be [n, classes] or [classes], got [${input.shape}]`);
  const single = input.ndim === 1;
  const n = single ? 1 : input.shape[0];
  const C = input.shape[input.ndim - 1];
  const z = input.data;

  const soft = target.ndim === input.ndim && target.shape.every((d, i) => d === input.shape[i]);
  let labels: Int32Array | null = null;
  let probs: ArrayLike<number> | null = null;
  if (soft) {
    if (target.dtype !== "float32" && target.dtype !== "float64") {
      throw new DTypeError(`crossEntropy: probability targets must be float, got ${target.dtype}`);
    }
    probs = target.data;
  } else {
    const want = single ? [] : [n];
    if (target.ndim !== want.length || (target.ndim === 1 && target.shape[0] !== n)) {
      throw new ShapeError(`crossEntropy: target of shape [${target.shape}] fits neither class labels [${want}] nor probabilities [${input.shape}] for logits [${input.shape}]`);
    }
    labels = toLabels(target.data, C);
  }

  const lse = new Float64Array(n);
  const out = new Float64Array(n);
  const off = eps / C;
  for (let i = 0; i < n; i++) {
    const base = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (z[base + c] > m) m = z[base + c];
    if (!Number.isFinite(m)) m = 0; // all −∞ or NaN rows: let the NaN/∞ show in the loss
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[base + c] - m);
    const l = m + Math.log(s);
    lse[i] = l;
    // Σ q·(lse − z) written per term so each term is a small non-negative number.
    let acc = 0;
    if (labels) {
      acc = (1 - eps) * (l - z[base + labels[i]]);
      if (eps > 0) for (let c = 0; c < C; c++) acc += off * (l - z[base + c]);
    } else {
      for (let c = 0; c < C; c++) {
        const q = (1 - eps) * probs![base + c] + off;
        if (q !== 0) acc += q * (l - z[base + c]);
      }
    }
    out[i] = acc;
  }

  const dtype = input.dtype;
  const F = dtype === "float64" ? Float64Array : Float32Array;
  let result: Tensor;
  if (reduction === "none") result = new Tensor(F.from(out), dtype, single ? [] : [n]);
  else {
    let total = 0;
    for (let i = 0; i < n; i++) total += out[i];
    const r = new F(1);
    r[0] = reduction === "mean" ? total / n : total;
    result = new Tensor(r, dtype, []);
  }

  return record(result, "crossEntropy", [input], (g) => {
    const gd = g.data;
    const grad = new F(n * C);
    for (let i = 0; i < n; i++) {
      const gi = reduction === "none" ? gd[i] : reduction === "mean" ? gd[0] / n : gd[0];
      const base = i * C;
      const l = lse[i];
      for (let c = 0; c < C; c++) {
        const q = labels ? (c === labels[i] ? 1 - eps : 0) + off : (1 - eps) * probs![base + c] + off;
        grad[base + c] = gi * (Math.exp(z[base + c] - l) - q);
      }
    }
    return [new Tensor(grad, dtype, input.shape.slice())];
  });
}

/** Class indices as int32, checked to be integers in [0, C). */
function toLabels(d: ArrayLike<number>, C: number): Int32Array {
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v) || v < 0 || v >= C) {
      throw new ValueError(`crossEntropy: label ${v} at index ${i} is not a class index in [0, ${C})`);
    }
    out[i] = v;
  }
  return out;
}
