// data.transforms' torchvision additions on NCHW batches: randomVerticalFlip, randomErasing,
// resizedCrop / randomResizedCrop, adjustBrightness / adjustContrast / colorJitter. Checked by
// invariants against references written here in float64 (mirrors, rectangles, torchvision's
// box sampling, bilinear interpolation, the colour formulas), by values from PyTorch 1.13 for
// fixed parameters, by the transform contract (shape, dtype, input untouched, seeding) and by
// their typed errors; and fit accepts a pipeline of them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, DTypeError, nn, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { bytes, contract, img, one, values } from "../support/transforms.js";

const { adjustBrightness, adjustContrast, colorJitter, compose, normalize, randomErasing, randomHorizontalFlip, randomResizedCrop, randomVerticalFlip, resizedCrop } = data.transforms;


/** [n, c, h, w] float32 with values distinct and in (0, 1), never 0 or −1 (erasing values). */
function batch(n: number, c: number, h: number, w: number, seed = 1): Tensor {
  const rng = new Rng(seed);
  return new Tensor(Float32Array.from({ length: n * c * h * w }, () => 0.05 + 0.9 * rng.uniform()), "float32", [n, c, h, w]);
}

/** Image i of an [n, c, h, w] tensor as [c][h][w]. */
function image(t: Tensor, i: number): number[][][] {
  const [, c, h, w] = t.shape;
  return Array.from({ length: c }, (_, ch) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => t.data[((i * c + ch) * h + y) * w + x])));
}

describe("randomVerticalFlip", () => {
  it("each image is its exact top–bottom mirror or an exact copy; p = 0 copies, p = 1 always flips (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.constantFrom(0, 0.5, 1), fc.nat(),
      (n, c, h, w, p, seed) => {
        const x = batch(n, c, h, w, seed);
        const out = randomVerticalFlip({ p })(x, new Rng(seed));
        for (let i = 0; i < n; i++) {
          const src = image(x, i), got = image(out, i);
          const mirrored = src.map((plane) => [...plane].reverse());
          const flipped = JSON.stringify(got) === JSON.stringify(mirrored), copied = JSON.stringify(got) === JSON.stringify(src);
          expect(flipped || copied).toBe(true);
          if (p === 0) expect(copied).toBe(true);
          if (p === 1) expect(flipped).toBe(true);
        }
      }), { numRuns: 60 });
  });

  it("keeps the contract on float32 and uint8, and flips about half the images at p = 0.5", () => {
    contract(randomVerticalFlip(), batch(4, 2, 3, 5));
    contract(randomVerticalFlip(), bytes(4, 3, 4, 2));
    const x = batch(400, 1, 2, 1), out = randomVerticalFlip()(x, new Rng(1));
    let flips = 0;
    for (let i = 0; i < 400; i++) flips += out.data[2 * i] === x.data[2 * i + 1] ? 1 : 0;
    expect(flips).toBeGreaterThan(150); // 200 ± 5 standard deviations
    expect(flips).toBeLessThan(250);
  });

  it("refuses bad options and batches", () => {
    expect(() => randomVerticalFlip({ p: -0.1 })).toThrow(ValueError);
    expect(() => randomVerticalFlip({ p: -0.1 })).toThrow(/randomVerticalFlip: p must be in \[0, 1\], got -0.1/);
    expect(() => randomVerticalFlip({ prob: 1 } as never)).toThrow(/unknown option "prob"/);
    expect(() => randomVerticalFlip()(new Tensor(new Float32Array(6), "float32", [2, 3]))).toThrow(ShapeError);
  });
});

