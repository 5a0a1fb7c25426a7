// The sparse × dense kernel (CSR W, Y = X·Wᵀ + bias, relu) against a float64 reference with the
// derived GEMM bound (tests/support/tolerance.ts): sizes straddle the 32- and 4-column chunks of Xᵀ and the 4×4
// transpose blocks; densities from empty rows to dense.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compressKernels } from "../../src/backend/index.js";
import type { CsrMatrix } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function csrOf(w: Float32Array, n: number, k: number): CsrMatrix {
  const rowPtr = new Int32Array(n + 1), col: number[] = [], val: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) if (w[j * k + p] !== 0) { col.push(p); val.push(w[j * k + p]); }
    rowPtr[j + 1] = col.length;
  }
  return { rows: n, cols: k, rowPtr, colIdx: Int32Array.from(col), values: Float32Array.from(val) };
}

describe("f32SpmmCsr", () => {
  it("equals a float64 reference within the derived bound (bias, relu, offsets, empty rows)", () => {
    fc.assert(fc.property(fc.record({
      m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 21 }), k: fc.integer({ min: 1, max: 37 }),
      density: fc.double({ min: 0, max: 1, noNaN: true }), bias: fc.boolean(), relu: fc.boolean(),
      xOff: fc.integer({ min: 0, max: 5 }), yOff: fc.integer({ min: 0, max: 5 }), seed: fc.nat(),
    }), ({ m, n, k, density, bias, relu, xOff, yOff, seed }) => {
      const r = lcg(seed);
      const x = Float32Array.from({ length: xOff + m * k }, () => r() * 4 - 2);
      const w = Float32Array.from({ length: n * k }, () => (r() < density ? r() * 2 - 1 : 0));
      const b = bias ? Float32Array.from({ length: n }, () => r() - 0.5) : null;
      const y = new Float32Array(yOff + m * n).fill(NaN);
      compressKernels().f32SpmmCsr(m, x, xOff, csrOf(w, n, k), y, yOff, { bias: b, relu });
      for (let i = 0; i < yOff; i++) expect(y[i]).toBeNaN();   // nothing written before the offset
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let ref = b ? b[j] : 0, abs = b ? Math.abs(b[j]) : 0;
        for (let p = 0; p < k; p++) { const t = x[xOff + i * k + p] * w[j * k + p]; ref += t; abs += Math.abs(t); }
        const got = y[yOff + i * n + j];
        const want = relu ? Math.max(ref, 0) : ref;
        const tol = gemmTol(abs, ref, k + 1);
        if (!(Math.abs(got - want) <= tol)) {
          throw new Error(`Y[${i},${j}] = ${got}, expected ${want} ± ${tol} (m=${m} n=${n} k=${k} density=${density})`);
        }
      }
    }), { numRuns: 150 });
  });

  it("handles an all-zero W (every row empty): Y is the bias", () => {
    const m = 5, n = 3, k = 4;
    const y = new Float32Array(m * n);
    compressKernels().f32SpmmCsr(m, new Float32Array(m * k).fill(1), 0, csrOf(new Float32Array(n * k), n, k), y, 0,
                         { bias: Float32Array.of(1, -2, 3) });
    expect(Array.from(y)).toEqual(Array.from({ length: m * n }, (_, i) => [1, -2, 3][i % n]));
  });
});
