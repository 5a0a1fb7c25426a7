import { FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor, fromTypedArray, type TypedArray } from "../ndarray/index.js";
import { bf16BitsToNumber, f16BitsToNumber, f32ToBf16Bits, f32ToF16Bits } from "../compress/float16.js";

/**
 * safetensors, the weights format of PyTorch and Hugging Face:
 *   u64 little-endian N · N bytes of JSON header · the byte buffer.
 * The header maps each name to { dtype, shape, data_offsets: [begin, end] } (offsets into the
 * buffer), plus an optional "__metadata__" map of strings. Everything about the header is
 * checked — its length, depth, entries, offsets inside the buffer, no overlaps and no holes —
 * before any tensor memory is allocated, so a malformed file costs no more than its own size.
 */

export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";
const ITEM_SIZE: Record<SafetensorsDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};
const isDType = (d: unknown): d is SafetensorsDType => typeof d === "string" && Object.hasOwn(ITEM_SIZE, d);
/** Integer storage types and the range of values they hold. */
const INT_RANGE: Partial<Record<SafetensorsDType, [number, number]>> = {
  I64: [-(2 ** 63), 2 ** 63 - 1], I32: [-(2 ** 31), 2 ** 31 - 1], I16: [-32768, 32767], I8: [-128, 127],
  U64: [0, 2 ** 64 - 1], U32: [0, 2 ** 32 - 1], U16: [0, 65535], U8: [0, 255], BOOL: [0, 1],
};

/**
 * A map from tensor names with no prototype: every name read from a file is an ordinary key,
 * "__proto__", "constructor" and "toString" included, and none is inherited from Object.
 */
function nameMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Headers above this size are refused (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;
/** name → {…, shape: […]} is three levels of nesting; anything deeper is not a safetensors header. */
const MAX_JSON_DEPTH = 3;

export type StateDict = Record<string, Tensor>;

export interface SaveOptions {
  /** Storage dtype per tensor name (or one for all float tensors): "F16"/"BF16" halve the file. */
  dtype?: SafetensorsDType | Record<string, SafetensorsDType>;
  /** Free-form string metadata stored under "__metadata__". */
  metadata?: Record<string, string>;
}

const NATURAL: Record<string, SafetensorsDType> = { float32: "F32", float64: "F64", int32: "I32", int8: "I8", uint8: "U8", bool: "BOOL" };
const FLOAT_STORAGE: readonly SafetensorsDType[] = ["F64", "F32", "F16", "BF16"];

function storageDType(t: Tensor, name: string, o: SaveOptions): SafetensorsDType {
  const perName = typeof o.dtype === "object" && o.dtype !== null && Object.hasOwn(o.dtype, name) ? o.dtype[name] : undefined;
  const asked = typeof o.dtype === "string" ? ((t.dtype === "float32" || t.dtype === "float64") ? o.dtype : undefined) : perName;
  const d = asked ?? NATURAL[t.dtype];
  if (!isDType(d)) throw new ValueError(`saveSafetensors: unknown dtype ${JSON.stringify(d)} for "${name}"`);
  const range = INT_RANGE[d];
  if (range) {
    // Integer storage keeps integers only: refuse (rather than truncate or wrap) any other value.
    const values = t.data;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new ValueError(`saveSafetensors: "${name}" holds ${v} at index ${i}, which ${d} cannot store (integers in [${range[0]}, ${range[1]}])`);
      }
    }
  }
  return d;
}

function checkSaveOptions(stateDict: StateDict, o: SaveOptions): void {
  checkOptions("saveSafetensors", o, ["dtype", "metadata"]);
  if (typeof stateDict !== "object" || stateDict === null) throw new ValueError("saveSafetensors: expected a state dict (an object of named tensors)");
  if (typeof o.dtype === "string") {
    if (!FLOAT_STORAGE.includes(o.dtype)) {
      throw new ValueError(`saveSafetensors: dtype ${JSON.stringify(o.dtype)} for every float tensor must be one of ${FLOAT_STORAGE.join(", ")}; name integer storage per tensor`);
    }
  } else if (o.dtype !== undefined) {
    if (typeof o.dtype !== "object" || o.dtype === null) throw new ValueError(`saveSafetensors: dtype must be a dtype name or an object of them per tensor`);
    for (const name of Object.keys(o.dtype)) {
      if (!Object.hasOwn(stateDict, name)) throw new ValueError(`saveSafetensors: dtype names "${name}", which is not in the state dict`);
    }
  }
  if (o.metadata !== undefined && (typeof o.metadata !== "object" || o.metadata === null || Array.isArray(o.metadata) || Object.values(o.metadata).some((v) => typeof v !== "string"))) {
    throw new ValueError("saveSafetensors: metadata must map strings to strings");
  }
  if (Object.hasOwn(stateDict, "__metadata__")) throw new ValueError(`saveSafetensors: "__metadata__" is the format's metadata key, not a tensor name`);
}

