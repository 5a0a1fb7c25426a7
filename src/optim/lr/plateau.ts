import { ShapeError, ValueError } from "../../errors.js";
import { Tensor } from "../../ndarray/index.js";
import { checkOptions } from "../../options.js";
import { finite, groupsOf, inRange, nonNegativeInt, oneOf, perGroup, positive, type Schedulable } from "./check.js";

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

export interface ReduceLROnPlateauState {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
}

const KEYS = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"];

/**
 * Multiplies the lr by `factor` when the monitored metric has not improved for more than
 * `patience` epochs (PyTorch's ReduceLROnPlateau, same defaults and threshold rules). It acts on
 * the current lr, so it composes with the other schedulers.
 */
export class ReduceLROnPlateau {
  static readonly typeName: string = "ReduceLROnPlateau";
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
    const name = "ReduceLROnPlateau";
    checkOptions(name, o, KEYS);
    const n = groupsOf(name, optimizer).length;
    this.mode = oneOf(name, "mode", o.mode ?? "min", ["min", "max"] as const);
    this.factor = o.factor ?? 0.1;
    if (typeof this.factor !== "number" || !(this.factor >= 0 && this.factor < 1)) throw new ValueError(`${name}: factor must be in [0, 1), got ${String(o.factor)}`);
    this.patience = nonNegativeInt(name, "patience", o.patience ?? 10);
    this.threshold = positive(name, "threshold", o.threshold ?? 1e-4, true);
    this.thresholdMode = oneOf(name, "thresholdMode", o.thresholdMode ?? "rel", ["rel", "abs"] as const);
    if (this.thresholdMode === "rel") inRange(name, "threshold", this.threshold, 0, 1);
    this.cooldown = nonNegativeInt(name, "cooldown", o.cooldown ?? 0);
    this.minLrs = perGroup(name, "minLr", o.minLr ?? 0, n, (w, k, v) => positive(w, k, v, true));
    this.eps = positive(name, "eps", o.eps ?? 1e-8, true);
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === "rel" ? a > best * (1 + t) : a > best + t;
  }

  /**
   * Records one epoch's metric and lowers the lr if it has plateaued. A one-element tensor (a
   * validation loss) is read as its value, as PyTorch's float(metrics) reads it.
   */
  step(metric: number | Tensor): void {
    if (metric instanceof Tensor) {
      if (metric.size !== 1) throw new ShapeError(`ReduceLROnPlateau.step: metric must be one value, got a tensor of shape [${metric.shape}]`);
      metric = metric.item();
    }
    if (typeof metric !== "number") throw new ValueError(`ReduceLROnPlateau.step: metric must be a number, got ${typeof metric}`);
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

  stateDict(): ReduceLROnPlateauState {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }
  loadStateDict(sd: ReduceLROnPlateauState): void {
    const name = "ReduceLROnPlateau.loadStateDict";
    if (!sd || typeof sd !== "object") throw new ValueError(`${name}: expected a state object, got ${String(sd)}`);
    checkOptions(name, sd, ["best", "numBadEpochs", "cooldownCounter", "lastEpoch"]);
    if (typeof sd.best !== "number" || Number.isNaN(sd.best)) throw new ValueError(`${name}: best must be a number, got ${String(sd.best)}`);
    const counts = [nonNegativeInt(name, "numBadEpochs", sd.numBadEpochs), nonNegativeInt(name, "cooldownCounter", sd.cooldownCounter), finite(name, "lastEpoch", sd.lastEpoch)];
    this.best = sd.best;
    [this.numBadEpochs, this.cooldownCounter, this.lastEpoch] = counts;
  }
}
