// Dynamic loss scaling (Micikevicius et al. 2018; PyTorch's GradScaler): small gradients that
// would flush to zero in float16/bfloat16 survive when the loss is multiplied by a large scale;
// the gradients are divided back before the step. An overflow (Inf/NaN in any gradient) skips
// that step and halves the scale; after `growthInterval` good steps in a row the scale doubles.
import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Tensor } from "../ndarray/index.js";

export interface LossScalerOptions {
  initScale?: number;        // default 2^16
  growthFactor?: number;     // default 2
  backoffFactor?: number;    // default 0.5
  growthInterval?: number;   // default 2000
}

export class DynamicLossScaler {
  scale: number;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  /** Good steps since the last overflow or growth. */
  goodSteps = 0;
  /** Steps skipped because of an overflow. */
  skipped = 0;

  constructor(o: LossScalerOptions = {}) {
    checkOptions("DynamicLossScaler", o, ["initScale", "growthFactor", "backoffFactor", "growthInterval"]);
    this.scale = o.initScale ?? 65536;
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    if (!(this.scale > 0) || !Number.isFinite(this.scale)) throw new ValueError(`DynamicLossScaler: initScale must be positive and finite, got ${this.scale}`);
    if (!(this.growthFactor > 1)) throw new ValueError(`DynamicLossScaler: growthFactor must be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) throw new ValueError(`DynamicLossScaler: backoffFactor must be in (0, 1), got ${this.backoffFactor}`);
    positiveInt("DynamicLossScaler", "growthInterval", this.growthInterval);
  }

  /** loss · scale: call backward() on this instead of the loss. */
  scaleLoss(loss: Tensor): Tensor {
    return loss.mul(this.scale);
  }

  /**
   * Divides every gradient by the scale; steps the optimizer only if all of them are finite.
   * Updates the scale either way and returns whether the step was taken.
   */
  step(optimizer: { step(): void; paramGroups?: unknown }, params: Tensor[]): boolean {
    let finite = true;
    for (const p of params) {
      const g = p.grad;
      if (!g) continue;
      const d = g.storage;
      for (let i = 0; i < d.length; i++) {
        const v = d[i] / this.scale;
        if (!Number.isFinite(v)) { finite = false; break; }
        d[i] = v;
      }
      if (!finite) break;
    }
    if (!finite) {
      this.scale *= this.backoffFactor;
      this.goodSteps = 0;
      this.skipped++;
      return false;
    }
    optimizer.step();
    if (++this.goodSteps >= this.growthInterval) {
      this.scale *= this.growthFactor;
      this.goodSteps = 0;
    }
    return true;
  }
}
