// The int8 GEMM micro-kernel: 4 rows × 8 columns, k taken two at a time (c2) so one
// `i32x4.dot_i16x8_s` does 8 multiply-adds (x64: pmaddwd). Both operands arrive already widened
// to i16 with their zero points subtracted, so int8 and uint8 inputs take the same exact path:
// |a−za|, |b−zb| ≤ 255, a pair sum ≤ 2·255² fits i32 and the only rounding is none at all.

export const QS8_MR: i32 = 4;
export const QS8_NR: i32 = 8;

import { QS8_FLOAT_OUT, QS8_RELU } from "./flags";

/**
 * C[0..mr, 0..nc) = A[0..mr, 0..kc) · W + bias, then either stored as i32, or (QS8_FLOAT_OUT)
 * converted to f32 and multiplied by `scale[j]`, then max(·, 0) if QS8_RELU.
 *
 * A: mr rows of kc i16 (kc even; the operator pads an odd k with one zero), row stride `aStride`
 *    bytes. W: one packed panel from qs8_packw_gemm, kc/2 groups of 8 columns × 2 k (32 bytes).
 * bias (i32) and scale (f32): 8 values each for this panel (padded past n by the operator).
 * C: byte pointer and byte row stride; 4-byte elements either way. 1 ≤ mr ≤ 4, 1 ≤ nc ≤ 8.
 */
