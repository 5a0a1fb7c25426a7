// Gzipped IDX files come from outside: a small file must not make the reader decompress (or
// allocate) more than its header declares, and any corruption must be a FormatError.
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FormatError, ShapeError } from "../../src/errors.js";
import { gunzip, loadFashionMnist, readIdx, readIdxAsync } from "../../src/data/index.js";

/** IDX header bytes: magic 00 00 <code> <ndims>, then big-endian sizes. */
function idxHeader(code: number, dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  return out;
}

function joinBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Replaces the platform's DecompressionStream with one whose output goes through `transform`
 * (undone by vi.unstubAllGlobals after each test).
 */
function stubDecompression(transform: (chunk: Uint8Array, out: TransformStreamDefaultController<Uint8Array>) => void): void {
  const Real = globalThis.DecompressionStream;
  class Stubbed {
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<BufferSource>;
    constructor(format: CompressionFormat) {
      const real = new Real(format);
      this.writable = real.writable;
      this.readable = real.readable.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform }));
    }
  }
  vi.stubGlobal("DecompressionStream", Stubbed);
}

/** Counts the bytes read out of every decompression from now on. */
function countDecompressedBytes(): { pulled: number } {
  const count = { pulled: 0 };
  stubDecompression((chunk, c) => { count.pulled += chunk.length; c.enqueue(chunk); });
  return count;
}

afterEach(() => { vi.unstubAllGlobals(); });

