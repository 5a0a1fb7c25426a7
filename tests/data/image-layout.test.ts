// Image data sets in NCHW ([n, 1, h, w]) and the data helpers on tensors of more than two
// dimensions: rows are the first axis, whatever the per-row shape.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { Rng, Tensor } from "../../src/ndarray/index.js";
import { batches, digits, loadFashionMnist, minMaxScale, standardize, takeRows, trainTestSplit } from "../../src/data/index.js";
import { crossValidate, kFold } from "../../src/select/index.js";
import { digits as digitsEntry } from "../../src/datasets.js";
import { expectClose, roundTol } from "../support/reference.js";

const idx = (magic: number, dims: number[], body: Uint8Array) => {
  const head = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, magic | (dims.length & 0xff));
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return gzipSync(out);
};

/** A miniature Fashion-MNIST directory: n train and m test images of h×w distinct bytes. */
function miniature(n: number, m: number, h: number, w: number): { dir: string; pixels: Uint8Array } {
  const pixels = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 37 + 11) % 256);
  const dir = mkdtempSync(join(tmpdir(), "edgegrad-nchw-"));
  const labels = (k: number) => Uint8Array.from({ length: k }, (_, i) => i % 10);
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), idx(0x0800, [n, h, w], pixels));
  writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), idx(0x0800, [n], labels(n)));
  writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), idx(0x0800, [m, h, w], pixels.subarray(0, m * h * w)));
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), idx(0x0800, [m], labels(m)));
  return { dir, pixels };
}

/** Image i, pixel (r, c) of an [n, 1, h, w] tensor, read through its shape (not its flat data). */
const pixelAt = (x: Tensor, i: number, r: number, c: number) => (x.toArray() as number[][][][])[i][0][r][c];

describe("loadFashionMnist with layout", () => {
  it('"nchw" gives [n, 1, rows, cols] with the flat loader\'s values, scaled or raw', async () => {
    const { dir, pixels } = miniature(3, 2, 4, 5);
    const flat = await loadFashionMnist(dir);
    const nchw = await loadFashionMnist(dir, { layout: "nchw" });
    expect([nchw.train.x.shape, nchw.test.x.shape, nchw.train.x.dtype]).toEqual([[3, 1, 4, 5], [2, 1, 4, 5], "float32"]);
    expect(Array.from(nchw.train.x.data)).toEqual(Array.from(flat.train.x.data));
    expect(Array.from(nchw.train.y.data)).toEqual([0, 1, 2]);
    for (const [i, r, c] of [[0, 0, 0], [1, 2, 3], [2, 3, 4]]) {
      expect(pixelAt(nchw.train.x, i, r, c)).toBe(Math.fround(pixels[i * 20 + r * 5 + c] / 255));
    }
    const raw = await loadFashionMnist(dir, { layout: "nchw", normalize: false });
    expect([raw.train.x.dtype, raw.train.x.shape]).toEqual(["uint8", [3, 1, 4, 5]]);
    expect(pixelAt(raw.train.x, 2, 1, 3)).toBe(pixels[2 * 20 + 1 * 5 + 3]);
    expect((await loadFashionMnist(dir, { layout: "flat" })).train.x.shape).toEqual([3, 20]);
  });

  it("a bad layout, or layout with flatten, is a ValueError naming the value, before any file is read", async () => {
    await expect(loadFashionMnist("/nonexistent", { layout: "nhwc" } as never)).rejects.toThrow(ValueError);
    await expect(loadFashionMnist("/nonexistent", { layout: "nhwc" } as never)).rejects.toThrow(/layout must be "flat" or "nchw", got "nhwc"/);
    await expect(loadFashionMnist("/nonexistent", { layout: 4 } as never)).rejects.toThrow(/got 4/);
    await expect(loadFashionMnist("/nonexistent", { layout: "nchw", flatten: false })).rejects.toThrow(/layout \("nchw"\) or flatten \(false\), not both/);
  });
});

describe("digits with layout", () => {
  it('"nchw" gives [1797, 1, 8, 8]: pixel (r, c) of image i is column 8r + c of the flat set', () => {
    const flat = digits();
    const img = digits({ layout: "nchw" });
    expect([img.x.shape, img.y.shape, img.x.dtype]).toEqual([[1797, 1, 8, 8], [1797], "float32"]);
    expect(Array.from(img.y.data)).toEqual(Array.from(flat.y.data));
    const nested = img.x.toArray() as number[][][][];
    for (const i of [0, 1, 900, 1796]) {
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) expect(nested[i][0][r][c]).toBe(flat.x.data[i * 64 + r * 8 + c]);
    }
    expect(digitsEntry({ layout: "nchw" }).x.shape).toEqual([1797, 1, 8, 8]);
    expect(digits({ layout: "flat" }).x.shape).toEqual([1797, 64]);
  });

  it("options are checked", () => {
    expect(() => digits({ layout: "NCHW" } as never)).toThrow(/digits: layout must be "flat" or "nchw", got "NCHW"/);
    expect(() => digits({ shape: "nchw" } as never)).toThrow(/unknown option "shape"/);
  });
});

