// Max, average and adaptive pooling over NCHW (and NCL) inputs, PyTorch's F.max_pool2d and
// friends. Each op is one pass over its output reading the windows' input taps (the windows
// come from pool-geometry.ts), and its backward, next to it, one pass scattering the output
// gradient back: to the recorded argmax for max pooling (for the 2×2, stride-2 pool, which runs
// on a wasm kernel, a byte per window naming its winning tap), spread over the window for
// averages. On ties the first maximum wins, as in PyTorch; a NaN in a window makes its output NaN.
import { ValueError } from "../errors.js";
import { record, Tensor, willRecord, type FloatArray } from "../ndarray/index.js";
import { maxPool2x2BackwardJs, maxPool2x2Js, poolKernels } from "../backend/index.js";
import { checkOptions } from "../options.js";
import {
  adaptiveWindows, checkFlag, checkStridedAxis, perDim, poolInput, stridedWindows, type AxisSpec, type AxisWindows,
} from "./pool-geometry.js";

const alloc = (x: Tensor, n: number): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

/**
 * Max over each window of every H×W plane; arg[o] is the flat input index of the first maximum
 * (a NaN wins, as in PyTorch), or −1 for a window with no in-bounds tap (its output is −∞).
 */
function maxPoolPlanes(x: ArrayLike<number>, y: FloatArray, arg: Int32Array, planes: number, rows: AxisWindows, cols: AxisWindows): void {
  const W = cols.inSize, plane = rows.inSize * W, dh = rows.step * W, dw = cols.step;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < rows.outSize; oh++) {
      const rowStart = p * plane + rows.first[oh] * W, nh = rows.count[oh];
      for (let ow = 0; ow < cols.outSize; ow++, o++) {
        const nw = cols.count[ow];
        let best = -Infinity, at = nh > 0 && nw > 0 ? rowStart + cols.first[ow] : -1;
        for (let i = 0, r = rowStart + cols.first[ow]; i < nh; i++, r += dh) {
          for (let j = 0, k = r; j < nw; j++, k += dw) {
            const v = x[k];
            if (v > best || v !== v) { best = v; at = k; }
          }
        }
        y[o] = best;
        arg[o] = at;
      }
    }
  }
}

/**
 * True when output o reads taps 2o and 2o + 1 for every o < ⌊inSize/2⌋: the 2×2, stride-2 pool of
 * nearly every CNN, the layout the pooling kernels write. The count matters: one window of two
 * taps (a stride of 3 on 4 rows) passes the other tests but has one output where the kernels
 * write two.
 */
const isPairs = (a: AxisWindows): boolean =>
  a.step === 1 && a.outSize === a.inSize >> 1 && a.count.every((c, o) => c === 2 && a.first[o] === 2 * o);

/** Sum over each window divided by the window's divisor (a fixed one if `divisorOverride`). */
function avgPoolPlanes(x: ArrayLike<number>, y: FloatArray, planes: number, rows: AxisWindows, cols: AxisWindows, divisorOverride: number): void {
  const W = cols.inSize, plane = rows.inSize * W, dh = rows.step * W, dw = cols.step;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < rows.outSize; oh++) {
      const rowStart = p * plane + rows.first[oh] * W, nh = rows.count[oh];
      for (let ow = 0; ow < cols.outSize; ow++, o++) {
        const nw = cols.count[ow];
        let s = 0;
        for (let i = 0, r = rowStart + cols.first[ow]; i < nh; i++, r += dh) {
          for (let j = 0, k = r; j < nw; j++, k += dw) s += x[k];
        }
        y[o] = nh > 0 && nw > 0 ? s / (divisorOverride || rows.divisor[oh] * cols.divisor[ow]) : 0;
      }
    }
  }
}

/** The average's backward: each output gradient, divided as in the forward, added to its taps. */
function avgPoolBackward(g: ArrayLike<number>, gx: FloatArray, planes: number, rows: AxisWindows, cols: AxisWindows, divisorOverride: number): void {
  const W = cols.inSize, plane = rows.inSize * W, dh = rows.step * W, dw = cols.step;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < rows.outSize; oh++) {
      const rowStart = p * plane + rows.first[oh] * W, nh = rows.count[oh];
      for (let ow = 0; ow < cols.outSize; ow++, o++) {
        const nw = cols.count[ow];
        if (nh === 0 || nw === 0) continue;
        const share = g[o] / (divisorOverride || rows.divisor[oh] * cols.divisor[ow]);
        for (let i = 0, r = rowStart + cols.first[ow]; i < nh; i++, r += dh) {
          for (let j = 0, k = r; j < nw; j++, k += dw) gx[k] += share;
        }
      }
    }
  }
}

