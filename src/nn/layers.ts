import { probability } from "../checks.js";
import { ValueError } from "../errors.js";
import { logSoftmax, rngFrom, softmax, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkGeluOptions, dropout, elu, finiteNumber, gelu, leakyRelu, tensorInput, type GeluOptions } from "./functional.js";
import { Module } from "./module.js";
import { keepsNoOutputs } from "./step-safe.js";

/** Parameter-free layers: activations, Dropout and Flatten (PyTorch names and defaults). */

export class ReLU extends Module {
  static readonly typeName: string = "ReLU";
  forward(x: Tensor): Tensor { return tensorInput("ReLU", x).relu(); }
}
export class LeakyReLU extends Module {
  static readonly typeName: string = "LeakyReLU";
  constructor(readonly negativeSlope = 0.01) {
    super();
    finiteNumber("LeakyReLU", "negativeSlope", negativeSlope);
  }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}
export class ELU extends Module {
  static readonly typeName: string = "ELU";
  constructor(readonly alpha = 1) {
    super();
    finiteNumber("ELU", "alpha", alpha);
  }
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
}
/** GELU: the exact x·Φ(x) (approximate "none", the default) or its tanh approximation. */
export class GELU extends Module {
  static readonly typeName: string = "GELU";
  readonly approximate: "none" | "tanh";
  constructor(o: GeluOptions = {}) {
    super();
    this.approximate = checkGeluOptions("GELU", o);
  }
  forward(x: Tensor): Tensor { return gelu(x, { approximate: this.approximate }); }
}
export class Sigmoid extends Module {
  static readonly typeName: string = "Sigmoid";
  forward(x: Tensor): Tensor { return tensorInput("Sigmoid", x).sigmoid(); }
}
export class Tanh extends Module {
  static readonly typeName: string = "Tanh";
  forward(x: Tensor): Tensor { return tensorInput("Tanh", x).tanh(); }
}
export class Softmax extends Module {
  static readonly typeName: string = "Softmax";
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return softmax(tensorInput("Softmax", x), this.dim); }
}
export class LogSoftmax extends Module {
  static readonly typeName: string = "LogSoftmax";
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return logSoftmax(tensorInput("LogSoftmax", x), this.dim); }
}

/** Inverted dropout, seeded by { seed } or { rng }; the identity in eval mode; p = 1 gives zeros in training, as PyTorch. */
export class Dropout extends Module {
  static readonly typeName: string = "Dropout";
  /** Its own generator when seeded; otherwise null, and each forward draws from the global one. */
  private readonly rng: Rng | null;
  constructor(readonly p = 0.5, o: RandomOptions = {}) {
    super();
    checkOptions("Dropout", o, ["seed", "rng"]);
    probability("Dropout", "probability", p);
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): Tensor {
    // rngFrom(undefined) at call time, so a later manualSeed() governs unseeded dropout too.
    return this.training && this.p > 0 ? dropout(x, this.p, this.rng ?? rngFrom(undefined)) : x;
  }
}

export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}

/**
 * Flattens dims startDim..endDim into one (default 1..−1: everything but the batch dim), as
 * torch.nn.Flatten. Takes `{ startDim, endDim }` or the two numbers positionally.
 */
export class Flatten extends Module {
  static readonly typeName: string = "Flatten";
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim: number | FlattenOptions = 1, endDim = -1) {
    super();
    if (typeof startDim === "object") {
      checkOptions("Flatten", startDim, ["startDim", "endDim"]);
      if (arguments.length > 1) throw new ValueError("Flatten: give { startDim, endDim } or two numbers, not both");
      ({ startDim = 1, endDim = -1 } = startDim ?? {});
    }
    for (const [k, v] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isSafeInteger(v)) throw new ValueError(`Flatten: ${k} must be an integer, got ${JSON.stringify(v)}`);
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(x: Tensor): Tensor {
    const n = x.ndim;
    const s = this.startDim < 0 ? this.startDim + n : this.startDim;
    const e = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (s < 0 || e >= n || s > e) {
      // A 0-d input takes dims 0 and −1 only (as PyTorch's flatten), and becomes [1].
      if (n === 0 && [this.startDim, this.endDim].every((d) => d === 0 || d === -1)) return x.reshape([1]);
      throw new ValueError(`Flatten: dims ${this.startDim}..${this.endDim} out of range for a ${n}-d input`);
    }
    const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
  }
}

// fit may reuse the arrays of a model built of these (src/nn/step-safe.ts).
keepsNoOutputs("ReLU", "Dropout", "Flatten");
