// The int8 GEMM micro-kernel: 4 rows × 8 columns, k taken two at a time (c2) so one
// `i32x4.dot_i16x8_s` does 8 multiply-adds (x64: pmaddwd). Both operands arrive already widened
// to i16 with their zero points subtracted, so int8 and uint8 inputs take the same exact path:
// |a−za|, |b−zb| ≤ 255, a pair sum ≤ 2·255² fits i32 and the only rounding is none at all.

export const QS8_MR: i32 = 4;
export const QS8_NR: i32 = 8;

import { QS8_FLOAT_OUT, QS8_RELU } from "./flags";

/**
 * A flag of the micro-kernel alone (operators never see it): bias and scale hold one value per
 * row of the tile (row i at offset 4·i) instead of one per column of the panel.
 */
export const QS8_UK_PER_ROW: i32 = 4;
/**
 * Another micro-kernel flag, with QS8_UK_PER_ROW and QS8_FLOAT_OUT: the 8 columns are a 2×4 block
 * of output pixels (columns 0–3 one image row, 4–7 the row below), and each row of the tile
 * stores the maxima of its two 2×2 windows (nc of them, 1 or 2) instead of 8 values. The window's
 * maximum is taken on the i32 sums after the bias, before the conversion: exact when every scale
 * is finite and ≥ +0 (relu(f32(u)·s) then never decreases as u grows), which the caller checks.
 */
export const QS8_UK_POOL_2X4: i32 = 16;

/**
 * C[0..mr, 0..nc) = A[0..mr, 0..kc) · W + bias, then either stored as i32, or (QS8_FLOAT_OUT)
 * converted to f32 and multiplied by `scale[j]`, then max(·, 0) if QS8_RELU.
 *
 * A: one panel of 4 rows (qs8PackA's layout): kc/2 groups of 4 rows × 2 k (16 bytes), kc even
 *    (the operator pads an odd k with one zero); rows past mr are read and their results
 *    discarded. W: one packed panel from qs8_packw_gemm, kc/2 groups of 8 columns × 2 k (32 bytes).
 * bias (i32) and scale (f32): 8 values each for this panel (padded past n by the operator), or
 *    with QS8_UK_PER_ROW one per row of the tile (mr values).
 * C: byte pointer and byte row stride; 4-byte elements either way. 1 ≤ mr ≤ 4, 1 ≤ nc ≤ 8.
 */
export function qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2(
  mr: i32, nc: i32, kc: i32, a: usize, w: usize,
  c: usize, cStride: usize, bias: usize, scale: usize, flags: i32,
): void {
  qs8Gemm4x8c2(mr, nc, kc, a, w, c, cStride, bias, scale, flags);
}

/**
 * The micro-kernel's body, inlined where a caller's constant arguments (mr, nc, flags) let the
 * compiler drop its branches: the Winograd convolution's 16 small GEMMs per image.
 */
