/**
 * The JS reference of the activation quantizer (assembly/qs8-quantize.ts): ONNX QuantizeLinear
 * element by element, as onnxruntime computes it, and the range of a float32 array. The wasm
 * kernels are tested against these, the js backend runs them, and compress's quantizeLinear
 * uses quantizeValue for every element.
 */

/**
 * Round half to even, the rounding of ONNX QuantizeLinear (C's nearbyint in the default mode,
 * numpy.rint). NOTE: Math.round rounds half *up* (2.5 → 3, −2.5 → −2), wrong at every tie.
 */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  // Math.round moved a tie up by 0.5; if that landed on an odd integer, the even one is below.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * saturate(roundHalfToEven(x / scale) + zeroPoint) into [lo, hi]; NaN → 0 (onnxruntime-web).
 * x is first rounded to float32 and divided in float32, as onnxruntime does: the quotient's
 * rounding decides ties (2.4999999 in float64 can be 2.5 in float32). fround(fround(x) / scale)
 * is exactly a float32 division when scale is a float32: the float64 quotient of two float32
 * values rounds to the correctly rounded float32 quotient (53 ≥ 2·24 + 2 bits).
 */
export function quantizeValue(x: number, scale: number, zeroPoint: number, lo: number, hi: number): number {
  const q = roundHalfToEven(Math.fround(Math.fround(x) / scale)) + zeroPoint;
  return q !== q ? 0 : q < lo ? lo : q > hi ? hi : q;
}

/** qs8_quantize_f32: n values of x from xOffset quantized per tensor into out (int8 or uint8). */
export function qs8QuantizeF32Js(n: number, x: Float32Array, xOffset: number, scale: number, zeroPoint: number,
                                 out: Int8Array | Uint8Array): void {
  const signed = out[Symbol.toStringTag] === "Int8Array";
  const lo = signed ? -128 : 0, hi = signed ? 127 : 255;
  for (let i = 0; i < n; i++) out[i] = quantizeValue(x[xOffset + i], scale, zeroPoint, lo, hi);
}

/** f32_minmax: [min, max] of n values of x from xOffset; [NaN, NaN] if any is NaN, [∞, −∞] if n = 0. */
export function f32MinMaxJs(n: number, x: Float32Array, xOffset: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[xOffset + i];
    if (v !== v) return [NaN, NaN];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
