// 2×2, stride-2 max pooling over NCHW planes (no padding, floor mode: the pool of nearly every
// CNN) and its backward. Vectorized along W: 8 input columns of two rows give 4 outputs, the
// column pairs separated by shuffles. f32x4.max propagates NaN and prefers +0 over −0, as
// Math.max does in the JS reference (maxPool2x2Js in src/backend/pool-kernels.ts), so both
// give the same bits. The backward recomputes which tap won instead of storing an argmax: the
// first tap (row-major) equal to the output, or the first NaN when the output is NaN.

// @ts-ignore: decorator
@inline function max4(a: f32, b: f32, c: f32, d: f32): f32 {
  return max<f32>(max<f32>(a, b), max<f32>(c, d));
}

/** y[p, i, j] = max of x[p, 2i..2i+1, 2j..2j+1]; x is planes×h×w, y planes×⌊h/2⌋×⌊w/2⌋ (byte pointers). */
export function f32_maxpool2d_2x2(planes: i32, h: i32, w: i32, x: usize, y: usize): void {
  const oh = h >> 1, ow = w >> 1, rowBytes = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      const r0 = x + ((<usize>(p * h + 2 * i) * w) << 2), r1 = r0 + rowBytes;
      const out = y + ((<usize>(p * oh + i) * ow) << 2);
      let j = 0;
      for (; j + 4 <= ow; j += 4) {
        const c = <usize>j << 3;
        const lo = f32x4.max(v128.load(r0 + c), v128.load(r1 + c));
        const hi = f32x4.max(v128.load(r0 + c, 16), v128.load(r1 + c, 16));
        v128.store(out + (<usize>j << 2), f32x4.max(v128.shuffle<f32>(lo, hi, 0, 2, 4, 6), v128.shuffle<f32>(lo, hi, 1, 3, 5, 7)));
      }
      for (; j < ow; j++) {
        const c = <usize>j << 3;
        store<f32>(out + (<usize>j << 2), max4(load<f32>(r0 + c), load<f32>(r0 + c, 4), load<f32>(r1 + c), load<f32>(r1 + c, 4)));
      }
    }
  }
}

// @ts-ignore: decorator
@inline function wins(t: v128, m: v128): v128 {
  return v128.or(f32x4.eq(t, m), f32x4.ne(t, t));
}
// @ts-ignore: decorator
@inline function winsScalar(t: f32, m: f32): bool {
  return t == m || t != t;
}

/** One row pair of the backward: gx of rows 2i and 2i+1 from the window outputs ym and gradients g. */
// @ts-ignore: decorator
@inline function backwardRows(ow: i32, r0: usize, r1: usize, ym: usize, g: usize, d0: usize, d1: usize): void {
  let j = 0;
  for (; j + 4 <= ow; j += 4) {
    const c = <usize>j << 3, o = <usize>j << 2;
    const lo0 = v128.load(r0 + c), hi0 = v128.load(r0 + c, 16), lo1 = v128.load(r1 + c), hi1 = v128.load(r1 + c, 16);
    const m = v128.load(ym + o), gv = v128.load(g + o);
    const sa = wins(v128.shuffle<f32>(lo0, hi0, 0, 2, 4, 6), m), sb = wins(v128.shuffle<f32>(lo0, hi0, 1, 3, 5, 7), m);
    const sc = wins(v128.shuffle<f32>(lo1, hi1, 0, 2, 4, 6), m), sd = wins(v128.shuffle<f32>(lo1, hi1, 1, 3, 5, 7), m);
    const ga = v128.and(gv, sa);
    const gb = v128.and(gv, v128.andnot(sb, sa));
    const ab = v128.or(sa, sb);
    const gc = v128.and(gv, v128.andnot(sc, ab));
    const gd = v128.and(gv, v128.andnot(sd, v128.or(ab, sc)));
    v128.store(d0 + c, v128.shuffle<f32>(ga, gb, 0, 4, 1, 5));
    v128.store(d0 + c, v128.shuffle<f32>(ga, gb, 2, 6, 3, 7), 16);
    v128.store(d1 + c, v128.shuffle<f32>(gc, gd, 0, 4, 1, 5));
    v128.store(d1 + c, v128.shuffle<f32>(gc, gd, 2, 6, 3, 7), 16);
  }
  for (; j < ow; j++) {
    const c = <usize>j << 3, o = <usize>j << 2;
    const m = load<f32>(ym + o), gj = load<f32>(g + o);
    const a = winsScalar(load<f32>(r0 + c), m), b = !a && winsScalar(load<f32>(r0 + c, 4), m);
    const cc = !a && !b && winsScalar(load<f32>(r1 + c), m);
    const dd = !a && !b && !cc && winsScalar(load<f32>(r1 + c, 4), m);
    store<f32>(d0 + c, a ? gj : 0);
    store<f32>(d0 + c, b ? gj : 0, 4);
    store<f32>(d1 + c, cc ? gj : 0);
    store<f32>(d1 + c, dd ? gj : 0, 4);
  }
}

/**
 * gx (planes×h×w, every element written) = each window's gradient g on the tap that won the
 * forward (x, its output y), 0 elsewhere, including an odd last row or column no window reads.
 */
export function f32_maxpool2d_2x2_backward(planes: i32, h: i32, w: i32, x: usize, y: usize, g: usize, gx: usize): void {
  const oh = h >> 1, ow = w >> 1, rowBytes = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      const at = (<usize>(p * h + 2 * i) * w) << 2, o = (<usize>(p * oh + i) * ow) << 2;
      backwardRows(ow, x + at, x + at + rowBytes, y + o, g + o, gx + at, gx + at + rowBytes);
      if (w & 1) {
        store<f32>(gx + at + rowBytes - 4, 0);
        store<f32>(gx + at + 2 * rowBytes - 4, 0);
      }
    }
    if (h & 1) memory.fill(gx + ((<usize>(p * h + h - 1) * w) << 2), 0, rowBytes);
  }
}
