import { FormatError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { asBytes, checkMaxBytes, concatChunks, gunzipChunks, isGzip, maxGunzipBytes, type Bytes, type GunzipOptions } from "./gzip.js";

// IDX type codes (LeCun's MNIST format). Data are big-endian; int16 widens to int32 because
// Tensor has no int16.
const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "uint8", size: 1 },
  0x09: { name: "int8", size: 1 },
  0x0b: { name: "int16", size: 2 },
  0x0c: { name: "int32", size: 4 },
  0x0d: { name: "float32", size: 4 },
  0x0e: { name: "float64", size: 8 },
};

/**
 * Parses an IDX file (MNIST, Fashion-MNIST, EMNIST …): magic `00 00 <type> <ndims>`, ndims
 * big-endian uint32 sizes, then the elements in row-major order, big-endian.
 *
 * Every size is checked against the byte length before anything is allocated, so the result is
 * never larger than the input implies; truncated, padded, wrong-magic or wrong-dimension input is
 * a FormatError naming the byte offset. Gzipped bytes need `readIdxAsync` (decompression is async
 * on the web platform).
 */
export function readIdx(input: Bytes): Tensor {
  return parseIdx(asBytes(input, "readIdx"), true);
}

/**
 * Like readIdx, but also accepts gzipped bytes (`*.gz`), decompressed with DecompressionStream.
 * The header is read first and checked (sizes within what the compressed bytes can hold and
 * within `maxBytes`, default 1 GiB, which bounds plain files too); decompression then stops at
 * the size it declares, so a small file claiming little but inflating to gigabytes is refused
 * after one chunk.
 */
export async function readIdxAsync(input: Bytes, o: GunzipOptions = {}): Promise<Tensor> {
  return readIdxChecked(input, o, "readIdxAsync");
}

/** What the header says: element type, shape, and where the data start and end. */
export interface IdxHeader {
  type: string;
  shape: number[];
  headerBytes: number;
  dataBytes: number;
}

/**
 * readIdxAsync with a check of the header (shape, type) run before the data are decompressed
 * or decoded, for callers that know what the file must hold.
 */
export async function readIdxChecked(input: Bytes, o: GunzipOptions, where: string, check?: (h: IdxHeader) => void): Promise<Tensor> {
  checkOptions(where, o, ["maxBytes"]);
  const bytes = asBytes(input, where);
  const maxBytes = checkMaxBytes(o.maxBytes, where);
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) throw new FormatError(`${where}: the file's ${bytes.length} bytes exceed maxBytes = ${maxBytes}`);
    check?.(readHeader(bytes, exactLength(bytes.length))!);
    return parseIdx(bytes, true);
  }
  // The decompressed buffer is ours alone, so the uint8 tensor may keep it without a copy.
  return parseIdx(await gunzipIdx(bytes, where, maxBytes, check), false);
}

/** Decompresses until the header is complete, checks it, then reads exactly the bytes it declares. */
async function gunzipIdx(bytes: Uint8Array, where: string, maxBytes: number, check?: (h: IdxHeader) => void): Promise<Uint8Array> {
  const bound = Math.min(maxBytes, maxGunzipBytes(bytes.length));
  const pending: Uint8Array[] = [];
  let out: Uint8Array | null = null;
  let total = 0;
  for await (const chunk of gunzipChunks(bytes, where)) {
    if (out === null) {
      pending.push(chunk);
      total += chunk.length;
      const head = concatChunks(pending, total);
      const header = readHeader(head, (shape, i, ndims) =>
        `${where}: byte ${4 + 4 * i}: dimensions [${shape}${i < ndims - 1 ? ", …" : ""}] declare more than ${bound} bytes, ` +
        `${bound === maxBytes ? `the maxBytes limit` : `what ${bytes.length} bytes of gzip data can hold`}`, bound);
      if (header === null) continue; // the header runs into the next chunk
      check?.(header);
      const size = header.headerBytes + header.dataBytes;
      if (total > size) throw tooLong(where, size);
      out = new Uint8Array(size);
      out.set(head);
      continue;
    }
    if (total + chunk.length > out.length) throw tooLong(where, out.length);
    out.set(chunk, total);
    total += chunk.length;
  }
  if (out === null) return concatChunks(pending, total); // shorter than its header: parseIdx names the byte
  if (total < out.length) {
    throw new FormatError(`${where}: byte ${total}: gzip data end before the ${out.length} bytes the IDX header declares`);
  }
  return out;
}