describe("randomErasing", () => {
  /** The changed pixels of image i, as [top, left, height, width] of their bounding box, or null. */
  function changedBox(x: Tensor, out: Tensor, i: number): [number, number, number, number] | null {
    const [, c, h, w] = x.shape;
    let y0 = h, y1 = -1, x0 = w, x1 = -1;
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      const k = ((i * c + ch) * h + y) * w + xx;
      if (out.data[k] !== x.data[k]) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, xx); x1 = Math.max(x1, xx); }
    }
    return y1 < 0 ? null : [y0, x0, y1 - y0 + 1, x1 - x0 + 1];
  }

  it("erases one rectangle per image, in every channel, whose sides fit torchvision's draws of scale and ratio (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }),
      fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }),
      fc.double({ min: 0.2, max: 1, noNaN: true }), fc.double({ min: 1, max: 4, noNaN: true }), fc.nat(),
      (n, c, h, w, sa, sb, r0, r1, seed) => {
        const scale: [number, number] = [Math.min(sa, sb), Math.max(sa, sb)];
        const x = batch(n, c, h, w, seed);
        const value = Array.from({ length: c }, (_, ch) => -1 - ch);
        const out = randomErasing({ p: 1, scale, ratio: [r0, r1], value })(x, new Rng(seed));
        for (let i = 0; i < n; i++) {
          const box = changedBox(x, out, i);
          if (!box) continue; // no draw fitted in 10 attempts
          const [top, left, eh, ew] = box;
          expect(eh).toBeLessThan(h);
          expect(ew).toBeLessThan(w);
          // Every pixel of the box holds its channel's value; the rest is untouched.
          for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
            const k = ((i * c + ch) * h + y) * w + xx, inside = y >= top && y < top + eh && xx >= left && xx < left + ew;
            expect(out.data[k]).toBe(inside ? value[ch] : x.data[k]);
          }
          // eh = round(√(A·r)), ew = round(√(A/r)) for an area A in scale·h·w and a ratio r in
          // [r0, r1]: so A lies in [(eh − ½)(ew − ½), (eh + ½)(ew + ½)], r in [(eh − ½)/(ew + ½), (eh + ½)/(ew − ½)].
          const tiny = 1e-9;
          expect((eh + 0.5) * (ew + 0.5)).toBeGreaterThanOrEqual(scale[0] * h * w - tiny);
          expect((eh - 0.5) * (ew - 0.5)).toBeLessThanOrEqual(scale[1] * h * w + tiny);
          expect((eh + 0.5) / Math.max(ew - 0.5, tiny)).toBeGreaterThanOrEqual(r0 - tiny);
          expect((eh - 0.5) / (ew + 0.5)).toBeLessThanOrEqual(r1 + tiny);
        }
      }), { numRuns: 80 });
  });

  it("p = 0 copies; a scale no rectangle smaller than the image can reach erases nothing; p = 1 with room always erases", () => {
    const x = batch(6, 2, 5, 5);
    expect(values(randomErasing({ p: 0 })(x, new Rng(1)))).toEqual(values(x));
    // At least 0.9 of 25 pixels, with both sides at most 4: 16 < 22.5, never fits.
    expect(values(randomErasing({ p: 1, scale: [0.9, 1] })(x, new Rng(1)))).toEqual(values(x));
    const big = batch(30, 1, 20, 20), out = randomErasing({ p: 1, value: -1 })(big, new Rng(2));
    for (let i = 0; i < 30; i++) expect(changedBox(big, out, i)).not.toBeNull();
  });

  it("value 'random' fills the rectangle with standard normal draws, different per channel", () => {
    const x = batch(200, 2, 16, 16), out = randomErasing({ p: 1, value: "random", scale: [0.2, 0.3] })(x, new Rng(4));
    const drawn: number[] = [];
    for (let k = 0; k < x.data.length; k++) if (out.data[k] !== x.data[k]) drawn.push(out.data[k]);
    const mean = drawn.reduce((a, b) => a + b, 0) / drawn.length;
    const variance = drawn.reduce((a, b) => a + (b - mean) ** 2, 0) / drawn.length;
    expect(drawn.length).toBeGreaterThan(10000);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it("keeps the contract on float32, float64 and uint8 (an integer value)", () => {
    contract(randomErasing({ p: 0.7 }), batch(5, 3, 6, 7));
    contract(randomErasing({ value: "random" }), img(4, 2, 6, 6, "float64"));
    contract(randomErasing({ p: 1, value: [255, 0, 7] }), bytes(4, 3, 8, 8));
  });

  it("refuses bad options with typed errors", () => {
    expect(() => randomErasing({ p: 2 })).toThrow(/randomErasing: p must be in \[0, 1\], got 2/);
    expect(() => randomErasing({ scale: [0.5, 0.2] })).toThrow(/randomErasing: scale must be \[min, max\] with min ≤ max, both ≥ 0 and ≤ 1, got \[0.5,0.2\]/);
    expect(() => randomErasing({ scale: [0.1, 1.5] })).toThrow(ValueError);
    expect(() => randomErasing({ ratio: [0, 2] })).toThrow(/ratio must be \[min, max\] with min ≤ max, both > 0/);
    expect(() => randomErasing({ value: "noise" as never })).toThrow(/value must be a finite number, a non-empty array of them or "random", got "noise"/);
    expect(() => randomErasing({ value: [] })).toThrow(ValueError);
    expect(() => randomErasing({ inplace: true } as never)).toThrow(/unknown option "inplace"/);
    expect(() => randomErasing({ value: [1, 2] })(batch(1, 3, 4, 4))).toThrow(/value has 2 entries for a batch of 3 channels/);
    expect(() => randomErasing({ value: -1 })(bytes(1, 1, 4, 4))).toThrow(/value -1 cannot be stored in a uint8 batch/);
    expect(() => randomErasing({ value: "random" })(bytes(1, 1, 4, 4))).toThrow(/value "random" draws normal values, which a uint8 batch cannot hold/);
    expect(() => randomErasing()(batch(1, 1, 4, 4), 5 as never)).toThrow(/randomErasing: rng must be an Rng/);
  });
});

