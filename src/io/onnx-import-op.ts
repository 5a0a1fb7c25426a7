// The shape of an operator of the ONNX importer: how many inputs and outputs it takes and a
// prepare step that reads and checks the node's attributes once, at import, returning the function
// that computes the node's outputs from its inputs with edgegrad's tensor ops (so autograd runs
// through an imported graph). The operators themselves are in onnx-import-ops-*.ts.
import { DTypeError, ShapeError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import type { Attributes } from "./onnx-import-values.js";

/** A node's inputs in order; null for an optional input left out (an empty name). */
export type Inputs = readonly (Tensor | null)[];
export type Run = (inputs: Inputs) => Tensor[];

export interface OpContext {
  /** "importOnnx: node "<name>" (<op>)", to start every error about the node. */
  where: string;
  a: Attributes;
  /** How many outputs the node names (optional trailing outputs may be left out). */
  outputs: number;
}

export interface OpSpec {
  /** The fewest inputs the node must give and the most it may. */
  inputs: readonly [number, number];
  /** The most outputs the operator computes (default 1). */
  outputs?: number;
  /** Inputs read as lists of integers (shapes, axes, pads): an int64 constant outside int32's range is allowed there. */
  lists?: readonly number[];
  /** Float inputs read as constants, not as data (statistics, scales, bounds): an initializer only read so is a buffer. */
  constants?: readonly number[];
  prepare(c: OpContext): Run;
}

/** Input i, which the operator requires (present: the importer checked the node's inputs). */
export const at = (inputs: Inputs, i: number): Tensor => inputs[i] as Tensor;

export function floatInput(t: Tensor, where: string, what = "input"): Tensor {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${where}: ${what} must be float or double, got ${t.dtype}`);
  return t;
}

/** A per-channel vector [C] as [C, 1, …] against [N, C, d…]. */
export function perChannel(v: Tensor, x: Tensor, where: string, what: string): Tensor {
  const c = x.ndim >= 2 ? x.shape[1] : 1;
  if (v.ndim !== 1 || (v.shape[0] !== c && v.shape[0] !== 1)) throw new ShapeError(`${where}: ${what} of shape [${v.shape}] does not match the ${c} channels of input [${x.shape}]`);
  return v.reshape([v.shape[0], ...x.shape.slice(2).map(() => 1)]);
}

/** A spatial input [N, C, d…] with 1 to `most` spatial dims. */
export function spatialInput(x: Tensor, where: string, most = 3): number {
  const sp = x.ndim - 2;
  if (sp < 1 || sp > most) throw new ShapeError(`${where}: input must be [N, C, …] with 1 to ${most} spatial dims, got [${x.shape}]`);
  return sp;
}
