// linear's bias gradient on float32 (the column sums of the incoming gradient, computed with the
// weight gradient's pass, src/ndarray/matmul.ts): float64 sums in row order rounded once, the
// same bits as sum(g, 0), for row counts on both sides of the four-row passes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const values = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => Math.fround(Math.sin(seed * 7.1 + i * 1.3) * 3));

describe("linear's bias gradient (float32)", () => {
  it("is the float64 row-order column sum of the gradient, rounded once, with and without relu", () => {
    fc.assert(fc.property(fc.record({ m: fc.integer({ min: 1, max: 11 }), inF: fc.integer({ min: 1, max: 5 }), outF: fc.integer({ min: 1, max: 9 }), relu: fc.boolean(), seed: fc.nat(1000) }), ({ m, inF, outF, relu, seed }) => {
      const x = eg.fromTypedArray(values(m * inF, seed), [m, inF]);
      const w = eg.fromTypedArray(values(outF * inF, seed + 1), [outF, inF]);
      const b = eg.fromTypedArray(values(outF, seed + 2), [outF]);
      b.requiresGrad = true;
      const g = values(m * outF, seed + 3);
      const y = eg.linear(x, w, b, { relu });
      y.mul(eg.fromTypedArray(g, [m, outF])).sum().backward();
      const want = new Float64Array(outF);
      for (let i = 0; i < m; i++) for (let j = 0; j < outF; j++) if (!relu || y.data[i * outF + j] > 0) want[j] += g[i * outF + j];
      expect(Array.from(b.grad!.data)).toEqual(Array.from(Float32Array.from(want)));
    }), { numRuns: 100 });
  });
});
