// Convolutions (PyTorch's F.conv1d, F.conv2d, F.conv_transpose2d) on NCHW tensors, each with its
// backward rule next to its forward. float32 runs on the backend's convolution kernels
// (convKernels(): an implicit GEMM in wasm); float64 runs their JS reference, which sums in
// float64, so gradient checks see exact arithmetic. Non-contiguous inputs are read row-major.
import {
  conv2dBackwardInputJs, conv2dBackwardJs, conv2dBackwardWeightJs, conv2dJs, convKernels, type Conv2dGeometry,
  type Conv2dGrads, type Conv2dGradsWanted,
} from "../backend/index.js";
import { ShapeError, ValueError } from "../errors.js";
import { record, Tensor, willRecord, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { maxPool2d } from "./pooling.js";
import { mixedPrecision } from "../ndarray/mixed-precision-hook.js";
import {
  convDType, convGeometry, pairOf, resolvePadding, type Int1, type IntOrPair, type Padding, type Pair,
} from "./conv-options.js";

export interface Conv2dOptions {
  stride?: IntOrPair;
  /** Zeros added on each side, as a number, [height, width], "same" (stride 1 only) or "valid" (none). */
  padding?: Padding;
  dilation?: IntOrPair;
  groups?: number;
  /** max(0, ·) in the kernel's epilogue (the backward masks by the output): what a fused Conv→ReLU runs. */
  relu?: boolean;
}
export interface Conv1dOptions {
  stride?: Int1;
  padding?: Int1 | "same" | "valid";
  dilation?: Int1;
  groups?: number;
  relu?: boolean;
}
export interface ConvTranspose2dOptions {
  stride?: IntOrPair;
  /** dilation·(kernel − 1) − padding zeros are added on each side of the input (PyTorch's meaning). */
  padding?: IntOrPair;
  /** Extra rows/columns on the bottom/right of the output, to pick among the sizes a stride maps to one input size. */
  outputPadding?: IntOrPair;
  dilation?: IntOrPair;
  groups?: number;
}

type Floats = Float32Array | Float64Array;
export interface ConvFunctions {
  forward(x: Floats, w: Floats, b: Floats | null, g: Conv2dGeometry, o: { relu?: boolean }): Floats;
  backwardInput(dy: Floats, w: Floats, g: Conv2dGeometry): Floats;
  backwardWeight(x: Floats, dy: Floats, g: Conv2dGeometry): Floats;
  /** conv2d's gradients in one pass (dy masked by y > 0 when y is given). */
  backward(x: Floats, w: Floats, dy: Floats, y: Floats | null, g: Conv2dGeometry, want: Conv2dGradsWanted): Conv2dGrads<Floats>;
}

const float64Functions: ConvFunctions = {
  forward: conv2dJs, backwardInput: conv2dBackwardInputJs, backwardWeight: conv2dBackwardWeightJs, backward: conv2dBackwardJs,
};

export function convFunctions(dtype: "float32" | "float64"): ConvFunctions {
  if (dtype === "float64") return float64Functions;
  const k = convKernels();
  return {
    forward: (x, w, b, g, o) => k.conv2d(x as Float32Array, w as Float32Array, b as Float32Array | null, g, o),
    backwardInput: (dy, w, g) => k.conv2dBackwardInput(dy as Float32Array, w as Float32Array, g),
    backwardWeight: (x, dy, g) => k.conv2dBackwardWeight(x as Float32Array, dy as Float32Array, g),
    backward: (x, w, dy, y, g, want) => k.conv2dBackward(x as Float32Array, w as Float32Array, dy as Float32Array, y as Float32Array | null, g, want),
  };
}

// NOTE: the bias sums come in a float32 and a float64 copy on purpose: one loop fed both array
// types runs polymorphic element accesses, measured several times slower in Node 20.

function channelSumsF32(dy: Float32Array, batch: number, channels: number, plane: number, acc: Float64Array): void {
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * plane;
      let s = 0;
      for (let j = 0; j < plane; j++) s += dy[base + j];
      acc[c] += s;
    }
  }
}
function channelSumsF64(dy: Float64Array, batch: number, channels: number, plane: number, acc: Float64Array): void {
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * plane;
      let s = 0;
      for (let j = 0; j < plane; j++) s += dy[base + j];
      acc[c] += s;
    }
  }
}

