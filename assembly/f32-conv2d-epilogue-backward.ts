// The backward of the convolution's and the linear layer's epilogues, on the gradient already
// in scratch: the relu mask (a fused Conv→ReLU or Linear→ReLU) and the bias gradient (a sum per
// output channel or column). In wasm because the masked gradient then goes straight into both
// GEMM passes, and because the same loops in JS run 2–7 ns an element in Node 20 (a
// data-dependent branch, or a mask written into a fresh array).

/** dy[i] = y[i] > 0 ? dy[i] : 0 for i < n, in place (NaN and −0 outputs pass no gradient, as PyTorch). */
export function f32_relu_backward(n: i32, dy: usize, y: usize): void {
  const zero = f32x4.splat(0);
  const count = <usize>max(n, 0);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    const o = i << 2;
    v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < count; i++) {
    const o = i << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}

/**
 * db[c] = Σ over batch and pixels of dy[n, c, :] (plane floats each) for `channels` channels, in
 * float64 as the JS reference; images are `batchStride` floats apart, so a range of a tensor's
 * channels (the thread pool's split) is the same call on offset pointers, with the same bits.
 */
export function f32_bias_backward(batch: i32, channels: i32, plane: i32, batchStride: i32, dy: usize, db: usize): void {
  const C = <usize>channels, P = <usize>plane, stride = <usize>batchStride << 2;
  for (let c: usize = 0; c < C; c++) {
    let total: f64 = 0;
    for (let n: usize = 0; n < <usize>batch; n++) {
      const row = dy + n * stride + (c * P << 2);
      // Four float64 partial sums of float32 lanes (two f64x2): the order differs from the JS
      // reference only within float64 rounding, far below the float32 result's.
      let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
      let j: usize = 0;
      for (; j + 4 <= P; j += 4) {
        const v = v128.load(row + (j << 2));
        s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
        s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
      }
      let tail: f64 = 0;
      for (; j < P; j++) tail += <f64>load<f32>(row + (j << 2));
      const s = f64x2.add(s01, s23);
      total += (f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)) + tail;
    }
    store<f32>(db + (c << 2), <f32>total);
  }
}

/**
 * dst[j] = Σ over the m rows of src[i·n + j], in float64 and row by row — the order, so the bits,
 * of the JS reference (columnSumsF32 in src/ndarray/matmul.ts): a linear layer's bias gradient.
 * dst holds n float64 values.
 */
export function f32_column_sums(m: i32, n: i32, src: usize, dst: usize): void {
  const N = <usize>n, M = <usize>m;
  let j: usize = 0;
  for (; j + 4 <= N; j += 4) {
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
    for (let i: usize = 0; i < M; i++) {
      const v = v128.load(src + ((i * N + j) << 2));
      s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
      s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
    }
    v128.store(dst + (j << 3), s01);
    v128.store(dst + (j << 3), s23, 16);
  }
  for (; j < N; j++) {
    let s: f64 = 0;
    for (let i: usize = 0; i < M; i++) s += <f64>load<f32>(src + ((i * N + j) << 2));
    store<f64>(dst + (j << 3), s);
  }
}
