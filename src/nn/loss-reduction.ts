import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/** What every loss shares: the reductions, and the checks and coercions of inputs and targets. */
export type Reduction = "mean" | "sum" | "none";
export interface LossOptions {
  reduction?: Reduction;
}

export function reduce(per: Tensor, reduction: Reduction | undefined, where = "loss"): Tensor {
  switch (reduction ?? "mean") {
    case "mean": return per.mean();
    case "sum": return per.sum();
    case "none": return per;
    default: throw new ValueError(`${where}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
}

/** Throws unless `reduction` is one PyTorch accepts here (checked before any work is done). */
export function checkReduction(reduction: unknown, where: string, extra: readonly string[] = []): void {
  const ok = ["mean", "sum", "none", ...extra];
  if (reduction !== undefined && !ok.includes(reduction as string)) {
    throw new ValueError(`${where}: reduction must be ${ok.map((r) => `"${r}"`).join(", ")}, got ${JSON.stringify(reduction)}`);
  }
}

/** The target in the input's shape and dtype; [n] and [n, 1] are accepted for each other. */
export function matchTarget(input: Tensor, target: Tensor, name: string): Tensor {
  if (!(target instanceof Tensor)) throw new ValueError(`${name}: target must be a Tensor`);
  const same = input.ndim === target.ndim && input.shape.every((d, i) => d === target.shape[i]);
  let t = target;
  if (!same) {
    const squeezeEq = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length + 1 && a[a.length - 1] === 1 && b.every((d, i) => d === a[i]);
    if (squeezeEq(input.shape, target.shape) || squeezeEq(target.shape, input.shape)) t = target.reshape(input.shape);
    else throw new ShapeError(`${name}: input of shape [${input.shape}] and target of shape [${target.shape}] differ`);
  }
  return t.dtype === input.dtype ? t : t.astype(input.dtype === "float64" ? "float64" : "float32");
}

/** A boolean option or its default: a truthy string such as "no" must not switch it on. */
export const flag = (v: unknown, fallback: boolean, name: string, key: string): boolean =>
  v === undefined ? fallback : boolean(name, key, v);

export function floatInput(x: Tensor, name: string, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${name}: ${what} must be a Tensor`);
  if (x.dtype === "float32" || x.dtype === "float64") return x;
  throw new DTypeError(`${name}: ${what} must be float32 or float64, got ${x.dtype}`);
}

/** A per-element weight broadcast against `shape` (PyTorch repeats `weight` to the input's shape). */
export function elementWeight(weight: unknown, shape: readonly number[], name: string, what = "weight"): Tensor | null {
  if (weight === undefined || weight === null) return null;
  const w = floatInput(weight as Tensor, name, what);
  const n = shape.length, m = w.ndim;
  const fits = m <= n && w.shape.every((d, i) => d === 1 || d === shape[n - m + i]);
  if (!fits) throw new ShapeError(`${name}: ${what} of shape [${w.shape}] does not broadcast to the input's shape [${shape}]`);
  return w;
}
