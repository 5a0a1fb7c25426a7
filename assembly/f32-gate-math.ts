// Vector sigmoid and tanh for the recurrent cells (assembly/f32-lstm-cell.ts, f32-gru-cell.ts,
// f32-rnn-cell.ts). Both come from one exp: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor
// polynomial to r⁶ (truncation below 2⁻²³ of the result on that interval), 2ⁿ built in the
// exponent bits. x is clamped to [−87, 88] first, so 2ⁿ stays a normal float and nothing
// overflows; sigmoid and tanh saturate long before. NaN passes through (min/max propagate it).
// The JS reference computes the same functions in float64 (recurrent-cells-js.ts); the two differ
// by a few units in the last place, which the tests' tolerances allow.

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const c = f32x4.min(f32x4.max(x, f32x4.splat(-87)), f32x4.splat(88));
  const n = f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504)));
  // ln2 split in two so n·ln2 is exact enough: r = c − n·ln2hi − n·ln2lo.
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693145752)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.42860677e-6)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(1.0 / 720), r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** 1 / (1 + e^−x). */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(x))));
}

/** 1 − 2 / (1 + e^2x): exact at ±∞ and odd to within rounding. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const e = exp4(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(f32x4.splat(1), e)));
}

/** A lane-wise helper for tails: the 4-lane load of one float (the other lanes zero). */
// @ts-ignore: decorator
@inline export function load1(p: usize): v128 {
  return f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
}
// @ts-ignore: decorator
@inline export function store1(p: usize, v: v128): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
}
