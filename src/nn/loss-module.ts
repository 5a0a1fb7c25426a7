import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkReduction } from "./loss-reduction.js";
import { Module } from "./module.js";

/**
 * The base of the loss modules (loss-modules.ts; PyTorch's _Loss): a module that calls one loss
 * function with the options it was made with. Its own file, apart from the classes, so that
 * fit() can recognize a loss module without bundling every loss.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyLoss = (...args: any[]) => Tensor;

export abstract class LossModule extends Module {
  /** "mean", "sum", "none" (and "batchmean" for KLDivLoss), checked when the module is made. */
  readonly reduction: string;
  /** The loss function forward() calls. */
  abstract readonly lossFunction: AnyLoss;
  /** Names of forward()'s tensors, in order: ["input", "target"] for most losses. */
  protected readonly inputNames: readonly string[] = ["input", "target"];

  constructor(where: string, o: { reduction?: string }, keys: readonly string[], extraReductions: readonly string[] = []) {
    super();
    checkOptions(where, o, ["reduction", ...keys]);
    checkReduction(o.reduction, where, extraReductions);
    this.reduction = o.reduction ?? "mean";
  }

  /** The options forward() passes, read at each call (so a weight loaded by loadStateDict is used). */
  abstract lossOptions(): object;

  /** The function's result for these tensors and the module's options. */
  forward(...inputs: Tensor[]): Tensor {
    const names = this.inputNames;
    const where = (this.constructor as { typeName?: string }).typeName ?? "loss";
    if (inputs.length !== names.length) {
      throw new ValueError(`${where}: forward takes (${names.join(", ")}), got ${inputs.length} argument${inputs.length === 1 ? "" : "s"}`);
    }
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${names[i]} must be a Tensor`);
    });
    return this.lossFunction(...inputs, this.lossOptions());
  }

  /** How many tensors forward() takes (2 for (input, target)). */
  get arity(): number {
    return this.inputNames.length;
  }
}
