// data.transforms, fifth round: a review of randomVerticalFlip, resizedCrop / randomResizedCrop,
// randomErasing, adjustBrightness / adjustContrast and colorJitter against torchvision 0.14's
// formulas (values from PyTorch 1.13 for cases the earlier tests did not reach), and the
// additions: adjustSaturation, adjustHue, rgbToGrayscale, grayscale, randomGrayscale, colorJitter's
// saturation and hue, and randomRotation. Each is checked against a float64 reference written
// here in plain loops (standard HSV, the luma blend, rotation by its geometry with bilinear
// weights), against PyTorch 1.13 evaluating torchvision's code written out (torchvision is not
// installed), by the transform contract (shape, dtype, input untouched, seeding) and by its
// typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, DTypeError, nn, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { U32 } from "../support/tolerance.js";
import { bytes, contract, img, one, values } from "../support/transforms.js";

const {
  adjustBrightness, adjustContrast, adjustHue, adjustSaturation, colorJitter, compose, grayscale, normalize,
  randomGrayscale, randomHorizontalFlip, randomResizedCrop, randomRotation, resizedCrop, rgbToGrayscale,
} = data.transforms;


/** [n, c, h, w] with uniform values in [0, 1), float32 or float64. */
function batch(n: number, c: number, h: number, w: number, seed = 1, dtype: "float32" | "float64" = "float32"): Tensor {
  const rng = new Rng(seed);
  const v = Array.from({ length: n * c * h * w }, () => rng.uniform());
  return new Tensor(dtype === "float32" ? Float32Array.from(v) : Float64Array.from(v), dtype, [n, c, h, w]);
}

function near(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k]), `element ${k}: ${got[k]} vs ${want[k]}`).toBeLessThanOrEqual(tol);
}

/** The PyTorch 1.13 input of the uint8 colour cases: element k is (94k + 7k²) mod 256, [1, 3, 2, 3]. */
const U8 = new Tensor(Uint8Array.from(Array.from({ length: 18 }, (_, k) => (94 * k + 7 * k * k) % 256)), "uint8", [1, 3, 2, 3]);

describe("review: torchvision 0.14's formulas, re-checked against PyTorch 1.13", () => {
  it("resizedCrop: nearest to sizes that are neither equal nor double, and bilinear of a box partly outside the image", () => {
    // From PyTorch 1.13: F.interpolate(x[..., 0:7, 0:7], (3, 5), mode="nearest") for x = img(2, 2, 7, 7).
    expect(values(resizedCrop(img(2, 2, 7, 7), 0, 0, 7, 7, [3, 5], "nearest"))).toEqual(CROP_NEAREST);
    // From PyTorch 1.13: torchvision 0.14's crop (zero padding above the image) of img(2, 2, 5, 7) at
    // top −1, left 2, 4 × 6, then F.interpolate(·, (3, 9), mode="bilinear", align_corners=False).
    expect(values(resizedCrop(img(2, 2, 5, 7), -1, 2, 4, 6, [3, 9]))).toEqual(CROP_OUTSIDE);
  });

  it("adjustContrast of one-channel float64 and uint8 batches: the mean of the image itself", () => {
    // From PyTorch 1.13: torchvision 0.14's _blend(x, x.mean(), 1.9) for x = img(2, 1, 3, 4) in float64.
    near(values(adjustContrast(img(2, 1, 3, 4, "float64"), 1.9)), CONTRAST64, 4 * 2 ** -53);
    // From PyTorch 1.13: _blend(xu, xu.float().mean(), 0.45), xu = round(img(2, 1, 3, 4) · 255) as uint8.
    const xu = new Tensor(Uint8Array.from(CONTRAST_U8_IN), "uint8", [2, 1, 3, 4]);
    expect(values(adjustContrast(xu, 0.45))).toEqual(CONTRAST_U8);
  });

  it("colorJitter with brightness and contrast draws each order about half the time (torchvision's randperm restricted to two)", () => {
    const x = batch(200, 3, 2, 2);
    const out = colorJitter({ brightness: [0.5, 0.5], contrast: [1.7, 1.7] })(x, new Rng(8));
    const bc = adjustContrast(adjustBrightness(x, 0.5), 1.7), cb = adjustBrightness(adjustContrast(x, 1.7), 0.5);
    let first = 0;
    for (let i = 0; i < 200; i++) {
      const got = JSON.stringify(values(one(out, i)));
      const isBc = got === JSON.stringify(values(one(bc, i))), isCb = got === JSON.stringify(values(one(cb, i)));
      expect(isBc || isCb).toBe(true);
      first += isBc && !isCb ? 1 : 0;
    }
    expect(first).toBeGreaterThan(100 - 5 * 7.1); // 100 ± 5 standard deviations
    expect(first).toBeLessThan(100 + 5 * 7.1);
  });
});

/** The luma of torchvision's rgb_to_grayscale, in float64. */
const lumaRef = (r: number, g: number, b: number) => 0.2989 * r + 0.587 * g + 0.114 * b;

/** Image i's pixel k as [r, g, b]. */
function rgb(t: Tensor, i: number, k: number): [number, number, number] {
  const plane = t.shape[2] * t.shape[3], at = i * 3 * plane + k;
  return [t.data[at], t.data[at + plane], t.data[at + 2 * plane]];
}

