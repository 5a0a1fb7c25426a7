// Vector sigmoid and tanh for the recurrent cells (assembly/f32-lstm-cell.ts, f32-gru-cell.ts,
// f32-rnn-cell.ts). Both come from one exp (tanh from its e^x − 1 form): x = n·ln2 + r with
// |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁶ (truncation below 2⁻²³ of the result on that
// interval), 2ⁿ built in the exponent bits. x is clamped to [−87, 88] first, so 2ⁿ stays a
// normal float and nothing overflows; sigmoid and tanh saturate long before. (exp4 lets e^x
// overflow to +∞ instead, from 88.4 up, so that σ(x) is 0 below −88.4 rather than stuck at
// e^−88: GELU's x·σ(2u) would otherwise grow with |x|.) NaN passes through (min/max propagate it).
// The JS reference computes the same functions in float64 (recurrent-cells-js.ts); the two differ
// by a few units in the last place, which the tests' tolerances allow.

// @ts-ignore: decorator
@inline function clamp4(x: v128, hi: f32): v128 {
  return f32x4.min(f32x4.max(x, f32x4.splat(-87)), f32x4.splat(hi));
}
// @ts-ignore: decorator
@inline function nearestN(c: v128): v128 {
  return f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504)));
}
/** e^r − 1 = r + r²/2 + … + r⁶/720 for r = c − n·ln2: no constant term, so no cancellation at small r. */
// @ts-ignore: decorator
@inline function expm1Reduced(c: v128, n: v128): v128 {
  // ln2 split in two so n·ln2 is exact enough: r = c − n·ln2hi − n·ln2lo.
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693145752)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.42860677e-6)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(1.0 / 720), r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  return f32x4.mul(p, r);
}
/** 2ⁿ, built in the exponent bits: +∞ for n = 128. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
}

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const c = clamp4(x, 89), n = nearestN(c); // n = 128 from 88.4 up: 2ⁿ is +∞
  return f32x4.mul(f32x4.add(expm1Reduced(c, n), f32x4.splat(1)), pow2(n));
}

/** e^x − 1, relatively accurate near 0 too: 2ⁿ·(e^r − 1) + (2ⁿ − 1), the last term exact. */
// @ts-ignore: decorator
@inline function expm14(x: v128): v128 {
  const c = clamp4(x, 88), n = nearestN(c), scale = pow2(n); // finite: tanh divides m by m + 2
  return f32x4.add(f32x4.mul(expm1Reduced(c, n), scale), f32x4.sub(scale, f32x4.splat(1)));
}

/** 1 / (1 + e^−x): 0 below x = −88.4, where e^−x is +∞. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(x))));
}

/**
 * (e^2x − 1) / (e^2x + 1), from expm1: relative error below 6e-7 over the whole range, tiny x
 * included (1 − 2/(1 + e^2x) has an error of a unit of 1 there: 5% at 1e-6, and 0 for 1e-30);
 * the worst is near |x| = 0.17, where n turns 1 and 2q + 1 cancels a little. ±1 at the clamp,
 * odd to within rounding. As many operations as the old form: the −1 replaces its 1 − ….
 */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const m = expm14(f32x4.add(x, x));
  return f32x4.div(m, f32x4.add(m, f32x4.splat(2)));
}

/**
 * The first n (1..4) floats at p as a vector (the other lanes zero), and its store: the cells
 * run their ragged tail through the same vector code as the rest (one copy of the math in the
 * module), with n = 4 taking the plain load and store.
 */
// @ts-ignore: decorator
@inline export function loadN(p: usize, n: usize): v128 {
  if (n == 4) return v128.load(p);
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}
// @ts-ignore: decorator
@inline export function storeN(p: usize, v: v128, n: usize): void {
  if (n == 4) { v128.store(p, v); return; }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
