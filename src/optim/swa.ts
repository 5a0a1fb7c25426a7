// Weight averaging (Izmailov et al. 2018, SWA; and exponential moving averages of the weights),
// with PyTorch's torch.optim.swa_utils names: AveragedModel, the get*AvgFn factories, SWALR,
// updateBn.
// EMA is chosen as in PyTorch, by passing multiAvgFn: getEmaMultiAvgFn(decay) (or avgFn:
// getEmaAvgFn(decay)); there is no separate { mode: "ema" } form.
import { ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { isFloat } from "../ndarray/dtype.js";
import { checkOptions } from "../options.js";
import { deepCopy } from "./deep-copy.js";

export { SWALR } from "./swalr.js";
export type { SWALROptions } from "./swalr.js";
export { updateBn } from "./swa-update-bn.js";
export type { UpdateBnBatch, UpdateBnOptions } from "./swa-update-bn.js";

/** Averages one tensor: returns the new average of `averaged` and `current` (n averaged so far). */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => Tensor;
/** Averages lists of tensors in place: averaged[i] ← avg(averaged[i], current[i]). */
export type MultiAvgFn = (averaged: Tensor[], current: Tensor[], numAveraged: number) => void;

/** What AveragedModel needs of a model: its parameters (and buffers, if it has any) and forward. */
export interface AverageableModel {
  parameters(): Tensor[];
  buffers?(): Tensor[];
  forward(...inputs: never[]): unknown;
}

export interface AveragedModelOptions {
  /** Per-tensor average; used when multiAvgFn is not given. */
  avgFn?: AvgFn;
  /** In-place average of all tensors at once (default: the equal SWA average). */
  multiAvgFn?: MultiAvgFn;
  /**
   * Average the buffers (BatchNorm's running statistics) as well as the parameters. When false
   * (the default) the copy's buffers are kept equal to the model's at each update, as in PyTorch.
   */
  useBuffers?: boolean;
}

/**
 * In place: a ← a + w·(c − a) for every element, in float64 rounded once on store. Integer
 * tensors (a step counter kept as a buffer) get the result truncated toward zero, as PyTorch's
 * copy of a float result into an integer tensor does.
 */
function lerpInPlace(averaged: Tensor[], current: Tensor[], weight: number): void {
  averaged.forEach((a, k) => {
    const dst = a.storage, src = current[k].data;
    const trunc = !isFloat(a.dtype);
    for (let i = 0; i < dst.length; i++) {
      const v = dst[i] + weight * (src[i] - dst[i]);
      dst[i] = trunc ? Math.trunc(v) : v;
    }
  });
}

/** The equal average of every model seen: a ← a + (c − a)/(n + 1). */
export function getSwaMultiAvgFn(): MultiAvgFn {
  return (averaged, current, n) => lerpInPlace(averaged, current, 1 / (n + 1));
}
/** Exponential moving average: a ← decay·a + (1 − decay)·c (computed as a + (1 − decay)(c − a)). */
export function getEmaMultiAvgFn(decay = 0.999): MultiAvgFn {
  checkDecay(decay);
  return (averaged, current) => lerpInPlace(averaged, current, 1 - decay);
}
/** The per-tensor SWA average, as a new tensor. */
export function getSwaAvgFn(): AvgFn {
  return (a, c, n) => a.add(c.sub(a).div(n + 1));
}
/** The per-tensor EMA, as a new tensor: decay·a + (1 − decay)·c. */
export function getEmaAvgFn(decay = 0.999): AvgFn {
  checkDecay(decay);
  return (a, c) => a.mul(decay).add(c.mul(1 - decay));
}

function checkDecay(decay: number): void {
  if (typeof decay !== "number" || !(decay >= 0 && decay <= 1)) throw new ValueError(`EMA: decay must be in [0, 1], got ${String(decay)}`);
}

/**
 * A copy of a model whose parameters hold an average of the model's over the updates so far
 * (the first update copies them). `module` is the copy (a deep copy, so of the model's class:
 * evaluate it, save it, or run `forward` here). Its BatchNorm statistics are the last model's
 * (or, with useBuffers, averaged), not those of the averaged weights: recompute them after the
 * last update with `updateBn(loader, averaged.module)` (updateBn(loader, averaged) does the same).
 */
export class AveragedModel<M extends AverageableModel> {
  readonly module: M;
  /** How many models have been averaged in. */
  nAveraged = 0;
  readonly avgFn: AvgFn | null;
  readonly multiAvgFn: MultiAvgFn | null;
  readonly useBuffers: boolean;

  constructor(model: M, o: AveragedModelOptions = {}) {
    checkOptions("AveragedModel", o, ["avgFn", "multiAvgFn", "useBuffers"]);
    if (!model || typeof model.parameters !== "function" || typeof model.forward !== "function") {
      throw new ValueError("AveragedModel: expected a model with parameters() and forward()");
    }
    for (const k of ["avgFn", "multiAvgFn"] as const) {
      if (o[k] !== undefined && typeof o[k] !== "function") throw new ValueError(`AveragedModel: ${k} must be a function`);
    }
    if (o.useBuffers !== undefined && typeof o.useBuffers !== "boolean") throw new ValueError(`AveragedModel: useBuffers must be true or false, got ${String(o.useBuffers)}`);
    this.module = deepCopy(model);
    this.avgFn = o.avgFn ?? null;
    this.multiAvgFn = o.multiAvgFn ?? null;
    this.useBuffers = o.useBuffers ?? false;
  }

  /** Runs the averaged copy. */
  forward(...inputs: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    return (this.module.forward as (...a: unknown[]) => ReturnType<M["forward"]>)(...inputs);
  }

  /** The averaged parameters (PyTorch's AveragedModel.parameters()). */
  parameters(): Tensor[] {
    return this.module.parameters();
  }

  /** Tensors that are averaged: parameters, then buffers with useBuffers. */
  private averagedOf(m: AverageableModel): Tensor[] {
    return this.useBuffers ? [...m.parameters(), ...buffersOf(m)] : m.parameters();
  }

  /** Folds `model`'s current parameters (and buffers) into the average. */
  updateParameters(model: M): void {
    const mine = this.averagedOf(this.module), theirs = this.averagedOf(model);
    checkSameShapes("AveragedModel.updateParameters", mine, theirs);
    const myBuffers = this.useBuffers ? [] : buffersOf(this.module), theirBuffers = this.useBuffers ? [] : buffersOf(model);
    checkSameShapes("AveragedModel.updateParameters (buffers)", myBuffers, theirBuffers);
    if (this.nAveraged === 0) {
      mine.forEach((a, i) => a.storage.set(theirs[i].data));
    } else if (this.multiAvgFn !== null || this.avgFn === null) {
      (this.multiAvgFn ?? getSwaMultiAvgFn())(mine, theirs, this.nAveraged);
    } else {
      const fn = this.avgFn;
      const next = mine.map((a, i) => fn(a.detach(), theirs[i].detach(), this.nAveraged));
      checkSameShapes("AveragedModel: avgFn", mine, next);
      mine.forEach((a, i) => a.storage.set(next[i].data));
    }
    myBuffers.forEach((b, i) => b.storage.set(theirBuffers[i].data));
    this.nAveraged++;
  }
}

function buffersOf(m: AverageableModel): Tensor[] {
  return typeof m.buffers === "function" ? m.buffers() : [];
}

function checkSameShapes(where: string, a: Tensor[], b: Tensor[]): void {
  if (a.length !== b.length) throw new ValueError(`${where}: the averaged model has ${a.length} tensors, this one ${b.length}`);
  a.forEach((x, i) => {
    if (x.shape.length !== b[i].shape.length || x.shape.some((d, k) => d !== b[i].shape[k])) {
      throw new ShapeError(`${where}: tensor ${i} has shape [${x.shape}] in the average but [${b[i].shape}] here`);
    }
  });
}
