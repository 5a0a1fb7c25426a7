// ONNX's convolutions on edgegrad's conv1d/2d/3d and their transposes. ONNX pads each end of an
// axis on its own; edgegrad's ops (PyTorch's) pad both ends alike, so unequal pads are applied by
// a zero `pad` (or, for ConvTranspose, a crop of the full output) around a call without padding.
// ConvInteger is exact integer arithmetic: the zero points come off in float64, where every
// product and partial sum of int8/uint8 values is an exact integer, and the float64 convolution
// gives the int32 result ONNX specifies (the padding reads the input's zero point, as onnxruntime's).
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { pad, type Tensor } from "../ndarray/index.js";
import { conv1d, conv2d } from "../nn/conv.js";
import { conv3d, convTranspose3d } from "../nn/conv3d.js";
import { convTranspose2d } from "../nn/conv-transpose.js";
import { convTranspose1d } from "../nn/conv-transpose1d.js";
import { at, perChannel, spatialInput, type OpContext, type OpSpec } from "./onnx-import-op.js";

/** The geometry attributes every convolution and pool reads. */
export interface Window {
  kernel: number[] | undefined; strides: number[] | undefined; dilations: number[] | undefined;
  pads: number[] | undefined; autoPad: string;
}

export function readWindow(c: OpContext, dilations = true): Window {
  const w: Window = {
    kernel: c.a.ints("kernel_shape"), strides: c.a.ints("strides"), dilations: dilations ? c.a.ints("dilations") : undefined,
    pads: c.a.ints("pads"), autoPad: c.a.string("auto_pad", "NOTSET"),
  };
  if (!["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].includes(w.autoPad)) c.a.refuse("auto_pad", w.autoPad, "auto_pad is NOTSET, VALID, SAME_UPPER or SAME_LOWER");
  if (w.autoPad !== "NOTSET" && w.pads) c.a.refuse("auto_pad", w.autoPad, "pads are given too; ONNX allows one or the other");
  return w;
}

export interface Resolved { kernel: number[]; strides: number[]; dilations: number[]; begin: number[]; end: number[] }

/** The window's sizes for an input of spatial dims `size` (and the kernel's, when the attribute is absent). */
export function resolveWindow(w: Window, size: readonly number[], where: string, kernel?: readonly number[]): Resolved {
  const sp = size.length;
  const list = (v: number[] | undefined, name: string, n: number, fill: number, min: number): number[] => {
    const out = v ?? new Array<number>(n).fill(fill);
    if (out.length !== n || out.some((d) => !Number.isInteger(d) || d < min)) throw new ValueError(`${where}: ${name} [${out}] must be ${n} integers ≥ ${min} for an input with ${sp} spatial dims`);
    return out;
  };
  const k = list(w.kernel ?? (kernel ? [...kernel] : undefined), "kernel_shape", sp, 0, 1);
  if (kernel && kernel.some((d, i) => d !== k[i])) throw new ShapeError(`${where}: kernel_shape [${k}] does not match the weight's [${kernel}]`);
  const strides = list(w.strides, "strides", sp, 1, 1), dilations = list(w.dilations, "dilations", sp, 1, 1);
  const pads = list(w.pads, "pads", 2 * sp, 0, 0);
  let begin = pads.slice(0, sp), end = pads.slice(sp);
  if (w.autoPad.startsWith("SAME")) {
    // Output ⌈in/stride⌉; the odd pad goes at the end (SAME_UPPER) or the beginning (SAME_LOWER).
    const total = size.map((n, d) => Math.max(0, (Math.ceil(n / strides[d]) - 1) * strides[d] + dilations[d] * (k[d] - 1) + 1 - n));
    begin = total.map((t) => (w.autoPad === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
    end = total.map((t, d) => t - begin[d]);
  }
  return { kernel: k, strides, dilations, begin, end };
}

/** PyTorch's pad list ((begin, end) pairs from the last dim back) for spatial begins and ends. */
export const torchPads = (begin: readonly number[], end: readonly number[]): number[] =>
  begin.map((_, k) => [begin[begin.length - 1 - k], end[end.length - 1 - k]]).flat();

const symmetric = (r: Resolved) => r.begin.every((b, d) => b === r.end[d]);

type ConvOptions = { stride: number[]; padding: number[]; dilation: number[]; groups: number };
const CONV = [conv1d, conv2d, conv3d] as unknown as ((x: Tensor, w: Tensor, b: Tensor | null, o: ConvOptions) => Tensor)[];
const CONV_T = [convTranspose1d, convTranspose2d, convTranspose3d] as unknown as ((x: Tensor, w: Tensor, b: Tensor | null, o: ConvOptions & { outputPadding: number[] }) => Tensor)[];

/** Convolution of x [N, C, d…] by weight [Cout, C/group, k…] with ONNX's (possibly unequal) pads. */
function convolve(x: Tensor, weight: Tensor, bias: Tensor | null, r: Resolved, group: number): Tensor {
  const sp = x.ndim - 2, even = symmetric(r);
  const input = even ? x : pad(x, torchPads(r.begin, r.end));
  return CONV[sp - 1](input, weight, bias, { stride: r.strides, padding: even ? r.begin : r.begin.map(() => 0), dilation: r.dilations, groups: group });
}

function convInputs(x: Tensor, w: Tensor, where: string): void {
  const sp = spatialInput(x, where);
  if (w.ndim !== sp + 2) throw new ShapeError(`${where}: weight [${w.shape}] does not fit input [${x.shape}] (${sp} spatial dims)`);
}

const conv: OpSpec = {
  inputs: [2, 3],
  prepare: (c) => {
    const w = readWindow(c), group = c.a.int("group", 1);
    return (x) => {
      const input = at(x, 0), weight = at(x, 1);
      convInputs(input, weight, c.where);
      return [convolve(input, weight, x[2], resolveWindow(w, input.shape.slice(2), c.where, weight.shape.slice(2)), group)];
    };
  },
};

/**
 * ConvTranspose: size s·(in − 1) + output_padding + dilation·(k − 1) + 1 − begin − end. Equal
 * pads within edgegrad's output-padding rule go to the op; otherwise the full output is computed
 * and cropped (a negative pad) or extended with zeros, and the bias added after.
 */
const convTranspose: OpSpec = {
  inputs: [2, 3],
  prepare: (c) => {
    const w = readWindow(c), group = c.a.int("group", 1), extra = c.a.ints("output_padding");
    if (c.a.ints("output_shape")) c.a.refuse("output_shape", c.a.ints("output_shape"), "give pads and output_padding instead");
    if (w.autoPad.startsWith("SAME")) c.a.refuse("auto_pad", w.autoPad, "ConvTranspose is imported with explicit pads only");
    return (x) => {
      const input = at(x, 0), weight = at(x, 1), bias = x[2];
      convInputs(input, weight, c.where);
      const sp = input.ndim - 2, r = resolveWindow(w, input.shape.slice(2), c.where, weight.shape.slice(2));
      const op = extra ?? new Array<number>(sp).fill(0);
      if (op.length !== sp || op.some((e, d) => !Number.isInteger(e) || e < 0 || (e >= r.strides[d] && e >= r.dilations[d]))) {
        throw new ValueError(`${c.where}: output_padding [${op}] must be ${sp} non-negative integers, each smaller than its stride or dilation`);
      }
      const f = CONV_T[sp - 1];
      if (symmetric(r)) return [f(input, weight, bias, { stride: r.strides, padding: r.begin, dilation: r.dilations, groups: group, outputPadding: op })];
      const zeros = r.begin.map(() => 0);
      const full = f(input, weight, null, { stride: r.strides, padding: zeros, dilation: r.dilations, groups: group, outputPadding: zeros });
      // The output_padding zeros first, then the crop: a crop may reach into them.
      const extended = pad(full, torchPads(zeros, op));
      const y = pad(extended, torchPads(r.begin.map((b) => -b), r.end.map((e) => -e)));
      return [bias ? y.add(perChannel(bias, y, c.where, "bias")) : y];
    };
  },
};

/** (q − zero point) in float64: exact for int8/uint8 values. */
function centered(q: Tensor, zp: Tensor | null, where: string, what: string, perOutputChannel: boolean): Tensor {
  if (q.dtype !== "int8" && q.dtype !== "uint8") throw new DTypeError(`${where}: ${what} must be int8 or uint8, got ${q.dtype}`);
  const f = q.astype("float64");
  if (!zp) return f;
  if (zp.dtype !== q.dtype) throw new DTypeError(`${where}: ${what}'s zero point must be ${q.dtype} like ${what}, got ${zp.dtype}`);
  if (zp.size === 1) return f.sub(zp.reshape([]).astype("float64"));
  if (!perOutputChannel || zp.ndim !== 1 || zp.shape[0] !== q.shape[0]) throw new ShapeError(`${where}: ${what}'s zero point of shape [${zp.shape}] must be a scalar${perOutputChannel ? ` or one per output channel (${q.shape[0]})` : ""}`);
  return f.sub(zp.astype("float64").reshape([zp.shape[0], ...q.shape.slice(1).map(() => 1)]));
}

const convInteger: OpSpec = {
  inputs: [2, 4],
  prepare: (c) => {
    const w = readWindow(c), group = c.a.int("group", 1);
    return (x) => {
      const input = at(x, 0), weight = at(x, 1);
      convInputs(input, weight, c.where);
      const xf = centered(input, x[2], c.where, "x", false), wf = centered(weight, x[3], c.where, "w", true);
      const y = convolve(xf, wf, null, resolveWindow(w, input.shape.slice(2), c.where, weight.shape.slice(2)), group);
      return [y.astype("int32")];
    };
  },
};

export const CONV_OPS: Record<string, OpSpec> = { Conv: conv, ConvTranspose: convTranspose, ConvInteger: convInteger };
