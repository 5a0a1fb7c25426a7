import type { Tensor } from "../ndarray/index.js";
import {
  celu, checkCeluAlpha, hardtanhParams, softplusParams, hardsigmoid, hardswish, hardtanh, logSigmoid, mish, selu, silu, softplus, softsign,
  type HardtanhOptions, type SoftplusOptions,
} from "./activations.js";
import { Module } from "./module.js";

/** Module forms of the activations in activations.ts (PyTorch's class names and defaults). */

export class Softplus extends Module {
  static readonly typeName: string = "Softplus";
  readonly beta: number;
  readonly threshold: number;
  constructor(o: SoftplusOptions = {}) {
    super();
    ({ beta: this.beta, threshold: this.threshold } = softplusParams("Softplus", o));
  }
  forward(x: Tensor): Tensor { return softplus(x, { beta: this.beta, threshold: this.threshold }); }
}
export class SiLU extends Module {
  static readonly typeName: string = "SiLU";
  forward(x: Tensor): Tensor { return silu(x); }
}
export class Mish extends Module {
  static readonly typeName: string = "Mish";
  forward(x: Tensor): Tensor { return mish(x); }
}
export class SELU extends Module {
  static readonly typeName: string = "SELU";
  forward(x: Tensor): Tensor { return selu(x); }
}
export class CELU extends Module {
  static readonly typeName: string = "CELU";
  constructor(readonly alpha = 1) {
    super();
    checkCeluAlpha("CELU", alpha);
  }
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
}
export class LogSigmoid extends Module {
  static readonly typeName: string = "LogSigmoid";
  forward(x: Tensor): Tensor { return logSigmoid(x); }
}
export class Hardtanh extends Module {
  static readonly typeName: string = "Hardtanh";
  readonly minVal: number;
  readonly maxVal: number;
  constructor(o: HardtanhOptions = {}) {
    super();
    ({ minVal: this.minVal, maxVal: this.maxVal } = hardtanhParams("Hardtanh", o));
  }
  forward(x: Tensor): Tensor { return hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal }); }
}
export class Hardswish extends Module {
  static readonly typeName: string = "Hardswish";
  forward(x: Tensor): Tensor { return hardswish(x); }
}
export class Hardsigmoid extends Module {
  static readonly typeName: string = "Hardsigmoid";
  forward(x: Tensor): Tensor { return hardsigmoid(x); }
}
export class Softsign extends Module {
  static readonly typeName: string = "Softsign";
  forward(x: Tensor): Tensor { return softsign(x); }
}
