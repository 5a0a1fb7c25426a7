// The protobuf wire format, as much as hand-encoding a small ONNX model for the peer benches
// needs (the library's own writer, src/io/protobuf.ts, is not part of the public API).
// Messages are arrays of byte values.

export function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;          // int64 fields: two's complement in 10 bytes
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}
export const tag = (field, wire) => varint((field << 3) | wire);
export const int = (field, n) => [...tag(field, 0), ...varint(n)];
export const bytes = (field, b) => [...tag(field, 2), ...varint(b.length), ...b];
export const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
export const msg = (field, parts) => bytes(field, parts.flat());
