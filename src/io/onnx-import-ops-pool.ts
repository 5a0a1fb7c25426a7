// ONNX's pools and normalizations on edgegrad's ops. Pads that edgegrad's pools (PyTorch's) take
// as they are (equal at both ends, at most half the kernel) go to the op; others are applied by
// `pad` first: −∞ for MaxPool, zeros for AveragePool, whose count_include_pad = 0 divisor is then
// the pooled mask of real taps. ceil_mode is imported where ONNX's window count (⌈·⌉ + 1, as its
// spec states it) is the count PyTorch's rule gives, and refused where they differ.
import { ShapeError, ValueError } from "../errors.js";
import { onesLike, pad, type Tensor } from "../ndarray/index.js";
import { avgPool1d, avgPool2d, maxPool1d, maxPool2d } from "../nn/pooling.js";
import { avgPool3d, maxPool3d } from "../nn/pooling3d.js";
import { pooledSize } from "../nn/pool-geometry.js";
import { at, floatInput, perChannel, spatialInput, type OpContext, type OpSpec } from "./onnx-import-op.js";
import { readWindow, resolveWindow, torchPads, type Resolved, type Window } from "./onnx-import-ops-conv.js";

type PoolOptions = { stride: number[]; padding: number[]; dilation?: number[]; ceilMode: boolean; countIncludePad?: boolean };
const MAX = [maxPool1d, maxPool2d, maxPool3d] as unknown as ((x: Tensor, k: number[], o: PoolOptions) => Tensor)[];
const AVG = [avgPool1d, avgPool2d, avgPool3d] as unknown as ((x: Tensor, k: number[], o: PoolOptions) => Tensor)[];

/** ONNX's output count per axis against PyTorch's on the padded input; the pads to give the op (null: pad first). */
function poolPlan(r: Resolved, size: readonly number[], ceil: boolean, where: string): number[] | null {
  const native = r.begin.every((b, d) => b === r.end[d] && b <= Math.floor(r.kernel[d] / 2));
  size.forEach((n, d) => {
    const ext = r.dilations[d] * (r.kernel[d] - 1) + 1, span = n + r.begin[d] + r.end[d] - ext;
    if (span < 0) throw new ShapeError(`${where}: the window (extent ${ext}) is larger than the padded input (${n} + ${r.begin[d]} + ${r.end[d]}) on spatial axis ${d}`);
    const onnx = (ceil ? Math.ceil(span / r.strides[d]) : Math.floor(span / r.strides[d])) + 1;
    const axis = { kernel: r.kernel[d], stride: r.strides[d], dilation: r.dilations[d] };
    const ours = native ? pooledSize(n, { ...axis, padding: r.begin[d] }, ceil) : pooledSize(n + r.begin[d] + r.end[d], { ...axis, padding: 0 }, ceil);
    if (ours !== onnx) {
      throw new ValueError(`${where}: ceil_mode gives ${onnx} windows on spatial axis ${d} (size ${n}, pads ${r.begin[d]}/${r.end[d]}) where the last starts in the padding; PyTorch's rule, which the importer runs, drops it (${ours})`);
    }
  });
  return native ? r.begin : null;
}

function poolSpec(max: boolean): OpSpec {
  return {
    inputs: [1, 1],
    prepare: (c) => {
      const w = readWindow(c, max), ceil = c.a.int("ceil_mode", 0) === 1;
      const countPad = max ? false : c.a.int("count_include_pad", 0) === 1;
      if (max && c.a.int("storage_order", 0) !== 0) c.a.refuse("storage_order", 1, "only the output is computed, not indices");
      if (!w.kernel) throw new ValueError(`${c.where}: attribute kernel_shape is required`);
      return (x) => [pool(c, w, floatInput(at(x, 0), c.where), max, ceil, countPad)];
    },
  };
}

function pool(c: OpContext, w: Window, x: Tensor, max: boolean, ceil: boolean, countPad: boolean): Tensor {
  const sp = spatialInput(x, c.where), size = x.shape.slice(2);
  const r = resolveWindow(w, size, c.where);
  const padding = poolPlan(r, size, ceil, c.where);
  const o: PoolOptions = { stride: r.strides, padding: padding ?? r.kernel.map(() => 0), ceilMode: ceil };
  const k = r.kernel;
  if (max) {
    const input = padding ? x : pad(x, torchPads(r.begin, r.end), { value: -Infinity });
    return MAX[sp - 1](input, k, { ...o, dilation: r.dilations });
  }
  if (padding) return AVG[sp - 1](x, k, { ...o, countIncludePad: countPad });
  const padded = pad(x, torchPads(r.begin, r.end));
  const sums = AVG[sp - 1](padded, k, { ...o, countIncludePad: true });
  if (countPad) return sums;
  // The average over the real taps only: the same pool of a mask of the input's positions.
  const taps = AVG[sp - 1](pad(onesLike(x).detach(), torchPads(r.begin, r.end)), k, { ...o, countIncludePad: true });
  return sums.div(taps);
}

