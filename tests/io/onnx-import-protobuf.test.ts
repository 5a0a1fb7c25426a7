// The protobuf wire-format reader under the ONNX importer (src/io/protobuf-reader.ts): drawn
// varints (64-bit unsigned and signed, int32, safe integers), fixed-width and length-delimited
// fields and packed runs read back as a reference encoder written here laid them out; every
// malformed input a FormatError naming its byte offset; unknown fields skipped; and the fuzz:
// random bytes and mutated models only ever make importOnnx (and the imported model's forward)
// throw edgegrad's typed errors, never anything else, and never hang.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { quantizeModel } from "../../src/compress/index.js";
import { FIXED32, FIXED64, LEN, ProtoReader, VARINT } from "../../src/io/protobuf-reader.js";

/** Reference encoder: unsigned 64-bit varint, 7 bits a byte, low first. */
function varint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 127n);
    x >>= 7n;
    if (x === 0n) { out.push(b); return out; }
    out.push(b | 128);
  }
}
const key = (field: number, wire: number) => varint(BigInt(field * 8 + wire));
const reader = (b: number[]) => new ProtoReader(Uint8Array.from(b));
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe("protobuf reader: values", () => {
  it("reads drawn uint64, int64, int32 and safe-integer varints as encoded, and refuses the ones out of range", () => {
    fc.assert(fc.property(u64, i64, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (u, s, i) => {
      expect(reader(varint(u)).uint64()).toBe(u);
      expect(reader(varint(s)).int64()).toBe(s);
      // int32 fields carry negative values sign-extended to 10 bytes.
      expect(reader(varint(BigInt(i))).int32("x")).toBe(i);
      const r = reader(varint(s));
      if (s >= -BigInt(Number.MAX_SAFE_INTEGER) && s <= BigInt(Number.MAX_SAFE_INTEGER)) expect(r.int("x")).toBe(Number(s));
      else expect(() => r.int("x")).toThrow(/byte 0: x -?\d+ is outside ±\(2\^53 − 1\)/);
      if (s < -(2n ** 31n) || s >= 2n ** 31n) expect(() => reader(varint(s)).int32("x")).toThrow(eg.FormatError);
    }), { numRuns: 500 });
  });

  it("reads drawn fixed32, fixed64, strings and packed runs field by field, skipping fields it is not asked for", () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), fc.double({ noNaN: true }), fc.string(), fc.array(i64, { maxLength: 8 }), fc.array(fc.float({ noNaN: true }), { maxLength: 6 }),
      (f, d, s, longs, floats) => {
        const text = [...new TextEncoder().encode(s)];
        const packedLongs = longs.flatMap(varint), packedFloats = floats.flatMap((v) => [...new Uint8Array(Float32Array.of(v).buffer)]);
        const b = [...key(1, FIXED32), ...new Uint8Array(Float32Array.of(f).buffer), ...key(2, FIXED64), ...new Uint8Array(Float64Array.of(d).buffer),
          ...key(3, LEN), ...varint(BigInt(text.length)), ...text, ...key(4, LEN), ...varint(BigInt(packedLongs.length)), ...packedLongs,
          ...key(5, LEN), ...varint(BigInt(packedFloats.length)), ...packedFloats, ...key(6, VARINT), ...varint(7n), ...key(7, FIXED32), 1, 2, 3, 4];
        const r = reader(b), got: unknown[] = [], l: bigint[] = [], fl: number[] = [];
        while (!r.done) {
          const k = r.key();
          if (k.field === 1) got.push(r.float32());
          else if (k.field === 2) got.push(r.float64());
          else if (k.field === 3) got.push(r.string());
          else if (k.field === 4) r.repeatedVarint(k, "longs", l, (p) => p.int64());
          else if (k.field === 5) r.repeatedFloat(k, "floats", fl, false);
          else r.skip(k);
        }
        expect(got).toEqual([Math.fround(f), d, s]);
        expect(l).toEqual(longs);
        expect(fl).toEqual(floats.map(Math.fround));
        // The same repeated fields unpacked, one key per value.
        const loose = reader(longs.flatMap((v) => [...key(4, VARINT), ...varint(v)])), back: bigint[] = [];
        while (!loose.done) loose.repeatedVarint(loose.key(), "longs", back, (p) => p.int64());
        expect(back).toEqual(longs);
      }), { numRuns: 200 });
  });

  it("names the byte offset and what was expected for each malformed input", () => {
    const cases: [number[], (r: ProtoReader) => unknown, RegExp][] = [
      [[0x80, 0x80], (r) => r.uint64(), /byte 0: truncated varint \(2 bytes/],
      [[...key(1, LEN), 10, 1, 2, 3], (r) => { r.key(); return r.lengthDelimited(); }, /byte 1: length-delimited field of 10 bytes runs past the end of the message \(3 bytes left\)/],
      [[...key(2, 3)], (r) => r.key(), /byte 0: field 2 has wire type 3 \(expected 0, 1, 2 or 5; groups are not supported\)/],
      [[...key(2, 6)], (r) => r.key(), /wire type 6/],
      [[...new Array(10).fill(0xff), 0x01], (r) => r.uint64(), /byte 0: varint longer than 64 bits/],
      [[0x02], (r) => r.key(), /byte 0: field number 0/],
      [[...key(1, FIXED32), 1, 2], (r) => { r.key(); return r.float32(); }, /byte 1: fixed32 of 4 bytes runs past the end/],
      [[...key(1, VARINT), 5], (r) => r.expect(r.key(), LEN, "name"), /byte 0: field 1 \(name\) has wire type 0 \(varint\), expected 2 \(length-delimited\)/],
      [[...key(1, LEN), 2, 0xc3, 0x28], (r) => { r.key(); return r.string(); }, /byte 2: string of 2 bytes is not valid UTF-8/],
      [[...key(4, LEN), 3, 1, 2, 3], (r) => r.repeatedFloat(r.key(), "floats", [], false), /packed floats holds 3 bytes, not a multiple of 4/],
    ];
    for (const [bytes, read, message] of cases) {
      expect(() => read(reader(bytes))).toThrow(eg.FormatError);
      expect(() => read(reader(bytes))).toThrow(message);
    }
    expect(() => eg.io.importOnnx(Uint8Array.of(0x3a, 0x05, 1))).toThrow(/protobuf \(ModelProto\): byte 1: GraphProto of 5 bytes runs past the end of the ModelProto \(1 bytes left\)/);
    expect(() => eg.io.importOnnx(new Uint8Array(0))).toThrow(/no graph \(field 7\)/);
  });
});

