import { FormatError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { asBytes, gunzip, isGzip, type Bytes, type GunzipOptions } from "./gzip.js";

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

/** Like readIdx, but also accepts gzipped bytes (`*.gz`), decompressed with DecompressionStream. */
export async function readIdxAsync(input: Bytes, o: GunzipOptions = {}): Promise<Tensor> {
  const bytes = asBytes(input, "readIdxAsync");
  // The decompressed buffer is ours alone, so the uint8 tensor may keep it without a copy.
  return isGzip(bytes) ? parseIdx(await gunzip(bytes, o), false) : parseIdx(bytes, true);
}

function parseIdx(b: Uint8Array, copy: boolean): Tensor {
  if (isGzip(b)) throw new FormatError("readIdx: byte 0: gzip data; use readIdxAsync (or gunzip) first");
  if (b.length < 4) throw new FormatError(`readIdx: byte ${b.length}: file ends inside the 4-byte magic number`);
  if (b[0] !== 0 || b[1] !== 0) {
    throw new FormatError(`readIdx: byte 0: wrong magic ${hex(b[0])} ${hex(b[1])}, an IDX file starts with 00 00`);
  }
  const type = TYPES[b[2]];
  if (!type) throw new FormatError(`readIdx: byte 2: unknown element type code ${hex(b[2])}`);
  const ndims = b[3];
  if (ndims === 0) throw new FormatError("readIdx: byte 3: zero dimensions");
  const header = 4 + 4 * ndims;
  if (b.length < header) {
    throw new FormatError(`readIdx: byte ${b.length}: file ends inside the header of ${ndims} dimension sizes (${header} bytes)`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  const available = (b.length - header) / type.size;
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d; // exact while count ≤ available; checked below before it can grow past 2^53
    if (count > available) {
      throw new FormatError(
        `readIdx: byte ${4 + 4 * i}: dimensions [${shape}${i < ndims - 1 ? ", …" : ""}] need more than the ` +
          `${b.length - header} data bytes after the header (file truncated or sizes wrong)`,
      );
    }
  }
  const bytes = count * type.size;
  if (header + bytes !== b.length) {
    throw new FormatError(
      `readIdx: byte ${header + bytes}: ${b.length - header - bytes} bytes after the data of shape [${shape}] ` +
        `(${type.name}); sizes wrong or file padded`,
    );
  }
  return new Tensor(decode(b, view, header, count, type.name, copy), dtypeFor(type.name), shape);
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

const dtypeFor = (name: string) => (name === "int16" ? "int32" : name) as "uint8" | "int8" | "int32" | "float32" | "float64";
const hex = (v: number) => v.toString(16).padStart(2, "0");
