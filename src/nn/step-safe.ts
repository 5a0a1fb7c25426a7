// Which models fit may run with reused step arrays (src/backend/step-arrays.ts): those where no
// code outside the library sees a step's intermediate tensors, so none can be kept past the step.
// That holds for a model built only of the layers registered here, exactly those classes (a subclass
// may override forward: its class has no typeName of its own, or another one), with no hooks (a
// hook is the module's own forward property), trained on a loss given by name.
import type { Module } from "./module.js";

/**
 * The typeNames of layers whose forward keeps no output past the call. Each layer's own file
 * registers its name (keepsNoOutputs), so a bundle without the layer carries neither it nor its name.
 */
const KEEP_NO_OUTPUTS = new Set<string>();

/** Registers layer classes, by their typeName, whose forward keeps no output past the call. */
export function keepsNoOutputs(...typeNames: string[]): void {
  for (const name of typeNames) KEEP_NO_OUTPUTS.add(name);
}

const own = (x: object, key: string) => Object.prototype.hasOwnProperty.call(x, key);

/** Whether every module of `model` is one of those layers, as it is, without hooks. */
export function keepsNoStepTensors(model: Module): boolean {
  return model.modules().every((m) => {
    const layerClass = m.constructor as { typeName?: unknown };
    return own(layerClass, "typeName") && KEEP_NO_OUTPUTS.has(layerClass.typeName as string) && !own(m, "forward");
  });
}

/**
 * The library's own callbacks that read nothing of the model or of a step's arrays per batch (a
 * progress bar, a time budget): fit may keep the model's arrays in kernel memory while they run
 * (src/nn/fit-resident.ts), which it does not for any other callback with an onBatchEnd.
 */
const SEE_NO_ARRAYS = new WeakSet<object>();

/** Registers `callback` as one of those; returns it. */
export function seesNoArrays<T extends object>(callback: T): T {
  SEE_NO_ARRAYS.add(callback);
  return callback;
}

/** Whether `callback` runs nothing per batch, or is one of the library's that read no arrays. */
export const readsNoArraysPerBatch = (callback: { onBatchEnd?: unknown }): boolean =>
  callback.onBatchEnd === undefined || SEE_NO_ARRAYS.has(callback);
