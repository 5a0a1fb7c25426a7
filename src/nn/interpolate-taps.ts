// Separable resampling for F.interpolate's weighted modes: each output position along an axis
// reads a fixed number of input positions ("taps") with weights, and a 2-D output is the
// tensor product of the row and column taps. The linear, cubic and nearest-exact modes differ
// only in their taps (interpolate-linear.ts, interpolate-cubic.ts); the forward gathers and the
// backward scatters the output gradient with the same weights, so they are exact adjoints.
import { record, Tensor, type FloatArray } from "../ndarray/index.js";

/** Taps of one axis: output o reads index[o·width + t] with weight[o·width + t], t < width. */
export interface AxisTaps {
  readonly inSize: number;
  readonly outSize: number;
  readonly width: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/** The axis of size 1 that a 1-D input [N, C, L] is read as, over [N, C, 1, L]. */
export const UNIT_AXIS: AxisTaps = { inSize: 1, outSize: 1, width: 1, index: Int32Array.of(0), weight: Float64Array.of(1) };

/**
 * PyTorch's scale of the source index along one axis (area_pixel_compute_scale): with
 * alignCorners the corners map onto each other, (in − 1)/(out − 1); otherwise 1/factor when a
 * scale factor is used as given, in/out when only sizes are known.
 */
export function sourceScale(inSize: number, outSize: number, alignCorners: boolean, factor: number | null): number {
  if (alignCorners) return outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  return factor !== null ? 1 / factor : inSize / outSize;
}

/**
 * The fractional input position output o reads (area_pixel_compute_source_index): scale·o with
 * alignCorners, else the centre rule scale·(o + ½) − ½, clamped at 0 except for cubic.
 */
export function sourcePosition(scale: number, o: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return scale * o;
  const src = scale * (o + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

const alloc = (x: Tensor, n: number): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

/** y[p, oh, ow] = Σ rows·cols taps of x[p]; sums in float64, one rounding per output. */
function gather(x: ArrayLike<number>, y: FloatArray, planes: number, rows: AxisTaps, cols: AxisTaps): void {
  const W = cols.inSize, plane = rows.inSize * W, kr = rows.width, kc = cols.width;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let oh = 0; oh < rows.outSize; oh++) {
      for (let ow = 0; ow < cols.outSize; ow++, o++) {
        let s = 0;
        for (let i = oh * kr; i < (oh + 1) * kr; i++) {
          const base = p * plane + rows.index[i] * W, wr = rows.weight[i];
          for (let j = ow * kc; j < (ow + 1) * kc; j++) s += wr * cols.weight[j] * x[base + cols.index[j]];
        }
        y[o] = s;
      }
    }
  }
}

/** The adjoint of gather: every output gradient spread back over its taps, summed in float64. */
function scatter(g: ArrayLike<number>, planes: number, rows: AxisTaps, cols: AxisTaps): Float64Array {
  const W = cols.inSize, plane = rows.inSize * W, kr = rows.width, kc = cols.width;
  const acc = new Float64Array(planes * plane);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let oh = 0; oh < rows.outSize; oh++) {
      for (let ow = 0; ow < cols.outSize; ow++, o++) {
        const go = g[o];
        for (let i = oh * kr; i < (oh + 1) * kr; i++) {
          const base = p * plane + rows.index[i] * W, wr = rows.weight[i] * go;
          for (let j = ow * kc; j < (ow + 1) * kc; j++) acc[base + cols.index[j]] += wr * cols.weight[j];
        }
      }
    }
  }
  return acc;
}

/**
 * Resamples a float [N, C, H, W] (rows and cols taps) or [N, C, L] (rows = UNIT_AXIS) tensor,
 * recording the backward under `name`.
 */
export function resampleSeparable(x: Tensor, rows: AxisTaps, cols: AxisTaps, name: string): Tensor {
  const planes = x.shape[0] * x.shape[1];
  const y = alloc(x, planes * rows.outSize * cols.outSize);
  gather(x.data, y, planes, rows, cols);
  const shape = x.ndim === 4 ? [x.shape[0], x.shape[1], rows.outSize, cols.outSize] : [x.shape[0], x.shape[1], cols.outSize];
  return record(new Tensor(y, x.dtype, shape), name, [x], (g) => {
    const acc = scatter(g.data, planes, rows, cols);
    return [new Tensor(x.dtype === "float64" ? acc : Float32Array.from(acc), x.dtype, x.shape.slice())];
  });
}
