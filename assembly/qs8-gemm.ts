// The int8 GEMM operator: widens A (minus its zero point) to i16 once, into the micro-kernel's
// 4-row panels, then runs the 4x8c2 micro-kernel over row blocks × column panels. One call per
// MatMulInteger / quantized layer.
// Why "qs8" although A and B may each be int8 or uint8: the zero points come off while widening,
// so everything past the widening is signed (q − zp ∈ [−255, 255]) and one kernel serves both
// types. (XNNPACK has a separate unsigned family, qu8, because its kernels keep uint8 bytes in
// the hot loop; ours never do.)
import {
  QS8_MR, QS8_NR, qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2,
} from "./qs8-gemm-4x8c2-wasmsimd-dot16x2";
import { x16_packa_4x2 } from "./x16-packa-4x2";

// Rows of widened A per block: the block (MC·k·2 bytes) stays in L2 while every column panel
// of B passes over it, and each 8-column panel (k·16 bytes) stays in L1 across the block.
const BLOCK_BYTES: i32 = 256 * 1024;

/** Bytes of workspace qs8_gemm needs: A widened to i16 in 4-row panels (k padded to even), 4 staging rows. */
export function qs8_gemm_workspace(m: i32, n: i32, k: i32): i32 {
  return (((m + 3) & ~3) + 4) * ((k + 1) & ~1) * 2;
}

/**
 * C[m×n] = (A − aZero)·W + bias, W packed by qs8_packw_gemm (its zero points already taken
 * off). A element (i, p) is the byte at a + i·aRowStride + p (i8 if aSigned else u8).
 * bias: ceil(n/8)·8 i32; scale: as many f32 (read only with QS8_FLOAT_OUT). C: 4-byte elements
 * with row stride cRowStride elements, i32 or (QS8_FLOAT_OUT) f32 = f32(acc + bias)·scale[j].
 */
export function qs8_gemm(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aSigned: i32, aZero: i32,
  w: usize, c: usize, cRowStride: i32, bias: usize, scale: usize, flags: i32, work: usize,
): void {
  const kc = (k + 1) & ~1;
  const rowBytes = <usize>kc << 1; // A's panel of rows i..i+3 starts at i·rowBytes
  widenA(m, k, kc, a, aRowStride, aSigned, aZero, work);

  const panelBytes = <usize>kc << 4;
  const cStride = <usize>cRowStride << 2;
  // (k = 0 still runs the tiles: C is then the bias.)
  let mc = kc > 0 ? (BLOCK_BYTES / (kc * 2)) & ~(QS8_MR - 1) : m;
  if (mc < QS8_MR) mc = QS8_MR;
  for (let i0 = 0; i0 < m; i0 += mc) {
    const mb = min(mc, m - i0);
    for (let j0 = 0; j0 < n; j0 += QS8_NR) {
      const nc = min(QS8_NR, n - j0);
      const wp = w + <usize>(j0 / QS8_NR) * panelBytes;
      const bp = bias + (<usize>j0 << 2);
      const sp = scale + (<usize>j0 << 2);
      for (let i = i0; i < i0 + mb; i += QS8_MR) {
        qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2(
          min(QS8_MR, i0 + mb - i), nc, kc, work + <usize>i * rowBytes, wp,
          c + <usize>i * cStride + (<usize>j0 << 2), cStride, bp, sp, flags);
      }
    }
  }
}

// A into i16 with the zero point off, in the micro-kernel's 4-row panels: four rows at a time
// widened into a staging area after the panels (row by row, 16 bytes a step), then put into
// their panel by x16_packa_4x2 (one transposing copy in the module, not one per caller).
function widenA(m: i32, k: i32, kc: i32, a: usize, aRowStride: i32, aSigned: i32, aZero: i32,
                out: usize): void {
  const rowBytes = <usize>kc << 1, stage = out + <usize>((m + 3) & ~3) * rowBytes;
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    for (let r = 0; r < rows; r++) {
      widenRow(k, kc, a + <usize>(i + r) * aRowStride, aSigned, aZero, stage + <usize>r * rowBytes);
    }
    x16_packa_4x2(rows, kc, stage, rowBytes, out + <usize>i * rowBytes);
  }
}

/** One row of A into i16 with the zero point off; an odd k gets a zero in the pad column. */
function widenRow(k: i32, kc: i32, src: usize, aSigned: i32, aZero: i32, dst: usize): void {
  let p = 0;
  // 16 at a time: sign- or zero-extend the bytes to i16, subtract the zero point.
  const vz = i16x8.splat(<i16>aZero);
  if (aSigned) {
    for (; p + 16 <= k; p += 16) {
      const v = v128.load(src + p);
      v128.store(dst + (<usize>p << 1), i16x8.sub(i16x8.extend_low_i8x16_s(v), vz));
      v128.store(dst + (<usize>p << 1), i16x8.sub(i16x8.extend_high_i8x16_s(v), vz), 16);
    }
  } else {
    for (; p + 16 <= k; p += 16) {
      const v = v128.load(src + p);
      v128.store(dst + (<usize>p << 1), i16x8.sub(i16x8.extend_low_i8x16_u(v), vz));
      v128.store(dst + (<usize>p << 1), i16x8.sub(i16x8.extend_high_i8x16_u(v), vz), 16);
    }
  }
  for (; p < k; p++) {
    const raw: i32 = aSigned ? <i32>load<i8>(src + p) : <i32>load<u8>(src + p);
    store<i16>(dst + (<usize>p << 1), <i16>(raw - aZero));
  }
  if (k < kc) store<i16>(dst + (<usize>k << 1), 0);
}
