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

/**
 * 4 windows from 8 columns of rows r0 and r1: maxima to out, winning-tap codes to code unless
 * withCodes is false.
 */
// @ts-ignore: decorator
@inline function pool4(r0: usize, r1: usize, out: usize, code: usize, withCodes: bool): void {
  const lo0 = v128.load(r0), hi0 = v128.load(r0, 16), lo1 = v128.load(r1), hi1 = v128.load(r1, 16);
  const a = v128.shuffle<f32>(lo0, hi0, 0, 2, 4, 6), b = v128.shuffle<f32>(lo0, hi0, 1, 3, 5, 7);
  const c = v128.shuffle<f32>(lo1, hi1, 0, 2, 4, 6), d = v128.shuffle<f32>(lo1, hi1, 1, 3, 5, 7);
  const m = f32x4.max(f32x4.max(a, b), f32x4.max(c, d));
  v128.store(out, m);
  if (!withCodes) return;
  // Innermost select first, so the earliest winning tap decides: a ? 0 : b ? 1 : c ? 2 : 3.
  let k = v128.bitselect(i32x4.splat(2), i32x4.splat(3), wins(c, m));
  k = v128.bitselect(i32x4.splat(1), k, wins(b, m));
  k = v128.andnot(k, wins(a, m));
  const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(k, k), k);
  v128.store32_lane(code, bytes, 0);
}

/**
 * y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1] and code[p, i, j] = its winning tap; x is
 * planes×h×w float32, y planes×⌊h/2⌋×⌊w/2⌋ float32, code as many bytes (byte pointers). code 0
 * asks for the maxima alone (inference, where no backward reads the taps): about half the work.
 */
export function f32_maxpool2d_2x2(planes: i32, h: i32, w: i32, x: usize, y: usize, code: usize): void {
  const withCodes = code != 0;
  const oh = h >> 1, ow = w >> 1, rowBytes = <usize>w << 2;
  const outputs = <usize>planes * oh * ow, xEnd = x + ((<usize>planes * h * w) << 2);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      const r0 = x + ((<usize>(p * h + 2 * i) * w) << 2), r1 = r0 + rowBytes;
      const o = <usize>(p * oh + i) * ow;
      const out = y + (o << 2), codes = code + o;
      let j = 0;
      for (; j + 4 <= ow; j += 4) pool4(r0 + (<usize>j << 3), r1 + (<usize>j << 3), out + (<usize>j << 2), codes + j, withCodes);
      // A ragged end (a 14-wide plane pools to 7: three of every seven windows) in one more
      // vector step where its extra lanes stay inside the call's x and y: they read the rows
      // below and write the first windows of the rows after this one, which this call computes
      // later and so overwrites. Near the end of y or x, the scalar loop.
      if (j < ow && o + <usize>j + 4 <= outputs && r1 + (<usize>j << 3) + 32 <= xEnd) {
        pool4(r0 + (<usize>j << 3), r1 + (<usize>j << 3), out + (<usize>j << 2), codes + j, withCodes);
        continue;
      }
      for (; j < ow; j++) {
        const cb = <usize>j << 3;
        const a = load<f32>(r0 + cb), b = load<f32>(r0 + cb, 4), c = load<f32>(r1 + cb), d = load<f32>(r1 + cb, 4);
        const m = max<f32>(max<f32>(a, b), max<f32>(c, d));
        store<f32>(out + (<usize>j << 2), m);
        if (withCodes) store<u8>(codes + j, winsScalar(a, m) ? 0 : winsScalar(b, m) ? 1 : winsScalar(c, m) ? 2 : 3);
      }
    }
  }
}

/** 4 windows' gradients g (4 floats at g) scattered by their codes into rows r0, r1 (8 columns each). */
// @ts-ignore: decorator
@inline function unpool4(g: usize, code: usize, r0: usize, r1: usize): void {
  const v = v128.load(g);
  const k = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(code)));
  const t0 = v128.and(v, i32x4.eq(k, i32x4.splat(0))), t1 = v128.and(v, i32x4.eq(k, i32x4.splat(1)));
  const t2 = v128.and(v, i32x4.eq(k, i32x4.splat(2))), t3 = v128.and(v, i32x4.eq(k, i32x4.splat(3)));
  // Window j's taps 0, 1 are row r0's columns 2j, 2j+1; taps 2, 3 row r1's.
  v128.store(r0, v128.shuffle<f32>(t0, t1, 0, 4, 1, 5));
  v128.store(r0, v128.shuffle<f32>(t0, t1, 2, 6, 3, 7), 16);
  v128.store(r1, v128.shuffle<f32>(t2, t3, 0, 4, 1, 5));
  v128.store(r1, v128.shuffle<f32>(t2, t3, 2, 6, 3, 7), 16);
}

/**
 * The backward of f32_maxpool2d_2x2: gx[p] (h×w) gets each window's gradient g at the tap its
 * code names and zeros everywhere else, the row and column no window reads (odd h or w)
 * included, so gx needs no clearing first. g and code are planes×⌊h/2⌋×⌊w/2⌋ (byte pointers).
 * Only copies: the bits of any other order.
 */
