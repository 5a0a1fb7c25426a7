// The int8 GEMM (ONNX MatMulInteger) against a plain triple loop in int32 arithmetic: integer
// results must be EXACTLY equal, on every backend, across sizes that straddle the 4×8 tile and
// the k-pair (c2) step.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compressKernels, QS8_GEMM } from "../../src/backend/index.js";
import type { Qs8Matrix, Qs8Weights } from "../../src/backend/index.js";

import { bytes, type I8 } from "../support/int8-data.js";

/** Σ (a−za)(b−zb) (+ bias) with int32 wrap-around, the way onnxruntime's MatMulInteger sums. */
function reference(m: number, n: number, k: number, a: I8, za: number, aStride: number,
                   b: I8, zb: number | ArrayLike<number>, bRow: number, bCol: number,
                   bias?: Int32Array): Int32Array {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const z = typeof zb === "number" ? zb : zb[j];
      let acc = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        acc = (acc + Math.imul(a[i * aStride + p] - za, b[p * bRow + j * bCol] - z)) | 0;
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}

function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, n: number): string | null {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) return `C[${Math.floor(i / n)},${i % n}] = ${got[i]}, expected ${want[i]}`;
  }
  return null;
}

const signedness = fc.boolean();
/** Sizes around the tile: m up to 2·MR+1, n up to 3·NR+1, k from 1 (odd and even, < and > KR). */
const { MR, NR } = QS8_GEMM;
const dims = fc.record({
  m: fc.integer({ min: 1, max: 2 * MR + 1 }),
  n: fc.integer({ min: 1, max: 3 * NR + 1 }),
  k: fc.integer({ min: 1, max: 37 }),
  aSigned: signedness,
  bSigned: signedness,
  perColumn: fc.boolean(),
  pad: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});


function zero(signed: boolean, seed: number): number {
  return signed ? (seed % 256) - 128 : seed % 256;
}

