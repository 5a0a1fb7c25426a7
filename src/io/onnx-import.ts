// eg.io.importOnnx: an ONNX model as an edgegrad Module. The graph's nodes run as edgegrad tensor
// ops (onnx-import-graph.ts), so the model can be fine-tuned: float initializers are Parameters,
// except scalars (the constants exporters write) and those every node reads as a constant rather
// than as data (BatchNormalization's running statistics, quantization scales, Clip's bounds,
// Resize's scales, Pad's value), which are buffers, as are integer initializers and, with
// trainable: false, all of them. stateDict() holds every one.
//
// Names: an initializer "a.b.c" is parameter (or buffer) "c" of child module "b" of child module
// "a", so its stateDict key is its ONNX name, as PyTorch's exporter and edgegrad's own name them
// ("0.weight" is the key a Sequential's first Linear has). A name that cannot be such a path (an
// empty part, a part that is already a tensor or names a Module property such as "training", a
// tensor where a module of that name exists) is registered on the model itself with every "."
// replaced by "_" (and "_1", "_2", … appended while that is taken). `stateKeys` gives the map.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import { typeName } from "../type-name.js";
import { opsetOf, PreparedGraph } from "./onnx-import-graph.js";
import { dataTypeName, decodeModel, T_DOUBLE, T_FLOAT, type DecodedValueInfo } from "./onnx-import-proto.js";
import { DTYPE_OF, tensorOf } from "./onnx-import-values.js";

export interface ImportOnnxOptions {
  /** Float initializers become Parameters (true, the default) or buffers (false: nothing to train). */
  trainable?: boolean;
}

/** A child module holding the initializers under one name prefix. */
class OnnxScope extends Module {
  forward(): never {
    throw new ValueError("importOnnx: this module only holds initializers of an imported graph; call the OnnxModule");
  }
  add(name: string, t: Tensor, parameter: boolean): void {
    if (parameter) this.registerParameter(name, t);
    else this.registerBuffer(name, t);
  }
  child(name: string): OnnxScope {
    const existing = this.namedChildren().find(([n]) => n === name)?.[1];
    return (existing as OnnxScope | undefined) ?? this.registerModule(name, new OnnxScope());
  }
}

/** Whether `name` is free in `scope` for a tensor (or, with asModule, a child), and not a property of a Module. */
function isFree(scope: OnnxScope, name: string, asModule: boolean): boolean {
  if (name === "" || name in scope) return false;
  const taken = new Set([...scope.namedParameters(), ...scope.namedBuffers()].map(([n]) => n).filter((n) => !n.includes(".")));
  const child = scope.namedChildren().some(([n]) => n === name);
  return asModule ? !taken.has(name) : !taken.has(name) && !child;
}

/** Registers an initializer under its name as a path of child modules, or the fallback key (file comment); returns its stateDict key. */
function register(root: OnnxScope, name: string, t: Tensor, parameter: boolean, reservedAtRoot: (n: string) => boolean): string {
  const parts = name.split(".");
  let scope = root;
  let ok = parts.every((p) => p !== "") && !reservedAtRoot(parts[0]);
  for (let i = 0; ok && i < parts.length - 1; i++) {
    const existing = scope.namedChildren().some(([n]) => n === parts[i]);
    if (!existing && !isFree(scope, parts[i], true)) ok = false;
    else scope = scope.child(parts[i]);
  }
  if (ok && isFree(scope, parts[parts.length - 1], false)) {
    scope.add(parts[parts.length - 1], t, parameter);
    return name;
  }
  const base = name.replaceAll(".", "_") || "_";
  let key = base;
  for (let k = 1; !isFree(root, key, false) || reservedAtRoot(key); k++) key = `${base}_${k}`;
  root.add(key, t, parameter);
  return key;
}

/** An imported ONNX model: forward(...inputs) in the graph's input order, or run({ name: tensor }). */
interface OnnxState {
  inputs: readonly DecodedValueInfo[];
  outputs: readonly string[];
  keys: Readonly<Record<string, string>>;
  opset: number;
  producer: string;
  graph: PreparedGraph;
}

/**
 * The model's own state sits under a symbol: no initializer name can collide with it, and a deep
 * copy (SWA's averaged model, src/optim/deep-copy.ts) copies it, as it would not # fields.
 */
const STATE: unique symbol = Symbol("OnnxModule state");

/** An imported ONNX model: forward(...inputs) in the graph's input order, or run({ name: tensor }). */
export class OnnxModule extends Module {
  private readonly [STATE]: OnnxState;

  constructor(bytes: Uint8Array, o: ImportOnnxOptions) {
    super();
    const m = decodeModel(bytes);
    const opset = opsetOf(m);
    const names = new Set<string>();
    for (const init of m.graph.initializers) {
      if (names.has(init.name)) throw new ValueError(`importOnnx: initializer ${JSON.stringify(init.name)} appears twice`);
      names.add(init.name);
    }
    const inputs = m.graph.inputs.filter((v) => !names.has(v.name));
    for (const v of inputs) {
      if (v.elemType !== null && DTYPE_OF[v.elemType] === undefined) throw new DTypeError(`importOnnx: graph input ${JSON.stringify(v.name)} is ${dataTypeName(v.elemType)}, which the importer does not hold`);
    }
    const graph = new PreparedGraph(m, [...inputs.map((v) => v.name), ...names]);
    const keys: Record<string, string> = {}, root = new OnnxScope();
    for (const init of m.graph.initializers) {
      // Scalars are the constants exporters write (LayerNorm's ε, GELU's √2, attention's 1/√d), not weights.
      const parameter = (o.trainable ?? true) && (init.dataType === T_FLOAT || init.dataType === T_DOUBLE)
        && init.dims.length > 0 && graph.readAsData.has(init.name);
      keys[init.name] = register(root, init.name, tensorOf(init), parameter, (n) => n in this);
    }
    this[STATE] = { inputs, outputs: m.graph.outputs.map((v) => v.name), keys, opset, producer: m.producer, graph };
    // The root scope's contents become this module's own: the root itself is not a child.
    for (const [name, child] of root.namedChildren()) this.registerModule(name, child);
    for (const [name, t] of root.namedParameters()) if (!name.includes(".")) this.registerParameter(name, t);
    for (const [name, t] of root.namedBuffers()) if (!name.includes(".")) this.registerBuffer(name, t);
  }

