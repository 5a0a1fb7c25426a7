import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { data, DTypeError, FormatError, ShapeError, tensor, Tensor, ValueError } from "../../src/index.js";

const { ByteTokenizer, CharTokenizer } = data;

// Well-formed strings over all of Unicode (astral characters included, lone surrogates not:
// those have no UTF-8 form).
const anyText = fc.string({ unit: "grapheme-composite", maxLength: 200 });
const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);

describe("CharTokenizer", () => {
  it("vocabulary is the distinct code points in order; encode/decode round-trip any text", () => {
    fc.assert(fc.property(anyText, (text) => {
      const tok = CharTokenizer.fromText(text);
      const distinct = [...new Set(codePoints(text))].sort((a, b) => a - b);
      expect(codePoints(tok.vocab.join(""))).toEqual(distinct);
      const ids = tok.encode(text);
      // The id of each character is its rank among the distinct code points.
      expect(Array.from(ids)).toEqual(codePoints(text).map((p) => distinct.indexOf(p)));
      expect(tok.decode(ids)).toBe(text);
      expect(tok.decode(new Tensor(ids, "int32", [ids.length]))).toBe(text);
      const again = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
      expect(again.vocab).toEqual(tok.vocab);
      expect(Array.from(again.encode(text))).toEqual(Array.from(ids));
    }));
  });

  it("an emoji is one token, CRLF two", () => {
    const tok = CharTokenizer.fromText("a😀\r\n");
    expect(tok.vocabSize).toBe(4);
    expect(Array.from(tok.encode("😀\r\na"))).toEqual([3, 1, 0, 2]);
  });

  it("unknown characters throw, or map to unk", () => {
    const tok = CharTokenizer.fromText("abc");
    expect(() => tok.encode("abz")).toThrow(ValueError);
    expect(() => tok.encode("abz")).toThrow(/"z" \(U\+007A\) at offset 2/);
    const withUnk = CharTokenizer.fromText("abc", { unk: "?" });
    expect(withUnk.vocab).toEqual(["?", "a", "b", "c"]);
    expect(withUnk.decode(withUnk.encode("a😀zc"))).toBe("a??c");
    expect(CharTokenizer.fromJSON(withUnk.toJSON()).unk).toBe("?");
  });

  it("refuses bad arguments", () => {
    const tok = CharTokenizer.fromText("ab");
    expect(() => tok.decode([0, 2])).toThrow(/id 2 at position 1 is outside the vocabulary \[0, 2\)/);
    expect(() => tok.decode([0.5])).toThrow(ValueError);
    expect(() => new CharTokenizer(["a", "a"])).toThrow(/appears twice/);
    expect(() => new CharTokenizer(["ab"])).toThrow(/one character/);
    expect(() => CharTokenizer.fromText("a", { unk: "xy" })).toThrow(/unk must be one character/);
    expect(() => CharTokenizer.fromText("a", { unknown: "?" } as never)).toThrow(/unknown option "unknown"/);
    expect(() => CharTokenizer.fromJSON({ type: "char", vocab: ["b", "a"] })).toThrow(FormatError);
    expect(() => CharTokenizer.fromJSON({ type: "byte" })).toThrow(FormatError);
  });

  it("decode refuses a batch (2-D tensor), a non-integer tensor and a string, naming the shape, dtype or type", () => {
    const tok = CharTokenizer.fromText("ab");
    expect(tok.decode(tensor([1, 0], { dtype: "int32" }))).toBe("ba");
    expect(() => tok.decode(tensor([[0, 1], [1, 0]], { dtype: "int32" }))).toThrow(ShapeError);
    expect(() => tok.decode(tensor([[0, 1], [1, 0]], { dtype: "int32" }))).toThrow(/CharTokenizer\.decode: ids must be 1-D, got shape \[2, 2\]/);
    expect(() => tok.decode(tensor([0, 1], { dtype: "bool" }))).toThrow(DTypeError);
    expect(() => tok.decode(tensor([0, 1], { dtype: "float32" }))).toThrow(/CharTokenizer\.decode: ids must be an integer tensor, got float32/);
    expect(() => tok.decode("01" as never)).toThrow(ValueError);
    expect(() => tok.decode("01" as never)).toThrow(/CharTokenizer\.decode: ids must be a tensor, a typed array or an array of numbers, got string/);
    expect(() => tok.decode(["0"] as never)).toThrow(/id "0" at position 0/);
  });
});

describe("ByteTokenizer", () => {
  it("ids are the UTF-8 bytes; any well-formed string round-trips exactly", () => {
    const tok = new ByteTokenizer();
    fc.assert(fc.property(anyText, (text) => {
      const ids = tok.encode(text);
      expect(Array.from(ids)).toEqual(Array.from(Buffer.from(text, "utf8")));
      expect(tok.decode(ids)).toBe(text);
    }));
  });

  it("a leading U+FEFF is a character like any other: it round-trips, and the bytes EF BB BF decode to it", () => {
    const tok = new ByteTokenizer();
    for (const text of ["\uFEFF", "\uFEFFx", "\uFEFF\uFEFF", "a\uFEFF"]) expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode([0xef, 0xbb, 0xbf, 0x68])).toBe("\uFEFFh");
    fc.assert(fc.property(anyText, (text) => {
      expect(tok.decode(tok.encode("\uFEFF" + text))).toBe("\uFEFF" + text);
    }));
  });

  it("any byte sequence decodes as TextDecoder (invalid sequences become U+FFFD)", () => {
    const tok = new ByteTokenizer();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      expect(tok.decode(Array.from(bytes))).toBe(Buffer.from(bytes).toString("utf8"));
    }));
    expect(tok.decode([0x68, 0xff, 0x69])).toBe("h\uFFFDi");
  });

  it("refuses ids that are not bytes, and a foreign JSON", () => {
    const tok = new ByteTokenizer();
    expect(tok.vocabSize).toBe(256);
    expect(() => tok.decode([256])).toThrow(/id 256 at position 0 is not a byte/);
    expect(() => tok.decode([-1])).toThrow(ValueError);
    expect(() => tok.decode(tensor([[104], [105]], { dtype: "int32" }))).toThrow(/ByteTokenizer\.decode: ids must be 1-D, got shape \[2, 1\]/);
    expect(() => tok.decode("hi" as never)).toThrow(/ByteTokenizer\.decode: ids must be a tensor, a typed array or an array of numbers, got string/);
    expect(ByteTokenizer.fromJSON(tok.toJSON())).toBeInstanceOf(ByteTokenizer);
    expect(() => ByteTokenizer.fromJSON({ type: "char" })).toThrow(FormatError);
  });
});
