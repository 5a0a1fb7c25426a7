import { ValueError } from "../errors.js";
import { where, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkReduction, floatInput, matchTarget, reduce, type LossOptions } from "./loss-reduction.js";

/**
 * The regression losses with PyTorch's names, argument order (input, target) and reductions,
 * composed from Tensor ops, so a target that requires grad gets its gradient through the same
 * tape as the input. The binary cross-entropies live in losses-binary.ts.
 */
export type { Reduction, LossOptions } from "./loss-reduction.js";
export { reduce, matchTarget } from "./loss-reduction.js";
export { binaryCrossEntropy, bceWithLogits } from "./losses-binary.js";

/** Input minus target, both checked; the common start of the regression losses. */
function difference(input: Tensor, target: Tensor, name: string, o: object, keys: readonly string[]): Tensor {
  checkOptions(name, o, ["reduction", ...keys]);
  checkReduction((o as LossOptions).reduction, name);
  return floatInput(input, name).sub(matchTarget(input, target, name));
}

export function mseLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const d = difference(input, target, "mseLoss", o, []);
  return reduce(d.mul(d), o.reduction, "mseLoss");
}

/** |input − target|; its gradient at 0 is 0 (sign(0), as PyTorch). */
export function l1Loss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  return reduce(difference(input, target, "l1Loss", o, []).abs(), o.reduction, "l1Loss");
}

/** ½d² for |d| < δ, δ(|d| − ½δ) beyond (PyTorch's HuberLoss). */
export function huberLoss(input: Tensor, target: Tensor, o: LossOptions & { delta?: number } = {}): Tensor {
  const delta = o.delta ?? 1;
  const d = difference(input, target, "huberLoss", o, ["delta"]);
  if (typeof delta !== "number" || !(delta > 0)) throw new ValueError(`huberLoss: delta must be > 0, got ${delta}`);
  const a = d.abs();
  const per = where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta));
  return reduce(per, o.reduction, "huberLoss");
}

/** ½d²/β for |d| < β, |d| − ½β beyond (PyTorch's SmoothL1Loss: Huber divided by β); β = 0 is L1. */
export function smoothL1Loss(input: Tensor, target: Tensor, o: LossOptions & { beta?: number } = {}): Tensor {
  const beta = o.beta ?? 1;
  const d = difference(input, target, "smoothL1Loss", o, ["beta"]);
  if (typeof beta !== "number" || !(beta >= 0)) throw new ValueError(`smoothL1Loss: beta must be >= 0, got ${beta}`);
  const a = d.abs();
  if (beta === 0) return reduce(a, o.reduction, "smoothL1Loss");
  const per = where(a.lt(beta), d.mul(d).mul(0.5 / beta), a.sub(0.5 * beta));
  return reduce(per, o.reduction, "smoothL1Loss");
}
