// eg.compress.matmulInteger (ONNX MatMulInteger) on Tensors, and the packed/scaled paths a
// quantized layer uses: exact equality with an int32 triple loop.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { matmulInteger, matmulIntegerPacked, matmulIntegerScaled, packMatmulIntegerB } from "../../src/compress/index.js";
import { fromTypedArray } from "../../src/ndarray/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";

function ref(m: number, n: number, k: number, a: ArrayLike<number>, za: ArrayLike<number>,
             b: ArrayLike<number>, zb: ArrayLike<number>): Int32Array {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let p = 0; p < k; p++) acc = (acc + Math.imul(a[i * k + p] - za[za.length === 1 ? 0 : i], b[p * n + j] - zb[zb.length === 1 ? 0 : j])) | 0;
    c[i * n + j] = acc;
  }
  return c;
}

const arb = fc.record({
  m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 19 }), k: fc.integer({ min: 1, max: 21 }),
  aSigned: fc.boolean(), bSigned: fc.boolean(), perRow: fc.boolean(), perCol: fc.boolean(), seed: fc.nat(),
});

describe("matmulInteger", () => {
  it("equals the int32 reference for int8/uint8, per-row a and per-column b zero points", () => {
    fc.assert(fc.property(arb, ({ m, n, k, aSigned, bSigned, perRow, perCol, seed }) => {
      const fill = (signed: boolean, len: number, f: (i: number) => number) => {
        const out = signed ? new Int8Array(len) : new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = f(i);   // Int8Array wraps the byte to its signed value
        return out;
      };
      const a = fill(aSigned, m * k, (i) => (seed * 31 + i * 97) & 255);
      const b = fill(bSigned, k * n, (i) => (seed * 17 + i * 59) & 255);
      const zr = (signed: boolean, i: number) => ((seed + i * 37) % 256) - (signed ? 128 : 0);
      const za = Array.from({ length: perRow ? m : 1 }, (_, i) => zr(aSigned, i));
      const zb = Array.from({ length: perCol ? n : 1 }, (_, j) => zr(bSigned, j + 5));
      const c = matmulInteger(fromTypedArray(a, [m, k]), fromTypedArray(b, [k, n]),
                              perRow ? za : za[0], perCol ? zb : zb[0]);
      expect(c.dtype).toBe("int32");
      expect(c.shape).toEqual([m, n]);
      expect(Array.from(c.data)).toEqual(Array.from(ref(m, n, k, a, za, b, zb)));
    }), { numRuns: 200 });
  });

  it("treats leading dims of a as rows and a 1-D a as one row", () => {
    const a = Int8Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 12);
    const b = Int8Array.from({ length: 4 * 5 }, (_, i) => 7 - i);
    const c = matmulInteger(fromTypedArray(a, [2, 3, 4]), fromTypedArray(b, [4, 5]));
    expect(c.shape).toEqual([2, 3, 5]);
    expect(Array.from(c.data)).toEqual(Array.from(ref(6, 5, 4, a, [0], b, [0])));
    expect(matmulInteger(fromTypedArray(a.subarray(0, 4), [4]), fromTypedArray(b, [4, 5])).shape).toEqual([5]);
  });

  it("throws typed errors for bad dtypes, shapes and zero points", () => {
    const a = fromTypedArray(new Int8Array(6), [2, 3]);
    expect(() => matmulInteger(fromTypedArray(new Float32Array(6), [2, 3]), fromTypedArray(new Int8Array(6), [3, 2]))).toThrow(DTypeError);
    expect(() => matmulInteger(a, fromTypedArray(new Int8Array(8), [4, 2]))).toThrow(/inner dimensions/);
    expect(() => matmulInteger(a, fromTypedArray(new Int8Array(6), [3, 2]), 200)).toThrow(ValueError);
    expect(() => matmulInteger(a, fromTypedArray(new Int8Array(6), [3, 2]), 0, [1, 2, 3])).toThrow(ShapeError);
  });
});

describe("packed weights and the requantizing path", () => {
  it("reuses one packed B for many A, exactly", () => {
    const k = 33, n = 17;
    const b = Int8Array.from({ length: k * n }, (_, i) => ((i * 73) & 255) - 128);
    const w = packMatmulIntegerB(b, k, n, 3);
    for (const m of [1, 4, 5, 13]) {
      const a = Uint8Array.from({ length: m * k }, (_, i) => (i * 41) & 255);
      expect(Array.from(matmulIntegerPacked(a, m, w, 128))).toEqual(Array.from(ref(m, n, k, a, [128], b, [3])));
    }
  });

  it("matmulIntegerScaled = f32(acc + bias)·fround(sa·sb[j]) with relu, bit for bit", () => {
    const m = 7, k = 29, n = 13;
    const a = Uint8Array.from({ length: m * k }, (_, i) => (i * 29) & 255);
    const b = Int8Array.from({ length: k * n }, (_, i) => ((i * 11) & 255) - 128);
    const sb = Float32Array.from({ length: n }, (_, j) => 0.002 * (j + 1));
    const bias = Int32Array.from({ length: n }, (_, j) => j * 1000 - 6000);
    const y = matmulIntegerScaled(a, m, packMatmulIntegerB(b, k, n, 0), 120, { scaleA: 0.05, scaleB: sb, bias, relu: true });
    const acc = ref(m, n, k, a, [120], b, [0]);
    const want = Array.from(acc, (v, i) => Math.max(0, Math.fround(Math.fround((v + bias[i % n]) | 0) * Math.fround(0.05 * sb[i % n]))));
    expect(Array.from(y)).toEqual(want);
  });
});
