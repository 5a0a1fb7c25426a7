import { checkOptions } from "../../options.js";
import { inRange, positive, positiveInt, type Schedulable } from "./check.js";
import { LRScheduler } from "./scheduler.js";

export interface LinearLROptions {
  /** Multiplier of the lr at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Multiplier reached at totalIters, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs of the ramp (default 5). */
  totalIters?: number;
}

/**
 * Multiplies the lr by a factor going linearly from startFactor to endFactor over totalIters
 * epochs: lr = base·(s + (e − s)·min(t, T)/T). Recursively (PyTorch's get_lr):
 *   t = 0: lr·s;   0 < t ≤ T: lr·(1 + (e − s)/(T·s + (t − 1)(e − s)));   t > T: lr.
 */
export class LinearLR extends LRScheduler {
  static readonly typeName: string = "LinearLR";
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(opt: Schedulable, o: LinearLROptions = {}) {
    checkOptions("LinearLR", o, ["startFactor", "endFactor", "totalIters"]);
    const startFactor = inRange("LinearLR", "startFactor", o.startFactor ?? 1 / 3, 0, 1, true);
    const endFactor = inRange("LinearLR", "endFactor", o.endFactor ?? 1, 0, 1);
    const totalIters = positiveInt("LinearLR", "totalIters", o.totalIters ?? 5);
    super(opt, "LinearLR");
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const t = this.lastEpoch, s = this.startFactor, d = this.endFactor - s, T = this.totalIters;
    if (t === 0) return this.currentLrs().map((lr) => lr * s);
    if (t > T) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 + d / (T * s + (t - 1) * d)));
  }
  override lrAt(t: number): number[] {
    const s = this.startFactor, T = this.totalIters;
    return this.baseLrs.map((b) => b * (s + ((this.endFactor - s) * Math.min(T, t)) / T));
  }
}

/**
 * Multiplies the lr by `factor` until epoch totalIters, then restores it: lr = base·factor for
 * t < T, base after. Recursively: t = 0: lr·factor; t = T: lr/factor; otherwise lr.
 */
export class ConstantLR extends LRScheduler {
  static readonly typeName: string = "ConstantLR";
  readonly factor: number;
  readonly totalIters: number;
  constructor(opt: Schedulable, o: { factor?: number; totalIters?: number } = {}) {
    checkOptions("ConstantLR", o, ["factor", "totalIters"]);
    // NOTE: factor 0 is refused: the restoring step divides by it (PyTorch turns the lr into NaN).
    const factor = inRange("ConstantLR", "factor", o.factor ?? 1 / 3, 0, 1, true);
    const totalIters = positiveInt("ConstantLR", "totalIters", o.totalIters ?? 5);
    super(opt, "ConstantLR");
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t === 0) return this.currentLrs().map((lr) => lr * this.factor);
    if (t !== this.totalIters) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 / this.factor));
  }
  override lrAt(t: number): number[] {
    const f = t >= this.totalIters ? 1 : this.factor;
    return this.baseLrs.map((b) => b * f);
  }
}

/**
 * Polynomial decay to 0 over totalIters epochs: lr = base·(1 − min(t, T)/T)^power. Recursively:
 * lr·((1 − t/T)/(1 − (t − 1)/T))^power for 0 < t ≤ T, unchanged otherwise.
 */
export class PolynomialLR extends LRScheduler {
  static readonly typeName: string = "PolynomialLR";
  readonly totalIters: number;
  readonly power: number;
  constructor(opt: Schedulable, o: { totalIters?: number; power?: number } = {}) {
    checkOptions("PolynomialLR", o, ["totalIters", "power"]);
    const totalIters = positiveInt("PolynomialLR", "totalIters", o.totalIters ?? 5);
    const power = positive("PolynomialLR", "power", o.power ?? 1, true);
    super(opt, "PolynomialLR");
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }
  protected getLr(): number[] {
    const t = this.lastEpoch, T = this.totalIters;
    if (t === 0 || t > T) return this.currentLrs();
    const f = Math.pow((1 - t / T) / (1 - (t - 1) / T), this.power);
    return this.currentLrs().map((lr) => lr * f);
  }
  override lrAt(t: number): number[] {
    const f = Math.pow(1 - Math.min(this.totalIters, t) / this.totalIters, this.power);
    return this.baseLrs.map((b) => b * f);
  }
}
