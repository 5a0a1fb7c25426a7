import { ShapeError, ValueError } from "../errors.js";
import { Tensor, type Rng, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { batchDims, generator, sameKind, type Transform } from "./transforms.js";

/**
 * Geometric batch transforms beyond crops and horizontal flips, with torchvision 0.14's
 * semantics on NCHW batches and the contract of transforms.ts (a new tensor, the input never
 * written, a decision per image, draws from `rng` or the global generator, the dtype kept):
 * randomVerticalFlip, and randomResizedCrop with the deterministic resizedCrop under it, whose
 * bilinear resize is torch.nn.functional.interpolate(mode="bilinear", align_corners=False,
 * antialias=False) operation by operation, fma contractions of PyTorch's AVX2 build included, so
 * its float32 and float64 values equal PyTorch 1.13's bit for bit (checked on half a million
 * outputs, 1 to 3 channels; a 1×1 crop of 8 or more float32 channels, or 4 or more float64 ones,
 * goes through PyTorch's vectorized channels-last loop, which may differ in the last bit).
 */

export type Interpolation = "bilinear" | "nearest";

/** p in [0, 1], refused with the transform's name otherwise. */
export function probabilityOption(where: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`${where}: p must be in [0, 1], got ${JSON.stringify(p)}`);
  return p;
}

