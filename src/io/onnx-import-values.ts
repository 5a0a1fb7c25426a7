// The values an imported ONNX graph computes with, and the reading of node attributes. A tensor of
// ONNX type float, double, int32, int8, uint8 or bool is the edgegrad tensor of that dtype;
// int64 (shapes, indices, token ids) is held as int32, edgegrad having no 64-bit integers. An
// int64 constant outside int32's range (INT64_MAX as Slice's "to the end") keeps its exact values
// beside the tensor, for the operators that read a list of integers; as tensor data it is refused.
import { DTypeError, FormatError, ValueError } from "../errors.js";
import { fromTypedArray, type Tensor } from "../ndarray/index.js";
import {
  T_BOOL, T_DOUBLE, T_FLOAT, T_INT32, T_INT64, T_INT8, T_UINT8, type DecodedAttribute, type DecodedTensor,
} from "./onnx-import-proto.js";

// Under a symbol on the tensor itself, not in a WeakMap: a deep copy of the model (SWA's averaged
// model, src/optim/deep-copy.ts) then copies the exact values with the tensor.
const WIDE: unique symbol = Symbol("int64 values");
type Wide = Tensor & { [WIDE]?: BigInt64Array };
const INT32_MIN = -(2n ** 31n), INT32_MAX = 2n ** 31n - 1n;

/** The edgegrad dtype that holds each ONNX element type. */
export const DTYPE_OF: Record<number, "float32" | "float64" | "int32" | "int8" | "uint8" | "bool"> = {
  [T_FLOAT]: "float32", [T_DOUBLE]: "float64", [T_INT32]: "int32", [T_INT64]: "int32", [T_INT8]: "int8", [T_UINT8]: "uint8", [T_BOOL]: "bool",
};

/** A TensorProto as a tensor (see the file comment for int64). */
export function tensorOf(t: DecodedTensor): Tensor {
  const v = t.values;
  if (!(v instanceof BigInt64Array)) {
    const out = fromTypedArray(v, t.dims);
    return t.dataType === T_BOOL ? out.astype("bool") : out;
  }
  const held = new Int32Array(v.length);
  let wide = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    wide ||= x < INT32_MIN || x > INT32_MAX;
    held[i] = Number(x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x);
  }
  const out = fromTypedArray(held, t.dims);
  if (wide) (out as Wide)[WIDE] = v;
  return out;
}

/** Refuses an int64 tensor whose values int32 cannot hold, where its values are used as tensor data. */
export function checkNarrow(t: Tensor, where: string): void {
  const w = (t as Wide)[WIDE];
  if (!w) return;
  const at = w.findIndex((x) => x < INT32_MIN || x > INT32_MAX);
  throw new ValueError(`${where}: int64 value ${w[at]} (element ${at}) is outside int32's range; edgegrad holds int64 tensors as int32`);
}

/** An integer tensor's values as numbers, exact for int64 constants outside int32's range (as far as a double holds them). */
export function intList(t: Tensor, where: string, what: string): number[] {
  if (t.dtype !== "int32" && t.dtype !== "int8" && t.dtype !== "uint8") throw new DTypeError(`${where}: ${what} must be an integer tensor, got ${t.dtype}`);
  if (t.ndim > 1) throw new ValueError(`${where}: ${what} must be a scalar or 1-D, got shape [${t.shape}]`);
  const w = (t as Wide)[WIDE];
  return w ? Array.from(w, Number) : Array.from(t.data as ArrayLike<number>);
}

/** A one-element tensor's value as a number. */
export function scalarOf(t: Tensor, where: string, what: string): number {
  if (t.size !== 1) throw new ValueError(`${where}: ${what} must hold one value, got shape [${t.shape}]`);
  const w = (t as Wide)[WIDE];
  return w ? Number(w[0]) : t.data[0];
}

/** An axis in [−rank, rank) made non-negative, refused otherwise. */
export function axisOf(axis: number, rank: number, where: string, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ValueError(`${where}: ${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

const ATTRIBUTE_TYPES: Record<number, string> = { 1: "FLOAT", 2: "INT", 3: "STRING", 4: "TENSOR", 5: "GRAPH", 6: "FLOATS", 7: "INTS", 8: "STRINGS", 9: "TENSORS", 10: "GRAPHS" };

/**
 * A node's attributes, read by name with the operator's defaults. Every attribute the node has
 * must be read by its operator: done() refuses any other, so none is silently ignored.
 */
export class Attributes {
  private readonly byName = new Map<string, DecodedAttribute>();
  private readonly read = new Set<string>();

  constructor(attributes: readonly DecodedAttribute[], readonly where: string, private readonly opType: string) {
    for (const a of attributes) {
      if (this.byName.has(a.name)) throw new FormatError(`${where}: attribute ${a.name} appears twice`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number): DecodedAttribute | undefined {
    this.read.add(name);
    const a = this.byName.get(name);
    if (a && a.type !== type) {
      throw new FormatError(`${this.where}: attribute ${name} is of type ${ATTRIBUTE_TYPES[a.type] ?? a.type}, expected ${ATTRIBUTE_TYPES[type]}`);
    }
    return a;
  }

  private safe(name: string, v: bigint): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      this.refuse(name, v, "an integer attribute must be within ±(2^53 − 1)");
    }
    return Number(v);
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.get(name, 2);
    return a ? this.safe(name, a.i ?? 0n) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, 7);
    return a?.ints.map((v) => this.safe(name, v));
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, 1);
    return a ? a.f ?? 0 : fallback;
  }

  floats(name: string): number[] | undefined {
    return this.get(name, 6)?.floats;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, 3);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array(0)) : fallback;
  }

  strings(name: string): string[] | undefined {
    return this.get(name, 8)?.strings.map((s) => new TextDecoder().decode(s));
  }

  tensor(name: string): DecodedTensor | undefined {
    return this.get(name, 4)?.t;
  }

  /** Throws the refusal of an attribute value the importer does not implement. */
  refuse(name: string, value: unknown, why: string): never {
    const shown = Array.isArray(value) ? `[${value.join(", ")}]` : typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new ValueError(`${this.where}: attribute ${name} = ${shown} is not supported: ${why}`);
  }

  /** Refuses any attribute the operator did not read. */
  done(): void {
    for (const name of this.byName.keys()) {
      if (!this.read.has(name)) throw new ValueError(`${this.where}: attribute ${name} is not supported by the importer's ${this.opType}`);
    }
  }
}
