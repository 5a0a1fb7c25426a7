import { checkOptions } from "../../options.js";
import { groupsOf, lambdasPerGroup, returned, type Schedulable } from "./check.js";
import { LRScheduler } from "./scheduler.js";

/** A function of the epoch: one for every group, or one per group. */
export type LrLambda = (epoch: number) => number;

/**
 * lr = base·lrLambda(epoch), from the base lr whatever else changed it (PyTorch's LambdaLR).
 * stateDict() leaves the functions out, as PyTorch does: give them to the constructor again.
 */
export class LambdaLR extends LRScheduler {
  static readonly typeName: string = "LambdaLR";
  readonly lrLambdas: LrLambda[];
  constructor(opt: Schedulable, o: { lrLambda: LrLambda | LrLambda[] }) {
    checkOptions("LambdaLR", o, ["lrLambda"]);
    const lrLambdas = lambdasPerGroup<LrLambda>("LambdaLR", "lrLambda", o?.lrLambda, groupsOf("LambdaLR", opt).length);
    super(opt, "LambdaLR");
    this.lrLambdas = lrLambdas;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.lrAt(this.lastEpoch);
  }
  override lrAt(e: number): number[] {
    return this.baseLrs.map((b, i) => b * returned("LambdaLR", "lrLambda", this.lrLambdas[i], e));
  }
}

/**
 * Multiplies the current lr by lrLambda(epoch) at every step after the first (PyTorch's
 * MultiplicativeLR). It has no closed form: step(epoch) multiplies by lrLambda(epoch) once,
 * except at epoch 0, which leaves the lr alone as the constructor's step does (PyTorch's get_lr
 * multiplies only when last_epoch > 0). SequentialLR relies on that: at a milestone it steps
 * this scheduler to epoch 0, which must keep the lr the previous scheduler left.
 */
export class MultiplicativeLR extends LRScheduler {
  static readonly typeName: string = "MultiplicativeLR";
  readonly lrLambdas: LrLambda[];
  constructor(opt: Schedulable, o: { lrLambda: LrLambda | LrLambda[] }) {
    checkOptions("MultiplicativeLR", o, ["lrLambda"]);
    const lrLambdas = lambdasPerGroup<LrLambda>("MultiplicativeLR", "lrLambda", o?.lrLambda, groupsOf("MultiplicativeLR", opt).length);
    super(opt, "MultiplicativeLR");
    this.lrLambdas = lrLambdas;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (!(this.lastEpoch > 0)) return this.currentLrs();
    return this.currentLrs().map((lr, i) => lr * returned("MultiplicativeLR", "lrLambda", this.lrLambdas[i], this.lastEpoch));
  }
}
