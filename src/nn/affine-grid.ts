// F.affine_grid: the sampling grid of an affine map, for gridSample (the spatial transformer's
// grid generator, Jaderberg et al. 2015). Each output pixel's normalized coordinates (x, y[, z],
// 1) times θᵀ, as PyTorch 1.13's affine_grid_generator; the backward is θ's gradient
// Σ_pixels gradᵢ·baseⱼ. Float64 loops, float32 results rounded once.
import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

export interface AffineGridOptions {
  /** Coordinates ±1 at the corner pixels' centres (true) or their outer edges (false, the default). */
  alignCorners?: boolean;
}

/** The normalized coordinate of pixel i of n: evenly from −1 to 1 (scaled by (n−1)/n without alignCorners); 0 for n = 1. */
function axisCoordinate(i: number, n: number, alignCorners: boolean): number {
  if (n <= 1) return 0;
  return (2 * i - (n - 1)) / (alignCorners ? n - 1 : n);
}

/** [pixels, dims + 1]: every output pixel's (x, y[, z], 1), pixels in row-major order of [D,] H, W. */
function baseGrid(spatial: readonly number[], alignCorners: boolean): Float64Array {
  const dims = spatial.length, cols = dims + 1;
  const pixels = spatial.reduce((a, b) => a * b, 1), base = new Float64Array(pixels * cols);
  for (let p = 0; p < pixels; p++) {
    let rest = p;
    // Coordinate k (x, y, z) runs along spatial axis dims − 1 − k (width first).
    for (let k = 0; k < dims; k++) {
      const n = spatial[dims - 1 - k];
      base[p * cols + k] = axisCoordinate(rest % n, n, alignCorners);
      rest = Math.floor(rest / n);
    }
    base[p * cols + dims] = 1;
  }
  return base;
}

function checkArguments(theta: Tensor, size: unknown): number[] {
  if (!(theta instanceof Tensor)) throw new ValueError("affineGrid: theta must be a Tensor");
  if (theta.dtype !== "float32" && theta.dtype !== "float64") throw new DTypeError(`affineGrid: theta must be float32 or float64, got ${theta.dtype}`);
  if (!Array.isArray(size) || (size.length !== 4 && size.length !== 5) || !size.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new ValueError(`affineGrid: size must be [N, C, H, W] or [N, C, D, H, W] of positive integers, got ${JSON.stringify(size)}`);
  }
  const dims = size.length - 2;
  if (theta.ndim !== 3 || theta.shape[1] !== dims || theta.shape[2] !== dims + 1 || theta.shape[0] !== size[0]) {
    throw new ShapeError(`affineGrid: theta must be [N, ${dims}, ${dims + 1}] with N = ${size[0]} for size [${size}], got shape [${theta.shape}]`);
  }
  return size.slice(2) as number[];
}

/**
 * F.affine_grid(theta, size, { alignCorners }): theta [N, 2, 3] and size [N, C, H, W] give the
 * grid [N, H, W, 2]; theta [N, 3, 4] and [N, C, D, H, W] give [N, D, H, W, 3]. Differentiable in theta.
 */
export function affineGrid(theta: Tensor, size: readonly number[], o: AffineGridOptions = {}): Tensor {
  checkOptions("affineGrid", o, ["alignCorners"]);
  const alignCorners = boolean("affineGrid", "alignCorners", o.alignCorners ?? false);
  const spatial = checkArguments(theta, size);
  const dims = spatial.length, cols = dims + 1, N = theta.shape[0];
  const base = baseGrid(spatial, alignCorners), pixels = base.length / cols;
  const th = theta.data, F = theta.dtype === "float64" ? Float64Array : Float32Array;
  const out = new F(N * pixels * dims);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < pixels; p++) {
      for (let i = 0; i < dims; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += th[(n * dims + i) * cols + j] * base[p * cols + j];
        out[(n * pixels + p) * dims + i] = s;
      }
    }
  }
  return record(new Tensor(out, theta.dtype, [N, ...spatial, dims]), "affineGrid", [theta], (g) => {
    const gd = g.data, gt = new Float64Array(theta.size);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < pixels; p++) {
        for (let i = 0; i < dims; i++) {
          const gi = gd[(n * pixels + p) * dims + i];
          for (let j = 0; j < cols; j++) gt[(n * dims + i) * cols + j] += gi * base[p * cols + j];
        }
      }
    }
    return [new Tensor(theta.dtype === "float64" ? gt : Float32Array.from(gt), theta.dtype, theta.shape.slice())];
  });
}
