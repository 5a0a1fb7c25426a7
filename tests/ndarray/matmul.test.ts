import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, expectClose, indices, layoutArb, makeTensor, valuesFrom } from "../support/reference.js";
import { gemmTol } from "../support/tolerance.js";

/** Batch shapes that broadcast: each operand drops some leading dims or has 1s. */
const batchCase = fc.record({
  batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  dropA: fc.integer({ min: 0, max: 2 }), dropB: fc.integer({ min: 0, max: 2 }),
  onesA: fc.boolean(), onesB: fc.boolean(),
  m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 25 }), k: fc.integer({ min: 1, max: 19 }),
  la: layoutArb, lb: layoutArb, seed: fc.integer(),
});

describe("matmul: 2-D and batched with broadcast batch dims, any operand layout", () => {
  it("matches a float64 triple loop within γ(k+1)·|A||B| (tests/support/tolerance.ts)", () => {
    fc.assert(fc.property(batchCase, ({ batch, dropA, dropB, onesA, onesB, m, n, k, la, lb, seed }) => {
      const ba = batch.slice(Math.min(dropA, batch.length)).map((d) => (onesA ? 1 : d));
      const bb = batch.slice(Math.min(dropB, batch.length));
      const a = makeTensor([...ba, m, k], valuesFrom(seed), la);
      const b = makeTensor([...bb, k, n], valuesFrom(seed + 1), lb);
      const c = eg.matmul(a, b);
      const outBatch = c.shape.slice(0, -2);
      expect(c.shape.slice(-2)).toEqual([m, n]);
      for (const idx of indices(c.shape)) {
        const bi = idx.slice(0, -2);
        const ai = ba.map((d, i) => (d === 1 ? 0 : bi[bi.length - ba.length + i]));
        const bj = bb.map((d, i) => (d === 1 ? 0 : bi[bi.length - bb.length + i]));
        let ref = 0, abs = 0;
        for (let p = 0; p < k; p++) {
          const x = at(a, [...ai, idx[idx.length - 2], p]) * at(b, [...bj, p, idx[idx.length - 1]]);
          ref += x;
          abs += Math.abs(x);
        }
        expectClose(at(c, idx), ref, gemmTol(abs, ref, k), `C[${idx}] of [${a.shape}]@[${b.shape}]`);
      }
      expect(outBatch.length).toBe(Math.max(ba.length, bb.length));
      void onesB;
    }), { numRuns: 60 });
  });

  it("treats 1-D operands as a row or column vector and drops that dim again", () => {
    const v = eg.tensor([1, 2, 3]);
    const m = eg.tensor([[1, 0], [0, 1], [1, 1]]);
    expect(eg.matmul(v, m).toArray()).toEqual([4, 5]);
    expect(eg.matmul(m.T, v).toArray()).toEqual([4, 5]);
    expect(eg.matmul(v, v).item()).toBe(14);
  });

  it("linear fuses bias and relu and equals x·Wᵀ + b", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.integer(),
      (m, inF, outF, relu, seed) => {
        const x = makeTensor([m, inF], valuesFrom(seed), { transposeLast: false, padLast: 0, offset: 0 });
        const w = makeTensor([outF, inF], valuesFrom(seed + 1), { transposeLast: false, padLast: 0, offset: 0 });
        const b = makeTensor([outF], valuesFrom(seed + 2), { transposeLast: false, padLast: 0, offset: 0 });
        const y = eg.linear(x, w, b, { relu });
        for (const [i, j] of indices([m, outF])) {
          let ref = at(b, [j]), abs = Math.abs(ref);
          for (let p = 0; p < inF; p++) { const t = at(x, [i, p]) * at(w, [j, p]); ref += t; abs += Math.abs(t); }
          if (relu) ref = Math.max(ref, 0);
          expectClose(at(y, [i, j]), ref, gemmTol(abs, ref, inF + 1), `linear[${i},${j}]`);
        }
      }), { numRuns: 40 });
  });

  it("rejects integer operands and mismatched inner dimensions with typed errors", () => {
    expect(() => eg.matmul(eg.ones([2, 3]), eg.ones([4, 2]))).toThrow(eg.ShapeError);
    expect(() => eg.matmul(eg.ones([2, 3]), eg.ones([4, 2]))).toThrow(/\[2,3\] @ \[4,2\]/);
    expect(() => eg.matmul(eg.ones([2, 2], { dtype: "int32" }), eg.ones([2, 2]))).toThrow(eg.DTypeError);
    expect(() => eg.matmul(eg.ones([2, 2, 3]), eg.ones([3, 3, 2]))).toThrow(eg.ShapeError);
  });
});
