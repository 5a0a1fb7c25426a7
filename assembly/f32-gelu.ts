// GELU forward and backward, four lanes at a time, for the transformer's feed-forward block.
//
// Exact form, y = x·Φ(x). Φ is built from the upper tail Q(a) = ½·erfc(a/√2), a = |x|:
// Φ(x) = 1 − Q(a) for x ≥ 0 and Q(a) for x < 0, so the small values of Φ on the negative side
// keep their relative accuracy (1 + erf(x/√2) would cancel them away). With z = a/√2 and
// t = 1/(1 + z/2), erfc(z) = t·exp(P(t) − z²), P a degree-10 polynomial in t − TMID fitted in
// float64 to ln(erfc(z)/t) + z² on z ∈ [0, 9.5] (t ∈ [0.174, 1]; absolute error 5e-9, 1.2e-7
// when evaluated in float32): one division, one exp and eleven multiply-adds an element. Where
// P(t) − z² < −87, Q is below the smallest normal float and is flushed to 0 (exp4 clamps there).
// The error relative to Φ is a few units in the last place plus ½x² of them on the negative
// side, from the rounding of z², which is the conditioning of Φ itself there.
//
// Tanh approximation, y = ½x·(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + κx³), through the cells'
// sigmoid (assembly/f32-gate-math.ts).
//
// The backward reads what the forward saved: the exact form takes Φ(x) back as y/x (½ when
// |x| < 2⁻²⁴, where Φ rounds to ½ anyway) and adds x·φ(x); the tanh form recomputes σ(2u).
import { exp4, loadN, sigmoid4, storeN } from "./f32-gate-math";

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
// @ts-ignore: decorator
@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

const TMID: f32 = 0.5869565;
const SQRT1_2: f32 = 0.70710678;
const INV_SQRT_2PI: f32 = 0.39894228;
const SQRT_2_OVER_PI: f32 = 0.79788456;
const KAPPA: f32 = 0.044715;

/** Φ(x), the standard normal distribution function (see the file's comment). */
// @ts-ignore: decorator
@inline function normalCdf4(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), splat(SQRT1_2));
  const t = f32x4.div(splat(1), madd(z, splat(0.5), splat(1)));
  const s = f32x4.sub(t, splat(TMID));
  let p = madd(splat(-0.14287419617176056), s, splat(0.14113415777683258));
  p = madd(p, s, splat(0.14661221206188202));
  p = madd(p, s, splat(-0.2413780242204666));
  p = madd(p, s, splat(-0.05873706936836243));
  p = madd(p, s, splat(0.2940613329410553));
  p = madd(p, s, splat(-0.0293623935431242));
  p = madd(p, s, splat(-0.40786468982696533));
  p = madd(p, s, splat(0.08626104146242142));
  p = madd(p, s, splat(1.3693782091140747));
  p = madd(p, s, splat(-0.5536350011825562));
  const arg = f32x4.sub(p, f32x4.mul(z, z));
  const q = v128.andnot(f32x4.mul(f32x4.mul(t, splat(0.5)), exp4(arg)), f32x4.lt(arg, splat(-87)));
  // NaN fails x ≥ 0 and keeps q (NaN).
  return v128.bitselect(f32x4.sub(splat(1), q), q, f32x4.ge(x, splat(0)));
}

/** σ(2u), u = √(2/π)·(x + κx³): ½(1 + tanh u). */
// @ts-ignore: decorator
@inline function tanhGate4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(f32x4.mul(x, splat(SQRT_2_OVER_PI)), madd(x2, splat(KAPPA), splat(1)));
  return sigmoid4(f32x4.add(u, u));
}

// @ts-ignore: decorator
@inline function geluForward4(x: v128, approximate: i32): v128 {
  return f32x4.mul(x, approximate ? tanhGate4(x) : normalCdf4(x));
}

// @ts-ignore: decorator
@inline function geluBackward4(x: v128, y: v128, g: v128, approximate: i32): v128 {
  if (approximate) {
    // σ + x·2σ(1 − σ)·√(2/π)·(1 + 3κx²)
    const s = tanhGate4(x);
    const du = f32x4.mul(splat(2 * SQRT_2_OVER_PI), madd(f32x4.mul(x, x), splat(3 * KAPPA), splat(1)));
    const d = madd(f32x4.mul(f32x4.mul(x, s), f32x4.sub(splat(1), s)), du, s);
    return f32x4.mul(g, d);
  }
  const cdf = v128.bitselect(splat(0.5), f32x4.div(y, x), f32x4.lt(f32x4.abs(x), splat(5.9604645e-8)));
  const arg = f32x4.mul(f32x4.mul(x, x), splat(-0.5));
  const density = v128.andnot(f32x4.mul(exp4(arg), splat(INV_SQRT_2PI)), f32x4.lt(arg, splat(-87)));
  return f32x4.mul(g, madd(x, density, cdf));
}

/** y[i] = GELU(x[i]) for i < n; approximate 0 is the exact form, 1 the tanh approximation. Byte pointers. */
export function f32_gelu_forward(n: usize, x: usize, y: usize, approximate: i32): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (i << 2), geluForward4(v128.load(x + (i << 2)), approximate));
  if (i < n) storeN(y + (i << 2), geluForward4(loadN(x + (i << 2), n - i), approximate), n - i);
}

/** dx[i] = g[i]·GELU′(x[i]), from x and the forward's y. dx may alias g. */
export function f32_gelu_backward(n: usize, x: usize, y: usize, g: usize, dx: usize, approximate: i32): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    v128.store(dx + o, geluBackward4(v128.load(x + o), v128.load(y + o), v128.load(g + o), approximate));
  }
  if (i < n) {
    const o = i << 2, r = n - i;
    storeN(dx + o, geluBackward4(loadN(x + o, r), loadN(y + o, r), loadN(g + o, r), approximate), r);
  }
}
