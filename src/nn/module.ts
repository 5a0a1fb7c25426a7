import { ShapeError, ValueError } from "../errors.js";
import { noGrad, Tensor } from "../ndarray/index.js";

/**
 * The base of every layer, as in PyTorch: a module owns named parameters and named child
 * modules, and both are walked in registration order so that `stateDict()` keys ("0.weight",
 * "0.bias", …) match PyTorch's for the same architecture.
 */
export abstract class Module {
  /** True in training mode (Dropout active); switch with train()/eval(). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownModules = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers (or replaces) a trainable tensor under `name`; it is made a leaf that requires grad. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    if (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size) {
      // Optimizers update p.data in place, which is only the storage for an owning contiguous tensor.
      throw new ValueError(`registerParameter: "${name}" must be a contiguous tensor that owns its storage`);
    }
    t.requiresGrad = true;
    this.ownParams.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.ownModules.set(name, m);
    return m;
  }

  /** [name, child] pairs of the direct children. */
  namedChildren(): [string, Module][] {
    return [...this.ownModules];
  }
  children(): Module[] {
    return [...this.ownModules.values()];
  }
  /** This module and all its descendants, depth first. */
  modules(): Module[] {
    const out: Module[] = [this];
    for (const c of this.ownModules.values()) out.push(...c.modules());
    return out;
  }

  /** Every parameter with its dotted path, e.g. ["0.weight", t]. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, m] of this.ownModules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Name → parameter (detached views sharing storage, like PyTorch's state_dict). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, p] of this.namedParameters()) out[n] = p.detach();
    return out;
  }

  /**
   * Copies values into the existing parameters (so optimizers holding them stay valid). Every
   * key and shape is checked before anything is written: a bad dict leaves the model unchanged.
   */
  loadStateDict(sd: Record<string, Tensor>, o: { strict?: boolean } = {}): void {
    const strict = o.strict ?? true;
    const named = this.namedParameters();
    const mine = new Map(named);
    const missing = named.filter(([n]) => !(n in sd)).map(([n]) => n);
    const unexpected = Object.keys(sd).filter((n) => !mine.has(n));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new ValueError(`loadStateDict: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]`);
    }
    for (const [n, p] of named) {
      const v = sd[n];
      if (v === undefined) continue;
      if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i])) {
        throw new ShapeError(`loadStateDict: "${n}" has shape [${v.shape}], the model expects [${p.shape}]`);
      }
    }
    for (const [n, p] of named) {
      const v = sd[n];
      if (v !== undefined) p.storage.set(v.data);
    }
  }

  /** Sets training mode on this module and its descendants. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Penalties of this module alone (e.g. a Linear's kernelRegularizer); children add theirs. */
  protected ownRegularization(): Tensor | null {
    return null;
  }

  /** The sum of every regularization penalty in the tree (add it to the loss), or null if none. */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const m of this.modules()) {
      const r = m.ownRegularization();
      if (r) total = total ? total.add(r) : r;
    }
    return total;
  }

  /** forward() with autograd off: for inference. */
  predict(x: Tensor): Tensor {
    return noGrad(() => this.forward(x));
  }
}