describe("rgbToGrayscale, grayscale", () => {
  it("match the float64 luma within float32 rounding, in 1 or 3 channels (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.constantFrom(1 as const, 3 as const), fc.constantFrom("float32" as const, "float64" as const), fc.nat(),
      (n, h, w, k, dtype, seed) => {
        const x = batch(n, 3, h, w, seed, dtype), out = rgbToGrayscale(x, k);
        expect(out.shape).toEqual([n, k, h, w]);
        expect(out.dtype).toBe(dtype);
        // Three products and two sums of values < 1: five roundings of at most 1 each.
        const tol = dtype === "float32" ? 5 * U32 : 5 * 2 ** -53;
        for (let i = 0; i < n; i++) for (let p = 0; p < h * w; p++) {
          const want = lumaRef(...rgb(x, i, p));
          for (let ch = 0; ch < k; ch++) expect(Math.abs(out.data[(i * k + ch) * h * w + p] - want)).toBeLessThanOrEqual(tol);
        }
      }), { numRuns: 60 });
  });

  it("equals PyTorch 1.13's evaluation of torchvision 0.14's rgb_to_grayscale (float32 and uint8, bit for bit)", () => {
    // From PyTorch 1.13: (0.2989·r + 0.587·g + 0.114·b).to(dtype) on img(1, 3, 2, 3) and on U8.
    expect(values(rgbToGrayscale(img(1, 3, 2, 3)))).toEqual(GRAY);
    expect(values(rgbToGrayscale(U8))).toEqual(GRAY_U8);
    expect(values(rgbToGrayscale(U8, 3))).toEqual([...GRAY_U8, ...GRAY_U8, ...GRAY_U8]);
  });

  it("a one-channel batch is its own grayscale; grayscale() is rgbToGrayscale as a transform", () => {
    const x = batch(2, 1, 3, 3);
    expect(values(rgbToGrayscale(x))).toEqual(values(x));
    expect(values(rgbToGrayscale(x, 3))).toEqual([0, 1].flatMap((i) => { const v = values(one(x, i)); return [...v, ...v, ...v]; }));
    const y = batch(3, 3, 2, 4);
    expect(values(grayscale()(y))).toEqual(values(rgbToGrayscale(y)));
    expect(values(grayscale({ numOutputChannels: 3 })(y))).toEqual(values(rgbToGrayscale(y, 3)));
  });

  it("refuses bad channel counts, dtypes and options with typed errors", () => {
    expect(() => rgbToGrayscale(batch(1, 2, 2, 2))).toThrow(ShapeError);
    expect(() => rgbToGrayscale(batch(1, 4, 2, 2))).toThrow(/rgbToGrayscale: expected 1 or 3 channels, got 4/);
    expect(() => rgbToGrayscale(new Tensor(new Int32Array(12), "int32", [1, 3, 2, 2]))).toThrow(DTypeError);
    expect(() => rgbToGrayscale(batch(1, 3, 2, 2), 2 as never)).toThrow(/rgbToGrayscale: numOutputChannels must be 1 or 3, got 2/);
    expect(() => rgbToGrayscale(new Tensor(new Float32Array(12), "float32", [3, 2, 2]))).toThrow(/needs a batch axis/);
    expect(() => grayscale({ numOutputChannels: 4 } as never)).toThrow(ValueError);
    expect(() => grayscale({ channels: 3 } as never)).toThrow(/grayscale: unknown option "channels"/);
  });
});

describe("randomGrayscale", () => {
  it("each image is its grayscale in every channel or an exact copy; p = 0 copies, p = 1 always turns gray (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.constantFrom(1, 3), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(0, 0.5, 1), fc.nat(),
      (n, c, h, w, p, seed) => {
        const x = batch(n, c, h, w, seed), out = randomGrayscale({ p })(x, new Rng(seed)), gray = rgbToGrayscale(x, c as 1 | 3);
        for (let i = 0; i < n; i++) {
          const got = JSON.stringify(values(one(out, i)));
          const grayed = got === JSON.stringify(values(one(gray, i))), copied = got === JSON.stringify(values(one(x, i)));
          expect(grayed || copied).toBe(true);
          if (p === 0) expect(copied).toBe(true);
          if (p === 1) expect(grayed).toBe(true);
        }
      }), { numRuns: 60 });
  });

  it("turns about p of the images gray (default 0.1), decided per image with one draw each", () => {
    const x = batch(1000, 3, 1, 2), out = randomGrayscale()(x, new Rng(5)), g = new Rng(5);
    let grayed = 0;
    for (let i = 0; i < 1000; i++) {
      const turned = out.data[6 * i] === out.data[6 * i + 2] && out.data[6 * i] !== x.data[6 * i];
      expect(turned).toBe(g.uniform() < 0.1);
      grayed += turned ? 1 : 0;
    }
    expect(grayed).toBeGreaterThan(100 - 5 * 9.5); // 100 ± 5 standard deviations
    expect(grayed).toBeLessThan(100 + 5 * 9.5);
  });

  it("keeps the contract on float32, float64 and uint8, and refuses bad options", () => {
    contract(randomGrayscale({ p: 0.5 }), batch(4, 3, 3, 3));
    contract(randomGrayscale({ p: 0.5 }), batch(4, 1, 3, 3, 2, "float64"));
    contract(randomGrayscale({ p: 0.5 }), bytes(4, 3, 3, 3));
    expect(() => randomGrayscale({ p: 1.5 })).toThrow(/randomGrayscale: p must be in \[0, 1\], got 1.5/);
    expect(() => randomGrayscale({ prob: 0.5 } as never)).toThrow(/unknown option "prob"/);
    expect(() => randomGrayscale()(batch(1, 2, 2, 2))).toThrow(ShapeError);
    expect(() => randomGrayscale()(batch(1, 3, 2, 2), 7 as never)).toThrow(/randomGrayscale: rng must be an Rng/);
  });
});

