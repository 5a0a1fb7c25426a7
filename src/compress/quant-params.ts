// Quantization parameters from a tensor's range, as onnxruntime's quantization tool computes
// them (quant_utils.compute_scale_zp), per tensor or per channel.
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkQuantDType, checkShapeFitsData, resolveOnnxAxis, type QuantDType } from "./quant-checks.js";
import { roundHalfToEven } from "./round.js";

export type QuantScheme = "symmetric" | "affine";

export interface QuantParamsOptions {
  /** "symmetric" (zero point 0 for int8, 128 for uint8; range ±max|x|) or "affine" (min..max). */
  scheme?: QuantScheme;
  /** Per-channel along this axis; per-tensor when omitted. */
  axis?: number;
  dtype?: QuantDType;
}

export interface QuantParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** The normalized axis, or null for per-tensor. */
  axis: number | null;
  dtype: QuantDType;
  scheme: QuantScheme;
}

const FLOAT32_TINY = 2 ** -126;

/**
 * The integer range ORT uses: symmetric int8 drops −128 so that ±max|x| map to ±127 and the
 * grid is the same on both sides; everything else is the dtype's full range.
 */
function qrange(dtype: QuantDType, scheme: QuantScheme): [number, number] {
  if (dtype === "uint8") return [0, 255];
  return scheme === "symmetric" ? [-127, 127] : [-128, 127];
}

function checkScheme(scheme: unknown, where: string): QuantScheme {
  if (scheme !== "symmetric" && scheme !== "affine") {
    throw new ValueError(`${where}: scheme must be "symmetric" or "affine", got ${JSON.stringify(scheme)}`);
  }
  return scheme;
}

/**
 * One (scale, zeroPoint) from a range. The range is widened to include 0 (so 0 is exactly
 * representable, which zero padding and ReLU outputs need); scale = (rmax − rmin)/(qmax − qmin)
 * in float64, stored as float32; an all-zero range gives scale 1 and zero point 0 (as ORT).
 */
export function scaleZeroPoint(rmin: number, rmax: number, dtype: QuantDType, scheme: QuantScheme):
    [scale: number, zeroPoint: number] {
  // As PyTorch's calculate_qparams ("min … should be less than max …"); NaN or ∞ would give a NaN
  // or ∞ scale, and an unknown dtype or scheme would silently be int8 or affine.
  if (!(Number.isFinite(rmin) && Number.isFinite(rmax) && rmin <= rmax)) {
    throw new ValueError(`scaleZeroPoint: range [${rmin}, ${rmax}] must be finite with min ≤ max`);
  }
  checkQuantDType(dtype, "scaleZeroPoint");
  checkScheme(scheme, "scaleZeroPoint");
  const [qmin, qmax] = qrange(dtype, scheme);
  rmin = Math.min(rmin, 0);
  rmax = Math.max(rmax, 0);
  if (scheme === "symmetric") {
    const absmax = Math.max(-rmin, rmax);
    rmin = -absmax;
    rmax = absmax;
  }
  const scale = (rmax - rmin) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return [1, 0];
  const zp = scheme === "symmetric" ? roundHalfToEven((qmin + qmax) / 2) : roundHalfToEven(qmin - rmin / scale);
  return [Math.fround(scale), zp];
}

/** Scale and zero point for x (row-major `shape`), per tensor or per channel along `axis`. */
export function computeQuantParams(x: ArrayLike<number>, shape: readonly number[],
                                   options: QuantParamsOptions = {}): QuantParams {
  const where = "quantize";
  checkOptions(where, options, ["scheme", "axis", "dtype"]);
  const dtype = checkQuantDType(options.dtype ?? "int8", where);
  const scheme = checkScheme(options.scheme ?? "symmetric", where);
  const size = checkShapeFitsData(shape, x.length, where);
  const axis = options.axis === undefined ? null : resolveOnnxAxis(options.axis, shape.length, where);
  const channels = axis === null ? 1 : shape[axis];
  let inner = 1;
  if (axis !== null) for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const lo = new Float64Array(channels).fill(Infinity);
  const hi = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < size; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new ValueError(`${where}: x[${i}] = ${v}; a scale needs finite values`);
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    if (v < lo[c]) lo[c] = v;
    if (v > hi[c]) hi[c] = v;
  }
  const scale = new Float32Array(channels);
  const zeroPoint = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    // An empty channel (size 0) has lo = +∞: treat its range as [0, 0].
    const [s, z] = scaleZeroPoint(lo[c] === Infinity ? 0 : lo[c], hi[c] === -Infinity ? 0 : hi[c], dtype, scheme);
    scale[c] = s;
    zeroPoint[c] = z;
  }
  return { scale, zeroPoint, axis, dtype, scheme };
}
