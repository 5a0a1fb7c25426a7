import { ValueError } from "../../errors.js";
import type { Schedulable } from "./check.js";

/** Where an optimizer keeps the momentum a cyclic schedule moves: SGD-like `momentum`, Adam-like `betas[0]`. */
export type MomentumKey = "momentum" | "betas";

/**
 * Picks the key as PyTorch does (betas first, from the optimizer's defaults, else its first
 * group); throws when the optimizer has neither.
 */
export function momentumKeyOf(name: string, opt: Schedulable): MomentumKey {
  const d = ((opt as { defaults?: object }).defaults ?? opt.paramGroups[0]) as Record<string, unknown>;
  if (d && "betas" in d) return "betas";
  if (d && "momentum" in d) return "momentum";
  throw new ValueError(`${name}: cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false for this one`);
}

/** Writes a group's momentum; betas are replaced, never edited in place (groups may share the array). */
export function setMomentum(group: object, key: MomentumKey, m: number): void {
  const g = group as Record<string, unknown>;
  if (key === "momentum") g.momentum = m;
  else g.betas = [m, ...(g.betas as number[]).slice(1)];
}

/** Checks a momentum value: in [0, 1). */
export function momentumValue(name: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v < 1)) throw new ValueError(`${name}: ${key} must be in [0, 1), got ${String(v)}`);
  return v;
}
