// fit and evaluate refuse data with NaN or ±∞, naming the first bad value's sample and element.
// The scan works in blocks (src/nn/fit-data.ts): bad values anywhere, block edges and short
// tails included, in float32 and float64, must be found, and the first of several named.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor } from "../../src/index.js";
import { checkFinite, rowsOf } from "../../src/nn/fit-data.js";

const BAD = [NaN, Infinity, -Infinity];

describe("checkFinite", () => {
  const caseArb = fc.record({
    n: fc.integer({ min: 1, max: 3 * 4096 + 7 }),
    rowSize: fc.integer({ min: 1, max: 9 }),
    float64: fc.boolean(),
    bad: fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(...BAD)), { maxLength: 3 }),
  });

  it("names the first NaN or ±∞ wherever it is, and passes data without any", () => {
    fc.assert(fc.property(caseArb, ({ n, rowSize, float64, bad }) => {
      const length = n * rowSize;
      const data = float64 ? new Float64Array(length) : new Float32Array(length);
      for (let i = 0; i < length; i++) data[i] = ((i * 7919) % 201) - 100 + (i % 3 === 0 ? -0 : 0.5); // finite, both signs, −0
      const at = bad.map(([u, v]) => { const i = Math.floor(u * length); data[i] = v; return i; });
      const rows = rowsOf(new Tensor(data, float64 ? "float64" : "float32", [n, rowSize]), "x");
      if (at.length === 0) {
        expect(() => checkFinite(rows, "x")).not.toThrow();
        return;
      }
      const first = Math.min(...at);
      expect(() => checkFinite(rows, "x")).toThrow(
        `x contains ${data[first]} at sample ${Math.floor(first / rowSize)} (element ${first % rowSize})`);
    }), { numRuns: 200 });
  });

  it("passes integer data unread", () => {
    expect(() => checkFinite(rowsOf(new Tensor(new Int32Array([1, 2, 3]), "int32", [3]), "y"), "y")).not.toThrow();
  });
});
