// F.grid_sample: each output point reads the input at the position its grid entry names (x, y
// [, z] in [−1, 1], x along the width), as PyTorch 1.13: bilinear (trilinear for volumes),
// nearest (ties to even) or bicubic (4-d only) sampling under zeros, border or reflection
// padding. Every mode is a list of taps per point (plane index, weight, and the weight's
// derivative along each grid coordinate), so one forward loop and one backward loop serve all
// three: the input's gradient is the output gradient scattered through the taps, the grid's the
// taps' values times the weights' derivatives times the coordinate map's slope
// (grid-sample-coords.ts). Float64 loops; float32 results rounded once.
import { boolean, oneOf } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import {
  cubicWeights, cubicWeightSlopes, pad, padTap, unnormalize, type GridPadding, type GridSampleMode, type Source,
} from "./grid-sample-coords.js";

export type { GridPadding, GridSampleMode } from "./grid-sample-coords.js";

export interface GridSampleOptions {
  /** "bilinear" (the default; trilinear on 5-d input), "nearest" or "bicubic" (4-d input only). */
  mode?: GridSampleMode;
  /** What points outside the input read: "zeros" (the default), "border" or "reflection". */
  paddingMode?: GridPadding;
  /** Grid values ±1 are the corner pixels' centres (true) or their outer edges (false, the default). */
  alignCorners?: boolean;
}

/** The sampling problem: sizes, and per grid coordinate k (x, y, z) its input axis's size and stride. */
interface Sampling {
  mode: GridSampleMode; padding: GridPadding; alignCorners: boolean;
  N: number; C: number; dims: number; plane: number; points: number;
  size: number[]; stride: number[];
}

/** Taps of one point: plane index (−1: zero padding), weight, d weight / d coordinate k at [tap·dims + k]. */
interface Taps { count: number; index: Int32Array; weight: Float64Array; slope: Float64Array }

function checkInputs(input: Tensor, grid: Tensor, mode: GridSampleMode): void {
  if (!(input instanceof Tensor)) throw new ValueError("gridSample: input must be a Tensor");
  if (!(grid instanceof Tensor)) throw new ValueError("gridSample: grid must be a Tensor");
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new DTypeError(`gridSample: needs a float32 or float64 input, got ${input.dtype}`);
  if (grid.dtype !== input.dtype) throw new DTypeError(`gridSample: grid must have the input's dtype ${input.dtype}, got ${grid.dtype}`);
  if (input.ndim !== 4 && input.ndim !== 5) throw new ShapeError(`gridSample: expected a 4-d [N, C, H, W] or 5-d [N, C, D, H, W] input, got shape [${input.shape}]`);
  const dims = input.ndim - 2;
  if (grid.ndim !== input.ndim || grid.shape[0] !== input.shape[0] || grid.shape[grid.ndim - 1] !== dims) {
    const want = dims === 2 ? "[N, Hout, Wout, 2]" : "[N, Dout, Hout, Wout, 3]";
    throw new ShapeError(`gridSample: grid of shape [${grid.shape}] must be ${want} for input shape [${input.shape}]`);
  }
  if (input.shape.slice(2).some((d) => d === 0)) throw new ShapeError(`gridSample: input of shape [${input.shape}] has an empty spatial dim`);
  if (mode === "bicubic" && dims !== 2) throw new ValueError(`gridSample: mode "bicubic" takes a 4-d input only, got shape [${input.shape}]`);
}

/**
 * The source coordinate of every point along every grid coordinate, and its slope: padded for
 * bilinear and nearest, only unnormalized for bicubic (which pads each tap). A non-finite grid
 * value gives a NaN coordinate.
 */
function sources(g: ArrayLike<number>, s: Sampling): { coord: Float64Array; slope: Float64Array } {
  const n = s.N * s.points * s.dims, coord = new Float64Array(n), slope = new Float64Array(n);
  const src: Source = { coord: 0, slope: 0 };
  for (let i = 0; i < n; i++) {
    const k = i % s.dims, v = g[i];
    if (!Number.isFinite(v)) { coord[i] = NaN; slope[i] = NaN; continue; }
    unnormalize(v, s.size[k], s.alignCorners, src);
    if (s.mode !== "bicubic") pad(src, s.size[k], s.padding, s.alignCorners);
    coord[i] = src.coord;
    slope[i] = src.slope;
  }
  return { coord, slope };
}

