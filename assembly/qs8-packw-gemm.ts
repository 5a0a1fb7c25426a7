// Packs int8/uint8 weights B[k×n] for the qs8 GEMM: zero point subtracted, widened to i16 and
// laid out as the micro-kernel reads it, so the hot loop does no conversion at all. The packed
// size, ceil(n/8) panels × ceil(k/2) k-pairs × 8 columns × 2 i16, is computed by the caller
// (qs8PackedLength in src/backend/qs8-types.ts; a test compares the layouts). It runs once per
// quantized layer, and on every call of a one-shot MatMulInteger, where it must cost little next
// to the GEMM: row-major B (column stride 1) is widened and interleaved eight columns at a time.
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
  const panelBytes = <usize>pairs << 5;
  let j0 = 0;
  if (bColStride == 1) {
    for (; j0 + QS8_NR <= n; j0 += QS8_NR) {
      packPanel8(k, b + <usize>j0, bRowStride, bSigned, zp + (zpPerColumn ? <usize>j0 << 2 : 0), zpPerColumn, out);
      out += panelBytes;
    }
  }
  for (; j0 < n; j0 += QS8_NR) {
    packPanelScalar(k, n - j0, b + <usize>(j0 * bColStride), bRowStride, bColStride, bSigned,
                    zp + (zpPerColumn ? <usize>j0 << 2 : 0), zpPerColumn, out);
    out += panelBytes;
  }
}

/**
 * One full panel of 8 contiguous columns: per k-pair, the two rows' 8 bytes are widened to i16,
 * the zero points taken off, and the rows interleaved into (p, p+1) pairs per column. uint8 goes
 * through the signed widening as u − 128 = i8(u ^ 0x80), the 128 folded into the zero point, so
 * one branch-free loop serves both types; every step is exact in i16 (|q − zp| ≤ 383).
 */
function packPanel8(k: i32, b: usize, bRowStride: i32, bSigned: i32, zp: usize, zpPerColumn: i32, out: usize): void {
  const flip = i8x16.splat(bSigned ? 0 : -128);
  // The low 16 bits of each i32 zero point (wrapping like the scalar path's i16 store).
  let vz = zpPerColumn
    ? i16x8.shuffle(v128.load(zp), v128.load(zp, 16), 0, 2, 4, 6, 8, 10, 12, 14)
    : i16x8.splat(<i16>load<i32>(zp));
  if (!bSigned) vz = i16x8.sub(vz, i16x8.splat(128));
  const rowBytes = <usize>bRowStride;
  let row = b;
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    const r0 = i16x8.sub(i16x8.extend_low_i8x16_s(v128.xor(v128.load64_zero(row), flip)), vz);
    const r1 = i16x8.sub(i16x8.extend_low_i8x16_s(v128.xor(v128.load64_zero(row + rowBytes), flip)), vz);
    v128.store(out, i16x8.shuffle(r0, r1, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(out, i16x8.shuffle(r0, r1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    out += 32;
    row += rowBytes << 1;
  }
  if (p < k) {
    // Odd k: the last pair's second row is padding, which must be exactly zero.
    const r0 = i16x8.sub(i16x8.extend_low_i8x16_s(v128.xor(v128.load64_zero(row), flip)), vz);
    const z = i16x8.splat(0);
    v128.store(out, i16x8.shuffle(r0, z, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(out, i16x8.shuffle(r0, z, 4, 12, 5, 13, 6, 14, 7, 15), 16);
  }
}

/** One panel element by element: any strides, and the last panel when n is not a multiple of 8. */
function packPanelScalar(k: i32, nc: i32, b: usize, bRowStride: i32, bColStride: i32, bSigned: i32,
                         zp: usize, zpPerColumn: i32, out: usize): void {
  const pairs = (k + 1) >> 1;
  for (let q = 0; q < pairs; q++) {
    for (let jj = 0; jj < QS8_NR; jj++) {
      for (let t = 0; t < 2; t++) {
        const p = 2 * q + t;
        let v: i32 = 0;
        if (jj < nc && p < k) {
          const src = b + <usize>(p * bRowStride + jj * bColStride);
          const raw: i32 = bSigned ? <i32>load<i8>(src) : <i32>load<u8>(src);
          v = raw - load<i32>(zp + (zpPerColumn ? <usize>jj << 2 : 0));
        }
        store<i16>(out, <i16>v);
        out += 2;
      }
    }
  }
}