describe("adjustSaturation", () => {
  it("matches a float64 reference of the blend with each pixel's luma within float32 rounding (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom("float32" as const, "float64" as const), fc.nat(),
      (n, h, w, factor, dtype, seed) => {
        const x = batch(n, 3, h, w, seed, dtype), out = adjustSaturation(x, factor), plane = h * w;
        // The luma's five roundings, then a product, a product and a sum of values ≤ 1 + factor.
        const tol = (dtype === "float32" ? U32 : 2 ** -53) * 16 * (1 + factor);
        for (let i = 0; i < n; i++) for (let p = 0; p < plane; p++) {
          const px = rgb(x, i, p), gray = lumaRef(...px);
          for (let ch = 0; ch < 3; ch++) {
            const want = Math.min(Math.max(factor * px[ch] + (1 - factor) * gray, 0), 1);
            expect(Math.abs(out.data[(i * 3 + ch) * plane + p] - want)).toBeLessThanOrEqual(tol);
          }
        }
      }), { numRuns: 80 });
  });

  it("equals PyTorch 1.13's evaluation of torchvision 0.14's adjust_saturation (float32 and uint8, bit for bit)", () => {
    // From PyTorch 1.13: _blend(x, rgb_to_grayscale(x), factor) on img(1, 3, 2, 3) and on U8.
    expect(values(adjustSaturation(img(1, 3, 2, 3), 0.3))).toEqual(SAT03);
    expect(values(adjustSaturation(img(1, 3, 2, 3), 1.7))).toEqual(SAT17);
    expect(values(adjustSaturation(U8, 1.6))).toEqual(SAT_U8);
  });

  it("factor 1 is the identity, 0 the grayscale in three channels; a one-channel batch comes back unchanged", () => {
    const x = batch(2, 3, 3, 3);
    expect(values(adjustSaturation(x, 1))).toEqual(values(x));
    expect(values(adjustSaturation(x, 0))).toEqual(values(rgbToGrayscale(x, 3)));
    expect(values(adjustSaturation(U8, 0))).toEqual(values(rgbToGrayscale(U8, 3)));
    const g = batch(2, 1, 3, 3);
    expect(values(adjustSaturation(g, 2.5))).toEqual(values(g));
  });

  it("refuses bad factors, channel counts and dtypes with typed errors", () => {
    expect(() => adjustSaturation(batch(1, 3, 2, 2), -0.5)).toThrow(/adjustSaturation: factor must be a finite number ≥ 0, got -0.5/);
    expect(() => adjustSaturation(batch(1, 3, 2, 2), Infinity)).toThrow(ValueError);
    expect(() => adjustSaturation(batch(1, 4, 2, 2), 1)).toThrow(/adjustSaturation: expected 1 or 3 channels, got 4/);
    expect(() => adjustSaturation(new Tensor(new Int8Array(12), "int8", [1, 3, 2, 2]), 1)).toThrow(DTypeError);
  });
});

/** Standard RGB → HSV → RGB with the hue turned by `shift`, in float64 (the hexcone model). */
function hueRef(r: number, g: number, b: number, shift: number): [number, number, number] {
  const max = Math.max(r, g, b), min = Math.min(r, g, b), delta = max - min;
  let hue = 0;
  if (delta > 0) {
    if (max === r) hue = (g - b) / delta;
    else if (max === g) hue = (b - r) / delta + 2;
    else hue = (r - g) / delta + 4;
  }
  hue = (((hue / 6 + shift) % 1) + 1) % 1;
  const chroma = delta, h6 = hue * 6, second = chroma * (1 - Math.abs((h6 % 2) - 1)), m = max - chroma;
  const sector = Math.floor(h6) % 6;
  const [a, bb, cc] = [[chroma, second, 0], [second, chroma, 0], [0, chroma, second], [0, second, chroma], [second, 0, chroma], [chroma, 0, second]][sector];
  return [a + m, bb + m, cc + m];
}

describe("adjustHue", () => {
  it("matches a float64 reference of the hue rotation in HSV (fuzzed, float32 and float64)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
      fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.constantFrom("float32" as const, "float64" as const), fc.nat(),
      (n, h, w, factor, dtype, seed) => {
        const x = batch(n, 3, h, w, seed, dtype), out = adjustHue(x, factor), plane = h * w;
        // The hue carries about a dozen roundings of values ≤ 6; an output moves by at most
        // v·s·6 times the hue's error, plus its own few roundings.
        const tol = (dtype === "float32" ? U32 : 2 ** -53) * 12 * 6 * 6;
        for (let i = 0; i < n; i++) for (let p = 0; p < plane; p++) {
          const want = hueRef(...rgb(x, i, p), factor);
          for (let ch = 0; ch < 3; ch++) expect(Math.abs(out.data[(i * 3 + ch) * plane + p] - want[ch])).toBeLessThanOrEqual(tol);
        }
      }), { numRuns: 100 });
  });

  it("equals PyTorch 1.13's evaluation of torchvision 0.14's adjust_hue (float32 and uint8, bit for bit)", () => {
    // From PyTorch 1.13: torchvision 0.14's adjust_hue (_rgb2hsv, (h + factor) % 1.0, _hsv2rgb,
    // convert_image_dtype) written out, on img(1, 3, 2, 3), on U8, and on pixels with ties
    // between channels (the maximum in two channels, and gray).
    expect(values(adjustHue(img(1, 3, 2, 3), 0.2))).toEqual(HUE02);
    expect(values(adjustHue(img(1, 3, 2, 3), -0.45))).toEqual(HUE_M045);
    expect(values(adjustHue(U8, 0.3))).toEqual(HUE_U8);
    expect(values(adjustHue(U8, 0))).toEqual(values(U8)); // 255.999: every level maps back to itself
    const ties = new Tensor(Float32Array.from([0.5, 0.2, 0.7, 0.7, 0.5, 0.7, 0.2, 0.7, 0.5, 0.7, 0.7, 0.2]), "float32", [1, 3, 2, 2]);
    expect(values(adjustHue(ties, 0.1))).toEqual(HUE_TIES);
  });

  it("±0.5 both give the complementary colours; 0 keeps the image; gray pixels and one-channel batches do not change", () => {
    const x = batch(3, 3, 3, 3, 4, "float64");
    near(values(adjustHue(x, 0.5)), values(adjustHue(x, -0.5)), 1e-14);
    near(values(adjustHue(x, 0)), values(x), 1e-15);
    // The complement of (r, g, b) in the hexcone is (max + min − r, max + min − g, max + min − b).
    const comp = adjustHue(x, 0.5);
    for (let i = 0; i < 3; i++) for (let p = 0; p < 9; p++) {
      const px = rgb(x, i, p), s = Math.max(...px) + Math.min(...px);
      rgb(comp, i, p).forEach((v, ch) => expect(Math.abs(v - (s - px[ch]))).toBeLessThanOrEqual(1e-14));
    }
    const gray = new Tensor(Float32Array.from([0.3, 0.8, 0.3, 0.8, 0.3, 0.8]), "float32", [1, 3, 1, 2]);
    expect(values(adjustHue(gray, 0.37))).toEqual(values(gray));
    const g = batch(2, 1, 2, 2);
    expect(values(adjustHue(g, 0.25))).toEqual(values(g));
  });

  it("refuses factors outside [-0.5, 0.5], bad channel counts and dtypes with typed errors", () => {
    const x = batch(1, 3, 2, 2);
    expect(() => adjustHue(x, 0.6)).toThrow(/adjustHue: factor must be in \[-0.5, 0.5\], got 0.6/);
    expect(() => adjustHue(x, -0.51)).toThrow(ValueError);
    expect(() => adjustHue(x, NaN)).toThrow(ValueError);
    expect(() => adjustHue(x, "0.1" as never)).toThrow(ValueError);
    expect(() => adjustHue(batch(1, 2, 2, 2), 0.1)).toThrow(ShapeError);
    expect(() => adjustHue(new Tensor(new Int32Array(12), "int32", [1, 3, 2, 2]), 0.1)).toThrow(DTypeError);
  });
});