/** Bilinear resize of one plane (align_corners false), in float64, from its definition. */
function bilinearRef(plane: number[][], oh: number, ow: number): number[][] {
  const h = plane.length, w = plane[0].length;
  const src = (o: number, inSize: number, outSize: number) => Math.max(0, (o + 0.5) * (inSize / outSize) - 0.5);
  return Array.from({ length: oh }, (_, y) => Array.from({ length: ow }, (_, x) => {
    const sy = src(y, h, oh), sx = src(x, w, ow);
    const y0 = Math.floor(sy), x0 = Math.floor(sx), y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
    const ly = sy - y0, lx = sx - x0;
    return (1 - ly) * ((1 - lx) * plane[y0][x0] + lx * plane[y0][x1]) + ly * ((1 - lx) * plane[y1][x0] + lx * plane[y1][x1]);
  }));
}

/** The box of image `img` (pixels outside read 0), from the definition of torchvision's crop. */
function cropRef(planes: number[][][], top: number, left: number, bh: number, bw: number): number[][][] {
  return planes.map((p) => Array.from({ length: bh }, (_, y) => Array.from({ length: bw }, (_, x) => p[top + y]?.[left + x] ?? 0)));
}

/** torchvision 0.14's RandomResizedCrop.get_params, written out here, drawing from `g` in its order. */
function boxRef(g: Rng, h: number, w: number, scale: readonly number[], ratio: readonly number[]): number[] {
  const pyRound = (v: number) => { const f = Math.floor(v); return v - f > 0.5 || (v - f === 0.5 && f % 2 === 1) ? f + 1 : f; };
  for (let k = 0; k < 10; k++) {
    const area = h * w * (scale[0] + (scale[1] - scale[0]) * g.uniform());
    const r = Math.exp(Math.log(ratio[0]) + (Math.log(ratio[1]) - Math.log(ratio[0])) * g.uniform());
    const bw = pyRound(Math.sqrt(area * r)), bh = pyRound(Math.sqrt(area / r));
    if (bw > 0 && bw <= w && bh > 0 && bh <= h) {
      const top = g.int(h - bh + 1);
      return [top, g.int(w - bw + 1), bh, bw];
    }
  }
  const inRatio = w / h;
  // At least one pixel: torchvision's round(1 / 3) = 0 rows would fail in its resize.
  const [bh, bw] = inRatio < ratio[0] ? [Math.max(1, pyRound(w / ratio[0])), w] : inRatio > ratio[1] ? [h, Math.max(1, pyRound(h * ratio[1]))] : [h, w];
  return [Math.floor((h - bh) / 2), Math.floor((w - bw) / 2), bh, bw];
}