// @ts-ignore: decorator
@inline export function qs8Gemm4x8c2(
  mr: i32, nc: i32, kc: i32, a: usize, w: usize,
  c: usize, cStride: usize, bias: usize, scale: usize, flags: i32,
): void {
  // All four rows are computed; C rows past mr alias the row above and are stored first (the
  // epilogue below), so the real row's store wins and the hot loop has no per-row branches.
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
  // The loop's own work is most of what V8 adds to the 44 vector instructions of an iteration,
  // so it is kept small: the four rows' pairs sit side by side in A's panel (one pointer with
  // immediate offsets, where four row pointers cost four increments and four register moves an
  // iteration: 6–10% slower at 256³–512³), and the loop runs to an end pointer (a pair count
  // was kept on the stack: 2–3% slower). Four pairs per iteration were 10–13% slower: V8 hoists
  // all eight W loads to the top and spills accumulators.
  const pairs = kc >> 1;
  const wEnd = w + (<usize>(pairs >> 1) << 6);
  while (w < wEnd) {
    let vb0123 = v128.load(w);
    let vb4567 = v128.load(w, 16);
    let va0 = v128.load32_splat(a);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    let va1 = v128.load32_splat(a, 4);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    let va2 = v128.load32_splat(a, 8);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    let va3 = v128.load32_splat(a, 12);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);

    vb0123 = v128.load(w, 32);
    vb4567 = v128.load(w, 48);
    va0 = v128.load32_splat(a, 16);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    va1 = v128.load32_splat(a, 20);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    va2 = v128.load32_splat(a, 24);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    va3 = v128.load32_splat(a, 28);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);

    w += 64;
    a += 32;
  }
  if (pairs & 1) {
    const vb0123 = v128.load(w);
    const vb4567 = v128.load(w, 16);
    const va0 = v128.load32_splat(a);
    acc0x0123 = i32x4.add(i32x4.dot_i16x8_s(va0, vb0123), acc0x0123);
    acc0x4567 = i32x4.add(i32x4.dot_i16x8_s(va0, vb4567), acc0x4567);
    const va1 = v128.load32_splat(a, 4);
    acc1x0123 = i32x4.add(i32x4.dot_i16x8_s(va1, vb0123), acc1x0123);
    acc1x4567 = i32x4.add(i32x4.dot_i16x8_s(va1, vb4567), acc1x4567);
    const va2 = v128.load32_splat(a, 8);
    acc2x0123 = i32x4.add(i32x4.dot_i16x8_s(va2, vb0123), acc2x0123);
    acc2x4567 = i32x4.add(i32x4.dot_i16x8_s(va2, vb4567), acc2x4567);
    const va3 = v128.load32_splat(a, 12);
    acc3x0123 = i32x4.add(i32x4.dot_i16x8_s(va3, vb0123), acc3x0123);
    acc3x4567 = i32x4.add(i32x4.dot_i16x8_s(va3, vb4567), acc3x4567);
  }

  // The epilogue, row by row: per column (a GEMM: bias and scale of the panel's 8 columns) or,
  // with QS8_UK_PER_ROW, per row (a convolution, whose rows are output channels: one bias and
  // one scale per row, splat). Rows past mr read the row above's values and store the same
  // results again, from the last row up, so the real row's store wins.
  if (flags & QS8_UK_PER_ROW) {
    const r1: usize = mr > 1 ? 4 : 0, r2: usize = mr > 2 ? 8 : r1, r3: usize = mr > 3 ? 12 : r2;
    if (flags & QS8_UK_POOL_2X4) {
      finishRowPooled(c3, nc, acc3x0123, acc3x4567, bias + r3, scale + r3, flags);
      finishRowPooled(c2, nc, acc2x0123, acc2x4567, bias + r2, scale + r2, flags);
      finishRowPooled(c1, nc, acc1x0123, acc1x4567, bias + r1, scale + r1, flags);
      finishRowPooled(c0, nc, acc0x0123, acc0x4567, bias, scale, flags);
      return;
    }
    finishRowSplat(c3, nc, acc3x0123, acc3x4567, bias + r3, scale + r3, flags);
    finishRowSplat(c2, nc, acc2x0123, acc2x4567, bias + r2, scale + r2, flags);
    finishRowSplat(c1, nc, acc1x0123, acc1x4567, bias + r1, scale + r1, flags);
    finishRowSplat(c0, nc, acc0x0123, acc0x4567, bias, scale, flags);
    return;
  }
  const vbias0123 = v128.load(bias), vbias4567 = v128.load(bias, 16);
  // (scale is read only with QS8_FLOAT_OUT: a plain int32 GEMM may pass no scale at all.)
  const floatOut = (flags & QS8_FLOAT_OUT) != 0;
  const vs0123 = floatOut ? v128.load(scale) : i32x4.splat(0);
  const vs4567 = floatOut ? v128.load(scale, 16) : i32x4.splat(0);
  finishRow(c3, nc, acc3x0123, acc3x4567, vbias0123, vbias4567, vs0123, vs4567, flags);
  finishRow(c2, nc, acc2x0123, acc2x4567, vbias0123, vbias4567, vs0123, vs4567, flags);
  finishRow(c1, nc, acc1x0123, acc1x4567, vbias0123, vbias4567, vs0123, vs4567, flags);
  finishRow(c0, nc, acc0x0123, acc0x4567, vbias0123, vbias4567, vs0123, vs4567, flags);
}