describe("colorJitter with saturation and hue", () => {
  /** colorJitter's draws for one image, replayed from `g`: a permutation of the four, then the factors in use. */
  function replay(g: Rng, ranges: ([number, number] | null)[]): { order: number[]; factors: number[] } {
    const order = [0, 1, 2, 3];
    for (let i = 3; i > 0; i--) { const j = g.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
    const factors = ranges.map((r) => (r ? r[0] + (r[1] - r[0]) * g.uniform() : NaN));
    return { order, factors };
  }

  it("applies the four adjustments in a uniformly drawn order with factors drawn in their ranges (replayed, every dtype)", () => {
    for (const x of [batch(12, 3, 3, 4), batch(6, 3, 2, 2, 5, "float64"), bytes(8, 3, 3, 3), batch(5, 1, 2, 3)]) {
      const o = { brightness: 0.4, contrast: [0.5, 1.5] as [number, number], saturation: 0.7, hue: 0.3 };
      const out = colorJitter(o)(x, new Rng(11));
      const ranges: [number, number][] = [[0.6, 1.4], [0.5, 1.5], [0.30000000000000004, 1.7], [-0.3, 0.3]];
      const g = new Rng(11);
      const apply = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];
      for (let i = 0; i < x.shape[0]; i++) {
        const { order, factors } = replay(g, ranges);
        factors.forEach((f, j) => { expect(f).toBeGreaterThanOrEqual(ranges[j][0]); expect(f).toBeLessThanOrEqual(ranges[j][1]); });
        const want = order.reduce((im, j) => apply[j](im, factors[j]), one(x, i));
        expect(values(one(out, i))).toEqual(values(want));
      }
    }
  });

  it("draws all 24 orders, each about as often", () => {
    const g = new Rng(2), counts = new Map<string, number>();
    for (let i = 0; i < 2400; i++) { const k = replay(g, [null, null, null, null]).order.join(""); counts.set(k, (counts.get(k) ?? 0) + 1); }
    expect(counts.size).toBe(24);
    for (const v of counts.values()) { expect(v).toBeGreaterThan(100 - 5 * 9.8); expect(v).toBeLessThan(100 + 5 * 9.8); }
    // And colorJitter draws exactly that: with no adjustment in use, three draws per image.
    const x = batch(5, 3, 2, 2), h = new Rng(4);
    expect(values(colorJitter()(x, h))).toEqual(values(x));
    const k = new Rng(4);
    for (let i = 0; i < 5; i++) replay(k, [null, null, null, null]);
    expect(h.uniform()).toBe(k.uniform());
  });

  it("a range of one factor is that adjustment alone; hue 0 and [0, 0], saturation 0 change nothing", () => {
    const x = batch(6, 3, 3, 3);
    expect(values(colorJitter({ saturation: [0.4, 0.4] })(x, new Rng(1)))).toEqual(values(adjustSaturation(x, 0.4)));
    expect(values(colorJitter({ hue: [-0.2, -0.2] })(x, new Rng(1)))).toEqual(values(adjustHue(x, -0.2)));
    for (const o of [{ hue: 0 }, { hue: [0, 0] as [number, number] }, { saturation: 0 }, { saturation: [1, 1] as [number, number] }]) {
      expect(values(colorJitter(o)(x, new Rng(1)))).toEqual(values(x));
    }
  });

  it("keeps the contract on float32, float64 and uint8", () => {
    const o = { brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.1 };
    contract(colorJitter(o), batch(4, 3, 4, 4));
    contract(colorJitter(o), batch(3, 3, 4, 4, 2, "float64"));
    contract(colorJitter(o), bytes(3, 3, 4, 4));
  });

  it("refuses bad saturation and hue ranges with typed errors", () => {
    expect(() => colorJitter({ saturation: -0.1 })).toThrow(/colorJitter: saturation must be a finite number ≥ 0 or \[min, max\] with 0 ≤ min ≤ max, got -0.1/);
    expect(() => colorJitter({ saturation: [1, 0.5] })).toThrow(ValueError);
    expect(() => colorJitter({ hue: 0.6 })).toThrow(/colorJitter: hue must be a number in \[0, 0.5\] or \[min, max\] with -0.5 ≤ min ≤ max ≤ 0.5, got 0.6/);
    expect(() => colorJitter({ hue: -0.1 })).toThrow(ValueError);
    expect(() => colorJitter({ hue: [-0.6, 0] })).toThrow(ValueError);
    expect(() => colorJitter({ hue: [0.2, 0.1] })).toThrow(ValueError);
    expect(() => colorJitter({ hue: "0.1" } as never)).toThrow(ValueError);
    expect(() => colorJitter({ gamma: 0.1 } as never)).toThrow(/unknown option "gamma"/);
  });
});

