// predict's and evaluate's batches run as fit's do (fit-resident.ts, step-arrays.ts): for a model
// built only of the library's own layers, each batch's internal arrays are handed out again to
// the next batch, and on the threaded build the float32 parameters and the batch of input rows
// are arrays of kernel memory while the batches run. Without this every batch copies each weight
// and the rows into the kernels' memory on the calling thread, where the pool's workers cannot
// help, and allocates every layer's output afresh: a 784-256-128-10 MLP's predict over 10 000 rows
// (batch 256, 2 threads) took 92.5 ms that way and 70.7 ms this way (bench/RESULTS-threads.md).
//
// What the program sees does not change: a batch's output is copied before the next batch reuses
// its array, and the parameters have their own arrays back, unchanged, when the pass ends.
import { closeStep, newStepArrays, openStep } from "../backend/step-arrays.js";
import type { TypedArray } from "../ndarray/dtype.js";
import { mixedPrecision } from "../ndarray/mixed-precision-hook.js";
import { ResidentBatches, type ResidentOwners } from "./fit-resident.js";
import type { Module } from "./module.js";
import { keepsNoStepTensors } from "./step-safe.js";

/** One pair of pinned-block owners per model, so that repeated passes reuse the same blocks. */
const ownersOf = new WeakMap<Module, ResidentOwners>();

/** Runs batch `b`'s body; the arrays it was handed are free for the next batch once it returns. */
export type InBatch = <T>(b: number, body: () => T) => T;

/**
 * Calls `pass` with the buffer to gather input rows into, the wrapper of each batch's body, and
 * whether arrays are reused: a body must then copy whatever it keeps of the batch's tensors
 * before it returns. `allowed`: whether code outside the library sees no tensor of a batch (a
 * custom loss would); if not, or if the model has layers of the program's own, batches run as
 * plain calls with fresh arrays.
 */
export function inferenceBatches<R>(model: Module, buffer: TypedArray, allowed: boolean,
                                    pass: (buffer: TypedArray, inBatch: InBatch, reused: boolean) => R): R {
  // A bfloat16 scope runs other kernels, which keep fresh arrays (as fit's bf16 steps do). A
  // predict set on the model itself is the program's own code, as a forward set there is.
  const programsOwn = Object.prototype.hasOwnProperty.call(model, "predict");
  if (!allowed || programsOwn || mixedPrecision.active !== null || !keepsNoStepTensors(model)) return pass(buffer, (_, body) => body(), false);
  let owners = ownersOf.get(model);
  if (owners === undefined) ownersOf.set(model, (owners = { weights: {}, steps: {} }));
  const steps = newStepArrays();
  const resident = new ResidentBatches(steps, owners);
  const params = model.parameters();
  try {
    const inMemory = resident.enter(params, buffer instanceof Float32Array ? buffer : null, false);
    return pass(inMemory ?? buffer, (b, body) => {
      resident.beforeBatch(b);
      openStep(steps);
      try {
        return body();
      } finally {
        closeStep();
      }
    }, true);
  } finally {
    resident.leave(params);
  }
}
