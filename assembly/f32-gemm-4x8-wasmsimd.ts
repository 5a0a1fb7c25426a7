// The f32 GEMM micro-kernel: a 4x8 tile of C from a packed 4-row A panel and a packed 8-column
// B panel. 4x8 is the largest tile whose 8 accumulators, 2 B vectors and the A splat fit in the
// 15 xmm registers V8 allocates on x64; 6x8 and 8x8 spill and lose 35–40% (measured in Node 20).

/** Rows of the micro-tile. A panels are packed in groups of MR rows. */
export const MR: usize = 4;
/** Columns of the micro-tile. B panels are packed in groups of NR columns. */
export const NR: usize = 8;

/** Add the current C tile to the product (accumulate, or a later k-block of the same call). */
export const UK_LOAD_C: u32 = 1;
/** Last k-block: add the panel's bias header (and apply relu if UK_RELU). */
export const UK_LAST: u32 = 2;
export const UK_RELU: u32 = 4;

// One source, two builds: relaxed_madd becomes an FMA where the engine has one; the simd build
// never sees the relaxed opcode because the constant branch is folded at compile time.
// NOTE: the plain form adds the product to the accumulator, not the accumulator to the product:
// the same bits (float addition commutes), but with the accumulator as the second operand V8
// (Node 20, x64) keeps each accumulator in one register across the loop, and the inner loop of
// this kernel ran at 40–41 GFLOP/s from L1 on the AMD EPYC (Zen 4) machine against 30 with the
// operands the other way round (medians of 60 interleaved rounds).
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}

