import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { inEvalMode } from "./eval-mode.js";
import { fuseLayers, runStep, type FusedStep } from "./fusion.js";
import { Module } from "./module.js";
import { keepsNoOutputs } from "./step-safe.js";

/**
 * Modules applied in order, named "0", "1", … as in PyTorch. The list runs as the steps of
 * fuseLayers: a Linear followed directly by a ReLU is one GEMM with the relu in its epilogue
 * (and a masked backward), which skips a full pass over the activations and one tape node; a
 * Conv1d/Conv2d followed by a ReLU likewise, and in eval mode a BatchNorm after a convolution is
 * folded into its weights. A Conv2d→ReLU followed by a 2×2, stride-2 MaxPool2d is one op whose
 * full-size output never leaves the kernels (Sequential alone runs that step).
 */
export class Sequential extends Module {
  static readonly typeName: string = "Sequential";
  private layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.add(m);
  }

  add(m: Module): this {
    if (!(m instanceof Module)) throw new ValueError(`Sequential: element ${this.layers.length} is not a Module`);
    this.registerModule(String(this.layers.length), m);
    this.layers.push(m);
    return this;
  }
  get length(): number {
    return this.layers.length;
  }
  at(i: number): Module {
    const m = this.layers[i < 0 ? i + this.layers.length : i];
    if (!m) throw new ValueError(`Sequential: no layer at index ${i} (length ${this.layers.length})`);
    return m;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  // NOTE: fused afresh on every call (a few small objects): a fusion may depend on the modules'
  // mode (BatchNorm folds only in eval), which train()/eval() change without telling the list.
  forward(x: Tensor): Tensor {
    let h = x;
    for (const s of fuseLayers(this.layers, { convPool: true })) h = runStep(s, h);
    return h;
  }
}

/**
 * The layer list of a model: a Sequential's modules in order, any other module as a model of
 * that one layer (so a bare Linear exports or compiles as a one-layer model).
 */
export function layersOf(model: Module): Module[] {
  return model instanceof Sequential ? [...model] : [model];
}

/**
 * The fused steps of a model as inference runs it: fused in eval mode, so an eval-mode BatchNorm
 * folds into its Conv and Dropout is off; every module's training flag is left as it was.
 */
export function fuseForInference(model: Module): FusedStep[] {
  return inEvalMode(model, () => fuseLayers(layersOf(model)));
}

// fit may reuse the arrays of a model built of these (src/nn/step-safe.ts).
keepsNoOutputs("Sequential");
