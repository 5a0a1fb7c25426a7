import type { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { constrainedParams, positive, real, type ParamLike } from "./params.js";

/**
 * A family with a real `loc` and a positive `scale` (Normal, Laplace): the parameters broadcast
 * and checked, the batch shape theirs, the mean `loc`, and draws differentiable in both.
 */
export abstract class LocationScale extends Distribution {
  override readonly hasRsample = true;
  readonly loc: Tensor;
  readonly scale: Tensor;

  constructor(name: string, loc: ParamLike, scale: ParamLike) {
    const { values: [l, s], batchShape } = constrainedParams(name, { loc: [loc, real], scale: [scale, positive] });
    super(name, batchShape);
    this.loc = l;
    this.scale = s;
  }

  get mean(): Tensor { return this.loc; }
}