/** Σ over batch and pixels of dy [N, C, plane] per channel, in float64: the bias gradient. */
export function biasGradOf(dy: Floats, batch: number, channels: number, plane: number, dtype: "float32" | "float64"): Tensor {
  const acc = new Float64Array(channels);
  if (dy instanceof Float32Array) channelSumsF32(dy, batch, channels, plane, acc);
  else channelSumsF64(dy, batch, channels, plane, acc);
  return new Tensor(dtype === "float64" ? acc : Float32Array.from(acc), dtype, [channels]);
}

const asDType = (t: Tensor, dtype: "float32" | "float64"): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/** conv2d of 4-D x and weight already in `dtype`, with its backward. */
function conv2dCore(x: Tensor, w: Tensor, b: Tensor | null, g: Conv2dGeometry, relu: boolean,
                    dtype: "float32" | "float64"): Tensor {
  const mp = mixedPrecision.active;
  if (mp !== null && dtype === "float32") return mp.conv2d(x, w, b, g, relu);
  const f = convFunctions(dtype);
  const xd = x.data as Floats, wd = w.data as Floats;
  const y = f.forward(xd, wd, b ? (b.data as Floats) : null, g, { relu });
  const out = new Tensor(y, dtype, [g.batch, g.outChannels, g.outH, g.outW]);
  return record(out, relu ? "conv2dRelu" : "conv2d", b ? [x, w, b] : [x, w], (gIn) => {
    const want = { input: x.requiresGrad, weight: w.requiresGrad, bias: b?.requiresGrad === true };
    const r = f.backward(xd, wd, gIn.data as Floats, relu ? y : null, g, want);
    return [
      r.dx ? new Tensor(r.dx, dtype, x.shape) : null,
      r.dw ? new Tensor(r.dw, dtype, w.shape) : null,
      r.db ? new Tensor(r.db, dtype, [g.outChannels]) : null,
    ];
  });
}

function checkBias(where: string, bias: Tensor | null, channels: number): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${where}: bias of shape [${bias.shape}] does not match ${channels} output channels`);
  }
}

const CONV_KEYS = ["stride", "padding", "dilation", "groups", "relu"];

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, Cin, H, W] (or unbatched [Cin, H, W]),
 * weight [Cout, Cin/groups, kH, kW], bias [Cout] → [N, Cout, outH, outW].
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  checkOptions("conv2d", o, CONV_KEYS);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`conv2d: input must be [N, C, H, W] or [C, H, W], got [${x.shape}]`);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be [Cout, Cin/groups, kH, kW], got [${weight.shape}]`);
  const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
  const y = conv2dChecked("conv2d", x4, weight, bias, o);
  return x.ndim === 3 ? y.squeeze(0) : y;
}

/** conv2d of a 4-D input after the ops' own shape checks; `where` names the op in errors. */
function conv2dChecked(where: string, x: Tensor, weight: Tensor, bias: Tensor | null, o: Conv2dOptions): Tensor {
  const c = conv2dOperands(where, x, weight, bias, o);
  return conv2dCore(c.x, c.w, c.b, c.g, o.relu === true, c.dtype);
}

/** conv2d's operands in their common dtype and its geometry, every argument checked. */
export function conv2dOperands(where: string, x: Tensor, weight: Tensor, bias: Tensor | null, o: Conv2dOptions) {
  const dtype = convDType(where, x, weight);
  checkBias(where, bias, weight.shape[0]);
  const stride = pairOf(where, "stride", o.stride ?? 1);
  const dilation = pairOf(where, "dilation", o.dilation ?? 1);
  const pad = resolvePadding(where, o.padding ?? 0, [weight.shape[2], weight.shape[3]], dilation, stride);
  const g = convGeometry(where, x.shape, weight.shape, { stride, pad, dilation, groups: o.groups ?? 1 });
  if (o.relu !== undefined && typeof o.relu !== "boolean") throw new ValueError(`${where}: relu must be true or false, got ${String(o.relu)}`);
  return { x: asDType(x, dtype), w: asDType(weight, dtype), b: bias ? asDType(bias, dtype) : null, g, dtype };
}