function models() {
  const { Sequential, Linear, ReLU, Conv2d, BatchNorm2d, MaxPool2d, Flatten } = eg.nn;
  const mlp = new Sequential(new Linear(3, 4, { seed: 1 }), new ReLU(), new Linear(4, 2, { seed: 2 }));
  const cnn = new Sequential(new Conv2d(1, 2, 3, { padding: 1, seed: 3 }), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 2, { seed: 4 })).eval();
  const int8 = quantizeModel(cnn, { calibration: eg.randn([8, 1, 4, 4], { seed: 5 }) });
  const lstm = new eg.nn.LSTM(3, 2, { bidirectional: true, seed: 9 });
  const encoder = new eg.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, batchFirst: true, seed: 10 });
  const transformer = new Sequential(new eg.nn.Embedding(5, 4, { seed: 11 }), new eg.nn.TransformerEncoder(encoder, 1), new Linear(4, 2, { seed: 12 })).eval();
  return [
    { bytes: eg.io.exportOnnx(mlp), x: eg.randn([2, 3], { seed: 6 }) },
    { bytes: eg.io.exportOnnx(cnn, { inputShape: [1, 4, 4] }), x: eg.randn([2, 1, 4, 4], { seed: 7 }) },
    { bytes: eg.io.exportOnnx(int8, { inputShape: [1, 4, 4] }), x: eg.randn([2, 1, 4, 4], { seed: 8 }) },
    { bytes: eg.io.exportOnnx(lstm), x: eg.randn([3, 2, 3], { seed: 13 }) },
    { bytes: eg.io.exportOnnx(transformer, { inputShape: [3] }), x: eg.fromTypedArray(Int32Array.of(0, 1, 2, 3, 4, 0), [2, 3]) },
  ];
}

/** importOnnx, then forward on x: each may throw only an EdgegradError. */
function onlyTypedErrors(bytes: Uint8Array, x: eg.Tensor): void {
  let m: eg.io.OnnxModule;
  try {
    m = eg.io.importOnnx(bytes);
  } catch (e) {
    if (!(e instanceof eg.EdgegradError)) throw new Error(`importOnnx threw ${(e as Error).name}: ${(e as Error).message}`);
    return;
  }
  try {
    eg.noGrad(() => m.forward(...m.inputNames.map(() => x)));
  } catch (e) {
    if (!(e instanceof eg.EdgegradError)) throw new Error(`forward threw ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack}`);
  }
}

type Mutation = { kind: "set" | "insert" | "delete"; at: number; value: number };
const mutationArb = fc.record({ kind: fc.constantFrom<Mutation["kind"]>("set", "insert", "delete"), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });

function mutate(bytes: Uint8Array, ms: Mutation[], truncate: number | null): Uint8Array {
  const b = [...bytes];
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === "set") b[at] = m.value;
    else if (m.kind === "insert") b.splice(at, 0, m.value);
    else b.splice(at, 1);
  }
  return Uint8Array.from(truncate === null ? b : b.slice(0, truncate % (b.length + 1)));
}

describe("fuzzing importOnnx", () => {
  it("random bytes are refused with a FormatError (or another typed error), never anything else", () => {
    const x = eg.randn([2, 3], { seed: 1 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyTypedErrors(bytes, x)), { numRuns: 1500 });
  });

  it("mutated valid models (bytes set, inserted, deleted; truncated) only ever throw typed errors, from importOnnx or from forward", () => {
    const all = models();
    fc.assert(fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), (which, ms, cut) => {
      onlyTypedErrors(mutate(all[which].bytes, ms, cut), all[which].x);
    }), { numRuns: 1500 });
  });

  it("unknown fields of every wire type are skipped: a model with them added imports and computes as without", () => {
    const { bytes, x } = models()[0];
    const want = eg.io.importOnnx(bytes).forward(x) as eg.Tensor;
    fc.assert(fc.property(fc.integer({ min: 30, max: 5000 }), fc.constantFrom(VARINT, FIXED64, LEN, FIXED32), fc.boolean(), (field, wire, front) => {
      const payload = wire === VARINT ? varint(12345678901234n) : wire === FIXED64 ? new Array(8).fill(7) : wire === FIXED32 ? [1, 2, 3, 4] : [3, 9, 9, 9];
      const extra = Uint8Array.from([...key(field, wire), ...payload]);
      const b = front ? Uint8Array.from([...extra, ...bytes]) : Uint8Array.from([...bytes, ...extra]);
      expect(Array.from((eg.io.importOnnx(b).forward(x) as eg.Tensor).data)).toEqual(Array.from(want.data));
    }), { numRuns: 50 });
  });
});
