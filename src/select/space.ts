import { finite, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import type { Rng } from "../ndarray/index.js";
import { checkSpaceObject } from "./trial.js";

/** Draws one value of a hyperparameter from a seeded generator. */
export type Sampler<T = unknown> = ((rng: Rng) => T) & { distribution?: Distribution };

/**
 * What a built-in sampler draws from, so that a model-based search (tpeSearch) can place its
 * own densities on the same range; a hand-written sampler has none and is drawn as it is.
 */
export type Distribution =
  | { kind: "uniform" | "logUniform"; low: number; high: number }
  | { kind: "intUniform"; low: number; high: number }
  | { kind: "choice"; values: readonly unknown[] };

const described = <T>(draw: (rng: Rng) => T, distribution: Distribution): Sampler<T> => Object.assign(draw, { distribution });

/** A grid: each parameter's candidate values (a list of grids is searched one after another). */
export type ParamGrid = Record<string, readonly unknown[]>;

/** A random-search space: a list (drawn uniformly) or a Sampler per parameter. */
export type ParamSpace = Record<string, readonly unknown[] | Sampler>;

/**
 * Every combination of a grid (or of each grid in a list) in scikit-learn's ParameterGrid order:
 * keys sorted, the last varying fastest, so the first of tied candidates is the one GridSearchCV
 * picks. Each candidate lists its keys in the grid's own order.
 */
export function paramGrid(grid: ParamGrid | readonly ParamGrid[]): Record<string, unknown>[] {
  const grids = Array.isArray(grid) ? (grid as readonly ParamGrid[]) : [grid as ParamGrid];
  // An empty list would make a search with no candidate and so no best one.
  if (grids.length === 0) throw new ValueError("paramGrid: the list of grids is empty; give at least one grid");
  const out: Record<string, unknown>[] = [];
  for (const [i, g] of grids.entries()) {
    if (g === null || typeof g !== "object" || Array.isArray(g)) {
      throw new ValueError(`paramGrid: ${Array.isArray(grid) ? `grid ${i}` : "the grid"} must be an object of value lists, got ${g === null ? "null" : Array.isArray(g) ? "an array" : typeof g}`);
    }
    const keys = Object.keys(g);
    // Code-unit order, as Python's sorted() of str keys (the same outside astral characters).
    const sorted = [...keys].sort();
    let combos: unknown[][] = [[]];
    for (const key of sorted) {
      const values = g[key];
      if (!Array.isArray(values) || values.length === 0) {
        throw new ValueError(`paramGrid: ${JSON.stringify(key)} needs a non-empty array of values (wrap a single value: [v])`);
      }
      combos = combos.flatMap((c) => values.map((v) => [...c, v]));
    }
    const sortedAt = new Map(sorted.map((key, i) => [key, i]));
    out.push(...combos.map((c) => Object.fromEntries(keys.map((key) => [key, c[sortedAt.get(key)!]]))));
  }
  return out;
}

/** Finite bounds with low < high and a finite width: an infinite bound or width would draw Infinity or NaN. */
function bounds(where: string, low: unknown, high: unknown): [number, number] {
  const lo = finite(where, "low", low), hi = finite(where, "high", high);
  if (!(hi > lo)) throw new ValueError(`${where}: need low < high, got [${lo}, ${hi})`);
  // high − low must be finite too: low + (high − low)·u would be ±Infinity or NaN.
  if (!Number.isFinite(hi - lo)) throw new ValueError(`${where}: the width high − low of [${lo}, ${hi}) overflows to Infinity; use narrower bounds`);
  return [lo, hi];
}

/** Uniform in [low, high). */
export const uniform = (low: number, high: number): Sampler<number> => {
  bounds("uniform", low, high);
  return described((rng) => low + (high - low) * rng.uniform(), { kind: "uniform", low, high });
};

/** Log-uniform in [low, high), for scale parameters such as learning rates and L2 strengths. */
export const logUniform = (low: number, high: number): Sampler<number> => {
  bounds("logUniform", low, high);
  if (!(low > 0)) throw new ValueError(`logUniform: need 0 < low, got low = ${low}`);
  const a = Math.log(low), b = Math.log(high);
  return described((rng) => Math.exp(a + (b - a) * rng.uniform()), { kind: "logUniform", low, high });
};

/** A uniform integer in [low, high], both ends included. */
export const intUniform = (low: number, high: number): Sampler<number> => {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high < low) throw new ValueError(`intUniform: need integers low ≤ high, got [${low}, ${high}]`);
  return described((rng) => low + rng.int(high - low + 1), { kind: "intUniform", low, high });
};

/** One of `values`, uniformly (what a plain list in a ParamSpace means). */
export const choice = <T>(values: readonly T[]): Sampler<T> => {
  if (!Array.isArray(values)) throw new ValueError(`choice: values must be an array, got ${values === null ? "null" : typeof values}`);
  if (values.length === 0) throw new ValueError("choice: needs at least one value");
  return described((rng) => values[rng.int(values.length)], { kind: "choice", values });
};

/**
 * nIter parameter sets from a space. When every entry is a list, sets are drawn without
 * replacement from the full grid (all of it if it has ≤ nIter combinations), as scikit-learn does.
 */
export function sampleSpace(space: ParamSpace, nIter: number, rng: Rng): Record<string, unknown>[] {
  positiveInt("randomSearch", "nIter", nIter);
  checkSpaceObject(space, "randomSearch");
  const entries = Object.entries(space);
  for (const [key, v] of entries) {
    if (typeof v !== "function" && (!Array.isArray(v) || v.length === 0)) {
      throw new ValueError(`randomSearch: ${JSON.stringify(key)} must be a non-empty array or a sampler such as logUniform(1e-4, 1e-1)`);
    }
  }
  if (entries.every(([, v]) => Array.isArray(v))) {
    const all = paramGrid(space as ParamGrid);
    rng.shuffle(all);
    return all.slice(0, nIter);
  }
  return Array.from({ length: nIter }, () =>
    Object.fromEntries(entries.map(([key, v]) => [key, typeof v === "function" ? (v as Sampler)(rng) : choice(v as unknown[])(rng)])));
}
