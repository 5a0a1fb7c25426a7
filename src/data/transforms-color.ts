import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { batchDims, generator, sameKind, type Transform } from "./transforms.js";
import { probabilityOption } from "./transforms-geometry.js";

/**
 * Colour adjustments of NCHW batches with torchvision 0.14's formulas (functional_tensor's
 * adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue, rgb_to_grayscale and
 * _blend): the deterministic adjust* functions and rgbToGrayscale, and the transforms colorJitter
 * (drawing their factors per image), grayscale and randomGrayscale. Float batches hold values in
 * [0, 1] and uint8 ones in [0, 255], as torchvision assumes; blends are clamped to that range.
 * float32 and uint8 batches are computed in float32 step by step as PyTorch does, float64 ones
 * in float64 (torchvision computes adjust_hue of a float64 image in float32).
 */

type Kind = "float32" | "float64" | "uint8";

function kindOf(where: string, x: Tensor): [Kind, number, number, number, number] {
  const dims = batchDims(where, x);
  if (x.dtype !== "float32" && x.dtype !== "float64" && x.dtype !== "uint8") {
    throw new DTypeError(`${where}: expected a float32, float64 or uint8 batch, got ${x.dtype}`);
  }
  // torchvision's _assert_channels: grayscale or RGB.
  if (dims[1] !== 1 && dims[1] !== 3) throw new ShapeError(`${where}: expected 1 or 3 channels, got ${dims[1]} in a batch [${x.shape}]`);
  return [x.dtype, ...dims];
}