/** [n, c, h, w] float32 images with distinct values, and their labels. */
function images(n: number, c: number, h: number, w: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: n * c * h * w }, () => 3 * rng.normal() + 1);
  return { x: new Tensor(data, "float32", [n, c, h, w]), y: new Tensor(Int32Array.from({ length: n }, (_, i) => i % 3), "int32", [n]) };
}
const rowOf = (x: Tensor, i: number) => Array.from(x.data.subarray(i * (x.size / x.shape[0]), (i + 1) * (x.size / x.shape[0])));

describe("the data helpers on [n, c, h, w] tensors", () => {
  const { x, y } = images(12, 2, 3, 4, 1);

  it("trainTestSplit and takeRows keep whole images, with their labels", () => {
    const s = trainTestSplit(x, y, { testSize: 4, seed: 2 });
    expect([s.xTrain.shape, s.xTest.shape, s.yTest.shape]).toEqual([[8, 2, 3, 4], [4, 2, 3, 4], [4]]);
    s.testIndex.forEach((r, i) => {
      expect(rowOf(s.xTest, i)).toEqual(rowOf(x, r));
      expect(s.yTest.data[i]).toBe(y.data[r]);
    });
    const strat = trainTestSplit(x, y, { testSize: 3, seed: 2, stratify: true });
    expect(Array.from(strat.yTest.data).sort()).toEqual([0, 1, 2]);
    expect(takeRows(x, [5, 0]).shape).toEqual([2, 2, 3, 4]);
  });

  it("batches yields [b, c, h, w] slices of the shuffled rows", () => {
    const seen: number[] = [];
    for (const b of batches(x, y, { batchSize: 5, shuffle: true, seed: 3 })) {
      expect(b.x.shape).toEqual([b.indices.length, 2, 3, 4]);
      b.indices.forEach((r, i) => expect(rowOf(b.x, i)).toEqual(rowOf(x, r)));
      seen.push(...b.indices);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("kFold and crossValidate hand the callback whole images", async () => {
    const folds = kFold(12, { k: 3, shuffle: true, seed: 1 });
    const cv = await crossValidate((_, xt, yt, xv) => {
      expect([xt.shape.slice(1), xv.shape.slice(1), xt.shape[0] + xv.shape[0], yt.shape[0]]).toEqual([[2, 3, 4], [2, 3, 4], 12, xt.shape[0]]);
      return xv.shape[0];
    }, x, y, { folds });
    expect(cv.scores).toEqual([4, 4, 4]);
  });

  it("standardize and minMaxScale fit per pixel position, in float64 (fuzzed shapes)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(),
      (n, c, h, w, seed) => {
        const t = images(n, c, h, w, seed).x;
        const f = c * h * w, d = t.data;
        const mean = Array.from({ length: f }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += d[i * f + j]; return s / n; });
        const std = mean.map((m, j) => { let s = 0; for (let i = 0; i < n; i++) s += (d[i * f + j] - m) ** 2; return Math.sqrt(s / n); });
        const z = standardize(t);
        const out = z.transform(t);
        expect(out.shape).toEqual([n, c, h, w]);
        for (let k = 0; k < n * f; k++) {
          const j = k % f, want = std[j] > 0 ? (d[k] - mean[j]) / std[j] : d[k] - mean[j];
          expectClose(out.data[k], want, roundTol(out, want) + 1e-9 * Math.abs(want), `standardize element ${k}`);
        }
        const lo = mean.map((_, j) => Math.min(...Array.from({ length: n }, (_, i) => d[i * f + j])));
        const hi = mean.map((_, j) => Math.max(...Array.from({ length: n }, (_, i) => d[i * f + j])));
        const mm = minMaxScale(t).transform(t);
        for (let k = 0; k < n * f; k++) {
          const j = k % f, want = hi[j] > lo[j] ? (d[k] - lo[j]) / (hi[j] - lo[j]) : 0;
          expectClose(mm.data[k], want, roundTol(mm, want) + 1e-9, `minMaxScale element ${k}`);
        }
      },
    ), { numRuns: 40 });
  });

  it("a scaler fitted on images applies to any tensor ending in [c, h, w], and refuses others", () => {
    const s = standardize(x);
    expect(s.mean.length).toBe(24);
    const one = new Tensor(x.data.slice(0, 24), "float32", [2, 3, 4]);
    expect(Array.from(s.transform(one).data)).toEqual(rowOf(s.transform(x), 0));
    expect(Array.from(s.inverseTransform(s.transform(x)).data).every((v, i) => Math.abs(v - x.data[i]) <= 1e-5 * (1 + Math.abs(x.data[i])))).toBe(true);
    expect(() => s.transform(x.reshape([12, 2, 12]))).toThrow(ShapeError);
    expect(() => s.transform(x.reshape([12, 24]))).toThrow(/fitted on rows of shape \[2,3,4\], got a tensor of shape \[12,24\]/);
    expect(() => standardize(new Tensor(Float32Array.of(1, 2), "float32", [2]))).toThrow(/expected training data \[n, features\]/);
  });
});
