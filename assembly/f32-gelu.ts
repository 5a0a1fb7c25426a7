// GELU forward and backward, four lanes at a time, for the transformer's feed-forward block.
//
// Exact form, y = x·Φ(x). Φ is built from the upper tail Q(a) = ½·erfc(a/√2), a = |x|:
// Φ(x) = 1 − Q(a) for x ≥ 0 and Q(a) for x < 0, so the small values of Φ on the negative side
// keep their relative accuracy (1 + erf(x/√2) would cancel them away). With z = a/√2 and
// t = 1/(1 + z/2), erfc(z) = t·exp(P(t) − z²), P a degree-10 polynomial in t − TMID fitted in
// float64 to ln(erfc(z)/t) + z² on z ∈ [0, 9.5] (t ∈ [0.174, 1]; absolute error 5e-9, 1.2e-7
// when evaluated in float32): one division, one exp and a dozen multiply-adds an element, the
// polynomials by Estrin's scheme and two vectors an iteration, so that the loop is not bound by
// the latency of one long chain (measured 8 → 5–6 ns an element). Where
// P(t) − z² < −87, Q is below the smallest normal float and is flushed to 0 (the exp clamps there).
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

// Φ's constants, P's coefficients (P(s) = P0 + P1·s + … + P10·s¹⁰), the exp's, the tanh form's.
const TMID: f32 = 0.5869565;
const SQRT1_2: f32 = 0.70710678;
const INV_SQRT_2PI: f32 = 0.39894228;
const SQRT_2_OVER_PI: f32 = 0.79788456;
const KAPPA: f32 = 0.044715;
const HALF: f32 = 0.5;
const ONE: f32 = 1;
const EXP_MIN: f32 = -87;
const P10: f32 = -0.14287419617176056;
const P9: f32 = 0.14113415777683258;
const P8: f32 = 0.14661221206188202;
const P7: f32 = -0.2413780242204666;
const P6: f32 = -0.05873706936836243;
const P5: f32 = 0.2940613329410553;
const P4: f32 = -0.0293623935431242;
const P3: f32 = -0.40786468982696533;
const P2: f32 = 0.08626104146242142;
const P1: f32 = 1.3693782091140747;
const P0: f32 = -0.5536350011825562;
const LOG2E: f32 = 1.44269504;
const ROUNDER: f32 = 12582912;
const LN2_HI: f32 = 0.693145752;
const LN2_LO: f32 = 1.42860677e-6;
const E6: f32 = 1.0 / 720;
const E5: f32 = 1.0 / 120;
const E4: f32 = 1.0 / 24;
const E3: f32 = 1.0 / 6;
const TINY: f32 = 5.9604645e-8;
const KAPPA3: f32 = 3 * 0.044715;
const SQRT_8_OVER_PI: f32 = 2 * 0.79788456;
const BIG_SQUARE: f32 = 1e30;
// @ts-ignore: decorator
@inline function k(c: f32): v128 { // a constant in every lane
  return f32x4.splat(c);
}

/**
 * e^a for a ≤ 0.5 (a below −87 gives e^−87: callers mask it): a = n·ln2 + r, |r| ≤ ln2/2, e^r by
 * its Taylor polynomial to r⁶, 2ⁿ built in the exponent bits; n is rounded by adding 1.5·2²³,
 * whose float bits then hold n in their low mantissa bits.
 */
// @ts-ignore: decorator
@inline function expNeg4(a: v128): v128 {
  const c = f32x4.max(a, k(EXP_MIN));
  const t = madd(c, k(LOG2E), k(ROUNDER));
  const n = f32x4.sub(t, k(ROUNDER));
  let r = f32x4.sub(c, f32x4.mul(n, k(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, k(LN2_LO)));
  // Estrin's scheme (pairs, then pairs of pairs): a shorter chain of dependent operations than Horner's.
  const r2 = f32x4.mul(r, r);
  const b0 = madd(madd(k(E3), r, k(HALF)), r2, madd(r, k(ONE), k(ONE))); // 1 + r + r²·(½ + r/6)
  const b1 = madd(k(E6), r2, madd(k(E5), r, k(E4))); // 1/24 + r/120 + r²/720
  const p = madd(b1, f32x4.mul(r2, r2), b0);
  return f32x4.mul(p, i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23));
}

