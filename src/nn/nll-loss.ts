import { ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import {
  baseOf, checkIgnoreIndex, classLayout, classWeights, positionGrad, readLabels, reducePositions,
} from "./class-targets.js";
import { checkReduction, type LossOptions } from "./loss-reduction.js";

export interface NllLossOptions extends LossOptions {
  /** Per-class weights [C]; "mean" divides by the summed weights of the counted targets. */
  weight?: Tensor;
  /** Label value whose positions add nothing to the loss or the mean's denominator (default −100). */
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood of log-probabilities [C], [N, C] or [N, C, d1, …] at integer labels
 * ([], [N] or [N, d1, …]): loss_p = −w_y·x_py, 0 at ignored positions (PyTorch's nll_loss).
 * Its gradient is −w_y (times the reduction's factor) at the label and 0 elsewhere.
 */
export function nllLoss(input: Tensor, target: Tensor, o: NllLossOptions = {}): Tensor {
  const name = "nllLoss";
  checkOptions(name, o, ["reduction", "weight", "ignoreIndex"]);
  checkReduction(o.reduction, name);
  const reduction = o.reduction ?? "mean";
  const L = classLayout(input, name);
  const ignoreIndex = checkIgnoreIndex(o.ignoreIndex, name);
  const w = classWeights(o.weight, L.classes, name);
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  const labels = readLabels(target, L, ignoreIndex, name, input.shape, false);
  const x = input.data;
  const per = new Float64Array(L.positions);
  let denominator = 0;
  for (let p = 0; p < L.positions; p++) {
    const y = labels[p];
    if (y < 0) continue;
    const wy = w ? w[y] : 1;
    per[p] = -wy * x[baseOf(L, p) + y * L.stride];
    denominator += wy;
  }
  const result = reducePositions(per, L, reduction, denominator, input.dtype as "float32" | "float64");
  return record(result, name, [input], (g) => {
    const gp = positionGrad(g, reduction, denominator);
    const grad = input.dtype === "float64" ? new Float64Array(input.size) : new Float32Array(input.size);
    for (let p = 0; p < L.positions; p++) {
      const y = labels[p];
      if (y >= 0) grad[baseOf(L, p) + y * L.stride] = -(w ? w[y] : 1) * gp(p);
    }
    return [new Tensor(grad, input.dtype, input.shape.slice())];
  });
}
