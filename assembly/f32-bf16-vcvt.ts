// Conversions between float32 and bfloat16 (the upper 16 bits of a float32), element for element.
// Narrowing rounds to nearest, ties to even, on the 16 dropped bits; overflow rounds to ±Inf as
// IEEE does; a NaN stays a NaN (its quiet bit set, so a payload in the dropped bits cannot turn
// it into ±Inf); subnormals round like any other value (bfloat16 keeps float32's exponent range).
// Widening is exact: the bits shifted back up.

/** dst[i] (u16) = bfloat16 bits of src[i] (f32), round to nearest even, for i < n. */
export function f32_bf16_vcvt(n: i32, src: usize, dst: usize): void {
  const count = <usize>max(n, 0);
  const bias = i32x4.splat(0x7fff), one = i32x4.splat(1), abs = i32x4.splat(0x7fffffff);
  const inf = i32x4.splat(0x7f800000), quiet = i32x4.splat(0x40);
  let i: usize = 0;
  for (; i + 8 <= count; i += 8) {
    const lo = narrowHalf(v128.load(src + (i << 2)), bias, one, abs, inf, quiet);
    const hi = narrowHalf(v128.load(src + (i << 2), 16), bias, one, abs, inf, quiet);
    // Each lane holds 0..0xffff, so the saturating narrow is exact.
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(lo, hi));
  }
  for (; i < count; i++) {
    const f = load<u32>(src + (i << 2));
    const r: u32 = (f & 0x7fffffff) > 0x7f800000 ? (f >>> 16) | 0x40 : (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
    store<u16>(dst + (i << 1), <u16>r);
  }
}

// Four float32 bit patterns rounded to bfloat16, each in the low half of its i32 lane.
// @ts-ignore: decorator
@inline function narrowHalf(f: v128, bias: v128, one: v128, abs: v128, inf: v128, quiet: v128): v128 {
  // f + 0x7fff + lsb wraps past 2³² only for NaN patterns, which the select below replaces.
  const rounded = i32x4.shr_u(i32x4.add(i32x4.add(f, bias), v128.and(i32x4.shr_u(f, 16), one)), 16);
  const nan = i32x4.gt_u(v128.and(f, abs), inf);
  return v128.bitselect(v128.or(i32x4.shr_u(f, 16), quiet), rounded, nan);
}

/** dst[i] (f32) = the value of bfloat16 bits src[i] (u16), exactly, for i < n. */
export function bf16_f32_vcvt(n: i32, src: usize, dst: usize): void {
  const count = <usize>max(n, 0);
  let i: usize = 0;
  for (; i + 8 <= count; i += 8) {
    const d = dst + (i << 2), s = src + (i << 1);
    v128.store(d, i32x4.shl(v128.load16x4_u(s), 16));
    v128.store(d, i32x4.shl(v128.load16x4_u(s, 8), 16), 16);
  }
  for (; i < count; i++) store<u32>(dst + (i << 2), <u32>load<u16>(src + (i << 1)) << 16);
}