/** Nearest: the pixel at each coordinate rounded half to even (C's nearbyint), as PyTorch. */
function nearestTap(c: Float64Array, at: number, s: Sampling, t: Taps): void {
  let index = 0;
  for (let k = 0; k < s.dims; k++) {
    const v = c[at + k], r = Math.round(v);
    const i = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    if (!(i >= 0 && i < s.size[k])) { index = -1; break; }
    index += i * s.stride[k];
  }
  t.count = 1;
  t.index[0] = index;
  t.weight[0] = 1;
}

const base = new Float64Array(3), frac = new Float64Array(3);

/** Π over the coordinates j ≠ skip of corner m's factor: f_j toward the upper pixel, 1 − f_j toward the lower. */
function cornerFactor(m: number, skip: number, dims: number): number {
  let p = 1;
  for (let j = 0; j < dims; j++) if (j !== skip) p *= (m >> j) & 1 ? frac[j] : 1 - frac[j];
  return p;
}

/** Bilinear / trilinear: the 2^dims corners of the point's cell, weight Π (f or 1 − f) over the coordinates. */
function linearTaps(c: Float64Array, at: number, s: Sampling, t: Taps): void {
  const dims = s.dims, count = 1 << dims;
  for (let k = 0; k < dims; k++) {
    base[k] = Math.floor(c[at + k]);
    frac[k] = c[at + k] - base[k];
  }
  t.count = count;
  for (let m = 0; m < count; m++) {
    let index = 0;
    for (let k = 0; k < dims; k++) {
      const i = base[k] + ((m >> k) & 1);
      index = index >= 0 && i >= 0 && i < s.size[k] ? index + i * s.stride[k] : -1;
    }
    t.index[m] = index;
    t.weight[m] = cornerFactor(m, -1, dims);
    // d weight / d c_k: factor k replaced by its derivative, +1 toward the upper pixel, −1 the lower.
    for (let k = 0; k < dims; k++) t.slope[m * dims + k] = ((m >> k) & 1 ? 1 : -1) * cornerFactor(m, k, dims);
  }
}

const cx = new Float64Array(4), cy = new Float64Array(4), dx = new Float64Array(4), dy = new Float64Array(4);

/** Bicubic: the 4×4 taps around the point, each padded on its own; weight wy·wx. */
function cubicTaps(c: Float64Array, at: number, s: Sampling, t: Taps): void {
  const x = c[at], y = c[at + 1], bx = Math.floor(x), by = Math.floor(y);
  cubicWeights(x - bx, cx); cubicWeightSlopes(x - bx, dx);
  cubicWeights(y - by, cy); cubicWeightSlopes(y - by, dy);
  t.count = 16;
  for (let i = 0; i < 4; i++) {
    const row = padTap(by - 1 + i, s.size[1], s.padding, s.alignCorners);
    for (let j = 0; j < 4; j++) {
      const col = padTap(bx - 1 + j, s.size[0], s.padding, s.alignCorners), m = i * 4 + j;
      t.index[m] = row < 0 || col < 0 ? -1 : row * s.stride[1] + col;
      t.weight[m] = cy[i] * cx[j];
      t.slope[m * 2] = cy[i] * dx[j];
      t.slope[m * 2 + 1] = dy[i] * cx[j];
    }
  }
}

/** Fills t with the taps of the point whose coordinates start at c[at]; false for a NaN coordinate. */
function tapsOf(c: Float64Array, at: number, s: Sampling, t: Taps): boolean {
  for (let k = 0; k < s.dims; k++) if (Number.isNaN(c[at + k])) return false;
  if (s.mode === "nearest") nearestTap(c, at, s, t);
  else if (s.mode === "bilinear") linearTaps(c, at, s, t);
  else cubicTaps(c, at, s, t);
  return true;
}