/**
 * maxPool2d(relu(conv2d(x, weight, bias)), 2) for a 4-D float32 input, as one op: the kernels
 * pool the convolution's output where they made it, so the full-size output is never copied
 * out, nor kept for the backward (the pooled values and each window's winning tap are all it
 * needs). The same bits as the three ops. float64 runs the three ops; a bfloat16 scope its own
 * version of this one (src/nn/autocast-ops.ts).
 */
export function conv2dReluMaxPool2x2(x: Tensor, weight: Tensor, bias: Tensor | null, o: Omit<Conv2dOptions, "relu">): Tensor {
  const c = conv2dOperands("conv2d", x, weight, bias, o);
  if (c.dtype !== "float32" || c.g.outH < 2 || c.g.outW < 2) return maxPool2d(conv2dCore(c.x, c.w, c.b, c.g, true, c.dtype), 2);
  if (mixedPrecision.active !== null) return mixedPrecision.active.conv2dReluMaxPool(c.x, c.w, c.b, c.g);
  const k = convKernels(), g = c.g, xd = c.x.data as Float32Array, wd = c.w.data as Float32Array;
  const inputs = c.b ? [c.x, c.w, c.b] : [c.x, c.w];
  // The winning taps serve the backward alone: at inference (no gradient recorded) none are kept.
  const taps = willRecord(inputs);
  const { y, code } = k.conv2dReluMaxPool(xd, wd, c.b ? (c.b.data as Float32Array) : null, g, undefined, taps);
  const out = new Tensor(y, "float32", [g.batch, g.outChannels, g.outH >> 1, g.outW >> 1]);
  return record(out, "conv2dReluMaxPool2x2", inputs, (gIn) => {
    const want = { input: c.x.requiresGrad, weight: c.w.requiresGrad, bias: c.b?.requiresGrad === true };
    const r = k.conv2dReluMaxPoolBackward(xd, wd, gIn.data as Float32Array, y, code, g, want);
    return [
      r.dx ? new Tensor(r.dx, "float32", c.x.shape) : null,
      r.dw ? new Tensor(r.dw, "float32", c.w.shape) : null,
      r.db ? new Tensor(r.db, "float32", [g.outChannels]) : null,
    ];
  });
}

/**
 * A conv1d option: an integer ≥ min or a one-element array of one, as PyTorch's int-or-tuple (a
 * pair is refused, not half read).
 */
function single(key: string, v: unknown, min: number): number {
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new ValueError(`conv1d: ${key} must be an integer ≥ ${min} or a one-element array of one, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * 1-D convolution: x [N, Cin, L] (or unbatched [Cin, L]), weight [Cout, Cin/groups, k] → [N, Cout, Lout];
 * a 2-D convolution of height 1 on the same kernels.
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv1dOptions = {}): Tensor {
  checkOptions("conv1d", o, CONV_KEYS);
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`conv1d: input must be [N, C, L] or [C, L], got [${x.shape}]`);
  if (weight.ndim !== 3) throw new ShapeError(`conv1d: weight must be [Cout, Cin/groups, k], got [${weight.shape}]`);
  const one = (key: "stride" | "dilation"): Pair => [1, single(key, o[key] ?? 1, 1)];
  const padding = typeof o.padding === "string" ? o.padding : single("padding", o.padding ?? 0, 0);
  const x3 = x.ndim === 2 ? x.unsqueeze(0) : x;
  const y = conv2dChecked("conv1d", x3.unsqueeze(2), weight.unsqueeze(2), bias, {
    stride: one("stride"), dilation: one("dilation"), groups: o.groups ?? 1, relu: o.relu ?? false,
    padding: typeof padding === "string" ? padding : [0, padding],
  }).squeeze(2);
  return x.ndim === 2 ? y.squeeze(0) : y;
}
