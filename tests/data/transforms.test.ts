// data.transforms on NCHW batches, checked by invariants against references written here: every
// crop is a window of the padded image (built here in float64) at an offset in range, the
// offsets of a batch cover the range uniformly, flips are exact mirrors or copies, normalize
// matches (x − mean[c]) / std[c] in float64; seeded; and fit applies a transform to training
// batches only, reproducibly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, manualSeed, nn, optim, Rng, Tensor, ShapeError, ValueError } from "../../src/index.js";
import { expectClose, roundTol } from "../support/reference.js";

const { compose, normalize, randomCrop, randomHorizontalFlip } = data.transforms;

/** [n, c, h, w] float32 with values distinct across the whole batch and never 0 (the default fill). */
function batch(n: number, c: number, h: number, w: number, seed = 1): Tensor {
  const rng = new Rng(seed);
  const d = Float32Array.from({ length: n * c * h * w }, (_, i) => i + 1 + 0.5 * rng.uniform());
  return new Tensor(d, "float32", [n, c, h, w]);
}

/** Image i of an [n, c, h, w] tensor as float64 [c][h][w]. */
function image(t: Tensor, i: number): number[][][] {
  const [, c, h, w] = t.shape;
  const d = t.data;
  return Array.from({ length: c }, (_, ch) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => d[((i * c + ch) * h + y) * w + x])));
}

/** The image padded by [left, top, right, bottom] with `fill`, written independently of the code under test. */
function padded(img: number[][][], [l, t, r, b]: number[], fill: number): number[][][] {
  return img.map((plane) => {
    const w = plane[0].length + l + r;
    const rows = plane.map((row) => [...new Array(l).fill(fill), ...row, ...new Array(r).fill(fill)]);
    return [...Array.from({ length: t }, () => new Array(w).fill(fill)), ...rows, ...Array.from({ length: b }, () => new Array(w).fill(fill))];
  });
}

/** Every offset (top, left) at which the window of `pad` equals `out` in every channel. */
function offsetsOf(out: number[][][], pad: number[][][]): [number, number][] {
  const th = out[0].length, tw = out[0][0].length;
  const found: [number, number][] = [];
  for (let top = 0; top + th <= pad[0].length; top++) {
    for (let left = 0; left + tw <= pad[0][0].length; left++) {
      if (out.every((plane, ch) => plane.every((row, y) => row.every((v, x) => v === pad[ch][top + y][left + x])))) found.push([top, left]);
    }
  }
  return found;
}

const sides = (p: number | number[]): number[] =>
  typeof p === "number" ? [p, p, p, p] : p.length === 2 ? [p[0], p[1], p[0], p[1]] : p;