/**
 * randomRotation's value at output pixel (y, x), from the geometry: the pixel's centre (x + ½, y + ½)
 * turned by −angle about the pivot (the image's centre, or `center`), read back as an index by
 * subtracting ½, then nearest (half to even; ties give either neighbour: null) or the bilinear
 * weights of the four neighbours with those outside dropped, blended with the fill by their sum.
 */
function rotationRef(plane: number[][], angle: number, mode: "nearest" | "bilinear", fill: number, center?: readonly [number, number]): (number | null)[][] {
  const h = plane.length, w = plane[0].length;
  const [px, py] = center ?? [w / 2, h / 2];
  const t = (angle * Math.PI) / 180, cos = Math.cos(t), sin = Math.sin(t);
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => {
    const dx = x + 0.5 - px, dy = y + 0.5 - py;
    const sx = cos * dx - sin * dy + px - 0.5, sy = sin * dx + cos * dy + py - 0.5;
    const at = (r: number, c: number) => (r >= 0 && r < h && c >= 0 && c < w ? plane[r][c] : null);
    if (mode === "nearest") {
      const tie = (v: number) => Math.abs(v - Math.floor(v) - 0.5) < 1e-9;
      if (tie(sx) || tie(sy)) return null;
      return at(Math.round(sy), Math.round(sx)) ?? fill;
    }
    const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
    let sum = 0, mask = 0;
    for (const [r, c, wt] of [[y0, x0, (1 - fx) * (1 - fy)], [y0, x0 + 1, fx * (1 - fy)], [y0 + 1, x0, (1 - fx) * fy], [y0 + 1, x0 + 1, fx * fy]]) {
      const v = at(r, c);
      if (v === null) continue;
      sum += v * wt;
      mask += wt;
    }
    return sum * mask + (1 - mask) * fill;
  }));
}

function planeOf(t: Tensor, i: number, ch: number): number[][] {
  const [, c, h, w] = t.shape;
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => t.data[((i * c + ch) * h + y) * w + x]));
}

describe("randomRotation", () => {
  it("matches a float64 reference of the rotation, nearest and bilinear, about the centre or a point (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }),
      fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: 0, max: 180, noNaN: true }),
      fc.constantFrom("nearest" as const, "bilinear" as const), fc.constantFrom(0, 0.5),
      fc.option(fc.tuple(fc.integer({ min: -2, max: 8 }), fc.integer({ min: -2, max: 8 })), { nil: undefined }),
      fc.constantFrom("float32" as const, "float64" as const), fc.nat(),
      (n, c, h, w, lo, span, interpolation, fill, center, dtype, seed) => {
        const x = batch(n, c, h, w, seed, dtype);
        const out = randomRotation([lo, lo + span], { interpolation, fill, center })(x, new Rng(seed));
        const g = new Rng(seed);
        // Sums of four products of values ≤ 1 and the fill blend: one final rounding to float32,
        // and a few roundings in float64.
        const tol = dtype === "float32" ? 2 * U32 : 64 * 2 ** -53;
        for (let i = 0; i < n; i++) {
          const angle = lo + span * g.uniform();
          for (let ch = 0; ch < c; ch++) {
            const want = rotationRef(planeOf(x, i, ch), angle, interpolation, fill, center), got = planeOf(out, i, ch);
            want.forEach((row, y) => row.forEach((v, xx) => {
              if (v === null) return; // a nearest tie: either neighbour
              if (interpolation === "nearest") expect(got[y][xx]).toBe(dtype === "float32" ? Math.fround(v) : v);
              else expect(Math.abs(got[y][xx] - v)).toBeLessThanOrEqual(tol);
            }));
          }
        }
      }), { numRuns: 150 });
  });

  it("equals PyTorch 1.13's evaluation of torchvision 0.14's rotate (nearest exactly; bilinear within float32 rounding of its grid)", () => {
    // From PyTorch 1.13: torchvision 0.14's F.rotate written out (_get_inverse_affine_matrix,
    // _gen_affine_grid, _apply_grid_transform with the fill's mask, grid_sample) on img(1, 2, 4, 5).
    const x = img(1, 2, 4, 5), at = (angle: number, o = {}) => randomRotation([angle, angle], o);
    expect(values(at(30)(x, new Rng(1)))).toEqual(ROT_N30);
    expect(values(at(90)(img(1, 1, 4, 4), new Rng(1)))).toEqual(ROT_N90);
    // torchvision computes a float32 image's grid and weights in float32: source coordinates ≤ 5 off
    // by a few roundings each, moving a value by at most that times its largest neighbour step (≤ 1).
    const tol = 16 * U32 * (4 + 5);
    near(values(at(30, { interpolation: "bilinear" })(x, new Rng(1))), ROT_B30, tol);
    near(values(at(-47.5, { interpolation: "bilinear", fill: [0.25, 0.75] })(x, new Rng(1))), ROT_B30_FILL, tol);
    near(values(at(20, { interpolation: "bilinear", center: [1, 3] })(x, new Rng(1))), ROT_CENTER, tol);
    near(values(at(30, { interpolation: "bilinear" })(img(1, 2, 4, 5, "float64"), new Rng(1))), ROT_B64, 64 * 2 ** -53);
    // uint8 is sampled in float32 and rounded (xu = round(img(1, 1, 4, 5) · 255)): the same integers here.
    const xu = new Tensor(Uint8Array.from(ROT_U8_IN), "uint8", [1, 1, 4, 5]);
    expect(values(at(33, { interpolation: "bilinear", fill: 7 })(xu, new Rng(1)))).toEqual(ROT_U8);
  });

  it("0° is the identity; 90° turns a square counter-clockwise exactly; four turns give the image back", () => {
    const x = batch(2, 3, 5, 5);
    expect(values(randomRotation(0)(x, new Rng(1)))).toEqual(values(x));
    near(values(randomRotation(0, { interpolation: "bilinear" })(x, new Rng(1))), values(x), 2 * U32);
    const turned = randomRotation([90, 90])(x, new Rng(1));
    // out[y][x] = in[x][w − 1 − y]: the top-right corner moves to the top left.
    for (let i = 0; i < 2; i++) for (let ch = 0; ch < 3; ch++) {
      const src = planeOf(x, i, ch), got = planeOf(turned, i, ch);
      got.forEach((row, y) => row.forEach((v, xx) => expect(v).toBe(src[xx][4 - y])));
    }
    const quarter = randomRotation([90, 90]);
    let y = x;
    for (let k = 0; k < 4; k++) y = quarter(y, new Rng(1));
    expect(values(y)).toEqual(values(x));
  });

  it("draws one angle per image, uniformly in the range: image i is rotated by its own draw", () => {
    const x = batch(6, 2, 4, 6), out = randomRotation(25, { interpolation: "bilinear" })(x, new Rng(9)), g = new Rng(9);
    for (let i = 0; i < 6; i++) {
      const angle = -25 + 50 * g.uniform();
      expect(values(one(out, i))).toEqual(values(randomRotation([angle, angle], { interpolation: "bilinear" })(one(x, i), new Rng(0))));
    }
  });

  it("keeps the contract on float32, float64 and uint8, with per-channel fills", () => {
    contract(randomRotation(45), batch(3, 3, 5, 4));
    contract(randomRotation([-10, 80], { interpolation: "bilinear", fill: [0.1, 0.2] }), batch(3, 2, 4, 4, 2, "float64"));
    contract(randomRotation(180, { interpolation: "bilinear", fill: [255, 0, 9] }), bytes(3, 3, 6, 5));
    expect(randomRotation(30)(batch(0, 3, 4, 4), new Rng(1)).shape).toEqual([0, 3, 4, 4]);
  });

  it("refuses bad degrees, options, fills, dtypes and batches with typed errors", () => {
    expect(() => randomRotation(-5)).toThrow(/randomRotation: degrees must be a finite number ≥ 0 or \[min, max\] with min ≤ max, got -5/);
    expect(() => randomRotation([10, 5])).toThrow(ValueError);
    expect(() => randomRotation([0, NaN] as never)).toThrow(ValueError);
    expect(() => randomRotation(10, { expand: true })).toThrow(/randomRotation: expand: true is not implemented/);
    expect(() => randomRotation(10, { expand: "no" as never })).toThrow(/expand must be a boolean/);
    expect(() => randomRotation(10, { interpolation: "bicubic" as never })).toThrow(/interpolation must be "nearest" or "bilinear", got "bicubic"/);
    expect(() => randomRotation(10, { fill: [] })).toThrow(/fill must be a finite number or a non-empty array of them/);
    expect(() => randomRotation(10, { center: [1] as never })).toThrow(/center must be \[x, y\] of finite numbers/);
    expect(() => randomRotation(10, { resample: 0 } as never)).toThrow(/unknown option "resample"/);
    expect(() => randomRotation(10, { fill: [1, 2] })(batch(1, 3, 4, 4))).toThrow(/fill has 2 values for a batch of 3 channels/);
    expect(() => randomRotation(10, { fill: -1 })(bytes(1, 1, 4, 4))).toThrow(/fill -1 cannot be stored in a uint8 batch/);
    expect(() => randomRotation(10, { fill: 0.5 })(bytes(1, 1, 4, 4))).toThrow(ValueError);
    expect(() => randomRotation(10)(new Tensor(new Int32Array(16), "int32", [1, 1, 4, 4]))).toThrow(DTypeError);
    expect(() => randomRotation(10)(new Tensor(new Float32Array(16), "float32", [1, 4, 4]))).toThrow(ShapeError);
    expect(() => randomRotation(10)(batch(1, 1, 4, 4), 3 as never)).toThrow(/randomRotation: rng must be an Rng/);
  });
});

