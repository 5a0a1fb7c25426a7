// Max, average and adaptive pooling over NCDHW volumes (PyTorch's F.max_pool3d, F.avg_pool3d,
// F.adaptive_avg_pool3d, F.adaptive_max_pool3d). The windows of each axis come from
// pool-geometry.ts, as for the 1-d and 2-d pools, so padding, dilation, ceilMode and the
// divisors follow the same rules; each op is one pass over its output reading its window's taps,
// and its backward, next to it, one pass scattering the output gradient back: to the recorded
// argmax for max pooling (the first maximum on ties, a NaN winning, as PyTorch), spread over the
// window for averages. Its own file, so a program without volumes bundles none of it.
import { ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import {
  adaptiveWindows, checkFlag, checkStridedAxis, perDim, poolInput, stridedWindows, type AxisSpec, type AxisWindows,
} from "./pool-geometry.js";
import type { MaxPoolOptions } from "./pooling.js";

const alloc = (x: Tensor, n: number): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

/** The windows of the three axes [depth, height, width] and the number of volumes (N·C). */
interface Volumes { volumes: number; axes: readonly [AxisWindows, AxisWindows, AxisWindows] }

const outCount = (v: Volumes): number => v.volumes * v.axes[0].outSize * v.axes[1].outSize * v.axes[2].outSize;
const outShape = (x: Tensor, v: Volumes): number[] => [...x.shape.slice(0, x.ndim - 3), ...v.axes.map((a) => a.outSize)];

/**
 * Calls visit(o, first, nd, nh, nw) for every output element o with the flat input index of its
 * window's first in-bounds tap and the in-bounds tap counts per axis (the steps are the axes').
 */
function eachWindow(v: Volumes, visit: (o: number, first: number, nd: number, nh: number, nw: number, od: number, oh: number, ow: number) => void): void {
  const [ad, ah, aw] = v.axes, H = ah.inSize, W = aw.inSize, volume = ad.inSize * H * W;
  let o = 0;
  for (let p = 0; p < v.volumes; p++) {
    for (let od = 0; od < ad.outSize; od++) {
      const sliceStart = p * volume + ad.first[od] * H * W;
      for (let oh = 0; oh < ah.outSize; oh++) {
        const rowStart = sliceStart + ah.first[oh] * W;
        for (let ow = 0; ow < aw.outSize; ow++, o++) visit(o, rowStart + aw.first[ow], ad.count[od], ah.count[oh], aw.count[ow], od, oh, ow);
      }
    }
  }
}

/** Steps between taps along depth, height and width, in flat input elements. */
const tapSteps = (v: Volumes): [number, number, number] => {
  const [ad, ah, aw] = v.axes, H = ah.inSize, W = aw.inSize;
  return [ad.step * H * W, ah.step * W, aw.step];
};

/** Max pooling with its argmax kept for the backward; indices are flat within each D·H·W volume, as PyTorch's. */
function maxPool(where: string, x: Tensor, v: Volumes, withIndices: boolean): Tensor | [Tensor, Tensor] {
  const n = outCount(v), xd = x.data, y = alloc(x, n), arg = new Int32Array(n);
  const [sd, sh, sw] = tapSteps(v);
  eachWindow(v, (o, first, nd, nh, nw) => {
    let best = -Infinity, at = nd > 0 && nh > 0 && nw > 0 ? first : -1;
    for (let i = 0, s = first; i < nd; i++, s += sd) {
      for (let j = 0, r = s; j < nh; j++, r += sh) {
        for (let k = 0, e = r; k < nw; k++, e += sw) {
          const value = xd[e];
          if (value > best || value !== value) { best = value; at = e; }
        }
      }
    }
    y[o] = best;
    arg[o] = at;
  });
  const shape = outShape(x, v), xShape = x.shape.slice(), xSize = x.size, dtype = x.dtype;
  const out = record(new Tensor(y, dtype, shape), where, [x], (g) => {
    const gd = g.data, gx: FloatArray = dtype === "float64" ? new Float64Array(xSize) : new Float32Array(xSize);
    for (let o = 0; o < n; o++) if (arg[o] >= 0) gx[arg[o]] += gd[o];
    return [new Tensor(gx, dtype, xShape)];
  });
  if (!withIndices) return out;
  const volume = v.axes[0].inSize * v.axes[1].inSize * v.axes[2].inSize, per = n / Math.max(v.volumes, 1);
  const local = new Int32Array(n);
  for (let o = 0; o < n; o++) local[o] = arg[o] < 0 ? -1 : arg[o] - Math.floor(o / per) * volume;
  return [out, new Tensor(local, "int32", shape)];
}

/** Each window's divisor: a fixed one if `divisorOverride`, else the product of the axes'. */
function divisorAt(v: Volumes, divisorOverride: number, od: number, oh: number, ow: number): number {
  return divisorOverride || v.axes[0].divisor[od] * v.axes[1].divisor[oh] * v.axes[2].divisor[ow];
}

function avgPool(where: string, x: Tensor, v: Volumes, divisorOverride: number): Tensor {
  const n = outCount(v), xd = x.data, y = alloc(x, n);
  const [sd, sh, sw] = tapSteps(v);
  eachWindow(v, (o, first, nd, nh, nw, od, oh, ow) => {
    let s = 0;
    for (let i = 0, a = first; i < nd; i++, a += sd) {
      for (let j = 0, r = a; j < nh; j++, r += sh) for (let k = 0, e = r; k < nw; k++, e += sw) s += xd[e];
    }
    y[o] = nd > 0 && nh > 0 && nw > 0 ? s / divisorAt(v, divisorOverride, od, oh, ow) : 0;
  });
  const xShape = x.shape.slice(), xSize = x.size, dtype = x.dtype;
  return record(new Tensor(y, dtype, outShape(x, v)), where, [x], (g) => {
    const gd = g.data, gx: FloatArray = dtype === "float64" ? new Float64Array(xSize) : new Float32Array(xSize);
    eachWindow(v, (o, first, nd, nh, nw, od, oh, ow) => {
      if (nd === 0 || nh === 0 || nw === 0) return;
      const share = gd[o] / divisorAt(v, divisorOverride, od, oh, ow);
      for (let i = 0, a = first; i < nd; i++, a += sd) {
        for (let j = 0, r = a; j < nh; j++, r += sh) for (let k = 0, e = r; k < nw; k++, e += sw) gx[e] += share;
      }
    });
    return [new Tensor(gx, dtype, xShape)];
  });
}

export interface AvgPool3dOptions {
  /** Default: the kernel size (also for null, PyTorch's None). */
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Count padding taps in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (a non-zero integer, as PyTorch's divisor_override). */
  divisorOverride?: number | null;
}

/** Checks a strided pool's input and options, and lays out its windows. */
function strided(where: string, x: Tensor, kernelSize: unknown, o: MaxPoolOptions & AvgPool3dOptions, isMax: boolean): Volumes {
  const { planes, spatial } = poolInput(where, x, 3);
  const kernel = perDim(where, "kernelSize", kernelSize, 3, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : perDim(where, "stride", o.stride, 3, 1);
  const padding = perDim(where, "padding", o.padding ?? 0, 3, 0);
  const dilation = isMax ? perDim(where, "dilation", o.dilation ?? 1, 3, 1) : [1, 1, 1];
  const ceilMode = checkFlag(where, "ceilMode", o.ceilMode, false);
  const countIncludePad = checkFlag(where, "countIncludePad", o.countIncludePad, true);
  const specs: AxisSpec[] = kernel.map((k, i) => ({ kernel: k, stride: stride[i], padding: padding[i], dilation: dilation[i] }));
  specs.forEach((a, i) => checkStridedAxis(where, x, spatial[i], a, ceilMode));
  const [d, h, w] = specs.map((a, i) => stridedWindows(spatial[i], a, ceilMode, countIncludePad));
  return { volumes: planes, axes: [d, h, w] };
}

/** F.max_pool3d over [N, C, D, H, W] or [C, D, H, W]. With returnIndices, [output, indices]. */
export function maxPool3d(x: Tensor, kernelSize: number | readonly number[], o?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool3d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: number | readonly number[], o: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions("maxPool3d", o, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
  const v = strided("maxPool3d", x, kernelSize, o, true);
  return maxPool("maxPool3d", x, v, checkFlag("maxPool3d", "returnIndices", o.returnIndices, false));
}

/** A divisorOverride option: a non-zero integer, or null/undefined for none (0 stands for none). */
export function checkDivisorOverride(where: string, d: unknown): number {
  if (d === undefined || d === null) return 0;
  if (typeof d !== "number" || !Number.isSafeInteger(d) || d === 0) {
    throw new ValueError(`${where}: divisorOverride must be a non-zero integer or null, got ${JSON.stringify(d)}`);
  }
  return d;
}

/** F.avg_pool3d over [N, C, D, H, W] or [C, D, H, W]. */
export function avgPool3d(x: Tensor, kernelSize: number | readonly number[], o: AvgPool3dOptions = {}): Tensor {
  checkOptions("avgPool3d", o, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
  const d = checkDivisorOverride("avgPool3d", o.divisorOverride);
  return avgPool("avgPool3d", x, strided("avgPool3d", x, kernelSize, o, false), d);
}

/** An adaptive 3-d pool's output size: a number or [d, h, w], where null keeps that input dim. */
export type AdaptiveSize3d = number | null | readonly [number | null, number | null, number | null];

/** The size checked (null allowed for any dim), before any input is seen. */
export function checkAdaptiveSize3d(where: string, s: unknown): AdaptiveSize3d {
  const sizes = Array.isArray(s) ? s : [s, s, s];
  if (sizes.length !== 3 || !sizes.every((d) => d === null || (typeof d === "number" && Number.isSafeInteger(d) && d >= 1))) {
    throw new ValueError(`${where}: outputSize must be a positive integer or three of them (null keeps the input's), got ${JSON.stringify(s)}`);
  }
  return s as AdaptiveSize3d;
}

function adaptive(where: string, x: Tensor, outputSize: AdaptiveSize3d): Volumes {
  checkAdaptiveSize3d(where, outputSize);
  const { planes, spatial } = poolInput(where, x, 3);
  const sizes = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize, outputSize];
  const [d, h, w] = spatial.map((n, i) => adaptiveWindows(n, sizes[i] ?? n));
  return { volumes: planes, axes: [d, h, w] };
}

/** F.adaptive_avg_pool3d: window o spans ⌊o·L/n⌋ .. ⌈(o+1)·L/n⌉ on each axis. */
export function adaptiveAvgPool3d(x: Tensor, outputSize: AdaptiveSize3d): Tensor {
  return avgPool("adaptiveAvgPool3d", x, adaptive("adaptiveAvgPool3d", x, outputSize), 0);
}

/** F.adaptive_max_pool3d, with { returnIndices } as maxPool3d. */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3d, o?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3d, o: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3d, o: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3d, o: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkOptions("adaptiveMaxPool3d", o, ["returnIndices"]);
  const withIndices = checkFlag("adaptiveMaxPool3d", "returnIndices", o.returnIndices, false);
  return maxPool("adaptiveMaxPool3d", x, adaptive("adaptiveMaxPool3d", x, outputSize), withIndices);
}
