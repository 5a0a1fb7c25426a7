import { ShapeError, ValueError } from "../errors.js";
import { Rng, rngFrom, Tensor, type TypedArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/**
 * Batch transforms for image data in NCHW, torchvision's semantics: a transform takes a batch
 * [N, C, H, W] and returns a new tensor (the input is never written), and a random one decides
 * afresh for every image of the batch. Random draws come from `rng`, or from the global
 * generator when it is omitted; fit() passes its run's generator, so a seeded run repeats its
 * crops and flips bit for bit and a resumed one continues them.
 */
export type Transform = (batch: Tensor, rng?: Rng) => Tensor;

/** The batch's dimensions, or a ShapeError naming its shape. */
export function batchDims(where: string, x: unknown): [number, number, number, number] {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: expected a Tensor batch [N, C, H, W], got ${typeof x}`);
  if (x.ndim !== 4) {
    const hint = x.ndim === 3 ? " (a single image [C, H, W] needs a batch axis: reshape to [1, C, H, W])" : "";
    throw new ShapeError(`${where}: expected a batch [N, C, H, W], got [${x.shape}]${hint}`);
  }
  return x.shape as [number, number, number, number];
}

/** The generator to draw from: `rng`, or the global one; anything else (a seed number) is refused. */
export function generator(where: string, rng: unknown): Rng {
  if (rng !== undefined && !(rng instanceof Rng)) throw new ValueError(`${where}: rng must be an Rng (new Rng(seed)), got ${rng === null ? "null" : typeof rng}`);
  return rng instanceof Rng ? rng : rngFrom(undefined);
}

/** An array of the tensor's element type (a uint8 batch stays uint8 through crops and flips). */
export const sameKind = (src: TypedArray, n: number): TypedArray => new (src.constructor as new (n: number) => TypedArray)(n);

/** Per-channel values: one number for every channel, or one per channel. */
function perChannel(where: string, key: string, v: unknown): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "number" && Number.isFinite(a))) {
    throw new ValueError(`${where}: ${key} must be a finite number or a non-empty array of them, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

/**
 * (x − mean[c]) / std[c] for every channel c, as torchvision's Normalize: `mean` and `std` hold
 * one value per channel, or one value for all. float64 batches stay float64; others give float32.
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const m = perChannel("normalize", "mean", mean);
  const s = perChannel("normalize", "std", std);
  const zero = s.findIndex((v) => v === 0);
  if (zero >= 0) throw new ValueError(`normalize: std[${zero}] is 0, which would divide by zero`);
  return (x) => {
    const [n, c, h, w] = batchDims("normalize", x);
    for (const [key, v] of [["mean", m], ["std", s]] as const) {
      if (v.length !== 1 && v.length !== c) throw new ShapeError(`normalize: ${key} has ${v.length} values for a batch of ${c} channels [${x.shape}]`);
    }
    // A float32 result divides by a std that underflows to 0 in float32 (every value ±∞ or NaN);
    // torchvision refuses such a std after converting it to the batch's dtype.
    const tiny = x.dtype === "float64" ? -1 : s.findIndex((v) => Math.fround(v) === 0);
    if (tiny >= 0) throw new ValueError(`normalize: std[${tiny}] = ${s[tiny]} is 0 in float32, which would divide by zero`);
    const src = x.data, plane = h * w;
    const out = x.dtype === "float64" ? new Float64Array(src.length) : new Float32Array(src.length);
    for (let i = 0, at = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const mu = m[m.length === 1 ? 0 : ch], sigma = s[s.length === 1 ? 0 : ch];
        for (const end = at + plane; at < end; at++) out[at] = (src[at] - mu) / sigma;
      }
    }
    return new Tensor(out, x.dtype === "float64" ? "float64" : "float32", x.shape);
  };
}

export interface RandomCropOptions {
  /**
   * Added around each image before cropping: one number for all sides, [leftRight, topBottom],
   * or [left, top, right, bottom] (torchvision's order). Default 0.
   */
  padding?: number | readonly number[];
  /** The padding's value (default 0), for paddingMode "constant" only. */
  fill?: number;
  /**
   * How the padding is filled, as torchvision: "constant" (with `fill`, the default), "edge" (the
   * border pixel repeated), "reflect" (mirrored without the border pixel: padding must be smaller
   * than the image) or "symmetric" (mirrored with it: padding at most the image's size).
   */
  paddingMode?: PaddingMode;
}

export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";
const PADDING_MODES: readonly string[] = ["constant", "edge", "reflect", "symmetric"];

/**
 * The index that padded position i (i < 0 before the image, i ≥ n after it) reads in a row or
 * column of n pixels, or −1 for the fill. The padding limits keep i within one mirror of the image.
 */
function source(mode: PaddingMode, i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (mode === "edge") return i < 0 ? 0 : n - 1;
  if (mode === "reflect") return i < 0 ? -i : 2 * n - 2 - i;
  if (mode === "symmetric") return i < 0 ? -i - 1 : 2 * n - 1 - i;
  return -1;
}

/** The values an integer batch can hold, by dtype. */
export const INTEGER_RANGE: Partial<Record<string, readonly [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int32: [-(2 ** 31), 2 ** 31 - 1], bool: [0, 1],
};

/** [left, top, right, bottom] from torchvision's three forms of padding. */
function sides(padding: unknown): [number, number, number, number] {
  const p = typeof padding === "number" ? [padding] : padding;
  const ok = Array.isArray(p) && [1, 2, 4].includes(p.length) && p.every((v) => Number.isInteger(v) && v >= 0);
  if (!ok) throw new ValueError(`randomCrop: padding must be a non-negative integer, [leftRight, topBottom] or [left, top, right, bottom], got ${JSON.stringify(padding)}`);
  const q = p as number[];
  return q.length === 1 ? [q[0], q[0], q[0], q[0]] : q.length === 2 ? [q[0], q[1], q[0], q[1]] : [q[0], q[1], q[2], q[3]];
}

function cropSize(size: unknown): [number, number] {
  const s = typeof size === "number" ? [size, size] : size;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(`randomCrop: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  return [s[0], s[1]];
}

/**
 * Pads each image (see RandomCropOptions) and crops a size[0]×size[1] window at an offset drawn
 * uniformly for that image (top first, then left, as torchvision's RandomCrop.get_params).
 */
export function randomCrop(size: number | readonly [number, number], o: RandomCropOptions = {}): Transform {
  checkOptions("randomCrop", o, ["padding", "fill", "paddingMode"]);
  const [th, tw] = cropSize(size);
  const [pl, pt, pr, pb] = sides(o.padding ?? 0);
  const fill = o.fill ?? 0;
  if (typeof fill !== "number" || !Number.isFinite(fill)) throw new ValueError(`randomCrop: fill must be a finite number, got ${JSON.stringify(fill)}`);
  const mode = o.paddingMode ?? "constant";
  if (!PADDING_MODES.includes(mode)) {
    throw new ValueError(`randomCrop: paddingMode must be "constant", "edge", "reflect" or "symmetric", got ${JSON.stringify(mode)}`);
  }
  // torchvision pads with fill in "constant" mode only and ignores it in the others.
  if (o.fill !== undefined && mode !== "constant") throw new ValueError(`randomCrop: fill is used by paddingMode "constant" only, not ${JSON.stringify(mode)}`);
  return (x, rng) => {
    const [n, c, h, w] = batchDims("randomCrop", x);
    // As torch's reflection pad and torchvision's symmetric pad, which mirror the image once.
    const tooWide = (pad: number, size: number) =>
      pad > 0 && (mode === "edge" ? size === 0 : mode === "reflect" ? pad >= size : mode === "symmetric" && pad > size);
    if (tooWide(pl, w) || tooWide(pr, w) || tooWide(pt, h) || tooWide(pb, h)) {
      throw new ShapeError(`randomCrop: padding [${pl}, ${pt}, ${pr}, ${pb}] in mode "${mode}" must be ${mode === "reflect" ? "smaller than" : "at most"} the image's size ${h}×${w}`);
    }
    const bounds = INTEGER_RANGE[x.dtype];
    // An integer batch's array would wrap or truncate the fill silently (−1 stored as 255 in uint8).
    if (bounds && !(Number.isInteger(fill) && fill >= bounds[0] && fill <= bounds[1])) {
      throw new ValueError(`randomCrop: fill ${fill} cannot be stored in a ${x.dtype} batch (an integer in [${bounds[0]}, ${bounds[1]}])`);
    }
    const hp = h + pt + pb, wp = w + pl + pr;
    if (th > hp || tw > wp) {
      throw new ShapeError(`randomCrop: crop ${th}×${tw} is larger than the padded image ${hp}×${wp} (images [${x.shape}], padding [${pl}, ${pt}, ${pr}, ${pb}])`);
    }
    const g = generator("randomCrop", rng);
    const offsets = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) {
      offsets[2 * i] = g.int(hp - th + 1);
      offsets[2 * i + 1] = g.int(wp - tw + 1);
    }
    const src = x.data;
    const out = sameKind(src, n * c * th * tw);
    for (let i = 0; i < n; i++) {
      // Window row y, column x reads image row y + top − pt, column x + left − pl.
      // Columns [x0, x1) of the window lie inside the image; the others are padding.
      const dy = offsets[2 * i] - pt, dx = offsets[2 * i + 1] - pl;
      const x0 = Math.min(tw, Math.max(0, -dx)), x1 = Math.max(x0, Math.min(tw, w - dx));
      for (let ch = 0; ch < c; ch++) {
        const plane = (i * c + ch) * h * w;
        for (let y = 0; y < th; y++) {
          const row = ((i * c + ch) * th + y) * tw, sy = source(mode, y + dy, h);
          if (sy < 0) { out.fill(fill, row, row + tw); continue; }
          const from = plane + sy * w;
          for (let j = 0; j < x0; j++) { const sx = source(mode, j + dx, w); out[row + j] = sx < 0 ? fill : src[from + sx]; }
          out.set(src.subarray(from + x0 + dx, from + x1 + dx), row + x0);
          for (let j = x1; j < tw; j++) { const sx = source(mode, j + dx, w); out[row + j] = sx < 0 ? fill : src[from + sx]; }
        }
      }
    }
    return new Tensor(out, x.dtype, [n, c, th, tw]);
  };
}