/** A [min, max] option with lo ≤ min ≤ max (≤ hi): the range a uniform draw is taken from. */
export function rangeOption(where: string, key: string, v: unknown, lo: number, hi: number, openLo = false): [number, number] {
  const ok = Array.isArray(v) && v.length === 2 && v.every((a) => typeof a === "number" && Number.isFinite(a)) &&
    (openLo ? v[0] > lo : v[0] >= lo) && v[0] <= v[1] && v[1] <= hi;
  if (!ok) {
    const bounds = `${openLo ? ">" : "≥"} ${lo}${hi < Infinity ? ` and ≤ ${hi}` : ""}`;
    throw new ValueError(`${where}: ${key} must be [min, max] with min ≤ max, both ${bounds}, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

/** Python's round(): halves go to the even neighbour, as torchvision's int(round(·)) sizes do. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

function interpolationOption(where: string, v: unknown): Interpolation {
  if (v !== "bilinear" && v !== "nearest") throw new ValueError(`${where}: interpolation must be "bilinear" or "nearest", got ${JSON.stringify(v)}`);
  return v;
}

/** Mirrors each image top–bottom with probability p (default 0.5), decided per image. */
export function randomVerticalFlip(o: { p?: number } = {}): Transform {
  checkOptions("randomVerticalFlip", o, ["p"]);
  const p = probabilityOption("randomVerticalFlip", o.p ?? 0.5);
  return (x, rng) => {
    const [n, c, h, w] = batchDims("randomVerticalFlip", x);
    const g = generator("randomVerticalFlip", rng);
    const src = x.data, per = c * h * w, plane = h * w;
    const out = sameKind(src, src.length);
    for (let i = 0; i < n; i++) {
      const start = i * per;
      // torchvision's test: flip when a uniform draw is below p.
      if (!(g.uniform() < p)) { out.set(src.subarray(start, start + per), start); continue; }
      for (let at = start; at < start + per; at += plane) {
        for (let y = 0; y < h; y++) out.set(src.subarray(at + (h - 1 - y) * w, at + (h - y) * w), at + y * w);
      }
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}

const identity = (v: number): number => v;

/**
 * a·b + c rounded once to float32, for float32 a, b, c: the product is exact in float64, and the
 * float64 sum is rounded again only when it lies exactly halfway between two float32 values,
 * where the sum's own rounding error says which way the exact value lies.
 */
function fmaFloat32(a: number, b: number, c: number): number {
  const p = a * b, s = p + c, r = Math.fround(s);
  if (r === s || !Number.isFinite(r)) return r;
  const other = 2 * s - r;
  if (Math.fround(other) !== other) return r;
  const t = s - p, err = (p - (s - t)) + (c - t);
  return err === 0 ? r : (err > 0) === (other > r) ? other : r;
}

/**
 * a·b + c for float64 with one rounding, as a hardware fma: the product's error is exact by
 * Dekker's splitting and the sum's by Knuth's TwoSum; adding both errors before the last rounding
 * can differ from a true fma only when that sum of errors is itself rounded across a tie.
 */
function fmaFloat64(a: number, b: number, c: number): number {
  const p = a * b;
  let t = 134217729 * a; // 2^27 + 1 splits a into two halves of 26 bits
  const ah = t - (t - a), al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b), bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  const s = p + c, v = s - p, err = (p - (s - v)) + (c - v);
  return s + (err + e);
}

/**
 * For every output position along one axis: the two source indices it reads and their weights,
 * as ATen's upsample kernels compute them (align_corners false), with the weights rounded to the
 * batch's precision by `f` (Math.fround for float32, the identity for float64).
 */
function axisTaps(inSize: number, outSize: number, mode: Interpolation, f: (v: number) => number): { i0: Int32Array; i1: Int32Array; l0: Float64Array; l1: Float64Array } {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), l0 = new Float64Array(outSize), l1 = new Float64Array(outSize);
  if (mode === "nearest") {
    // ATen's nearest_idx: the index itself for equal sizes, half of it for doubling, else
    // floor(dst · (in/out)) in float32 whatever the dtype, capped at the last pixel.
    const scale = Math.fround(inSize / outSize);
    for (let o = 0; o < outSize; o++) {
      i0[o] = i1[o] = outSize === inSize ? o : outSize === 2 * inSize ? o >> 1 : Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
      l0[o] = 1;
    }
    return { i0, i1, l0, l1 };
  }
  // area_pixel_compute_source_index: the center of output pixel o mapped back, clamped at 0. The
  // scale is in the batch's precision but ATen maps the index (contracted to an fma) and takes its
  // fraction in float64; only the fraction is rounded to float32 (bit for bit against PyTorch 1.13).
  const scale = f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    const real = Math.max(0, fmaFloat64(scale, o + 0.5, -0.5));
    const lo = Math.min(Math.trunc(real), inSize - 1);
    const lambda = f(Math.min(Math.max(real - lo, 0), 1));
    i0[o] = lo;
    i1[o] = lo < inSize - 1 ? lo + 1 : lo;
    l1[o] = lambda;
    l0[o] = f(1 - lambda);
  }
  return { i0, i1, l0, l1 };
}

/**
 * The planes of `src` (count × h × w, float values) resized to oh × ow into `out`, in the order
 * of ATen's kernel for the images' layout. A batch of one channel (or of 1×1 images) is also
 * channels-last contiguous, and PyTorch resizes it with its channels-last kernel: the four
 * weights multiplied out, the sum in float64 (`channelsLast`). Otherwise its generic kernel:
 * along the width within each of the two rows, then between the rows.
 */
function resizePlanes(src: ArrayLike<number>, count: number, h: number, w: number, oh: number, ow: number, mode: Interpolation, f: (v: number) => number, channelsLast: boolean, out: Float64Array | Float32Array): void {
  const ys = axisTaps(h, oh, mode, f), xs = axisTaps(w, ow, mode, f);
  // v0·w0 + v1·w1 as PyTorch's AVX2 build computes it: GCC contracts it to fma(v0, w0, v1·w1)
  // (bit for bit against PyTorch 1.13, float32 and float64).
  const mix = f === identity ? (v0: number, w0: number, v1: number, w1: number) => fmaFloat64(v0, w0, v1 * w1)
    : (v0: number, w0: number, v1: number, w1: number) => fmaFloat32(v0, w0, Math.fround(v1 * w1));
  for (let p = 0; p < count; p++) {
    const base = p * h * w, to = p * oh * ow;
    for (let y = 0; y < oh; y++) {
      const r0 = base + ys.i0[y] * w, r1 = base + ys.i1[y] * w, wy0 = ys.l0[y], wy1 = ys.l1[y];
      for (let x = 0; x < ow; x++) {
        const a = xs.i0[x], b = xs.i1[x], wx0 = xs.l0[x], wx1 = xs.l1[x];
        if (mode === "nearest") { out[to + y * ow + x] = src[r0 + a]; continue; }
        if (channelsLast) {
          // out = i00·w00 + i01·w01 + i10·w10 + i11·w11, contracted by GCC as the fmas below.
          const w00 = f(wy0 * wx0), w01 = f(wy0 * wx1), w10 = f(wy1 * wx0), w11 = f(wy1 * wx1);
          out[to + y * ow + x] = f(fmaFloat64(w11, src[r1 + b], fmaFloat64(w10, src[r1 + a], fmaFloat64(w00, src[r0 + a], w01 * src[r0 + b]))));
          continue;
        }
        const t0 = mix(src[r0 + a], wx0, src[r0 + b], wx1), t1 = mix(src[r1 + a], wx0, src[r1 + b], wx1);
        out[to + y * ow + x] = mix(t0, wy0, t1, wy1);
      }
    }
  }
}

/** The output size torchvision's resize gives an h × w image for `size`: see resizedCrop. */
function outputSize(size: unknown, h: number, w: number): [number, number] {
  const s = typeof size === "number" ? [size] : size;
  if (!Array.isArray(s) || (s.length !== 1 && s.length !== 2) || !s.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(`resizedCrop: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  if (s.length === 2) return [s[0], s[1]];
  // One number matches the smaller edge and keeps the aspect ratio, truncating the longer one.
  const short = Math.min(h, w), long = Math.max(h, w), other = Math.trunc((s[0] * long) / short);
  return w <= h ? [other, s[0]] : [s[0], other];
}

/**
 * Crops rows [top, top + height) and columns [left, left + width) of every image (pixels outside
 * the image read 0, as torchvision's crop pads) and resizes the crop to `size`, as
 * torchvision.transforms.functional.resized_crop with antialias off: `size` is [height, width],
 * or one number for the smaller edge with the aspect ratio kept (the longer edge truncated).
 * "bilinear" (the default) is interpolate(mode="bilinear", align_corners=False); "nearest" is
 * interpolate(mode="nearest"). Integer batches are resized in float32 and rounded half to even,
 * as torchvision does; float64 batches are resized in float64. The values are PyTorch's for a
 * contiguous crop, to the last bit.
 */
export function resizedCrop(x: Tensor, top: number, left: number, height: number, width: number, size: number | readonly number[], interpolation: Interpolation = "bilinear"): Tensor {
  const [n, c, h, w] = batchDims("resizedCrop", x);
  for (const [key, v] of [["top", top], ["left", left]] as const) {
    if (!Number.isInteger(v)) throw new ValueError(`resizedCrop: ${key} must be an integer, got ${JSON.stringify(v)}`);
  }
  for (const [key, v] of [["height", height], ["width", width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`resizedCrop: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const [oh, ow] = outputSize(size, height, width);
  const mode = interpolationOption("resizedCrop", interpolation);
  if (n * c === 0 || h * w === 0) {
    if (h * w === 0 && n * c > 0) throw new ShapeError(`resizedCrop: the images [${x.shape}] have no pixels to crop`);
    return new Tensor(sameKind(x.data, 0), x.dtype, [n, c, oh, ow]);
  }
  return cropAndResize(x, [n, c, h, w], Int32Array.from({ length: 4 * n }, (_, k) => [top, left, height, width][k % 4]), oh, ow, mode);
}

/**
 * Image i's box (boxes[4i..4i+3] = top, left, height, width) cropped and resized to oh × ow, for
 * every image of the batch.
 */
function cropAndResize(x: Tensor, [n, c, h, w]: number[], boxes: Int32Array, oh: number, ow: number, mode: Interpolation): Tensor {
  const src = x.data, float64 = x.dtype === "float64", integer = x.dtype !== "float32" && !float64;
  const f = float64 ? identity : Math.fround;
  const out = sameKind(src, n * c * oh * ow);
  let crop = new Float64Array(0);
  const resized = float64 ? new Float64Array(c * oh * ow) : new Float32Array(c * oh * ow);
  for (let i = 0; i < n; i++) {
    const top = boxes[4 * i], left = boxes[4 * i + 1], bh = boxes[4 * i + 2], bw = boxes[4 * i + 3];
    if (crop.length < c * bh * bw) crop = new Float64Array(c * bh * bw);
    else crop.fill(0, 0, c * bh * bw);
    // Rows and columns of the box inside the image; the rest of the crop stays 0.
    const y0 = Math.max(0, -top), y1 = Math.min(bh, h - top), x0 = Math.max(0, -left), x1 = Math.min(bw, w - left);
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      for (let y = y0; y < y1; y++) {
        const from = plane + (y + top) * w + left, to = (ch * bh + y) * bw;
        for (let xx = x0; xx < x1; xx++) crop[to + xx] = src[from + xx];
      }
    }
    resizePlanes(crop, c, bh, bw, oh, ow, mode, f, c === 1 || bh * bw === 1, resized);
    const at = i * c * oh * ow;
    if (!integer) { out.set(resized, at); continue; }
    // torchvision rounds an integer image's resized values (torch.round: halves to even).
    for (let k = 0; k < resized.length; k++) out[at + k] = roundHalfEven(resized[k]);
  }
  return new Tensor(out as TypedArray, x.dtype, [n, c, oh, ow]);
}

export interface RandomResizedCropOptions {
  /** The range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** The range of the crop's width / height, drawn uniformly in log space (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
  /** How the crop is resized: "bilinear" (the default) or "nearest". */
  interpolation?: Interpolation;
}

/** [height, width] from a positive integer or a list of one or two of them (torchvision's _setup_size). */
function squareOrPair(where: string, size: unknown): [number, number] {
  const s = typeof size === "number" ? [size] : size;
  if (!Array.isArray(s) || (s.length !== 1 && s.length !== 2) || !s.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(`${where}: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  return s.length === 1 ? [s[0], s[0]] : [s[0], s[1]];
}

/**
 * torchvision's RandomResizedCrop.get_params for an h × w image: up to 10 draws of an area
 * (uniform in scale · h · w) and an aspect ratio (uniform in log ratio) until the box fits, then
 * its offset; after 10 misses, the central crop clamped to the ratio range (at least 1 pixel
 * wide and high, where torchvision's would be empty). [top, left, height, width].
 */
function resizedCropBox(g: Rng, h: number, w: number, [s0, s1]: readonly number[], [r0, r1]: readonly number[]): [number, number, number, number] {
  const area = h * w, lr0 = Math.log(r0), lr1 = Math.log(r1);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (s0 + (s1 - s0) * g.uniform());
    const aspect = Math.exp(lr0 + (lr1 - lr0) * g.uniform());
    const bw = roundHalfEven(Math.sqrt(target * aspect)), bh = roundHalfEven(Math.sqrt(target / aspect));
    if (bw > 0 && bw <= w && bh > 0 && bh <= h) {
      const top = g.int(h - bh + 1);
      return [top, g.int(w - bw + 1), bh, bw];
    }
  }
  const inRatio = w / h;
  // At least one pixel: for a sliver of an image torchvision's round() gives 0 rows or columns,
  // and its resize then fails in the middle of training.
  const [bh, bw] = inRatio < r0 ? [Math.max(1, roundHalfEven(w / r0)), w] : inRatio > r1 ? [h, Math.max(1, roundHalfEven(h * r1))] : [h, w];
  return [Math.floor((h - bh) / 2), Math.floor((w - bw) / 2), bh, bw];
}

/**
 * Crops a random box of each image and resizes it to `size` (one number for a square, or
 * [height, width]), as torchvision's RandomResizedCrop: the box's area fraction is drawn from
 * `scale`, its width/height ratio from `ratio` (log-uniformly), up to 10 times until it fits in
 * the image, else the central crop with the ratio clamped to the range; then resizedCrop.
 */
export function randomResizedCrop(size: number | readonly number[], o: RandomResizedCropOptions = {}): Transform {
  checkOptions("randomResizedCrop", o, ["scale", "ratio", "interpolation"]);
  const [oh, ow] = squareOrPair("randomResizedCrop", size);
  const scale = rangeOption("randomResizedCrop", "scale", o.scale ?? [0.08, 1], 0, Infinity);
  const ratio = rangeOption("randomResizedCrop", "ratio", o.ratio ?? [3 / 4, 4 / 3], 0, Infinity, true);
  const mode = interpolationOption("randomResizedCrop", o.interpolation ?? "bilinear");
  return (x, rng) => {
    const [n, c, h, w] = batchDims("randomResizedCrop", x);
    if (h * w === 0 && n > 0) throw new ShapeError(`randomResizedCrop: the images [${x.shape}] have no pixels to crop`);
    const g = generator("randomResizedCrop", rng);
    const boxes = new Int32Array(4 * n);
    for (let i = 0; i < n; i++) boxes.set(resizedCropBox(g, h, w, scale, ratio), 4 * i);
    if (n * c === 0) return new Tensor(sameKind(x.data, 0), x.dtype, [n, c, oh, ow]);
    return cropAndResize(x, [n, c, h, w], boxes, oh, ow, mode);
  };
}