describe("randomCrop", () => {
  it("every output image is a window of its padded image, the same offset for all channels (fuzzed)", () => {
    const padArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }));
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), padArb,
      fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, -7), fc.nat(),
      (n, c, h, w, padding, fh, fw, fill, seed) => {
        const [l, t, r, b] = sides(padding as number | number[]);
        const th = 1 + Math.floor(fh * (h + t + b - 1)), tw = 1 + Math.floor(fw * (w + l + r - 1));
        const x = batch(n, c, h, w, seed);
        const out = randomCrop([th, tw], { padding: padding as number, fill })(x, new Rng(seed));
        expect([out.shape, out.dtype]).toEqual([[n, c, th, tw], "float32"]);
        for (let i = 0; i < n; i++) {
          const pad = padded(image(x, i), [l, t, r, b], fill);
          expect(offsetsOf(image(out, i), pad).length).toBeGreaterThan(0);
        }
      },
    ), { numRuns: 150 });
  });

  it("offsets are drawn per image and cover the range uniformly", () => {
    // 4×4 distinct values padded by 2: each of the 5×5 offsets gives a different window.
    const n = 2000, x = batch(n, 1, 4, 4, 3);
    const out = randomCrop(4, { padding: 2 })(x, new Rng(11));
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const found = offsetsOf(image(out, i), padded(image(x, i), [2, 2, 2, 2], 0));
      expect(found.length).toBe(1);
      counts.set(String(found[0]), (counts.get(String(found[0])) ?? 0) + 1);
    }
    expect(counts.size).toBe(25);
    // 80 expected per offset, standard deviation ≈ 8.8: a 5σ band.
    for (const k of counts.values()) expect(Math.abs(k - 80)).toBeLessThan(44);
  });

  it("without padding crops inside the image; a crop of the full size is the identity", () => {
    const x = batch(6, 2, 5, 7);
    const out = randomCrop([3, 4])(x, new Rng(2));
    for (let i = 0; i < 6; i++) expect(offsetsOf(image(out, i), image(x, i)).length).toBe(1);
    expect(Array.from(randomCrop([5, 7])(x, new Rng(2)).data)).toEqual(Array.from(x.data));
  });

  it("keeps integer dtypes (raw uint8 pixels)", () => {
    const x = new Tensor(Uint8Array.from({ length: 2 * 9 }, (_, i) => 10 + i), "uint8", [2, 1, 3, 3]);
    const out = randomCrop(3, { padding: 1 })(x, new Rng(5));
    expect(out.dtype).toBe("uint8");
    for (let i = 0; i < 2; i++) expect(offsetsOf(image(out, i), padded(image(x, i), [1, 1, 1, 1], 0)).length).toBeGreaterThan(0);
  });

  it("refuses bad arguments with typed errors naming them", () => {
    expect(() => randomCrop(4, { padding: 1, paddingMode: "wrap" } as never)).toThrow(/paddingMode must be "constant", "edge", "reflect" or "symmetric", got "wrap"/);
    expect(() => randomCrop(4, { pad: 1 } as never)).toThrow(/unknown option "pad"/);
    expect(() => randomCrop(0)).toThrow(/size must be a positive integer or \[height, width\], got 0/);
    expect(() => randomCrop([2, 2, 2] as never)).toThrow(ValueError);
    expect(() => randomCrop(2, { padding: -1 })).toThrow(/padding must be .* got -1/);
    expect(() => randomCrop(2, { padding: [1, 2, 3] })).toThrow(/got \[1,2,3\]/);
    expect(() => randomCrop(2, { fill: NaN })).toThrow(/fill must be a finite number/);
    const crop = randomCrop(6, { padding: 1 });
    expect(() => crop(batch(2, 1, 3, 3), new Rng(1))).toThrow(ShapeError);
    expect(() => crop(batch(2, 1, 3, 3), new Rng(1))).toThrow(/crop 6×6 is larger than the padded image 5×5/);
    expect(() => crop(new Tensor(new Float32Array(9), "float32", [1, 3, 3]), new Rng(1))).toThrow(/expected a batch \[N, C, H, W\], got \[1,3,3\]/);
  });
});

describe("randomHorizontalFlip", () => {
  const mirror = (img: number[][][]) => img.map((plane) => plane.map((row) => [...row].reverse()));

  it("each image is its exact mirror or an exact copy; about p of them are mirrored", () => {
    for (const p of [0, 0.3, 0.5, 1]) {
      const n = 1000, x = batch(n, 2, 3, 4, 7);
      const out = randomHorizontalFlip({ p })(x, new Rng(8));
      let flipped = 0;
      for (let i = 0; i < n; i++) {
        const got = image(out, i), src = image(x, i);
        const isMirror = JSON.stringify(got) === JSON.stringify(mirror(src));
        expect(isMirror || JSON.stringify(got) === JSON.stringify(src)).toBe(true);
        flipped += isMirror ? 1 : 0;
      }
      // Binomial(1000, p): standard deviation ≤ 16; a 5σ band (exact at p = 0 and 1).
      expect(Math.abs(flipped - p * n)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)));
    }
  });

  it("refuses p outside [0, 1] and unknown options", () => {
    expect(() => randomHorizontalFlip({ p: 1.5 })).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => randomHorizontalFlip({ prob: 0.5 } as never)).toThrow(/unknown option "prob"/);
  });
});

