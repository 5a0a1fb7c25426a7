// Packs int8/uint8 weights B[k×n] for the qs8 GEMM once: zero point subtracted, widened to i16
// and laid out as the micro-kernel reads it, so the hot loop does no conversion at all. The
// packed size, ceil(n/8) panels × ceil(k/2) k-pairs × 8 columns × 2 i16, is computed by the
// caller (qs8PackedLength in src/backend/qs8-types.ts; a test compares the layouts).
import { QS8_NR } from "./qs8-gemm-4x8c2-wasmsimd-dot16x2";

/**
 * out[panel][pair][col][2] = b[2·pair + t, 8·panel + col] − zp(col), and 0 past k or n, so the
 * kernel's padding contributes nothing to the sums. B element (p, j) is the byte at
 * b + p·bRowStride + j·bColStride (element strides), read as i8 if bSigned else u8.
 * zp: i32 zero points, n of them if zpPerColumn else one.
 */
export function qs8_packw_gemm(
  k: i32, n: i32, b: usize, bRowStride: i32, bColStride: i32, bSigned: i32,
  zp: usize, zpPerColumn: i32, out: usize,
): void {
  const pairs = (k + 1) >> 1;
  for (let j0 = 0; j0 < n; j0 += QS8_NR) {
    for (let q = 0; q < pairs; q++) {
      for (let jj = 0; jj < QS8_NR; jj++) {
        const j = j0 + jj;
        for (let t = 0; t < 2; t++) {
          const p = 2 * q + t;
          let v: i32 = 0;
          if (j < n && p < k) {
            const src = b + <usize>(p * bRowStride + j * bColStride);
            const raw: i32 = bSigned ? <i32>load<i8>(src) : <i32>load<u8>(src);
            v = raw - load<i32>(zp + (zpPerColumn ? <usize>j << 2 : 0));
          }
          store<i16>(out, <i16>v);
          out += 2;
        }
      }
    }
  }
}
