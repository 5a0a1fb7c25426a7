import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

/**
 * Keras-style weight penalties: a function of a weight tensor returning a scalar that the
 * training loop adds to the loss (Module.regularizationLoss() collects them). l2 is c·Σw² as in
 * Keras (no ½), so its gradient is 2c·w; decoupled decay lives in the optimizers (AdamW).
 */
export type Regularizer = (w: Tensor) => Tensor;

function checkCoef(c: number, name: string): number {
  if (!Number.isFinite(c) || c < 0) throw new ValueError(`${name}: coefficient must be a finite number ≥ 0, got ${c}`);
  return c;
}

export function l1(c = 0.01): Regularizer {
  checkCoef(c, "l1");
  return (w) => w.abs().sum().mul(c);
}
export function l2(c = 0.01): Regularizer {
  checkCoef(c, "l2");
  return (w) => w.mul(w).sum().mul(c);
}
export function l1l2(o: { l1?: number; l2?: number } = {}): Regularizer {
  const a = checkCoef(o.l1 ?? 0.01, "l1l2"), b = checkCoef(o.l2 ?? 0.01, "l1l2");
  return (w) => w.abs().sum().mul(a).add(w.mul(w).sum().mul(b));
}