describe("qs8Gemm (MatMulInteger)", () => {
  it("equals the int32 triple loop exactly for int8/uint8, scalar or per-column zero points, padded strides", () => {
    fc.assert(fc.property(dims, ({ m, n, k, aSigned, bSigned, perColumn, pad, seed }) => {
      const K = compressKernels();
      const aStride = k + pad;
      const a = bytes(m * aStride, aSigned, seed);
      const b = bytes(k * n, bSigned, seed ^ 0x5bd1e995);
      const za = zero(aSigned, seed >>> 3);
      const zb = perColumn
        ? Array.from({ length: n }, (_, j) => zero(bSigned, (seed >>> 5) + 31 * j))
        : zero(bSigned, seed >>> 7);
      const am: Qs8Matrix = { data: a, offset: 0, rowStride: aStride, zeroPoint: za };
      const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: zb });
      const c = new Int32Array(m * n);
      K.qs8Gemm(m, n, k, am, w, c, 0);
      const bad = firstMismatch(c, reference(m, n, k, a, za, aStride, b, zb, n, 1), n);
      if (bad) throw new Error(`${bad} (m=${m} n=${n} k=${k} za=${za} zb=${zb})`);
    }), { numRuns: 300 });
  });

  it("takes B transposed (strided) and at an offset, and writes C at an offset", () => {
    const K = compressKernels();
    const m = 5, n = 11, k = 7;
    const a = bytes(m * k + 3, true, 7);
    const bt = bytes(n * k + 2, false, 9);                     // stored [n×k]
    const b: Qs8Weights = { data: bt, offset: 2, rowStride: 1, colStride: k, zeroPoint: 128 };
    const w = K.qs8PackB(k, n, b);
    const c = new Int32Array(m * n + 4).fill(-7);
    K.qs8Gemm(m, n, k, { data: a, offset: 3, rowStride: k, zeroPoint: -3 }, w, c, 4);
    const want = reference(m, n, k, a.subarray(3), -3, k, bt.subarray(2), 128, 1, k);
    expect(Array.from(c.subarray(0, 4))).toEqual([-7, -7, -7, -7]);
    expect(firstMismatch(c.subarray(4), want, n)).toBeNull();
  });

  it("is exact at the extremes: (−128−127)·(255−0) summed over k = 4099", () => {
    const K = compressKernels();
    const m = 6, n = 9, k = 4099;
    const a = new Int8Array(m * k).fill(-128);
    const b = new Uint8Array(k * n).fill(255);
    const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: 0 });
    const c = new Int32Array(m * n);
    K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 127 }, w, c, 0);
    expect(c.every((v) => v === -255 * 255 * k)).toBe(true);
  });

  it("covers the operator's large sizes (several row blocks and panels) exactly", () => {
    const K = compressKernels();
    for (const [m, n, k] of [[67, 45, 300], [130, 17, 2049], [1, 256, 784]]) {
      const a = bytes(m * k, false, m), b = bytes(k * n, true, n);
      const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: -1 });
      const c = new Int32Array(m * n);
      K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 3 }, w, c, 0);
      expect(firstMismatch(c, reference(m, n, k, a, 3, k, b, -1, n, 1), n)).toBeNull();
    }
  });

  it("adds an int32 bias and applies relu to the accumulator", () => {
    fc.assert(fc.property(dims, fc.boolean(), ({ m, n, k, aSigned, bSigned, seed }, relu) => {
      const K = compressKernels();
      const a = bytes(m * k, aSigned, seed), b = bytes(k * n, bSigned, ~seed);
      const bias = Int32Array.from({ length: n }, (_, j) => ((seed * (j + 1)) % 20001) - 10000);
      const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: 0 });
      const c = new Int32Array(m * n);
      K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 0 }, w, c, 0, { bias, relu });
      const want = reference(m, n, k, a, 0, k, b, 0, n, 1, bias).map((v) => (relu && v < 0 ? 0 : v));
      expect(firstMismatch(c, want, n)).toBeNull();
    }), { numRuns: 100 });
  });

  it("requantizes to float32 as f32(acc + bias)·fround(scaleA·scaleB[j]), bit for bit", () => {
    fc.assert(fc.property(dims, fc.boolean(), ({ m, n, k, aSigned, bSigned, perColumn, seed }, relu) => {
      const K = compressKernels();
      const a = bytes(m * k, aSigned, seed), b = bytes(k * n, bSigned, seed * 3);
      const bias = Int32Array.from({ length: n }, (_, j) => ((seed + 7 * j) % 2001) - 1000);
      const scaleA = 0.0173;
      const scaleB = perColumn ? Float32Array.from({ length: n }, (_, j) => 0.001 * (j + 1)) : 0.02;
      const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: 0 });
      const c = new Float32Array(m * n);
      K.qs8GemmF32(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 0 }, w, c, 0,
                   { bias, relu, scaleA, scaleB });
      const acc = reference(m, n, k, a, 0, k, b, 0, n, 1, bias);
      const want = Float32Array.from(acc, (v, i) => {
        const j = i % n;
        const s = Math.fround(scaleA * (typeof scaleB === "number" ? scaleB : scaleB[j]));
        const y = Math.fround(Math.fround(v) * s);
        return relu ? Math.max(y, 0) : y;
      });
      expect(firstMismatch(c, want, n)).toBeNull();
    }), { numRuns: 100 });
  });

  it("gives bias (or zeros) for k = 0 and does nothing for m = 0 or n = 0", () => {
    const K = compressKernels();
    const w = K.qs8PackB(0, 3, { data: new Int8Array(0), offset: 0, rowStride: 3, colStride: 1, zeroPoint: 0 });
    const c = new Int32Array(6).fill(9);
    K.qs8Gemm(2, 3, 0, { data: new Int8Array(0), offset: 0, rowStride: 0, zeroPoint: 0 }, w, c, 0,
              { bias: Int32Array.of(1, -2, 3) });
    expect(Array.from(c)).toEqual([1, -2, 3, 1, -2, 3]);
    const w0 = K.qs8PackB(4, 0, { data: new Int8Array(0), offset: 0, rowStride: 0, colStride: 1, zeroPoint: 0 });
    K.qs8Gemm(2, 0, 4, { data: new Int8Array(8), offset: 0, rowStride: 4, zeroPoint: 0 }, w0, c, 0);
    expect(Array.from(c)).toEqual([1, -2, 3, 1, -2, 3]);
  });
});
