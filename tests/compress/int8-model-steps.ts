// Helpers of the tests that compare a compiled int8 model's fused calls with its steps run one
// at a time (int8-conv-pool.test.ts, int8-conv-run.test.ts).
import { expect } from "vitest";
import { fromTypedArray, type Tensor } from "../../src/ndarray/index.js";

/** A tensor of `shape` filled from a seeded generator, values in [−0.3, 0.7). */
export function inputs(shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return fromTypedArray(Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.3), shape);
}

/** The compiled model's steps run one at a time, nothing fused: the reference. */
export function stepByStep(steps: readonly unknown[], x: Tensor): Tensor {
  let h = x;
  for (const s of steps) h = (s as { forward(t: Tensor): Tensor }).forward(h);
  return h;
}

/** Same shape and the same float32 bits (NaN and −0 told apart). */
export function sameBits(a: Tensor, b: Tensor): void {
  const bits = (t: Tensor) => Array.from(t.data as Float32Array).map((v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v));
  expect(a.shape).toEqual(b.shape);
  expect(bits(a)).toEqual(bits(b));
}

/** Image `bad` of y (images of `perImage` values) is all NaN and image 0 holds none. */
export function expectNaNImageOnly(y: Tensor, bad: number, perImage: number): void {
  const data = y.data as Float32Array;
  expect(Array.from(data.subarray(bad * perImage, (bad + 1) * perImage)).every(Number.isNaN)).toBe(true);
  expect(Array.from(data.subarray(0, perImage)).some(Number.isNaN)).toBe(false);
}
