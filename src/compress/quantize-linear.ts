// ONNX QuantizeLinear / DequantizeLinear on typed arrays, element for element as onnxruntime:
//   q = saturate(roundHalfToEven(x / scale) + zeroPoint)        x / scale divided in float32
//   y = (q − zeroPoint) · scale                                 one float32 multiply
// per tensor (one scale) or per axis (one scale and zero point per index of `axis`).
import { checkOptions } from "../options.js";
import {
  asArray, axisLayout, checkQuantDType, checkScales, checkShapeFitsData, QRANGE, zeroPointsFor,
  type QuantDType,
} from "./quant-checks.js";
import { quantizeValue } from "../backend/index.js";

export interface QuantizeLinearOptions {
  /** The axis the scales run along when there is more than one (ONNX default 1; negative counts from the end). */
  axis?: number;
  /** Output type; ONNX's default without a zero point is uint8. */
  dtype?: QuantDType;
}

/**
 * x (float32 or float64, row-major `shape`) → int8/uint8. Each x is first rounded to float32 and
 * divided in float32, as onnxruntime does: the quotient's rounding decides ties (2.4999999 in
 * float64 can be 2.5 in float32). ±Infinity saturates; NaN gives 0, as onnxruntime-web does.
 */
export function quantizeLinearArray(
  x: ArrayLike<number>, shape: readonly number[], scale: number | ArrayLike<number>,
  zeroPoint?: number | ArrayLike<number>, options: QuantizeLinearOptions = {},
): Int8Array | Uint8Array {
  const where = "quantizeLinear";
  checkOptions(where, options, ["axis", "dtype"]);
  const dtype = checkQuantDType(options.dtype ?? "uint8", where);
  const size = checkShapeFitsData(shape, x.length, where);
  const s = checkScales(asArray(scale), where);
  const z = zeroPointsFor(zeroPoint, s.length, dtype, where);
  const { channels, inner } = axisLayout(shape, s.length, options.axis, where);
  const [lo, hi] = QRANGE[dtype];
  const out = dtype === "int8" ? new Int8Array(size) : new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    out[i] = quantizeValue(x[i], s[c], z[c], lo, hi);
  }
  return out;
}

export interface DequantizeLinearOptions {
  axis?: number;
}

/** q (int8, uint8, or int32 with zero point 0, as ONNX allows) → float32 (q − zp)·scale. */
export function dequantizeLinearArray(
  q: Int8Array | Uint8Array | Int32Array, shape: readonly number[], scale: number | ArrayLike<number>,
  zeroPoint?: number | ArrayLike<number>, options: DequantizeLinearOptions = {},
): Float32Array {
  const where = "dequantizeLinear";
  checkOptions(where, options, ["axis"]);
  const size = checkShapeFitsData(shape, q.length, where);
  const s = checkScales(asArray(scale), where);
  const dtype = q instanceof Int8Array ? "int8" : q instanceof Uint8Array ? "uint8" : "int32";
  const z = zeroPointsFor(zeroPoint, s.length, dtype, where);
  const { channels, inner } = axisLayout(shape, s.length, options.axis, where);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    // As onnxruntime: float(q − zp) · scale in float32 (the inner rounding matters only for int32).
    out[i] = Math.fround(q[i] - z[c]) * s[c];
  }
  return out;
}
