// Resolution of the convolution ops' arguments into one Conv2dGeometry: PyTorch's rules for
// stride, padding (numbers, pairs, "same", "valid"), dilation and groups, with typed errors that
// name the shapes at fault. A 1-D convolution is a 2-D one of height 1.
import type { Conv2dGeometry } from "../backend/index.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

export type Pair = readonly [number, number];
export type IntOrPair = number | readonly [number, number];
export type Padding = IntOrPair | "same" | "valid";
/** A 1-D size: a number or, as PyTorch's 1-tuple, a one-element array of one. */
export type Int1 = number | readonly [number];

/** A positive (or, with min 0, non-negative) integer or a pair of them, as [height, width]. */
export function pairOf(where: string, key: string, v: unknown, min = 1): Pair {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new ValueError(`${where}: ${key} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
}

/** [top, bottom, left, right] for a padding option; "same" puts the odd extra on the bottom/right, as PyTorch. */
export function resolvePadding(where: string, padding: unknown, kernel: Pair, dilation: Pair, stride: Pair): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${where}: padding "same" needs stride 1, got stride [${stride}]`);
    const th = dilation[0] * (kernel[0] - 1), tw = dilation[1] * (kernel[1] - 1);
    return [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  }
  if (typeof padding === "string") throw new ValueError(`${where}: padding must be a number, a pair, "same" or "valid", got "${padding}"`);
  const [ph, pw] = pairOf(where, "padding", padding, 0);
  return [ph, ph, pw, pw];
}

/** The float dtype both operands compute in, refusing integer tensors. */
export function convDType(where: string, x: Tensor, weight: Tensor): "float32" | "float64" {
  for (const t of [x, weight]) {
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${where}: needs float32 or float64 tensors, got ${t.dtype}`);
  }
  return x.dtype === "float64" || weight.dtype === "float64" ? "float64" : "float32";
}

export interface ConvArgs {
  stride: Pair;
  pad: [number, number, number, number];
  dilation: Pair;
  groups: number;
}

/**
 * The geometry of conv2d(x [N, Cin, H, W], weight [Cout, Cin/groups, kH, kW]), checking that the
 * channels agree, groups divide them and the (dilated) kernel fits in the padded input.
 */
export function convGeometry(where: string, x: readonly number[], w: readonly number[], a: ConvArgs): Conv2dGeometry {
  const [batch, inChannels, inH, inW] = x;
  const [outChannels, perGroup, kernelH, kernelW] = w;
  if (!Number.isInteger(a.groups) || a.groups < 1) throw new ValueError(`${where}: groups must be a positive integer, got ${a.groups}`);
  if (inChannels % a.groups !== 0 || outChannels % a.groups !== 0) {
    throw new ValueError(`${where}: groups=${a.groups} must divide both in channels (${inChannels}) and out channels (${outChannels})`);
  }
  if (perGroup * a.groups !== inChannels) {
    throw new ShapeError(`${where}: input [${x}] has ${inChannels} channels but weight [${w}] expects ${perGroup * a.groups} (${perGroup} per group × groups=${a.groups})`);
  }
  if (kernelH < 1 || kernelW < 1) throw new ShapeError(`${where}: weight [${w}] has an empty kernel (${kernelH}×${kernelW})`);
  const [pt, pb, pl, pr] = a.pad;
  const extentH = a.dilation[0] * (kernelH - 1) + 1, extentW = a.dilation[1] * (kernelW - 1) + 1;
  if (extentH > inH + pt + pb || extentW > inW + pl + pr) {
    throw new ShapeError(`${where}: kernel ${kernelH}×${kernelW} (dilated ${extentH}×${extentW}) is larger than the padded input ${inH + pt + pb}×${inW + pl + pr} (input [${x}])`);
  }
  const outH = Math.floor((inH + pt + pb - extentH) / a.stride[0]) + 1;
  const outW = Math.floor((inW + pl + pr - extentW) / a.stride[1]) + 1;
  return {
    batch, inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW,
    strideH: a.stride[0], strideW: a.stride[1], padTop: pt, padLeft: pl,
    dilationH: a.dilation[0], dilationW: a.dilation[1], groups: a.groups,
  };
}
