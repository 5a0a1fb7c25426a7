// What the image-transform tests share: the test image of their PyTorch scripts, a uint8 batch,
// one image of a batch, and the contract every transform keeps.
import { expect } from "vitest";
import { Rng, Tensor } from "../../src/index.js";

/** The test image of the PyTorch scripts: element k is ((37·k) mod 101) / 100. */
export function img(n: number, c: number, h: number, w: number, dtype: "float32" | "float64" = "float32"): Tensor {
  const v = Array.from({ length: n * c * h * w }, (_, k) => ((k * 37) % 101) / 100);
  return new Tensor(dtype === "float32" ? Float32Array.from(v) : Float64Array.from(v), dtype, [n, c, h, w]);
}

/** [n, c, h, w] uint8 with uniform values in [0, 255]. */
export function bytes(n: number, c: number, h: number, w: number, seed = 1): Tensor {
  const rng = new Rng(seed);
  return new Tensor(Uint8Array.from({ length: n * c * h * w }, () => rng.int(256)), "uint8", [n, c, h, w]);
}

export const values = (t: Tensor) => Array.from(t.data);

/** Image i alone, as a batch of one. */
export function one(t: Tensor, i: number): Tensor {
  const per = t.shape[1] * t.shape[2] * t.shape[3];
  return new Tensor(t.data.slice(i * per, (i + 1) * per), t.dtype, [1, t.shape[1], t.shape[2], t.shape[3]]);
}

/** The transform contract: shape as given, dtype kept, input untouched, same seed same bits. */
export function contract(t: (x: Tensor, rng?: Rng) => Tensor, x: Tensor, shape: readonly number[] = x.shape): void {
  const before = values(x);
  const a = t(x, new Rng(3));
  expect(a).not.toBe(x);
  expect(a.shape).toEqual(shape);
  expect(a.dtype).toBe(x.dtype);
  expect(values(x)).toEqual(before);
  expect(values(t(x, new Rng(3)))).toEqual(values(a));
}
