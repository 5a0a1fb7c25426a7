// Argument checks shared by the quantization ops: done once at the public boundary so the loops
// below (and the kernels) can trust their inputs. Messages name the offending value.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { typeName } from "../type-name.js";

export type QuantDType = "int8" | "uint8";

export const QRANGE: Record<QuantDType, readonly [number, number]> = { int8: [-128, 127], uint8: [0, 255] };

export function checkQuantDType(dtype: unknown, where: string): QuantDType {
  if (dtype !== "int8" && dtype !== "uint8") {
    throw new DTypeError(`${where}: quantized dtype must be "int8" or "uint8", got ${JSON.stringify(dtype)}`);
  }
  return dtype;
}

/**
 * Checks that `shape` (non-negative integer sizes) describes flat data of `length` elements and
 * returns its element count. Unlike ndarray's shape check, the data already exists: the shape
 * must account for every element of it.
 */
export function checkShapeFitsData(shape: readonly number[], length: number, where: string): number {
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${where}: invalid size ${d} in shape [${shape}]; sizes are non-negative integers`);
    size *= d;
  }
  if (size !== length) throw new ShapeError(`${where}: shape [${shape}] has ${size} elements, the data ${length}`);
  return size;
}

/**
 * An ONNX axis attribute in [−rank, rank) → [0, rank). ONNX's rule, not PyTorch's: a rank-0
 * input has no axis at all (ndarray's normalizeAxis accepts 0 and −1 for a scalar).
 */
export function resolveOnnxAxis(axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(`${where}: axis ${axis} is out of range for rank ${rank} (expected ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Anything but an array of numbers (undefined, null, a string) is named, not read as one. */
function checkArrayLike(v: unknown, what: string, where: string): void {
  if (typeof v !== "object" || v === null || typeof (v as ArrayLike<number>).length !== "number") {
    throw new ValueError(`${where}: ${what} must be a number or an array of numbers, got ${typeof v === "string" ? JSON.stringify(v) : typeName(v)}`);
  }
}

export function checkScales(scale: ArrayLike<number>, where: string): Float32Array {
  checkArrayLike(scale, "scale", where);
  const s = Float32Array.from(scale);
  for (let i = 0; i < s.length; i++) {
    // NOTE: checked after rounding to float32, the precision ONNX scales have: 1e-46 is 0 there.
    if (!(s[i] > 0) || s[i] === Infinity) {
      throw new ValueError(`${where}: scale must be positive and finite, got scale[${i}] = ${scale[i]}`);
    }
  }
  return s;
}

export function checkZeroPoints(zp: ArrayLike<number>, dtype: QuantDType | "int32", where: string): Int32Array {
  checkArrayLike(zp, "the zero point", where);
  const [lo, hi] = dtype === "int32" ? [0, 0] : QRANGE[dtype];
  for (let i = 0; i < zp.length; i++) {
    if (!Number.isInteger(zp[i]) || zp[i] < lo || zp[i] > hi) {
      throw new ValueError(`${where}: zero point ${zp[i]} (index ${i}) is not an integer in [${lo}, ${hi}] for ${dtype}`);
    }
  }
  return Int32Array.from(zp);
}

/**
 * The zero points paired with `nScales` scales, one each. Omitted, they are all 0 (ONNX's zero
 * point input is optional, per tensor and per axis alike); given, the counts must agree.
 */
export function zeroPointsFor(zp: number | ArrayLike<number> | undefined, nScales: number,
                              dtype: QuantDType | "int32", where: string): Int32Array {
  if (zp === undefined) return new Int32Array(nScales);
  const z = checkZeroPoints(asArray(zp), dtype, where);
  if (z.length !== nScales) throw new ShapeError(`${where}: ${nScales} scales but ${z.length} zero points`);
  return z;
}

/**
 * Per-tensor (one scale) or per-axis (shape[axis] scales) parameters, broadcast along `axis`:
 * returns `inner` (elements after the axis) and `channels`, so element i uses channel
 * floor(i / inner) % channels. Per-tensor is channels = 1. An axis given explicitly is checked
 * even for one scale (ONNX ignores it then; a wrong one is still a bug worth reporting).
 */
export function axisLayout(shape: readonly number[], nScales: number, axis: number | undefined,
                           where: string): { channels: number; inner: number } {
  const ax = axis === undefined ? undefined : resolveOnnxAxis(axis, shape.length, where);
  if (nScales === 1) return { channels: 1, inner: 1 };
  if (shape.length === 0) throw new ShapeError(`${where}: ${nScales} scales for a scalar input`);
  const a = ax ?? resolveOnnxAxis(1, shape.length, where);   // ONNX's default axis is 1
  if (shape[a] !== nScales) {
    throw new ShapeError(`${where}: ${nScales} scales for axis ${axis ?? 1} of shape [${shape}] (size ${shape[a]})`);
  }
  let inner = 1;
  for (let d = a + 1; d < shape.length; d++) inner *= shape[d];
  return { channels: nScales, inner };
}

export const asArray = (v: number | ArrayLike<number>): ArrayLike<number> => (typeof v === "number" ? [v] : v);