describe("readIdxAsync reads the header first and stops at the size it declares", () => {
  it("a gzip bomb (header for 16 bytes, then 50 MB of zeros) is refused after one chunk", async () => {
    const bomb = gzipSync(joinBytes(idxHeader(0x08, [16]), new Uint8Array(16).fill(7), new Uint8Array(50 * 2 ** 20)), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    const count = countDecompressedBytes();
    await expect(readIdxAsync(bomb)).rejects.toThrow(FormatError);
    await expect(readIdxAsync(bomb)).rejects.toThrow(/byte 24: gzip data go on past the 24 bytes the IDX header declares/);
    // Two calls above; each pulled at most a chunk or two of the 50 MB.
    expect(count.pulled).toBeLessThan(2 * 2 ** 20);
  });

  it("a header declaring more than the compressed bytes can hold is refused before the data are decompressed", async () => {
    const liar = gzipSync(joinBytes(idxHeader(0x0e, [1 << 20, 1 << 10]), new Uint8Array(64)));
    const count = countDecompressedBytes();
    await expect(readIdxAsync(liar)).rejects.toThrow(/byte 4: dimensions \[1048576, …\] declare more than \d+ bytes, what \d+ bytes of gzip data can hold/);
    expect(count.pulled).toBeLessThan(2 ** 20);
  });

  it("maxBytes bounds the declared size too", async () => {
    const file = gzipSync(joinBytes(idxHeader(0x08, [100]), new Uint8Array(100)));
    expect((await readIdxAsync(file)).shape).toEqual([100]);
    await expect(readIdxAsync(file, { maxBytes: 50 })).rejects.toThrow(/declare more than 50 bytes, the maxBytes limit/);
    const plain = joinBytes(idxHeader(0x08, [100]), new Uint8Array(100));
    await expect(readIdxAsync(plain, { maxBytes: 50 })).rejects.toThrow(/the file's 108 bytes exceed maxBytes = 50/);
    expect((await readIdxAsync(plain, { maxBytes: 108 })).shape).toEqual([100]);
    await expect(readIdxAsync(file, { maxBytes: -1 })).rejects.toThrow(/maxBytes must be a non-negative number/);
    await expect(readIdxAsync(file, { maxbytes: 50 } as never)).rejects.toThrow(/unknown option "maxbytes"/);
    await expect(gunzip(file, { max: 1 } as never)).rejects.toThrow(/unknown option "max"/);
  });

  it("gzip data shorter than the header declares is a FormatError naming the byte where they end", async () => {
    const short = gzipSync(joinBytes(idxHeader(0x08, [100]), new Uint8Array(60)));
    await expect(readIdxAsync(short)).rejects.toThrow(/byte 68: gzip data end before the 108 bytes the IDX header declares/);
    // Ending inside the header or the magic: the same messages as readIdx.
    await expect(readIdxAsync(gzipSync(idxHeader(0x08, [1, 2]).subarray(0, 7)))).rejects.toThrow(/file ends inside the header/);
    await expect(readIdxAsync(gzipSync(new Uint8Array([0, 0])))).rejects.toThrow(/file ends inside the 4-byte magic/);
    await expect(readIdxAsync(gzipSync(new Uint8Array([1, 2, 3, 4, 5])))).rejects.toThrow(/byte 0: wrong magic/);
  });

  it("a header split across decompressed chunks is read whole", async () => {
    // 255 dimensions of 1: a 1024-byte header; the stub below hands it out 3 bytes at a time.
    const file = joinBytes(idxHeader(0x0d, new Array(255).fill(1)), new Uint8Array([0x3f, 0x80, 0, 0]));
    stubDecompression((chunk, c) => { for (let i = 0; i < chunk.length; i += 3) c.enqueue(chunk.subarray(i, i + 3)); });
    const t = await readIdxAsync(gzipSync(file));
    expect([t.shape.length, t.item()]).toEqual([255, 1]);
  });

  it("random edits of a gzipped file, and random bytes after a gzip magic, give a valid result or a FormatError (fuzzed)", async () => {
    const plain = joinBytes(idxHeader(0x0c, [3, 2]), new Uint8Array(24).map((_, i) => i));
    const gz = gzipSync(plain);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(gz.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(gz.length), async (edits, cut) => {
        const b = Uint8Array.from(gz.subarray(0, Math.max(cut, 2)));
        for (const [at, v] of edits) if (at < b.length) b[at] = v;
        try {
          const t = await readIdxAsync(b);
          expect(t.size).toBeLessThanOrEqual(1032 * b.length); // deflate expands at most 1032-fold
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), async (tail) => {
        try {
          await readIdxAsync(joinBytes(new Uint8Array([0x1f, 0x8b]), tail));
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("plain (not gzipped) bytes still go through readIdx's checks", async () => {
    const file = joinBytes(idxHeader(0x08, [2]), new Uint8Array([5, 6]));
    expect((await readIdxAsync(file)).toArray()).toEqual([5, 6]);
    expect(() => readIdx(joinBytes(file, new Uint8Array(1)))).toThrow(/sizes wrong or file padded/);
  });
});

describe("loadFashionMnist checks each header before reading its data", () => {
  const dirWith = (files: Record<string, Uint8Array>) => {
    const dir = mkdtempSync(join(tmpdir(), "edgegrad-mnist-"));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    return dir;
  };
  const images = (n: number) => gzipSync(joinBytes(idxHeader(0x08, [n, 2, 2]), new Uint8Array(4 * n).fill(255)));
  const labels = (n: number) => gzipSync(joinBytes(idxHeader(0x08, [n]), new Uint8Array(n).map((_, i) => i % 10)));

  it("reads a well-formed miniature set", async () => {
    const ds = await loadFashionMnist(dirWith({
      "train-images-idx3-ubyte.gz": images(3), "train-labels-idx1-ubyte.gz": labels(3),
      "t10k-images-idx3-ubyte.gz": images(2), "t10k-labels-idx1-ubyte.gz": labels(2),
    }));
    expect([ds.train.x.shape, ds.train.y.toArray(), ds.test.x.shape, ds.train.x.data[0]]).toEqual([[3, 4], [0, 1, 2], [2, 4], 1]);
  });

  it("images that are not uint8 [n, rows, cols] are refused after the header, with the bomb unread", async () => {
    const wrong = gzipSync(joinBytes(idxHeader(0x0d, [4, 2]), new Uint8Array(32), new Uint8Array(20 * 2 ** 20)));
    const count = countDecompressedBytes();
    await expect(loadFashionMnist(dirWith({ "train-images-idx3-ubyte.gz": wrong }))).rejects.toThrow(/train images are float32 \[4,2\], expected uint8 \[n, rows, cols\]/);
    expect(count.pulled).toBeLessThan(2 ** 20);
  });

  it("labels whose count differs from the images' are a ShapeError", async () => {
    const dir = dirWith({ "train-images-idx3-ubyte.gz": images(3), "train-labels-idx1-ubyte.gz": labels(4) });
    await expect(loadFashionMnist(dir)).rejects.toThrow(ShapeError);
    await expect(loadFashionMnist(dir)).rejects.toThrow(/train labels \[4\] do not match images \[3,2,2\]/);
  });

  it("options are checked", async () => {
    await expect(loadFashionMnist("/nonexistent", { flat: false } as never)).rejects.toThrow(/unknown option "flat"/);
    await expect(loadFashionMnist("/nonexistent", { normalize: "yes" } as never)).rejects.toThrow(/normalize must be true or false/);
  });
});
