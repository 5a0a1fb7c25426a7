import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { allocate, checkDType, dtypeOfArray, isFloat, type DType, type TypedArray } from "./dtype.js";
import { checkFillValue } from "./fill-value.js";
import { checkShape, describe, sizeOf } from "./shape.js";
import { rngFrom, type RandomOptions } from "./random.js";
import { Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

const CREATE_KEYS = ["dtype", "requiresGrad"] as const;
const RAND_KEYS = ["dtype", "requiresGrad", "seed", "rng"] as const; // a plain literal: bundlers drop it when unused

/** Marks a freshly created tensor as a leaf that requires grad when the options say so. */
function applyRequiresGrad(t: Tensor, o: CreateOptions | undefined): Tensor {
  if (o?.requiresGrad !== undefined) t.requiresGrad = o.requiresGrad; // the setter refuses a non-boolean
  return t;
}

/** More nesting than any real tensor has; the bound also stops self-containing arrays. */
const MAX_NESTING = 64;

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || ArrayBuffer.isView(v);

/** Shape of a nested array, read along its first elements (rectangularity is checked later). */
function nestedShape(x: unknown): number[] {
  const shape: number[] = [];
  let cur = x;
  while (isArrayLike(cur)) {
    if (shape.length === MAX_NESTING) {
      throw new ShapeError(`tensor: nested arrays more than ${MAX_NESTING} levels deep`);
    }
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * A tensor from (nested) arrays of numbers or booleans, or a typed array. float32 unless
 * `dtype` says otherwise (booleans give bool).
 */
export function tensor(values: unknown, o?: CreateOptions): Tensor {
  checkOptions("tensor", o, CREATE_KEYS);
  if (values instanceof Tensor) return applyRequiresGrad(values.detach().astype(o?.dtype ?? values.dtype).clone(), o);
  const shape = nestedShape(values);
  const flat: unknown[] = [];
  const path: number[] = []; // the index being visited, for error messages
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (isArrayLike(v)) throw new ShapeError(`tensor: ragged nested array at index [${path}]: expected a number, found an array`);
      flat.push(v);
      return;
    }
    if (!isArrayLike(v)) {
      throw new ShapeError(`tensor: ragged nested array at index [${path}]: expected an array of length ${shape[dim]}, found ${typeof v}`);
    }
    if (v.length !== shape[dim]) {
      throw new ShapeError(`tensor: ragged nested array at index [${path}]: length ${v.length}, expected ${shape[dim]}`);
    }
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      walk(v[i], dim + 1);
      path.pop();
    }
  };
  walk(values, 0);
  const allBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  const dtype = o?.dtype ? checkDType(o.dtype, "tensor") : allBool ? "bool" : "float32";
  const data = allocate(dtype, flat.length, shape);
  flat.forEach((v, i) => {
    if (typeof v === "boolean") data[i] = v ? 1 : 0;
    else if (typeof v === "number") data[i] = dtype === "bool" ? (v !== 0 ? 1 : 0) : v;
    else throw new DTypeError(`tensor: element ${i} is ${v === null ? "null" : typeof v}, not a number or boolean`);
  });
  return applyRequiresGrad(new Tensor(data, dtype, shape), o);
}

/** Wraps a typed array without copying; its dtype follows the array type. */
export function fromTypedArray(data: TypedArray, shape?: readonly number[], o?: { requiresGrad?: boolean }): Tensor {
  checkOptions("fromTypedArray", o, ["requiresGrad"]);
  if (!ArrayBuffer.isView(data)) throw new DTypeError("fromTypedArray: expected a typed array");
  const s = shape === undefined ? [data.length] : checkShape(shape, "fromTypedArray");
  if (sizeOf(s) !== data.length) {
    throw new ShapeError(`fromTypedArray: shape [${s}] needs ${sizeOf(s)} elements, the array has ${data.length}`);
  }
  return applyRequiresGrad(new Tensor(data, dtypeOfArray(data), s), o);
}

export function full(shape: readonly number[], value: number, o?: CreateOptions): Tensor {
  checkOptions("full", o, CREATE_KEYS);
  if (typeof value !== "number") throw new DTypeError(`full: the fill value must be a number, got ${describe(value)}`);
  const s = checkShape(shape, "full");
  const dtype = checkDType(o?.dtype ?? "float32", "full");
  checkFillValue("full", value, dtype);
  const data = allocate(dtype, sizeOf(s), s);
  // Fresh storage is zeroed: leaving it untouched keeps a huge zeros() lazy. A bool holds 1 for
  // every nonzero value (NaN too), as a cast to bool gives.
  if (value !== 0) data.fill(dtype === "bool" ? 1 : value);
  return applyRequiresGrad(new Tensor(data, dtype, s), o);
}
export const zeros = (shape: readonly number[], o?: CreateOptions) => full(shape, 0, o);
export const ones = (shape: readonly number[], o?: CreateOptions) => full(shape, 1, o);
export const zerosLike = (t: Tensor, o?: CreateOptions) => full(t.shape, 0, { dtype: t.dtype, ...o });
export const onesLike = (t: Tensor, o?: CreateOptions) => full(t.shape, 1, { dtype: t.dtype, ...o });

