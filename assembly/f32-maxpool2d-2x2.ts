// 2×2, stride-2 max pooling over NCHW planes (no padding, floor mode: the pool of nearly every
// CNN). Vectorized along W: 8 input columns of two rows give 4 outputs, the even and odd
// columns separated by shuffles. f32x4.max propagates NaN and prefers +0 over −0, as Math.max
// does in the JS reference (maxPool2x2Js in src/backend/pool-kernels.ts), so both give the same
// bits. Each window also gets a one-byte code of the tap that won (0..3 in row-major order: the
// first tap equal to the maximum, or the first NaN), which is all the backward needs: it then
// touches only the gradient, never the input again.

// @ts-ignore: decorator
@inline function wins(t: v128, m: v128): v128 {
  return v128.or(f32x4.eq(t, m), f32x4.ne(t, t));
}
// @ts-ignore: decorator
@inline function winsScalar(t: f32, m: f32): bool {
  return t == m || t != t;
}

/** 4 windows from 8 columns of rows r0 and r1: maxima to out, winning-tap codes to code. */
// @ts-ignore: decorator
@inline function pool4(r0: usize, r1: usize, out: usize, code: usize): void {
  const lo0 = v128.load(r0), hi0 = v128.load(r0, 16), lo1 = v128.load(r1), hi1 = v128.load(r1, 16);
  const a = v128.shuffle<f32>(lo0, hi0, 0, 2, 4, 6), b = v128.shuffle<f32>(lo0, hi0, 1, 3, 5, 7);
  const c = v128.shuffle<f32>(lo1, hi1, 0, 2, 4, 6), d = v128.shuffle<f32>(lo1, hi1, 1, 3, 5, 7);
  const m = f32x4.max(f32x4.max(a, b), f32x4.max(c, d));
  v128.store(out, m);
  // Innermost select first, so the earliest winning tap decides: a ? 0 : b ? 1 : c ? 2 : 3.
  let k = v128.bitselect(i32x4.splat(2), i32x4.splat(3), wins(c, m));
  k = v128.bitselect(i32x4.splat(1), k, wins(b, m));
  k = v128.andnot(k, wins(a, m));
  const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(k, k), k);
  v128.store32_lane(code, bytes, 0);
}

/**
 * y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1] and code[p, i, j] = its winning tap; x is
 * planes×h×w float32, y planes×⌊h/2⌋×⌊w/2⌋ float32, code as many bytes (byte pointers).
 */
export function f32_maxpool2d_2x2(planes: i32, h: i32, w: i32, x: usize, y: usize, code: usize): void {
  const oh = h >> 1, ow = w >> 1, rowBytes = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      const r0 = x + ((<usize>(p * h + 2 * i) * w) << 2), r1 = r0 + rowBytes;
      const o = <usize>(p * oh + i) * ow;
      const out = y + (o << 2), codes = code + o;
      let j = 0;
      for (; j + 4 <= ow; j += 4) pool4(r0 + (<usize>j << 3), r1 + (<usize>j << 3), out + (<usize>j << 2), codes + j);
      for (; j < ow; j++) {
        const cb = <usize>j << 3;
        const a = load<f32>(r0 + cb), b = load<f32>(r0 + cb, 4), c = load<f32>(r1 + cb), d = load<f32>(r1 + cb, 4);
        const m = max<f32>(max<f32>(a, b), max<f32>(c, d));
        store<f32>(out + (<usize>j << 2), m);
        store<u8>(codes + j, winsScalar(a, m) ? 0 : winsScalar(b, m) ? 1 : winsScalar(c, m) ? 2 : 3);
      }
    }
  }
}
