import { LRScheduler, positive, positiveInt, type Schedulable } from "./scheduler.js";

/** SGDR's cosine (Loshchilov & Hutter 2017): ηmin + (base − ηmin)·(1 + cos(π·t/T))/2. */
const cosine = (base: number, etaMin: number, t: number, T: number) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;

/** Cosine decay from base to etaMin over tMax epochs (continuing as a cosine beyond, as PyTorch). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(opt: Schedulable, o: { tMax: number; etaMin?: number }) {
    super(opt);
    this.tMax = positive("CosineAnnealingLR", "tMax", o?.tMax);
    this.etaMin = positive("CosineAnnealingLR", "etaMin", o.etaMin ?? 0, true);
    this.start();
  }
  lrAt(e: number): number[] {
    return this.baseLrs.map((b) => cosine(b, this.etaMin, e, this.tMax));
  }
}

/**
 * Cosine annealing with warm restarts: the first period lasts t0 epochs, each next one tMult
 * times longer; within a period lr follows the cosine from base to etaMin. step(epoch) accepts a
 * fractional epoch for per-batch schedules, as PyTorch's does.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  constructor(opt: Schedulable, o: { t0: number; tMult?: number; etaMin?: number }) {
    super(opt);
    this.t0 = positiveInt("CosineAnnealingWarmRestarts", "t0", o?.t0);
    this.tMult = positiveInt("CosineAnnealingWarmRestarts", "tMult", o.tMult ?? 1);
    this.etaMin = positive("CosineAnnealingWarmRestarts", "etaMin", o.etaMin ?? 0, true);
    this.start();
  }
  /** Position within the current period and that period's length. */
  period(e: number): { tCur: number; tI: number } {
    let tI = this.t0;
    let tCur = e;
    if (this.tMult === 1) tCur = e % tI;
    else while (tCur >= tI) { tCur -= tI; tI *= this.tMult; }
    return { tCur, tI };
  }
  lrAt(e: number): number[] {
    const { tCur, tI } = this.period(e);
    return this.baseLrs.map((b) => cosine(b, this.etaMin, tCur, tI));
  }
}