describe("fit with the added transforms", () => {
  it("accepts a composed pipeline of them and trains reproducibly", async () => {
    const rng = new Rng(1), n = 16;
    const x = new Tensor(Float32Array.from({ length: n * 3 * 6 * 6 }, () => rng.uniform()), "float32", [n, 3, 6, 6]);
    const y = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 2), "int32", [n]);
    const aug = compose([
      randomRotation(15, { interpolation: "bilinear" }), randomResizedCrop(6, { scale: [0.6, 1] }), randomHorizontalFlip(),
      colorJitter({ brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.05 }), randomGrayscale({ p: 0.2 }), normalize(0.5, 0.25),
    ]);
    const run = async () => {
      const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(108, 2, { seed: 1 }));
      const h = await nn.fit(m, x, y, { loss: "crossEntropy", optimizer: "sgd", epochs: 2, batchSize: 4, seed: 3, transform: aug });
      return { loss: h.history.loss, weights: m.parameters().map((p) => Array.from(p.data)) };
    };
    const a = await run(), b = await run();
    expect(a.loss.every(Number.isFinite)).toBe(true);
    expect(b).toEqual(a);
  });
});

// Values from PyTorch 1.13 (scripts as described at each use).
const CROP_NEAREST = [0.0, 0.3700000047683716, 0.7400000095367432, 0.4699999988079071, 0.8399999737739563, 0.12999999523162842, 0.5, 0.8700000047683716, 0.6000000238418579, 0.9700000286102295, 0.25999999046325684, 0.6299999952316284, 1.0, 0.7300000190734863, 0.09000000357627869, 0.9599999785423279, 0.3199999928474426, 0.6899999976158142, 0.41999998688697815, 0.7900000214576721, 0.07999999821186066, 0.44999998807907104, 0.8199999928474426, 0.550000011920929, 0.9200000166893005, 0.20999999344348907, 0.5799999833106995, 0.949999988079071, 0.6800000071525574, 0.03999999910593033, 0.9100000262260437, 0.27000001072883606, 0.6399999856948853, 0.3700000047683716, 0.7400000095367432, 0.029999999329447746, 0.4000000059604645, 0.7699999809265137, 0.5, 0.8700000047683716, 0.1599999964237213, 0.5299999713897705, 0.8999999761581421, 0.6299999952316284, 1.0, 0.8600000143051147, 0.2199999988079071, 0.5899999737739563, 0.3199999928474426, 0.6899999976158142, 0.9900000095367432, 0.3499999940395355, 0.7200000286102295, 0.44999998807907104, 0.8199999928474426, 0.10999999940395355, 0.47999998927116394, 0.8500000238418579, 0.5799999833106995, 0.949999988079071];
const CROP_OUTSIDE = [0.12333334982395172, 0.07000000774860382, 0.026944449171423912, 0.06805556267499924, 0.10916668176651001, 0.12222222983837128, 0.05111109837889671, 0.01666666567325592, 0.0, 0.5199999809265137, 0.45250001549720764, 0.36249998211860657, 0.2724999785423279, 0.4350000023841858, 0.5975000262260437, 0.5074999928474426, 0.2424999624490738, 0.0, 0.7750000357627869, 0.5391666889190674, 0.33694443106651306, 0.47138893604278564, 0.6900001168251038, 0.7963889241218567, 0.48194435238838196, 0.20166659355163574, 0.0, 0.09333334118127823, 0.12416668236255646, 0.13722223043441772, 0.06611111760139465, 0.07916668802499771, 0.09222222119569778, 0.021111099049448967, 0.0016666663577780128, 0.0, 0.3399999737739563, 0.5249999761581421, 0.6874999403953552, 0.5975000262260437, 0.5074999928474426, 0.41749995946884155, 0.32749998569488525, 0.1524999737739563, 0.0, 0.5950000286102295, 0.35916668176651, 0.1849999725818634, 0.43166661262512207, 0.59416663646698, 0.6163889169692993, 0.3019443452358246, 0.11166661977767944, 0.0, 0.06333333998918533, 0.09416668117046356, 0.10722222179174423, 0.03611110895872116, 0.04916667938232422, 0.09027779847383499, 0.13138891756534576, 0.07083332538604736, 0.0, 0.6650000214576721, 0.5974999666213989, 0.5074999332427979, 0.4175000488758087, 0.32749998569488525, 0.3216667175292969, 0.5683333873748779, 0.31499993801116943, 0.0, 0.5833332538604736, 0.684166669845581, 0.7063888907432556, 0.39194440841674805, 0.4141666889190674, 0.5766668319702148, 0.8233334422111511, 0.44249993562698364, 0.0, 0.03333333879709244, 0.06416667252779007, 0.10527779161930084, 0.14638890326023102, 0.10333333909511566, 0.060277797281742096, 0.10138891637325287, 0.055833324790000916, 0.0, 0.48500004410743713, 0.41749998927116394, 0.4116666316986084, 0.6583333015441895, 0.6524999737739563, 0.5625000596046448, 0.4724999666213989, 0.22499993443489075, 0.0, 0.40333327651023865, 0.5041666626930237, 0.5263888835906982, 0.21194438636302948, 0.31833332777023315, 0.5369444489479065, 0.6713889241218567, 0.35249996185302734, 0.0];
const CONTRAST64 = [0.0, 0.31075, 1.0, 0.0, 0.50075, 1.0, 0.0, 0.69075, 1.0, 0.17775000000000002, 0.8807499999999999, 0.0, 0.31075, 1.0, 0.0, 0.50075, 1.0, 0.0, 0.69075, 1.0, 0.17775000000000002, 0.8807499999999999, 0.0, 0.36774999999999997];
const CONTRAST_U8_IN = [0, 94, 189, 26, 120, 214, 51, 145, 240, 76, 171, 8, 102, 196, 33, 128, 222, 59, 153, 247, 84, 178, 15, 110];
const CONTRAST_U8 = [61, 103, 146, 72, 115, 157, 84, 126, 169, 95, 138, 64, 115, 158, 84, 127, 169, 96, 138, 181, 107, 150, 76, 119];
const GRAY = [0.16300000250339508, 0.5329629778862, 0.7877860069274902, 0.2629900276660919, 0.6329529881477356, 0.29490602016448975];
const GRAY_U8 = [38, 178, 182, 123, 155, 96];
const SAT03 = [0.11410000175237656, 0.48407408595085144, 0.7734501957893372, 0.21409301459789276, 0.5840671062469482, 0.45843422412872314, 0.17410001158714294, 0.5440740585327148, 0.833450198173523, 0.27409303188323975, 0.644067108631134, 0.2154342085123062, 0.23410001397132874, 0.6040741205215454, 0.5904501676559448, 0.33409303426742554, 0.7040671110153198, 0.2754341959953308];
const SAT17 = [0.0, 0.2559259235858917, 0.7065498232841492, 0.0, 0.35593295097351074, 1.0, 0.22589999437332153, 0.5959259271621704, 1.0, 0.32590705156326294, 0.6959329843521118, 0.0, 0.5659000277519226, 0.9359259605407715, 0.0, 0.6659070253372192, 1.0, 0.18456582725048065];
const SAT_U8 = [0, 54, 236, 68, 255, 155, 54, 255, 172, 139, 73, 84, 118, 54, 95, 196, 255, 1];
const HUE02 = [0.2799997329711914, 0.649999737739563, 0.12999998033046722, 0.37999972701072693, 0.7499997615814209, 0.8399999737739563, 0.0, 0.3699999749660492, 0.9399999976158142, 0.09999999403953552, 0.4700000286102295, 0.8020003437995911, 0.4000000059604645, 0.7699999809265137, 0.49200010299682617, 0.5, 0.8700000047683716, 0.029999984428286552];
const HUE_M045 = [0.4000000059604645, 0.7699999809265137, 0.573000431060791, 0.5, 0.8700000047683716, 0.029999984428286552, 0.3199998438358307, 0.6899998188018799, 0.12999998033046722, 0.4199998378753662, 0.7899998426437378, 0.7969996929168701, 0.0, 0.3699999749660492, 0.9399999976158142, 0.09999999403953552, 0.4700000286102295, 0.8399999737739563];
const HUE_U8 = [88, 101, 128, 169, 232, 37, 0, 127, 216, 89, 215, 133, 65, 233, 159, 149, 104, 70];
const HUE_TIES = [0.5, 0.19999998807907104, 0.699999988079071, 0.40000012516975403, 0.5, 0.3999998867511749, 0.19999998807907104, 0.699999988079071, 0.5, 0.699999988079071, 0.40000006556510925, 0.19999998807907104];
const ROT_N30 = [0.0, 0.7400000095367432, 0.10000000149011612, 0.30000001192092896, 0.30000001192092896, 0.3700000047683716, 0.20000000298023224, 0.5699999928474426, 0.7699999809265137, 0.12999999523162842, 0.8399999737739563, 0.20000000298023224, 0.4000000059604645, 0.7699999809265137, 0.6000000238418579, 0.6700000166893005, 0.6700000166893005, 0.8700000047683716, 0.23000000417232513, 0.0, 0.0, 0.05999999865889549, 0.4300000071525574, 0.6299999952316284, 0.6299999952316284, 0.699999988079071, 0.5299999713897705, 0.8999999761581421, 0.09000000357627869, 0.46000000834465027, 0.1599999964237213, 0.5299999713897705, 0.7300000190734863, 0.09000000357627869, 0.9300000071525574, 1.0, 1.0, 0.1899999976158142, 0.5600000023841858, 0.0];
const ROT_N90 = [0.10000000149011612, 0.5699999928474426, 0.029999999329447746, 0.5, 0.7400000095367432, 0.20000000298023224, 0.6700000166893005, 0.12999999523162842, 0.3700000047683716, 0.8399999737739563, 0.30000001192092896, 0.7699999809265137, 0.0, 0.4699999988079071, 0.9399999976158142, 0.4000000059604645];
const ROT_B30 = [0.01521094050258398, 0.34250402450561523, 0.3780651390552521, 0.4806089401245117, 0.07131629437208176, 0.21286757290363312, 0.4156827926635742, 0.6511121392250061, 0.769355833530426, 0.19654235243797302, 0.7734575867652893, 0.2006441205739975, 0.3188878297805786, 0.5543172359466553, 0.7571324110031128, 0.1889069378376007, 0.4893910586833954, 0.5919348001480103, 0.1341032236814499, 0.023963242769241333, 0.027806095778942108, 0.06596647202968597, 0.35407939553260803, 0.5387659072875977, 0.15984579920768738, 0.510253369808197, 0.5777541995048523, 0.7286121249198914, 0.20654158294200897, 0.44318535923957825, 0.17802901566028595, 0.46420133113861084, 0.6488878726959229, 0.531545877456665, 0.597832441329956, 0.22298499941825867, 0.7034198641777039, 0.316663533449173, 0.2962479889392853, 0.0372905395925045];
const ROT_B30_FILL = [0.3136984705924988, 0.6621024012565613, 0.3001422882080078, 0.38877710700035095, 0.24706976115703583, 0.5626270771026611, 0.07539444416761398, 0.4060288667678833, 0.6030498147010803, 0.1306571364402771, 0.48419463634490967, 0.3669501543045044, 0.5639711022377014, 0.8946056365966797, 0.40737295150756836, 0.2470412403345108, 0.2812156081199646, 0.6698576807975769, 0.3078975975513458, 0.20075172185897827, 0.6279526948928833, 0.3795037865638733, 0.5780865550041199, 0.37633103132247925, 0.7409768104553223, 0.7124350666999817, 0.40090423822402954, 0.7360289096832275, 0.39877474308013916, 0.43453890085220337, 0.3271607756614685, 0.5186656713485718, 0.5216462016105652, 0.25927650928497314, 0.6345822215080261, 0.7410231232643127, 0.5918440818786621, 0.505513072013855, 0.417218953371048, 0.5265655517578125];
const ROT_CENTER = [0.31440040469169617, 0.6205095052719116, 0.6504257321357727, 0.48827046155929565, 0.030530814081430435, 0.46889162063598633, 0.3342142701148987, 0.6237571239471436, 0.547415554523468, 0.1810329407453537, 0.5652007460594177, 0.2224758416414261, 0.3374619781970978, 0.6246578693389893, 0.5704142451286316, 0.39430615305900574, 0.5872316956520081, 0.10625575482845306, 0.014746224507689476, 0.0, 0.6311760544776917, 0.3854520916938782, 0.38788023591041565, 0.5195950269699097, 0.07235950231552124, 0.3746713101863861, 0.6642142534255981, 0.526962161064148, 0.23329994082450867, 0.2003253698348999, 0.7815544605255127, 0.37791895866394043, 0.6302977800369263, 0.8229635953903198, 0.1884959489107132, 0.6378881931304932, 0.23527437448501587, 0.12388229370117188, 0.02486439421772957, 0.0];
const ROT_B64 = [0.015210912145093437, 0.3425039508071239, 0.3780651129149634, 0.48060895330392744, 0.07131631506037159, 0.2128675544824026, 0.41568275992143483, 0.6511121593216772, 0.7693559008996367, 0.19654242198323504, 0.7734575780167648, 0.20064409910036343, 0.31888784067832276, 0.5543172400785651, 0.7571324455175974, 0.18890690990147885, 0.48939104669607264, 0.5919348870850366, 0.1341031991674431, 0.023963200335831856, 0.027806048226159806, 0.06596648731214211, 0.3540793562816757, 0.538765877365274, 0.15984586582058868, 0.5102533605211925, 0.5777542237825082, 0.7286121593216772, 0.2065415587219195, 0.44318534970538115, 0.17802904187783808, 0.46420131959472427, 0.6488878406783227, 0.5315458750284965, 0.5978323467065925, 0.22298501555075242, 0.7034197804570087, 0.31666352203496817, 0.2962478996742546, 0.037290475715940456];
const ROT_U8_IN = [0, 94, 189, 26, 120, 214, 51, 145, 240, 76, 171, 8, 102, 196, 33, 128, 222, 59, 153, 247];
const ROT_U8 = [8, 93, 96, 123, 19, 55, 112, 167, 194, 75, 172, 53, 80, 135, 188, 51, 125, 152, 32, 9];
