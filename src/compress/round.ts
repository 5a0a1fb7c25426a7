/**
 * Round half to even, the rounding of ONNX QuantizeLinear (C's nearbyint in the default mode,
 * numpy.rint). NOTE: Math.round rounds half *up* (2.5 → 3, −2.5 → −2), wrong at every tie.
 */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  // Math.round moved a tie up by 0.5; if that landed on an odd integer, the even one is below.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