const newTaps = (): Taps => ({ count: 0, index: new Int32Array(16), weight: new Float64Array(16), slope: new Float64Array(48) });
const alloc = (t: Tensor, n: number): FloatArray => (t.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

function sampleForward(xd: ArrayLike<number>, c: Float64Array, s: Sampling, out: FloatArray): void {
  const t = newTaps();
  for (let n = 0; n < s.N; n++) {
    for (let p = 0; p < s.points; p++) {
      const ok = tapsOf(c, (n * s.points + p) * s.dims, s, t);
      for (let ch = 0; ch < s.C; ch++) {
        const base = (n * s.C + ch) * s.plane;
        let sum = ok ? 0 : NaN;
        for (let m = 0; ok && m < t.count; m++) if (t.index[m] >= 0) sum += t.weight[m] * xd[base + t.index[m]];
        out[(n * s.C + ch) * s.points + p] = sum;
      }
    }
  }
}

/** The input's gradient (output gradient scattered through the taps) and, unless nearest, the grid's. */
function sampleBackward(xd: ArrayLike<number>, gd: ArrayLike<number>, c: Float64Array, slope: Float64Array, s: Sampling) {
  const t = newTaps(), gx = new Float64Array(s.N * s.C * s.plane), gg = new Float64Array(c.length);
  const perCoord = new Float64Array(s.dims);
  for (let n = 0; n < s.N; n++) {
    for (let p = 0; p < s.points; p++) {
      const at = (n * s.points + p) * s.dims;
      const ok = tapsOf(c, at, s, t);
      perCoord.fill(0);
      for (let ch = 0; ch < s.C; ch++) {
        const base = (n * s.C + ch) * s.plane, g = gd[(n * s.C + ch) * s.points + p];
        for (let m = 0; ok && m < t.count; m++) {
          const i = t.index[m];
          if (i < 0) continue;
          gx[base + i] += t.weight[m] * g;
          for (let k = 0; k < s.dims; k++) perCoord[k] += xd[base + i] * t.slope[m * s.dims + k] * g;
        }
      }
      // Nearest sampling is piecewise constant: its grid gradient is 0, as PyTorch's.
      for (let k = 0; k < s.dims; k++) gg[at + k] = !ok ? NaN : s.mode === "nearest" ? 0 : perCoord[k] * slope[at + k];
    }
  }
  return { gx, gg };
}

/**
 * F.grid_sample(input, grid, { mode, paddingMode, alignCorners }): input [N, C, H, W] with grid
 * [N, Hout, Wout, 2] gives [N, C, Hout, Wout] (5-d: [N, C, D, H, W] with [N, Dout, Hout, Wout, 3]);
 * gradients reach the input and the grid. A NaN or infinite grid value gives NaN outputs there.
 */
export function gridSample(input: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  checkOptions("gridSample", o, ["mode", "paddingMode", "alignCorners"]);
  const mode = oneOf("gridSample", "mode", o.mode ?? "bilinear", ["bilinear", "nearest", "bicubic"] as const);
  const padding = oneOf("gridSample", "paddingMode", o.paddingMode ?? "zeros", ["zeros", "border", "reflection"] as const);
  const alignCorners = boolean("gridSample", "alignCorners", o.alignCorners ?? false);
  checkInputs(input, grid, mode);
  const dims = input.ndim - 2, spatial = input.shape.slice(2), outSpatial = grid.shape.slice(1, -1);
  // Grid coordinate k (x, y, z) runs along input axis dims − 1 − k (width, height, depth).
  const size = spatial.map((_, k) => spatial[dims - 1 - k]);
  const stride = size.map((_, k) => size.slice(0, k).reduce((a, b) => a * b, 1));
  const s: Sampling = {
    mode, padding, alignCorners, dims, size, stride, N: input.shape[0], C: input.shape[1],
    plane: spatial.reduce((a, b) => a * b, 1), points: outSpatial.reduce((a, b) => a * b, 1),
  };
  const xd = input.data, { coord, slope } = sources(grid.data, s);
  const out = alloc(input, s.N * s.C * s.points);
  sampleForward(xd, coord, s, out);
  return record(new Tensor(out, input.dtype, [s.N, s.C, ...outSpatial]), "gridSample", [input, grid], (g) => {
    const { gx, gg } = sampleBackward(xd, g.data, coord, slope, s);
    const cast = (a: Float64Array): FloatArray => (input.dtype === "float64" ? a : Float32Array.from(a));
    return [new Tensor(cast(gx), input.dtype, input.shape.slice()), new Tensor(cast(gg), grid.dtype, grid.shape.slice())];
  });
}