const outShape = (x: Tensor, dims: number, rows: AxisWindows, cols: AxisWindows) =>
  [...x.shape.slice(0, x.ndim - dims), ...(dims === 2 ? [rows.outSize] : []), cols.outSize];

/** Max pooling with its argmax kept for the backward; `indices` are per plane (h·W + w), as PyTorch's. */
function maxPool(where: string, x: Tensor, dims: number, rows: AxisWindows, cols: AxisWindows, planes: number, withIndices: boolean): Tensor | [Tensor, Tensor] {
  const shape = outShape(x, dims, rows, cols);
  if (!withIndices && isPairs(rows) && isPairs(cols)) return maxPool2x2(where, x, shape, planes, rows.inSize, cols.inSize);
  const n = planes * rows.outSize * cols.outSize;
  const y = alloc(x, n), arg = new Int32Array(n);
  maxPoolPlanes(x.data, y, arg, planes, rows, cols);
  const out = record(new Tensor(y, x.dtype, shape), where, [x], (g) => {
    const gd = g.data, gx = alloc(x, x.size);
    for (let o = 0; o < n; o++) if (arg[o] >= 0) gx[arg[o]] += gd[o];
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
  if (!withIndices) return out;
  const plane = rows.inSize * cols.inSize, local = new Int32Array(n), per = rows.outSize * cols.outSize;
  for (let o = 0; o < n; o++) local[o] = arg[o] < 0 ? -1 : arg[o] - Math.floor(o / per) * plane;
  return [out, new Tensor(local, "int32", shape)];
}

/**
 * The 2×2, stride-2 pool of nearly every CNN, through the pooling kernels (wasm SIMD for
 * float32). Each window keeps a byte naming its winning tap, so the backward is one scatter of
 * the output gradient, also a kernel.
 */
function maxPool2x2(where: string, x: Tensor, shape: number[], planes: number, h: number, w: number): Tensor {
  const xd = x.data as FloatArray, n = planes * (h >> 1) * (w >> 1), y = alloc(x, n);
  // The taps serve the backward alone: none are kept when no gradient is recorded (inference).
  const code = willRecord([x]) ? new Uint8Array(n) : null;
  if (xd instanceof Float32Array) poolKernels().f32MaxPool2x2(planes, h, w, xd, y as Float32Array, code);
  else maxPool2x2Js(planes, h, w, xd, y, code);
  // The rule keeps the codes and x's shape, not x: a bfloat16 scope's graph holds no float32 input here.
  const dtype = x.dtype, xShape = x.shape, xSize = x.size;
  return record(new Tensor(y, dtype, shape), where, [x], (g) => {
    const gd = g.data as FloatArray, gx: FloatArray = dtype === "float64" ? new Float64Array(xSize) : new Float32Array(xSize);
    // record() keeps this rule only when x requires a gradient, and then code was made.
    const taps = code as Uint8Array;
    if (gx instanceof Float32Array && gd instanceof Float32Array) poolKernels().f32MaxPool2x2Backward(planes, h, w, taps, gd, gx);
    else maxPool2x2BackwardJs(planes, h, w, taps, gd, gx);
    return [new Tensor(gx, dtype, xShape.slice())];
  });
}

function avgPool(where: string, x: Tensor, dims: number, rows: AxisWindows, cols: AxisWindows, planes: number, divisorOverride: number): Tensor {
  const n = planes * rows.outSize * cols.outSize;
  const y = alloc(x, n);
  avgPoolPlanes(x.data, y, planes, rows, cols, divisorOverride);
  return record(new Tensor(y, x.dtype, outShape(x, dims, rows, cols)), where, [x], (g) => {
    const gx = alloc(x, x.size);
    avgPoolBackward(g.data, gx, planes, rows, cols, divisorOverride);
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
}

export interface MaxPoolOptions {
  /** Default: the kernel size (also for null, PyTorch's None). */
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
  ceilMode?: boolean;
  /** Also return the argmax of each window (int32, flat index within its input plane). */
  returnIndices?: boolean;
}
export interface AvgPool1dOptions {
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Count padding taps in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}
export interface AvgPool2dOptions extends AvgPool1dOptions {
  /** Divide every window's sum by this instead (a non-zero integer, as PyTorch's divisor_override). */
  divisorOverride?: number | null;
}

interface Strided { planes: number; rows: AxisWindows; cols: AxisWindows }

/** Checks a strided pool's input and options, and lays out its windows (a 1-D pool is one row). */
function strided(where: string, x: Tensor, dims: number, kernelSize: unknown, o: MaxPoolOptions & AvgPool1dOptions, isMax: boolean): Strided {
  const { planes, spatial } = poolInput(where, x, dims);
  const kernel = perDim(where, "kernelSize", kernelSize, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : perDim(where, "stride", o.stride, dims, 1);
  const padding = perDim(where, "padding", o.padding ?? 0, dims, 0);
  const dilation = isMax ? perDim(where, "dilation", o.dilation ?? 1, dims, 1) : new Array<number>(dims).fill(1);
  const ceilMode = checkFlag(where, "ceilMode", o.ceilMode, false);
  const countIncludePad = checkFlag(where, "countIncludePad", o.countIncludePad, true);
  const axes: AxisSpec[] = kernel.map((k, i) => ({ kernel: k, stride: stride[i], padding: padding[i], dilation: dilation[i] }));
  axes.forEach((a, i) => checkStridedAxis(where, x, spatial[i], a, ceilMode));
  const windows = axes.map((a, i) => stridedWindows(spatial[i], a, ceilMode, countIncludePad));
  const rows = dims === 2 ? windows[0] : stridedWindows(1, { kernel: 1, stride: 1, padding: 0, dilation: 1 }, false, true);
  return { planes, rows, cols: windows[dims - 1] };
}

const MAX_KEYS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"];
function maxPoolNd(where: string, dims: number, x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  checkOptions(where, o, MAX_KEYS);
  const s = strided(where, x, dims, kernelSize, o, true);
  return maxPool(where, x, dims, s.rows, s.cols, s.planes, checkFlag(where, "returnIndices", o.returnIndices, false));
}

/** F.max_pool1d over [N, C, L] or [C, L]. With returnIndices, [output, indices]. */
export function maxPool1d(x: Tensor, kernelSize: number | readonly number[], o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd("maxPool1d", 1, x, kernelSize, o);
}
/** F.max_pool2d over [N, C, H, W] or [C, H, W]. With returnIndices, [output, indices]. */
export function maxPool2d(x: Tensor, kernelSize: number | readonly number[], o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd("maxPool2d", 2, x, kernelSize, o);
}

/** F.avg_pool1d over [N, C, L] or [C, L]. */
export function avgPool1d(x: Tensor, kernelSize: number | readonly number[], o: AvgPool1dOptions = {}): Tensor {
  checkOptions("avgPool1d", o, ["stride", "padding", "ceilMode", "countIncludePad"]);
  const s = strided("avgPool1d", x, 1, kernelSize, o, false);
  return avgPool("avgPool1d", x, 1, s.rows, s.cols, s.planes, 0);
}

/** F.avg_pool2d over [N, C, H, W] or [C, H, W]. */
export function avgPool2d(x: Tensor, kernelSize: number | readonly number[], o: AvgPool2dOptions = {}): Tensor {
  checkOptions("avgPool2d", o, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
  const d = o.divisorOverride ?? 0;
  if (o.divisorOverride !== undefined && o.divisorOverride !== null && !(Number.isSafeInteger(d) && d !== 0)) {
    throw new ValueError(`avgPool2d: divisorOverride must be a non-zero integer or null, got ${JSON.stringify(o.divisorOverride)}`);
  }
  const s = strided("avgPool2d", x, 2, kernelSize, o, false);
  return avgPool("avgPool2d", x, 2, s.rows, s.cols, s.planes, d);
}

/** An adaptive pool's output size: a number or [h, w], where null keeps that input dim. */
export type AdaptiveSize = number | null | readonly [number | null, number | null];

function adaptive(where: string, x: Tensor, outputSize: AdaptiveSize): Strided {
  const { planes, spatial } = poolInput(where, x, 2);
  const pair = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
  const sizes = pair.map((s, i) => (s === null ? spatial[i] : s));
  if (pair.length !== 2 || !sizes.every((s) => Number.isSafeInteger(s) && (s as number) >= 1)) {
    throw new ValueError(`${where}: outputSize must be a positive integer or a pair of them (null keeps the input's), got ${JSON.stringify(outputSize)}`);
  }
  return { planes, rows: adaptiveWindows(spatial[0], sizes[0] as number), cols: adaptiveWindows(spatial[1], sizes[1] as number) };
}

/** F.adaptive_avg_pool2d: window o spans ⌊o·L/n⌋ .. ⌈(o+1)·L/n⌉ on each axis. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const s = adaptive("adaptiveAvgPool2d", x, outputSize);
  return avgPool("adaptiveAvgPool2d", x, 2, s.rows, s.cols, s.planes, 0);
}

/** F.adaptive_max_pool2d, with { returnIndices } as maxPool2d. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, o?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, o: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, o: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, o: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkOptions("adaptiveMaxPool2d", o, ["returnIndices"]);
  const s = adaptive("adaptiveMaxPool2d", x, outputSize);
  return maxPool("adaptiveMaxPool2d", x, 2, s.rows, s.cols, s.planes, checkFlag("adaptiveMaxPool2d", "returnIndices", o.returnIndices, false));
}
