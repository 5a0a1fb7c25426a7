// Independent float64 references for the ndarray tests: element access by the stride formula
// and plain index loops, deliberately sharing no code with src/ndarray's strided iteration.
import fc from "fast-check";
import { expect } from "vitest";
import { Tensor, fromTypedArray } from "../../src/index.js";

import { ETA32, U32 } from "./tolerance.js";
export { ETA32, U32 };
/** Unit roundoff of the tensor's dtype. */
export const unitRoundoff = (t: Tensor) => (t.dtype === "float64" ? 2 ** -53 : U32);

/** Element at a multi-index, read straight from storage. */
export function at(t: Tensor, index: readonly number[]): number {
  let p = t.offset;
  for (let i = 0; i < index.length; i++) p += index[i] * t.strides[i];
  return t.storage[p];
}

/** Every multi-index of a shape, in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < n; flat++) {
    const idx: number[] = new Array(shape.length);
    let r = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

/** The index into an operand of `shape` that a broadcast output index reads. */
export function broadcastIndex(outIndex: readonly number[], shape: readonly number[]): number[] {
  const lead = outIndex.length - shape.length;
  return shape.map((d, i) => (d === 1 ? 0 : outIndex[lead + i]));
}

/** A shape of 0–4 dims, sizes 1–5. */
export const shapeArb = (maxDims = 4, maxSize = 5) => fc.array(fc.integer({ min: 1, max: maxSize }), { maxLength: maxDims });

/** A shape that broadcasts to `out`: leading dims dropped, some dims set to 1. */
export const broadcastableTo = (out: number[]) =>
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

export interface Layout { transposeLast: boolean; padLast: number; offset: number }
export const layoutArb: fc.Arbitrary<Layout> = fc.record({
  transposeLast: fc.boolean(), padLast: fc.integer({ min: 0, max: 2 }), offset: fc.integer({ min: 0, max: 3 }),
});

/**
 * A float tensor of `shape` whose storage is laid out per `layout`: possibly transposed in its
 * last two dims, with padding between rows and an offset into the storage — i.e. a
 * non-contiguous view, the case that contiguous-only fast paths get wrong.
 */
export function makeTensor(shape: number[], values: (i: number) => number, layout: Layout,
                           dtype: "float32" | "float64" = "float32"): Tensor {
  const swap = layout.transposeLast && shape.length >= 2;
  const stored = swap ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape.slice();
  const last = stored.length ? stored[stored.length - 1] : 1;
  const padded = stored.length ? [...stored.slice(0, -1), last + layout.padLast] : [];
  const size = padded.reduce((a, b) => a * b, 1) + layout.offset;
  const buf = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) buf[i] = values(i);
  let t = fromTypedArray(buf, [size]).slice([layout.offset]);
  t = t.reshape(padded);
  if (stored.length) t = t.slice(...stored.map((d) => [0, d] as [number, number]));
  return swap ? t.transpose() : t;
}

/** Deterministic pseudo-random values from a seed, in [lo, hi). */
export function valuesFrom(seed: number, lo = -3, hi = 3): (i: number) => number {
  return (i) => {
    const x = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    return lo + (hi - lo) * (x - Math.floor(x));
  };
}

/** Unit roundoff of a dtype by name. */
export const unitOf = (dtype: string) => (dtype === "float64" ? 2 ** -53 : U32);
/** Higham's γk for the dtype's unit roundoff. */
export const gammaOf = (dtype: string, k: number) => (k * unitOf(dtype)) / (1 - k * unitOf(dtype));

/** A contiguous float tensor of `shape` filled from valuesFrom(seed, lo, hi). */
export function sampleTensor(shape: number[], seed: number, dtype: "float32" | "float64" = "float32", lo = -3, hi = 3): Tensor {
  const n = shape.reduce((x, y) => x * y, 1), v = valuesFrom(seed, lo, hi);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = v(i);
  return fromTypedArray(data, shape);
}

/** Every element within its own bound tol(i) (NaN matches NaN); names the first that is not. */
export function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const t = tol(i);
    if (!(Math.abs(got[i] - want[i]) <= t) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tol ${t})`);
    }
  }
}

/** Fails with the index, both values and the bound, so a failing case says what went wrong. */
export function expectClose(got: number, want: number, tol: number, what: string): void {
  const ok = (Number.isNaN(got) && Number.isNaN(want)) || got === want || Math.abs(got - want) <= tol;
  if (!ok) throw new Error(`${what}: got ${got}, expected ${want} (|diff| ${Math.abs(got - want)} > tol ${tol})`);
}

/**
 * Bound for a value computed in float64 by a short formula (a few ulps of float64: libm calls
 * are within 1 ulp, plus ≤ 3 roundings) and then rounded once to the tensor's precision.
 */
export const roundTol = (t: Tensor, ref: number) => (unitRoundoff(t) + 4 * 2 ** -53) * Math.abs(ref) + ETA32;