/** LpPool: (Σ |x|^p)^(1/p) over each window, zero pads counting as zeros (opset 13: no dilations nor ceil_mode). */
const lpPool: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const w = readWindow(c, false), p = c.a.int("p", 2);
    if (!w.kernel) throw new ValueError(`${c.where}: attribute kernel_shape is required`);
    if (p < 1) c.a.refuse("p", p, "p must be a positive integer");
    return (x) => {
      const input = floatInput(at(x, 0), c.where), sp = spatialInput(input, c.where);
      const r = resolveWindow(w, input.shape.slice(2), c.where);
      poolPlan(r, input.shape.slice(2), false, c.where);
      const powered = pad(input.abs().pow(p), torchPads(r.begin, r.end));
      const mean = AVG[sp - 1](powered, r.kernel, { stride: r.strides, padding: r.kernel.map(() => 0), ceilMode: false, countIncludePad: true });
      return [mean.mul(r.kernel.reduce((a, d) => a * d, 1)).pow(1 / p)];
    };
  },
};

function globalPool(max: boolean): OpSpec {
  return {
    inputs: [1, 1],
    prepare: (c) => (x) => {
      const input = floatInput(at(x, 0), c.where);
      const axes = input.shape.slice(2).map((_, d) => d + 2);
      if (axes.length === 0) throw new ShapeError(`${c.where}: input must be [N, C, d…], got [${input.shape}]`);
      return [max ? input.max(axes, { keepdims: true }) : input.mean(axes, { keepdims: true })];
    },
  };
}

/** Inference BatchNormalization: (x − mean)/√(var + ε)·scale + B per channel. */
const batchNorm: OpSpec = {
  inputs: [5, 5], constants: [3, 4],
  prepare: (c) => {
    const eps = c.a.float("epsilon", 1e-5);
    c.a.float("momentum", 0.9);  // updates running statistics in training mode only
    if (c.a.int("training_mode", 0) !== 0) c.a.refuse("training_mode", 1, "the importer runs BatchNormalization at inference");
    return (x) => {
      const input = floatInput(at(x, 0), c.where);
      if (input.ndim < 2) throw new ShapeError(`${c.where}: input must be [N, C, …], got [${input.shape}]`);
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(at(x, i), input, c.where, ["scale", "B", "input_mean", "input_var"][i - 1]));
      return [input.sub(mean).div(variance.add(eps).sqrt()).mul(scale).add(bias)];
    };
  },
};

/** InstanceNormalization: each (n, c) plane normalized by its own mean and biased variance. */
const instanceNorm: OpSpec = {
  inputs: [3, 3],
  prepare: (c) => {
    const eps = c.a.float("epsilon", 1e-5);
    return (x) => {
      const input = floatInput(at(x, 0), c.where), axes = input.shape.slice(2).map((_, d) => d + 2);
      if (axes.length === 0) throw new ShapeError(`${c.where}: input must be [N, C, d…], got [${input.shape}]`);
      const centered = input.sub(input.mean(axes, { keepdims: true }));
      const variance = centered.mul(centered).mean(axes, { keepdims: true });
      const y = centered.div(variance.add(eps).sqrt());
      return [y.mul(perChannel(at(x, 1), input, c.where, "scale")).add(perChannel(at(x, 2), input, c.where, "B"))];
    };
  },
};

/** LRN: x / (bias + α/size · Σ x²)^β over channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉. */
const lrn: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const size = c.a.int("size"), alpha = c.a.float("alpha", 1e-4), beta = c.a.float("beta", 0.75), bias = c.a.float("bias", 1);
    if (size === undefined || size < 1) throw new ValueError(`${c.where}: attribute size must be a positive integer, got ${size}`);
    return (x) => {
      const input = floatInput(at(x, 0), c.where);
      if (input.ndim < 3) throw new ShapeError(`${c.where}: input must be [N, C, d…], got [${input.shape}]`);
      const C = input.shape[1], before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
      const squares = pad(input.mul(input), [...input.shape.slice(2).flatMap(() => [0, 0]), before, after]);
      let sum = squares.slice(null, [0, C]);
      for (let j = 1; j < size; j++) sum = sum.add(squares.slice(null, [j, j + C]));
      return [input.div(sum.mul(alpha / size).add(bias).pow(beta))];
    };
  },
};

export const POOL_OPS: Record<string, OpSpec> = {
  MaxPool: poolSpec(true),
  AveragePool: poolSpec(false),
  LpPool: lpPool,
  GlobalAveragePool: globalPool(false),
  GlobalMaxPool: globalPool(true),
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  LRN: lrn,
};
