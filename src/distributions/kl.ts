import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/tensor.js";
import type { Distribution } from "./distribution.js";
import { Independent, OneHotCategorical } from "./independent-onehot.js";
import { MIXED } from "./kl-mixed.js";
import { klCategorical, SAME_FAMILY } from "./kl-same.js";

type Family = abstract new (...args: never[]) => Distribution;
type Rule = readonly [Family, Family, (p: never, q: never) => Tensor];

/** Independent ‖ Independent: the bases' KL summed over the reinterpreted dims (equal counts only). */
function klIndependent(p: Independent, q: Independent): Tensor {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims) {
    throw new ValueError(`klDivergence: Independent with ${p.reinterpretedBatchNdims} reinterpreted dims against one with ${q.reinterpretedBatchNdims} has no closed form (as in PyTorch)`);
  }
  const kl = klDivergence(p.base, q.base), n = p.reinterpretedBatchNdims;
  return n === 0 ? kl : kl.sum(Array.from({ length: n }, (_, i) => -1 - i));
}

const RULES: readonly Rule[] = [
  ...SAME_FAMILY, ...MIXED,
  [OneHotCategorical, OneHotCategorical, (p: OneHotCategorical, q: OneHotCategorical) => klCategorical(p.categorical, q.categorical)],
  [Independent, Independent, klIndependent],
];

/**
 * KL(p ‖ q) in closed form, for the pairs of families PyTorch 1.13 registers (torch.distributions
 * .kl_divergence): differentiable in both distributions' parameters, the batch shapes broadcast.
 * Any other pair is a ValueError naming both families.
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  for (const [P, Q, kl] of RULES) if (p instanceof P && q instanceof Q) return (kl as (a: Distribution, b: Distribution) => Tensor)(p, q);
  throw new ValueError(`klDivergence: no closed form for ${nameOf(p)} ‖ ${nameOf(q)}`);
}

const nameOf = (d: unknown) => (d !== null && typeof d === "object" && "name" in d ? String(d.name) : typeof d);
