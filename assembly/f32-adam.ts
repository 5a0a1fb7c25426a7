// Adam's update over a flat float32 parameter buffer, with optional weight decay (coupled L2 or
// decoupled AdamW) and amsgrad. The arithmetic is done in float64 lanes, in exactly the order of
// the JS reference (adamUpdate in src/backend/optim-kernels.ts), and rounded to float32 only
// when stored: so the wasm and the JS reference give the same bits (no FMA here even in the
// relaxed build, for that reason), and the kernel's gain is f64x2 SIMD for the div/sqrt-bound loop.
//   θ ← θ·shrink (decoupled: shrink = 1 − ηλ)     g ← g + λθ (coupled: weightDecay = λ)
//   m ← β1·m + (1−β1)·g     v ← β2·v + ((1−β2)·g)·g     v̂ ← max(vMax, v) with amsgrad, else v
//   θ ← θ − (η/(1−β1^t))·m / (√v̂·(1/√(1−β2^t)) + ε)     (m, v, v̂ unrounded in the update)
// A shrink of exactly 1 and a weightDecay of 0 are skipped, not multiplied by: the common case
// (neither) then does the same operations as the loop without decay.

// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
// @ts-ignore: decorator
@inline function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

/**
 * In place on param, m, v (and vMax unless it is 0), n float32 each; grad is read only.
 * oneMinusBeta1 and oneMinusBeta2 are passed rather than recomputed so that the caller's
 * rounding of 1 − β is the one used.
 */
export function f32_adam(n: i32, param: usize, grad: usize, m: usize, v: usize, vMax: usize,
                         beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64,
                         stepSize: f64, invSqrtBc2: f64, eps: f64, shrink: f64, weightDecay: f64): void {
  const plain = vMax == 0 && shrink == 1 && weightDecay == 0;
  const vb1 = f64x2.splat(beta1), vc1 = f64x2.splat(oneMinusBeta1);
  const vb2 = f64x2.splat(beta2), vc2 = f64x2.splat(oneMinusBeta2);
  const vstep = f64x2.splat(stepSize), vinv = f64x2.splat(invSqrtBc2), veps = f64x2.splat(eps);
  const vshrink = f64x2.splat(shrink), vwd = f64x2.splat(weightDecay);
  let i = 0;
  if (plain) {
    // The common case keeps its own loop: no per-pair tests of the options.
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
  } else {
    for (; i + 2 <= n; i += 2) {
      const off = <usize>i << 2;
      let p = load2(param + off);
      if (shrink != 1) p = f64x2.mul(p, vshrink);
      let g = load2(grad + off);
      if (weightDecay != 0) g = f64x2.add(g, f64x2.mul(vwd, p));
      const mi = f64x2.add(f64x2.mul(vb1, load2(m + off)), f64x2.mul(vc1, g));
      let vi = f64x2.add(f64x2.mul(vb2, load2(v + off)), f64x2.mul(f64x2.mul(vc2, g), g));
      store2(m + off, mi);
      store2(v + off, vi);
      if (vMax != 0) {
        // pmax(vi, old) = vi < old ? old : vi: the reference's `old > vi ? old : vi`, NaN included.
        vi = f64x2.pmax(vi, load2(vMax + off));
        store2(vMax + off, vi);
      }
      const update = f64x2.div(f64x2.mul(vstep, mi), f64x2.add(f64x2.mul(f64x2.sqrt(vi), vinv), veps));
      store2(param + off, f64x2.sub(p, update));
    }
  }
  if (i < n) {
    const off = <usize>i << 2;
    let p = <f64>load<f32>(param + off);
    if (shrink != 1) p *= shrink;
    let g = <f64>load<f32>(grad + off);
    if (weightDecay != 0) g += weightDecay * p;
    const mi = beta1 * <f64>load<f32>(m + off) + oneMinusBeta1 * g;
    let vi = beta2 * <f64>load<f32>(v + off) + oneMinusBeta2 * g * g;
    store<f32>(m + off, <f32>mi);
    store<f32>(v + off, <f32>vi);
    if (vMax != 0) {
      const old = <f64>load<f32>(vMax + off);
      if (old > vi) vi = old;
      store<f32>(vMax + off, <f32>vi);
    }
    store<f32>(param + off, <f32>(p - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps)));
  }
}