function factorOption(where: string, key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ValueError(`${where}: ${key} must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

// ITU-R 601-2 luma weights, as torchvision's rgb_to_grayscale.
const LUMA = [0.2989, 0.587, 0.114] as const;
const LUMA32 = LUMA.map(Math.fround);

/**
 * The luma of pixel k of an RGB image whose planes start at k, k + plane and k + 2·plane, as
 * rgb_to_grayscale computes it: 0.2989·R + 0.587·G + 0.114·B in float64 for a float64 image,
 * else in float32 operation by operation, truncated to an integer for a uint8 image.
 */
function luma(src: TypedArray, k: number, plane: number, kind: Kind): number {
  if (kind === "float64") return LUMA[0] * src[k] + LUMA[1] * src[k + plane] + LUMA[2] * src[k + 2 * plane];
  const l = Math.fround(Math.fround(Math.fround(LUMA32[0] * src[k]) + Math.fround(LUMA32[1] * src[k + plane])) + Math.fround(LUMA32[2] * src[k + 2 * plane]));
  return kind === "uint8" ? Math.trunc(l) : l;
}

/**
 * The mean of image `i`'s grayscale (the image itself for one channel), as adjust_contrast takes
 * it: a uint8 image's gray values are truncated to uint8 before the mean, which is float32.
 */
function grayMean(src: TypedArray, i: number, c: number, plane: number, kind: Kind): number {
  const at = i * c * plane;
  let sum = 0;
  if (c === 1) {
    for (let k = at; k < at + plane; k++) sum += src[k];
  } else {
    for (let k = at; k < at + plane; k++) sum += luma(src, k, plane, kind);
  }
  return kind === "float64" ? sum / plane : Math.fround(sum / plane);
}

/**
 * torchvision's _blend of image i with a constant image `other`: ratio·x + (1 − ratio)·other,
 * clamped to [0, 1] (float) or [0, 255] (uint8, then truncated), written to `out`.
 */
function blend(src: TypedArray, out: TypedArray, i: number, per: number, ratio: number, other: number, kind: Kind): void {
  const at = i * per;
  if (kind === "float64") {
    const q = (1 - ratio) * other;
    for (let k = at; k < at + per; k++) out[k] = Math.min(Math.max(ratio * src[k] + q, 0), 1);
    return;
  }
  const r = Math.fround(ratio), q = Math.fround(Math.fround(1 - ratio) * other), bound = kind === "uint8" ? 255 : 1;
  for (let k = at; k < at + per; k++) {
    const v = Math.min(Math.max(Math.fround(Math.fround(r * src[k]) + q), 0), bound);
    out[k] = kind === "uint8" ? Math.trunc(v) : v;
  }
}

function brightnessOf(src: TypedArray, out: TypedArray, i: number, per: number, factor: number, kind: Kind): void {
  blend(src, out, i, per, factor, 0, kind);
}

function contrastOf(src: TypedArray, out: TypedArray, i: number, c: number, plane: number, factor: number, kind: Kind): void {
  blend(src, out, i, c * plane, factor, grayMean(src, i, c, plane, kind), kind);
}

/**
 * torchvision's _blend of image i with its own grayscale (adjust_saturation): ratio·x +
 * (1 − ratio)·gray of the pixel, in every channel, clamped as blend. A one-channel image is
 * copied, as torchvision returns it unchanged (PIL's behaviour).
 */
function saturationOf(src: TypedArray, out: TypedArray, i: number, c: number, plane: number, ratio: number, kind: Kind): void {
  const at = i * c * plane;
  if (c === 1) { out.set(src.subarray(at, at + plane), at); return; }
  const r = kind === "float64" ? ratio : Math.fround(ratio), keep = kind === "float64" ? 1 - ratio : Math.fround(1 - ratio);
  const bound = kind === "uint8" ? 255 : 1;
  for (let k = at; k < at + plane; k++) {
    const gray = luma(src, k, plane, kind);
    if (kind === "float64") {
      const q = keep * gray;
      for (let ch = 0; ch < 3; ch++) out[k + ch * plane] = Math.min(Math.max(r * src[k + ch * plane] + q, 0), 1);
      continue;
    }
    const q = Math.fround(keep * gray);
    for (let ch = 0; ch < 3; ch++) {
      const v = Math.min(Math.max(Math.fround(Math.fround(r * src[k + ch * plane]) + q), 0), bound);
      out[k + ch * plane] = kind === "uint8" ? Math.trunc(v) : v;
    }
  }
}

const identity = (v: number): number => v;
// convert_image_dtype's float → uint8 scale: 255 + 1 − 1e-3, so that only 1.0 maps to 255 exactly
// while values just below an integer's level still reach it.
const TO_UINT8 = Math.fround(255.999);
const clamp01 = (v: number): number => Math.min(Math.max(v, 0), 1);

/**
 * torchvision's adjust_hue of image i: to HSV (_rgb2hsv), the hue shifted by `factor` modulo 1,
 * back to RGB (_hsv2rgb), operation by operation in float32 (`f` = Math.fround) or float64. A
 * uint8 image is read as v / 255 and written as trunc(v · 255.999) (convert_image_dtype); a
 * one-channel image is copied, as torchvision returns it unchanged.
 */
function hueOf(src: TypedArray, out: TypedArray, i: number, c: number, plane: number, factor: number, kind: Kind): void {
  const at = i * c * plane;
  if (c === 1) { out.set(src.subarray(at, at + plane), at); return; }
  const f = kind === "float64" ? identity : Math.fround, shift = f(factor);
  for (let k = at; k < at + plane; k++) {
    let r = src[k], g = src[k + plane], b = src[k + 2 * plane];
    if (kind === "uint8") { r = f(r / 255); g = f(g / 255); b = f(b / 255); }
    const maxc = Math.max(r, g, b), minc = Math.min(r, g, b), eqc = maxc === minc;
    // Where all three are equal, hue and saturation are 0 (the divisors are replaced by 1).
    const cr = f(maxc - minc), s = f(cr / (eqc ? 1 : maxc)), div = eqc ? 1 : cr;
    const rc = f(f(maxc - r) / div), gc = f(f(maxc - g) / div), bc = f(f(maxc - b) / div);
    const hr = maxc === r ? f(bc - gc) : 0;
    const hg = maxc === g && maxc !== r ? f(f(2 + rc) - bc) : 0;
    const hb = maxc !== g && maxc !== r ? f(f(4 + gc) - rc) : 0;
    const h0 = f(f(f(f(hr + hg) + hb) / 6) + 1) % 1;
    // (h + factor) % 1.0 is torch.remainder: fmod, plus 1 for a negative result.
    let h1 = f(h0 + shift) % 1;
    if (h1 < 0) h1 = f(h1 + 1);
    const h6 = f(h1 * 6), sector = Math.floor(h6) % 6, frac = f(h6 - Math.floor(h6));
    const v = maxc, p = clamp01(f(v * f(1 - s))), q = clamp01(f(v * f(1 - f(s * frac)))), t = clamp01(f(v * f(1 - f(s * f(1 - frac)))));
    // _hsv2rgb's table: (v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q) by sector.
    const red = sector === 0 || sector === 5 ? v : sector === 1 ? q : sector === 4 ? t : p;
    const green = sector === 1 || sector === 2 ? v : sector === 0 ? t : sector === 3 ? q : p;
    const blue = sector === 3 || sector === 4 ? v : sector === 2 ? t : sector === 5 ? q : p;
    if (kind === "uint8") {
      out[k] = Math.trunc(Math.fround(red * TO_UINT8));
      out[k + plane] = Math.trunc(Math.fround(green * TO_UINT8));
      out[k + 2 * plane] = Math.trunc(Math.fround(blue * TO_UINT8));
    } else {
      out[k] = red; out[k + plane] = green; out[k + 2 * plane] = blue;
    }
  }
}

/**
 * Every image's values times `factor` (≥ 0), clamped to [0, 1] (uint8: [0, 255]), as
 * torchvision.transforms.functional.adjust_brightness: 0 gives black, 1 the image itself.
 * Batches of 1 or 3 channels, float32, float64 or uint8.
 */
export function adjustBrightness(x: Tensor, factor: number): Tensor {
  const [kind, n, c, h, w] = kindOf("adjustBrightness", x);
  const f = factorOption("adjustBrightness", "factor", factor);
  const out = sameKind(x.data, x.data.length);
  for (let i = 0; i < n; i++) brightnessOf(x.data, out, i, c * h * w, f, kind);
  return new Tensor(out, x.dtype, x.shape);
}

/**
 * Every image blended with the mean of its grayscale: factor·x + (1 − factor)·mean, clamped, as
 * torchvision.transforms.functional.adjust_contrast: 0 gives a uniform gray image, 1 the image
 * itself. The mean is over the image's one channel, or over its luma 0.2989·R + 0.587·G +
 * 0.114·B for three (ITU-R 601-2, as torchvision's rgb_to_grayscale).
 */
export function adjustContrast(x: Tensor, factor: number): Tensor {
  const [kind, n, c, h, w] = kindOf("adjustContrast", x);
  const f = factorOption("adjustContrast", "factor", factor);
  const out = sameKind(x.data, x.data.length);
  for (let i = 0; i < n; i++) contrastOf(x.data, out, i, c, h * w, f, kind);
  return new Tensor(out, x.dtype, x.shape);
}

/**
 * Every image blended with its own grayscale: factor·x + (1 − factor)·gray, pixel by pixel,
 * clamped, as torchvision.transforms.functional.adjust_saturation: 0 gives the grayscale image
 * (in three channels), 1 the image itself, 2 doubles the saturation. The gray value is
 * rgbToGrayscale's (truncated for uint8). A one-channel batch comes back unchanged, as in
 * torchvision; other channel counts than 1 and 3 are refused.
 */
export function adjustSaturation(x: Tensor, factor: number): Tensor {
  const [kind, n, c, h, w] = kindOf("adjustSaturation", x);
  const f = factorOption("adjustSaturation", "factor", factor);
  const out = sameKind(x.data, x.data.length);
  for (let i = 0; i < n; i++) saturationOf(x.data, out, i, c, h * w, f, kind);
  return new Tensor(out, x.dtype, x.shape);
}

/**
 * Every image's hue shifted by `factor` turns of the colour wheel (in [−0.5, 0.5]; ±0.5 gives the
 * complementary colours, 0 the image itself), as torchvision.transforms.functional.adjust_hue:
 * RGB to HSV, H ← (H + factor) mod 1, back to RGB. Float batches in [0, 1]; uint8 ones are read
 * as v / 255 and written back as trunc(v · 255.999), as torchvision's convert_image_dtype. A
 * one-channel batch comes back unchanged, as in torchvision.
 */
export function adjustHue(x: Tensor, factor: number): Tensor {
  const [kind, n, c, h, w] = kindOf("adjustHue", x);
  if (typeof factor !== "number" || !(factor >= -0.5 && factor <= 0.5)) throw new ValueError(`adjustHue: factor must be in [-0.5, 0.5], got ${JSON.stringify(factor)}`);
  const out = sameKind(x.data, x.data.length);
  for (let i = 0; i < n; i++) hueOf(x.data, out, i, c, h * w, factor, kind);
  return new Tensor(out, x.dtype, x.shape);
}

function outputChannels(where: string, v: unknown): 1 | 3 {
  if (v !== 1 && v !== 3) throw new ValueError(`${where}: numOutputChannels must be 1 or 3, got ${JSON.stringify(v)}`);
  return v;
}

/** Image i's grayscale (its luma, or its one channel) written to `out` in `channels` copies. */
function grayscaleOf(src: TypedArray, out: TypedArray, i: number, c: number, plane: number, channels: number, kind: Kind): void {
  const from = i * c * plane, to = i * channels * plane;
  for (let k = 0; k < plane; k++) {
    const gray = c === 1 ? src[from + k] : luma(src, from + k, plane, kind);
    for (let ch = 0; ch < channels; ch++) out[to + ch * plane + k] = gray;
  }
}

/**
 * The grayscale of every image, 0.2989·R + 0.587·G + 0.114·B (ITU-R 601-2, torchvision's
 * rgb_to_grayscale: computed in float32 for float32 and uint8 batches, truncated for uint8),
 * in 1 channel or repeated in 3 (numOutputChannels). A one-channel batch is its own grayscale.
 * Differs on purpose from torchvision 0.14, whose 3 output channels of a one-channel image are 1.
 */
export function rgbToGrayscale(x: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  const [kind, n, c, h, w] = kindOf("rgbToGrayscale", x);
  const k = outputChannels("rgbToGrayscale", numOutputChannels);
  const out = sameKind(x.data, n * k * h * w);
  for (let i = 0; i < n; i++) grayscaleOf(x.data, out, i, c, h * w, k, kind);
  return new Tensor(out, x.dtype, [n, k, h, w]);
}

/** The batch in grayscale, as torchvision's Grayscale: rgbToGrayscale with numOutputChannels (default 1). */
export function grayscale(o: { numOutputChannels?: 1 | 3 } = {}): Transform {
  checkOptions("grayscale", o, ["numOutputChannels"]);
  const k = outputChannels("grayscale", o.numOutputChannels ?? 1);
  return (x) => rgbToGrayscale(x, k);
}

/**
 * Turns each image to grayscale with probability p (default 0.1), decided per image, keeping its
 * channel count (three equal channels for RGB), as torchvision's RandomGrayscale.
 */
export function randomGrayscale(o: { p?: number } = {}): Transform {
  checkOptions("randomGrayscale", o, ["p"]);
  const p = probabilityOption("randomGrayscale", o.p ?? 0.1);
  return (x, rng) => {
    const [kind, n, c, h, w] = kindOf("randomGrayscale", x);
    const g = generator("randomGrayscale", rng);
    const per = c * h * w;
    const out = sameKind(x.data, x.data.length);
    for (let i = 0; i < n; i++) {
      if (g.uniform() < p) grayscaleOf(x.data, out, i, c, h * w, c, kind);
      else out.set(x.data.subarray(i * per, (i + 1) * per), i * per);
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}

export interface ColorJitterOptions {
  /** A factor drawn uniformly from [max(0, 1 − b), 1 + b] for a number b ≥ 0, or from [min, max]. Default 0: unchanged. */
  brightness?: number | readonly [number, number];
  /** As brightness, for adjustContrast's factor. Default 0: unchanged. */
  contrast?: number | readonly [number, number];
  /** As brightness, for adjustSaturation's factor. Default 0: unchanged. */
  saturation?: number | readonly [number, number];
  /** adjustHue's factor, drawn uniformly from [−h, h] for a number h in [0, 0.5], or from [min, max] within [−0.5, 0.5]. Default 0: unchanged. */
  hue?: number | readonly [number, number];
}

/**
 * torchvision's ColorJitter._check_input: a number v gives [center − v, center + v] (the low end
 * clipped at 0 for the factors centred on 1), [min, max] is taken as it is, and both ends must lie
 * within [lo, hi]; null when the range is the single centre, which changes nothing.
 */
function jitterRange(key: string, v: unknown, center: number, lo: number, hi: number): [number, number] | null {
  const bounds = hi === Infinity ? `0 ≤ min ≤ max` : `${lo} ≤ min ≤ max ≤ ${hi}`;
  const single = hi === Infinity ? "a finite number ≥ 0" : `a number in [0, ${hi}]`;
  const fail = () => new ValueError(`colorJitter: ${key} must be ${single} or [min, max] with ${bounds}, got ${JSON.stringify(v)}`);
  let a: number, b: number;
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throw fail();
    [a, b] = [center - v, center + v];
    if (center === 1) a = Math.max(a, 0);
  } else if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === "number" && Number.isFinite(e))) {
    [a, b] = [v[0], v[1]];
  } else {
    throw fail();
  }
  if (!(lo <= a && a <= b && b <= hi)) throw fail();
  return a === center && b === center ? null : [a, b];
}

/**
 * Changes each image's brightness, contrast, saturation and hue by factors drawn for that image,
 * as torchvision's ColorJitter: per image, a random order of the four adjustments (a uniform
 * permutation, as torch.randperm(4)), then a factor for each one in use drawn uniformly from its
 * range (brightness, contrast, saturation, hue), then the adjustments in that order, each reading
 * the previous one's result rounded to the batch's dtype. torchvision draws once per call, so a
 * batch tensor shares one order and one set of factors; here every image has its own.
 */
export function colorJitter(o: ColorJitterOptions = {}): Transform {
  checkOptions("colorJitter", o, ["brightness", "contrast", "saturation", "hue"]);
  const ranges = [
    jitterRange("brightness", o.brightness ?? 0, 1, 0, Infinity),
    jitterRange("contrast", o.contrast ?? 0, 1, 0, Infinity),
    jitterRange("saturation", o.saturation ?? 0, 1, 0, Infinity),
    jitterRange("hue", o.hue ?? 0, 0, -0.5, 0.5),
  ];
  return (x, rng) => {
    const [kind, n, c, h, w] = kindOf("colorJitter", x);
    const g = generator("colorJitter", rng);
    const per = c * h * w, plane = h * w;
    const out = sameKind(x.data, x.data.length);
    out.set(x.data);
    const step = sameKind(x.data, per);
    const order = [0, 1, 2, 3], factors = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      order.splice(0, 4, 0, 1, 2, 3);
      g.shuffle(order);
      ranges.forEach((r, j) => { if (r) factors[j] = r[0] + (r[1] - r[0]) * g.uniform(); });
      const image = out.subarray(i * per, (i + 1) * per);
      for (const j of order) {
        if (!ranges[j]) continue;
        if (j === 0) brightnessOf(image, step, 0, per, factors[j], kind);
        else if (j === 1) contrastOf(image, step, 0, c, plane, factors[j], kind);
        else if (j === 2) saturationOf(image, step, 0, c, plane, factors[j], kind);
        else hueOf(image, step, 0, c, plane, factors[j], kind);
        image.set(step);
      }
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}