/** A sequence of values has no bool form (it would store 2, 3, … in a bool's 0/1 bytes). */
function notBool(dtype: DType, where: string): DType {
  if (dtype === "bool") throw new DTypeError(`${where}: not defined for bool (make it in an integer dtype and compare)`);
  return dtype;
}

/** [start, stop) by step; arange(n) is 0..n-1. The options may follow one, two or three numbers. */
export function arange(stop: number, o?: CreateOptions): Tensor;
export function arange(start: number, stop: number, o?: CreateOptions): Tensor;
export function arange(start: number, stop?: number, step?: number, o?: CreateOptions): Tensor;
export function arange(start: number, stop?: number | CreateOptions, step: number | CreateOptions = 1, o?: CreateOptions): Tensor {
  if (typeof step == "object") [o, step] = [step, 1];
  if (typeof stop == "object") [o, stop] = [stop, void 0];
  checkOptions("arange", o, CREATE_KEYS);
  if (stop === undefined) { stop = start; start = 0; }
  if (![start, stop, step].every(Number.isFinite) || step === 0) {
    throw new ValueError(`arange: start ${start}, stop ${stop}, step ${step} must be finite with step ≠ 0`);
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = notBool(checkDType(o?.dtype ?? "float32", "arange"), "arange");
  const data = allocate(dtype, n, [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return applyRequiresGrad(new Tensor(data, dtype, [n]), o);
}

/** `steps` evenly spaced values from start to stop, both included. */
export function linspace(start: number, stop: number, steps: number, o?: CreateOptions): Tensor {
  checkOptions("linspace", o, CREATE_KEYS);
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = notBool(checkDType(o?.dtype ?? "float32", "linspace"), "linspace");
  const data = allocate(dtype, steps, [steps]);
  const h = steps > 1 ? (stop - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 && steps > 1 ? stop : start + i * h;
  return applyRequiresGrad(new Tensor(data, dtype, [steps]), o);
}

export function eye(n: number, m = n, o?: CreateOptions): Tensor {
  checkOptions("eye", o, CREATE_KEYS);
  const s = checkShape([n, m], "eye");
  const t = full(s, 0, { dtype: o?.dtype });
  for (let i = 0; i < Math.min(n, m); i++) t.storage[i * m + i] = 1;
  return applyRequiresGrad(t, o);
}

export type RandOptions = CreateOptions & RandomOptions;

function random(shape: readonly number[], o: RandOptions | undefined, where: string, draw: () => number): Tensor {
  const s = checkShape(shape, where);
  const dtype = checkDType(o?.dtype ?? "float32", where);
  if (!isFloat(dtype)) throw new DTypeError(`${where}: dtype must be float32 or float64, got ${dtype}`);
  const data = allocate(dtype, sizeOf(s), s);
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return applyRequiresGrad(new Tensor(data, dtype, s), o);
}

/** Uniform on [0, 1). Seeded by `seed`, `rng`, or manualSeed(). */
export function rand(shape: readonly number[], o?: RandOptions): Tensor {
  checkOptions("rand", o, RAND_KEYS);
  const rng = rngFrom(o);
  return random(shape, o, "rand", () => rng.uniform());
}

/** Standard normal. Seeded by `seed`, `rng`, or manualSeed(). */
export function randn(shape: readonly number[], o?: RandOptions): Tensor {
  checkOptions("randn", o, RAND_KEYS);
  const rng = rngFrom(o);
  return random(shape, o, "randn", () => rng.normal());
}

/** Uniform integers in [low, high), int32 (so the range must lie in [−2³¹, 2³¹]: values beyond would wrap). */
export function randint(low: number, high: number, shape: readonly number[], o?: RandomOptions): Tensor {
  checkOptions("randint", o, ["seed", "rng"]);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || low < -(2 ** 31) || high > 2 ** 31) {
    throw new ValueError(`randint: need integers -2^31 <= low < high <= 2^31 (int32), got ${low}, ${high}`);
  }
  const rng = rngFrom(o);
  const s = checkShape(shape, "randint");
  const data = new Int32Array(sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + rng.int(high - low);
  return new Tensor(data, "int32", s);
}
