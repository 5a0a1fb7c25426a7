// The taps of F.interpolate's "bicubic" mode: Keys' cubic convolution with A = −0.75 (PyTorch's
// and OpenCV's choice) over the four inputs around the source position, the indices clamped to
// the border (the edge value repeated), and no clamping of the source position itself.
import { sourcePosition, sourceScale, type AxisTaps } from "./interpolate-taps.js";

const A = -0.75;

/** The kernel for |d| ≤ 1: ((A + 2)·d − (A + 3))·d² + 1. */
const near = (d: number): number => ((A + 2) * d - (A + 3)) * d * d + 1;
/** The kernel for 1 < |d| < 2: ((A·d − 5A)·d + 8A)·d − 4A. */
const far = (d: number): number => ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;

/** Output o reads i0 − 1 … i0 + 2 (clamped), i0 = ⌊src⌋, weighted by the kernel at their distances. */
export function cubicTaps(inSize: number, outSize: number, alignCorners: boolean, factor: number | null): AxisTaps {
  const index = new Int32Array(4 * outSize), weight = new Float64Array(4 * outSize);
  const scale = sourceScale(inSize, outSize, alignCorners, factor);
  for (let o = 0; o < outSize; o++) {
    const src = sourcePosition(scale, o, alignCorners, true);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const t = Math.min(Math.max(src - i0, 0), 1);
    const w = [far(t + 1), near(t), near(1 - t), far(2 - t)];
    for (let j = 0; j < 4; j++) {
      index[4 * o + j] = Math.max(0, Math.min(i0 - 1 + j, inSize - 1));
      weight[4 * o + j] = w[j];
    }
  }
  return { inSize, outSize, width: 4, index, weight };
}
