// Which models fit may run with reused step arrays (src/backend/step-arrays.ts): those where no
// code outside the library sees a step's intermediate tensors, so none can be kept past the step.
// That holds for a model built only of the layers named here, exactly those classes (a subclass
// may override forward: its class has no typeName of its own, or another one), with no hooks (a
// hook is the module's own forward property), trained on a loss given by name.
import type { Module } from "./module.js";

/** Layers whose forward keeps no output past the call, by their classes' own typeName. */
const KEEP_NO_OUTPUTS = new Set(["Sequential", "Linear", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout"]);

const own = (x: object, key: string) => Object.prototype.hasOwnProperty.call(x, key);

/** Whether every module of `model` is one of those layers, as it is, without hooks. */
export function keepsNoStepTensors(model: Module): boolean {
  return model.modules().every((m) => {
    const layerClass = m.constructor as { typeName?: unknown };
    return own(layerClass, "typeName") && KEEP_NO_OUTPUTS.has(layerClass.typeName as string) && !own(m, "forward");
  });
}
