// Adam's update over a flat float32 parameter buffer (the common case: no weight decay, no
// amsgrad). The arithmetic is done in float64 lanes, in exactly the order of the JS step in
// src/optim/adam.ts, and rounded to float32 only when stored: so the wasm and the JS step give
// the same bits (no FMA here even in the relaxed build, for that reason), and the kernel's gain
// is f64x2 SIMD for the div/sqrt-bound loop.
//   m ← β1·m + (1−β1)·g     v ← β2·v + ((1−β2)·g)·g
//   θ ← θ − (η/(1−β1^t))·m / (√v·(1/√(1−β2^t)) + ε)      (m, v unrounded in the update)

@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
@inline function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

export function f32_adam(n: i32, param: usize, grad: usize, m: usize, v: usize,
                         b1: f64, c1: f64, b2: f64, c2: f64, stepSize: f64, invSqrtBc2: f64, eps: f64): void {
  const vb1 = f64x2.splat(b1), vc1 = f64x2.splat(c1), vb2 = f64x2.splat(b2), vc2 = f64x2.splat(c2);
  const vstep = f64x2.splat(stepSize), vinv = f64x2.splat(invSqrtBc2), veps = f64x2.splat(eps);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const off = <usize>i << 2;
    const g = load2(grad + off);
    const mi = f64x2.add(f64x2.mul(vb1, load2(m + off)), f64x2.mul(vc1, g));
    const vi = f64x2.add(f64x2.mul(vb2, load2(v + off)), f64x2.mul(f64x2.mul(vc2, g), g));
    store2(m + off, mi);
    store2(v + off, vi);
    const update = f64x2.div(f64x2.mul(vstep, mi), f64x2.add(f64x2.mul(f64x2.sqrt(vi), vinv), veps));
    store2(param + off, f64x2.sub(load2(param + off), update));
  }
  if (i < n) {
    const off = <usize>i << 2;
    const g = <f64>load<f32>(grad + off);
    const mi = b1 * <f64>load<f32>(m + off) + c1 * g;
    const vi = b2 * <f64>load<f32>(v + off) + c2 * g * g;
    store<f32>(m + off, <f32>mi);
    store<f32>(v + off, <f32>vi);
    store<f32>(param + off, <f32>(<f64>load<f32>(param + off) - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps)));
  }
}
