// The triplet margin loss under any distance: F.triplet_margin_with_distance_loss and
// TripletMarginWithDistanceLoss, as PyTorch 1.13. max(0, d(a, p) − d(a, n) + margin) per triplet,
// d a function of two tensors (default pairwiseDistance: ‖a − b + 1e-6‖₂ over the last dim),
// composed of recorded ops, so the distance's own autograd carries the gradient; with swap, the
// negative distance is min(d(a, n), d(p, n)) (Balntas et al. 2016). The hinge is clamp(·, 0),
// whose gradient passes at exactly 0, as PyTorch's.
import { ValueError } from "../errors.js";
import { clip, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { pairwiseDistance } from "./distance.js";
import { LossModule } from "./loss-module.js";
import { checkReduction, flag, reduce, type LossOptions } from "./loss-reduction.js";

/** A distance between two batches of vectors: one value per pair, differentiable by autograd. */
export type DistanceFunction = (x1: Tensor, x2: Tensor) => Tensor;

export interface TripletMarginWithDistanceOptions extends LossOptions {
  /** Default (also for null, PyTorch's None): pairwiseDistance with p 2 and eps 1e-6. */
  distanceFunction?: DistanceFunction | null;
  /** Default 1. */
  margin?: number;
  /** Use min(d(anchor, negative), d(positive, negative)) as the negative distance (default false). */
  swap?: boolean;
}

const defaultDistance: DistanceFunction = (x1, x2) => pairwiseDistance(x1, x2);

interface Resolved { distance: DistanceFunction; margin: number; swap: boolean }

function resolve(where: string, o: TripletMarginWithDistanceOptions): Resolved {
  checkOptions(where, o, ["distanceFunction", "margin", "swap", "reduction"]);
  checkReduction(o.reduction, where);
  const d = o.distanceFunction ?? defaultDistance;
  if (typeof d !== "function") throw new ValueError(`${where}: distanceFunction must be a function of two tensors, got ${typeof d}`);
  const margin = o.margin ?? 1;
  if (typeof margin !== "number" || Number.isNaN(margin)) throw new ValueError(`${where}: margin must be a number, got ${String(margin)}`);
  return { distance: d, margin, swap: flag(o.swap, false, where, "swap") };
}

function distanceBetween(where: string, d: DistanceFunction, x1: Tensor, x2: Tensor): Tensor {
  const out = d(x1, x2);
  if (!(out instanceof Tensor)) throw new ValueError(`${where}: distanceFunction must return a Tensor, got ${typeof out}`);
  return out;
}

/** F.triplet_margin_with_distance_loss(anchor, positive, negative, { distanceFunction, margin, swap, reduction }). */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
                                              o: TripletMarginWithDistanceOptions = {}): Tensor {
  const where = "tripletMarginWithDistanceLoss";
  const { distance, margin, swap } = resolve(where, o);
  for (const [name, t] of [["anchor", anchor], ["positive", positive], ["negative", negative]] as const) {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor`);
  }
  const dPos = distanceBetween(where, distance, anchor, positive);
  let dNeg = distanceBetween(where, distance, anchor, negative);
  if (swap) dNeg = dNeg.minimum(distanceBetween(where, distance, positive, negative));
  return reduce(clip(dPos.sub(dNeg).add(margin), 0, null), o.reduction, where);
}

/** torch.nn.TripletMarginWithDistanceLoss({ distanceFunction, margin, swap, reduction }): forward(anchor, positive, negative). */
export class TripletMarginWithDistanceLoss extends LossModule {
  static readonly typeName: string = "TripletMarginWithDistanceLoss";
  readonly lossFunction = tripletMarginWithDistanceLoss;
  protected override readonly inputNames = ["anchor", "positive", "negative"];
  readonly distanceFunction: DistanceFunction;
  readonly margin: number;
  readonly swap: boolean;
  constructor(o: TripletMarginWithDistanceOptions = {}) {
    super("TripletMarginWithDistanceLoss", o, ["distanceFunction", "margin", "swap"]);
    ({ distance: this.distanceFunction, margin: this.margin, swap: this.swap } = resolve("TripletMarginWithDistanceLoss", o));
  }
  lossOptions(): TripletMarginWithDistanceOptions {
    return { reduction: this.reduction as LossOptions["reduction"], distanceFunction: this.distanceFunction, margin: this.margin, swap: this.swap };
  }
}
