// Adam's update over a flat float32 parameter buffer, with optional weight decay (coupled L2 or
// decoupled AdamW) and amsgrad, in float32 arithmetic as PyTorch's float32 Adam computes it:
// every operation rounded to float32, in exactly the order of the JS reference (adamUpdate in
// src/backend/optim-kernels.ts, which rounds each step with Math.fround; a float64 result of
// float32 operands rounded once to float32 is the float32 result for + − × ÷ √), so the wasm
// kernel and the JS reference give the same bits (no FMA here even in the relaxed build, for
// that reason). The loop is bound by its division and square root: four float32 lanes do them
// about three times as fast as float64 pairs did.
//   θ ← θ·shrink (decoupled: shrink = 1 − ηλ)     g ← g + λθ (coupled: weightDecay = λ)
//   m ← β1·m + (1−β1)·g     v ← β2·v + ((1−β2)·g)·g     v̂ ← max(vMax, v) with amsgrad, else v
//   θ ← θ − (η/(1−β1^t))·m / (√v̂·(1/√(1−β2^t)) + ε)
// A shrink of exactly 1 and a weightDecay of 0 are skipped, not multiplied by: the common case
// (neither) then does only the operations of plain Adam. The constants arrive as float64 and are
// rounded to float32 once (as Math.fround rounds them).

// Four floats, or (a pair) two floats in the low lanes and zeros above.
// @ts-ignore: decorator
@inline function load4(p: usize, quad: bool): v128 {
  return quad ? v128.load(p) : v128.load64_zero(p);
}
// @ts-ignore: decorator
@inline function store4(p: usize, x: v128, quad: bool): void {
  if (quad) v128.store(p, x);
  else v128.store64_lane(p, x, 0);
}

/** One step of the update on the 4 (or 2) floats at byte offset `off` of every buffer. */
// @ts-ignore: decorator
@inline function update(off: usize, quad: bool, param: usize, grad: usize, m: usize, v: usize, vMax: usize,
                        mOut: usize, vOut: usize, vMaxOut: usize,
                        vb1: v128, vc1: v128, vb2: v128, vc2: v128, vstep: v128, vinv: v128, veps: v128,
                        vshrink: v128, vwd: v128, shrink: f64, weightDecay: f64): void {
  let p = load4(param + off, quad);
  if (shrink != 1) p = f32x4.mul(p, vshrink);
  let g = load4(grad + off, quad);
  if (weightDecay != 0) g = f32x4.add(g, f32x4.mul(vwd, p));
  const mi = f32x4.add(f32x4.mul(vb1, load4(m + off, quad)), f32x4.mul(vc1, g));
  let vi = f32x4.add(f32x4.mul(vb2, load4(v + off, quad)), f32x4.mul(f32x4.mul(vc2, g), g));
  store4(mOut + off, mi, quad);
  store4(vOut + off, vi, quad);
  if (vMax != 0) {
    // pmax(vi, old) = vi < old ? old : vi: the reference's `old > vi ? old : vi`, NaN included.
    vi = f32x4.pmax(vi, load4(vMax + off, quad));
    store4(vMaxOut + off, vi, quad);
  }
  const update = f32x4.div(f32x4.mul(vstep, mi), f32x4.add(f32x4.mul(f32x4.sqrt(vi), vinv), veps));
  store4(param + off, f32x4.sub(p, update), quad);
}

/**
 * param in place; the moments read from m, v (and vMax unless it is 0) and written to mOut, vOut
 * (vMaxOut), which may be the same buffers (in place) or others: a caller that keeps the moments
 * in wasm memory alternates two copies, so a step that fails part way leaves the last good
 * moments whole. n float32 each; grad is read only. Groups
 * of four, then pairs: for an odd n each buffer must hold one more float (the caller's zero
 * padding), which is updated too and ignored — a scalar tail loop would cost module bytes in
 * every download. oneMinusBeta1 and oneMinusBeta2 are passed rather than recomputed so that the
 * caller's rounding of 1 − β is the one used.
 */
export function f32_adam(n: i32, param: usize, grad: usize, m: usize, v: usize, vMax: usize,
                         mOut: usize, vOut: usize, vMaxOut: usize,
                         beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64,
                         stepSize: f64, invSqrtBc2: f64, eps: f64, shrink: f64, weightDecay: f64): void {
  const vb1 = f32x4.splat(<f32>beta1), vc1 = f32x4.splat(<f32>oneMinusBeta1);
  const vb2 = f32x4.splat(<f32>beta2), vc2 = f32x4.splat(<f32>oneMinusBeta2);
  const vstep = f32x4.splat(<f32>stepSize), vinv = f32x4.splat(<f32>invSqrtBc2), veps = f32x4.splat(<f32>eps);
  const vshrink = f32x4.splat(<f32>shrink), vwd = f32x4.splat(<f32>weightDecay);
  // One loop for every option: the tests of the options are the same every group (so predicted),
  // and cost little next to the group's division and square root.
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    update(<usize>i << 2, true, param, grad, m, v, vMax, mOut, vOut, vMaxOut,
           vb1, vc1, vb2, vc2, vstep, vinv, veps, vshrink, vwd, shrink, weightDecay);
  }
  for (; i < n; i += 2) {
    update(<usize>i << 2, false, param, grad, m, v, vMax, mOut, vOut, vMaxOut,
           vb1, vc1, vb2, vc2, vstep, vinv, veps, vshrink, vwd, shrink, weightDecay);
  }
}
