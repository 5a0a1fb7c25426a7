import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { batchDims, generator, sameKind, type Transform } from "./transforms.js";

/**
 * Colour adjustments of NCHW batches with torchvision 0.14's formulas (functional_tensor's
 * adjust_brightness, adjust_contrast and _blend): deterministic adjustBrightness and
 * adjustContrast, and colorJitter drawing their factors per image. Float batches hold values in
 * [0, 1] and uint8 ones in [0, 255], as torchvision assumes; results are clamped to that range.
 * float32 and uint8 batches are computed in float32 step by step as PyTorch does, float64 ones
 * in float64.
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
 * The mean of image `i`'s grayscale (the image itself for one channel), as adjust_contrast takes
 * it: a uint8 image's gray values are truncated to uint8 before the mean, which is float32.
 */
function grayMean(src: TypedArray, i: number, c: number, plane: number, kind: Kind): number {
  const at = i * c * plane;
  let sum = 0;
  if (c === 1) {
    for (let k = at; k < at + plane; k++) sum += src[k];
  } else if (kind === "float64") {
    for (let k = at; k < at + plane; k++) sum += LUMA[0] * src[k] + LUMA[1] * src[k + plane] + LUMA[2] * src[k + 2 * plane];
  } else {
    for (let k = at; k < at + plane; k++) {
      const l = Math.fround(Math.fround(Math.fround(LUMA32[0] * src[k]) + Math.fround(LUMA32[1] * src[k + plane])) + Math.fround(LUMA32[2] * src[k + 2 * plane]));
      sum += kind === "uint8" ? Math.trunc(l) : l;
    }
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

export interface ColorJitterOptions {
  /** A factor drawn uniformly from [max(0, 1 − b), 1 + b] for a number b ≥ 0, or from [min, max]. Default 0: unchanged. */
  brightness?: number | readonly [number, number];
  /** As brightness, for adjustContrast's factor. Default 0: unchanged. */
  contrast?: number | readonly [number, number];
}

/** torchvision's ColorJitter._check_input for a factor centred on 1: null when it changes nothing. */
function jitterRange(key: string, v: unknown): [number, number] | null {
  let lo: number, hi: number;
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throw new ValueError(`colorJitter: ${key} must be a finite number ≥ 0 or [min, max] with 0 ≤ min ≤ max, got ${JSON.stringify(v)}`);
    [lo, hi] = [Math.max(0, 1 - v), 1 + v];
  } else if (Array.isArray(v) && v.length === 2 && v.every((a) => typeof a === "number" && Number.isFinite(a)) && 0 <= v[0] && v[0] <= v[1]) {
    [lo, hi] = [v[0], v[1]];
  } else {
    throw new ValueError(`colorJitter: ${key} must be a finite number ≥ 0 or [min, max] with 0 ≤ min ≤ max, got ${JSON.stringify(v)}`);
  }
  return lo === 1 && hi === 1 ? null : [lo, hi];
}

/**
 * Changes each image's brightness and contrast by factors drawn for that image, as torchvision's
 * ColorJitter (brightness and contrast only): the two adjustments come in an order drawn per
 * image, each with its factor drawn uniformly from its range.
 */
export function colorJitter(o: ColorJitterOptions = {}): Transform {
  checkOptions("colorJitter", o, ["brightness", "contrast"]);
  const brightness = jitterRange("brightness", o.brightness ?? 0);
  const contrast = jitterRange("contrast", o.contrast ?? 0);
  return (x, rng) => {
    const [kind, n, c, h, w] = kindOf("colorJitter", x);
    const g = generator("colorJitter", rng);
    const per = c * h * w;
    const out = sameKind(x.data, x.data.length);
    out.set(x.data);
    const step = sameKind(x.data, per);
    for (let i = 0; i < n; i++) {
      // torchvision draws a permutation of its four adjustments: here the order of the two.
      const contrastFirst = g.uniform() < 0.5;
      const b = brightness && brightness[0] + (brightness[1] - brightness[0]) * g.uniform();
      const k = contrast && contrast[0] + (contrast[1] - contrast[0]) * g.uniform();
      const image = out.subarray(i * per, (i + 1) * per);
      for (const which of contrastFirst ? ["contrast", "brightness"] : ["brightness", "contrast"]) {
        // Each adjustment reads the previous one's result, rounded to the batch's dtype as torchvision's is.
        if (which === "brightness" && b !== null) brightnessOf(image, step, 0, per, b, kind);
        else if (which === "contrast" && k !== null) contrastOf(image, step, 0, c, h * w, k, kind);
        else continue;
        image.set(step);
      }
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}
