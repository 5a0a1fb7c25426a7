// GELU forward and backward, four lanes at a time, for the transformer's feed-forward block.
//
// Exact form, y = x·Φ(x). Φ is built from the upper tail Q(a) = ½·erfc(a/√2), a = |x|:
// Φ(x) = 1 − Q(a) for x ≥ 0 and Q(a) for x < 0, so the small values of Φ on the negative side
// keep their relative accuracy (1 + erf(x/√2) would cancel them away). With z = a/√2 and
// t = 1/(1 + z/2), erfc(z) = t·exp(P(t) − z²), P a degree-10 polynomial in t − TMID fitted in
// float64 to ln(erfc(z)/t) + z² on z ∈ [0, 9.5] (t ∈ [0.174, 1]; absolute error 5e-9, 1.2e-7
// when evaluated in float32): one division, one exp and a dozen multiply-adds an element, the
// polynomials by Estrin's scheme and two vectors an iteration, so that the loop is not bound by
// the latency of one long chain (measured 8 → 5 ns an element). Where
// P(t) − z² < −87, Q is below the smallest normal float and is flushed to 0 (exp4 clamps there).
// The error relative to Φ is a few units in the last place plus ½x² of them on the negative
// side, from the rounding of z², which is the conditioning of Φ itself there.
//
// Tanh approximation, y = ½x·(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + κx³), through the cells'
// sigmoid (assembly/f32-gate-math.ts).
//
// The backward reads what the forward saved: the exact form takes Φ(x) back as y/x (½ when
// |x| < 2⁻²⁴, where Φ rounds to ½ anyway) and adds x·φ(x); the tanh form recomputes σ(2u).
import { loadN, sigmoid4, storeN } from "./f32-gate-math";

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// The constants, in one table read with load32_splat (measured as fast as v128 constants).
const K: usize = memory.data<f32>([
  0.5869565, 0.70710678, 0.39894228, 0.79788456, 0.044715, 0.5, 1, -87, // 0..7: TMID, 1/√2, 1/√(2π), √(2/π), κ, ½, 1, −87
  -0.14287419617176056, 0.14113415777683258, 0.14661221206188202, -0.2413780242204666, // 8..18: P, highest power first
  -0.05873706936836243, 0.2940613329410553, -0.0293623935431242, -0.40786468982696533,
  0.08626104146242142, 1.3693782091140747, -0.5536350011825562,
  1.44269504, 12582912, 0.693145752, 1.42860677e-6, // 19..22: log2 e, 1.5·2²³, ln 2 in two parts
  1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 5.9604645e-8, 3 * 0.044715, 2 * 0.79788456, // 23..29
]);
// @ts-ignore: decorator
@inline function k(i: usize): v128 {
  return v128.load32_splat(K + (i << 2));
}

/**
 * e^a for a ≤ 0.5 (a below −87 gives e^−87: callers mask it): a = n·ln2 + r, |r| ≤ ln2/2, e^r by
 * its Taylor polynomial to r⁶, 2ⁿ built in the exponent bits; n is rounded by adding 1.5·2²³,
 * whose float bits then hold n in their low mantissa bits.
 */
// @ts-ignore: decorator
@inline function expNeg4(a: v128): v128 {
  const c = f32x4.max(a, k(7));
  const t = madd(c, k(19), k(20));
  const n = f32x4.sub(t, k(20));
  let r = f32x4.sub(c, f32x4.mul(n, k(21)));
  r = f32x4.sub(r, f32x4.mul(n, k(22)));
  // Estrin's scheme (pairs, then pairs of pairs): a shorter chain of dependent operations than Horner's.
  const r2 = f32x4.mul(r, r);
  const b0 = madd(madd(k(26), r, k(5)), r2, madd(r, k(6), k(6))); // 1 + r + r²·(½ + r/6)
  const b1 = madd(k(23), r2, madd(k(24), r, k(25))); // 1/24 + r/120 + r²/720
  const p = madd(b1, f32x4.mul(r2, r2), b0);
  return f32x4.mul(p, i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23));
}

