// zeroGrad's rule, shared by Module, Optimizer and LBFGS (nn and optim both sit above ndarray).
import { boolean } from "../checks.js";
import { zerosLike } from "./creation.js";
import type { Tensor } from "./tensor.js";

/**
 * Forgets the gradients of `params` (setToNone, the default), or replaces each existing one by
 * zeros of its shape and dtype (PyTorch's set_to_none=False). The difference shows at the next
 * step: a zero gradient is still a gradient, so the parameter's state advances (momentum decays,
 * Adam's step count grows) and weight decay applies, where a forgotten one is skipped.
 * Parameters without a gradient keep none either way.
 */
export function zeroGrads(who: string, params: Iterable<Tensor>, setToNone: unknown): void {
  boolean(who, "setToNone", setToNone);
  for (const p of params) p.grad = setToNone || !p.grad ? null : zerosLike(p.grad);
}