  /** The graph inputs a caller gives (those without an initializer), in order. */
  get inputNames(): string[] {
    return this[STATE].inputs.map((v) => v.name);
  }
  get outputNames(): string[] {
    return this[STATE].outputs.slice();
  }
  /** Each initializer's ONNX name → its key in stateDict() (see the file comment). */
  get stateKeys(): Record<string, string> {
    return { ...this[STATE].keys };
  }
  /** The default domain's opset the model imports. */
  get opsetVersion(): number {
    return this[STATE].opset;
  }
  get producer(): string {
    return this[STATE].producer;
  }

  /** The graph's outputs for its inputs in order: one Tensor, or an array in the graph's output order. */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.inputNames.length) {
      throw new ValueError(`OnnxModule.forward: the graph takes ${this.inputNames.length} inputs (${this.inputNames.join(", ")}), got ${inputs.length}`);
    }
    const out = this.run(Object.fromEntries(this.inputNames.map((n, i) => [n, inputs[i]])));
    const list = this.outputNames.map((n) => out[n]);
    return list.length === 1 ? list[0] : list;
  }

  /** Every graph output by name, for the inputs by name. */
  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const s = this[STATE];
    checkFeeds(s.inputs, feeds);
    const env = new Map<string, Tensor>();
    const byKey = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    for (const [name, key] of Object.entries(s.keys)) env.set(name, byKey.get(key) as Tensor);
    for (const v of s.inputs) env.set(v.name, feeds[v.name]);
    s.graph.run(env);
    return Object.fromEntries(s.outputs.map((n) => [n, env.get(n) as Tensor]));
  }
}

/** The feeds are the graph's inputs, each a Tensor of its declared type and shape. */
function checkFeeds(inputs: readonly DecodedValueInfo[], feeds: Record<string, Tensor>): void {
  if (feeds === null || typeof feeds !== "object" || Array.isArray(feeds)) throw new ValueError(`OnnxModule.run: expected an object of input tensors by name, got ${typeName(feeds)}`);
  const unknown = Object.keys(feeds).find((k) => !inputs.map((v) => v.name).includes(k));
  if (unknown !== undefined) throw new ValueError(`OnnxModule.run: ${JSON.stringify(unknown)} is not an input of the graph (inputs: ${inputs.map((v) => v.name).join(", ")})`);
  const bound = new Map<string, [number, string]>();
  for (const v of inputs) {
    const t = feeds[v.name];
    if (!(t instanceof Tensor)) throw new ValueError(`OnnxModule.run: input ${JSON.stringify(v.name)} is missing (got ${typeName(t)})`);
    const want = v.elemType === null ? undefined : DTYPE_OF[v.elemType];
    if (want !== undefined && t.dtype !== want) {
      throw new DTypeError(`OnnxModule.run: input ${JSON.stringify(v.name)} is ${dataTypeName(v.elemType as number)} (an edgegrad ${want} tensor), got ${t.dtype}`);
    }
    if (v.dims) checkDims(v, t, bound);
  }
}

/** Fixed dims must match; a symbolic dim takes one size across all inputs. */
function checkDims(v: DecodedValueInfo, t: Tensor, bound: Map<string, [number, string]>): void {
  const dims = v.dims as (number | string | null)[];
  const shown = `[${dims.map((d) => d ?? "?").join(", ")}]`;
  if (t.ndim !== dims.length) throw new ShapeError(`OnnxModule.run: input ${JSON.stringify(v.name)} must be ${shown}, got [${t.shape}]`);
  dims.forEach((d, i) => {
    if (typeof d === "number" && t.shape[i] !== d) throw new ShapeError(`OnnxModule.run: input ${JSON.stringify(v.name)} must be ${shown}, got [${t.shape}] (dim ${i})`);
    if (typeof d !== "string") return;
    const prior = bound.get(d);
    if (prior && prior[0] !== t.shape[i]) throw new ShapeError(`OnnxModule.run: dim "${d}" is ${prior[0]} in input ${JSON.stringify(prior[1])} but ${t.shape[i]} in input ${JSON.stringify(v.name)} [${t.shape}]`);
    bound.set(d, [t.shape[i], v.name]);
  });
}

/**
 * Reads ONNX ModelProto bytes (opsets 13–17 of the default domain) into an OnnxModule. Every
 * node, operator, attribute and initializer is checked here: what the importer cannot run is
 * refused with a typed error naming the node, not found on the first call.
 */
export function importOnnx(bytes: Uint8Array | ArrayBuffer, o: ImportOnnxOptions = {}): OnnxModule {
  checkOptions("importOnnx", o, ["trainable"]);
  if (o.trainable !== undefined && typeof o.trainable !== "boolean") throw new ValueError(`importOnnx: trainable must be true or false, got ${JSON.stringify(o.trainable)}`);
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) {
    throw new ValueError(`importOnnx: expected the model's bytes as a Uint8Array or ArrayBuffer, got ${typeof bytes === "object" && bytes !== null ? typeName(bytes) : String(typeof bytes)}`);
  }
  return new OnnxModule(data, o);
}
