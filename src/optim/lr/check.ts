import { ValueError } from "../../errors.js";

/** What a scheduler needs from an optimizer: its groups' learning rates (and, to cycle momentum, the rest). */
export interface Schedulable {
  paramGroups: { lr: number; initialLr?: number }[];
}

/** The optimizer's parameter groups, after checking it looks like an optimizer. */
export function groupsOf(name: string, optimizer: Schedulable): Schedulable["paramGroups"] {
  if (!optimizer || typeof optimizer !== "object" || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
    throw new ValueError(`${name}: expected an optimizer with parameter groups, got ${optimizer === null ? "null" : typeof optimizer}`);
  }
  return optimizer.paramGroups;
}

export { positiveInt, nonNegativeInt, positive, inRange, finite, oneOf, boolean } from "../../checks.js";

/**
 * One value per parameter group, as PyTorch's schedulers take either one number for every group
 * or a list with one per group; each value goes through `check`.
 */
export function perGroup(name: string, key: string, v: unknown, groups: number, check: (name: string, key: string, v: unknown) => number): number[] {
  if (Array.isArray(v)) {
    if (v.length !== groups) throw new ValueError(`${name}: ${key} has ${v.length} values for ${groups} parameter groups`);
    return v.map((x, i) => check(name, `${key}[${i}]`, x));
  }
  const one = check(name, key, v);
  return new Array<number>(groups).fill(one);
}

/** One function per parameter group (a single function serves every group). */
export function lambdasPerGroup<F>(name: string, key: string, v: unknown, groups: number): F[] {
  const fns = Array.isArray(v) ? v : new Array(groups).fill(v);
  if (fns.length !== groups) throw new ValueError(`${name}: ${key} has ${fns.length} functions for ${groups} parameter groups`);
  fns.forEach((f, i) => {
    if (typeof f !== "function") throw new ValueError(`${name}: ${key}${Array.isArray(v) ? `[${i}]` : ""} must be a function, got ${typeof f}`);
  });
  return fns as F[];
}

/**
 * What a user's function (lrLambda, scaleFn) returns at `x`, refused unless it is a number: a
 * function that forgets to return would make every lr NaN (PyTorch raises a TypeError for None).
 */
export function returned(name: string, key: string, f: (x: number) => unknown, x: number): number {
  const v = f(x);
  if (typeof v !== "number") throw new ValueError(`${name}: ${key}(${x}) must return a number, got ${v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : typeof v}`);
  return v;
}
