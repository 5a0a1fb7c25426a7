// The taps of F.interpolate's "linear"/"bilinear" modes (two neighbours per axis, weights by
// distance) and of "nearest-exact" (the input cell whose centre is nearest), with PyTorch's
// source-index rules; interpolate-taps.ts turns per-axis taps into the op and its backward.
import { sourcePosition, sourceScale, type AxisTaps } from "./interpolate-taps.js";

/**
 * Along one axis, output o reads i0 = ⌊src⌋ and i1 = i0 + 1 (i0 itself at the last input) with
 * weights 1 − λ and λ, λ = src − i0 clamped to [0, 1], as ATen's linear kernels.
 */
export function linearTaps(inSize: number, outSize: number, alignCorners: boolean, factor: number | null): AxisTaps {
  const index = new Int32Array(2 * outSize), weight = new Float64Array(2 * outSize);
  const scale = sourceScale(inSize, outSize, alignCorners, factor);
  for (let o = 0; o < outSize; o++) {
    const src = sourcePosition(scale, o, alignCorners, false);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const lambda = Math.min(Math.max(src - i0, 0), 1);
    index[2 * o] = i0;
    index[2 * o + 1] = i0 < inSize - 1 ? i0 + 1 : i0;
    weight[2 * o] = 1 - lambda;
    weight[2 * o + 1] = lambda;
  }
  return { inSize, outSize, width: 2, index, weight };
}

/**
 * "nearest-exact": output o copies input ⌊(o + ½)·scale⌋ (clipped), the scale in float32 as
 * ATen computes it for every dtype, so the choice at exact halves matches PyTorch.
 */
export function nearestExactTaps(inSize: number, outSize: number, factor: number | null): AxisTaps {
  const index = new Int32Array(outSize), weight = new Float64Array(outSize).fill(1);
  const scale = Math.fround(factor !== null ? 1 / factor : Math.fround(inSize) / outSize);
  for (let o = 0; o < outSize; o++) index[o] = Math.min(Math.floor(Math.fround((o + 0.5) * scale)), inSize - 1);
  return { inSize, outSize, width: 1, index, weight };
}

/**
 * "area": output o averages inputs ⌊o·in/out⌋ … ⌈(o + 1)·in/out⌉ − 1, the windows of adaptive
 * average pooling; shorter windows are padded with zero-weight taps to a common width.
 */
export function areaTaps(inSize: number, outSize: number): AxisTaps {
  const start = (o: number) => Math.floor((o * inSize) / outSize), end = (o: number) => Math.ceil(((o + 1) * inSize) / outSize);
  let width = 1;
  for (let o = 0; o < outSize; o++) width = Math.max(width, end(o) - start(o));
  const index = new Int32Array(width * outSize), weight = new Float64Array(width * outSize);
  for (let o = 0; o < outSize; o++) {
    const s = start(o), n = end(o) - s;
    for (let t = 0; t < n; t++) {
      index[o * width + t] = s + t;
      weight[o * width + t] = 1 / n;
    }
  }
  return { inSize, outSize, width, index, weight };
}
