// Placeholder scalar GEMM with the operator-level ABI; replaced by the packed SIMD kernel.
export function f32_gemm_workspace(m: i32, n: i32, k: i32): i32 {
  return 0;
}

export function f32_gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: i32, aColStride: i32,
  b: usize, bRowStride: i32, bColStride: i32,
  c: usize, cRowStride: i32,
  bias: usize, flags: i32, work: usize,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc: f32 = bias ? load<f32>(bias + (<usize>j << 2)) : 0;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(a + ((<usize>(i * aRowStride + p * aColStride)) << 2)) *
               load<f32>(b + ((<usize>(p * bRowStride + j * bColStride)) << 2));
      }
      const cp = c + (<usize>(i * cRowStride + j) << 2);
      if (flags & 2) acc += load<f32>(cp);
      if ((flags & 1) && acc < 0) acc = 0;
      store<f32>(cp, acc);
    }
  }
}
