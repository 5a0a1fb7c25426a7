import { positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { full, softmax, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import {
  checkDim, checkLambd, checkThreshold, glu, hardshrink, prelu, relu6, softmin, softshrink, tanhshrink, threshold,
} from "./activations-more.js";
import { finiteNumber, tensorInput } from "./functional.js";
import { registerLayers } from "./layer-registry.js";
import { Module } from "./module.js";

/**
 * Module forms of the activations in activations-more.ts, with PyTorch's class names, defaults
 * and state-dict keys (PReLU's "weight"). A single option may be given as an options object
 * ({ dim }, { lambd }) or as the number itself, as PyTorch's positional argument.
 */

/** `arg` as { key } or as the bare value; the key's value, or `fallback` when absent. */
function oneOption(where: string, key: string, arg: unknown, fallback: number): unknown {
  if (arg === undefined) return fallback;
  if (typeof arg === "object" && arg !== null && !Array.isArray(arg)) {
    checkOptions(where, arg, [key]);
    return (arg as Record<string, unknown>)[key] ?? fallback;
  }
  return arg;
}

export interface PReLUOptions {
  /** Number of learned slopes: 1 (shared) or the input's channels (dim 1). Default 1. */
  numParameters?: number;
  /** Initial slope (default 0.25). */
  init?: number;
  dtype?: "float32" | "float64";
}

/** x where x > 0, a·x elsewhere, with the slope(s) a learned (He et al. 2015); state-dict key "weight" of shape [numParameters]. */
export class PReLU extends Module {
  static readonly typeName: string = "PReLU";
  readonly numParameters: number;
  /** [numParameters]. Assignable, as any parameter. */
  weight: Tensor;
  constructor(o: PReLUOptions = {}) {
    super();
    checkOptions("PReLU", o, ["numParameters", "init", "dtype"]);
    this.numParameters = positiveInt("PReLU", "numParameters", o.numParameters ?? 1);
    const init = finiteNumber("PReLU", "init", o.init ?? 0.25);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`PReLU: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    this.weight = this.registerParameter("weight", full([this.numParameters], init, { dtype }));
  }
  forward(x: Tensor): Tensor { return prelu(x, this.weight); }
}

export class ReLU6 extends Module {
  static readonly typeName: string = "ReLU6";
  forward(x: Tensor): Tensor { return relu6(x); }
}

/** a·σ(b) of the halves of the input along dim (default −1); `new GLU({ dim: 1 })` or `new GLU(1)`. */
export class GLU extends Module {
  static readonly typeName: string = "GLU";
  readonly dim: number;
  constructor(o: { dim?: number } | number = {}) {
    super();
    this.dim = checkDim("GLU", oneOption("GLU", "dim", o, -1));
  }
  forward(x: Tensor): Tensor { return glu(x, this.dim); }
}

/** softmax(−x) along dim (default −1, as Softmax here; PyTorch's implicit dim is deprecated there). */
export class Softmin extends Module {
  static readonly typeName: string = "Softmin";
  readonly dim: number;
  constructor(o: { dim?: number } | number = {}) {
    super();
    this.dim = checkDim("Softmin", oneOption("Softmin", "dim", o, -1));
  }
  forward(x: Tensor): Tensor { return softmin(x, this.dim); }
}

/** Softmax over the channels at every pixel: dim −3 of [N, C, H, W] or [C, H, W] (other ranks refused, as PyTorch). */
export class Softmax2d extends Module {
  static readonly typeName: string = "Softmax2d";
  forward(x: Tensor): Tensor {
    tensorInput("Softmax2d", x);
    if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`Softmax2d: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, got shape [${x.shape}]`);
    return softmax(x, -3);
  }
}

export class Softshrink extends Module {
  static readonly typeName: string = "Softshrink";
  readonly lambd: number;
  constructor(o: { lambd?: number } | number = {}) {
    super();
    this.lambd = checkLambd("Softshrink", oneOption("Softshrink", "lambd", o, 0.5), false);
  }
  forward(x: Tensor): Tensor { return softshrink(x, this.lambd); }
}

export class Hardshrink extends Module {
  static readonly typeName: string = "Hardshrink";
  readonly lambd: number;
  constructor(o: { lambd?: number } | number = {}) {
    super();
    this.lambd = checkLambd("Hardshrink", oneOption("Hardshrink", "lambd", o, 0.5), true);
  }
  forward(x: Tensor): Tensor { return hardshrink(x, this.lambd); }
}

export class Tanhshrink extends Module {
  static readonly typeName: string = "Tanhshrink";
  forward(x: Tensor): Tensor { return tanhshrink(x); }
}

/** x where x > threshold, value elsewhere; both required, as torch.nn.Threshold(threshold, value). */
export class Threshold extends Module {
  static readonly typeName: string = "Threshold";
  constructor(readonly threshold: number, readonly value: number) {
    super();
    if (arguments.length < 2) throw new ValueError(`Threshold: give threshold and value (both required), got ${arguments.length} argument${arguments.length === 1 ? "" : "s"}`);
    checkThreshold("Threshold", threshold, value);
  }
  forward(x: Tensor): Tensor { return threshold(x, this.threshold, this.value); }
}

// For the ONNX exporter, which finds these classes here without importing (and bundling) them.
registerLayers({ PReLU, ReLU6, Softmax2d, Softshrink, Hardshrink, Threshold });
