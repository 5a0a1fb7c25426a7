// Where a grid point of F.grid_sample reads its input, per spatial axis, with PyTorch 1.13's
// rules: the grid value in [−1, 1] mapped to a pixel coordinate (alignCorners: −1 and 1 are the
// centres of the corner pixels, else their outer edges), then the padding mode applied to it
// (border: clipped to [0, size − 1]; reflection: folded at the edges, then clipped), with the
// derivative of the whole map, which the grid's gradient needs. Bicubic sampling pads each tap
// instead of the point (padTap), and its Keys weights (A = −0.75) and their derivatives are here.
// grid-sample.ts and grid-sample-cubic.ts only read these.

export type GridSampleMode = "bilinear" | "nearest" | "bicubic";
export type GridPadding = "zeros" | "border" | "reflection";

/** A source coordinate and d(coordinate)/d(grid value). */
export interface Source { coord: number; slope: number }

/** The grid value g as a pixel coordinate of an axis of `size` pixels, with its slope. */
export function unnormalize(g: number, size: number, alignCorners: boolean, out: Source): Source {
  if (alignCorners) {
    out.coord = ((g + 1) / 2) * (size - 1);
    out.slope = (size - 1) / 2;
  } else {
    out.coord = ((g + 1) * size - 1) / 2;
    out.slope = size / 2;
  }
  return out;
}

/**
 * Clips to [0, size − 1]; the slope is 0 at and beyond both ends (PyTorch counts the ends as
 * outside, so a point exactly on the border gets no grid gradient).
 */
function clip(s: Source, size: number): void {
  if (s.coord <= 0) {
    s.coord = 0;
    s.slope = 0;
  } else if (s.coord >= size - 1) {
    s.coord = size - 1;
    s.slope = 0;
  }
}

/**
 * Folds the coordinate into [low, high] by reflecting it at both ends as often as needed; each
 * fold flips the slope's sign. low = high (one pixel, corners aligned) pins it to low.
 */
function reflect(s: Source, low: number, high: number): void {
  if (low === high) {
    s.coord = low;
    s.slope = 0;
    return;
  }
  const span = high - low;
  let v = s.coord - low;
  if (v < 0) {
    v = -v;
    s.slope = -s.slope;
  }
  const extra = v % span; // C's fmod for v ≥ 0
  if (Math.floor(v / span) % 2 === 0) {
    s.coord = extra + low;
  } else {
    s.coord = span - extra + low;
    s.slope = -s.slope;
  }
}

/** The padding mode applied to a coordinate of an axis of `size` pixels (the point's, for bilinear and nearest). */
export function pad(s: Source, size: number, padding: GridPadding, alignCorners: boolean): Source {
  if (padding === "border") clip(s, size);
  else if (padding === "reflection") {
    if (alignCorners) reflect(s, 0, size - 1);
    else reflect(s, -0.5, size - 0.5);
    clip(s, size);
  }
  return s;
}

const scratch: Source = { coord: 0, slope: 0 };

/**
 * The pixel a bicubic tap at integer position i reads under the padding mode, or −1 when it
 * reads zero padding (outside the axis in mode "zeros").
 */
export function padTap(i: number, size: number, padding: GridPadding, alignCorners: boolean): number {
  if (padding === "zeros") return i >= 0 && i < size ? i : -1;
  scratch.coord = i;
  scratch.slope = 1;
  return Math.trunc(pad(scratch, size, padding, alignCorners).coord);
}

/** Keys' cubic convolution weight (A = −0.75, PyTorch's) at distance d: 1 − … for |d| ≤ 1, the outer piece for 1 < |d| < 2. */
const A = -0.75;
const near = (d: number): number => ((A + 2) * d - (A + 3)) * d * d + 1;
const far = (d: number): number => ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
const nearSlope = (d: number): number => (3 * (A + 2) * d - 2 * (A + 3)) * d;
const farSlope = (d: number): number => (3 * A * d - 10 * A) * d + 8 * A;

/** The weights of taps floor(c) − 1 … floor(c) + 2 for fraction t = c − floor(c), into w[0..3]. */
export function cubicWeights(t: number, w: Float64Array): void {
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(1 - t);
  w[3] = far(2 - t);
}

/** dw/dt of cubicWeights' four weights, into dw[0..3]. */
export function cubicWeightSlopes(t: number, dw: Float64Array): void {
  dw[0] = farSlope(t + 1);
  dw[1] = nearSlope(t);
  dw[2] = -nearSlope(1 - t);
  dw[3] = -farSlope(2 - t);
}
