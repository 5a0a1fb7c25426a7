import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { noGrad, Tensor } from "../ndarray/index.js";
import { zeroGrads } from "../ndarray/zero-grads.js";
import { checkOptions } from "../options.js";
import { typeName } from "../type-name.js";
import { modelSummary, type SummaryOptions } from "./summary.js";
import { addModuleHook, type ForwardHook, type ForwardPreHook, type FullBackwardHook } from "./module-hooks.js";
import type { RemovableHandle } from "../ndarray/index.js";

/**
 * What forward() may take and give. Any number of inputs and any output (a Tensor, or arrays of
 * them in PyTorch's tuple order), so a subclass may declare e.g.
 * `forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]]`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardInputs = any[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardOutput = any;

/** A name a module can register a parameter, buffer or child under (no dots: they join paths). */
function checkName(where: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new ValueError(`${where}: name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
  }
}
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** What loadStateDict reports, as PyTorch's (missing_keys, unexpected_keys). */
export interface LoadStateDictResult {
  /** Names the model holds that the dict did not give (left as they were). */
  missingKeys: string[];
  /** Names in the dict the model does not hold (ignored). */
  unexpectedKeys: string[];
}

/**
 * The base of every layer, as in PyTorch: a module owns named parameters, named buffers (state
 * that is saved but not trained, e.g. BatchNorm's running statistics) and named child modules,
 * all walked in registration order so that `stateDict()` keys ("0.weight", "0.bias",
 * "1.running_mean", …) and their order match PyTorch's for the same architecture.
 */
export abstract class Module {
  /** True in training mode (Dropout active); switch with train()/eval(). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor | null>();
  private readonly nonPersistent = new Set<string>();
  private readonly ownModules = new Map<string, Module>();

  abstract forward(...inputs: ForwardInputs): ForwardOutput;

  /**
   * Registers (or replaces) a trainable tensor under `name`; it is made a leaf that requires grad.
   * A field of the same name (Linear's `weight`) then reads the registration, and assigning to it
   * registers the new tensor, as PyTorch's attribute assignment does: `head.weight =
   * embedding.weight` ties the two, and parameters(), stateDict() and forward all see the one
   * tensor. (A module whose fields are named otherwise, as a recurrent layer's lists, keeps them.)
   */
  protected registerParameter(name: string, t: Tensor): Tensor {
    checkName("registerParameter", name);
    if (!(t instanceof Tensor)) throw new ValueError(`registerParameter: "${name}" must be a Tensor, got ${typeName(t)}`);
    if (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size) {
      // Optimizers update p.data in place, which is only the storage for an owning contiguous tensor.
      throw new ValueError(`registerParameter: "${name}" must be a contiguous tensor that owns its storage`);
    }
    if (this.ownBuffers.has(name) || this.ownModules.has(name)) throw new ValueError(`registerParameter: "${name}" is already a buffer or a child module`);
    t.requiresGrad = true;
    this.ownParams.set(name, t);
    if (Object.hasOwn(this, name) && !Object.getOwnPropertyDescriptor(this, name)!.get) {
      // Methods of the receiver, not closures over this module: a deep copy (SWA's averaged
      // model) copies the descriptor, and the copy must read its own registration.
      Object.defineProperty(this, name, {
        configurable: true, enumerable: true,
        get(this: Module) { return this.ownParams.get(name); },
        set(this: Module, v: Tensor) { this.registerParameter(name, v); },
      });
    }
    return t;
  }

  /**
   * Registers (or replaces) a buffer: a tensor the module keeps and `stateDict()` saves (unless
   * `persistent: false`) but optimizers never see. null reserves the name, as in PyTorch.
   */
  registerBuffer(name: string, t: Tensor | null, o: { persistent?: boolean } = {}): Tensor | null {
    checkName("registerBuffer", name);
    checkOptions("registerBuffer", o, ["persistent"]);
    if (o.persistent !== undefined && typeof o.persistent !== "boolean") throw new ValueError(`registerBuffer: persistent must be a boolean, got ${String(o.persistent)}`);
    if (t !== null && !(t instanceof Tensor)) throw new ValueError(`registerBuffer: "${name}" must be a Tensor or null`);
    if (t && (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size)) {
      // loadStateDict copies into the storage, which is the buffer only for an owning contiguous tensor.
      throw new ValueError(`registerBuffer: "${name}" must be a contiguous tensor that owns its storage`);
    }
    if (this.ownParams.has(name) || this.ownModules.has(name)) throw new ValueError(`registerBuffer: "${name}" is already a parameter or a child module`);
    this.ownBuffers.set(name, t);
    if (o.persistent ?? true) this.nonPersistent.delete(name);
    else this.nonPersistent.add(name);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    checkName("registerModule", name);
    if (!(m instanceof Module)) throw new ValueError(`registerModule: "${name}" is not a Module`);
    if (this.ownParams.has(name) || this.ownBuffers.has(name)) throw new ValueError(`registerModule: "${name}" is already a parameter or a buffer`);
    this.ownModules.set(name, m);
    return m;
  }

  /**
   * [name, child] pairs of the direct children, each child once under its first name (a layer
   * registered twice, Sequential(l, ReLU, l), is listed once, as PyTorch's named_children).
   */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return [...this.ownModules].filter(([, m]) => !seen.has(m) && !!seen.add(m));
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** [path, module] for this module ("" or `prefix`) and every descendant, depth first, each once. */
  namedModules(prefix = "", seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.ownModules) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n, seen));
    return out;
  }
  /** This module and all its descendants, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Calls fn on every child's subtree first, then on this module (PyTorch's apply); a child
   * registered under several names of this module is visited once. Returns this.
   */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== "function") throw new ValueError(`Module.apply: expected a function, got ${fn === null ? "null" : typeof fn}`);
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Every parameter with its dotted path, e.g. ["0.weight", t], each tensor once: a layer used
   * twice (Sequential(l, ReLU, l)) or a tied weight is listed under its first name, as PyTorch's
   * named_parameters (remove_duplicate=True), so an optimizer or a norm sees it once.
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    return this.namedOnce(prefix, (m) => m.ownParams);
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every registered (non-null) buffer with its dotted path, persistent or not, each tensor once. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    return this.namedOnce(prefix, (m) => m.ownBuffers);
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** [path, tensor] of `own(m)` for every module of the tree, depth first, each tensor once (the first path wins). */
  private namedOnce(prefix: string, own: (m: Module) => Map<string, Tensor | null>): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      const at = path ? `${path}.` : "";
      for (const [n, t] of own(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([at + n, t]);
      }
    }
    return out;
  }

  /** Sets requiresGrad on every parameter (false freezes the module for fine-tuning); returns this. */
  requiresGrad_(flag = true): this {
    if (typeof flag !== "boolean") throw new ValueError(`requiresGrad_: flag must be a boolean, got ${String(flag)}`);
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * What stateDict() holds, in PyTorch's order: own parameters, own persistent buffers, then
   * children. Every path, a shared module's under each of its names, as PyTorch's state_dict.
   */
  private namedState(prefix: string): [string, Tensor, "parameter" | "buffer", Tensor | undefined][] {
    const out: [string, Tensor, "parameter" | "buffer", Tensor | undefined][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p, "parameter", undefined]);
    for (const [n, b] of this.ownBuffers) if (b && !this.nonPersistent.has(n)) out.push([prefix + n, b, "buffer", this.stateDefault(n)]);
    for (const [n, m] of this.ownModules) out.push(...m.namedState(`${prefix}${n}.`));
    return out;
  }

  /**
   * The value loadStateDict gives this module's persistent buffer `name` when the dict lacks it,
   * or undefined when its absence is a missing key (the default). For state added to a layer
   * after checkpoints of it existed (BatchNorm's num_batches_tracked), so those still load.
   */
  protected stateDefault(_name: string): Tensor | undefined {
    return undefined;
  }

  /**
   * `keys` grouped by the deepest module path each lies under, modules in depth-first order
   * (dict order within a module), as PyTorch's load_state_dict lists unexpected keys.
   */
  private inLoadOrder(keys: string[]): string[] {
    const rank = new Map<string, number>();
    const visit = (m: Module, prefix: string): void => {
      if (!rank.has(prefix)) rank.set(prefix, rank.size);
      for (const [n, c] of m.ownModules) visit(c, `${prefix}${n}.`);
    };
    visit(this, "");
    const owner = (k: string): number => {
      for (let i = k.lastIndexOf(".", k.length - 2); i > 0; i = k.lastIndexOf(".", i - 1)) {
        const r = rank.get(k.slice(0, i + 1));
        if (r !== undefined) return r;
      }
      return 0;
    };
    return keys.map((k) => [owner(k), k] as const).sort((a, b) => a[0] - b[0]).map(([, k]) => k);
  }

  /** Name → parameter or persistent buffer (detached views sharing storage, like PyTorch's state_dict). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, t] of this.namedState("")) out[n] = t.detach();
    return out;
  }

  /**
   * Copies values into the existing parameters and buffers (so optimizers holding them stay
   * valid). Every key, type, shape and buffer dtype is checked before anything is written: a bad
   * dict leaves the model unchanged. Returns the names the model has and `sd` lacks
   * (`missingKeys`) and those `sd` has and the model does not (`unexpectedKeys`), as PyTorch's
   * load_state_dict (unexpected keys grouped by the module they fall under, in its order): with
   * `strict: true` (the default) either kind throws instead, so a strict load that returns gives
   * two empty lists; with `strict: false` the keys present are loaded. A [1] tensor loads into a
   * 0-d one, and a buffer a layer can do without (BatchNorm's num_batches_tracked) gets the
   * layer's default when absent instead of being missing.
   */
  loadStateDict(sd: Record<string, Tensor>, o: { strict?: boolean } = {}): LoadStateDictResult {
    if (sd === null || typeof sd !== "object") throw new ValueError("loadStateDict: expected an object of name → Tensor");
    // A Map's entries are not own properties: it would read as an empty dict.
    if (sd instanceof Map) throw new ValueError("loadStateDict: expected a plain object of name → Tensor, got a Map (pass Object.fromEntries(map))");
    checkOptions("loadStateDict", o, ["strict"]);
    if (o.strict !== undefined && typeof o.strict !== "boolean") throw new ValueError(`loadStateDict: strict must be a boolean, got ${typeof o.strict === "string" ? JSON.stringify(o.strict) : String(o.strict)}`);
    const strict = o.strict ?? true;
    const named = this.namedState("");
    const mine = new Set(named.map(([n]) => n));
    const has = (n: string) => Object.prototype.hasOwnProperty.call(sd, n);
    const missing = named.filter(([n, , , fallback]) => !has(n) && !fallback).map(([n]) => n);
    const unexpected = this.inLoadOrder(Object.keys(sd).filter((n) => !mine.has(n)));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new ValueError(`loadStateDict: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]`);
    }
    const values: [Tensor, Tensor][] = [];
    for (const [n, t, kind, fallback] of named) {
      if (!has(n)) {
        if (fallback) values.push([t, fallback]);
        continue;
      }
      const v = sd[n];
      if (!(v instanceof Tensor)) throw new ValueError(`loadStateDict: "${n}" is not a Tensor (got ${v === null ? "null" : typeof v})`);
      // A one-element [1] tensor for a 0-d one is the same value: some exporters cannot write 0-d tensors.
      const scalarAsVector = t.shape.length === 0 && v.shape.length === 1 && v.shape[0] === 1;
      if (!scalarAsVector && !sameShape(v.shape, t.shape)) throw new ShapeError(`loadStateDict: "${n}" has shape [${v.shape}], the model expects [${t.shape}]`);
      if (kind === "buffer" && v.dtype !== t.dtype) throw new DTypeError(`loadStateDict: buffer "${n}" is ${v.dtype}, the model expects ${t.dtype}`);
      values.push([t, v]);
    }
    for (const [t, v] of values) t.storage.set(v.data);
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Sets training mode on this module and its descendants. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError(`Module.train: mode must be true or false, got ${typeof mode === "string" ? JSON.stringify(mode) : String(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Forgets gradients, or with setToNone false sets each existing one to zeros (as Optimizer.zeroGrad). */
  zeroGrad(setToNone = true): void {
    zeroGrads("Module.zeroGrad", this.parameters(), setToNone);
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

  /** forward() with autograd off, all inputs passed through: for inference. */
  predict(...inputs: Parameters<this["forward"]>): ReturnType<this["forward"]> {
    return noGrad(() => this.forward(...inputs));
  }

  /**
   * A Keras-style table of the layers (output shape, parameter count) from one forward pass
   * without autograd on zeros of `inputShape` (one shape, or one per input) of `dtype` (default
   * "float32"; "int32" for token ids); returned, and printed with console.log unless
   * `print: false`. A layer registered at several places has a row at each, its parameters
   * counted at the first ("(shared)" at the others); the totals count every tensor once.
   */
  summary(inputShape: readonly number[] | readonly (readonly number[])[], o: SummaryOptions = {}): string {
    return modelSummary(this, inputShape, o);
  }

  /**
   * Hooks (PyTorch's register_forward_pre_hook, register_forward_hook, register_full_backward_hook;
   * src/nn/module-hooks.ts): they run, in registration order, on every call of this module's
   * forward, by whoever calls it (a parent container too). Each returns a handle with remove().
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    return addModuleHook(this, "pre", hook, "registerForwardPreHook");
  }
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    return addModuleHook(this, "post", hook, "registerForwardHook");
  }
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    return addModuleHook(this, "backward", hook, "registerFullBackwardHook");
  }
}

/**
 * Every registration of a child of m, a child registered twice under each of its names: the
 * places a model summary lists (torchinfo lists each use), which namedChildren() folds into one.
 */
export function childRegistrations(m: Module): [string, Module][] {
  return [...m["ownModules"]];
}
