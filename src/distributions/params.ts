import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { full } from "../ndarray/creation.js";
import { rngFrom, type RandomOptions, type Rng } from "../ndarray/random.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";

/** A distribution parameter: a float Tensor, or a number (made a 0-d tensor of `dtype`). */
export type ParamLike = Tensor | number;

/**
 * The parameters as float tensors of one dtype, expanded to their broadcast shape (the batch
 * shape), as PyTorch's broadcast_all: numbers take the dtype of the first tensor, else float32.
 */
export function broadcastParams(where: string, named: Record<string, ParamLike>): { values: Tensor[]; batchShape: number[] } {
  const entries = Object.entries(named);
  const first = entries.find(([, v]) => v instanceof Tensor)?.[1] as Tensor | undefined;
  const dtype = first?.dtype === "float64" ? "float64" : "float32";
  const tensors = entries.map(([name, v]) => {
    if (typeof v === "number") return full([], v, { dtype });
    if (!(v instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor or a number, got ${typeof v}`);
    if (v.dtype !== "float32" && v.dtype !== "float64") throw new DTypeError(`${where}: ${name} must be float32 or float64, got ${v.dtype}`);
    if (v.dtype !== dtype) throw new DTypeError(`${where}: parameters must share one dtype, got ${first?.dtype} and ${v.dtype}`);
    return v;
  });
  let batchShape: number[] = [];
  for (const t of tensors) batchShape = broadcastShapes(batchShape, t.shape, where);
  return { values: tensors.map((t) => sameShape(t.shape, batchShape) ? t : t.expand(batchShape)), batchShape };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The first element of `t` failing `ok`, or null (for the argument and support checks). */
export function firstBad(t: Tensor, ok: (v: number) => boolean): { index: number; value: number } | null {
  const data = t.contiguous().data;
  for (let i = 0; i < data.length; i++) if (!ok(data[i])) return { index: i, value: data[i] };
  return null;
}

/** The numbers a parameter or a value may take, and the words an error names them by. */
export interface Constraint {
  readonly text: string;
  readonly ok: (v: number) => boolean;
}

export const real: Constraint = { text: "real", ok: (v) => v === v };
export const positive: Constraint = { text: "positive", ok: (v) => v > 0 };
export const unitInterval: Constraint = { text: "[0, 1]", ok: (v) => v >= 0 && v <= 1 };
export const zeroOrOne: Constraint = { text: "{0, 1}", ok: (v) => v === 0 || v === 1 };
export const nonNegative: Constraint = { text: "[0, ∞)", ok: (v) => v >= 0 };
/** The positive reals as a support (values), where `positive` words a parameter's constraint. */
export const positiveReals: Constraint = { text: "(0, ∞)", ok: (v) => v > 0 };
export const nonNegativeInteger: Constraint = { text: "a non-negative integer", ok: (v) => v >= 0 && Number.isInteger(v) };
/** The counts {0, 1, 2, …} as a support (values). */
export const counts: Constraint = { text: "{0, 1, 2, …}", ok: nonNegativeInteger.ok };

/** torch.finfo's eps (the spacing above 1) and tiny (the smallest normal number) of a float dtype. */
export function finfo(dtype: string): { eps: number; tiny: number } {
  return dtype === "float64" ? { eps: 2 ** -52, tiny: 2 ** -1022 } : { eps: 2 ** -23, tiny: 2 ** -126 };
}

/** Refuses a parameter with an element outside its constraint, naming the element (validate_args). */
export function requireParam(where: string, name: string, t: Tensor, constraint: Constraint): void {
  const bad = firstBad(t, constraint.ok);
  if (bad) throw new ValueError(`${where}: ${name} must be ${constraint.text}, got ${bad.value} at flat index ${bad.index} of shape [${t.shape}]`);
}

/** broadcastParams, then each parameter held to its constraint, in the order given. */
export function constrainedParams(where: string, named: Record<string, readonly [ParamLike, Constraint]>): { values: Tensor[]; batchShape: number[] } {
  const names = Object.keys(named);
  const broadcast = broadcastParams(where, Object.fromEntries(names.map((name) => [name, named[name][0]])));
  names.forEach((name, i) => requireParam(where, name, broadcast.values[i], named[name][1]));
  return broadcast;
}

/** A value for logProb/cdf: a Tensor (or number) whose shape broadcasts with the batch shape. */
export function checkValue(where: string, value: ParamLike, like: Tensor, batchShape: readonly number[], eventShape: readonly number[] = []): Tensor {
  const v = typeof value === "number" ? full([], value, { dtype: like.dtype }) : value;
  if (!(v instanceof Tensor)) throw new ValueError(`${where}: value must be a Tensor or a number, got ${typeof value}`);
  const shape = batchShape.concat(eventShape);
  try {
    broadcastShapes(v.shape, shape, where);
  } catch {
    throw new ShapeError(`${where}: value of shape [${v.shape}] does not broadcast with batchShape + eventShape [${shape}]`);
  }
  return v;
}

/** Refuses a value outside the support (PyTorch validates samples by default). */
export function requireSupport(where: string, v: Tensor, support: Constraint): void {
  const bad = firstBad(v, support.ok);
  if (bad) throw new ValueError(`${where}: value ${bad.value} at flat index ${bad.index} is outside the support ${support.text}`);
}

/** sampleShape checked, options checked, and the generator to draw from. */
export function samplingSetup(where: string, sampleShape: readonly number[], o: RandomOptions | undefined): Rng {
  checkOptions(where, o, ["seed", "rng"]);
  if (!Array.isArray(sampleShape) || !sampleShape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${where}: sampleShape must be an array of non-negative integers, got ${JSON.stringify(sampleShape)}`);
  }
  return rngFrom(o);
}