/** Φ(x), the standard normal distribution function (see the file's comment). */
// @ts-ignore: decorator
@inline function normalCdf4(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), k(1));
  const t = f32x4.div(k(6), madd(z, k(5), k(6)));
  const s = f32x4.sub(t, k(0));
  // P by Estrin's scheme; c_i = k(18 − i).
  const s2 = f32x4.mul(s, s), s4 = f32x4.mul(s2, s2), s8 = f32x4.mul(s4, s4);
  const a0 = madd(k(17), s, k(18)), a1 = madd(k(15), s, k(16)), a2 = madd(k(13), s, k(14));
  const a3 = madd(k(11), s, k(12)), a4 = madd(k(9), s, k(10));
  const b0 = madd(a1, s2, a0), b1 = madd(a3, s2, a2), b2 = madd(k(8), s2, a4);
  const p = madd(b2, s8, madd(b1, s4, b0));
  const arg = f32x4.sub(p, f32x4.mul(z, z));
  const q = v128.andnot(f32x4.mul(f32x4.mul(t, k(5)), expNeg4(arg)), f32x4.lt(arg, k(7)));
  // NaN fails x ≥ 0 and keeps q (NaN).
  return v128.bitselect(f32x4.sub(k(6), q), q, f32x4.ge(x, f32x4.splat(0)));
}

/** σ(2u), u = √(2/π)·(x + κx³): ½(1 + tanh u). */
// @ts-ignore: decorator
@inline function tanhGate4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(f32x4.mul(x, k(3)), madd(x2, k(4), k(6)));
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
    const du = f32x4.mul(k(29), madd(f32x4.mul(x, x), k(28), k(6)));
    const d = madd(f32x4.mul(f32x4.mul(x, s), f32x4.sub(k(6), s)), du, s);
    return f32x4.mul(g, d);
  }
  const cdf = v128.bitselect(k(5), f32x4.div(y, x), f32x4.lt(f32x4.abs(x), k(27)));
  const arg = f32x4.neg(f32x4.mul(f32x4.mul(x, x), k(5)));
  const density = v128.andnot(f32x4.mul(expNeg4(arg), k(2)), f32x4.lt(arg, k(7)));
  return f32x4.mul(g, madd(x, density, cdf));
}

/** y[i] = GELU(x[i]) for i < n; approximate 0 is the exact form, 1 the tanh approximation. Byte pointers. */
export function f32_gelu_forward(n: usize, x: usize, y: usize, approximate: i32): void {
  let i: usize = 0;
  // Two vectors an iteration: two independent chains of dependent operations in flight.
  for (; i + 8 <= n; i += 8) {
    const o = i << 2;
    const a = geluForward4(v128.load(x + o), approximate), b = geluForward4(v128.load(x + o + 16), approximate);
    v128.store(y + o, a);
    v128.store(y + o + 16, b);
  }
  for (; i + 4 <= n; i += 4) v128.store(y + (i << 2), geluForward4(v128.load(x + (i << 2)), approximate));
  if (i < n) storeN(y + (i << 2), geluForward4(loadN(x + (i << 2), n - i), approximate), n - i);
}

/** dx[i] = g[i]·GELU′(x[i]), from x and the forward's y. dx may alias g. */
export function f32_gelu_backward(n: usize, x: usize, y: usize, g: usize, dx: usize, approximate: i32): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const o = i << 2, o1 = o + 16;
    const a = geluBackward4(v128.load(x + o), v128.load(y + o), v128.load(g + o), approximate);
    const b = geluBackward4(v128.load(x + o1), v128.load(y + o1), v128.load(g + o1), approximate);
    v128.store(dx + o, a);
    v128.store(dx + o1, b);
  }
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    v128.store(dx + o, geluBackward4(v128.load(x + o), v128.load(y + o), v128.load(g + o), approximate));
  }
  if (i < n) {
    const o = i << 2, r = n - i;
    storeN(dx + o, geluBackward4(loadN(x + o, r), loadN(y + o, r), loadN(g + o, r), approximate), r);
  }
}
