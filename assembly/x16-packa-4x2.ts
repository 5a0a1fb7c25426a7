// A in the int8 micro-kernel's layout (qs8-gemm-4x8c2-wasmsimd-dot16x2.ts): panels of 4 rows,
// each a run of k-pairs in which the 4 rows' pairs sit side by side (16 bytes), so the kernel
// reads all four rows through one pointer. Row panel b starts at b·4·kc·2 bytes; rows past the
// last are zeros (the kernel computes them and drops the results).

/**
 * Four vectors of four 32-bit lanes (row r: pairs q..q+3) stored as four 16-byte groups, pair
 * by pair: group j holds pair q+j of rows 0, 1, 2, 3 — a 4×4 transpose of 32-bit lanes.
 */
// @ts-ignore: decorator
@inline function storePairs4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize): void {
  const lo01 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const hi01 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i64>(lo01, lo23, 0, 2));
  v128.store(dst, v128.shuffle<i64>(lo01, lo23, 1, 3), 16);
  v128.store(dst, v128.shuffle<i64>(hi01, hi23, 0, 2), 32);
  v128.store(dst, v128.shuffle<i64>(hi01, hi23, 1, 3), 48);
}

/**
 * `rows` rows of kc i16 (kc even), row stride `stride` bytes, into panels at dst
 * (ceil(rows/4)·4·kc·2 bytes).
 */
export function x16_packa_4x2(rows: usize, kc: usize, src: usize, stride: usize, dst: usize): void {
  if (rows & 3) memory.fill(dst + (rows & ~3) * kc * 2, 0, kc * 8); // the last panel's missing rows
  for (let i: usize = 0; i < rows; i += 4) {
    const panel = dst + i * kc * 2;
    let p: usize = 0;
    if (i + 4 <= rows) {
      const s0 = src + i * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
      for (; p + 8 <= kc; p += 8) {
        storePairs4x4(v128.load(s0 + p * 2), v128.load(s1 + p * 2), v128.load(s2 + p * 2), v128.load(s3 + p * 2),
                      panel + (p << 3));
      }
    }
    // The rest of the panel (the last pairs, or the last rows) a pair at a time.
    for (let r: usize = 0; r < 4 && i + r < rows; r++) {
      for (let q = p; q < kc; q += 2) store<u32>(panel + (q << 3) + (r << 2), load<u32>(src + (i + r) * stride + q * 2));
    }
  }
}
