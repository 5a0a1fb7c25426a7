// torch.nn.ParameterList and torch.nn.ParameterDict: parameters held in a list or by name, each
// registered on the container itself, so namedParameters and stateDict list them under "0", "1",
// … or under the dict's keys (with the holder's prefix: "weights.0"), optimizers see them, and
// loadStateDict fills them. The containers have no forward, as ModuleList (containers.ts).
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { typeName } from "../type-name.js";
import { Module } from "./module.js";

type Internals = { ownParams: Map<string, Tensor> };

/**
 * What registerParameter would refuse, checked up front so that a list or dict given to extend,
 * update or a constructor is refused whole, before any of it is registered.
 */
function checkParameter(where: string, label: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${label} must be a Tensor, got ${typeName(t)}`);
  if (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size) {
    // Optimizers update a parameter's storage in place: it must be the tensor's own, whole.
    throw new ValueError(`${where}: ${label} (shape [${t.shape}]) must be a contiguous tensor that owns its storage (pass t.clone())`);
  }
  return t;
}

function iterableOf<T>(where: string, v: unknown): T[] {
  if (v === null || typeof v !== "object" || typeof (v as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new ValueError(`${where}: expected an iterable, got ${typeName(v)}`);
  }
  return [...(v as Iterable<T>)];
}

/** Parameters in a list, registered as "0", "1", … (PyTorch's ParameterList); iterate it in your forward. */
export class ParameterList extends Module {
  static readonly typeName: string = "ParameterList";
  private readonly items: Tensor[] = [];

  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }

  /** Adds t at the end (made a leaf that requires grad, as every parameter). */
  append(t: Tensor): this {
    this.registerParameter(String(this.items.length), checkParameter("ParameterList.append", `element ${this.items.length}`, t));
    this.items.push(t);
    return this;
  }
  /** Appends every tensor of `values`; all are checked first, so a bad one leaves the list as it was. */
  extend(values: Iterable<Tensor>): this {
    const list = iterableOf<Tensor>("ParameterList.extend", values);
    list.forEach((t, i) => checkParameter("ParameterList.extend", `element ${this.items.length + i}`, t));
    for (const t of list) this.append(t);
    return this;
  }
  get length(): number {
    return this.items.length;
  }
  /** The parameter at index i (negative counts from the end). */
  get(i: number): Tensor {
    return this.items[this.index("get", i)];
  }
  /** Replaces the parameter at index i (negative counts from the end), keeping its key. */
  set(i: number, t: Tensor): this {
    const at = this.index("set", i);
    this.registerParameter(String(at), checkParameter("ParameterList.set", `element ${at}`, t));
    this.items[at] = t;
    return this;
  }
  private index(method: string, i: number): number {
    const at = Number.isInteger(i) ? (i < 0 ? i + this.items.length : i) : -1;
    if (at < 0 || at >= this.items.length) throw new ValueError(`ParameterList.${method}: no parameter at index ${i} (length ${this.items.length})`);
    return at;
  }
  [Symbol.iterator](): Iterator<Tensor> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError("ParameterList has no forward(); use its parameters in the forward() of the module that holds it");
  }
}

/** Parameters by name, in insertion order (PyTorch's ParameterDict); the keys are the stateDict names. */
export class ParameterDict extends Module {
  static readonly typeName: string = "ParameterDict";
  private readonly items = new Map<string, Tensor>();

  constructor(values: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(values);
  }

  /**
   * Adds, or replaces keeping its position, the parameter under `key`. A key must be a non-empty
   * string without "." and not a member of the dict ("get", "training"), as PyTorch refuses an
   * existing attribute's name.
   */
  set(key: string, t: Tensor): this {
    this.checkKey("ParameterDict.set", key);
    this.registerParameter(key, checkParameter("ParameterDict.set", `"${key}"`, t));
    this.items.set(key, t);
    return this;
  }
  /**
   * Sets every [key, tensor] of `values`, all checked first: [key, tensor] pairs (a Map, another
   * ParameterDict) in their order, a plain object in sorted key order, as PyTorch 1.13 sorts a
   * plain dict's items (an OrderedDict's, its pairs' it keeps).
   */
  update(values: Record<string, Tensor> | Iterable<[string, Tensor]>): this {
    const where = "ParameterDict.update";
    if (values === null || typeof values !== "object") throw new ValueError(`${where}: expected an object or [key, Tensor] pairs, got ${typeName(values)}`);
    const entries = Symbol.iterator in values
      ? iterableOf<[string, Tensor]>(where, values)
      : Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2) throw new ValueError(`${where}: expected [key, Tensor] pairs, got ${typeName(e)}`);
      this.checkKey(where, e[0]);
      checkParameter(where, `"${e[0]}"`, e[1]);
    }
    for (const [k, t] of entries) this.set(k, t);
    return this;
  }
  get(key: string): Tensor | undefined {
    return this.items.get(key);
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  /** Removes the parameter under `key` (it leaves namedParameters and stateDict); false if there was none. */
  delete(key: string): boolean {
    if (!this.items.has(key)) return false;
    this.items.delete(key);
    (this as unknown as Internals).ownParams.delete(key);
    return true;
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  values(): Tensor[] {
    return [...this.items.values()];
  }
  entries(): [string, Tensor][] {
    return [...this.items];
  }
  get size(): number {
    return this.items.size;
  }
  [Symbol.iterator](): Iterator<[string, Tensor]> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError("ParameterDict has no forward(); use its parameters in the forward() of the module that holds it");
  }

  private checkKey(where: string, key: unknown): asserts key is string {
    if (typeof key !== "string" || key === "" || key.includes(".")) {
      throw new ValueError(`${where}: a key must be a non-empty string without ".", got ${JSON.stringify(key) ?? typeName(key)}`);
    }
    if (key in this && !this.items.has(key)) throw new ValueError(`${where}: "${key}" is already a member of the ParameterDict; choose another key`);
  }
}
