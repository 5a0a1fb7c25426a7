import { ValueError } from "../../errors.js";
import { checkOptions } from "../../options.js";
import { inRange, positiveInt, type Schedulable } from "./check.js";
import { LRScheduler } from "./scheduler.js";
import { typeName } from "../../type-name.js";

export interface LinearWarmupOptions {
  /** Epochs (scheduler steps) of warmup. */
  warmupEpochs: number;
  /** Fraction of the base lr at epoch 0 (default 1/warmupEpochs). */
  startFactor?: number;
  /** The schedule that takes over after warmup, started at its own epoch 0 (e.g. cosine decay). */
  after?: LRScheduler;
}

/**
 * Linear warmup (Goyal et al. 2017): lr rises linearly from startFactor·base at epoch 0 to base
 * at warmupEpochs, then `after` (if given) runs as if it had started then — the usual
 * "warmup + cosine/step decay" recipe, like PyTorch's SequentialLR([LinearLR, after]). Step only
 * this scheduler; it drives `after` through its closed form, and writes the lr from the base lrs.
 */
export class LinearWarmup extends LRScheduler {
  static readonly typeName: string = "LinearWarmup";
  readonly warmupEpochs: number;
  readonly startFactor: number;
  readonly after: LRScheduler | null;
  constructor(opt: Schedulable, o: LinearWarmupOptions) {
    checkOptions("LinearWarmup", o, ["warmupEpochs", "startFactor", "after"]);
    const warmupEpochs = positiveInt("LinearWarmup", "warmupEpochs", o?.warmupEpochs);
    const startFactor = inRange("LinearWarmup", "startFactor", o.startFactor ?? 1 / warmupEpochs, 0, 1);
    const after = o.after ?? null;
    if (after && !(after instanceof LRScheduler)) throw new ValueError("LinearWarmup: `after` must be an LR scheduler");
    if (after && after.optimizer !== opt) throw new ValueError("LinearWarmup: `after` must schedule the same optimizer");
    if (after && !after.lrAt) throw new ValueError(`LinearWarmup: \`after\` (${typeName(after)}) has no closed form to drive`);
    super(opt, "LinearWarmup");
    this.warmupEpochs = warmupEpochs;
    this.startFactor = startFactor;
    this.after = after;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.lrAt(this.lastEpoch);
  }
  override lrAt(e: number): number[] {
    const W = this.warmupEpochs;
    if (e >= W) return this.after ? this.after.lrAt!(e - W) : this.baseLrs.slice();
    const f = this.startFactor + ((1 - this.startFactor) * e) / W;
    return this.baseLrs.map((b) => b * f);
  }
}
