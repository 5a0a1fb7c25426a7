// Names, dtypes and options of safetensors files from outside: every name is an ordinary key,
// integer storage keeps integers, and option mistakes are refused.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

/** A safetensors file assembled by hand from the spec: u64 LE length, JSON header text, raw bytes. */
function specFile(headerJson: string, buffer: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(headerJson);
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

describe("safetensors tensor names", () => {
  it("a file with tensors named __proto__, constructor and toString loads every one as an own key", () => {
    // JSON text written by hand: JSON.stringify of an object literal cannot even hold "__proto__".
    const header = `{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},` +
      `"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"toString":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`;
    const bytes = specFile(header, new Uint8Array(new Float32Array([1, 2, 3]).buffer));
    const { tensors, dtypes } = eg.io.readSafetensors(bytes);
    expect(Object.keys(tensors).sort()).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getPrototypeOf(tensors)).toBeNull();
    const get = (name: string) => tensors[name];
    expect(["__proto__", "constructor", "toString"].map((n) => get(n).item())).toEqual([1, 2, 3]);
    expect(dtypes["__proto__"]).toBe("F32");
  });

  it("every name round-trips through save and load, Object's own property names included (fuzzed)", () => {
    const name = fc.oneof(fc.constantFrom(...OBJECT_NAMES, "__metadata", "a.b", ""), fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 6 }));
    fc.assert(fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 6 }).filter((ns) => !ns.includes("__metadata__")), (names) => {
      const sd = Object.create(null) as Record<string, eg.Tensor>;
      names.forEach((n, i) => { sd[n] = eg.tensor([i, -i]); });
      const back = eg.io.loadSafetensors(eg.io.saveSafetensors(sd));
      expect(Object.keys(back).sort()).toEqual([...names].sort());
      names.forEach((n, i) => expect(back[n].toArray()).toEqual([i, -i]));
    }), { numRuns: 200 });
  });

  it("metadata keys are own keys too, and __metadata__ cannot be a tensor name", () => {
    const header = `{"__metadata__":{"__proto__":"x","format":"pt"}}`;
    const meta = eg.io.readSafetensors(specFile(header, new Uint8Array(0))).metadata;
    expect(Object.keys(meta).sort()).toEqual(["__proto__", "format"]);
    expect(meta["__proto__"]).toBe("x");
    const sd = Object.create(null) as Record<string, eg.Tensor>;
    sd.__metadata__ = eg.ones([1]);
    expect(() => eg.io.saveSafetensors(sd)).toThrow(/"__metadata__" is the format's metadata key/);
  });
});

describe("safetensors integer dtypes", () => {
  const one = (dtype: string, bytes: ArrayBufferView, n: number) =>
    specFile(JSON.stringify({ t: { dtype, shape: [n], data_offsets: [0, bytes.byteLength] } }), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));

  it("U16 reads into int32; U32, U64 and I64 read into int32 when every value fits", () => {
    expect(eg.io.loadSafetensors(one("U16", new Uint16Array([0, 65535]), 2)).t.toArray()).toEqual([0, 65535]);
    const u32 = eg.io.loadSafetensors(one("U32", new Uint32Array([7, 2 ** 31 - 1]), 2)).t;
    expect([u32.dtype, u32.toArray()]).toEqual(["int32", [7, 2 ** 31 - 1]]);
    expect(eg.io.loadSafetensors(one("U64", new BigUint64Array([0n, 123n]), 2)).t.toArray()).toEqual([0, 123]);
    expect(eg.io.loadSafetensors(one("I64", new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n]), 2)).t.toArray()).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  it("a value outside int32 is a FormatError naming the tensor, the dtype and the byte", () => {
    expect(() => eg.io.loadSafetensors(one("U32", new Uint32Array([1, 2 ** 31]), 2))).toThrow(eg.FormatError);
    expect(() => eg.io.loadSafetensors(one("U32", new Uint32Array([1, 2 ** 31]), 2))).toThrow(/tensor "t" holds U32 value 2147483648 at byte \d+, outside int32/);
    expect(() => eg.io.loadSafetensors(one("U64", new BigUint64Array([2n ** 64n - 1n]), 1))).toThrow(/U64 value 18446744073709551615/);
    expect(() => eg.io.loadSafetensors(one("I64", new BigInt64Array([-(2n ** 31n) - 1n]), 1))).toThrow(/I64 value -2147483649/);
  });

  it("integer tensors round-trip through every integer storage dtype that holds their values (fuzzed)", () => {
    const ranges: Record<string, [number, number]> = { I64: [-(2 ** 31), 2 ** 31 - 1], I32: [-(2 ** 31), 2 ** 31 - 1], I16: [-32768, 32767], I8: [-128, 127], U64: [0, 2 ** 31 - 1], U32: [0, 2 ** 31 - 1], U16: [0, 65535], U8: [0, 255] };
    fc.assert(fc.property(fc.constantFrom(...Object.keys(ranges)), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }), (dtype, fractions) => {
      const [lo, hi] = ranges[dtype];
      const values = fractions.map((f) => Math.round(lo + f * (hi - lo)));
      const t = eg.tensor(values, { dtype: "int32" });
      const back = eg.io.readSafetensors(eg.io.saveSafetensors({ t }, { dtype: { t: dtype as eg.io.SafetensorsDType } }));
      expect(back.dtypes.t).toBe(dtype);
      expect(back.tensors.t.toArray()).toEqual(values);
    }), { numRuns: 200 });
  });
});

