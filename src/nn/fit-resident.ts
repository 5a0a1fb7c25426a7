// fit's batches with the model's arrays in kernel memory. On the threaded build (a shared wasm
// memory) a JS array can be a view of the memory the kernels read (src/backend/resident.ts). For
// the length of an epoch's batches fit moves there the float32 parameters, the storage their
// weight gradients are written into and the step's internal arrays: the GEMMs then read weights
// and activations and write outputs and gradients in place, and Adam updates the parameter where
// it is. A 784-256-128-10 MLP step (batch 64) would otherwise copy about 5.9 MB between JS arrays
// and the kernels, on the calling thread alone, where the pool's workers cannot help
// (bench/RESULTS-threads.md).
//
// What code outside the library sees does not change: only the optimizer runs between the moves,
// and fit keeps these arrays in kernel memory only when no callback of the program's own runs per
// batch (src/nn/step-safe.ts). At the end of the batches every parameter gets its own array back
// with the new values, and every gradient viewing kernel memory is copied out, so after fit
// nothing refers to the pinned block.
import { activeArena } from "../backend/init.js";
import { holdPins } from "../backend/arena-pins.js";
import type { Arena } from "../backend/arena.js";
import { carve, residentOffset, viewsSurviveGrowth } from "../backend/resident.js";
import type { StepArrays } from "../backend/step-arrays.js";
import { offerWeightGradBuffer, takeWeightGradBuffer } from "../ndarray/grad-buffers.js";
import type { Tensor } from "../ndarray/index.js";
import type { TypedArray } from "../ndarray/dtype.js";

/**
 * A tensor's storage is read-only to programs: this is the one place that swaps it, for a
 * parameter (contiguous, owning its storage) while fit's batches run.
 */
const setStorage = (t: Tensor, storage: TypedArray) => {
  (t as unknown as { storage: TypedArray }).storage = storage;
};

/** One epoch's moved parameters: each with its own array, to get back at the end. */
interface Moved { param: Tensor; own: Float32Array }

/** The owners of a run's two pinned blocks: the same owners get the same blocks back while they stay pinned. */
export interface ResidentOwners {
  /** Of the block of the parameters, their gradients' storage and the batch. */
  readonly weights: object;
  /** Of the block of the step arrays. */
  readonly steps: object;
}

export class ResidentBatches {
  private arena: Arena | null = null;
  private moved: Moved[] = [];
  private gradSlots = new Map<Tensor, Float32Array>();
  private release: (() => void) | null = null;
  /** Whether the batches since enter() update the parameters (enter's `training`). */
  private training = true;

  /** `owners`: new ones for each fit; predict and evaluate keep one pair per model (inference-batches.ts). */
  constructor(private readonly steps: StepArrays, private readonly owners: ResidentOwners = { weights: {}, steps: {} }) {}

  /**
   * Before an epoch's first batch: moves what it can into kernel memory (nothing off the threaded
   * build). `batch`: fit's buffer of input rows, if the batches go to the model as gathered (no
   * transform sees them); returned is the kernel memory to gather them into instead, or null.
   * `training`: whether the batches update the parameters, whose gradients then get kernel memory
   * too and whose new values go back to their own arrays at the end (not for predict/evaluate).
   */
  enter(params: readonly Tensor[], batch: Float32Array | null, training = true): Float32Array | null {
    const arena = activeArena();
    if (arena === null || !viewsSurviveGrowth(arena)) return null;
    this.arena = arena;
    this.training = training;
    this.release = holdPins(arena);
    const movable = params.filter((p, i) => p.storage instanceof Float32Array && p.size > 0 &&
      params.findIndex((q) => q.storage === p.storage) === i);
    const sizes = movable.map((p) => p.size);
    const grads = training ? sizes : [];
    const views = carve(arena, this.owners.weights, [...sizes, ...grads, ...(batch ? [batch.length] : [])]);
    this.moveStepArrays(arena);
    if (views === null) return null;
    movable.forEach((param, i) => {
      const own = param.storage as Float32Array, view = views[i];
      view.set(own);
      setStorage(param, view);
      this.moved.push({ param, own });
      if (training) this.gradSlots.set(param, views[movable.length + i]);
    });
    return batch ? views[movable.length + grads.length] : null;
  }

  /**
   * Before a batch's forward. The step arrays exist only once a step has made them: those of the
   * epoch's first batch are moved before its second one.
   */
  beforeBatch(batch: number): void {
    if (this.arena !== null && batch === 1) this.moveStepArrays(this.arena);
  }

  /** After fit hands back the weights' gradient storage: the kernel memory for them instead. */
  offerGradSlots(): void {
    for (const [param, slot] of this.gradSlots) offerWeightGradBuffer(param, slot);
  }

  /** After the epoch's last batch, or when one fails: every parameter's own array back, updated if training. */
  leave(params: readonly Tensor[]): void {
    const arena = this.arena;
    if (arena === null) return;
    for (const { param, own } of this.moved) {
      if (this.training) own.set(param.storage as Float32Array);
      setStorage(param, own);
    }
    for (const p of params) {
      // A gradient slot not taken by a backward must not be taken after fit.
      if (this.gradSlots.has(p)) takeWeightGradBuffer(p);
      const g = p.grad;
      if (g !== null && residentOffset(g.storage, arena) >= 0) setStorage(g, (g.storage as Float32Array).slice());
    }
    this.moved = [];
    this.gradSlots.clear();
    this.release?.();
    this.release = null;
    this.arena = null;
  }

  /**
   * The free step arrays replaced by views of one pinned block (their contents do not matter: a
   * step writes an array whole before reading it). If no block can be had, the step arrays made
   * so far are dropped, so that none refers to memory another pin may have taken since.
   */
  private moveStepArrays(arena: Arena): void {
    const lists = [...this.steps.free];
    if (lists.length === 0) return;
    const views = carve(arena, this.owners.steps, lists.flatMap(([n, list]) => list.map(() => n)));
    if (views === null) {
      this.steps.free.clear();
      return;
    }
    let at = 0;
    for (const [n, list] of lists) this.steps.free.set(n, views.slice(at, (at += list.length)));
  }
}
