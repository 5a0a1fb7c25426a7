import { ValueError } from "../../errors.js";
import { checkOptions } from "../../options.js";
import { boolean, groupsOf, oneOf, perGroup, positive, returned, type Schedulable } from "./check.js";
import { momentumKeyOf, momentumValue, setMomentum, type MomentumKey } from "./momentum.js";
import { LRScheduler } from "./scheduler.js";

export interface CyclicLROptions {
  /** Lower bound of the cycle, one for every group or one per group; it becomes the groups' lr. */
  baseLr: number | number[];
  /** Upper bound of the cycle, one for every group or one per group. */
  maxLr: number | number[];
  /** Steps of the rising half (default 2000). */
  stepSizeUp?: number;
  /** Steps of the falling half (default stepSizeUp; 0: a sawtooth). */
  stepSizeDown?: number;
  /** Amplitude policy (default "triangular"); not with scaleFn, which replaces it. */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** Amplitude factor gamma^step of "exp_range" (default 1); refused with the other modes. */
  gamma?: number;
  /** Custom amplitude scaling, 0 ≤ scaleFn(x) ≤ 1, of the cycle number or of the step. */
  scaleFn?: (x: number) => number;
  /** What scaleFn is a function of (default "cycle"). */
  scaleMode?: "cycle" | "iterations";
  /** Move momentum (SGD's `momentum`, Adam's `betas[0]`) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

const KEYS = ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode", "cycleMomentum", "baseMomentum", "maxMomentum"];
const MODES = ["triangular", "triangular2", "exp_range"] as const;

/**
 * Cyclical learning rates (Smith 2017) with PyTorch's CyclicLR semantics, stepped once per batch.
 * At step t, with cycle c = ⌊1 + t/(up + down)⌋ and x = 1 + t/(up + down) − c, the height is
 * x/r while rising (x ≤ r = up/(up + down)) and (x − 1)/(r − 1) while falling, and
 *   lr = base + (max − base)·height·scale,   momentum = maxM − (maxM − baseM)·height·scale,
 * where scale is 1 (triangular), 1/2^(c−1) (triangular2), γ^t (exp_range) or scaleFn.
 */
export class CyclicLR extends LRScheduler {
  static readonly typeName: string = "CyclicLR";
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly scaleFn: (x: number) => number;
  readonly scaleMode: "cycle" | "iterations";
  readonly momenta: { max: number[]; base: number[] } | null;
  readonly momentumKey: MomentumKey | null;

  constructor(opt: Schedulable, o: CyclicLROptions) {
    const name = "CyclicLR";
    checkOptions(name, o, KEYS);
    const groups = groupsOf(name, opt);
    const base = perGroup(name, "baseLr", o?.baseLr, groups.length, (n, k, v) => positive(n, k, v, true));
    const max = perGroup(name, "maxLr", o.maxLr, groups.length, (n, k, v) => positive(n, k, v, true));
    const up = positive(name, "stepSizeUp", o.stepSizeUp ?? 2000);
    // A falling half of 0 steps is PyTorch's sawtooth: the lr rises for stepSizeUp steps, then restarts.
    const down = positive(name, "stepSizeDown", o.stepSizeDown ?? up, true);
    const { scaleFn, scaleMode } = scaleOf(o);
    const cycleMomentum = boolean(name, "cycleMomentum", o.cycleMomentum ?? true);
    if (!cycleMomentum && (o.baseMomentum !== undefined || o.maxMomentum !== undefined)) {
      throw new ValueError(`${name}: baseMomentum/maxMomentum are only used with cycleMomentum: true`);
    }
    const momentumKey = cycleMomentum ? momentumKeyOf(name, opt) : null;
    const momenta = cycleMomentum
      ? { max: perGroup(name, "maxMomentum", o.maxMomentum ?? 0.9, groups.length, momentumValue), base: perGroup(name, "baseMomentum", o.baseMomentum ?? 0.8, groups.length, momentumValue) }
      : null;
    // Everything is checked: from here on the optimizer's groups change.
    groups.forEach((g, i) => {
      g.lr = base[i];
      if (momentumKey) setMomentum(g, momentumKey, momenta!.max[i]);
    });
    super(opt, name);
    this.baseLrs = base;
    this.maxLrs = max;
    this.totalSize = up + down;
    this.stepRatio = up / (up + down);
    this.scaleFn = scaleFn;
    this.scaleMode = scaleMode;
    this.momenta = momenta;
    this.momentumKey = momentumKey;
    this.initialStep();
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const height = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = returned("CyclicLR", "scaleFn", this.scaleFn, this.scaleMode === "cycle" ? cycle : t);
    const m = this.momenta;
    if (m) this.optimizer.paramGroups.forEach((g, i) => setMomentum(g, this.momentumKey!, m.max[i] - (m.max[i] - m.base[i]) * height * scale));
    return this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * height * scale);
  }
}

/** The amplitude scaling: the custom scaleFn, or the mode's (whose scale mode is fixed). */
function scaleOf(o: CyclicLROptions): { scaleFn: (x: number) => number; scaleMode: "cycle" | "iterations" } {
  const name = "CyclicLR";
  if (o.scaleFn !== undefined) {
    if (typeof o.scaleFn !== "function") throw new ValueError(`${name}: scaleFn must be a function, got ${typeof o.scaleFn}`);
    if (o.mode !== undefined || o.gamma !== undefined) throw new ValueError(`${name}: mode and gamma do not apply with a custom scaleFn`);
    return { scaleFn: o.scaleFn, scaleMode: oneOf(name, "scaleMode", o.scaleMode ?? "cycle", ["cycle", "iterations"] as const) };
  }
  if (o.scaleMode !== undefined) throw new ValueError(`${name}: scaleMode applies only with a custom scaleFn (each mode fixes its own)`);
  const mode = oneOf(name, "mode", o.mode ?? "triangular", MODES);
  if (mode !== "exp_range" && o.gamma !== undefined) throw new ValueError(`${name}: gamma applies only to mode "exp_range", got mode "${mode}"`);
  if (mode === "triangular") return { scaleFn: () => 1, scaleMode: "cycle" };
  if (mode === "triangular2") return { scaleFn: (c) => 1 / 2 ** (c - 1), scaleMode: "cycle" };
  const gamma = positive(name, "gamma", o.gamma ?? 1);
  return { scaleFn: (t) => gamma ** t, scaleMode: "iterations" };
}
