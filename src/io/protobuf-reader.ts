/**
 * A minimal protobuf wire-format reader, the counterpart of protobuf.ts: what decoding an ONNX
 * ModelProto needs (varints up to 64 bits, length-delimited fields, fixed32/fixed64, packed
 * repeated scalars, unknown fields skipped). Bytes come from outside, so every read is checked:
 * a truncated varint, a length running past the end of its message, a varint longer than 64
 * bits or a wire type that is not 0, 1, 2 or 5 is a FormatError naming the byte offset (counted
 * from the start of the whole input) and what was expected there. Every read consumes at least
 * one byte or throws, so no input makes a loop over fields spin.
 */
import { FormatError } from "../errors.js";

export const VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;
const WIRE_NAMES: Record<number, string> = { 0: "varint", 1: "fixed64", 2: "length-delimited", 5: "fixed32" };

const TWO_63 = 1n << 63n, TWO_64 = 1n << 64n;

/** A field's key: its number and wire type, and the offset where the key starts (for messages). */
export interface FieldKey { field: number; wire: number; at: number }

export class ProtoReader {
  /** The offset of the next byte to read. */
  pos: number;

  /** Reads bytes[start, end); `what` names the message in errors. */
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length, readonly what = "message") {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(at: number, message: string): never {
    throw new FormatError(`protobuf (${this.what}): byte ${at}: ${message}`);
  }

  /** The raw varint as an unsigned 64-bit bigint. */
  uint64(): bigint {
    const at = this.pos;
    let low = 0, high = 0n;
    // The first 28 bits in a number (fast path), the rest as bigint.
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(at, `truncated varint (${i} bytes, ${this.end - at} left in the ${this.what})`);
      const b = this.bytes[this.pos++];
      if (i === 9 && b > 1) this.fail(at, "varint longer than 64 bits");
      if (i < 4) low |= (b & 0x7f) << (7 * i);
      else high |= BigInt(b & 0x7f) << BigInt(7 * i - 28);
      if ((b & 0x80) === 0) return BigInt(low >>> 0) | (high << 28n);
    }
    return this.fail(at, "varint longer than 10 bytes");
  }

  /** A varint as a non-negative safe integer (uint32, uint64, lengths), refusing larger values. */
  uint(what: string): number {
    const at = this.pos;
    const v = this.uint64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(at, `${what} ${v} exceeds 2^53 − 1`);
    return Number(v);
  }

  /** An int64 varint (two's complement in 64 bits) as a bigint. */
  int64(): bigint {
    const v = this.uint64();
    return v >= TWO_63 ? v - TWO_64 : v;
  }

  /** An int64 varint as a safe integer, refusing a value whose magnitude is 2^53 or more. */
  int(what: string): number {
    const at = this.pos;
    const v = this.int64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(at, `${what} ${v} is outside ±(2^53 − 1)`);
    return Number(v);
  }

  /** An int32 or enum varint: negative values are sign-extended to 10 bytes on the wire. */
  int32(what: string): number {
    const at = this.pos;
    const v = this.int64();
    if (v < -(1n << 31n) || v >= 1n << 31n) this.fail(at, `${what} ${v} does not fit in int32`);
    return Number(v);
  }

  /** The next field's key, or refuses a bad one (field 0, a group or an unknown wire type). */
  key(): FieldKey {
    const at = this.pos;
    const k = this.uint("field key");
    const wire = k % 8, field = Math.floor(k / 8);
    if (field === 0) this.fail(at, "field number 0 (expected a field key)");
    if (WIRE_NAMES[wire] === undefined) this.fail(at, `field ${field} has wire type ${wire} (expected 0, 1, 2 or 5; groups are not supported)`);
    return { field, wire, at };
  }

  /** Refuses a field whose wire type is not the one its declaration gives. */
  expect(k: FieldKey, wire: number, name: string): void {
    if (k.wire !== wire) this.fail(k.at, `field ${k.field} (${name}) has wire type ${k.wire} (${WIRE_NAMES[k.wire]}), expected ${wire} (${WIRE_NAMES[wire]})`);
  }

  /** Checks that n more bytes exist in this message; returns the offset they start at. `from` is where the field's length (or the value) starts, for the error. */
  private take(n: number, what: string, from = this.pos): number {
    const at = this.pos;
    if (n > this.end - at) this.fail(from, `${what} of ${n} bytes runs past the end of the ${this.what} (${this.end - at} bytes left)`);
    this.pos += n;
    return at;
  }

  /** A length-delimited field's contents (a view, not a copy). */
  lengthDelimited(): Uint8Array {
    const from = this.pos, n = this.uint("length");
    const at = this.take(n, "length-delimited field", from);
    return this.bytes.subarray(at, at + n);
  }

  /** A reader over an embedded message, this reader moved past it. */
  message(what: string): ProtoReader {
    const from = this.pos, n = this.uint("length");
    const at = this.take(n, what, from);
    return new ProtoReader(this.bytes, at, at + n, what);
  }

  string(): string {
    const b = this.lengthDelimited();
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(b);
    } catch {
      return this.fail(this.pos - b.length, `string of ${b.length} bytes is not valid UTF-8`);
    }
  }

  float32(): number {
    const at = this.take(4, "fixed32");
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getFloat32(0, true);
  }

  float64(): number {
    const at = this.take(8, "fixed64");
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getFloat64(0, true);
  }

  /** Skips a field of any wire type (an unknown field). */
  skip(k: FieldKey): void {
    switch (k.wire) {
      case VARINT: this.uint64(); return;
      case FIXED64: this.take(8, "fixed64"); return;
      case FIXED32: this.take(4, "fixed32"); return;
      default: this.lengthDelimited();
    }
  }

  /**
   * The values of a repeated varint field, packed (one length-delimited run) or not (one value),
   * appended to `out` by `read` (uint64, int64, int32 …).
   */
  repeatedVarint<T>(k: FieldKey, name: string, out: T[], read: (r: ProtoReader) => T): void {
    if (k.wire === VARINT) {
      out.push(read(this));
      return;
    }
    this.expect(k, LEN, name);
    const packed = this.message(`packed ${name}`);
    while (!packed.done) out.push(read(packed));
  }

  /** A repeated fixed-width float field (float32 on fixed32, float64 on fixed64), packed or not. */
  repeatedFloat(k: FieldKey, name: string, out: number[], double: boolean): void {
    const wire = double ? FIXED64 : FIXED32;
    if (k.wire === wire) {
      out.push(double ? this.float64() : this.float32());
      return;
    }
    this.expect(k, LEN, name);
    const packed = this.message(`packed ${name}`);
    const width = double ? 8 : 4;
    if ((packed.end - packed.pos) % width !== 0) {
      this.fail(packed.pos, `packed ${name} holds ${packed.end - packed.pos} bytes, not a multiple of ${width}`);
    }
    while (!packed.done) out.push(double ? packed.float64() : packed.float32());
  }
}
