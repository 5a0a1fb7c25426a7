import { DTypeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import {
  baseOf, checkIgnoreIndex, classLayout, classWeights, positionGrad, readLabels, reducePositions, sameShape, type ClassLayout,
} from "./class-targets.js";
import { checkReduction, type LossOptions } from "./loss-reduction.js";

export interface CrossEntropyOptions extends LossOptions {
  /** Per-class weights [C]; with labels, "mean" divides by the summed weights of the counted targets. */
  weight?: Tensor;
  /** Label value whose positions add nothing to the loss or the mean's denominator (default −100). */
  ignoreIndex?: number;
  /** ε: the target becomes (1−ε)·target + ε/C (Szegedy et al. 2016), as in PyTorch. */
  labelSmoothing?: number;
}

/**
 * The target at one position as coefficients a_c of −log softmax, so that every variant is
 *   loss_p = Σc a_c·(lse_p − z_pc),   ∂loss_p/∂z_pc = (Σc' a_c')·softmax_pc − a_c.
 * Labels y: a_c = (1−ε)·w_y·[c = y] + (ε/C)·w_c (all zero at an ignored position).
 * Probabilities t: a_c = w_c·((1−ε)·t_c + ε/C).  (PyTorch's label-smoothing with weights.)
 */
type Coefficients = (p: number, base: number, a: Float64Array) => void;

function labelCoefficients(labels: Int32Array, w: Float64Array | null, eps: number, C: number): Coefficients {
  return (p, _base, a) => {
    const y = labels[p];
    if (y < 0) { a.fill(0); return; }
    for (let c = 0; c < C; c++) a[c] = (eps / C) * (w ? w[c] : 1);
    a[y] += (1 - eps) * (w ? w[y] : 1);
  };
}
function probabilityCoefficients(t: ArrayLike<number>, w: Float64Array | null, eps: number, L: ClassLayout): Coefficients {
  const C = L.classes, S = L.stride;
  return (_p, base, a) => {
    for (let c = 0; c < C; c++) a[c] = (w ? w[c] : 1) * ((1 - eps) * t[base + c * S] + eps / C);
  };
}

/**
 * Cross-entropy of logits [C], [N, C] or [N, C, d1, …] against integer class labels ([], [N] or
 * [N, d1, …]) or against class probabilities of the logits' shape, with log-softmax fused in.
 * Each position is shifted by its max before exp, so logits of ±1e4 give exact, finite results.
 * Probability targets that require grad get ∂loss/∂t_c = (1−ε)·w_c·(lse − z_c).
 */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  const name = "crossEntropy";
  checkOptions(name, o, ["reduction", "weight", "ignoreIndex", "labelSmoothing"]);
  checkReduction(o.reduction, name);
  const reduction = o.reduction ?? "mean";
  const eps = o.labelSmoothing ?? 0;
  if (typeof eps !== "number" || !(eps >= 0 && eps <= 1)) throw new ValueError(`${name}: labelSmoothing must be in [0, 1], got ${eps}`);
  const L = classLayout(input, name);
  const ignoreIndex = checkIgnoreIndex(o.ignoreIndex, name);
  const w = classWeights(o.weight, L.classes, name);
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  const soft = sameShape(target.shape, input.shape);
  let coefficients: Coefficients;
  // Labels without weights or smoothing, the usual case: a_c = [c = y], which forward and
  // logitGrad read from the labels directly instead of filling C coefficients per position.
  let plain: Int32Array | null = null;
  // Class labels (null for probability targets): an ignored position's gradient is 0 whatever flows in.
  let labels: Int32Array | null = null;
  let denominator = L.positions;
  if (soft) {
    if (target.dtype !== "float32" && target.dtype !== "float64") throw new DTypeError(`${name}: probability targets must be float, got ${target.dtype}`);
    if (ignoreIndex >= 0) throw new ValueError(`${name}: ignoreIndex (${ignoreIndex}) applies to class labels, not to probability targets`);
    coefficients = probabilityCoefficients(target.data, w, eps, L);
  } else {
    labels = readLabels(target, L, ignoreIndex, name, input.shape, true);
    coefficients = labelCoefficients(labels, w, eps, L.classes);
    if (!w && eps === 0) plain = labels;
    denominator = 0;
    for (const y of labels) if (y >= 0) denominator += w ? w[y] : 1;
  }
  const z = input.data;
  const { per, lse } = forward(z, L, coefficients, plain);
  const result = reducePositions(per, L, reduction, denominator, input.dtype as "float32" | "float64");
  const inputs = soft ? [input, target] : [input];
  return record(result, name, inputs, (g) => {
    const gp = positionGrad(g, reduction, denominator);
    const gz = input.requiresGrad ? logitGrad(z, L, lse, coefficients, plain, labels, gp, input) : null;
    const gt = soft && target.requiresGrad ? targetGrad(z, L, lse, w, 1 - eps, gp, target) : null;
    return soft ? [gz, gt] : [gz];
  });
}

