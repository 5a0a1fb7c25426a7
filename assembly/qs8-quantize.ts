// float32 → int8/uint8 exactly as ONNX QuantizeLinear (per tensor), and the range of a float32
// array (for dynamic activation quantization). A quantized layer runs these right before the
// int8 GEMM inside one trip into wasm, so activations never go through a JS loop.
//   q = saturate(nearest_even(x / scale) + zeroPoint)      NaN → 0, as onnxruntime-web

/** out[0] = min, out[1] = max of x[0..n) (f32); NaN if any x is NaN; +Inf/−Inf for n = 0. */
export function f32_minmax(n: i32, x: usize, out: usize): void {
  // pmin/pmax are one instruction each on x64 (f32x4.min/max are ~6, to propagate NaN); NaN
  // is tracked on the side instead, as lanes where v ≠ v. Two accumulators of each kind: one
  // chain would wait on pmin's latency at every step.
  let lo0 = f32x4.splat(Infinity), hi0 = f32x4.splat(-Infinity), lo1 = lo0, hi1 = hi0;
  let nan = i32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    lo0 = f32x4.pmin(v0, lo0);
    hi0 = f32x4.pmax(v0, hi0);
    lo1 = f32x4.pmin(v1, lo1);
    hi1 = f32x4.pmax(v1, hi1);
    nan = v128.or(nan, v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)));
  }
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    lo0 = f32x4.pmin(v, lo0);
    hi0 = f32x4.pmax(v, hi0);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  const lo = f32x4.pmin(lo0, lo1), hi = f32x4.pmax(hi0, hi1);
  let l = min(min(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let h = max(max(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), max(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  if (v128.any_true(nan)) l = h = NaN;
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    l = min(l, v);
    h = max(h, v);
  }
  store<f32>(out, l);
  store<f32>(out, h, 4);
}

/**
 * out[i] = saturate(nearest(x[i] / scale) + zeroPoint) as i8 (signed) or u8. The quotient is
 * clamped in float to [qmin − zp, qmax − zp] first — rounding to nearest commutes with clamping
 * to integer bounds — so ±Inf and huge values saturate instead of wrapping; NaN lanes become 0.
 */
export function qs8_quantize_f32(n: i32, x: usize, scale: f32, zeroPoint: i32, signed: i32, out: usize): void {
  const qmin: i32 = signed ? -128 : 0, qmax: i32 = signed ? 127 : 255;
  const lo = <f32>(qmin - zeroPoint), hi = <f32>(qmax - zeroPoint);
  const vs = f32x4.splat(scale), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const vbias = i32x4.splat(ROUND_MAGIC_BITS - zeroPoint);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const q0 = quant4(v128.load(p), vs, vlo, vhi, vbias);
    const q1 = quant4(v128.load(p, 16), vs, vlo, vhi, vbias);
    const q2 = quant4(v128.load(p, 32), vs, vlo, vhi, vbias);
    const q3 = quant4(v128.load(p, 48), vs, vlo, vhi, vbias);
    // In range already, so the saturating narrows are exact.
    const h0 = i16x8.narrow_i32x4_s(q0, q1), h1 = i16x8.narrow_i32x4_s(q2, q3);
    v128.store(out + <usize>i, signed ? i8x16.narrow_i16x8_s(h0, h1) : i8x16.narrow_i16x8_u(h0, h1));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    let q: i32 = 0;
    if (v == v) q = <i32>nearest<f32>(max(lo, min(hi, v / scale))) + zeroPoint;
    store<i8>(out + <usize>i, <i8>q);
  }
}

// 1.5·2²³: adding it to a float in [−2²², 2²²] leaves the nearest integer (ties to even, the
// default rounding) in the low mantissa bits, so the round and the float→int conversion are one
// add and one integer subtract of its bit pattern — where f32x4.nearest + i32x4.trunc_sat cost
// about ten x64 instructions, and f32x4.min/max six each to order NaNs we mask out anyway.
const ROUND_MAGIC: f32 = 12582912.0;
const ROUND_MAGIC_BITS: i32 = 0x4b400000;

// @ts-ignore: decorator
@inline function quant4(v: v128, vs: v128, vlo: v128, vhi: v128, vbias: v128): v128 {
  // |lo|, |hi| ≤ 383, well inside the magic number's exact range. pmin/pmax send NaN lanes to
  // a bound; the final mask makes them 0 as onnxruntime-web does.
  const c = f32x4.pmax(vlo, f32x4.pmin(vhi, f32x4.div(v, vs)));
  const q = i32x4.sub(f32x4.add(c, f32x4.splat(ROUND_MAGIC)), vbias);
  return v128.and(q, f32x4.eq(v, v));
}
