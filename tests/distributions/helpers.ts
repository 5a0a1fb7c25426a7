// Shared pieces of the eg.distributions tests of the Gamma-function, heavy-tailed, counting and
// multivariate families: parameter tensors from a seed, a per-element check against a float64
// reference [value, magnitude] with a bound K·u·magnitude, and broadcast problem shapes.
import fc from "fast-check";
import { expect } from "vitest";
import * as eg from "../../src/index.js";
import { at, broadcastableTo, broadcastIndex, indices, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

export type FloatDType = "float32" | "float64";
export const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");

/** A tensor of `shape` with values spread over [lo, hi) by a small LCG from `seed`. */
export function param(shape: number[], dtype: FloatDType, seed: number, lo: number, hi: number): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = lo + ((hi - lo) * s) / 2 ** 32; }
  return eg.fromTypedArray(data, shape);
}

/** Each element of `got` (of `shape`) within K·u·magnitude (+ ETA32) of the reference [value, magnitude]. */
export function expectRef(got: eg.Tensor, shape: number[], ref: (idx: number[]) => [number, number], what: string, k = 16): void {
  expect(got.shape, `${what} shape`).toEqual(shape);
  const u = unitOf(got.dtype);
  for (const idx of indices(shape)) {
    const [want, magnitude] = ref(idx), g = at(got, idx), tol = k * u * magnitude + ETA32;
    if (!(g === want || Math.abs(g - want) <= tol)) throw new Error(`${what} at [${idx}]: got ${g}, expected ${want} (tol ${tol})`);
  }
}

/** The element of a broadcast operand `t` that the output index `idx` reads. */
export const read = (t: eg.Tensor, idx: number[]) => at(t, broadcastIndex(idx, t.shape));

/** Shapes of two parameters and a value that broadcast together to `batch`. */
export const problemArb = shapeArb(3, 4).chain((batch) =>
  fc.record({ batch: fc.constant(batch), a: broadcastableTo(batch), b: broadcastableTo(batch), dtype: dtypeArb, seed: fc.nat() })
    .filter(({ a, b }) => a.length === batch.length || b.length === batch.length)
    .filter(({ a, b, batch: s }) => s.every((d, i) => d === 1 || a[i - s.length + a.length] === d || b[i - s.length + b.length] === d)));

/** |x| + 0.3: a positive parameter from an unconstrained float64 input, for gradient checks. */
export const pos = (t: eg.Tensor) => t.abs().add(0.3);

/** The draws of the batch element `col` (of `cols`) from a flat sample of shape [N, cols]. */
export const column = (t: eg.Tensor, col: number, cols: number) => Array.from(t.data as ArrayLike<number>).filter((_, i) => i % cols === col);
export const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sdOf = (xs: number[]) => { const m = meanOf(xs); return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)); };

/** The sample mean of `xs` within 5 standard errors of `mean` (sd the true one, or the sample's). */
export function expectMeanWithin(xs: number[], mean: number, sd: number, what: string): void {
  const m = meanOf(xs), bound = (5 * sd) / Math.sqrt(xs.length);
  if (!(Math.abs(m - mean) <= bound)) throw new Error(`${what}: sample mean ${m} vs ${mean} (bound ${bound})`);
}
