// Tensor-level forms of the quantization ops (the eg.compress.* functions): thin wrappers that take
// the contiguous data of a Tensor and call the typed-array cores next to this file.
import { DTypeError, ShapeError } from "../errors.js";
import { checkOptions } from "../options.js";
import { fromTypedArray, type Tensor } from "../ndarray/index.js";
import { computeQuantParams, type QuantParams, type QuantScheme } from "./quant-params.js";
import { matmulIntegerOnce } from "./matmul-integer.js";
import { dequantizeLinearArray, quantizeLinearArray } from "./quantize-linear.js";
import type { QuantDType } from "./quant-checks.js";

type Params = number | readonly number[] | ArrayLike<number> | Tensor;

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "shape" in x && "dtype" in x && "storage" in x;
}
function values(p: Params): number | ArrayLike<number>;
function values(p: Params | undefined): number | ArrayLike<number> | undefined;
function values(p: Params | undefined): number | ArrayLike<number> | undefined {
  return isTensor(p) ? (p.size === 1 && p.ndim === 0 ? p.data[0] : p.data) : (p as number | ArrayLike<number> | undefined);
}

/**
 * A scale or zero point given as a Tensor must have the type the operator pairs it with (ONNX
 * binds a zero point to the quantized type, a scale to float) and, for the quantize ops, be a
 * scalar or 1-D (per axis): its values alone would otherwise pass for a different parameter.
 */
function checkParam(p: Params | undefined, what: string, dtypes: readonly string[], where: string, perAxis = true): void {
  if (!isTensor(p)) return;
  if (!dtypes.includes(p.dtype)) throw new DTypeError(`${where}: ${what} must be ${dtypes.join(" or ")}, got ${p.dtype}`);
  if (perAxis && p.ndim > 1) throw new ShapeError(`${where}: ${what} must be a scalar or 1-D (one per index of the axis), got shape [${p.shape}]`);
}
const FLOAT = ["float32", "float64"] as const;

function floatData(x: Tensor, where: string): Float32Array | Float64Array {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: x must be float32 or float64, got ${x.dtype}`);
  return x.data as Float32Array | Float64Array;
}

/**
 * ONNX QuantizeLinear: saturate(roundHalfToEven(x / scale) + zeroPoint) → int8/uint8 Tensor.
 * dtype: options.dtype, else the zero point tensor's dtype, else "uint8" (ONNX's default). An
 * omitted zero point is 0 for every scale, per tensor or per axis.
 */
export function quantizeLinear(x: Tensor, scale: Params, zeroPoint?: Params,
                               options: { axis?: number; dtype?: QuantDType } = {}): Tensor {
  checkOptions("quantizeLinear", options, ["axis", "dtype"]);
  checkParam(scale, "scale", FLOAT, "quantizeLinear");
  checkParam(zeroPoint, "the zero point", ["int8", "uint8"], "quantizeLinear");
  const zpType = isTensor(zeroPoint) ? zeroPoint.dtype : undefined;
  if (options.dtype && zpType && zpType !== options.dtype) {
    throw new DTypeError(`quantizeLinear: dtype ${options.dtype} but the zero point is ${zpType}`);
  }
  const dtype = options.dtype ?? (zpType === "int8" || zpType === "uint8" ? zpType : "uint8");
  const q = quantizeLinearArray(floatData(x, "quantizeLinear"), x.shape, values(scale), values(zeroPoint),
                                { axis: options.axis, dtype });
  return fromTypedArray(q, x.shape);
}

/** ONNX DequantizeLinear: (q − zeroPoint)·scale → float32 Tensor; an omitted zero point is 0 for every scale. */
export function dequantizeLinear(q: Tensor, scale: Params, zeroPoint?: Params,
                                 options: { axis?: number } = {}): Tensor {
  if (q.dtype !== "int8" && q.dtype !== "uint8" && q.dtype !== "int32") {
    throw new DTypeError(`dequantizeLinear: q must be int8, uint8 or int32, got ${q.dtype}`);
  }
  checkParam(scale, "scale", FLOAT, "dequantizeLinear");
  checkParam(zeroPoint, `the zero point (of ${q.dtype} q)`, [q.dtype], "dequantizeLinear");
  const y = dequantizeLinearArray(q.data as Int8Array | Uint8Array | Int32Array, q.shape, values(scale),
                                  values(zeroPoint), options);
  return fromTypedArray(y, q.shape);
}

/**
 * ONNX MatMulInteger: int32 (a − aZeroPoint)·(b − bZeroPoint), exact. a: [..., m, k] (leading
 * dims are batched rows) or [k]; b: [k, n]. aZeroPoint: scalar or one per row of a 2-D a;
 * bZeroPoint: scalar or one per column.
 */
export function matmulInteger(a: Tensor, b: Tensor, aZeroPoint: Params = 0, bZeroPoint: Params = 0): Tensor {
  for (const [t, name] of [[a, "a"], [b, "b"]] as const) {
    if (t.dtype !== "int8" && t.dtype !== "uint8") throw new DTypeError(`matmulInteger: ${name} must be int8 or uint8, got ${t.dtype}`);
  }
  checkParam(aZeroPoint, `aZeroPoint (of ${a.dtype} a)`, [a.dtype], "matmulInteger", false);
  checkParam(bZeroPoint, `bZeroPoint (of ${b.dtype} b)`, [b.dtype], "matmulInteger", false);
  if (b.ndim !== 2 || a.ndim < 1) throw new ShapeError(`matmulInteger: expected a [..., m, k] and b [k, n], got [${a.shape}] and [${b.shape}]`);
  const [k, n] = b.shape;
  if (a.shape[a.ndim - 1] !== k) throw new ShapeError(`matmulInteger: inner dimensions differ: [${a.shape}] @ [${b.shape}]`);
  const m = a.ndim === 1 ? 1 : a.size / k;
  const c = matmulIntegerOnce(a.data as Int8Array | Uint8Array, m, b.data as Int8Array | Uint8Array, k, n,
                              values(aZeroPoint), values(bZeroPoint));
  return fromTypedArray(c, a.ndim === 1 ? [n] : [...a.shape.slice(0, -1), n]);
}

export interface QuantizedTensor extends QuantParams {
  /** The quantized values, row-major in `shape`. */
  values: Int8Array | Uint8Array;
  shape: readonly number[];
}

/**
 * Quantizes a float tensor with parameters from its own range (onnxruntime's formulas):
 * per tensor, or per channel along `axis`. Default: symmetric int8 per tensor.
 */
export function quantize(t: Tensor, options: { scheme?: QuantScheme; axis?: number; dtype?: QuantDType } = {}):
    QuantizedTensor {
  const x = floatData(t, "quantize");
  const p = computeQuantParams(x, t.shape, options);
  const v = quantizeLinearArray(x, t.shape, p.scale, p.zeroPoint, { axis: p.axis ?? undefined, dtype: p.dtype });
  return { ...p, values: v, shape: [...t.shape] };
}

/** The float32 tensor a QuantizedTensor stands for: (values − zeroPoint)·scale. */
export function dequantize(q: QuantizedTensor): Tensor {
  const y = dequantizeLinearArray(q.values, q.shape, q.scale, q.zeroPoint, { axis: q.axis ?? undefined });
  return fromTypedArray(y, q.shape);
}
