// ReLU in place, for the fused Conv→BatchNorm→ReLU→pool, whose ReLU runs after the (JS)
// normalization instead of in the convolution's epilogue.

/**
 * x[i] = x[i] < 0 ? 0 : x[i] for i < n, in place: zero where below 0 (not max(x, 0)), so that
 * NaN and −0 pass through as in relu() and the GEMM/conv epilogues (pmax).
 */
export function f32_relu(n: i32, x: usize): void {
  const zero = f32x4.splat(0);
  const count = <usize>max(n, 0);
  let i: usize = 0;
  for (; i + 4 <= count; i += 4) {
    const p = x + (i << 2), v = v128.load(p);
    v128.store(p, v128.andnot(v, f32x4.lt(v, zero)));
  }
  for (; i < count; i++) {
    const p = x + (i << 2);
    if (load<f32>(p) < 0) store<f32>(p, 0);
  }
}
