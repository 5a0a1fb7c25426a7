import { ValueError } from "../../errors.js";
import { checkOptions } from "../../options.js";
import { finite, groupsOf, positive, positiveInt, type Schedulable } from "./check.js";

export type { Schedulable } from "./check.js";
export { positive, positiveInt } from "./check.js";

/** What stateDict() returns: the step counters and the lrs, never the optimizer or functions. */
export interface SchedulerState {
  lastEpoch: number;
  stepCount?: number;
  baseLrs?: number[];
  lastLr?: number[];
}

/**
 * Learning-rate schedules with PyTorch's protocol. The constructor records each group's initial
 * lr and takes the step to epoch 0. step() advances one epoch and updates every group's CURRENT
 * lr by the schedule's recursive form (getLr), so that several schedulers stepping one optimizer
 * compose: ExponentialLR with MultiStepLR gives base·γ1^t·γ2^(milestones passed), as in PyTorch.
 * step(epoch) jumps to `epoch` and writes the closed form (lrAt) where the schedule has one.
 */
export abstract class LRScheduler {
  lastEpoch = -1;
  /** Steps taken, counting the constructor's (PyTorch's _step_count). */
  stepCount = 0;
  baseLrs: number[];
  protected lastLr: number[] = [];

  /** The class's name for messages (spelled out: minifiers rename classes). */
  protected readonly who: string;

  constructor(readonly optimizer: Schedulable, who = "LRScheduler") {
    const groups = groupsOf(who, optimizer);
    this.who = who;
    for (const g of groups) g.initialLr ??= g.lr;
    this.baseLrs = groups.map((g) => g.initialLr!);
  }

  /** Each group's next lr from its current one and lastEpoch (PyTorch's get_lr). */
  protected abstract getLr(): number[];

  /** The lr of each group at `epoch`, from the base lrs alone (PyTorch's _get_closed_form_lr). */
  lrAt?(epoch: number): number[];

  /** The step to epoch 0 (PyTorch's _initial_step): constructors end with it; SequentialLR redoes it. */
  initialStep(): void {
    this.stepCount = 0;
    this.initial = true;
    try {
      this.step();
    } finally {
      this.initial = false;
    }
  }
  /** True during initialStep (PyTorch's _is_initial): recursive forms leave the lr as it is. */
  protected initial = false;

  /** The groups' lrs as they are now. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances one epoch, or jumps to `epoch` when given. */
  step(epoch?: number): void {
    if (epoch !== undefined && !(typeof epoch === "number" && Number.isFinite(epoch) && epoch >= 0)) {
      throw new ValueError(`${this.who}.step: epoch must be a finite number ≥ 0, got ${String(epoch)}`);
    }
    const before = [this.lastEpoch, this.stepCount];
    this.stepCount++;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch++;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.lrAt ? this.lrAt(epoch) : this.getLr();
      }
    } catch (e) {
      // A user's function threw or returned no number: the step did not happen.
      [this.lastEpoch, this.stepCount] = before;
      throw e;
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.currentLrs();
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /** Restores the counters and lrs of stateDict(); like PyTorch's, it leaves the optimizer alone. */
  loadStateDict(sd: SchedulerState): void {
    const name = `${this.who}.loadStateDict`;
    if (!sd || typeof sd !== "object") throw new ValueError(`${name}: expected a state object, got ${String(sd)}`);
    checkOptions(name, sd, ["lastEpoch", "stepCount", "baseLrs", "lastLr"]);
    const lastEpoch = finite(name, "lastEpoch", sd.lastEpoch);
    if (lastEpoch < -1) throw new ValueError(`${name}: lastEpoch must be ≥ -1, got ${lastEpoch}`);
    if (sd.stepCount !== undefined && !(Number.isInteger(sd.stepCount) && sd.stepCount >= 0)) {
      throw new ValueError(`${name}: stepCount must be an integer ≥ 0, got ${String(sd.stepCount)}`);
    }
    const n = this.optimizer.paramGroups.length;
    for (const key of ["baseLrs", "lastLr"] as const) {
      const v = sd[key];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
        throw new ValueError(`${name}: ${key} must hold ${n} finite numbers, got ${JSON.stringify(v)}`);
      }
    }
    this.lastEpoch = lastEpoch;
    if (sd.stepCount !== undefined) this.stepCount = sd.stepCount;
    if (sd.baseLrs) this.baseLrs = sd.baseLrs.slice();
    if (sd.lastLr) this.lastLr = sd.lastLr.slice();
  }
}

