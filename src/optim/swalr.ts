import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { LRScheduler, type Schedulable } from "./lr/scheduler.js";

export interface SWALROptions {
  /** The lr to anneal to and hold: one number for every group, or one per group. */
  swaLr: number | number[];
  /** Epochs of the annealing (0: jump to swaLr at once). */
  annealEpochs?: number;
  annealStrategy?: "cos" | "linear";
}

const ANNEAL = {
  cos: (t: number) => (1 - Math.cos(Math.PI * t)) / 2,
  linear: (t: number) => t,
};

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/**
 * Anneals each group's lr from its value when SWALR is created to swaLr over annealEpochs, then
 * holds it (PyTorch's torch.optim.swa_utils.SWALR), with α(t) = (1 − cos πt)/2 or t:
 *   lr_e = α(e/E)·swaLr + (1 − α(e/E))·lr_start   after e steps
 * step() uses PyTorch's recursive form, which recovers lr_start from the current lr, so that it
 * composes with a scheduler that also writes the lr. As PyTorch's, it counts the steps taken, not
 * lastEpoch, and has no closed form: step(epoch) sets lastEpoch and takes the next step, so that
 * SequentialLR's step(0) at a milestone anneals from the lr the previous schedule left (a closed
 * form would jump back to the lr SWALR was created with).
 */
export class SWALR extends LRScheduler {
  static readonly typeName: string = "SWALR";
  readonly swaLrs: number[];
  readonly annealEpochs: number;
  readonly annealStrategy: "cos" | "linear";

  constructor(opt: Schedulable, o: SWALROptions) {
    // Everything is checked before the base class records initial lrs on the optimizer.
    const { swaLrs, annealEpochs, strategy } = checkSwalrOptions(opt, o);
    super(opt, "SWALR");
    this.swaLrs = swaLrs;
    this.annealEpochs = annealEpochs;
    this.annealStrategy = strategy;
    this.initialStep();
  }

  /** Annealing progress after `steps` steps (annealEpochs = 0 is complete from the first on). */
  private alpha(steps: number): number {
    return ANNEAL[this.annealStrategy](clamp01(steps / Math.max(1, this.annealEpochs)));
  }

  /** PyTorch's get_lr: from the current lr, undo the previous step's mix, apply this step's. */
  protected getLr(): number[] {
    const e = this.annealEpochs === 0 ? Math.max(1, this.stepCount - 1) : this.stepCount - 1;
    const prevAlpha = this.alpha(e - 1);
    const alpha = this.alpha(e);
    return this.optimizer.paramGroups.map((g, i) => {
      const swa = this.swaLrs[i];
      const start = prevAlpha === 1 ? swa : (g.lr - prevAlpha * swa) / (1 - prevAlpha);
      return swa * alpha + start * (1 - alpha);
    });
  }
}

function checkSwalrOptions(opt: Schedulable, o: SWALROptions) {
  checkOptions("SWALR", o, ["swaLr", "annealEpochs", "annealStrategy"]);
  if (!opt || !Array.isArray(opt.paramGroups)) throw new ValueError("SWALR: expected an optimizer");
  const n = opt.paramGroups.length;
  const swaLrs = Array.isArray(o?.swaLr) ? o.swaLr.slice() : Array.from({ length: n }, () => o?.swaLr as number);
  if (swaLrs.length !== n || swaLrs.some((x) => typeof x !== "number" || !(x >= 0) || !Number.isFinite(x))) {
    throw new ValueError(`SWALR: swaLr must be a finite number ≥ 0 or one per group (${n}), got ${JSON.stringify(o?.swaLr)}`);
  }
  const annealEpochs = o.annealEpochs ?? 10;
  if (!Number.isInteger(annealEpochs) || annealEpochs < 0) throw new ValueError(`SWALR: annealEpochs must be an integer ≥ 0, got ${annealEpochs}`);
  const strategy = o.annealStrategy ?? "cos";
  if (strategy !== "cos" && strategy !== "linear") throw new ValueError(`SWALR: annealStrategy must be "cos" or "linear", got ${JSON.stringify(strategy)}`);
  return { swaLrs, annealEpochs, strategy };
}
