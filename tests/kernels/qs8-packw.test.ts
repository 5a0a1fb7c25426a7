// Packing int8/uint8 weights for the int8 GEMM: the active backend's qs8PackB (on the wasm
// backends the qs8_packw_gemm kernel, SIMD for row-major B) against the JS reference packing
// (qs8PackBJs), and both against the layout written out here, EXACTLY, for k and n straddling
// the manifest's tiles (k = 1, k < KR, odd k, n not a multiple of NR), int8 and uint8, scalar and
// per-column zero points, row-major and strided B. Then the one-shot GEMM (B packed inside the
// call) against an int32 triple loop.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compressKernels, qs8PackBJs, QS8_GEMM } from "../../src/backend/index.js";
import type { Qs8Weights } from "../../src/backend/index.js";

import { bytes, type I8 } from "../support/int8-data.js";
const { NR, KR, MR } = QS8_GEMM;


/** A zero point of the dtype, the extremes included. */
const zeroPoint = (signed: boolean, r: number) => (signed ? (r % 256) - 128 : r % 256);

/** packed[panel][step][col][t] = b(step·KR + t, panel·NR + col) − zb(col), 0 past k or n. */
function layout(k: number, n: number, b: Qs8Weights): Int16Array {
  const panels = Math.ceil(n / NR), steps = Math.ceil(k / KR);
  const out = new Int16Array(panels * steps * NR * KR);
  for (let panel = 0; panel < panels; panel++) {
    for (let step = 0; step < steps; step++) {
      for (let col = 0; col < NR; col++) {
        for (let t = 0; t < KR; t++) {
          const p = step * KR + t, j = panel * NR + col;
          if (p >= k || j >= n) continue;
          const z = typeof b.zeroPoint === "number" ? b.zeroPoint : b.zeroPoint[j];
          out[((panel * steps + step) * NR + col) * KR + t] = b.data[b.offset + p * b.rowStride + j * b.colStride] - z;
        }
      }
    }
  }
  return out;
}

function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return `[${i}] = ${got[i]}, expected ${want[i]}`;
  return null;
}

