// F.conv_transpose2d: the adjoint of conv2d, so its forward is conv2d's input gradient and its
// backward is conv2d's forward (input) and weight gradient, on the same kernels.
import type { Conv2dGeometry } from "../backend/index.js";
import { ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { convDType, pairOf } from "./conv-options.js";
import { biasGradOf, convFunctions, type ConvTranspose2dOptions } from "./conv.js";

type Floats = Float32Array | Float64Array;

/**
 * The conv2d whose input gradient this transposed convolution is: its input is our output
 * [N, Cout, outH, outW] and its output our input, with weight [Cin, Cout/groups, kH, kW] as is.
 */
function transposedGeometry(x: readonly number[], w: readonly number[], o: ConvTranspose2dOptions): Conv2dGeometry {
  const where = "convTranspose2d";
  const [batch, inChannels, inH, inW] = x;
  const [wIn, perGroup, kernelH, kernelW] = w;
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${where}: groups must be a positive integer, got ${groups}`);
  if (kernelH < 1 || kernelW < 1) throw new ShapeError(`${where}: weight [${w}] has an empty kernel (${kernelH}×${kernelW})`);
  if (wIn !== inChannels) throw new ShapeError(`${where}: input [${x}] has ${inChannels} channels but weight [${w}] expects ${wIn}`);
  if (inChannels % groups !== 0) throw new ValueError(`${where}: groups=${groups} must divide the in channels (${inChannels})`);
  const stride = pairOf(where, "stride", o.stride ?? 1), dilation = pairOf(where, "dilation", o.dilation ?? 1);
  const padding = pairOf(where, "padding", o.padding ?? 0, 0), extra = pairOf(where, "outputPadding", o.outputPadding ?? 0, 0);
  for (const d of [0, 1]) {
    if (extra[d] >= stride[d] && extra[d] >= dilation[d]) {
      throw new ValueError(`${where}: outputPadding [${extra}] must be smaller than either stride [${stride}] or dilation [${dilation}]`);
    }
  }
  const size = (d: number, n: number, k: number) => (n - 1) * stride[d] - 2 * padding[d] + dilation[d] * (k - 1) + extra[d] + 1;
  const outH = size(0, inH, kernelH), outW = size(1, inW, kernelW);
  if (outH < 1 || outW < 1) throw new ShapeError(`${where}: output size ${outH}×${outW} for input [${x}] and weight [${w}] is not positive`);
  return {
    batch, inChannels: perGroup * groups, inH: outH, inW: outW, outChannels: inChannels, outH: inH, outW: inW,
    kernelH, kernelW, strideH: stride[0], strideW: stride[1], padTop: padding[0], padLeft: padding[1],
    dilationH: dilation[0], dilationW: dilation[1], groups,
  };
}

/**
 * Transposed 2-D convolution: x [N, Cin, H, W] (or unbatched [Cin, H, W]), weight
 * [Cin, Cout/groups, kH, kW], bias [Cout] → [N, Cout, (H−1)·stride − 2·padding + dilation·(kH−1) + outputPadding + 1, …].
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvTranspose2dOptions = {}): Tensor {
  const where = "convTranspose2d";
  checkOptions(where, o, ["stride", "padding", "outputPadding", "dilation", "groups"]);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${where}: input must be [N, C, H, W] or [C, H, W], got [${x.shape}]`);
  if (weight.ndim !== 4) throw new ShapeError(`${where}: weight must be [Cin, Cout/groups, kH, kW], got [${weight.shape}]`);
  const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
  const g = transposedGeometry(x4.shape, weight.shape, o);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.inChannels)) {
    throw new ShapeError(`${where}: bias of shape [${bias.shape}] does not match ${g.inChannels} output channels`);
  }
  const dtype = convDType(where, x, weight);
  const xs = x4.dtype === dtype ? x4 : x4.astype(dtype), ws = weight.dtype === dtype ? weight : weight.astype(dtype);
  const bs = bias && bias.dtype !== dtype ? bias.astype(dtype) : bias;
  const f = convFunctions(dtype);
  const xd = xs.data as Floats, wd = ws.data as Floats;
  const y = f.backwardInput(xd, wd, g);
  const plane = g.inH * g.inW;
  if (bs) {
    const b = bs.data as Floats;
    for (let n = 0; n < g.batch; n++) {
      for (let c = 0; c < g.inChannels; c++) {
        const base = (n * g.inChannels + c) * plane;
        for (let j = 0; j < plane; j++) y[base + j] += b[c];
      }
    }
  }
  const out = record(new Tensor(y, dtype, [g.batch, g.inChannels, g.inH, g.inW]), "convTranspose2d", bs ? [xs, ws, bs] : [xs, ws], (gIn) => {
    const dy = gIn.data as Floats;
    return [
      xs.requiresGrad ? new Tensor(f.forward(dy, wd, null, g, {}), dtype, xs.shape) : null,
      ws.requiresGrad ? new Tensor(f.backwardWeight(dy, xd, g), dtype, ws.shape) : null,
      bs?.requiresGrad ? biasGradOf(dy, g.batch, g.inChannels, plane, dtype) : null,
    ];
  });
  return x.ndim === 3 ? out.squeeze(0) : out;
}
