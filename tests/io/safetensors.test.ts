import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

/** A safetensors file assembled by hand from the spec: u64 LE length, JSON header, raw bytes. */
function specFile(header: object, buffer: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const le = (arr: Float32Array | Int32Array | Uint16Array | Int8Array) => new Uint8Array(arr.buffer.slice(0));

describe("safetensors", () => {
  it("a file built byte-for-byte per the spec and one written by saveSafetensors load identically", () => {
    const w = new Float32Array([1, -2, 3.5, 0.25, 5, 6]);
    const b = new Float32Array([0.5, -0.5]);
    const idx = new Int32Array([7, -8]);
    const buffer = new Uint8Array([...le(b), ...le(w), ...le(idx)]);
    const bytes = specFile({
      __metadata__: { format: "pt" },
      "0.bias": { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      "0.weight": { dtype: "F32", shape: [2, 3], data_offsets: [8, 32] },
      "steps": { dtype: "I32", shape: [2], data_offsets: [32, 40] },
    }, buffer, 3);
    const fromSpec = eg.io.readSafetensors(bytes);
    expect(fromSpec.metadata).toEqual({ format: "pt" });
    const sd = { "0.weight": eg.fromTypedArray(w, [2, 3]), "0.bias": eg.fromTypedArray(b), steps: eg.fromTypedArray(idx) };
    const ours = eg.io.loadSafetensors(eg.io.saveSafetensors(sd, { metadata: { format: "pt" } }));
    for (const name of Object.keys(sd)) {
      expect(fromSpec.tensors[name].shape).toEqual(ours[name].shape);
      expect(fromSpec.tensors[name].dtype).toBe(ours[name].dtype);
      expect(Array.from(fromSpec.tensors[name].data)).toEqual(Array.from(ours[name].data));
      expect(Array.from(ours[name].data)).toEqual(Array.from(sd[name as keyof typeof sd].data));
    }
  });

  it("writes a header that follows the spec: 8-byte aligned, space padded, offsets covering the buffer", () => {
    const bytes = eg.io.saveSafetensors({ a: eg.ones([3]), b: eg.zeros([2, 2], { dtype: "uint8" }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: "F32", shape: [3], data_offsets: [0, 12] });
    expect(header.b).toEqual({ dtype: "U8", shape: [2, 2], data_offsets: [12, 16] });
    expect(bytes.length).toBe(8 + n + 16);
  });

  it("stores F16/BF16/F64/I8/BOOL and reads them back (half precision rounded to nearest even)", () => {
    const x = eg.tensor([1, 0.1, -65504, 1e-8]);
    for (const dtype of ["F16", "BF16", "F64", "F32"] as const) {
      const back = eg.io.readSafetensors(eg.io.saveSafetensors({ x }, { dtype }));
      expect(back.dtypes.x).toBe(dtype);
      const conv = dtype === "F16" ? eg.compress.f16BitsToNumber(eg.compress.f32ToF16Bits(0.1))
        : dtype === "BF16" ? eg.compress.bf16BitsToNumber(eg.compress.f32ToBf16Bits(0.1)) : Math.fround(0.1);
      expect(back.tensors.x.data[1]).toBe(conv);
    }
    const q = eg.tensor([-128, 127, 0], { dtype: "int8" });
    const m = eg.tensor([true, false]);
    const back = eg.io.loadSafetensors(eg.io.saveSafetensors({ q, m }));
    expect(back.q.toArray()).toEqual([-128, 127, 0]);
    expect(back.m.toArray()).toEqual([true, false]);
  });

  it("reads I64 (PyTorch's counters) into int32 and refuses values outside int32", () => {
    const ok = new BigInt64Array([3n, -4n]);
    expect(eg.io.loadSafetensors(specFile({ n: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, new Uint8Array(ok.buffer))).n.toArray()).toEqual([3, -4]);
    const big = new BigInt64Array([2n ** 40n]);
    expect(() => eg.io.loadSafetensors(specFile({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(big.buffer)))).toThrow(/outside int32/);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /too short/],
    ["header length past the end", specFile({}, new Uint8Array(0)).map((v, i) => (i === 0 ? 200 : v)), /past the end/],
    ["huge header length", (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true); return b; })(), /limit/],
    ["not JSON", (() => { const b = specFile({ a: 1 }, new Uint8Array(0)); b[9] = 0x7b; b[10] = 0x7b; return b; })(), /JSON/],
    ["does not start with {", specFile([] as unknown as object, new Uint8Array(0)), /'\{'/],
    ["unknown dtype", specFile({ a: { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /dtype/],
    ["negative shape", specFile({ a: { dtype: "U8", shape: [-1], data_offsets: [0, 1] } }, new Uint8Array(1)), /shape/],
    ["offsets past buffer", specFile({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] } }, new Uint8Array(2)), /past the end/],
    ["size mismatch", specFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs 8 bytes/],
    ["overlap", specFile({ a: { dtype: "U8", shape: [2], data_offsets: [0, 2] }, b: { dtype: "U8", shape: [2], data_offsets: [1, 3] } }, new Uint8Array(3)), /overlap|hole|after/],
    ["hole", specFile({ a: { dtype: "U8", shape: [1], data_offsets: [1, 2] } }, new Uint8Array(2)), /hole/],
    ["trailing bytes", specFile({ a: { dtype: "U8", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(3)), /after the last/],
    ["deep JSON", specFile({ a: { dtype: "U8", shape: [[[[1]]]], data_offsets: [0, 1] } }, new Uint8Array(1)), /deeper/],
    ["shape overflow", specFile({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40, 0], data_offsets: [0, 4] } }, new Uint8Array(4)), /needs/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`rejects a malformed file with a FormatError: ${name}`, () => {
      expect(() => eg.io.loadSafetensors(bytes)).toThrow(eg.FormatError);
      expect(() => eg.io.loadSafetensors(bytes)).toThrow(msg);
    });
  }

  it("fuzzed headers and byte flips give only FormatError (or a valid result), never another error", () => {
    const good = eg.io.saveSafetensors({ "0.weight": eg.randn([3, 4], { seed: 1 }), "0.bias": eg.zeros([3]) });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(good.length), (flips, cut) => {
      const b = good.slice(0, Math.max(cut, 1));
      for (const [i, v] of flips) if (i < b.length) b[i] = v;
      try {
        eg.io.loadSafetensors(b);
      } catch (e) {
        if (!(e instanceof eg.FormatError)) throw e;
      }
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 64 }), (header, buf) => {
      const b = specFile(typeof header === "object" && header !== null ? header : { v: header }, buf);
      try {
        eg.io.loadSafetensors(b);
      } catch (e) {
        if (!(e instanceof eg.FormatError)) throw e;
      }
    }), { numRuns: 1000 });
  });

  it("a PyTorch-style state dict (names 0.weight, 2.bias; [out, in] layout) loads into the equivalent Sequential", () => {
    // What torch's save_file writes for nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)).
    const w0 = new Float32Array([1, 0, -1, 0.5, 0.5, 0.5]), b0 = new Float32Array([0, -1]);
    const w2 = new Float32Array([2, -3]), b2 = new Float32Array([0.25]);
    const buffer = new Uint8Array([...le(w0), ...le(b0), ...le(w2), ...le(b2)]);
    const bytes = specFile({
      __metadata__: { format: "pt" },
      "0.weight": { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
      "0.bias": { dtype: "F32", shape: [2], data_offsets: [24, 32] },
      "2.weight": { dtype: "F32", shape: [1, 2], data_offsets: [32, 40] },
      "2.bias": { dtype: "F32", shape: [1], data_offsets: [40, 44] },
    }, buffer);
    const model = new eg.nn.Sequential(new eg.nn.Linear(3, 2), new eg.nn.ReLU(), new eg.nn.Linear(2, 1));
    model.loadStateDict(eg.io.loadSafetensors(bytes));
    // x = [1, 2, 3]: h = relu([1·1 + 0·2 − 1·3, 0.5·6 − 1]) = [0, 2]; y = 2·0 − 3·2 + 0.25 = −5.75.
    expect(eg.noGrad(() => model.forward(eg.tensor([[1, 2, 3]]))).toArray()).toEqual([[-5.75]]);
    expect(Object.keys(model.stateDict()).sort()).toEqual(["0.bias", "0.weight", "2.bias", "2.weight"]);
  });
});
