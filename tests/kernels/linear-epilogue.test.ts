// The wasm backward of the linear layer's epilogue (src/backend/epilogue-kernels.ts): the ReLU
// mask and the float64 column sums must be the bits of the JS loops they replace
// (src/ndarray/matmul.ts), which this test restates: masked where y > 0 only (a NaN or ±0 output
// passes no gradient, and a kept value keeps its bits, −0 and NaN included), sums in row order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { epilogueKernels } from "../../src/backend/epilogue-kernels.js";
import { backendInfo } from "../../src/index.js";

const special = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.5, -2.25];
const floatArb = fc.oneof(fc.constantFrom(...special), fc.float({ noNaN: true }));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("the linear epilogue's backward in wasm", () => {
  it("masks by y > 0 and sums the columns in float64 row by row, the bits of the JS loops", () => {
    const k = epilogueKernels();
    if (backendInfo().backend === "js") {
      expect(k).toBeNull(); // the JS loops in src/ndarray/matmul.ts are this backend's path
      return;
    }
    expect(k).not.toBeNull();
    const caseArb = fc.record({ m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 37 }), offset: fc.integer({ min: 0, max: 5 }),
                                relu: fc.boolean(), sums: fc.boolean() })
      .chain((c) => fc.record({ c: fc.constant(c), g: fc.array(floatArb, { minLength: c.offset + c.m * c.n, maxLength: c.offset + c.m * c.n }),
                                y: fc.array(floatArb, { minLength: c.m * c.n, maxLength: c.m * c.n }) }));
    fc.assert(fc.property(caseArb, ({ c, g: gList, y: yList }) => {
      const { m, n, offset } = c, size = m * n;
      const g = Float32Array.from(gList), y = Float32Array.from(yList);
      const r = k!.reluMaskColumnSums(g, offset, c.relu ? y : null, m, n, c.sums);
      const masked = Float32Array.from({ length: size }, (_, i) => (!c.relu || y[i] > 0 ? g[offset + i] : 0));
      if (c.relu) expect(bits(r.masked!)).toEqual(bits(masked));
      else expect(r.masked).toBeNull();
      if (!c.sums) {
        expect(r.sums).toBeNull();
        return;
      }
      const want = new Float64Array(n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[j] += masked[i * n + j];
      expect(Array.from(r.sums!).map((v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v)))
        .toEqual(Array.from(want).map((v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v)));
    }), { numRuns: 300 });
  });
});
