import { ValueError } from "../../errors.js";
import { LRScheduler, positiveInt, type Schedulable } from "./scheduler.js";

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
 * this scheduler; it drives `after` through its closed form.
 */
export class LinearWarmup extends LRScheduler {
  readonly warmupEpochs: number;
  readonly startFactor: number;
  readonly after: LRScheduler | null;
  constructor(opt: Schedulable, o: LinearWarmupOptions) {
    super(opt);
    this.warmupEpochs = positiveInt("LinearWarmup", "warmupEpochs", o?.warmupEpochs);
    this.startFactor = o.startFactor ?? 1 / this.warmupEpochs;
    if (!(this.startFactor >= 0 && this.startFactor <= 1)) {
      throw new ValueError(`LinearWarmup: startFactor must be in [0, 1], got ${this.startFactor}`);
    }
    this.after = o.after ?? null;
    if (this.after && this.after.optimizer !== opt) throw new ValueError("LinearWarmup: `after` must schedule the same optimizer");
    this.start();
  }
  lrAt(e: number): number[] {
    const W = this.warmupEpochs;
    if (e >= W) return this.after ? this.after.lrAt(e - W) : this.baseLrs.slice();
    const f = this.startFactor + ((1 - this.startFactor) * e) / W;
    return this.baseLrs.map((b) => b * f);
  }
}
