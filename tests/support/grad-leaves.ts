// Scaffolding for gradient checks of losses and activations with findGradMismatches: float64
// leaves from a seeded generator, and a projection of a non-scalar result to a scalar.
import { expect } from "vitest";
import { Rng, Tensor } from "../../src/index.js";

/** A float64 leaf that requires grad, filled with f(rng) from a generator seeded by `seed`. */
export function gradLeaf(shape: number[], seed: number, f: (r: Rng) => number): Tensor {
  const rng = new Rng(seed);
  const t = new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => f(rng)), "float64", shape);
  t.requiresGrad = true;
  return t;
}

/**
 * A scalar from `l`: itself when 0-d, else Σ l·w with fixed weights w in [0.5, 1.5). Positive
 * weights keep the projected sum away from 0, where the checker's rounding estimate fails.
 */
export const project = (l: Tensor, seed: number): Tensor =>
  (l.ndim === 0 ? l : l.mul(gradLeaf(l.shape.slice(), seed, (r) => 0.5 + r.uniform()).detach()).sum());

/** Expects a findGradMismatches result to be empty, showing the first three mismatches if not. */
export const noMismatch = (bad: unknown[]): void => expect(bad.slice(0, 3)).toEqual([]);
