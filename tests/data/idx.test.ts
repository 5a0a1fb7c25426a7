import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { FormatError } from "../../src/errors.js";
import { gunzip, loadFashionMnist, readIdx, readIdxAsync } from "../../src/data/index.js";

/** An IDX file written independently of the reader: header, then big-endian elements. */
function encodeIdx(code: number, dims: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code]!;
  const out = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const at = 4 + 4 * dims.length;
  values.forEach((x, i) => {
    const p = at + size * i;
    if (code === 8) v.setUint8(p, x);
    else if (code === 9) v.setInt8(p, x);
    else if (code === 11) v.setInt16(p, x, false);
    else if (code === 12) v.setInt32(p, x, false);
    else if (code === 13) v.setFloat32(p, x, false);
    else v.setFloat64(p, x, false);
  });
  return out;
}

/** Parses or throws a FormatError — never another error type, never a result bigger than its input. */
function parsesOrFormatError(bytes: Uint8Array): void {
  try {
    const t = readIdx(bytes);
    expect(t.size).toBeLessThanOrEqual(bytes.length);
  } catch (e) {
    if (!(e instanceof FormatError)) throw new Error(`expected FormatError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

describe("readIdx", () => {
  it("reads every element type with its dims, big-endian", () => {
    expect(readIdx(encodeIdx(8, [2, 3], [0, 1, 2, 253, 254, 255])).toArray()).toEqual([[0, 1, 2], [253, 254, 255]]);
    const i8 = readIdx(encodeIdx(9, [3], [-128, 0, 127]));
    expect([i8.dtype, i8.toArray()]).toEqual(["int8", [-128, 0, 127]]);
    const i16 = readIdx(encodeIdx(11, [2], [-32768, 32767]));
    expect([i16.dtype, i16.toArray()]).toEqual(["int32", [-32768, 32767]]);
    expect(readIdx(encodeIdx(12, [1, 2], [-5, 2 ** 31 - 1])).toArray()).toEqual([[-5, 2 ** 31 - 1]]);
    const f32 = readIdx(encodeIdx(13, [2], [1.5, -0.25]));
    expect([f32.dtype, f32.toArray()]).toEqual(["float32", [1.5, -0.25]]);
    const f64 = readIdx(encodeIdx(14, [1, 1, 1], [Math.PI]));
    expect([f64.dtype, f64.shape, f64.item()]).toEqual(["float64", [1, 1, 1], Math.PI]);
  });

  it("reads from a Buffer slice and an ArrayBuffer, and copies out of the input", () => {
    const file = encodeIdx(8, [2], [7, 9]);
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 3);
    const t = readIdx(padded.subarray(3, 3 + file.length));
    expect(t.toArray()).toEqual([7, 9]);
    padded[3 + file.length - 1] = 0;
    expect(t.toArray()).toEqual([7, 9]);
    expect(readIdx(file.buffer as ArrayBuffer).toArray()).toEqual([7, 9]);
  });

  it("rejects wrong magic, unknown types, truncation, wrong dims and padding with a FormatError naming the byte", () => {
    const good = encodeIdx(8, [2, 2], [1, 2, 3, 4]);
    const bad = (mutate: (b: Uint8Array) => Uint8Array) => () => readIdx(mutate(good.slice()));
    expect(bad((b) => ((b[0] = 1), b))).toThrow(/byte 0: wrong magic/);
    expect(bad((b) => ((b[2] = 0x0a), b))).toThrow(/byte 2: unknown element type/);
    expect(bad((b) => ((b[3] = 0), b))).toThrow(FormatError);
    expect(bad((b) => b.subarray(0, 3))).toThrow(/byte 3: file ends inside the 4-byte magic/);
    expect(bad((b) => b.subarray(0, 10))).toThrow(/file ends inside the header/);
    expect(bad((b) => b.subarray(0, good.length - 1))).toThrow(/need more than the 3 data bytes/);
    expect(bad((b) => ((b[7] = 3), b))).toThrow(/byte 8: dimensions \[3,2\] need more than the 4 data bytes/);
    expect(bad((b) => ((b[6] = 1), b))).toThrow(/byte 4: dimensions \[258, …\]/);
    expect(bad((b) => ((b[11] = 1), b))).toThrow(/byte 14: 2 bytes after the data/);
    const padded = new Uint8Array(good.length + 1);
    padded.set(good);
    expect(() => readIdx(padded)).toThrow(/sizes wrong or file padded/);
    expect(() => readIdx(gzipSync(good))).toThrow(/gzip data; use readIdxAsync/);
  });

  it("never allocates for huge claimed dims it cannot back with bytes", () => {
    const huge = encodeIdx(14, [0xffffffff, 0xffffffff, 0xffffffff], []);
    expect(() => readIdx(huge)).toThrow(/byte 4: dimensions/);
    expect(readIdx(encodeIdx(8, [0, 0xffffffff], [])).shape).toEqual([0, 0xffffffff]);
    // A zero after a non-zero size is an empty file too (it used to be refused as "too big").
    expect(readIdx(encodeIdx(8, [5, 0], [])).shape).toEqual([5, 0]);
    expect(readIdx(encodeIdx(13, [0xffffffff, 3, 0], [])).shape).toEqual([0xffffffff, 3, 0]);
  });

  it("every truncation of a valid file is a FormatError (fuzzed)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 9, 11, 12, 13, 14),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (code, dims, cut) => {
          const n = dims.reduce((a, b) => a * b, 1);
          const file = encodeIdx(code, dims, Array.from({ length: n }, (_, i) => i % 100));
          expect(readIdx(file).shape).toEqual(dims);
          expect(() => readIdx(file.subarray(0, cut % file.length))).toThrow(FormatError);
        },
      ),
    );
  });

  it("random bytes and random header edits parse or throw FormatError, nothing else (fuzzed)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => parsesOrFormatError(b)), { numRuns: 500 });
    const base = encodeIdx(12, [3, 2], [1, 2, 3, 4, 5, 6]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(15), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const b = base.slice();
        for (const [at, v] of edits) b[at] = v;
        parsesOrFormatError(b);
      }),
      { numRuns: 500 },
    );
  });
});

describe("readIdx on plausible but random files (fuzzed)", () => {
  it("a valid magic, any type code, any small dims and any amount of data: the declared shape exactly, or a FormatError", () => {
    const sizes: Record<number, number> = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 };
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(8, 9, 11, 12, 13, 14), fc.integer({ min: 0, max: 255 })),
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 200 }),
        (code, dims, data) => {
          const header = new Uint8Array(4 + 4 * dims.length);
          header[2] = code;
          header[3] = dims.length;
          dims.forEach((d, i) => new DataView(header.buffer).setUint32(4 + 4 * i, d, false));
          const file = new Uint8Array(header.length + data.length);
          file.set(header);
          file.set(data, header.length);
          const expectedBytes = dims.reduce((a, b) => a * b, 1) * (sizes[code] ?? NaN);
          try {
            const t = readIdx(file);
            expect(t.shape).toEqual(dims);
            expect(data.length).toBe(expectedBytes);
          } catch (e) {
            if (!(e instanceof FormatError)) throw e;
            expect(dims.length > 0 && data.length === expectedBytes).toBe(false);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("readIdxAsync and gunzip", () => {
  it("reads gzipped and plain files alike", async () => {
    const file = encodeIdx(13, [2, 2], [1, 2, 3, 4]);
    expect((await readIdxAsync(gzipSync(file))).toArray()).toEqual([[1, 2], [3, 4]]);
    expect((await readIdxAsync(file)).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("turns truncated or corrupt gzip into a FormatError, and caps the output size", async () => {
    const gz = gzipSync(encodeIdx(8, [1000], new Array(1000).fill(7)));
    await expect(gunzip(gz.subarray(0, gz.length - 12))).rejects.toThrow(FormatError);
    const corrupt = Uint8Array.from(gz); // (Buffer#slice would share memory with gz)
    corrupt[12] ^= 0xff;
    await expect(readIdxAsync(corrupt)).rejects.toThrow(FormatError);
    await expect(gunzip(gz, { maxBytes: 100 })).rejects.toThrow(/exceeds maxBytes = 100/);
    await expect(gunzip(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not gzip data/);
  });
});

const FASHION = "/usr/share/datasets/fashion-mnist";
const haveFashion = existsSync(`${FASHION}/train-images-idx3-ubyte.gz`);

describe("Fashion-MNIST (real files from the Debian package dataset-fashion-mnist)", () => {
  it.skipIf(!haveFashion)(
    `reads 60000×28×28 train and 10000×28×28 test images with labels${haveFashion ? "" : ` — SKIPPED: ${FASHION} absent (apt-get install -y dataset-fashion-mnist)`}`,
    async () => {
      const fs = await import("node:fs/promises");
      const images = await readIdxAsync(await fs.readFile(`${FASHION}/train-images-idx3-ubyte.gz`));
      expect([images.dtype, images.shape]).toEqual(["uint8", [60000, 28, 28]]);
      const labels = await readIdxAsync(await fs.readFile(`${FASHION}/train-labels-idx1-ubyte.gz`));
      expect([labels.dtype, labels.shape]).toEqual(["uint8", [60000]]);
      // The training set is balanced: 6000 of each of the ten classes.
      const counts = new Array(10).fill(0);
      for (const l of labels.data) counts[l]++;
      expect(counts).toEqual(new Array(10).fill(6000));

      const ds = await loadFashionMnist(FASHION);
      expect([ds.train.x.shape, ds.train.y.shape, ds.test.x.shape, ds.test.y.shape]).toEqual([[60000, 784], [60000], [10000, 784], [10000]]);
      expect([ds.train.x.dtype, ds.train.y.dtype]).toEqual(["float32", "int32"]);
      expect(ds.train.x.data[784 * 7 + 300]).toBeCloseTo(images.data[784 * 7 + 300] / 255, 7);
      expect(Array.from(ds.train.y.data.subarray(0, 10))).toEqual(Array.from(labels.data.subarray(0, 10)));
    },
  );

  it("names the missing file when the directory has no data", async () => {
    await expect(loadFashionMnist("/nonexistent-dir")).rejects.toThrow(/train-images-idx3-ubyte\.gz.*not found/);
  });
});