describe("resizedCrop", () => {
  it("bilinear matches a float64 reference of crop + interpolate within float32 rounding (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: -2, max: 8 }), fc.integer({ min: -2, max: 8 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom("float32" as const, "float64" as const), fc.nat(),
      (c, h, w, top, left, bh, bw, oh, ow, dtype, seed) => {
        const x32 = batch(2, c, h, w, seed);
        const x = dtype === "float32" ? x32 : new Tensor(Float64Array.from(x32.data), "float64", x32.shape);
        const out = resizedCrop(x, top, left, bh, bw, [oh, ow]);
        expect(out.shape).toEqual([2, c, oh, ow]);
        // Each output is a convex combination of values in (0, 1): a few roundings of ≤ 1 each.
        const tol = (dtype === "float32" ? 2 ** -24 : 2 ** -53) * 8;
        for (let i = 0; i < 2; i++) {
          const ref = cropRef(image(x, i), top, left, bh, bw).map((p) => bilinearRef(p, oh, ow));
          const got = image(out, i);
          ref.forEach((p, ch) => p.forEach((row, y) => row.forEach((v, xx) => expect(Math.abs(got[ch][y][xx] - v)).toBeLessThanOrEqual(tol))));
        }
      }), { numRuns: 120 });
  });

  it("nearest picks pixel ⌊o·in/out⌋ of the crop, exactly (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 15 }), fc.nat(),
      (h, w, oh, ow, seed) => {
        const x = batch(1, 2, h, w, seed), out = image(resizedCrop(x, 0, 0, h, w, [oh, ow], "nearest"), 0), src = image(x, 0);
        // Powers of two and small sizes: the float32 scale is exact or rounds the same way here.
        const pick = (o: number, inSize: number, outSize: number) => Math.min(Math.floor(Math.fround(o * Math.fround(inSize / outSize))), inSize - 1);
        out.forEach((p, ch) => p.forEach((row, y) => row.forEach((v, xx) => expect(v).toBe(src[ch][pick(y, h, oh)][pick(xx, w, ow)]))));
      }), { numRuns: 80 });
  });

  it("equals PyTorch 1.13's interpolate of torchvision's crop, bit for bit in float32", () => {
    // From PyTorch 1.13: F.interpolate(crop(x, ...), size, mode="bilinear", align_corners=False,
    // antialias=False) on x = the img() test image, crop = torchvision 0.14's functional_tensor.crop.
    const x = img(1, 2, 5, 6);
    const a = [0.23333334922790527, 0.44476190209388733, 0.6609523892402649, 0.8049999475479126, 0.46809521317481995, 0.4919048249721527, 0.70333331823349, 0.5, 0.7114285826683044, 0.6871428489685059, 0.23000003397464752, 0.4942857325077057, 0.5421428680419922, 0.4649999439716339, 0.7666667103767395, 0.49714282155036926, 0.3526189923286438, 0.49666666984558105, 0.760952353477478, 0.5923808813095093, 0.2266666740179062, 0.22333332896232605, 0.4347619116306305, 0.6509523987770081, 0.7949999570846558, 0.4580951929092407, 0.4819048047065735, 0.6933333277702332, 0.4899999797344208, 0.7014285922050476, 0.677142858505249, 0.2200000286102295, 0.48428574204444885, 0.5321428775787354, 0.4549999535083771, 0.7566667199134827, 0.4871428310871124, 0.34261900186538696, 0.4866666793823242, 0.7509523630142212, 0.5823808908462524, 0.21666668355464935];
    expect(values(resizedCrop(x, 1, 0, 4, 5, [3, 7]))).toEqual(a);
    // A box partly outside the image (top −1, right past the edge): zeros there, as torchvision's crop pads.
    const b = [0.0, 0.0, 0.0, 0.3721667230129242, 0.29399996995925903, 0.0, 0.5475000143051147, 0.21749995648860931, 0.0, 0.6233333349227905, 0.044999998062849045, 0.0, 0.7633333206176758, 0.11499998718500137, 0.0, 0.0, 0.0, 0.0, 0.36516672372817993, 0.2904999852180481, 0.0, 0.5375000238418579, 0.2124999612569809, 0.0, 0.6133333444595337, 0.03999999910593033, 0.0, 0.753333330154419, 0.10999998450279236, 0.0];
    expect(values(resizedCrop(x, -1, 4, 4, 4, [5, 3]))).toEqual(b);
    // mode="nearest".
    const c = [0.3700000047683716, 0.7400000095367432, 0.10000000149011612, 0.3700000047683716, 0.7400000095367432, 0.10000000149011612, 0.5699999928474426, 0.9399999976158142, 0.30000001192092896, 0.7699999809265137, 0.12999999523162842, 0.5, 0.7699999809265137, 0.12999999523162842, 0.5, 0.9700000286102295, 0.33000001311302185, 0.699999988079071, 0.1599999964237213, 0.5299999713897705, 0.8999999761581421, 0.36000001430511475, 0.7300000190734863, 0.09000000357627869, 0.36000001430511475, 0.7300000190734863, 0.09000000357627869, 0.5600000023841858, 0.9300000071525574, 0.28999999165534973, 0.7599999904632568, 0.11999999731779099, 0.49000000953674316, 0.7599999904632568, 0.11999999731779099, 0.49000000953674316, 0.9599999785423279, 0.3199999928474426, 0.6899999976158142, 0.15000000596046448, 0.5199999809265137, 0.8899999856948853];
    expect(values(resizedCrop(x, 0, 1, 5, 4, [7, 3], "nearest"))).toEqual(c);
    // One channel: PyTorch takes its channels-last kernel (the sum in float64), from PyTorch 1.13:
    // F.interpolate(img(2, 1, 5, 6)[..., 0:5, 1:5].contiguous(), (3, 7), bilinear, align_corners=False).
    const d = [0.43666666746139526, 0.5688095092773438, 0.7802380919456482, 0.48666658997535706, 0.19309528172016144, 0.4045238792896271, 0.5366666913032532, 0.7699999809265137, 0.5414285063743591, 0.17571429908275604, 0.315000057220459, 0.5264286398887634, 0.7378571629524231, 0.8700000047683716, 0.43000009655952454, 0.44190478324890137, 0.4609523415565491, 0.6483333706855774, 0.7876189351081848, 0.42190462350845337, 0.19333331286907196, 0.4266666769981384, 0.5588095188140869, 0.7702381014823914, 0.47666656970977783, 0.1830952763557434, 0.39452388882637024, 0.5266667008399963, 0.7599999904632568, 0.5314285159111023, 0.1657143086194992, 0.30500003695487976, 0.5164286494255066, 0.7278571724891663, 0.8600000143051147, 0.4200000762939453, 0.43190479278564453, 0.45095235109329224, 0.6383333206176758, 0.777618944644928, 0.41190463304519653, 0.18333332240581512];
    expect(values(resizedCrop(img(2, 1, 5, 6), 0, 1, 5, 4, [3, 7]))).toEqual(d);
  });

  it("uint8 is resized in float32 and rounded half to even; float64 equals PyTorch's bit for bit; one size is the smaller edge", () => {
    // From PyTorch 1.13 / torchvision 0.14: interpolate(x.float(), (3, 8), bilinear).round().to(uint8).
    const xu = new Tensor(Uint8Array.from([0, 94, 189, 26, 120, 214, 51, 145, 240, 76, 171, 8, 102, 196, 33, 128, 222, 59, 153, 247]), "uint8", [1, 1, 4, 5]);
    const out = resizedCrop(xu, 0, 0, 4, 5, [3, 8]);
    expect(out.dtype).toBe("uint8");
    expect(values(out)).toEqual([36, 58, 93, 152, 144, 69, 90, 113, 192, 121, 35, 94, 153, 212, 126, 54, 135, 158, 179, 104, 96, 154, 189, 211]);
    // From PyTorch 1.13: F.interpolate(img(1, 1, 4, 5) in float64, (3, 7), bilinear, align_corners=False).
    const f = [0.13999999999999996, 0.2552380952380952, 0.44738095238095243, 0.7116666666666667, 0.3747619047619047, 0.3264285714285714, 0.44166666666666665, 0.755, 0.3892857142857143, 0.22071428571428572, 0.485, 0.7492857142857143, 0.5807142857142855, 0.215, 0.5283333333333334, 0.6435714285714285, 0.595238095238095, 0.2583333333333334, 0.5226190476190476, 0.7147619047619047, 0.8299999999999997];
    expect(values(resizedCrop(img(1, 1, 4, 5, "float64"), 0, 0, 4, 5, [3, 7]))).toEqual(f);
    // torchvision's resize with one number: the smaller edge 4 → 3, the longer int(3·6/4) = 4.
    expect(resizedCrop(img(1, 1, 5, 6), 0, 0, 4, 6, 3).shape).toEqual([1, 1, 3, 4]);
    expect(resizedCrop(img(1, 1, 6, 5), 0, 0, 6, 4, [3]).shape).toEqual([1, 1, 4, 3]);
  });

  it("the same size is the identity, and the input is never written", () => {
    const x = batch(3, 2, 4, 5), before = values(x);
    expect(values(resizedCrop(x, 0, 0, 4, 5, [4, 5]))).toEqual(before);
    expect(values(resizedCrop(x, 0, 0, 4, 5, [4, 5], "nearest"))).toEqual(before);
    expect(values(x)).toEqual(before);
  });

  it("refuses bad arguments with typed errors", () => {
    const x = batch(1, 1, 4, 4);
    expect(() => resizedCrop(x, 0.5, 0, 2, 2, 2)).toThrow(/resizedCrop: top must be an integer, got 0.5/);
    expect(() => resizedCrop(x, 0, 0, 0, 2, 2)).toThrow(/resizedCrop: height must be a positive integer, got 0/);
    expect(() => resizedCrop(x, 0, 0, 2, 2, [2, 0])).toThrow(/resizedCrop: size must be a positive integer or \[height, width\], got \[2,0\]/);
    expect(() => resizedCrop(x, 0, 0, 2, 2, 2, "bicubic" as never)).toThrow(/interpolation must be "bilinear" or "nearest", got "bicubic"/);
    expect(() => resizedCrop(new Tensor(new Float32Array(4), "float32", [1, 4]), 0, 0, 1, 1, 1)).toThrow(ShapeError);
  });
});