describe("normalize", () => {
  it("(x − mean[c]) / std[c] per channel, against float64 (fuzzed)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), fc.nat(), (n, c, perChannel, f64, seed) => {
      const rng = new Rng(seed);
      const mean = Array.from({ length: perChannel ? c : 1 }, () => rng.normal());
      const std = Array.from({ length: perChannel ? c : 1 }, () => 0.1 + rng.uniform());
      const x32 = batch(n, c, 2, 3, seed);
      const x = f64 ? new Tensor(Float64Array.from(x32.data), "float64", x32.shape) : x32;
      const out = normalize(perChannel ? mean : mean[0], perChannel ? std : std[0])(x);
      expect([out.shape, out.dtype]).toEqual([[n, c, 2, 3], f64 ? "float64" : "float32"]);
      for (let k = 0; k < out.size; k++) {
        const ch = Math.floor(k / 6) % c, j = perChannel ? ch : 0;
        const want = (x.data[k] - mean[j]) / std[j];
        expectClose(out.data[k], want, roundTol(out, want), `element ${k}`);
      }
    }), { numRuns: 60 });
  });

  it("integer batches give float32; mismatched channel counts and a zero std are refused", () => {
    const x = new Tensor(Uint8Array.of(0, 255, 51, 102), "uint8", [1, 2, 1, 2]);
    expect(Array.from(normalize([0, 51], [255, 51])(x).data)).toEqual([0, 1, 0, 1]);
    expect(() => normalize([0, 0, 0], 1)(x)).toThrow(/mean has 3 values for a batch of 2 channels/);
    expect(() => normalize(0, 0)).toThrow(/std\[0\] is 0/);
    expect(() => normalize([], 1)).toThrow(/mean must be a finite number or a non-empty array/);
    expect(() => normalize(0, 1)(new Tensor(new Float32Array(4), "float32", [4]))).toThrow(ShapeError);
  });
});

describe("seeding and compose", () => {
  const t = compose([randomCrop(5, { padding: 2 }), randomHorizontalFlip(), normalize([0.5, 1], [2, 3])]);
  const x = batch(16, 2, 5, 5, 4);

  it("the same seed gives the same bits, another seed other crops and flips", () => {
    const a = Array.from(t(x, new Rng(1)).data);
    expect(Array.from(t(x, new Rng(1)).data)).toEqual(a);
    expect(Array.from(t(x, new Rng(2)).data)).not.toEqual(a);
    // Without an rng, the global generator decides: manualSeed makes it repeatable.
    manualSeed(1);
    expect(Array.from(t(x).data)).toEqual(a);
  });

  it("applies its transforms in order on one generator, and checks its argument", () => {
    const rng = new Rng(3), parts = new Rng(3);
    const composed = compose([randomCrop(3, { padding: 1 }), randomHorizontalFlip({ p: 0.5 })])(x, rng);
    const stepwise = randomHorizontalFlip({ p: 0.5 })(randomCrop(3, { padding: 1 })(x, parts), parts);
    expect(Array.from(composed.data)).toEqual(Array.from(stepwise.data));
    expect(Array.from(compose([])(x, rng).data)).toEqual(Array.from(x.data));
    expect(() => compose([randomHorizontalFlip(), 3 as never])).toThrow(/transforms\[1\] is number/);
    expect(() => compose(randomHorizontalFlip() as never)).toThrow(/expected an array/);
  });
});

/** Images whose label is decided by which half is brighter, and a small model for them. */
function halves(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed), hw = 6;
  const x = new Float32Array(n * hw * hw), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let r = 0; r < hw; r++) for (let c = 0; c < hw; c++) x[i * 36 + r * hw + c] = ((c < 3) === (y[i] === 0) ? 1 : 0) + 0.3 * rng.normal();
  }
  return { x: new Tensor(x, "float32", [n, 1, hw, hw]), y: new Tensor(y, "int32", [n]) };
}
const model = (s: number) => new nn.Sequential(new nn.Flatten(), new nn.Linear(36, 8, { seed: s }), new nn.ReLU(), new nn.Linear(8, 2, { seed: s + 1 }));
const bits = (m: nn.Module) => m.parameters().map((p) => Array.from(p.data));