const tooLong = (where: string, size: number) =>
  new FormatError(`${where}: byte ${size}: gzip data go on past the ${size} bytes the IDX header declares (sizes wrong or file padded)`);

type TooBig = (shape: number[], i: number, ndims: number) => string;

/** The too-big message of a file that must end exactly after its data. */
const exactLength = (length: number): TooBig => (shape, i, ndims) => {
  const header = 4 + 4 * ndims;
  return `readIdx: byte ${4 + 4 * i}: dimensions [${shape}${i < ndims - 1 ? ", …" : ""}] need more than the ` +
    `${length - header} data bytes after the header (file truncated or sizes wrong)`;
};

/**
 * The header of `b`, its sizes checked so the data take at most `limit` bytes (default: the
 * bytes of `b` after the header). Null when `b` ends inside the header and `limit` was given
 * (more bytes may come); a FormatError naming the byte for anything malformed.
 */
function readHeader(b: Uint8Array, tooBig: TooBig, limit?: number): IdxHeader | null {
  const partial = limit !== undefined;
  if (isGzip(b)) throw new FormatError("readIdx: byte 0: gzip data; use readIdxAsync (or gunzip) first");
  if (b.length >= 2 && (b[0] !== 0 || b[1] !== 0)) {
    throw new FormatError(`readIdx: byte 0: wrong magic ${hex(b[0])} ${hex(b[1])}, an IDX file starts with 00 00`);
  }
  if (b.length < 4) {
    if (partial) return null;
    throw new FormatError(`readIdx: byte ${b.length}: file ends inside the 4-byte magic number`);
  }
  const type = TYPES[b[2]];
  if (!type) throw new FormatError(`readIdx: byte 2: unknown element type code ${hex(b[2])}`);
  const ndims = b[3];
  if (ndims === 0) throw new FormatError("readIdx: byte 3: zero dimensions");
  const headerBytes = 4 + 4 * ndims;
  if (b.length < headerBytes) {
    if (partial) return null;
    throw new FormatError(`readIdx: byte ${b.length}: file ends inside the header of ${ndims} dimension sizes (${headerBytes} bytes)`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const available = (limit ?? b.length - headerBytes) / type.size;
  // A zero anywhere makes the file empty ([5, 0] holds no elements), whatever comes before it.
  let count = shape.includes(0) ? 0 : 1;
  for (let i = 0; i < ndims && count > 0; i++) {
    count *= shape[i]; // exact while count ≤ available; checked before it can grow past 2^53
    if (count > available) throw new FormatError(tooBig(shape.slice(0, i + 1), i, ndims));
  }
  return { type: type.name, shape, headerBytes, dataBytes: count * type.size };
}

function parseIdx(b: Uint8Array, copy: boolean): Tensor {
  const { type, shape, headerBytes, dataBytes } = readHeader(b, exactLength(b.length))!;
  if (headerBytes + dataBytes !== b.length) {
    throw new FormatError(
      `readIdx: byte ${headerBytes + dataBytes}: ${b.length - headerBytes - dataBytes} bytes after the data of shape [${shape}] ` +
        `(${type}); sizes wrong or file padded`,
    );
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = dataBytes / TYPE_SIZE[type];
  return new Tensor(decode(b, view, headerBytes, count, type, copy), dtypeFor(type), shape);
}

function decode(b: Uint8Array, view: DataView, at: number, n: number, name: string, copy: boolean) {
  switch (name) {
    case "uint8": return copy ? b.slice(at, at + n) : b.subarray(at, at + n);
    case "int8": return new Int8Array(b.slice(at, at + n).buffer);
    case "int16": { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = view.getInt16(at + 2 * i, false); return o; }
    case "int32": { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = view.getInt32(at + 4 * i, false); return o; }
    case "float32": { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = view.getFloat32(at + 4 * i, false); return o; }
    default: { const o = new Float64Array(n); for (let i = 0; i < n; i++) o[i] = view.getFloat64(at + 8 * i, false); return o; }
  }
}

const TYPE_SIZE: Record<string, number> = Object.fromEntries(Object.values(TYPES).map((t) => [t.name, t.size]));
const dtypeFor = (name: string) => (name === "int16" ? "int32" : name) as "uint8" | "int8" | "int32" | "float32" | "float64";
const hex = (v: number) => v.toString(16).padStart(2, "0");