// @ts-ignore: decorator
@inline function finishRowSplat(c: usize, nc: i32, v0123: v128, v4567: v128, bias: usize, scale: usize,
                                flags: i32): void {
  const vb = i32x4.splat(load<i32>(bias));
  const vs = flags & QS8_FLOAT_OUT ? f32x4.splat(load<f32>(scale)) : i32x4.splat(0);
  finishRowInline(c, nc, v0123, v4567, vb, vb, vs, vs, flags);
}

// QS8_UK_POOL_2X4's row: + bias, the maximum over the two image rows (v0123 against v4567), then
// over column pairs (0, 1) and (2, 3); the epilogue of those two sums; nc (1 or 2) stored.
function finishRowPooled(c: usize, nc: i32, v0123: v128, v4567: v128, bias: usize, scale: usize, flags: i32): void {
  const vb = i32x4.splat(load<i32>(bias));
  const rows = i32x4.max_s(i32x4.add(v0123, vb), i32x4.add(v4567, vb));
  const u = i32x4.max_s(v128.shuffle<i32>(rows, rows, 0, 2, 0, 2), v128.shuffle<i32>(rows, rows, 1, 3, 1, 3));
  let v = f32x4.mul(f32x4.convert_i32x4_s(u), f32x4.splat(load<f32>(scale)));
  if (flags & QS8_RELU) v = f32x4.max(v, f32x4.splat(0));
  if (nc == 2) v128.store64_lane(c, v, 0);
  else v128.store32_lane(c, v, 0);
}

// The per-column epilogue (a GEMM's) as a call: a GEMM's tiles have a long k loop, so the call
// costs nothing measurable, and its four inlined copies would cost 0.2 KB gzip of every full
// build. The per-row one (a convolution's, where a first layer has k = 9 and the epilogue weighs
// most) stays inlined: against a call there, the int8 CNN's inference was about 5% faster in
// three of five alternated runs and even in the other two.
function finishRow(c: usize, nc: i32, v0123: v128, v4567: v128, vb0123: v128, vb4567: v128,
                   vs0123: v128, vs4567: v128, flags: i32): void {
  finishRowInline(c, nc, v0123, v4567, vb0123, vb4567, vs0123, vs4567, flags);
}

/**
 * One row of the tile: + bias, then either f32(acc + bias)·scale (QS8_FLOAT_OUT, the product
 * rounded once) or the i32 sum, then max(·, 0) if QS8_RELU; stored.
 */
// @ts-ignore: decorator
@inline function finishRowInline(c: usize, nc: i32, v0123: v128, v4567: v128, vb0123: v128, vb4567: v128,
                                 vs0123: v128, vs4567: v128, flags: i32): void {
  v0123 = i32x4.add(v0123, vb0123);
  v4567 = i32x4.add(v4567, vb4567);
  if (flags & QS8_FLOAT_OUT) {
    v0123 = f32x4.mul(f32x4.convert_i32x4_s(v0123), vs0123);
    v4567 = f32x4.mul(f32x4.convert_i32x4_s(v4567), vs4567);
    if (flags & QS8_RELU) {
      v0123 = f32x4.max(v0123, f32x4.splat(0));
      v4567 = f32x4.max(v4567, f32x4.splat(0));
    }
  } else if (flags & QS8_RELU) {
    v0123 = i32x4.max_s(v0123, i32x4.splat(0));
    v4567 = i32x4.max_s(v4567, i32x4.splat(0));
  }
  storeRow(c, nc, v0123, v4567);
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