describe("fit with a transform", () => {
  const { x, y } = halves(48, 1);
  const aug = compose([randomCrop(6, { padding: 1 }), randomHorizontalFlip()]);
  const opts = (extra: Partial<nn.FitOptions> = {}): nn.FitOptions => ({ loss: "crossEntropy", optimizer: "adam", epochs: 2, batchSize: 8, seed: 5, transform: aug, ...extra });

  it("same seed, same weights; the transform changes training; another seed other weights", async () => {
    const a = model(1), b = model(1), plain = model(1), other = model(1);
    await nn.fit(a, x, y, opts());
    await nn.fit(b, x, y, opts());
    await nn.fit(plain, x, y, opts({ transform: undefined }));
    await nn.fit(other, x, y, opts({ seed: 6 }));
    expect(bits(b)).toEqual(bits(a));
    expect(bits(plain)).not.toEqual(bits(a));
    expect(bits(other)).not.toEqual(bits(a));
  });

  it("sees training rows only, with the run's generator; validation is never transformed", async () => {
    // Each image is filled with its row number, so a batch names the rows it holds.
    const n = 20, ids = new Tensor(Float32Array.from({ length: n * 36 }, (_, k) => Math.floor(k / 36)), "float32", [n, 1, 6, 6]);
    const labels = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 2), "int32", [n]);
    const seen = new Set<number>();
    const gens = new Set<Rng | undefined>();
    // Flipping the sign would change every loss the model computes on these inputs.
    const spy = (b: Tensor, rng?: Rng) => { for (let i = 0; i < b.shape[0]; i++) seen.add(b.data[i * 36]); gens.add(rng); return b.neg(); };
    const m = model(3);
    const h = await nn.fit(m, ids, labels, { loss: "crossEntropy", optimizer: "sgd", epochs: 2, batchSize: 4, seed: 1, validationSplit: 0.25, transform: spy });
    expect([...seen].sort((p, q) => p - q)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(gens.size).toBe(2); // the trial's throwaway generator and the run's
    const xv = new Tensor(ids.data.slice(15 * 36), "float32", [5, 1, 6, 6]), yv = new Tensor(labels.data.slice(15), "int32", [5]);
    const asGiven = nn.evaluate(m, xv, yv, { loss: "crossEntropy" }).loss;
    expect(h.history.val_loss[1]).toBe(asGiven);
    expect(nn.evaluate(m, xv.neg(), yv, { loss: "crossEntropy" }).loss).not.toBeCloseTo(asGiven, 3);
  });

  it("a transform that is not a function or changes the shape is refused before anything changes", async () => {
    const m = model(2), before = bits(m);
    await expect(nn.fit(m, x, y, opts({ transform: 3 as never }))).rejects.toThrow(/transform must be a function/);
    await expect(nn.fit(m, x, y, opts({ transform: randomCrop(4) }))).rejects.toThrow(/transform turned a batch \[1,1,6,6\] into \[1,1,4,4\] at a trial on the first row/);
    await expect(nn.fit(m, x.reshape([48, 36]), y, opts({ transform: randomHorizontalFlip() }))).rejects.toThrow(/expected a batch \[N, C, H, W\], got \[1,36\]/);
    expect(bits(m)).toEqual(before);
  });

  it("a run resumed from a checkpoint continues the transform's draws bit for bit", async () => {
    manualSeed(4);
    const a = model(7), optA = new optim.Adam(a.parameters(), { lr: 0.01 });
    await nn.fit(a, x, y, opts({ optimizer: optA, epochs: 4, seed: undefined }));
    manualSeed(4);
    const b = model(7), optB = new optim.Adam(b.parameters(), { lr: 0.01 });
    await nn.fit(b, x, y, opts({ optimizer: optB, epochs: 2, seed: undefined }));
    const bytes = nn.saveCheckpoint({ model: b, optimizer: optB, epoch: 2 });
    manualSeed(99);
    const c = model(20), optC = new optim.Adam(c.parameters(), { lr: 0.01 });
    nn.loadCheckpoint(bytes, { model: c, optimizer: optC });
    await nn.fit(c, x, y, opts({ optimizer: optC, epochs: 4, initialEpoch: 2, seed: undefined }));
    expect(bits(c)).toEqual(bits(a));
  });
});
