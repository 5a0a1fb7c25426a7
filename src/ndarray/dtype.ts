import { DTypeError, ShapeError, ValueError } from "../errors.js";

export type DType = "float32" | "float64" | "int32" | "int8" | "uint8" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int8", "uint8", "bool"];

export function checkDType(d: unknown, where: string): DType {
  if (typeof d !== "string" || !(DTYPES as readonly string[]).includes(d)) {
    throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(d)}; expected one of ${DTYPES.join(", ")}`);
  }
  return d as DType;
}

/** The most elements one typed array can hold (V8's limit; other engines' are lower or equal). */
export const MAX_ELEMENTS = 2 ** 32;

/**
 * A fresh zero-filled array of the storage type of `dtype` (bool is stored as 0/1 bytes).
 * `shape`, when given, names the tensor in the error thrown for a size no typed array can hold
 * or that memory cannot hold (the engine's own RangeError says neither).
 */
export function allocate(dtype: DType, length: number, shape?: readonly number[]): TypedArray {
  const what = () => `${shape ? `shape [${shape.join(", ")}]: ` : ""}${length} ${dtype} elements`;
  if (!(length <= MAX_ELEMENTS)) throw new ShapeError(`${what()} are more than a typed array can hold (${MAX_ELEMENTS})`);
  try {
    switch (dtype) {
      case "float32": return new Float32Array(length);
      case "float64": return new Float64Array(length);
      case "int32": return new Int32Array(length);
      case "int8": return new Int8Array(length);
      case "uint8": case "bool": return new Uint8Array(length);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new ValueError(`${what()} (${length * itemSize(dtype)} bytes) could not be allocated: ${e.message}`);
    throw e;
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint8Array) return "uint8";
  throw new DTypeError(`unsupported typed array ${Object.prototype.toString.call(a)}`);
}

export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";

/** Bytes per element of the storage. */
export const itemSize = (d: DType): number => (d === "float64" ? 8 : d === "float32" || d === "int32" ? 4 : 1);

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int8: 1, int32: 3, float32: 4, float64: 5 };

/**
 * The dtype of an arithmetic result, as NumPy/PyTorch promote: the wider kind wins; int8 with
 * uint8 needs a signed type that holds both (int32 here, as there is no int16); bool counts as
 * the narrowest integer.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a === "bool" ? "bool" : a;
  if ((a === "int8" && b === "uint8") || (a === "uint8" && b === "int8")) return "int32";
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype a plain JS number takes next to a tensor of dtype `d` in `op` (PyTorch's scalar rule):
 * an integer next to an integer tensor takes its dtype (wrapping to it), except in true division,
 * which computes in float, so a uint8 tensor divided by −3 divides by −3, not by 253.
 */
export function scalarDType(value: number, d: DType, op?: string): DType {
  if (isFloat(d)) return d;
  if (Number.isInteger(value) && op !== "div") return d === "bool" ? "int32" : d;
  return "float32";
}
