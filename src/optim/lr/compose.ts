import { ValueError } from "../../errors.js";
import { checkOptions } from "../../options.js";
import type { Schedulable } from "./check.js";
import { LRScheduler, type SchedulerState } from "./scheduler.js";

export interface ComposedState extends SchedulerState {
  schedulers: SchedulerState[];
}

function checkSchedulers(name: string, schedulers: unknown, opt: Schedulable | undefined, composites: boolean): LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ValueError(`${name}: schedulers must be a non-empty array of LR schedulers`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new ValueError(`${name}: schedulers[${i}] is not an LR scheduler (ReduceLROnPlateau steps on a metric and cannot be composed)`);
    if (!composites && s instanceof ComposedScheduler) throw new ValueError(`${name}: schedulers[${i}] is itself a composition; nest ChainedScheduler/SequentialLR the other way round`);
    if (s.optimizer !== opt) throw new ValueError(`${name}: schedulers[${i}] schedules another optimizer than schedulers[0]`);
  });
  return schedulers.slice();
}

/** Saves the children's states and restores them all or none. */
function loadChildren(name: string, schedulers: LRScheduler[], sd: ComposedState): void {
  if (!sd || !Array.isArray(sd.schedulers) || sd.schedulers.length !== schedulers.length) {
    throw new ValueError(`${name}.loadStateDict: expected states for ${schedulers.length} schedulers, got ${sd && Array.isArray(sd.schedulers) ? sd.schedulers.length : "none"}`);
  }
  const before = schedulers.map((s) => s.stateDict());
  try {
    schedulers.forEach((s, i) => s.loadStateDict(sd.schedulers[i]));
  } catch (e) {
    schedulers.forEach((s, i) => s.loadStateDict(before[i]));
    throw e;
  }
}

/**
 * What SequentialLR and ChainedScheduler share: the children write the lr, and the state dict
 * holds the children's states, restored all or none.
 */
abstract class ComposedScheduler extends LRScheduler {
  abstract readonly schedulers: LRScheduler[];
  protected getLr(): number[] {
    return this.currentLrs();
  }
  override stateDict(): ComposedState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: ComposedState): void {
    const { schedulers: _children, ...own } = sd ?? ({} as ComposedState);
    const before = super.stateDict();
    super.loadStateDict(own);
    try {
      loadChildren(this.who, this.schedulers, sd);
    } catch (e) {
      super.loadStateDict(before);
      throw e;
    }
  }
}

/**
 * Runs schedulers[0] until milestones[0], then schedulers[1] from its epoch 0, and so on
 * (PyTorch's SequentialLR): at a milestone the next scheduler jumps to epoch 0 by its closed
 * form, so it starts from the base lr whatever the previous one left; MultiplicativeLR, which
 * has no closed form, keeps the lr the previous one left instead, as in PyTorch.
 */
export class SequentialLR extends ComposedScheduler {
  static readonly typeName: string = "SequentialLR";
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  constructor(opt: Schedulable, o: { schedulers: LRScheduler[]; milestones: number[] }) {
    checkOptions("SequentialLR", o, ["schedulers", "milestones"]);
    const schedulers = checkSchedulers("SequentialLR", o?.schedulers, opt, false);
    const ms = o.milestones;
    if (!Array.isArray(ms) || ms.length !== schedulers.length - 1) {
      throw new ValueError(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${Array.isArray(ms) ? ms.length : String(ms)}`);
    }
    ms.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 1 || (i > 0 && m <= ms[i - 1])) throw new ValueError(`SequentialLR: milestones must be increasing integers ≥ 1, got [${ms.join(", ")}]`);
    });
    super(opt, "SequentialLR");
    this.schedulers = schedulers;
    this.milestones = ms.slice();
    this.lastEpoch = 0;
    // Undo what the schedulers' constructors did and take the first one's step to epoch 0 again.
    for (const g of opt.paramGroups) g.lr = g.initialLr!;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }
  override step(epoch?: number): void {
    if (epoch !== undefined) throw new ValueError("SequentialLR.step: takes no epoch (step each scheduler's own)");
    this.stepCount++;
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
}

/**
 * Steps every scheduler in order at each step() (PyTorch's ChainedScheduler): their recursive
 * forms multiply, e.g. ConstantLR warmup times ExponentialLR decay.
 */
export class ChainedScheduler extends ComposedScheduler {
  static readonly typeName: string = "ChainedScheduler";
  readonly schedulers: LRScheduler[];
  constructor(schedulers: LRScheduler[], o: { optimizer?: Schedulable } = {}) {
    checkOptions("ChainedScheduler", o, ["optimizer"]);
    const opt = o.optimizer ?? (Array.isArray(schedulers) ? schedulers[0]?.optimizer : undefined);
    const list = checkSchedulers("ChainedScheduler", schedulers, opt, true);
    super(opt!, "ChainedScheduler");
    this.schedulers = list;
    this.lastEpoch = 0;
    this.lastLr = this.currentLrs();
  }
  override step(epoch?: number): void {
    if (epoch !== undefined) throw new ValueError("ChainedScheduler.step: takes no epoch (step each scheduler's own)");
    this.stepCount++;
    this.lastEpoch++;
    for (const s of this.schedulers) s.step();
    this.lastLr = this.currentLrs();
  }
}
