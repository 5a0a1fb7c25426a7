// Out-of-place transpose of a 32-bit matrix, 4×4 blocks through registers (x32: any 32-bit
// element type, moved and never computed with). The sparse matmul runs on Xᵀ (each nonzero of W
// then scales one contiguous row of Xᵀ) and produces Yᵀ, so both ends of it need a fast
// transpose; a scalar loop cost ~20% of the sparse kernel at 90%.

/**
 * dst[c·dstStride + r] = src[r·srcStride + c] for r < rows, c < cols. Byte pointers, strides in
 * elements. The regions must not overlap.
 */
export function x32_transpose(rows: i32, cols: i32, src: usize, srcStride: i32, dst: usize, dstStride: i32): void {
  const ss = <usize>srcStride << 2;
  const ds = <usize>dstStride << 2;
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let r = 0; r < r4; r += 4) {
    const s0 = src + <usize>r * ss;
    const s1 = s0 + ss, s2 = s1 + ss, s3 = s2 + ss;
    const d = dst + (<usize>r << 2);
    for (let c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      const x0 = v128.load(s0 + o), x1 = v128.load(s1 + o);
      const x2 = v128.load(s2 + o), x3 = v128.load(s3 + o);
      // Interleave pairs of rows, then pairs of pairs: the classic 4×4 shuffle transpose.
      const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
      const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
      const dc = d + <usize>c * ds;
      v128.store(dc, v128.shuffle<i64>(t0, t2, 0, 2));
      v128.store(dc + ds, v128.shuffle<i64>(t0, t2, 1, 3));
      v128.store(dc + 2 * ds, v128.shuffle<i64>(t1, t3, 0, 2));
      v128.store(dc + 3 * ds, v128.shuffle<i64>(t1, t3, 1, 3));
    }
    for (let c = c4; c < cols; c++) {
      const dc = d + <usize>c * ds;
      store<u32>(dc, load<u32>(s0 + (<usize>c << 2)));
      store<u32>(dc, load<u32>(s1 + (<usize>c << 2)), 4);
      store<u32>(dc, load<u32>(s2 + (<usize>c << 2)), 8);
      store<u32>(dc, load<u32>(s3 + (<usize>c << 2)), 12);
    }
  }
  for (let r = r4; r < rows; r++) {
    const s = src + <usize>r * ss;
    const d = dst + (<usize>r << 2);
    for (let c = 0; c < cols; c++) store<u32>(d + <usize>c * ds, load<u32>(s + (<usize>c << 2)));
  }
}
