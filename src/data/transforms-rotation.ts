import { DTypeError, ValueError } from "../errors.js";
import { Tensor, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { batchDims, generator, INTEGER_RANGE, sameKind, type Transform } from "./transforms.js";
import { roundHalfEven, type Interpolation } from "./transforms-geometry.js";

/**
 * torchvision 0.14's RandomRotation on NCHW batches, with the contract of transforms.ts (a new
 * tensor, the input never written, an angle drawn per image from `rng` or the global generator,
 * the dtype kept). The sampling is torchvision's for tensors: F.rotate's inverse affine matrix,
 * _gen_affine_grid's normalized grid and grid_sample(align_corners=False, padding_mode="zeros"),
 * with the fill applied through the sampled mask of a channel of ones (_apply_grid_transform).
 * Coordinates and weights are computed in float64 and each value rounded once to the batch's
 * dtype (torchvision samples float32 and uint8 images in float32, so its values may differ in
 * the last bits, and a nearest pixel exactly halfway between two may go the other way).
 */

export interface RandomRotationOptions {
  /** "nearest" (the default, as torchvision) or "bilinear". */
  interpolation?: Interpolation;
  /** The value of pixels that come from outside the image: one number, or one per channel (default 0). */
  fill?: number | readonly number[];
  /** The point rotated about, [x, y] in pixels from the top-left corner (default: the image's centre). */
  center?: readonly [number, number];
  /** Only false: the output keeps the input's size (expanding to fit the rotated image is not implemented). */
  expand?: boolean;
}

/** [min, max] angles in degrees from torchvision's _setup_angle: d ≥ 0 gives [−d, d]. */
function degreesOption(v: unknown): [number, number] {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return [-v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((a) => typeof a === "number" && Number.isFinite(a)) && v[0] <= v[1]) return [v[0], v[1]];
  throw new ValueError(`randomRotation: degrees must be a finite number ≥ 0 or [min, max] with min ≤ max, got ${JSON.stringify(v)}`);
}

/**
 * The batch's images each rotated by its angle (degrees, counter-clockwise) into `out`. For
 * output pixel (row y, column x) torchvision's grid is the pixel's centre relative to the image's
 * centre, (x + ½ − w/2, y + ½ − h/2), mapped by the inverse rotation about `center` and divided by
 * (w/2, h/2); grid_sample maps a normalized g back to the source index ((g + 1)·size − 1) / 2.
 */
function rotateBatch(x: Tensor, angles: Float64Array, mode: Interpolation, fill: readonly number[], center: readonly [number, number] | undefined, out: TypedArray): void {
  const [n, c, h, w] = x.shape, src = x.data, plane = h * w;
  const integer = x.dtype === "uint8";
  const f = x.dtype === "float32" ? Math.fround : integer ? roundHalfEven : (v: number) => v;
  // F.rotate's center, in pixels relative to the image's centre ((0, 0) without one).
  const cx = center ? center[0] - w * 0.5 : 0, cy = center ? center[1] - h * 0.5 : 0;
  for (let i = 0; i < n; i++) {
    // _get_inverse_affine_matrix(center, −angle, no translation, scale 1, no shear).
    const rot = (-angles[i] * Math.PI) / 180;
    const m0 = Math.cos(rot), m1 = Math.sin(rot), m3 = -Math.sin(rot), m4 = Math.cos(rot);
    const m2 = m0 * -cx + m1 * -cy + cx, m5 = m3 * -cx + m4 * -cy + cy;
    // The matrix rescaled to the normalized grid: each row divided by (w/2, h/2).
    const a0 = m0 / (0.5 * w), a1 = m1 / (0.5 * w), a2 = m2 / (0.5 * w);
    const b0 = m3 / (0.5 * h), b1 = m4 / (0.5 * h), b2 = m5 / (0.5 * h);
    const base = i * c * plane;
    for (let y = 0; y < h; y++) {
      const by = -h * 0.5 + 0.5 + y;
      for (let xx = 0; xx < w; xx++) {
        const bx = -w * 0.5 + 0.5 + xx;
        const gx = bx * a0 + by * a1 + a2, gy = bx * b0 + by * b1 + b2;
        const ix = ((gx + 1) * w - 1) / 2, iy = ((gy + 1) * h - 1) / 2;
        const at = base + y * w + xx;
        if (mode === "nearest") {
          // grid_sample's nearest: the index rounded half to even; outside the image, the fill
          // (torchvision's sampled mask is 0 there, and < 0.5 takes the fill).
          const sx = roundHalfEven(ix), sy = roundHalfEven(iy);
          const inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
          for (let ch = 0; ch < c; ch++) out[at + ch * plane] = inside ? src[base + ch * plane + sy * w + sx] : fill[fill.length === 1 ? 0 : ch];
          continue;
        }
        // grid_sample's bilinear: the four neighbours' weights, those outside the image dropped.
        const x0 = Math.floor(ix), y0 = Math.floor(iy), fx = ix - x0, fy = iy - y0;
        const in0 = y0 >= 0 && y0 < h, in1 = y0 + 1 >= 0 && y0 + 1 < h, left = x0 >= 0 && x0 < w, right = x0 + 1 >= 0 && x0 + 1 < w;
        const a = in0 && left, b = in0 && right, d = in1 && left, e = in1 && right;
        const w00 = a ? (x0 + 1 - ix) * (y0 + 1 - iy) : 0, w01 = b ? fx * (y0 + 1 - iy) : 0;
        const w10 = d ? (x0 + 1 - ix) * fy : 0, w11 = e ? fx * fy : 0;
        const mask = w00 + w01 + w10 + w11, r0 = y0 * w + x0, r1 = r0 + w;
        for (let ch = 0; ch < c; ch++) {
          const from = base + ch * plane;
          const sampled = (a ? src[from + r0] * w00 : 0) + (b ? src[from + r0 + 1] * w01 : 0) + (d ? src[from + r1] * w10 : 0) + (e ? src[from + r1 + 1] * w11 : 0);
          // _apply_grid_transform's fill: sampled·mask + (1 − mask)·fill. The sampled value already
          // counts the missing neighbours as 0, so border pixels are attenuated twice, as in torchvision.
          out[at + ch * plane] = f(sampled * mask + (1 - mask) * fill[fill.length === 1 ? 0 : ch]);
        }
      }
    }
  }
}

/**
 * Rotates each image by an angle drawn uniformly from `degrees` ([−d, d] for a number d, or
 * [min, max]), counter-clockwise in degrees, about its centre or `center`, as torchvision's
 * RandomRotation on tensors (see RandomRotationOptions): pixels from outside the image take
 * `fill`. float32, float64 and uint8 batches (uint8 values rounded half to even, as torchvision's).
 */
export function randomRotation(degrees: number | readonly [number, number], o: RandomRotationOptions = {}): Transform {
  checkOptions("randomRotation", o, ["interpolation", "fill", "center", "expand"]);
  const [d0, d1] = degreesOption(degrees);
  const mode = o.interpolation ?? "nearest";
  if (mode !== "nearest" && mode !== "bilinear") throw new ValueError(`randomRotation: interpolation must be "nearest" or "bilinear", got ${JSON.stringify(mode)}`);
  if (o.expand !== undefined && typeof o.expand !== "boolean") throw new ValueError(`randomRotation: expand must be a boolean, got ${JSON.stringify(o.expand)}`);
  if (o.expand) throw new ValueError("randomRotation: expand: true is not implemented (the output keeps the input's size); use expand: false");
  const rawFill = o.fill ?? 0;
  const fill = typeof rawFill === "number" ? [rawFill] : rawFill;
  if (!Array.isArray(fill) || fill.length === 0 || !fill.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new ValueError(`randomRotation: fill must be a finite number or a non-empty array of them, got ${JSON.stringify(rawFill)}`);
  }
  const center = o.center;
  if (center !== undefined && !(Array.isArray(center) && center.length === 2 && center.every((v) => typeof v === "number" && Number.isFinite(v)))) {
    throw new ValueError(`randomRotation: center must be [x, y] of finite numbers, got ${JSON.stringify(center)}`);
  }
  const fills = [...fill] as number[];
  return (x, rng) => {
    const [n, c] = batchDims("randomRotation", x);
    if (x.dtype !== "float32" && x.dtype !== "float64" && x.dtype !== "uint8") {
      throw new DTypeError(`randomRotation: expected a float32, float64 or uint8 batch, got ${x.dtype}`);
    }
    if (fills.length !== 1 && fills.length !== c) {
      throw new ValueError(`randomRotation: fill has ${fills.length} values for a batch of ${c} channels [${x.shape}] (give one, or one per channel)`);
    }
    const bounds = INTEGER_RANGE[x.dtype];
    // A uint8 array would wrap or truncate the fill silently (−1 stored as 255).
    const bad = bounds ? fills.find((v) => !(Number.isInteger(v) && v >= bounds[0] && v <= bounds[1])) : undefined;
    if (bad !== undefined) throw new ValueError(`randomRotation: fill ${bad} cannot be stored in a ${x.dtype} batch (an integer in [${bounds![0]}, ${bounds![1]}])`);
    const g = generator("randomRotation", rng);
    const angles = new Float64Array(n);
    for (let i = 0; i < n; i++) angles[i] = d0 + (d1 - d0) * g.uniform();
    const out = sameKind(x.data, x.data.length);
    rotateBatch(x, angles, mode, fills, center as readonly [number, number] | undefined, out);
    return new Tensor(out, x.dtype, x.shape);
  };
}
