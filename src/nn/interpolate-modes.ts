// F.interpolate's modes other than "nearest" (which shape-layers.ts keeps as its own copy):
// the mode and alignCorners checks PyTorch makes, and the choice of per-axis taps for each mode.
import { ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { cubicTaps } from "./interpolate-cubic.js";
import { areaTaps, linearTaps, nearestExactTaps } from "./interpolate-linear.js";
import { resampleSeparable, UNIT_AXIS, type AxisTaps } from "./interpolate-taps.js";

export type InterpolateMode = "nearest" | "linear" | "bilinear" | "bicubic" | "area" | "nearest-exact";

/** The spatial dims each mode takes: linear is for [N, C, L], bilinear and bicubic for [N, C, H, W]. */
const SPATIAL_DIMS: Record<InterpolateMode, readonly number[]> = {
  nearest: [1, 2], "nearest-exact": [1, 2], area: [1, 2], linear: [1], bilinear: [2], bicubic: [2],
};
const INTERPOLATING = new Set<string>(["linear", "bilinear", "bicubic"]);

/**
 * The mode (default "nearest") and alignCorners (default false), checked: alignCorners can only
 * be set, even to false, with the interpolating modes, as PyTorch refuses it for the others.
 */
export function resolveMode(where: string, mode: unknown, alignCorners: unknown): { mode: InterpolateMode; alignCorners: boolean } {
  const m = mode ?? "nearest";
  if (typeof m !== "string" || !Object.hasOwn(SPATIAL_DIMS, m)) {
    throw new ValueError(`${where}: mode must be one of ${Object.keys(SPATIAL_DIMS).map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(mode)}`);
  }
  if (alignCorners === undefined || alignCorners === null) return { mode: m as InterpolateMode, alignCorners: false };
  if (typeof alignCorners !== "boolean") throw new ValueError(`${where}: alignCorners must be true, false or null, got ${JSON.stringify(alignCorners)}`);
  if (!INTERPOLATING.has(m)) throw new ValueError(`${where}: alignCorners can only be set with the interpolating modes "linear", "bilinear" and "bicubic", got mode "${m}"`);
  return { mode: m as InterpolateMode, alignCorners };
}

/** Refuses an input whose rank does not fit the mode (as PyTorch's "Got 4D input, but linear mode needs 3D input"). */
export function checkModeRank(where: string, mode: InterpolateMode, x: Tensor): void {
  const dims = SPATIAL_DIMS[mode];
  if (!dims.includes(x.ndim - 2)) {
    const want = dims.map((d) => (d === 1 ? "3-d [N, C, L]" : "4-d [N, C, H, W]")).join(" or ");
    throw new ShapeError(`${where}: mode "${mode}" needs a ${want} input, got shape [${x.shape}]`);
  }
}

function axisTaps(mode: InterpolateMode, inSize: number, outSize: number, alignCorners: boolean, factor: number | null): AxisTaps {
  if (mode === "linear" || mode === "bilinear") return linearTaps(inSize, outSize, alignCorners, factor);
  if (mode === "bicubic") return cubicTaps(inSize, outSize, alignCorners, factor);
  if (mode === "area") return areaTaps(inSize, outSize);
  return nearestExactTaps(inSize, outSize, factor);
}

/**
 * Resizes x ([N, C, L] or [N, C, H, W], float, rank checked) to `sizes` in a weighted mode;
 * `factors[i]` is the scale factor PyTorch uses for the source index (null: in/out).
 */
export function interpolateWeighted(x: Tensor, mode: Exclude<InterpolateMode, "nearest">, sizes: readonly number[],
                                    factors: readonly (number | null)[], alignCorners: boolean): Tensor {
  const last = x.ndim - 1;
  const cols = axisTaps(mode, x.shape[last], sizes[sizes.length - 1], alignCorners, factors[factors.length - 1]);
  const rows = x.ndim === 4 ? axisTaps(mode, x.shape[2], sizes[0], alignCorners, factors[0]) : UNIT_AXIS;
  return resampleSeparable(x, rows, cols, `interpolate${mode === "nearest-exact" ? "NearestExact" : mode[0].toUpperCase() + mode.slice(1)}`);
}
