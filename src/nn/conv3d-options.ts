// Resolution of the 3-d convolutions' arguments (PyTorch's rules for stride, padding — numbers,
// triples, "same", "valid" —, dilation, outputPadding and groups) with typed errors naming the
// shapes at fault, shared by conv3d.ts and the modules of conv3d-layers.ts. Sizes are
// [depth, height, width].
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

export type Triple = readonly [number, number, number];
export type IntOrTriple = number | Triple;
export type Padding3d = IntOrTriple | "same" | "valid";
/** Zeros added as [front, back, top, bottom, left, right]. */
export type Pads3d = readonly [number, number, number, number, number, number];

/** A positive (or, with min 0, non-negative) integer or three of them. */
export function tripleOf(where: string, key: string, v: unknown, min = 1): Triple {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= min;
  if (ok(v)) return [v, v, v];
  if (Array.isArray(v) && v.length === 3 && v.every(ok)) return [v[0], v[1], v[2]];
  throw new ValueError(`${where}: ${key} must be an integer ≥ ${min} or three of them, got ${JSON.stringify(v)}`);
}

/** A padding option checked ("same" needs stride 1): a triple, "same" or "valid". */
export function checkPadding3d(where: string, padding: unknown, stride: Triple): Triple | "same" | "valid" {
  if (padding === "same" || padding === "valid") {
    if (padding === "same" && stride.some((s) => s !== 1)) throw new ValueError(`${where}: padding "same" needs stride 1, got stride [${stride}]`);
    return padding;
  }
  if (typeof padding === "string") throw new ValueError(`${where}: padding must be a number, three of them, "same" or "valid", got "${padding}"`);
  return tripleOf(where, "padding", padding, 0);
}

/** The zeros on each side; "same" puts the odd extra at the back/bottom/right, as PyTorch. */
export function resolvePads3d(padding: Triple | "same" | "valid", kernel: Triple, dilation: Triple): Pads3d {
  if (padding === "valid") return [0, 0, 0, 0, 0, 0];
  if (padding !== "same") return [padding[0], padding[0], padding[1], padding[1], padding[2], padding[2]];
  const total = kernel.map((k, i) => dilation[i] * (k - 1));
  return [total[0] >> 1, total[0] - (total[0] >> 1), total[1] >> 1, total[1] - (total[1] >> 1), total[2] >> 1, total[2] - (total[2] >> 1)];
}

/** The float dtype both operands compute in, refusing integer tensors. */
export function conv3dDType(where: string, x: Tensor, weight: Tensor): "float32" | "float64" {
  for (const t of [x, weight]) {
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${where}: needs float32 or float64 tensors, got ${t.dtype}`);
  }
  return x.dtype === "float64" || weight.dtype === "float64" ? "float64" : "float32";
}

export function checkGroups(where: string, groups: unknown): number {
  if (typeof groups !== "number" || !Number.isSafeInteger(groups) || groups < 1) {
    throw new ValueError(`${where}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  }
  return groups;
}

export function checkBias3d(where: string, bias: Tensor | null, channels: number): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${where}: bias of shape [${bias.shape}] does not match ${channels} output channels`);
  }
}

/**
 * The output size [oD, oH, oW] of conv3d(x [N, Cin, D, H, W], weight [Cout, Cin/groups, kD, kH, kW]),
 * checking that the channels agree, groups divide them and the dilated kernel fits the padded input.
 */
export function conv3dOutput(where: string, x: readonly number[], w: readonly number[], a: { stride: Triple; pads: Pads3d; dilation: Triple; groups: number }): Triple {
  const [, inChannels] = x, [outChannels, perGroup] = w;
  if (inChannels % a.groups !== 0 || outChannels % a.groups !== 0) {
    throw new ValueError(`${where}: groups=${a.groups} must divide both in channels (${inChannels}) and out channels (${outChannels})`);
  }
  if (perGroup * a.groups !== inChannels) {
    throw new ShapeError(`${where}: input [${x}] has ${inChannels} channels but weight [${w}] expects ${perGroup * a.groups} (${perGroup} per group × groups=${a.groups})`);
  }
  const kernel = w.slice(2), input = x.slice(2);
  if (kernel.some((k) => k < 1)) throw new ShapeError(`${where}: weight [${w}] has an empty kernel (${kernel.join("×")})`);
  const padded = input.map((n, i) => n + a.pads[2 * i] + a.pads[2 * i + 1]);
  const extent = kernel.map((k, i) => a.dilation[i] * (k - 1) + 1);
  if (extent.some((e, i) => e > padded[i])) {
    throw new ShapeError(`${where}: kernel ${kernel.join("×")} (dilated ${extent.join("×")}) is larger than the padded input ${padded.join("×")} (input [${x}])`);
  }
  const out = padded.map((p, i) => Math.floor((p - extent[i]) / a.stride[i]) + 1);
  return [out[0], out[1], out[2]];
}

export interface Transposed3dArgs { stride: Triple; padding: Triple; outputPadding: Triple; dilation: Triple; groups: number }

/** outputPadding must be below the stride or the dilation of its dim, as PyTorch requires. */
export function checkOutputPadding3d(where: string, a: Transposed3dArgs): void {
  for (let d = 0; d < 3; d++) {
    if (a.outputPadding[d] >= a.stride[d] && a.outputPadding[d] >= a.dilation[d]) {
      throw new ValueError(`${where}: outputPadding [${a.outputPadding}] must be smaller than either stride [${a.stride}] or dilation [${a.dilation}]`);
    }
  }
}

/**
 * The output size of convTranspose3d(x [N, Cin, D, H, W], weight [Cin, Cout/groups, kD, kH, kW]):
 * (n − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per dim, checked positive.
 */
export function convTranspose3dOutput(where: string, x: readonly number[], w: readonly number[], a: Transposed3dArgs): Triple {
  const [, inChannels] = x, [wIn] = w;
  if (wIn !== inChannels) throw new ShapeError(`${where}: input [${x}] has ${inChannels} channels but weight [${w}] expects ${wIn}`);
  if (inChannels % a.groups !== 0) throw new ValueError(`${where}: groups=${a.groups} must divide the in channels (${inChannels})`);
  const kernel = w.slice(2);
  if (kernel.some((k) => k < 1)) throw new ShapeError(`${where}: weight [${w}] has an empty kernel (${kernel.join("×")})`);
  checkOutputPadding3d(where, a);
  const out = x.slice(2).map((n, i) => (n - 1) * a.stride[i] - 2 * a.padding[i] + a.dilation[i] * (kernel[i] - 1) + a.outputPadding[i] + 1);
  if (out.some((n) => n < 1)) throw new ShapeError(`${where}: output size ${out.join("×")} for input [${x}] and weight [${w}] is not positive`);
  return [out[0], out[1], out[2]];
}
