// Dynamic loss scaling (Micikevicius et al. 2018; PyTorch's GradScaler): small gradients that
// would flush to zero in float16/bfloat16 survive when the loss is multiplied by a large scale;
// the gradients are divided back before the step. An overflow (Inf/NaN in any gradient) skips
// that step and halves the scale; after `growthInterval` good steps in a row the scale doubles.
import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../ndarray/index.js";

export interface LossScalerOptions {
  initScale?: number;        // default 2^16
  growthFactor?: number;     // default 2
  backoffFactor?: number;    // default 0.5
  growthInterval?: number;   // default 2000
}

/** A value's kind for a message: "a number (5)", "an array", "null". */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  if (v instanceof Tensor) return "a Tensor";
  return typeof v === "object" ? "an object" : `a ${typeof v} (${String(v)})`;
}

/** step's arguments, checked before any gradient is divided: an optimizer, and an array of Tensors. */
function checkStepArguments(optimizer: unknown, params: unknown): void {
  const where = "DynamicLossScaler.step";
  if (optimizer === null || typeof optimizer !== "object" || typeof (optimizer as { step?: unknown }).step !== "function") {
    throw new ValueError(`${where}: optimizer must be an object with a step() method, got ${describe(optimizer)}`);
  }
  if (!Array.isArray(params)) throw new ValueError(`${where}: params must be an array of Tensors (the optimizer's parameters), got ${describe(params)}`);
  const bad = params.findIndex((p) => !(p instanceof Tensor));
  if (bad >= 0) throw new ValueError(`${where}: params[${bad}] must be a Tensor, got ${describe(params[bad])}`);
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
    // Each factor a finite number: an infinite growth factor would make the scale ∞ at the first
    // growth, and every later step would overflow and be skipped (∞ · backoff is still ∞).
    const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    if (!finite(this.scale) || !(this.scale > 0)) throw new ValueError(`DynamicLossScaler: initScale must be a positive finite number, got ${String(this.scale)}`);
    if (!finite(this.growthFactor) || !(this.growthFactor > 1)) throw new ValueError(`DynamicLossScaler: growthFactor must be a finite number > 1, got ${String(this.growthFactor)}`);
    if (!finite(this.backoffFactor) || !(this.backoffFactor > 0 && this.backoffFactor < 1)) throw new ValueError(`DynamicLossScaler: backoffFactor must be a number in (0, 1), got ${String(this.backoffFactor)}`);
    positiveInt("DynamicLossScaler", "growthInterval", this.growthInterval);
  }

  /** loss · scale: call backward() on this instead of the loss. */
  scaleLoss(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) throw new ValueError(`DynamicLossScaler.scaleLoss: loss must be a Tensor, got ${describe(loss)}`);
    return loss.mul(this.scale);
  }

  /**
   * Divides every gradient by the scale; steps the optimizer only if all of them are finite.
   * Updates the scale either way and returns whether the step was taken.
   */
  step(optimizer: { step(): void; paramGroups?: unknown }, params: Tensor[]): boolean {
    checkStepArguments(optimizer, params);
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
      // The scale stays positive: one that underflowed to 0 would make every gradient 0/0 = NaN.
      const lower = this.scale * this.backoffFactor;
      if (lower > 0) this.scale = lower;
      this.goodSteps = 0;
      this.skipped++;
      return false;
    }
    optimizer.step();
    if (++this.goodSteps >= this.growthInterval) {
      // Capped, not refused: growth that would overflow to ∞ leaves the scale where it is (the
      // largest it can be while finite); an infinite scale could never come back down.
      const higher = this.scale * this.growthFactor;
      if (Number.isFinite(higher)) this.scale = higher;
      this.goodSteps = 0;
    }
    return true;
  }
}
