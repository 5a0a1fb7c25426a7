// Adam's update over a flat float32 parameter buffer, with optional weight decay (coupled L2 or
// decoupled AdamW) and amsgrad. The arithmetic is done in float64 lanes, in exactly the order of
// the JS reference (adamUpdate in src/backend/optim-kernels.ts), and rounded to float32 only
// when stored: so the wasm and the JS reference give the same bits (no FMA here even in the
// relaxed build, for that reason), and the kernel's gain is f64x2 SIMD for the div/sqrt-bound loop.
//   θ ← θ·shrink (decoupled: shrink = 1 − ηλ)     g ← g + λθ (coupled: weightDecay = λ)
//   m ← β1·m + (1−β1)·g     v ← β2·v + ((1−β2)·g)·g     v̂ ← max(vMax, v) with amsgrad, else v
//   θ ← θ − (η/(1−β1^t))·m / (√v̂·(1/√(1−β2^t)) + ε)     (m, v, v̂ unrounded in the update)
// A shrink of exactly 1 and a weightDecay of 0 are skipped, not multiplied by: the common case
// (neither) then does only the operations of plain Adam.

// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}
// @ts-ignore: decorator
@inline function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

/**
 * In place on param, m, v (and vMax unless it is 0), n float32 each; grad is read only. Pairs
 * only: for an odd n each buffer must hold one more float (the caller's zero padding), which is
 * updated too and ignored — a scalar tail loop would cost module bytes in every download.
 * oneMinusBeta1 and oneMinusBeta2 are passed rather than recomputed so that the caller's
 * rounding of 1 − β is the one used.
 */
export function f32_adam(n: i32, param: usize, grad: usize, m: usize, v: usize, vMax: usize,
                         beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64,
                         stepSize: f64, invSqrtBc2: f64, eps: f64, shrink: f64, weightDecay: f64): void {
  const vb1 = f64x2.splat(beta1), vc1 = f64x2.splat(oneMinusBeta1);
  const vb2 = f64x2.splat(beta2), vc2 = f64x2.splat(oneMinusBeta2);
  const vstep = f64x2.splat(stepSize), vinv = f64x2.splat(invSqrtBc2), veps = f64x2.splat(eps);
  const vshrink = f64x2.splat(shrink), vwd = f64x2.splat(weightDecay);
  // One loop for every option: the tests of the options are the same every pair (so predicted),
  // and cost little next to the pair's f64 div and sqrt.
  for (let i = 0; i < n; i += 2) {
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
