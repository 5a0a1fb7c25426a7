/**
 * A minimal protobuf wire-format writer: just what encoding an ONNX ModelProto needs (varints,
 * length-delimited fields, fixed32 floats). Messages are built as byte chunks and joined once.
 */
export type Chunk = Uint8Array;

function varintBytes(value: number | bigint): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // int64 fields: negative numbers are 10-byte two's complement
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const key = (field: number, wire: number) => varintBytes((field << 3) | wire);

export function concat(chunks: readonly Chunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Field of wire type 0 (int32, int64, enum). */
export const int = (field: number, v: number | bigint): Chunk => new Uint8Array([...key(field, 0), ...varintBytes(v)]);
/** Field of wire type 2 holding raw bytes. */
export const bytes = (field: number, b: Uint8Array): Chunk => concat([new Uint8Array([...key(field, 2), ...varintBytes(b.length)]), b]);
export const str = (field: number, s: string): Chunk => bytes(field, new TextEncoder().encode(s));
/** An embedded message. */
export const msg = (field: number, parts: readonly Chunk[]): Chunk => bytes(field, concat(parts));
/** Field of wire type 5 holding a float32. */
export function float(field: number, v: number): Chunk {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return concat([new Uint8Array(key(field, 5)), b]);
}
