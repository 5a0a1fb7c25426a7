import { ValueError } from "../../errors.js";
import { checkOptions } from "../../options.js";
import { boolean, groupsOf, inRange, oneOf, perGroup, positive, positiveInt, type Schedulable } from "./check.js";
import { momentumKeyOf, momentumValue, setMomentum, type MomentumKey } from "./momentum.js";
import { LRScheduler } from "./scheduler.js";

export interface OneCycleLROptions {
  /** Peak lr, one for every group or one per group. */
  maxLr: number | number[];
  /** Scheduler steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  /** Move momentum (SGD's `momentum`, Adam's `betas[0]`) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr/divFactor (default 25). */
  divFactor?: number;
  /** minimum lr = initial lr/finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Smith's original three phases: up, back down to the initial lr, then annihilate (default false). */
  threePhase?: boolean;
}

/** A phase runs from the previous phase's end step to its own; values name per-group arrays. */
interface Phase { endStep: number; lr: ["initial" | "max" | "min", "initial" | "max" | "min"]; momentum: ["max" | "base", "max" | "base"] }

const annealCos = (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
const annealLinear = (start: number, end: number, pct: number) => (end - start) * pct + start;

const KEYS = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"];

/**
 * The 1cycle policy (Smith & Topin 2017) with PyTorch's OneCycleLR semantics, stepped once per
 * batch: the lr rises from maxLr/divFactor to maxLr over pctStart of totalSteps, then anneals to
 * (maxLr/divFactor)/finalDivFactor, while momentum moves from maxMomentum to baseMomentum and back.
 * Step t of a phase from step a to step b interpolates with pct = (t − a)/(b − a).
 */
export class OneCycleLR extends LRScheduler {
  static readonly typeName: string = "OneCycleLR";
  readonly totalSteps: number;
  readonly annealStrategy: "cos" | "linear";
  readonly phases: Phase[];
  readonly lrs: { initial: number[]; max: number[]; min: number[] };
  readonly momenta: { max: number[]; base: number[] } | null;
  readonly momentumKey: MomentumKey | null;

  constructor(opt: Schedulable, o: OneCycleLROptions) {
    const name = "OneCycleLR";
    checkOptions(name, o, KEYS);
    const groups = groupsOf(name, opt);
    const totalSteps = totalStepsOf(o ?? {});
    const pctStart = inRange(name, "pctStart", o.pctStart ?? 0.3, 0, 1);
    const annealStrategy = oneOf(name, "annealStrategy", o.annealStrategy ?? "cos", ["cos", "linear"] as const);
    const threePhase = boolean(name, "threePhase", o.threePhase ?? false);
    const phases = phasesOf(totalSteps, pctStart, threePhase);
    const divFactor = positive(name, "divFactor", o.divFactor ?? 25);
    const finalDivFactor = positive(name, "finalDivFactor", o.finalDivFactor ?? 1e4);
    const max = perGroup(name, "maxLr", o.maxLr, groups.length, (n, k, v) => positive(n, k, v));
    const cycleMomentum = boolean(name, "cycleMomentum", o.cycleMomentum ?? true);
    if (!cycleMomentum && (o.baseMomentum !== undefined || o.maxMomentum !== undefined)) {
      throw new ValueError(`${name}: baseMomentum/maxMomentum are only used with cycleMomentum: true`);
    }
    const momentumKey = cycleMomentum ? momentumKeyOf(name, opt) : null;
    const momenta = cycleMomentum
      ? { max: perGroup(name, "maxMomentum", o.maxMomentum ?? 0.95, groups.length, momentumValue), base: perGroup(name, "baseMomentum", o.baseMomentum ?? 0.85, groups.length, momentumValue) }
      : null;
    // Everything is checked: from here on the optimizer's groups change.
    const initial = max.map((m) => m / divFactor);
    groups.forEach((g, i) => {
      g.initialLr = initial[i];
      if (momentumKey) setMomentum(g, momentumKey, momenta!.max[i]);
    });
    super(opt, name);
    this.totalSteps = totalSteps;
    this.annealStrategy = annealStrategy;
    this.phases = phases;
    this.lrs = { initial, max, min: initial.map((l) => l / finalDivFactor) };
    this.momenta = momenta;
    this.momentumKey = momentumKey;
    this.initialStep();
  }

  /** Refuses a step past totalSteps before changing anything (PyTorch raises then too). */
  override step(epoch?: number): void {
    const next = epoch ?? this.lastEpoch + 1;
    if (next > this.totalSteps) throw new ValueError(`OneCycleLR: tried to step ${next} times; totalSteps is ${this.totalSteps}`);
    super.step(epoch);
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const anneal = this.annealStrategy === "cos" ? annealCos : annealLinear;
    let start = 0, k = 0;
    while (k < this.phases.length - 1 && t > this.phases[k].endStep) start = this.phases[k++].endStep;
    const phase = this.phases[k];
    const pct = (t - start) / (phase.endStep - start);
    return this.optimizer.paramGroups.map((g, i) => {
      if (this.momenta) {
        const [m0, m1] = phase.momentum;
        setMomentum(g, this.momentumKey!, anneal(this.momenta[m0][i], this.momenta[m1][i], pct));
      }
      return anneal(this.lrs[phase.lr[0]][i], this.lrs[phase.lr[1]][i], pct);
    });
  }
}

function totalStepsOf(o: OneCycleLROptions): number {
  if (o.totalSteps !== undefined) {
    if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) throw new ValueError("OneCycleLR: give totalSteps or epochs and stepsPerEpoch, not both");
    return positiveInt("OneCycleLR", "totalSteps", o.totalSteps);
  }
  if (o.epochs === undefined || o.stepsPerEpoch === undefined) throw new ValueError("OneCycleLR: totalSteps, or epochs and stepsPerEpoch, must be given");
  return positiveInt("OneCycleLR", "epochs", o.epochs) * positiveInt("OneCycleLR", "stepsPerEpoch", o.stepsPerEpoch);
}

/** PyTorch's phase boundaries; refuses the settings where one would divide by a zero length. */
function phasesOf(N: number, p: number, threePhase: boolean): Phase[] {
  const up = p * N - 1;
  const phases: Phase[] = threePhase
    ? [{ endStep: up, lr: ["initial", "max"], momentum: ["max", "base"] },
       { endStep: 2 * p * N - 2, lr: ["max", "initial"], momentum: ["base", "max"] },
       { endStep: N - 1, lr: ["initial", "min"], momentum: ["max", "max"] }]
    : [{ endStep: up, lr: ["initial", "max"], momentum: ["max", "base"] },
       { endStep: N - 1, lr: ["max", "min"], momentum: ["base", "max"] }];
  const last = phases[phases.length - 2].endStep;
  if (up === 0 || !(last < N - 1)) {
    throw new ValueError(`OneCycleLR: pctStart ${p} with ${N} total steps leaves a phase of zero length${threePhase ? " (threePhase needs pctStart < 0.5)" : ""}`);
  }
  return phases;
}