describe("safetensors empty tensors", () => {
  it("a zero size after a non-zero one is an empty tensor, not a size mismatch", () => {
    const bytes = specFile(JSON.stringify({ e: { dtype: "F32", shape: [5, 0], data_offsets: [0, 0] }, f: { dtype: "I64", shape: [2 ** 40, 3, 0], data_offsets: [0, 0] } }), new Uint8Array(0));
    const sd = eg.io.loadSafetensors(bytes);
    expect([sd.e.shape, sd.e.size, sd.f.shape]).toEqual([[5, 0], 0, [2 ** 40, 3, 0]]);
    expect(eg.io.loadSafetensors(eg.io.saveSafetensors({ z: eg.zeros([4, 0]) })).z.shape).toEqual([4, 0]);
  });
});

describe("saveSafetensors options", () => {
  it("refuses values an integer storage dtype cannot hold instead of truncating or wrapping", () => {
    expect(() => eg.io.saveSafetensors({ x: eg.tensor([1.5]) }, { dtype: { x: "I64" } })).toThrow(/"x" holds 1.5 at index 0, which I64 cannot store/);
    expect(() => eg.io.saveSafetensors({ x: eg.tensor([NaN]) }, { dtype: { x: "I32" } })).toThrow(eg.ValueError);
    expect(() => eg.io.saveSafetensors({ x: eg.tensor([300], { dtype: "int32" }) }, { dtype: { x: "U8" } })).toThrow(/300 at index 0, which U8 cannot store/);
    expect(() => eg.io.saveSafetensors({ x: eg.tensor([-1], { dtype: "int32" }) }, { dtype: { x: "U16" } })).toThrow(eg.ValueError);
  });

  it("refuses unknown keys, a non-float dtype for all float tensors, dtypes for names not saved, and bad metadata", () => {
    const sd = { w: eg.ones([2]) };
    expect(() => eg.io.saveSafetensors(sd, { dtypes: "F16" } as never)).toThrow(/unknown option "dtypes"/);
    expect(() => eg.io.saveSafetensors(sd, { dtype: "I8" })).toThrow(/must be one of F64, F32, F16, BF16/);
    expect(() => eg.io.saveSafetensors(sd, { dtype: { v: "F16" } })).toThrow(/dtype names "v", which is not in the state dict/);
    expect(() => eg.io.saveSafetensors(sd, { dtype: { w: "F8" as never } })).toThrow(/unknown dtype "F8"/);
    expect(() => eg.io.saveSafetensors(sd, { metadata: { n: 1 } as never })).toThrow(/metadata must map strings to strings/);
    // dtype "constructor" is looked up as the name's own entry, never Object's.
    const dtypes = eg.io.readSafetensors(eg.io.saveSafetensors({ constructor: eg.ones([1]) } as never, { dtype: {} })).dtypes;
    expect(dtypes[["constructor"][0]]).toBe("F32");
  });
});

describe("safetensors parser fuzzing", () => {
  const good = eg.io.saveSafetensors({ "0.weight": eg.randn([2, 3], { seed: 3 }), "0.bias": eg.zeros([2]), n: eg.tensor([5], { dtype: "int32" }) }, { metadata: { format: "pt" } });
  const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
  const headerText = new TextDecoder().decode(good.subarray(8, 8 + headerLen));
  const buffer = good.subarray(8 + headerLen);

  const loadsOrFormatError = (b: Uint8Array) => {
    try {
      const sd = eg.io.loadSafetensors(b);
      for (const t of Object.values(sd)) expect(t.size).toBeLessThanOrEqual(b.length);
    } catch (e) {
      if (!(e instanceof eg.FormatError)) throw e;
    }
  };

  it("random bytes, with or without a plausible header length, load or throw FormatError (fuzzed)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => loadsOrFormatError(b)), { numRuns: 1000 });
    fc.assert(fc.property(fc.nat(300), fc.uint8Array({ maxLength: 300 }), (n, rest) => {
      const b = new Uint8Array(8 + rest.length);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      b.set(rest, 8);
      loadsOrFormatError(b);
    }), { numRuns: 1000 });
  });

  it("edits of the header text (tokens replaced by other JSON, characters changed) load or throw FormatError (fuzzed)", () => {
    const tokens = headerText.split(/(?=[{}[\],:"])/);
    const replacement = fc.oneof(
      fc.constantFrom('"__proto__"', '"constructor"', '"I64"', '"U64"', '"F8"', "-1", "1e308", "9007199254740993", "null", "[]", "{}", '"', "\\u0000", " "),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null"),
    );
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(tokens.length - 1), replacement), { minLength: 1, maxLength: 3 }), (edits) => {
      const t = tokens.slice();
      for (const [at, v] of edits) t[at] = v;
      loadsOrFormatError(specFile(t.join(""), buffer));
    }), { numRuns: 2000 });
  });
});
