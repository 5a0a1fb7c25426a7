import { ValueError } from "../../errors.js";
import type { Schedulable } from "./scheduler.js";

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. */
  eps?: number;
}

/**
 * Multiplies the lr by `factor` when the monitored metric has not improved for more than
 * `patience` epochs (PyTorch's ReduceLROnPlateau, same defaults and threshold rules).
 */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(readonly optimizer: Schedulable, o: ReduceLROnPlateauOptions = {}) {
    this.mode = o.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max") throw new ValueError(`ReduceLROnPlateau: mode must be "min" or "max", got ${String(o.mode)}`);
    this.factor = o.factor ?? 0.1;
    if (!(this.factor >= 0 && this.factor < 1)) throw new ValueError(`ReduceLROnPlateau: factor must be in [0, 1), got ${this.factor}`);
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? "rel";
    this.cooldown = o.cooldown ?? 0;
    const n = optimizer.paramGroups.length;
    this.minLrs = Array.isArray(o.minLr) ? o.minLr.slice() : new Array(n).fill(o.minLr ?? 0);
    if (this.minLrs.length !== n) throw new ValueError(`ReduceLROnPlateau: ${this.minLrs.length} minLr values for ${n} groups`);
    this.eps = o.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === "rel" ? a > best * (1 + t) : a > best + t;
  }

  /** Records one epoch's metric and lowers the lr if it has plateaued. */
  step(metric: number): void {
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}
