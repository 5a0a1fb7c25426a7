import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { batchDims, generator, INTEGER_RANGE, sameKind, type Transform } from "./transforms.js";
import { probabilityOption, rangeOption, roundHalfEven } from "./transforms-geometry.js";

/**
 * torchvision 0.14's RandomErasing on NCHW batches, with the contract of transforms.ts: with
 * probability p per image, a rectangle of that image (every channel) is overwritten by a value.
 */

export interface RandomErasingOptions {
  /** The probability that an image is erased (default 0.5). */
  p?: number;
  /** The range of the rectangle's area as a fraction of the image's (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** The range of the rectangle's aspect ratio, drawn uniformly in log space (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /**
   * What the rectangle is filled with: one number for every channel (default 0), one per
   * channel, or "random" for a standard normal draw per pixel and channel (float batches only).
   */
  value?: number | readonly number[] | "random";
}

/**
 * Erases a random rectangle of each image with probability p, as torchvision's RandomErasing:
 * up to 10 draws of an area (uniform in scale · H · W) and an aspect ratio (log-uniform in
 * ratio) give height round(√(area · ratio)) and width round(√(area / ratio)); the first that is
 * smaller than the image in both sides is placed at a uniform offset and filled with `value`. If
 * none fits, the image is left as it is.
 */
export function randomErasing(o: RandomErasingOptions = {}): Transform {
  checkOptions("randomErasing", o, ["p", "scale", "ratio", "value"]);
  const p = probabilityOption("randomErasing", o.p ?? 0.5);
  const [s0, s1] = rangeOption("randomErasing", "scale", o.scale ?? [0.02, 0.33], 0, 1);
  const [r0, r1] = rangeOption("randomErasing", "ratio", o.ratio ?? [0.3, 3.3], 0, Infinity, true);
  const raw = o.value ?? 0;
  const random = raw === "random";
  const list = typeof raw === "number" ? [raw] : raw;
  if (!random && !(Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === "number" && Number.isFinite(v)))) {
    throw new ValueError(`randomErasing: value must be a finite number, a non-empty array of them or "random", got ${JSON.stringify(raw)}`);
  }
  const values = random ? [] : (list as number[]);
  const lr0 = Math.log(r0), lr1 = Math.log(r1);
  return (x, rng) => {
    const [n, c, h, w] = batchDims("randomErasing", x);
    if (!random && values.length !== 1 && values.length !== c) {
      throw new ValueError(`randomErasing: value has ${values.length} entries for a batch of ${c} channels [${x.shape}] (give one, or one per channel)`);
    }
    const bounds = INTEGER_RANGE[x.dtype];
    // An integer batch's array would wrap or truncate the value silently (−1 stored as 255 in uint8).
    if (bounds && random) throw new ValueError(`randomErasing: value "random" draws normal values, which a ${x.dtype} batch cannot hold; use a float batch`);
    const bad = bounds ? values.find((v) => !(Number.isInteger(v) && v >= bounds[0] && v <= bounds[1])) : undefined;
    if (bad !== undefined) throw new ValueError(`randomErasing: value ${bad} cannot be stored in a ${x.dtype} batch (an integer in [${bounds![0]}, ${bounds![1]}])`);
    const g = generator("randomErasing", rng);
    const src = x.data, per = c * h * w;
    const out = sameKind(src, src.length);
    out.set(src);
    const area = h * w;
    for (let i = 0; i < n; i++) {
      if (!(g.uniform() < p)) continue;
      for (let attempt = 0; attempt < 10; attempt++) {
        const target = area * (s0 + (s1 - s0) * g.uniform());
        const aspect = Math.exp(lr0 + (lr1 - lr0) * g.uniform());
        const eh = roundHalfEven(Math.sqrt(target * aspect)), ew = roundHalfEven(Math.sqrt(target / aspect));
        if (!(eh < h && ew < w)) continue;
        const top = g.int(h - eh + 1), left = g.int(w - ew + 1);
        for (let ch = 0; ch < c; ch++) {
          const v = values.length === 1 ? values[0] : values[ch];
          for (let y = top; y < top + eh; y++) {
            const row = i * per + (ch * h + y) * w;
            if (!random) { out.fill(v, row + left, row + left + ew); continue; }
            for (let xx = left; xx < left + ew; xx++) out[row + xx] = g.normal();
          }
        }
        break;
      }
    }
    return new Tensor(out, x.dtype, x.shape);
  };
}