/** Mirrors each image left–right with probability p (default 0.5), decided per image. */
export function randomHorizontalFlip(o: { p?: number } = {}): Transform {
  checkOptions("randomHorizontalFlip", o, ["p"]);
  const p = o.p ?? 0.5;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`randomHorizontalFlip: p must be in [0, 1], got ${JSON.stringify(p)}`);
  return (x, rng) => {
    const [n, c, h, w] = batchDims("randomHorizontalFlip", x);
    const g = generator("randomHorizontalFlip", rng);
    const src = x.data, per = c * h * w;
    const out = sameKind(src, src.length);
    for (let i = 0; i < n; i++) {
      const start = i * per;
      // torchvision's test: flip when a uniform draw is below p.
      if (!(g.uniform() < p)) { out.set(src.subarray(start, start + per), start); continue; }
      for (let r = start; r < start + per; r += w) {
        for (let j = 0; j < w; j++) out[r + j] = src[r + w - 1 - j];
      }
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}

/** The transforms applied in order, all drawing from the same generator. */
export function compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms)) throw new ValueError(`compose: expected an array of transforms, got ${typeof transforms}`);
  const bad = transforms.findIndex((t) => typeof t !== "function");
  if (bad >= 0) throw new ValueError(`compose: transforms[${bad}] is ${typeof transforms[bad]}, not a transform function`);
  const list = [...transforms];
  return (x, rng) => {
    const g = generator("compose", rng);
    return list.reduce((batch, t) => t(batch, g), x);
  };
}
