import { ValueError } from "./errors.js";

// Checks of single option values shared across the library; each names the function and the key
// in its message and returns the value, so callers write `const n = positiveInt(where, "n", o.n)`.

export function positiveInt(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ValueError(`${name}: ${key} must be a positive integer, got ${String(v)}`);
  return v;
}
export function nonNegativeInt(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValueError(`${name}: ${key} must be an integer ≥ 0, got ${String(v)}`);
  return v;
}
export function positive(name: string, key: string, v: unknown, allowZero = false): number {
  if (typeof v !== "number" || !(allowZero ? v >= 0 : v > 0) || !Number.isFinite(v)) {
    throw new ValueError(`${name}: ${key} must be a finite number ${allowZero ? "≥" : ">"} 0, got ${String(v)}`);
  }
  return v;
}
/** Throws unless lo ≤ v ≤ hi (lo < v when openLo). */
export function inRange(name: string, key: string, v: unknown, lo: number, hi: number, openLo = false): number {
  if (typeof v !== "number" || !(openLo ? v > lo : v >= lo) || !(v <= hi)) {
    throw new ValueError(`${name}: ${key} must be in ${openLo ? "(" : "["}${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}
/** A probability in [0, 1] given as a number: a string such as "0.5" is refused, not coerced. */
export function probability(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    throw new ValueError(`${name}: ${key} must be a number in [0, 1], got ${typeof v === "number" ? v : `${JSON.stringify(v) ?? String(v)} (${v === null ? "null" : typeof v})`}`);
  }
  return v;
}
export function finite(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${name}: ${key} must be a finite number, got ${String(v)}`);
  return v;
}
export function oneOf<T extends string>(name: string, key: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new ValueError(`${name}: ${key} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${String(v)}`);
  return v as T;
}
export function boolean(name: string, key: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new ValueError(`${name}: ${key} must be true or false, got ${String(v)}`);
  return v;
}
