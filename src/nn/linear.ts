import { positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { linear, rngFrom, zeros, type RandomOptions, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { getInitializer, type Initializer } from "./init.js";
import { Module } from "./module.js";
import type { Regularizer } from "./regularizers.js";
import { keepsNoOutputs } from "./step-safe.js";

export interface LinearOptions extends RandomOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Weight initializer, by function or name ("he_uniform"); default PyTorch's U(±1/√in). */
  init?: string | Initializer;
  /** Bias initializer; default zeros when `init` is given, else PyTorch's U(±1/√in). */
  biasInit?: string | Initializer;
  /** A penalty on the weight added by Module.regularizationLoss() (Keras's kernel_regularizer). */
  kernelRegularizer?: Regularizer;
  dtype?: "float32" | "float64";
}

/** y = x·Wᵀ + b, W of shape [out, in] as in PyTorch; one fused GEMM (bias in the epilogue). */
export class Linear extends Module {
  static readonly typeName: string = "Linear";
  /** [out, in]. Assignable: a tensor assigned here is registered in its place (weight tying). */
  weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelRegularizer: Regularizer | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, o: LinearOptions = {}) {
    super();
    for (const [name, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      positiveInt("Linear", name, v);
    }
    checkOptions("Linear", o, ["bias", "init", "biasInit", "kernelRegularizer", "dtype", "seed", "rng"]);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`Linear: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (o.bias === false && o.biasInit !== undefined) throw new ValueError("Linear: biasInit given with bias: false (there is no bias to initialize)");
    const rng = rngFrom(o);
    const bound = 1 / Math.sqrt(inFeatures);
    const torchDefault = (t: Tensor) => {
      const d = t.storage;
      for (let i = 0; i < d.length; i++) d[i] = (2 * rng.uniform() - 1) * bound;
      return t;
    };
    const w = zeros([outFeatures, inFeatures], { dtype });
    (o.init === undefined ? torchDefault : (t: Tensor) => getInitializer(o.init!)(t, { rng }))(w);
    this.weight = this.registerParameter("weight", w);
    if (o.bias ?? true) {
      const b = zeros([outFeatures], { dtype });
      if (o.biasInit !== undefined) getInitializer(o.biasInit)(b, { rng });
      else if (o.init === undefined) torchDefault(b);
      this.bias = this.registerParameter("bias", b);
    } else this.bias = null;
    this.kernelRegularizer = o.kernelRegularizer ?? null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
  /**
   * max(0, x·Wᵀ + b) as one op: the relu runs in the GEMM's epilogue and the backward masks the
   * incoming gradient by y > 0 (the rule lives with linear's forward). Fused steps use it.
   */
  forwardRelu(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, { relu: true });
  }

  protected override ownRegularization(): Tensor | null {
    return this.kernelRegularizer ? this.kernelRegularizer(this.weight) : null;
  }
}

// fit may reuse the arrays of a model built of these (src/nn/step-safe.ts).
keepsNoOutputs("Linear");