export function qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2(
  mr: i32, nc: i32, kc: i32, a: usize, aStride: usize, w: usize,
  c: usize, cStride: usize, bias: usize, scale: usize, flags: i32,
): void {
  // Rows past mr alias the row above: they compute (and store) the same values again, so the
  // hot loop has no per-row branches. NOTE: the row pointers advance inside the loop rather than
  // being offsets from fixed bases; otherwise Binaryen sinks these selects into the loop body.
  let a0 = a;
  let a1 = mr > 1 ? a0 + aStride : a0;
  let a2 = mr > 2 ? a1 + aStride : a1;
  let a3 = mr > 3 ? a2 + aStride : a2;
  const c0 = c;
  const c1 = mr > 1 ? c0 + cStride : c0;
  const c2 = mr > 2 ? c1 + cStride : c1;
  const c3 = mr > 3 ? c2 + cStride : c2;

  let acc0x0123 = i32x4.splat(0), acc0x4567 = i32x4.splat(0);
  let acc1x0123 = i32x4.splat(0), acc1x4567 = i32x4.splat(0);
  let acc2x0123 = i32x4.splat(0), acc2x4567 = i32x4.splat(0);
  let acc3x0123 = i32x4.splat(0), acc3x4567 = i32x4.splat(0);

  // One step: a k-pair (a[i,p], a[i,p+1]) splat to all lanes, against columns 0..3 and 4..7
  // of W's k-pair: lane j of the dot is a[i,p]·b[p,j] + a[i,p+1]·b[p+1,j]. Two steps per
  // iteration, with immediate offsets, halve the loop overhead. The dot comes first in each add
  // (same sum: integer addition commutes) because V8 then keeps the accumulators in place; with
  // the accumulator first, this loop ran 10–15% slower from L1 on x64.
  let pairs = kc >> 1;
  for (; pairs >= 2; pairs -= 2) {
    let vb0123 = v128.load(w);
    let vb4567 = v128.load(w, 16);
    let va0 = v128.load32_splat(a0);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    let va1 = v128.load32_splat(a1);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    let va2 = v128.load32_splat(a2);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    let va3 = v128.load32_splat(a3);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);

    vb0123 = v128.load(w, 32);
    vb4567 = v128.load(w, 48);
    va0 = v128.load32_splat(a0, 4);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    va1 = v128.load32_splat(a1, 4);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    va2 = v128.load32_splat(a2, 4);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    va3 = v128.load32_splat(a3, 4);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);

    w += 64;
    a0 += 8; a1 += 8; a2 += 8; a3 += 8;
  }
  if (pairs) {
    const vb0123 = v128.load(w);
    const vb4567 = v128.load(w, 16);
    const va0 = v128.load32_splat(a0);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    const va1 = v128.load32_splat(a1);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    const va2 = v128.load32_splat(a2);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    const va3 = v128.load32_splat(a3);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);
  }

  const vbias0123 = v128.load(bias);
  const vbias4567 = v128.load(bias, 16);
  acc0x0123 = i32x4.add(acc0x0123, vbias0123); acc0x4567 = i32x4.add(acc0x4567, vbias4567);
  acc1x0123 = i32x4.add(acc1x0123, vbias0123); acc1x4567 = i32x4.add(acc1x4567, vbias4567);
  acc2x0123 = i32x4.add(acc2x0123, vbias0123); acc2x4567 = i32x4.add(acc2x4567, vbias4567);
  acc3x0123 = i32x4.add(acc3x0123, vbias0123); acc3x4567 = i32x4.add(acc3x4567, vbias4567);

  if (flags & QS8_FLOAT_OUT) {
    // Requantize to float: f32(acc + bias) · (scaleA·scaleB[j]), the product rounded once.
    const vs0123 = v128.load(scale);
    const vs4567 = v128.load(scale, 16);
    acc0x0123 = f32x4.mul(f32x4.convert_i32x4_s(acc0x0123), vs0123);
    acc0x4567 = f32x4.mul(f32x4.convert_i32x4_s(acc0x4567), vs4567);
    acc1x0123 = f32x4.mul(f32x4.convert_i32x4_s(acc1x0123), vs0123);
    acc1x4567 = f32x4.mul(f32x4.convert_i32x4_s(acc1x4567), vs4567);
    acc2x0123 = f32x4.mul(f32x4.convert_i32x4_s(acc2x0123), vs0123);
    acc2x4567 = f32x4.mul(f32x4.convert_i32x4_s(acc2x4567), vs4567);
    acc3x0123 = f32x4.mul(f32x4.convert_i32x4_s(acc3x0123), vs0123);
    acc3x4567 = f32x4.mul(f32x4.convert_i32x4_s(acc3x4567), vs4567);
    if (flags & QS8_RELU) {
      const z = f32x4.splat(0);
      acc0x0123 = f32x4.max(acc0x0123, z); acc0x4567 = f32x4.max(acc0x4567, z);
      acc1x0123 = f32x4.max(acc1x0123, z); acc1x4567 = f32x4.max(acc1x4567, z);
      acc2x0123 = f32x4.max(acc2x0123, z); acc2x4567 = f32x4.max(acc2x4567, z);
      acc3x0123 = f32x4.max(acc3x0123, z); acc3x4567 = f32x4.max(acc3x4567, z);
    }
  } else if (flags & QS8_RELU) {
    const z = i32x4.splat(0);
    acc0x0123 = i32x4.max_s(acc0x0123, z); acc0x4567 = i32x4.max_s(acc0x4567, z);
    acc1x0123 = i32x4.max_s(acc1x0123, z); acc1x4567 = i32x4.max_s(acc1x4567, z);
    acc2x0123 = i32x4.max_s(acc2x0123, z); acc2x4567 = i32x4.max_s(acc2x4567, z);
    acc3x0123 = i32x4.max_s(acc3x0123, z); acc3x4567 = i32x4.max_s(acc3x4567, z);
  }

  // Store from the last row up: aliased rows write the same values, so order does not matter
  // for correctness; this order matches XNNPACK's habit.
  storeRow(c3, nc, acc3x0123, acc3x4567);
  storeRow(c2, nc, acc2x0123, acc2x4567);
  storeRow(c1, nc, acc1x0123, acc1x4567);
  storeRow(c0, nc, acc0x0123, acc0x4567);
}

// @ts-ignore: decorator
@inline function storeRow(c: usize, nc: i32, v0123: v128, v4567: v128): void {
  if (nc == 8) {
    v128.store(c, v0123);
    v128.store(c, v4567, 16);
    return;
  }
  // A partial tile: 4, then 2, then 1 lanes, shifting the remaining lanes down each time.
  if (nc & 4) {
    v128.store(c, v0123);
    v0123 = v4567;
    c += 16;
  }
  if (nc & 2) {
    v128.store64_lane(c, v0123, 0);
    v0123 = v128.shuffle<i64>(v0123, v0123, 1, 1);
    c += 8;
  }
  if (nc & 1) v128.store32_lane(c, v0123, 0);
}