describe("randomResizedCrop", () => {
  it("crops torchvision's box, drawn in its order, and resizes it (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }),
      fc.constantFrom([0.08, 1], [0.5, 0.5], [1.5, 2]), fc.constantFrom([3 / 4, 4 / 3], [0.2, 0.3], [3, 5]),
      fc.constantFrom("bilinear" as const, "nearest" as const), fc.nat(),
      (n, h, w, oh, ow, scale, ratio, interpolation, seed) => {
        const x = batch(n, 2, h, w, seed);
        const out = randomResizedCrop([oh, ow], { scale: scale as [number, number], ratio: ratio as [number, number], interpolation })(x, new Rng(seed));
        const g = new Rng(seed);
        for (let i = 0; i < n; i++) {
          const [top, left, bh, bw] = boxRef(g, h, w, scale, ratio);
          expect(top >= 0 && left >= 0 && top + bh <= h && left + bw <= w).toBe(true);
          expect(values(one(out, i))).toEqual(values(resizedCrop(one(x, i), top, left, bh, bw, [oh, ow], interpolation)));
        }
      }), { numRuns: 100 });
  });

  it("the whole image at scale [1, 1] and the image's ratio is the identity at its own size; a scale too large falls back to the center", () => {
    const x = batch(3, 2, 4, 6);
    expect(values(randomResizedCrop([4, 6], { scale: [1, 1], ratio: [1.5, 1.5] })(x, new Rng(1)))).toEqual(values(x));
    // Area 2–3 times the image never fits: the central crop, width clamped to ratio 1 → 4×4 at left 1.
    const out = randomResizedCrop(4, { scale: [2, 3], ratio: [1, 1] })(x, new Rng(1));
    expect(values(out)).toEqual(values(resizedCrop(x, 0, 1, 4, 4, [4, 4])));
  });

  it("keeps the contract and the requested size on float32, float64 and uint8", () => {
    contract(randomResizedCrop(5), batch(4, 3, 8, 6), [4, 3, 5, 5]);
    contract(randomResizedCrop([3, 7], { interpolation: "nearest" }), img(2, 1, 6, 6, "float64"), [2, 1, 3, 7]);
    contract(randomResizedCrop([6, 6]), bytes(3, 3, 6, 6));
  });

  it("refuses bad options with typed errors", () => {
    expect(() => randomResizedCrop(0)).toThrow(/randomResizedCrop: size must be a positive integer or \[height, width\], got 0/);
    expect(() => randomResizedCrop(4, { scale: [1, 0.5] })).toThrow(/randomResizedCrop: scale must be \[min, max\] with min ≤ max/);
    expect(() => randomResizedCrop(4, { ratio: [-1, 2] })).toThrow(/ratio must be \[min, max\] with min ≤ max, both > 0/);
    expect(() => randomResizedCrop(4, { interpolation: "area" as never })).toThrow(/interpolation must be "bilinear" or "nearest"/);
    expect(() => randomResizedCrop(4, { antialias: true } as never)).toThrow(/unknown option "antialias"/);
    expect(() => randomResizedCrop(4)(batch(1, 1, 0, 3))).toThrow(/have no pixels to crop/);
  });
});