/** Φ(x), the standard normal distribution function (see the file's comment). */
// @ts-ignore: decorator
@inline function normalCdf4(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), k(SQRT1_2));
  const t = f32x4.div(k(ONE), madd(z, k(HALF), k(ONE)));
  const s = f32x4.sub(t, k(TMID));
  // P(s) = P0 + P1·s + … + P10·s¹⁰ by Estrin's scheme.
  const s2 = f32x4.mul(s, s), s4 = f32x4.mul(s2, s2), s8 = f32x4.mul(s4, s4);
  const a0 = madd(k(P1), s, k(P0)), a1 = madd(k(P3), s, k(P2)), a2 = madd(k(P5), s, k(P4));
  const a3 = madd(k(P7), s, k(P6)), a4 = madd(k(P9), s, k(P8));
  const b0 = madd(a1, s2, a0), b1 = madd(a3, s2, a2), b2 = madd(k(P10), s2, a4);
  const p = madd(b2, s8, madd(b1, s4, b0));
  const arg = f32x4.sub(p, f32x4.mul(z, z));
  const q = v128.andnot(f32x4.mul(f32x4.mul(t, k(HALF)), expNeg4(arg)), f32x4.lt(arg, k(EXP_MIN)));
  // NaN fails x ≥ 0 and keeps q (NaN).
  return v128.bitselect(f32x4.sub(k(ONE), q), q, f32x4.ge(x, f32x4.splat(0)));
}

/** σ(2u), u = √(2/π)·(x + κx³): ½(1 + tanh u); 0 where 2u < −88.4 (x < −10.06, see sigmoid4). */
// @ts-ignore: decorator
@inline function tanhGate4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(f32x4.mul(x, k(SQRT_2_OVER_PI)), madd(x2, k(KAPPA), k(ONE)));
  return sigmoid4(f32x4.add(u, u));
}

/** y[i] = GELU(x[i]) for i < n; approximate 0 is the exact form, 1 the tanh approximation. Byte pointers. */
export function f32_gelu_forward(n: usize, x: usize, y: usize, approximate: i32): void {
  // Eight elements an iteration, as two vectors: two independent chains of dependent operations
  // in flight. The ragged end goes through the same code (loadN/storeN), so each form's math is
  // in the module twice, not four times.
  for (let i: usize = 0; i < n; i += 8) {
    const o = i << 2, ra = min<usize>(n - i, 4), rb = n - i > 4 ? min<usize>(n - i - 4, 4) : 0;
    const xa = loadN(x + o, ra), xb = rb ? loadN(x + o + 16, rb) : xa;
    let ya: v128, yb: v128;
    if (approximate) {
      ya = f32x4.mul(xa, tanhGate4(xa));
      yb = f32x4.mul(xb, tanhGate4(xb));
    } else {
      ya = f32x4.mul(xa, normalCdf4(xa));
      yb = f32x4.mul(xb, normalCdf4(xb));
    }
    storeN(y + o, ya, ra);
    if (rb) storeN(y + o + 16, yb, rb);
  }
}

/**
 * σ + x·2σ(1 − σ)·√(2/π)·(1 + 3κx²), σ = σ(2u): the tanh form's derivative. x² is capped at 10³⁰
 * so that du stays finite: where x² overflows, σ or 1 − σ is 0 and the term must be 0, not 0·∞.
 */
// @ts-ignore: decorator
@inline function tanhDerivative4(x: v128): v128 {
  const s = tanhGate4(x);
  const du = f32x4.mul(k(SQRT_8_OVER_PI), madd(f32x4.min(f32x4.mul(x, x), k(BIG_SQUARE)), k(KAPPA3), k(ONE)));
  return madd(f32x4.mul(f32x4.mul(x, s), f32x4.sub(k(ONE), s)), du, s);
}

/** Φ(x) + x·φ(x), Φ read back as y/x: the exact form's derivative. */
// @ts-ignore: decorator
@inline function exactDerivative4(x: v128, y: v128): v128 {
  const cdf = v128.bitselect(k(HALF), f32x4.div(y, x), f32x4.lt(f32x4.abs(x), k(TINY)));
  const arg = f32x4.neg(f32x4.mul(f32x4.mul(x, x), k(HALF)));
  const density = v128.andnot(f32x4.mul(expNeg4(arg), k(INV_SQRT_2PI)), f32x4.lt(arg, k(EXP_MIN)));
  return madd(x, density, cdf);
}

/** dx[i] = g[i]·GELU′(x[i]), from x and the forward's y. dx may alias g. */
export function f32_gelu_backward(n: usize, x: usize, y: usize, g: usize, dx: usize, approximate: i32): void {
  for (let i: usize = 0; i < n; i += 8) {
    const o = i << 2, o1 = o + 16, ra = min<usize>(n - i, 4), rb = n - i > 4 ? min<usize>(n - i - 4, 4) : 0;
    const xa = loadN(x + o, ra), xb = rb ? loadN(x + o1, rb) : xa;
    let da: v128, db: v128;
    if (approximate) {
      da = tanhDerivative4(xa);
      db = tanhDerivative4(xb);
    } else {
      da = exactDerivative4(xa, loadN(y + o, ra));
      db = exactDerivative4(xb, rb ? loadN(y + o1, rb) : xa);
    }
    storeN(dx + o, f32x4.mul(loadN(g + o, ra), da), ra);
    if (rb) storeN(dx + o1, f32x4.mul(loadN(g + o1, rb), db), rb);
  }
}
