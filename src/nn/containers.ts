import { ValueError } from "../errors.js";
import { Module } from "./module.js";

/** Containers that hold modules without a forward of their own, and the identity layer. */

/** Modules in a list, registered as "0", "1", … (PyTorch's ModuleList); iterate it in your forward. */
export class ModuleList extends Module {
  static readonly typeName: string = "ModuleList";
  private items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new ValueError(`ModuleList: element ${this.items.length} is not a Module`);
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== "function") throw new ValueError("ModuleList.extend: expected an iterable of Modules");
    const list = [...modules];
    // All checked first, so a bad element leaves the list as it was.
    list.forEach((m, i) => { if (!(m instanceof Module)) throw new ValueError(`ModuleList: element ${this.items.length + i} is not a Module`); });
    for (const m of list) this.append(m);
    return this;
  }
  get length(): number {
    return this.items.length;
  }
  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const m = Number.isInteger(i) ? this.items[i < 0 ? i + this.items.length : i] : undefined;
    if (!m) throw new ValueError(`ModuleList: no module at index ${i} (length ${this.items.length})`);
    return m;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError("ModuleList has no forward(); iterate over it in the forward() of the module that holds it");
  }
}

/** Modules by name, in insertion order (PyTorch's ModuleDict); the keys are the stateDict prefixes. */
export class ModuleDict extends Module {
  static readonly typeName: string = "ModuleDict";
  private readonly items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** Adds or replaces (keeping its position) the module under `key`. */
  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new ValueError(`ModuleDict: "${key}" is not a Module`);
    this.registerModule(key, m);
    this.items.set(key, m);
    return this;
  }
  get(key: string): Module | undefined {
    return this.items.get(key);
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  values(): Module[] {
    return [...this.items.values()];
  }
  entries(): [string, Module][] {
    return [...this.items];
  }
  get size(): number {
    return this.items.size;
  }
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError("ModuleDict has no forward(); call its modules in the forward() of the module that holds it");
  }
}

/** Returns its input unchanged: a placeholder where an architecture may or may not have a layer. */
export class Identity extends Module {
  static readonly typeName: string = "Identity";
  forward<T>(x: T): T {
    return x;
  }
}
