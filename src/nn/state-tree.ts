import { FormatError, ValueError } from "../errors.js";
import { fromTypedArray, Tensor, type TypedArray } from "../ndarray/index.js";

/**
 * Turns a state object (an optimizer's or scheduler's stateDict, a checkpoint's `extra`) into
 * JSON text plus named tensors, and back. Tensors, typed arrays and long number arrays (an
 * optimizer's moment buffers) go to tensors so they are stored as binary, exactly; ±∞ and NaN,
 * which JSON cannot hold, become markers. Markers are objects with one "$$…" key, so keys
 * starting with "$$" are refused in the input.
 */

/** Number arrays at least this long are stored as a tensor rather than as JSON text. */
const LONG_ARRAY = 16;
const MAX_DEPTH = 64;
const TYPED: Record<string, new (n: number | ArrayLike<number>) => TypedArray> = {
  Float32Array, Float64Array, Int32Array, Int8Array, Uint8Array,
};

function encodeNumberArray(a: number[], key: string, tensors: Record<string, Tensor>): unknown {
  // float32 when every value survives it (Adam's buffers come from Float32Arrays), else float64.
  const f32 = a.every((v) => Object.is(Math.fround(v), v));
  tensors[key] = fromTypedArray(f32 ? Float32Array.from(a) : Float64Array.from(a), [a.length]);
  return { $$array: key };
}

export function encodeTree(value: unknown, path: string, tensors: Record<string, Tensor>, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new ValueError(`checkpoint: state nests deeper than ${MAX_DEPTH} levels at "${path}" (a cycle?)`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  // JSON has no NaN, ±∞ or -0 (it would write 0).
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? value : { $$num: Object.is(value, -0) ? "-0" : String(value) };
  if (value instanceof Tensor) {
    tensors[path] = value.isContiguous && value.offset === 0 ? value.detach() : value.contiguous().detach();
    return { $$tensor: path };
  }
  if (ArrayBuffer.isView(value)) {
    const kind = Object.keys(TYPED).find((k) => value.constructor === TYPED[k]);
    if (!kind) throw new ValueError(`checkpoint: "${path}" is a ${value.constructor.name}, which a checkpoint cannot store`);
    tensors[path] = fromTypedArray(value as TypedArray, [(value as TypedArray).length]);
    return { $$typed: path, kind };
  }
  if (Array.isArray(value)) {
    if (value.length >= LONG_ARRAY && value.every((v) => typeof v === "number")) return encodeNumberArray(value as number[], path, tensors);
    return value.map((v, i) => encodeTree(v, `${path}.${i}`, tensors, depth + 1));
  }
  if (typeof value === "object" && value !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$$")) throw new ValueError(`checkpoint: key "${k}" at "${path}" starts with "$$", which is reserved`);
      if (v !== undefined) defineOwn(out, k, encodeTree(v, `${path}.${k}`, tensors, depth + 1));
    }
    return out;
  }
  throw new ValueError(`checkpoint: "${path}" is a ${typeof value}, which a checkpoint cannot store`);
}

function tensorAt(tensors: Record<string, Tensor>, key: unknown): Tensor {
  const t = typeof key === "string" && Object.prototype.hasOwnProperty.call(tensors, key) ? tensors[key] : undefined;
  if (!t) throw new FormatError(`checkpoint: the state refers to tensor ${JSON.stringify(key)}, which the file does not hold`);
  return t;
}

export function decodeTree(value: unknown, tensors: Record<string, Tensor>, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new FormatError(`checkpoint: state nests deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => decodeTree(v, tensors, depth + 1));
  const o = value as Record<string, unknown>;
  if ("$$num" in o) {
    if (!["NaN", "Infinity", "-Infinity", "-0"].includes(o.$$num as string)) throw new FormatError(`checkpoint: bad number marker ${JSON.stringify(o.$$num)}`);
    return Number(o.$$num);
  }
  if ("$$tensor" in o) return tensorAt(tensors, o.$$tensor);
  if ("$$array" in o) return Array.from(tensorAt(tensors, o.$$array).data);
  if ("$$typed" in o) {
    const C = typeof o.kind === "string" && Object.prototype.hasOwnProperty.call(TYPED, o.kind) ? TYPED[o.kind] : undefined;
    if (!C) throw new FormatError(`checkpoint: unknown array kind ${JSON.stringify(o.kind)}`);
    return new C(tensorAt(tensors, o.$$typed).data);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) defineOwn(out, k, decodeTree(v, tensors, depth + 1));
  return out;
}

/** An own data property even for the key "__proto__" (plain assignment would set the prototype). */
function defineOwn(o: Record<string, unknown>, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}
