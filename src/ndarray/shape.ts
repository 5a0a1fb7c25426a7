import { ShapeError, ValueError } from "../errors.js";
import { MAX_ELEMENTS } from "./dtype.js";

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major (C order) strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Checks a user-given shape: a list of non-negative integers. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: invalid size ${String(d)} in shape [${shape.join(", ")}]; sizes are non-negative integers`);
    }
  }
  const size = sizeOf(shape);
  if (size > MAX_ELEMENTS) {
    throw new ShapeError(`${where}: shape [${shape.join(", ")}] has ${size} elements, more than a typed array can hold (${MAX_ELEMENTS})`);
  }
  return shape.slice();
}

/** Resolves a possibly negative axis against `ndim` (PyTorch's rule: -1 is the last). */
export function normalizeAxis(axis: number, ndim: number, where: string): number {
  // Number.isInteger is false for "0" too, which the message quotes (describe).
  if (!Number.isInteger(axis) || axis < -Math.max(ndim, 1) || axis >= Math.max(ndim, 1)) {
    throw new ValueError(`${where}: axis ${describe(axis)} is out of range for a tensor of ${ndim} dimension(s)`);
  }
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}

/**
 * Sorted, de-duplicated axes; undefined means all axes. A 0-d tensor accepts axis 0 or -1 and
 * has no axis to reduce (as PyTorch: its dim 0 is the tensor itself), so it gets [].
 */
export function normalizeAxes(axes: number | readonly number[] | undefined, ndim: number, where: string): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof axes !== "number" && !Array.isArray(axes)) {
    throw new ValueError(`${where}: axis ${describe(axes)} is not an integer or an array`);
  }
  const list: readonly number[] = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, ndim, where));
  if (new Set(out).size !== out.length) throw new ValueError(`${where}: repeated axis in [${list.join(", ")}]`);
  return ndim === 0 ? [] : out.sort((a, b) => a - b);
}

/** A value for an error message: strings quoted, so that "0" is not read as 0. */
export const describe = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** NumPy broadcasting: align trailing dims; each pair must be equal or contain a 1. */
export function broadcastShapes(a: Shape, b: Shape, where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${where}: shapes [${a.join(", ")}] and [${b.join(", ")}] cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