export function f32_maxpool2d_2x2_backward(planes: i32, h: i32, w: i32, code: usize, g: usize, gx: usize): void {
  const oh = h >> 1, ow = w >> 1, rowBytes = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    const plane = gx + ((<usize>p * h * w) << 2);
    for (let i = 0; i < oh; i++) {
      const r0 = plane + <usize>(2 * i) * rowBytes, r1 = r0 + rowBytes;
      const o = <usize>(p * oh + i) * ow;
      const gs = g + (o << 2), codes = code + o;
      let j = 0;
      for (; j + 4 <= ow; j += 4) unpool4(gs + (<usize>j << 2), codes + j, r0 + (<usize>j << 3), r1 + (<usize>j << 3));
      for (; j < ow; j++) {
        const v = load<f32>(gs + (<usize>j << 2)), k = load<u8>(codes + j), cb = <usize>j << 3;
        store<f32>(r0 + cb, k == 0 ? v : 0);
        store<f32>(r0 + cb, k == 1 ? v : 0, 4);
        store<f32>(r1 + cb, k == 2 ? v : 0);
        store<f32>(r1 + cb, k == 3 ? v : 0, 4);
      }
      if (w & 1) {
        store<f32>(r0 + rowBytes - 4, 0);
        store<f32>(r1 + rowBytes - 4, 0);
      }
    }
    if (h & 1) memory.fill(plane + <usize>(h - 1) * rowBytes, 0, rowBytes);
  }
}

/**
 * Packs n winning-tap codes (bytes 0..3) four to a byte, code i in bits 2(i mod 4)..2(i mod 4)+1
 * of byte ⌊i/4⌋: what a fused Conv→ReLU→pool keeps for its backward, a quarter of the bytes.
 */
export function u8_pack_taps(n: i32, src: usize, dst: usize): void {
  const groups = n >> 2;
  let i = 0;
  // 64 codes a step: each i32 lane's four codes become one byte value, and two narrowing steps
  // (exact: every value is below 256) gather sixteen of them into one store.
  for (; i + 16 <= groups; i += 16) {
    const at = src + (<usize>i << 2);
    const b01 = i16x8.narrow_i32x4_u(packLane(v128.load(at)), packLane(v128.load(at, 16)));
    const b23 = i16x8.narrow_i32x4_u(packLane(v128.load(at, 32)), packLane(v128.load(at, 48)));
    v128.store(dst + i, i8x16.narrow_i16x8_u(b01, b23));
  }
  for (; i < groups; i++) {
    const w = load<u32>(src + (<usize>i << 2));
    store<u8>(dst + i, (w & 3) | ((w >> 6) & 0xc) | ((w >> 12) & 0x30) | ((w >> 18) & 0xc0));
  }
  if (n & 3) {
    let b: u32 = 0;
    for (let j = groups << 2, s = 0; j < n; j++, s += 2) b |= (<u32>load<u8>(src + j) & 3) << s;
    store<u8>(dst + groups, b);
  }
}

// @ts-ignore: decorator
@inline function packLane(w: v128): v128 {
  return v128.or(v128.or(v128.and(w, i32x4.splat(3)), v128.and(i32x4.shr_u(w, 6), i32x4.splat(0xc))),
                 v128.or(v128.and(i32x4.shr_u(w, 12), i32x4.splat(0x30)), v128.and(i32x4.shr_u(w, 18), i32x4.splat(0xc0))));
}

/** The inverse of u8_pack_taps: n codes, one byte each. */
export function u8_unpack_taps(n: i32, src: usize, dst: usize): void {
  const groups = n >> 2;
  let i = 0;
  // Sixteen packed bytes a step, widened to one i32 lane each and spread back to four codes.
  for (; i + 16 <= groups; i += 16) {
    const b = v128.load(src + i), at = dst + (<usize>i << 2);
    const lo = i16x8.extend_low_i8x16_u(b), hi = i16x8.extend_high_i8x16_u(b);
    v128.store(at, unpackLane(i32x4.extend_low_i16x8_u(lo)));
    v128.store(at, unpackLane(i32x4.extend_high_i16x8_u(lo)), 16);
    v128.store(at, unpackLane(i32x4.extend_low_i16x8_u(hi)), 32);
    v128.store(at, unpackLane(i32x4.extend_high_i16x8_u(hi)), 48);
  }
  for (; i < groups; i++) {
    const b = <u32>load<u8>(src + i);
    store<u32>(dst + (<usize>i << 2), (b & 3) | ((b << 6) & 0x300) | ((b << 12) & 0x30000) | ((b << 18) & 0x3000000));
  }
  if (n & 3) {
    const b = <u32>load<u8>(src + groups);
    for (let j = groups << 2, s = 0; j < n; j++, s += 2) store<u8>(dst + j, (b >> s) & 3);
  }
}

// @ts-ignore: decorator
@inline function unpackLane(b: v128): v128 {
  return v128.or(v128.or(v128.and(b, i32x4.splat(3)), v128.and(i32x4.shl(b, 6), i32x4.splat(0x300))),
                 v128.or(v128.and(i32x4.shl(b, 12), i32x4.splat(0x30000)), v128.and(i32x4.shl(b, 18), i32x4.splat(0x3000000))));
}
