import { checkOptions } from "../../options.js";
import { positive, positiveInt, type Schedulable } from "./check.js";
import { LRScheduler } from "./scheduler.js";

/** SGDR's cosine (Loshchilov & Hutter 2017): ηmin + (base − ηmin)·(1 + cos(π·t/T))/2. */
const cosine = (base: number, etaMin: number, t: number, T: number) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;

/**
 * Cosine decay from base to etaMin over tMax epochs (continuing as a cosine beyond, as PyTorch).
 * Recursively (PyTorch's get_lr), each step rescales the current lr's distance to etaMin by the
 * ratio of consecutive cosine factors, and at the trough adds the first rise step:
 *   lr ← ηmin + (lr − ηmin)·(1 + cos(πt/T))/(1 + cos(π(t−1)/T))   or   lr + (base − ηmin)(1 − cos(π/T))/2.
 */
export class CosineAnnealingLR extends LRScheduler {
  static readonly typeName: string = "CosineAnnealingLR";
  readonly tMax: number;
  readonly etaMin: number;
  constructor(opt: Schedulable, o: { tMax: number; etaMin?: number }) {
    checkOptions("CosineAnnealingLR", o, ["tMax", "etaMin"]);
    const tMax = positive("CosineAnnealingLR", "tMax", o?.tMax);
    const etaMin = positive("CosineAnnealingLR", "etaMin", o.etaMin ?? 0, true);
    super(opt, "CosineAnnealingLR");
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, etaMin = this.etaMin;
    if (e === 0) return this.currentLrs();
    if (this.stepCount === 1 && e > 0) return this.lrAt(e);
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const r = (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T));
    return this.currentLrs().map((lr) => r * (lr - etaMin) + etaMin);
  }
  override lrAt(e: number): number[] {
    return this.baseLrs.map((b) => cosine(b, this.etaMin, e, this.tMax));
  }
}

/**
 * Cosine annealing with warm restarts: the first period lasts t0 epochs, each next one tMult
 * times longer; within a period lr follows the cosine from base to etaMin. step(epoch) accepts a
 * fractional epoch for per-batch schedules, as PyTorch's does. Like PyTorch's, it writes the lr
 * from the base lrs (it does not compose with other schedulers).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  static readonly typeName: string = "CosineAnnealingWarmRestarts";
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  constructor(opt: Schedulable, o: { t0: number; tMult?: number; etaMin?: number }) {
    checkOptions("CosineAnnealingWarmRestarts", o, ["t0", "tMult", "etaMin"]);
    const t0 = positiveInt("CosineAnnealingWarmRestarts", "t0", o?.t0);
    const tMult = positiveInt("CosineAnnealingWarmRestarts", "tMult", o.tMult ?? 1);
    const etaMin = positive("CosineAnnealingWarmRestarts", "etaMin", o.etaMin ?? 0, true);
    super(opt, "CosineAnnealingWarmRestarts");
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.initialStep();
  }
  /** Position within the current period and that period's length. */
  period(e: number): { tCur: number; tI: number } {
    let tI = this.t0;
    let tCur = e;
    if (this.tMult === 1) tCur = e % tI;
    else while (tCur >= tI) { tCur -= tI; tI *= this.tMult; }
    return { tCur, tI };
  }
  protected getLr(): number[] {
    return this.lrAt(this.lastEpoch);
  }
  override lrAt(e: number): number[] {
    const { tCur, tI } = this.period(e);
    return this.baseLrs.map((b) => cosine(b, this.etaMin, tCur, tI));
  }
}