function encodeInto(view: DataView, at: number, values: TypedArray, dtype: SafetensorsDType): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    switch (dtype) {
      case "F64": view.setFloat64(at + 8 * i, v, true); break;
      case "F32": view.setFloat32(at + 4 * i, v, true); break;
      case "F16": view.setUint16(at + 2 * i, f32ToF16Bits(v), true); break;
      case "BF16": view.setUint16(at + 2 * i, f32ToBf16Bits(v), true); break;
      case "I64": view.setBigInt64(at + 8 * i, BigInt(v), true); break;
      case "U64": view.setBigUint64(at + 8 * i, BigInt(v), true); break;
      case "U32": view.setUint32(at + 4 * i, v, true); break;
      case "U16": view.setUint16(at + 2 * i, v, true); break;
      case "I32": view.setInt32(at + 4 * i, v, true); break;
      case "I16": view.setInt16(at + 2 * i, v, true); break;
      case "I8": view.setInt8(at + i, v); break;
      case "U8": view.setUint8(at + i, v); break;
      case "BOOL": view.setUint8(at + i, v ? 1 : 0); break;
    }
  }
}

/** Serializes a state dict (names in PyTorch's dotted form) to safetensors bytes. */
export function saveSafetensors(stateDict: StateDict, o: SaveOptions = {}): Uint8Array {
  checkSaveOptions(stateDict, o);
  const names = Object.keys(stateDict).sort();
  // No prototype: a tensor named "__proto__" is written like any other name.
  const header = nameMap<unknown>();
  if (o.metadata) header.__metadata__ = o.metadata;
  let offset = 0;
  const layout = names.map((name) => {
    const t = stateDict[name];
    if (!(t instanceof Tensor)) throw new ValueError(`saveSafetensors: "${name}" is not a Tensor`);
    const dtype = storageDType(t, name, o);
    const bytes = t.size * ITEM_SIZE[dtype];
    header[name] = { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + bytes] };
    offset += bytes;
    return { t, dtype, begin: offset - bytes };
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces to a multiple of 8 so the buffer starts aligned (as the spec allows).
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  for (const { t, dtype, begin } of layout) encodeInto(view, 8 + padded + begin, t.data, dtype);
  return out;
}

/** Nesting depth of a JSON text, scanning bytes (strings skipped), before JSON.parse sees it. */
function jsonDepth(bytes: Uint8Array): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

interface Entry { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }

/** One tensor's header entry, its dtype, shape and byte span checked against the buffer. */
function parseEntry(name: string, info: unknown, bufferLen: number, dataStart: number): Entry {
  const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const where = `safetensors: tensor "${name}"`;
  if (typeof e !== "object" || e === null) throw new FormatError(`${where}: entry is not an object`);
  if (!isDType(e.dtype)) throw new FormatError(`${where}: unsupported dtype ${JSON.stringify(e.dtype)}`);
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(`${where}: shape ${JSON.stringify(e.shape)} is not a list of non-negative integers`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
    throw new FormatError(`${where}: data_offsets ${JSON.stringify(off)} are not [begin, end] with 0 ≤ begin ≤ end`);
  }
  if (off[1] > bufferLen) {
    throw new FormatError(`${where}: data_offsets end ${off[1]} (byte ${dataStart + off[1]}) is past the end of the ${bufferLen}-byte buffer`);
  }
  // The element count must match the byte span; computed so it cannot overflow: stop once past
  // the span. A zero anywhere ([5, 0]) makes the tensor empty, whatever comes before it.
  let count = e.shape.includes(0) ? 0 : 1;
  for (const d of count === 0 ? [] : (e.shape as number[])) {
    count *= d;
    if (count > bufferLen) break;
  }
  const dtype = e.dtype;
  if (count * ITEM_SIZE[dtype] !== off[1] - off[0]) {
    throw new FormatError(`${where}: shape [${e.shape}] of ${dtype} needs ${count * ITEM_SIZE[dtype]} bytes, data_offsets span ${off[1] - off[0]}`);
  }
  return { name, dtype, shape: e.shape as number[], begin: off[0], end: off[1] };
}

function parseHeader(bytes: Uint8Array): { entries: Entry[]; dataStart: number; metadata?: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new FormatError("safetensors: expected a Uint8Array");
  if (bytes.length < 8) throw new FormatError(`safetensors: ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new FormatError(`safetensors: header length ${n} at byte 0 exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) {
    throw new FormatError(`safetensors: header length ${headerLen} at byte 0 runs past the end of the ${bytes.length}-byte file`);
  }
  const headerBytes = bytes.subarray(8, 8 + headerLen);
  if (headerBytes[0] !== 0x7b) throw new FormatError("safetensors: header at byte 8 does not start with '{'");
  if (jsonDepth(headerBytes) > MAX_JSON_DEPTH) throw new FormatError(`safetensors: header JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new FormatError(`safetensors: header at bytes 8..${8 + headerLen} is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new FormatError("safetensors: header is not a JSON object");
  const dataStart = 8 + headerLen;
  const bufferLen = bytes.length - dataStart;
  const entries: Entry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      // The format's metadata map is optional: null is its absence, not a malformed header.
      if (info === null) continue;
      if (typeof info !== "object" || Array.isArray(info) || Object.values(info).some((v) => typeof v !== "string")) {
        throw new FormatError("safetensors: __metadata__ must map strings to strings");
      }
      metadata = Object.assign(nameMap<string>(), info as Record<string, string>);
      continue;
    }
    entries.push(parseEntry(name, info, bufferLen, dataStart));
  }
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) throw new FormatError(`safetensors: tensor "${e.name}" at buffer offset ${e.begin} overlaps the previous tensor (ends at ${at})`);
    if (e.begin > at) throw new FormatError(`safetensors: hole in the byte buffer between offsets ${at} and ${e.begin} (before "${e.name}")`);
    at = e.end;
  }
  if (at !== bufferLen) throw new FormatError(`safetensors: the byte buffer has ${bufferLen - at} bytes after the last tensor (offset ${at})`);
  return { entries, dataStart, metadata };
}