describe("adjustBrightness, adjustContrast, colorJitter", () => {
  /** float64 reference of torchvision's _blend with a constant, clamped to [0, 1]. */
  const blendRef = (v: number, ratio: number, other: number) => Math.min(Math.max(ratio * v + (1 - ratio) * other, 0), 1);
  const grayMeanRef = (im: number[][][]) => {
    const c = im.length, plane = im[0].length * im[0][0].length;
    let sum = 0;
    for (let y = 0; y < im[0].length; y++) for (let x = 0; x < im[0][0].length; x++) sum += c === 1 ? im[0][y][x] : 0.2989 * im[0][y][x] + 0.587 * im[1][y][x] + 0.114 * im[2][y][x];
    return sum / plane;
  };

  it("match float64 references of torchvision's formulas within float32 rounding (fuzzed)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 3), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }),
      fc.double({ min: 0, max: 3, noNaN: true }), fc.nat(),
      (n, c, h, w, factor, seed) => {
        const x = batch(n, c, h, w, seed);
        const bright = adjustBrightness(x, factor), contrast = adjustContrast(x, factor);
        for (let i = 0; i < n; i++) {
          const im = image(x, i), mean = grayMeanRef(im), b = image(bright, i), k = image(contrast, i);
          // A few float32 roundings of values ≤ 3 (the factor times a value < 1, plus the mean term).
          const tol = 16 * 2 ** -24 * (1 + factor);
          im.forEach((p, ch) => p.forEach((row, y) => row.forEach((v, xx) => {
            expect(Math.abs(b[ch][y][xx] - blendRef(v, factor, 0))).toBeLessThanOrEqual(tol);
            expect(Math.abs(k[ch][y][xx] - blendRef(v, factor, mean))).toBeLessThanOrEqual(tol);
          })));
        }
      }), { numRuns: 80 });
  });

  it("equal PyTorch 1.13's evaluation of torchvision 0.14's formulas (float32 and uint8)", () => {
    // From PyTorch 1.13, torchvision 0.14's functional_tensor.adjust_brightness / adjust_contrast
    // (with _blend and rgb_to_grayscale) written out, on the img() test image.
    const x3 = img(2, 3, 2, 3);
    expect(values(adjustBrightness(x3, 1.7))).toEqual([0.0, 0.6290000081062317, 1.0, 0.17000000178813934, 0.7990000247955322, 1.0, 0.3400000035762787, 0.9690000414848328, 1.0, 0.5100000500679016, 1.0, 0.050999999046325684, 0.6800000071525574, 1.0, 0.22100000083446503, 0.8500000238418579, 1.0, 0.39100003242492676, 1.0, 1.0, 0.5610000491142273, 1.0, 0.10199999809265137, 0.7310000061988831, 1.0, 0.2720000147819519, 0.9009999632835388, 1.0, 0.44200000166893005, 1.0, 1.0, 0.612000048160553, 1.0, 0.15300001204013824, 0.7820000648498535, 1.0]);
    const h = [0.3120364248752594, 0.4230364263057709, 0.5340364575386047, 0.3420364260673523, 0.45303642749786377, 0.5640364289283752, 0.3720364272594452, 0.48303642868995667, 0.5940364599227905, 0.4020364284515381, 0.5130364298820496, 0.3210364282131195, 0.432036429643631, 0.5430364608764648, 0.3510364294052124, 0.4620364308357239, 0.5730364322662354, 0.3810364305973053, 0.5585298538208008, 0.6695297956466675, 0.4775298237800598, 0.5885298252105713, 0.39652982354164124, 0.5075298547744751, 0.6185297966003418, 0.42652982473373413, 0.5375298261642456, 0.6485298275947571, 0.456529825925827, 0.5675297975540161, 0.6785298585891724, 0.4865298271179199, 0.5975298285484314, 0.40552982687950134, 0.5165297985076904, 0.6275297999382019];
    const i = [0.0, 0.3093869388103485, 0.9753869771957397, 0.0, 0.4893868863582611, 1.0, 0.0033869147300720215, 0.6693868637084961, 1.0, 0.18338695168495178, 0.8493869304656982, 0.0, 0.3633868992328644, 1.0, 0.0, 0.5433869361877441, 1.0, 0.057386934757232666, 0.6473945379257202, 1.0, 0.16139447689056396, 0.8273944854736328, 0.0, 0.34139448404312134, 1.0, 0.0, 0.5213944315910339, 1.0, 0.03539445996284485, 0.7013944387435913, 1.0, 0.2153944969177246, 0.8813945055007935, 0.0, 0.395394504070282, 1.0];
    // PyTorch's float32 mean may sum in another order: allow one rounding of the mean term.
    const near = (got: number[], want: number[]) => got.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThanOrEqual(2 ** -23));
    near(values(adjustContrast(x3, 0.3)), h);
    near(values(adjustContrast(x3, 1.8)), i);
    near(values(adjustContrast(img(1, 1, 2, 3), 0.5)), [0.20999999344348907, 0.39499998092651367, 0.5799999833106995, 0.25999999046325684, 0.4449999928474426, 0.6299999952316284]);
    const xu = new Tensor(Uint8Array.from([0, 94, 189, 26, 120, 214, 51, 145, 240, 76, 171, 8]), "uint8", [1, 3, 2, 2]);
    expect(values(adjustBrightness(xu, 1.3))).toEqual([0, 122, 245, 33, 156, 255, 66, 188, 255, 98, 222, 10]);
    expect(values(adjustContrast(xu, 0.6))).toEqual([45, 102, 159, 61, 117, 174, 76, 132, 189, 91, 148, 50]);
    expect(adjustContrast(xu, 0.6).dtype).toBe("uint8");
  });

  it("factor 1 is the identity, 0 gives black or the gray mean", () => {
    const x = batch(2, 3, 3, 3);
    expect(values(adjustBrightness(x, 1))).toEqual(values(x));
    expect(values(adjustContrast(x, 1))).toEqual(values(x));
    expect(values(adjustBrightness(x, 0)).every((v) => v === 0)).toBe(true);
    const gray = adjustContrast(x, 0);
    for (let i = 0; i < 2; i++) expect(new Set(values(one(gray, i))).size).toBe(1);
  });

  it("colorJitter draws a factor per image within its range, in a per-image order", () => {
    const x = batch(40, 1, 3, 3);
    // Brightness alone: every image is adjustBrightness of itself by one factor in [0.5, 1.5].
    const out = colorJitter({ brightness: 0.5 })(x, new Rng(2));
    const factors = new Set<number>();
    for (let i = 0; i < 40; i++) {
      // The factor, from the image's darkest pixel (never clamped at 1: 1.5 · 0.05 < 1).
      const darkest = values(one(x, i)).reduce((best, v, k, all) => (v < all[best] ? k : best), 0);
      const f = out.data[9 * i + darkest] / x.data[9 * i + darkest];
      expect(f).toBeGreaterThanOrEqual(0.5 - 1e-6);
      expect(f).toBeLessThanOrEqual(1.5 + 1e-6);
      values(one(out, i)).forEach((v, k) => expect(Math.abs(v - Math.min(1, f * x.data[9 * i + k]))).toBeLessThanOrEqual(1e-6));
      factors.add(Math.round(f * 1e4));
    }
    expect(factors.size).toBeGreaterThan(30);
    // A range of one factor is adjustBrightness / adjustContrast; both, in either order per image.
    expect(values(colorJitter({ brightness: [0.7, 0.7] })(x, new Rng(1)))).toEqual(values(adjustBrightness(x, 0.7)));
    expect(values(colorJitter({ contrast: [1.4, 1.4] })(x, new Rng(1)))).toEqual(values(adjustContrast(x, 1.4)));
    const both = colorJitter({ brightness: [0.6, 0.6], contrast: [1.5, 1.5] })(x, new Rng(1));
    const bc = adjustContrast(adjustBrightness(x, 0.6), 1.5), cb = adjustBrightness(adjustContrast(x, 1.5), 0.6);
    let orders = 0;
    for (let i = 0; i < 40; i++) {
      const got = JSON.stringify(values(one(both, i)));
      const first = got === JSON.stringify(values(one(bc, i))), second = got === JSON.stringify(values(one(cb, i)));
      expect(first || second).toBe(true);
      orders += first ? 1 : 0;
    }
    expect(orders).toBeGreaterThan(5);
    expect(orders).toBeLessThan(35);
    expect(values(colorJitter()(x, new Rng(1)))).toEqual(values(x));
  });

  it("colorJitter keeps the contract on float32, float64 and uint8", () => {
    contract(colorJitter({ brightness: 0.4, contrast: 0.4 }), batch(4, 3, 4, 4));
    contract(colorJitter({ brightness: 0.4, contrast: [0.5, 2] }), img(3, 1, 4, 4, "float64"));
    contract(colorJitter({ brightness: 0.4, contrast: 0.4 }), bytes(3, 3, 4, 4));
  });

  it("refuses bad factors, options, dtypes and channel counts with typed errors", () => {
    const x = batch(1, 3, 2, 2);
    expect(() => adjustBrightness(x, -0.1)).toThrow(/adjustBrightness: factor must be a finite number ≥ 0, got -0.1/);
    expect(() => adjustContrast(x, NaN)).toThrow(ValueError);
    expect(() => adjustBrightness(batch(1, 2, 2, 2), 1)).toThrow(ShapeError);
    expect(() => adjustContrast(batch(1, 4, 2, 2), 1)).toThrow(/adjustContrast: expected 1 or 3 channels, got 4/);
    expect(() => adjustBrightness(new Tensor(new Int32Array(4), "int32", [1, 1, 2, 2]), 1)).toThrow(DTypeError);
    expect(() => colorJitter({ brightness: -1 })).toThrow(/colorJitter: brightness must be a finite number ≥ 0 or \[min, max\] with 0 ≤ min ≤ max, got -1/);
    expect(() => colorJitter({ contrast: [2, 1] })).toThrow(/colorJitter: contrast must be/);
    expect(() => colorJitter({ gamma: 0.2 } as never)).toThrow(/unknown option "gamma"/);
    expect(() => colorJitter({ brightness: 0.2 })(batch(1, 2, 2, 2))).toThrow(ShapeError);
  });
});

describe("fit with the new transforms", () => {
  it("accepts a composed pipeline of them and trains reproducibly", async () => {
    const rng = new Rng(1), n = 16;
    const x = new Tensor(Float32Array.from({ length: n * 3 * 6 * 6 }, () => rng.uniform()), "float32", [n, 3, 6, 6]);
    const y = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 2), "int32", [n]);
    const aug = compose([
      randomResizedCrop(6, { scale: [0.5, 1] }), randomHorizontalFlip(), randomVerticalFlip(),
      colorJitter({ brightness: 0.2, contrast: 0.2 }), normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]), randomErasing(),
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