/** k and n around the tiles: 1, below KR, odd and even; n below, at and past multiples of NR. */
const weights = fc.record({
  k: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: KR - 1 }), fc.integer({ min: 1, max: 4 * KR + 1 }),
              fc.integer({ min: 1, max: 70 })),
  n: fc.oneof(fc.integer({ min: 1, max: 3 * NR + 1 }), fc.integer({ min: 1, max: 8 }).map((p) => p * NR)),
  signed: fc.boolean(),
  perColumn: fc.boolean(),
  transposed: fc.boolean(),
  offset: fc.integer({ min: 0, max: 5 }),
  pad: fc.integer({ min: 0, max: 9 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** B [k×n] as a window of a larger array: row-major with padded rows, or stored transposed. */
function makeB({ k, n, signed, perColumn, transposed, offset, pad, seed }:
               { k: number; n: number; signed: boolean; perColumn: boolean; transposed: boolean;
                 offset: number; pad: number; seed: number }): Qs8Weights {
  const rowStride = transposed ? 1 : n + pad, colStride = transposed ? k + pad : 1;
  const data = bytes(offset + (k - 1) * rowStride + (n - 1) * colStride + 1, signed, seed);
  const zb = perColumn ? Array.from({ length: n }, (_, j) => zeroPoint(signed, (seed >>> 7) + 97 * j))
                       : zeroPoint(signed, seed >>> 9);
  return { data, offset, rowStride, colStride, zeroPoint: zb };
}

describe("qs8PackB (int8 weight packing)", () => {
  it("equals the JS reference packing and the layout exactly: tiles straddled, int8/uint8, scalar/per-column zero points, strides", () => {
    fc.assert(fc.property(weights, (w) => {
      const b = makeB(w);
      const want = layout(w.k, w.n, b);
      const reference = qs8PackBJs(w.k, w.n, b);
      const bad = firstMismatch(reference.data, want) ?? firstMismatch(compressKernels().qs8PackB(w.k, w.n, b).data, reference.data);
      if (bad) throw new Error(`${bad} (k=${w.k} n=${w.n} signed=${w.signed} zb=${b.zeroPoint} transposed=${w.transposed})`);
    }), { numRuns: 400 });
  });

  it("is exact at the extreme differences: int8 −128 and 127 against zero points 127 and −128, uint8 0 and 255 against 255 and 0", () => {
    for (const [signed, lo, hi] of [[true, -128, 127], [false, 0, 255]] as const) {
      const k = 5, n = 2 * NR + 3;
      const data = signed ? new Int8Array(k * n) : new Uint8Array(k * n);
      for (let i = 0; i < data.length; i++) data[i] = i % 2 ? hi : lo;
      for (const zeroPoint of [lo, hi, Array.from({ length: n }, (_, j) => (j % 2 ? lo : hi))]) {
        const b: Qs8Weights = { data, offset: 0, rowStride: n, colStride: 1, zeroPoint };
        expect(firstMismatch(compressKernels().qs8PackB(k, n, b).data, layout(k, n, b))).toBeNull();
      }
    }
  });
});

/** Σ (a−za)(b−zb) (+ bias) with int32 wrap-around, the way onnxruntime's MatMulInteger sums. */
function reference(m: number, n: number, k: number, a: I8, za: number, b: Qs8Weights, bias?: Int32Array): Int32Array {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const z = typeof b.zeroPoint === "number" ? b.zeroPoint : b.zeroPoint[j];
      let acc = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        acc = (acc + Math.imul(a[i * k + p] - za, b.data[b.offset + p * b.rowStride + j * b.colStride] - z)) | 0;
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}

describe("qs8GemmUnpacked (one-shot MatMulInteger, B packed inside the call)", () => {
  it("equals the int32 triple loop exactly, with bias and relu, C at an offset", () => {
    fc.assert(fc.property(weights, fc.integer({ min: 1, max: 2 * MR + 1 }), fc.boolean(), fc.boolean(),
      (w, m, aSigned, relu) => {
        const b = makeB(w);
        const a = bytes(m * w.k, aSigned, w.seed ^ 0x5bd1e995);
        const za = zeroPoint(aSigned, w.seed >>> 3);
        const bias = Int32Array.from({ length: w.n }, (_, j) => ((w.seed * (j + 1)) % 20001) - 10000);
        const c = new Int32Array(3 + m * w.n).fill(-7);
        compressKernels().qs8GemmUnpacked(m, w.n, w.k, { data: a, offset: 0, rowStride: w.k, zeroPoint: za }, b, c, 3,
                                          { bias, relu });
        const want = reference(m, w.n, w.k, a, za, b, bias).map((v) => (relu && v < 0 ? 0 : v));
        const bad = firstMismatch(c.subarray(3), want) ?? firstMismatch(c.subarray(0, 3), [-7, -7, -7]);
        if (bad) throw new Error(`${bad} (m=${m} k=${w.k} n=${w.n})`);
      }), { numRuns: 200 });
  });

  it("covers large sizes (several row blocks and panels) exactly", () => {
    for (const [m, n, k, perColumn] of [[64, 256, 784, true], [130, 17, 2049, false]] as const) {
      const b = makeB({ k, n, signed: n % 2 === 0, perColumn, transposed: false, offset: 0, pad: 0, seed: n });
      const a = bytes(m * k, false, m);
      const c = new Int32Array(m * n);
      const want = reference(m, n, k, a, 131, b);
      expect(compressKernels().qs8GemmUnpacked(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 131 }, b, c, 0)).toBe(c);
      expect(firstMismatch(c, want)).toBeNull();
      // With no array given, C comes back in a new one.
      const fresh = compressKernels().qs8GemmUnpacked(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: 131 }, b, null, 0);
      expect(fresh).toHaveLength(m * n);
      expect(firstMismatch(fresh, want)).toBeNull();
    }
  });

  it("gives the bias (or zeros) for k = 0 and does nothing for m = 0 or n = 0", () => {
    const K = compressKernels();
    const empty: Qs8Weights = { data: new Int8Array(0), offset: 0, rowStride: 3, colStride: 1, zeroPoint: 0 };
    const c = new Int32Array(6).fill(9);
    K.qs8GemmUnpacked(2, 3, 0, { data: new Int8Array(0), offset: 0, rowStride: 0, zeroPoint: 0 }, empty, c, 0,
                      { bias: Int32Array.of(1, -2, 3) });
    expect(Array.from(c)).toEqual([1, -2, 3, 1, -2, 3]);
    expect(Array.from(K.qs8GemmUnpacked(2, 3, 0, { data: new Int8Array(0), offset: 0, rowStride: 0, zeroPoint: 0 }, empty, null, 0,
                                        { bias: Int32Array.of(1, -2, 3) }))).toEqual([1, -2, 3, 1, -2, 3]);
    expect(K.qs8GemmUnpacked(2, 0, 4, { data: new Int8Array(8), offset: 0, rowStride: 4, zeroPoint: 0 }, empty, null, 0)).toHaveLength(0);
    K.qs8GemmUnpacked(2, 0, 4, { data: new Int8Array(8), offset: 0, rowStride: 4, zeroPoint: 0 }, empty, c, 0);
    K.qs8GemmUnpacked(0, 3, 4, { data: new Int8Array(0), offset: 0, rowStride: 4, zeroPoint: 0 },
                      { ...empty, data: new Int8Array(12) }, c, 0);
    expect(Array.from(c)).toEqual([1, -2, 3, 1, -2, 3]);
  });
});