/**
 * U32, I64 and U64 (PyTorch saves BatchNorm's num_batches_tracked as int64) read into int32
 * when every value fits; the first that does not is a FormatError naming the tensor and byte.
 */
function narrowToInt32(view: DataView, at: number, n: number, e: Entry): Int32Array {
  const out = new Int32Array(n);
  const size = ITEM_SIZE[e.dtype];
  for (let i = 0; i < n; i++) {
    const p = at + size * i;
    const v = e.dtype === "U32" ? BigInt(view.getUint32(p, true)) : e.dtype === "I64" ? view.getBigInt64(p, true) : view.getBigUint64(p, true);
    if (v > 2147483647n || v < -2147483648n) {
      throw new FormatError(`safetensors: tensor "${e.name}" holds ${e.dtype} value ${v} at byte ${p}, outside int32`);
    }
    out[i] = Number(v);
  }
  return out;
}

function decode(view: DataView, at: number, e: Entry): Tensor {
  const n = (e.end - e.begin) / ITEM_SIZE[e.dtype];
  let out: TypedArray;
  switch (e.dtype) {
    case "F64": out = new Float64Array(n); for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true); break;
    case "F32": out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true); break;
    case "F16": out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = f16BitsToNumber(view.getUint16(at + 2 * i, true)); break;
    case "BF16": out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = bf16BitsToNumber(view.getUint16(at + 2 * i, true)); break;
    case "I32": out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, true); break;
    case "I16": out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, true); break;
    case "I8": out = new Int8Array(n); for (let i = 0; i < n; i++) out[i] = view.getInt8(at + i); break;
    case "U8": case "BOOL": out = new Uint8Array(n); for (let i = 0; i < n; i++) out[i] = view.getUint8(at + i); break;
    case "U16": out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = view.getUint16(at + 2 * i, true); break;
    case "U32": case "I64": case "U64": out = narrowToInt32(view, at, n, e); break;
  }
  const t = fromTypedArray(out, e.shape);
  if (e.dtype === "BOOL") return t.astype("bool");
  return t;
}

/**
 * Reads safetensors bytes into a state dict. F16/BF16 become float32; I16 and U16 int32; I64,
 * U64 and U32 int32 when every value fits (PyTorch's int64 counters such as BatchNorm's
 * num_batches_tracked do), else a FormatError naming the tensor; BOOL bool; F64, F32, I32, I8,
 * U8 keep their type. The result has no prototype, so every name — "__proto__" and
 * "constructor" too — is an ordinary key. Other dtypes (F8, complex) are a FormatError.
 */
export function loadSafetensors(bytes: Uint8Array): StateDict {
  return readSafetensors(bytes).tensors;
}

/** Like loadSafetensors, also returning the "__metadata__" strings and the stored dtypes. */
export function readSafetensors(bytes: Uint8Array): { tensors: StateDict; metadata: Record<string, string>; dtypes: Record<string, SafetensorsDType> } {
  const { entries, dataStart, metadata } = parseHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: StateDict = nameMap<Tensor>();
  const dtypes = nameMap<SafetensorsDType>();
  for (const e of entries) {
    tensors[e.name] = decode(view, dataStart + e.begin, e);
    dtypes[e.name] = e.dtype;
  }
  return { tensors, metadata: metadata ?? nameMap<string>(), dtypes };
}