/**
 * A schedule whose recursive form is the ratio of consecutive closed forms: lr ← lr·f(t)/f(t−1)
 * with f(0) = 1, so that it composes with other schedulers.
 */
abstract class FactorScheduler extends LRScheduler {
  /** The multiplier of the base lr at `epoch`. */
  protected abstract factor(epoch: number): number;
  protected getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs().map((lr) => lr * this.factor(0));
    const r = this.factor(e) / this.factor(e - 1);
    return this.currentLrs().map((lr) => lr * r);
  }
  override lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * this.factor(e));
  }
}

/** lr = base·γ^⌊epoch/stepSize⌋; recursively, ×γ at every multiple of stepSize. */
export class StepLR extends LRScheduler {
  static readonly typeName: string = "StepLR";
  readonly stepSize: number;
  readonly gamma: number;
  constructor(opt: Schedulable, o: { stepSize: number; gamma?: number }) {
    checkOptions("StepLR", o, ["stepSize", "gamma"]);
    const stepSize = positiveInt("StepLR", "stepSize", o?.stepSize);
    const gamma = positive("StepLR", "gamma", o.gamma ?? 0.1);
    super(opt, "StepLR");
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    const hit = e !== 0 && e % this.stepSize === 0;
    return this.currentLrs().map((lr) => (hit ? lr * this.gamma : lr));
  }
  override lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, Math.floor(e / this.stepSize)));
  }
}

/** lr = base·γ^(number of milestones ≤ epoch); recursively, ×γ^(count) at each milestone. */
export class MultiStepLR extends LRScheduler {
  static readonly typeName: string = "MultiStepLR";
  readonly milestones: number[];
  readonly gamma: number;
  constructor(opt: Schedulable, o: { milestones: number[]; gamma?: number }) {
    checkOptions("MultiStepLR", o, ["milestones", "gamma"]);
    if (!Array.isArray(o?.milestones)) throw new ValueError(`MultiStepLR: milestones must be an array of epochs, got ${String(o?.milestones)}`);
    o.milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0) throw new ValueError(`MultiStepLR: milestones[${i}] must be an integer ≥ 0, got ${String(m)}`);
    });
    const gamma = positive("MultiStepLR", "gamma", o.gamma ?? 0.1);
    super(opt, "MultiStepLR");
    this.milestones = [...o.milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.currentLrs().map((lr) => (hits > 0 ? lr * Math.pow(this.gamma, hits) : lr));
  }
  override lrAt(e: number): number[] {
    const passed = this.milestones.filter((m) => m <= e).length;
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, passed));
  }
}

/** lr = base·γ^epoch; recursively, ×γ every epoch after the first. */
export class ExponentialLR extends LRScheduler {
  static readonly typeName: string = "ExponentialLR";
  readonly gamma: number;
  constructor(opt: Schedulable, o: { gamma: number }) {
    checkOptions("ExponentialLR", o, ["gamma"]);
    const gamma = positive("ExponentialLR", "gamma", o?.gamma);
    super(opt, "ExponentialLR");
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.currentLrs().map((lr) => (this.lastEpoch === 0 ? lr : lr * this.gamma));
  }
  override lrAt(e: number): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, e));
  }
}

/** Keras's InverseTimeDecay: lr = base / (1 + decayRate·epoch/decaySteps) (⌊·⌋ with staircase). */
export class InverseTimeDecay extends FactorScheduler {
  static readonly typeName: string = "InverseTimeDecay";
  readonly decayRate: number;
  readonly decaySteps: number;
  readonly staircase: boolean;
  constructor(opt: Schedulable, o: { decayRate: number; decaySteps?: number; staircase?: boolean }) {
    checkOptions("InverseTimeDecay", o, ["decayRate", "decaySteps", "staircase"]);
    const decayRate = positive("InverseTimeDecay", "decayRate", o?.decayRate, true);
    const decaySteps = positive("InverseTimeDecay", "decaySteps", o.decaySteps ?? 1);
    const staircase = o.staircase ?? false;
    if (typeof staircase !== "boolean") throw new ValueError(`InverseTimeDecay: staircase must be true or false, got ${String(staircase)}`);
    super(opt, "InverseTimeDecay");
    this.decayRate = decayRate;
    this.decaySteps = decaySteps;
    this.staircase = staircase;
    this.initialStep();
  }
  protected factor(e: number): number {
    const r = e / this.decaySteps;
    return 1 / (1 + this.decayRate * (this.staircase ? Math.floor(r) : r));
  }
}

export { FactorScheduler };
