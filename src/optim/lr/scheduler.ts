import { ValueError } from "../../errors.js";

/** What a scheduler needs from an optimizer: its groups' learning rates. */
export interface Schedulable {
  paramGroups: { lr: number; initialLr?: number }[];
}

/**
 * Epoch-based learning-rate schedules with PyTorch's protocol: the constructor records each
 * group's initial lr and applies epoch 0; each step() advances one epoch and writes the lr given
 * by the schedule's closed form (so results never drift with the number of steps taken).
 */
export abstract class LRScheduler {
  lastEpoch = -1;
  readonly baseLrs: number[];
  private lastLr: number[] = [];

  constructor(readonly optimizer: Schedulable) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new ValueError("LR scheduler: expected an optimizer");
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The learning rate of each group at `epoch` (≥ 0; may be fractional for warm restarts). */
  abstract lrAt(epoch: number): number[];

  /** Subclasses call this at the end of their constructor, as PyTorch's base class does. */
  protected start(): void {
    this.step();
  }

  /** Advances one epoch, or jumps to `epoch` when given. */
  step(epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    this.lastLr = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lastLr[i]));
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): { lastEpoch: number } {
    return { lastEpoch: this.lastEpoch };
  }
  loadStateDict(sd: { lastEpoch: number }): void {
    this.step(sd.lastEpoch);
  }
}

export function positiveInt(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ValueError(`${name}: ${key} must be a positive integer, got ${String(v)}`);
  return v;
}
export function positive(name: string, key: string, v: unknown, allowZero = false): number {
  if (typeof v !== "number" || !(allowZero ? v >= 0 : v > 0) || !Number.isFinite(v)) {
    throw new ValueError(`${name}: ${key} must be a finite number ${allowZero ? "≥" : ">"} 0, got ${String(v)}`);
  }
  return v;
}

/** lr = base·γ^⌊epoch/stepSize⌋ */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(opt: Schedulable, o: { stepSize: number; gamma?: number }) {
    super(opt);
    this.stepSize = positiveInt("StepLR", "stepSize", o?.stepSize);
    this.gamma = positive("StepLR", "gamma", o.gamma ?? 0.1);
    this.start();
  }
  lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, Math.floor(e / this.stepSize)));
  }
}

/** lr = base·γ^(number of milestones ≤ epoch) */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(opt: Schedulable, o: { milestones: number[]; gamma?: number }) {
    super(opt);
    if (!Array.isArray(o?.milestones)) throw new ValueError("MultiStepLR: milestones must be an array of epochs");
    this.milestones = [...o.milestones].sort((a, b) => a - b);
    this.gamma = positive("MultiStepLR", "gamma", o.gamma ?? 0.1);
    this.start();
  }
  lrAt(e: number): number[] {
    const passed = this.milestones.filter((m) => m <= e).length;
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, passed));
  }
}

/** lr = base·γ^epoch */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(opt: Schedulable, o: { gamma: number }) {
    super(opt);
    this.gamma = positive("ExponentialLR", "gamma", o?.gamma);
    this.start();
  }
  lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, e));
  }
}

/** Keras's InverseTimeDecay: lr = base / (1 + decayRate·epoch/decaySteps) (⌊·⌋ with staircase). */
export class InverseTimeDecay extends LRScheduler {
  readonly decayRate: number;
  readonly decaySteps: number;
  readonly staircase: boolean;
  constructor(opt: Schedulable, o: { decayRate: number; decaySteps?: number; staircase?: boolean }) {
    super(opt);
    this.decayRate = positive("InverseTimeDecay", "decayRate", o?.decayRate, true);
    this.decaySteps = positive("InverseTimeDecay", "decaySteps", o.decaySteps ?? 1);
    this.staircase = o.staircase ?? false;
    this.start();
  }
  lrAt(e: number): number[] {
    const r = e / this.decaySteps;
    return this.baseLrs.map((b) => b / (1 + this.decayRate * (this.staircase ? Math.floor(r) : r)));
  }
}
