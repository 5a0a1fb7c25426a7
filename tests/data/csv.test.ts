import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTypeError, FormatError, ValueError } from "../../src/errors.js";
import { readCsv } from "../../src/data/index.js";

describe("readCsv", () => {
  it("reads a header and numeric rows; CRLF, blank lines and quotes are fine", () => {
    const r = readCsv('a,"b, quoted",c\r\n1,2,3\r\n\r\n4.5,-6e-1,"7"\r\n');
    expect(r.columns).toEqual(["a", "b, quoted", "c"]);
    expect(r.data.shape).toEqual([2, 3]);
    expect(Array.from(r.data.data)).toEqual([1, 2, 3, 4.5, Math.fround(-0.6), 7]);
  });

  it("detects a header only when the first line is not all numbers, unless told", () => {
    expect(readCsv("1,2\n3,4").columns).toBeNull();
    expect(readCsv("1,2\n3,4", { header: true }).columns).toEqual(["1", "2"]);
    expect(() => readCsv("x,y\n3,4", { header: false })).toThrow(/line 1, column 1: not a number: "x"/);
  });

  it("reads missing values as NaN and infinities, float64 on request", () => {
    const r = readCsv("1,,NaN\nNA,inf,-Infinity", { dtype: "float64" });
    expect(r.data.dtype).toBe("float64");
    expect(Array.from(r.data.data)).toEqual([1, NaN, NaN, NaN, Infinity, -Infinity]);
  });

  it("splits whitespace-separated columns (the raw diabetes file's layout)", () => {
    const r = readCsv("  59 2\t32.1  \n48  1 21.6\n", { delimiter: "whitespace", dtype: "float64" });
    expect(r.data.toArray()).toEqual([[59, 2, 32.1], [48, 1, 21.6]]);
    expect(readCsv("1;2\n3;4", { delimiter: ";" }).data.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("splits off a target column by name or index", () => {
    const r = readCsv("f1,f2,label\n1,2,0\n3,4,1", { target: "label" });
    expect([r.x!.toArray(), r.y!.toArray(), r.featureNames]).toEqual([[[1, 2], [3, 4]], [0, 1], ["f1", "f2"]]);
    expect(readCsv("1,2,0\n3,4,1", { target: 0 }).x!.toArray()).toEqual([[2, 0], [4, 1]]);
    expect(readCsv("1,2,0\n3,4,1", { target: -1 }).y!.toArray()).toEqual([0, 1]);
    expect(() => readCsv("a,b\n1,2", { target: "c" })).toThrow(ValueError);
  });

  it("rejects ragged rows, text in numeric columns, unclosed quotes and hex, naming the line", () => {
    expect(() => readCsv("1,2\n3\n")).toThrow(/line 2: 1 fields, expected 2/);
    expect(() => readCsv("a,b\n1,2\n3,x")).toThrow(/line 3, column 2 \(b\): not a number/);
    expect(() => readCsv('1,"2\n3,4')).toThrow(/quoted field never closed/);
    expect(() => readCsv("0x10,1", { header: false })).toThrow(FormatError);
    expect(() => readCsv("1,2", { delimiter: "ab" })).toThrow(ValueError);
  });

  it("empty text is an empty table", () => {
    expect(readCsv("").data.shape).toEqual([0, 0]);
    expect(readCsv("a,b\n").data.shape).toEqual([0, 2]);
  });

  it("round-trips any table of numbers it writes (fuzzed)", () => {
    const value = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(value, { minLength: 1, maxLength: 40 }), fc.constantFrom(",", ";", "\t"), fc.boolean(), (w, vals, d, crlf) => {
        const rows = [];
        for (let i = 0; i + w <= vals.length; i += w) rows.push(vals.slice(i, i + w));
        const text = rows.map((r) => r.map(String).join(d)).join(crlf ? "\r\n" : "\n");
        const got = readCsv(text, { delimiter: d, header: false, dtype: "float64" }).data;
        expect(got.shape).toEqual(rows.length ? [rows.length, w] : [0, 0]);
        expect(Array.from(got.data)).toEqual(rows.flat().map((v) => Number(String(v))) /* String(-0) is "0" */);
      }),
    );
  });

  it("arbitrary text parses or throws FormatError, nothing else, in linear time (fuzzed)", () => {
    const chars = fc.constantFrom(..."0123456789.,-+eE\"\n\r \tab;NaN".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 200 }).map((c) => c.join("")), fc.constantFrom(",", "whitespace", ";"), (text, delimiter) => {
        try {
          const r = readCsv(text, { delimiter });
          expect(r.data.ndim).toBe(2);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
    // A 2 MB line without end parses in one pass.
    expect(() => readCsv('"' + "a".repeat(2_000_000))).toThrow(FormatError);
  });
});

describe("readCsv options", () => {
  it("refuses a dtype it does not produce instead of mislabelling the tensor", () => {
    for (const dtype of ["int32", "float16", "Float32", "", 32]) {
      expect(() => readCsv("1,2", { dtype } as never)).toThrow(DTypeError);
      expect(() => readCsv("1,2", { dtype } as never)).toThrow(/dtype must be "float32" or "float64", got/);
    }
    expect(readCsv("1,2", { dtype: "float64" }).data.data).toBeInstanceOf(Float64Array);
    expect(readCsv("1,2", { dtype: "float32" }).data.data).toBeInstanceOf(Float32Array);
  });

  it("refuses unknown keys and option values of the wrong kind, naming them", () => {
    expect(() => readCsv("1,2", { dtpye: "float64" } as never)).toThrow(/unknown option "dtpye"/);
    expect(() => readCsv("1,2", { header: "yes" } as never)).toThrow(/header must be true, false or "auto", got "yes"/);
    expect(() => readCsv("1,2", { target: 1.5 })).toThrow(/target must be a column name or an integer index, got 1.5/);
    expect(() => readCsv("1,2", { delimiter: 9 } as never)).toThrow(ValueError);
    expect(() => readCsv("1,2", null as never)).toThrow(/options must be an object/);
  });

  it("any text and any valid options: a result or a FormatError, nothing else (fuzzed)", () => {
    const options = fc.record({
      header: fc.constantFrom(true, false, "auto" as const),
      delimiter: fc.constantFrom(",", ";", "\t", " ", "whitespace"),
      dtype: fc.constantFrom("float32" as const, "float64" as const),
    }, { requiredKeys: [] });
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 120 }),
      fc.array(fc.constantFrom(..."0123456789.e-+,;\t \"\r\nNaNinf".split("")), { maxLength: 120 }).map((c) => c.join("")),
    );
    fc.assert(fc.property(text, options, (t, o) => {
      try {
        const r = readCsv(t, o);
        expect(r.data.dtype).toBe(o.dtype ?? "float32");
        expect(r.data.size).toBeLessThanOrEqual(t.length + 1);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }), { numRuns: 800 });
  });

  it("edits of a valid file with a target column: a result, a FormatError, or a ValueError only for a vanished target (fuzzed)", () => {
    const valid = "f1,f2,label\n1.5,2,0\n-3,4e2,1\n5,,2\n";
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(..."0,\"\n\r x-.e".split(""))), { minLength: 1, maxLength: 4 }), (edits) => {
      const chars = valid.split("");
      for (const [at, ch] of edits) chars[at] = ch;
      try {
        const r = readCsv(chars.join(""), { target: "label" });
        expect(r.x!.shape[0]).toBe(r.y!.shape[0]);
      } catch (e) {
        if (e instanceof FormatError) return;
        if (e instanceof ValueError && /target "label" is not a column/.test(e.message)) return;
        throw e;
      }
    }), { numRuns: 1000 });
  });
});