/** Per-position losses and log-sum-exps, in float64. */
function forward(z: ArrayLike<number>, L: ClassLayout, coefficients: Coefficients,
                 plain: Int32Array | null): { per: Float64Array; lse: Float64Array } {
  const C = L.classes, S = L.stride;
  const per = new Float64Array(L.positions), lse = new Float64Array(L.positions);
  const a = new Float64Array(C);
  for (let p = 0; p < L.positions; p++) {
    const base = baseOf(L, p);
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (z[base + c * S] > m) m = z[base + c * S];
    // All −∞ or NaN: 0, so that the NaN shows in the loss. A +∞ stays: ∞ − ∞ makes the position's
    // loss and gradient NaN throughout, as PyTorch's log_softmax (lse − z would give +∞ beside it).
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[base + c * S] - m);
    const l = m + Math.log(s);
    lse[p] = l;
    if (plain) {
      // The general sum below with one coefficient of 1: the same bits.
      const y = plain[p];
      per[p] = y >= 0 ? l - z[base + y * S] : 0;
      continue;
    }
    coefficients(p, base, a);
    // Σ a·(lse − z) term by term: each term is a small non-negative number.
    let acc = 0;
    for (let c = 0; c < C; c++) if (a[c] !== 0) acc += a[c] * (l - z[base + c * S]);
    per[p] = acc;
  }
  return { per, lse };
}

/**
 * ∂loss/∂z. A position whose label is ignored gets 0, not g·0: with every label ignored the mean's
 * g is 0/0 = NaN, and PyTorch, which writes only the positions it counts, leaves the rest 0.
 */
function logitGrad(z: ArrayLike<number>, L: ClassLayout, lse: Float64Array, coefficients: Coefficients,
                   plain: Int32Array | null, labels: Int32Array | null, gp: (p: number) => number, input: Tensor): Tensor {
  const C = L.classes, S = L.stride;
  const grad = input.dtype === "float64" ? new Float64Array(input.size) : new Float32Array(input.size);
  const a = new Float64Array(C);
  for (let p = 0; p < L.positions; p++) {
    if (labels !== null && labels[p] < 0) continue;
    const base = baseOf(L, p);
    if (plain) {
      // A = Σa is exactly 1, a_c = [c = y]: the general loop's bits.
      const y = plain[p], g = gp(p), l = lse[p];
      for (let c = 0; c < C; c++) grad[base + c * S] = g * (Math.exp(z[base + c * S] - l) - (c === y ? 1 : 0));
      continue;
    }
    coefficients(p, base, a);
    let A = 0;
    for (let c = 0; c < C; c++) A += a[c];
    const g = gp(p);
    for (let c = 0; c < C; c++) grad[base + c * S] = g * (A * Math.exp(z[base + c * S] - lse[p]) - a[c]);
  }
  return new Tensor(grad, input.dtype, input.shape.slice());
}

function targetGrad(z: ArrayLike<number>, L: ClassLayout, lse: Float64Array, w: Float64Array | null, keep: number,
                    gp: (p: number) => number, target: Tensor): Tensor {
  const C = L.classes, S = L.stride;
  const grad = target.dtype === "float64" ? new Float64Array(target.size) : new Float32Array(target.size);
  for (let p = 0; p < L.positions; p++) {
    const base = baseOf(L, p), g = gp(p) * keep;
    for (let c = 0; c < C; c++) grad[base + c * S] = g * (w ? w[c] : 1) * (lse[p] - z[base + c * S]);
  }
  return new Tensor(grad, target.dtype, target.shape.slice());
}