// Loads the first r (0..4) floats at p, zeros elsewhere: never reads past column n of C.
// @ts-ignore: decorator
@inline function loadN(p: usize, r: usize): v128 {
  if (r >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (r & 2) {
    v = v128.load64_zero(p);
    if (r & 1) v = v128.load32_lane(p, v, 2, 8);
  } else if (r & 1) {
    v = v128.load32_zero(p);
  }
  return v;
}

// Stores the first r (0..4) lanes of v at p.
// @ts-ignore: decorator
@inline function storeN(p: usize, v: v128, r: usize): void {
  if (r >= 4) {
    v128.store(p, v);
  } else if (r & 2) {
    v128.store64_lane(p, v, 0);
    if (r & 1) v128.store32_lane(p, v, 2, 8);
  } else if (r & 1) {
    v128.store32_lane(p, v, 0);
  }
}

// @ts-ignore: decorator
@inline function loadRowLo(p: usize, nr: usize): v128 {
  return nr >= 4 ? v128.load(p) : loadN(p, nr);
}
// @ts-ignore: decorator
@inline function loadRowHi(p: usize, nr: usize): v128 {
  return nr >= 8 ? v128.load(p, 16) : loadN(p + 16, nr > 4 ? nr - 4 : 0);
}
// @ts-ignore: decorator
@inline function storeRow(p: usize, lo: v128, hi: v128, nr: usize): void {
  if (nr >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else if (nr >= 4) {
    v128.store(p, lo);
    storeN(p + 16, hi, nr - 4);
  } else {
    storeN(p, lo, nr);
  }
}

/**
 * C[0..mr, 0..nr) (+)= Apanel · Bpanel, then on the last k-block + bias and relu.
 * a: packed A, kc steps of MR floats (rows past mr are zeros). w: packed B, NR bias floats then
 * kc rows of NR floats (columns past nr are zeros). c: byte pointer, cStride in bytes.
 * 1 ≤ mr ≤ 4, 1 ≤ nr ≤ 8, kc ≥ 0.
 */
export function f32_gemm_ukernel_4x8__wasmsimd(mr: usize, nr: usize, kc: usize, a: usize,
    w: usize, c: usize, cStride: usize, flags: u32): void {
  let acc0x0123 = f32x4.splat(0), acc0x4567 = f32x4.splat(0);
  let acc1x0123 = f32x4.splat(0), acc1x4567 = f32x4.splat(0);
  let acc2x0123 = f32x4.splat(0), acc2x4567 = f32x4.splat(0);
  let acc3x0123 = f32x4.splat(0), acc3x4567 = f32x4.splat(0);
  let pa = a;
  let pw = w + NR * 4;
  let p = kc;
  // Two k-steps per trip with immediate offsets. NOTE: measured, not guessed: unrolling by 2
  // runs the relaxed (FMA) build at ~56 GFLOP/s from L1, by 4 or 3 at only ~47–49 (V8's code
  // for the longer body is slower); the plain build is ~47.5 either way.
  while (p >= 2) {
    let vb0123 = v128.load(pw, 0), vb4567 = v128.load(pw, 16);
    let va = v128.load32_splat(pa, 0);
    acc0x0123 = madd(va, vb0123, acc0x0123); acc0x4567 = madd(va, vb4567, acc0x4567);
    va = v128.load32_splat(pa, 4);
    acc1x0123 = madd(va, vb0123, acc1x0123); acc1x4567 = madd(va, vb4567, acc1x4567);
    va = v128.load32_splat(pa, 8);
    acc2x0123 = madd(va, vb0123, acc2x0123); acc2x4567 = madd(va, vb4567, acc2x4567);
    va = v128.load32_splat(pa, 12);
    acc3x0123 = madd(va, vb0123, acc3x0123); acc3x4567 = madd(va, vb4567, acc3x4567);

    vb0123 = v128.load(pw, 32); vb4567 = v128.load(pw, 48);
    va = v128.load32_splat(pa, 16);
    acc0x0123 = madd(va, vb0123, acc0x0123); acc0x4567 = madd(va, vb4567, acc0x4567);
    va = v128.load32_splat(pa, 20);
    acc1x0123 = madd(va, vb0123, acc1x0123); acc1x4567 = madd(va, vb4567, acc1x4567);
    va = v128.load32_splat(pa, 24);
    acc2x0123 = madd(va, vb0123, acc2x0123); acc2x4567 = madd(va, vb4567, acc2x4567);
    va = v128.load32_splat(pa, 28);
    acc3x0123 = madd(va, vb0123, acc3x0123); acc3x4567 = madd(va, vb4567, acc3x4567);

    pa += 32;
    pw += 64;
    p -= 2;
  }
  if (p != 0) {
    const vb0123 = v128.load(pw, 0), vb4567 = v128.load(pw, 16);
    let va = v128.load32_splat(pa, 0);
    acc0x0123 = madd(va, vb0123, acc0x0123); acc0x4567 = madd(va, vb4567, acc0x4567);
    va = v128.load32_splat(pa, 4);
    acc1x0123 = madd(va, vb0123, acc1x0123); acc1x4567 = madd(va, vb4567, acc1x4567);
    va = v128.load32_splat(pa, 8);
    acc2x0123 = madd(va, vb0123, acc2x0123); acc2x4567 = madd(va, vb4567, acc2x4567);
    va = v128.load32_splat(pa, 12);
    acc3x0123 = madd(va, vb0123, acc3x0123); acc3x4567 = madd(va, vb4567, acc3x4567);
  }

  // Rows past mr alias the row above and are stored first, so the real row's store wins and
  // the epilogue has no per-row branches (their A rows are zero-padded, so they are finite).
  const c0 = c;
  const c1 = mr > 1 ? c0 + cStride : c0;
  const c2 = mr > 2 ? c1 + cStride : c1;
  const c3 = mr > 3 ? c2 + cStride : c2;
  if (flags & UK_LOAD_C) {
    acc3x0123 = f32x4.add(acc3x0123, loadRowLo(c3, nr)); acc3x4567 = f32x4.add(acc3x4567, loadRowHi(c3, nr));
    acc2x0123 = f32x4.add(acc2x0123, loadRowLo(c2, nr)); acc2x4567 = f32x4.add(acc2x4567, loadRowHi(c2, nr));
    acc1x0123 = f32x4.add(acc1x0123, loadRowLo(c1, nr)); acc1x4567 = f32x4.add(acc1x4567, loadRowHi(c1, nr));
    acc0x0123 = f32x4.add(acc0x0123, loadRowLo(c0, nr)); acc0x4567 = f32x4.add(acc0x4567, loadRowHi(c0, nr));
  }
  if (flags & UK_LAST) {
    const vbias0123 = v128.load(w, 0), vbias4567 = v128.load(w, 16);
    acc0x0123 = f32x4.add(acc0x0123, vbias0123); acc0x4567 = f32x4.add(acc0x4567, vbias4567);
    acc1x0123 = f32x4.add(acc1x0123, vbias0123); acc1x4567 = f32x4.add(acc1x4567, vbias4567);
    acc2x0123 = f32x4.add(acc2x0123, vbias0123); acc2x4567 = f32x4.add(acc2x4567, vbias4567);
    acc3x0123 = f32x4.add(acc3x0123, vbias0123); acc3x4567 = f32x4.add(acc3x4567, vbias4567);
    if (flags & UK_RELU) {
      // pmax(x, 0) = x < 0 ? 0 : x — one maxps, and NaN and -0 pass through like the JS reference.
      const vzero = f32x4.splat(0);
      acc0x0123 = f32x4.pmax(acc0x0123, vzero); acc0x4567 = f32x4.pmax(acc0x4567, vzero);
      acc1x0123 = f32x4.pmax(acc1x0123, vzero); acc1x4567 = f32x4.pmax(acc1x4567, vzero);
      acc2x0123 = f32x4.pmax(acc2x0123, vzero); acc2x4567 = f32x4.pmax(acc2x4567, vzero);
      acc3x0123 = f32x4.pmax(acc3x0123, vzero); acc3x4567 = f32x4.pmax(acc3x4567, vzero);
    }
  }
  storeRow(c3, acc3x0123, acc3x4567, nr);
  storeRow(c2, acc2x0123, acc2x4567, nr);
  storeRow(c1, acc1x0123, acc1x4567, nr);
  storeRow(c0, acc0x0123, acc0x4567, nr);
}
