import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { ReLU } from "./layers.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

/**
 * Modules applied in order, named "0", "1", … as in PyTorch. A Linear followed directly by a
 * ReLU runs as one GEMM with the relu in its epilogue (and a masked backward): that skips a
 * full pass over the activations and one tape node per layer.
 */
export class Sequential extends Module {
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

  forward(x: Tensor): Tensor {
    const L = this.layers;
    let h = x;
    for (let i = 0; i < L.length; i++) {
      const m = L[i];
      if (m instanceof Linear && L[i + 1] instanceof ReLU) {
        h = m.forwardRelu(h);
        i++;
      } else h = m.forward(h);
    }
    return h;
  }
}
