// F.conv3d and F.conv_transpose3d on NCDHW volumes, with no kernel of their own: the depth axis
// goes into the batch and the channels (depth-taps.ts), and the 2-d convolution kernels do the
// rest, so a 3-d convolution is one conv2d (implicit GEMM, K = kD·Cin/groups·kH·kW) and a
// transposed one one convTranspose2d. Their backward comes from the same ops: conv2d's rules,
// the depth unfold's (its fold), and the views' and reshapes' around them.
import { Tensor } from "../ndarray/index.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { conv2d } from "./conv.js";
import { convTranspose2d } from "./conv-transpose.js";
import {
  checkBias3d, checkGroups, checkPadding3d, conv3dDType, conv3dOutput, convTranspose3dOutput, resolvePads3d, tripleOf,
  type IntOrTriple, type Padding3d,
} from "./conv3d-options.js";
import { foldDepth, unfoldDepth } from "./depth-taps.js";

export interface Conv3dOptions {
  stride?: IntOrTriple;
  /** Zeros added on each side, as a number, [depth, height, width], "same" (stride 1 only) or "valid" (none). */
  padding?: Padding3d;
  dilation?: IntOrTriple;
  groups?: number;
}
export interface ConvTranspose3dOptions {
  stride?: IntOrTriple;
  /** dilation·(kernel − 1) − padding zeros are added on each side of the input (PyTorch's meaning). */
  padding?: IntOrTriple;
  /** Extra slices/rows/columns at the back/bottom/right of the output, to pick among the sizes a stride maps to one input size. */
  outputPadding?: IntOrTriple;
  dilation?: IntOrTriple;
  groups?: number;
}

const asDType = (t: Tensor, dtype: "float32" | "float64"): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

function checkRanks(where: string, x: Tensor, weight: Tensor, weightLayout: string): void {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new ValueError(`${where}: input and weight must be Tensors`);
  if (x.ndim !== 4 && x.ndim !== 5) throw new ShapeError(`${where}: input must be [N, C, D, H, W] or [C, D, H, W], got [${x.shape}]`);
  if (weight.ndim !== 5) throw new ShapeError(`${where}: weight must be ${weightLayout}, got [${weight.shape}]`);
}

/**
 * 3-D convolution (cross-correlation, as PyTorch): x [N, Cin, D, H, W] (or unbatched [Cin, D, H, W]),
 * weight [Cout, Cin/groups, kD, kH, kW], bias [Cout] → [N, Cout, oD, oH, oW].
 */
export function conv3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv3dOptions = {}): Tensor {
  const where = "conv3d";
  checkOptions(where, o, ["stride", "padding", "dilation", "groups"]);
  checkRanks(where, x, weight, "[Cout, Cin/groups, kD, kH, kW]");
  const dtype = conv3dDType(where, x, weight);
  const stride = tripleOf(where, "stride", o.stride ?? 1), dilation = tripleOf(where, "dilation", o.dilation ?? 1);
  const padding = checkPadding3d(where, o.padding ?? 0, stride), groups = checkGroups(where, o.groups ?? 1);
  const x5 = x.ndim === 4 ? x.unsqueeze(0) : x;
  const [outChannels, perGroup, kD, kH, kW] = weight.shape;
  const pads = resolvePads3d(padding, [kD, kH, kW], dilation);
  const [oD, oH, oW] = conv3dOutput(where, x5.shape, weight.shape, { stride, pads, dilation, groups });
  checkBias3d(where, bias, outChannels);
  const batch = x5.shape[0];
  const images = unfoldDepth(asDType(x5, dtype), {
    groups, perGroup, kernel: kD, stride: stride[0], dilation: dilation[0], padFront: pads[0], positions: oD, depth: x5.shape[2],
  });
  // Channel (g, kd, c) of an image meets weight[co, c, kd]: kd moves next to c, inside each group.
  const planar = asDType(weight, dtype).permute([0, 2, 1, 3, 4]).reshape([outChannels, kD * perGroup, kH, kW]);
  const y = conv2d(images, planar, bias ? asDType(bias, dtype) : null, {
    stride: [stride[1], stride[2]], dilation: [dilation[1], dilation[2]], groups,
    // "same" gives conv2d's own odd-extra-last split, which is PyTorch's and resolvePads3d's.
    padding: padding === "same" ? "same" : [pads[2], pads[4]],
  });
  const out = y.reshape([batch, oD, outChannels, oH, oW]).permute([0, 2, 1, 3, 4]).contiguous();
  return x.ndim === 4 ? out.squeeze(0) : out;
}

/**
 * Transposed 3-D convolution (the adjoint of conv3d): x [N, Cin, D, H, W] (or unbatched), weight
 * [Cin, Cout/groups, kD, kH, kW], bias [Cout] → [N, Cout, (D − 1)·stride − 2·padding + dilation·(kD − 1) + outputPadding + 1, …].
 */
export function convTranspose3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvTranspose3dOptions = {}): Tensor {
  const where = "convTranspose3d";
  checkOptions(where, o, ["stride", "padding", "outputPadding", "dilation", "groups"]);
  checkRanks(where, x, weight, "[Cin, Cout/groups, kD, kH, kW]");
  const dtype = conv3dDType(where, x, weight);
  const a = {
    stride: tripleOf(where, "stride", o.stride ?? 1), padding: tripleOf(where, "padding", o.padding ?? 0, 0),
    outputPadding: tripleOf(where, "outputPadding", o.outputPadding ?? 0, 0), dilation: tripleOf(where, "dilation", o.dilation ?? 1),
    groups: checkGroups(where, o.groups ?? 1),
  };
  const x5 = x.ndim === 4 ? x.unsqueeze(0) : x;
  const [oD] = convTranspose3dOutput(where, x5.shape, weight.shape, a);
  const [batch, inChannels, depth, h, w] = x5.shape, [, perGroup, kD, kH, kW] = weight.shape;
  checkBias3d(where, bias, perGroup * a.groups);
  // Each input slice is one image; its output channels (g, kd, c) are the kernel's depth taps,
  // which foldDepth then adds into the output slices they reach.
  const slices = asDType(x5, dtype).permute([0, 2, 1, 3, 4]).reshape([batch * depth, inChannels, h, w]);
  const planar = asDType(weight, dtype).permute([0, 2, 1, 3, 4]).reshape([inChannels, kD * perGroup, kH, kW]);
  const taps = convTranspose2d(slices, planar, null, {
    stride: [a.stride[1], a.stride[2]], padding: [a.padding[1], a.padding[2]], outputPadding: [a.outputPadding[1], a.outputPadding[2]],
    dilation: [a.dilation[1], a.dilation[2]], groups: a.groups,
  });
  let out = foldDepth(taps, {
    groups: a.groups, perGroup, kernel: kD, stride: a.stride[0], dilation: a.dilation[0], padFront: a.padding[0], positions: depth, depth: oD,
  }, batch);
  if (bias) out = out.add(asDType(bias, dtype).reshape([1, perGroup * a.groups, 1, 1, 1]));
  return x.ndim === 4 ? out.squeeze(0) : out;
}
