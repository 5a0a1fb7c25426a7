// Differential sweep of the image transforms, tokenizers and oneHot against torchvision 0.14's
// documented semantics (not installed here: its padding is torch.nn.functional.pad and np.pad,
// run in PyTorch 1.13 / NumPy), F.one_hot and Python's str.encode: places where edgegrad's
// answer differed, each with the reference it now matches.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { data, FormatError, Rng, ShapeError, tensor, Tensor, ValueError } from "../../src/index.js";

const { normalize, randomCrop, randomHorizontalFlip, compose } = data.transforms;
const values = (t: Tensor) => Array.from(t.data);

describe("randomCrop paddingMode edge, reflect and symmetric (torchvision's padding_mode)", () => {
  // 1..12 as one 3×4 image; padding [left 2, top 1, right 3, bottom 2]; a crop of the whole
  // padded size (6×9) has one offset, so it is the padded image itself.
  const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i + 1), "float32", [1, 1, 3, 4]);
  const padded = (paddingMode: data.RandomCropOptions["paddingMode"]) => values(randomCrop([6, 9], { padding: [2, 1, 3, 2], paddingMode })(x, new Rng(0)));

  it("pads as torch's F.pad replicate / reflect and np.pad symmetric", () => {
    // Before: every mode but "constant" was refused. PyTorch 1.13: F.pad(x, (2, 3, 1, 2), mode=…)
    // with "replicate" (torchvision's "edge") and "reflect"; NumPy: np.pad(…, "symmetric"), which
    // torchvision's _pad_symmetric equals.
    expect(padded("edge")).toEqual([1, 1, 1, 2, 3, 4, 4, 4, 4, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 5, 5, 6, 7, 8, 8, 8, 8, 9, 9, 9, 10, 11, 12, 12, 12, 12, 9, 9, 9, 10, 11, 12, 12, 12, 12, 9, 9, 9, 10, 11, 12, 12, 12, 12]);
    expect(padded("reflect")).toEqual([7, 6, 5, 6, 7, 8, 7, 6, 5, 3, 2, 1, 2, 3, 4, 3, 2, 1, 7, 6, 5, 6, 7, 8, 7, 6, 5, 11, 10, 9, 10, 11, 12, 11, 10, 9, 7, 6, 5, 6, 7, 8, 7, 6, 5, 3, 2, 1, 2, 3, 4, 3, 2, 1]);
    expect(padded("symmetric")).toEqual([2, 1, 1, 2, 3, 4, 4, 3, 2, 2, 1, 1, 2, 3, 4, 4, 3, 2, 6, 5, 5, 6, 7, 8, 8, 7, 6, 10, 9, 9, 10, 11, 12, 12, 11, 10, 10, 9, 9, 10, 11, 12, 12, 11, 10, 6, 5, 5, 6, 7, 8, 8, 7, 6]);
    // PyTorch 1.13: F.pad(x, (2, 3, 1, 2), value=-1).
    expect(values(randomCrop([6, 9], { padding: [2, 1, 3, 2], fill: -1 })(x, new Rng(0)))).toEqual([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4, -1, -1, -1, -1, -1, 5, 6, 7, 8, -1, -1, -1, -1, -1, 9, 10, 11, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
  });

  /** One row padded by mode, built by concatenation (numpy's definitions), independent of the code under test. */
  const padRow = (row: number[], l: number, r: number, mode: string): number[] => {
    const rev = (a: number[]) => [...a].reverse();
    const n = row.length;
    if (mode === "edge") return [...new Array(l).fill(row[0]), ...row, ...new Array(r).fill(row[n - 1])];
    if (mode === "reflect") return [...rev(row.slice(1, 1 + l)), ...row, ...rev(row.slice(n - 1 - r, n - 1))];
    return [...rev(row.slice(0, l)), ...row, ...rev(row.slice(n - r))];
  };
  const padImage = (img: number[][], [l, t, r, b]: number[], mode: string): number[][] => {
    const rows = img.map((row) => padRow(row, l, r, mode));
    const cols = rows[0].map((_, j) => padRow(rows.map((row) => row[j]), t, b, mode));
    return cols[0].map((_, i) => cols.map((col) => col[i]));
  };

  it("every crop is a window of the image padded by numpy's rule, for any padding the mode allows (fuzzed)", () => {
    fc.assert(fc.property(
      fc.constantFrom("edge", "reflect", "symmetric"), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.array(fc.nat(5), { minLength: 4, maxLength: 4 }), fc.nat(), fc.nat(),
      (mode, n, h, w, raw, fh, seed) => {
        // Padding within the mode's limit: reflect < size, symmetric ≤ size.
        const cap = (p: number, size: number) => (mode === "reflect" ? p % size : mode === "symmetric" ? p % (size + 1) : p);
        const pad = [cap(raw[0], w), cap(raw[1], h), cap(raw[2], w), cap(raw[3], h)];
        const hp = h + pad[1] + pad[3], wp = w + pad[0] + pad[2];
        const th = 1 + (fh % hp), tw = 1 + (seed % wp);
        const xs = new Tensor(Float32Array.from({ length: n * h * w }, (_, i) => i), "float32", [n, 1, h, w]);
        const out = randomCrop([th, tw], { padding: pad, paddingMode: mode as "edge" })(xs, new Rng(seed));
        for (let i = 0; i < n; i++) {
          const img = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, c) => i * h * w + y * w + c));
          const full = padImage(img, pad, mode);
          const got = Array.from({ length: th }, (_, y) => Array.from({ length: tw }, (_, c) => out.data[(i * th + y) * tw + c]));
          let found = false;
          for (let top = 0; top + th <= hp && !found; top++) {
            for (let left = 0; left + tw <= wp && !found; left++) found = got.every((row, y) => row.every((v, c) => v === full[top + y][left + c]));
          }
          expect(found).toBe(true);
        }
      },
    ), { numRuns: 200 });
  });

  it("refuses padding past the mode's limit, an unknown mode, and fill with a mode that ignores it", () => {
    // PyTorch 1.13: F.pad(x, (4, 0, 0, 0), mode="reflect") on width 4: "Padding size should be
    // less than the corresponding input dimension"; torchvision's symmetric pad indexes the image once.
    expect(() => randomCrop(3, { padding: [4, 0, 0, 0], paddingMode: "reflect" })(x, new Rng(0))).toThrow(ShapeError);
    expect(() => randomCrop(3, { padding: [0, 3, 0, 0], paddingMode: "reflect" })(x, new Rng(0))).toThrow(/padding \[0, 3, 0, 0\] in mode "reflect" must be smaller than the image's size 3×4/);
    expect(() => randomCrop(3, { padding: [0, 0, 0, 4], paddingMode: "symmetric" })(x, new Rng(0))).toThrow(/must be at most the image's size 3×4/);
    expect(randomCrop(3, { padding: [3, 0, 0, 2], paddingMode: "reflect" })(x, new Rng(0)).shape).toEqual([1, 1, 3, 3]);
    expect(randomCrop(3, { padding: [4, 3, 4, 3], paddingMode: "symmetric" })(x, new Rng(0)).shape).toEqual([1, 1, 3, 3]);
    expect(randomCrop(3, { padding: 9, paddingMode: "edge" })(x, new Rng(0)).shape).toEqual([1, 1, 3, 3]);
    expect(() => randomCrop(3, { padding: 1, paddingMode: "wrap" } as never)).toThrow(/paddingMode must be "constant", "edge", "reflect" or "symmetric", got "wrap"/);
    // torchvision pads with fill in "constant" mode only and drops it silently in the others.
    expect(() => randomCrop(3, { padding: 1, paddingMode: "edge", fill: 5 })).toThrow(/fill is used by paddingMode "constant" only, not "edge"/);
  });
});

describe("normalize: a std that is 0 in float32", () => {
  it("is refused for a float32 batch, as torchvision's normalize, and used for a float64 one", () => {
    // torchvision 0.14 F.normalize converts std to the batch's dtype: torch.as_tensor(1e-50,
    // dtype=float32) == 0 raises "std evaluated to zero after conversion to torch.float32".
    // Before: every value came out ±Infinity. For float64 it is 1e-50 (PyTorch 1.13: 4e+50, …).
    const x = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i), "float32", [1, 2, 2, 2]);
    expect(() => normalize([0, 0], [1, 1e-50])(x)).toThrow(ValueError);
    expect(() => normalize([0, 0], [1, 1e-50])(x)).toThrow(/normalize: std\[1\] = 1e-50 is 0 in float32/);
    const x64 = new Tensor(Float64Array.from(x.data), "float64", x.shape);
    expect(values(normalize([0, 0], [1, 1e-50])(x64))).toEqual([0, 1, 2, 3, 4e50, 5e50, 6e50, 7e50]);
  });
});

describe("transforms given something other than an Rng", () => {
  it("name the argument with a ValueError, not a TypeError from inside", () => {
    // Before: TypeError "g.int is not a function" / "g.uniform is not a function".
    const x = new Tensor(new Float32Array(8), "float32", [2, 1, 2, 2]);
    expect(() => randomCrop(2)(x, 42 as never)).toThrow(/randomCrop: rng must be an Rng \(new Rng\(seed\)\), got number/);
    expect(() => randomHorizontalFlip()(x, {} as never)).toThrow(/randomHorizontalFlip: rng must be an Rng/);
    expect(() => compose([randomHorizontalFlip()])(x, null as never)).toThrow(/compose: rng must be an Rng \(new Rng\(seed\)\), got null/);
    expect(values(randomHorizontalFlip({ p: 1 })(x, new Rng(1)))).toEqual(values(x));
  });
});

describe("oneHot numClasses −1", () => {
  it("infers the classes, as F.one_hot's default num_classes=-1", () => {
    // PyTorch 1.13: F.one_hot(torch.tensor([0, 2]), -1) = [[1, 0, 0], [0, 0, 1]]. Before: a
    // ValueError "numClasses must be a positive integer, got -1".
    const h = data.oneHot(tensor([0, 2], { dtype: "int32" }), -1);
    expect([h.shape, values(h)]).toEqual([[2, 3], [1, 0, 0, 0, 0, 1]]);
    // F.one_hot(torch.tensor([], dtype=torch.long), -1): "Can not infer total number of classes from empty tensor."
    expect(() => data.oneHot(tensor([], { dtype: "int32" }), -1)).toThrow(/labels are empty/);
    // F.one_hot(torch.tensor([1]), -2): "Class values must be smaller than num_classes."
    expect(() => data.oneHot(tensor([1], { dtype: "int32" }), -2)).toThrow(ValueError);
  });
});

describe("ByteTokenizer: a lone surrogate", () => {
  it("is refused naming its offset, as Python's str.encode('utf-8') refuses it", () => {
    // Python 3: 'a\ud800b'.encode('utf-8') raises UnicodeEncodeError "surrogates not allowed".
    // Before: TextEncoder wrote EF BF BD (U+FFFD), so decode(encode(text)) !== text, silently.
    const tok = new data.ByteTokenizer();
    expect(() => tok.encode("a\uD800b")).toThrow(ValueError);
    expect(() => tok.encode("a\uD800b")).toThrow(/lone surrogate U\+D800 at offset 1 has no UTF-8 form/);
    expect(() => tok.encode("\uDC00")).toThrow(/U\+DC00 at offset 0/);
    expect(() => tok.encode("😀\uDE00")).toThrow(/U\+DE00 at offset 2/);
    // A pair is one character: 😀 is F0 9F 98 80.
    expect(Array.from(tok.encode("😀"))).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });

  it("every string either round-trips exactly or is refused (fuzzed over UTF-16 units)", () => {
    const tok = new data.ByteTokenizer();
    // Any UTF-16 units, surrogates drawn often so that pairs, lone halves and reversed pairs all occur.
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
      const s = String.fromCharCode(...units);
      const wellFormed = Buffer.from(s, "utf8").toString("utf8") === s;
      if (wellFormed) expect(tok.decode(tok.encode(s))).toBe(s);
      else expect(() => tok.encode(s)).toThrow(/lone surrogate/);
    }));
  });
});

describe("CharTokenizer given no iterable", () => {
  it("a ValueError naming the argument, not a TypeError", () => {
    // Before: TypeError "chars is not iterable".
    expect(() => new data.CharTokenizer(undefined as never)).toThrow(/CharTokenizer: chars must be an iterable of characters \(an array or a string\), got undefined/);
    expect(() => new data.CharTokenizer(5 as never)).toThrow(ValueError);
    expect(new data.CharTokenizer("ba").vocab).toEqual(["a", "b"]);
  });
});

describe("splitSequence: how many ids go to validation", () => {
  it("rounds the training part down, as Keras's validation_split (floor(n · (1 − f))) and fit do", () => {
    // Keras (data_adapter.train_validation_split): split_at = floor(n * (1 - f)); Python:
    // n=4, f=0.1 → 3; n=3, f=0.1 → 2; n=101, f=0.1 → 90; n=7, f=0.3 → 4; n=10, f=0.15 → 8.
    // Before: Math.round gave 4, 3, 91, 5 and 9 — no validation ids at all for the first two.
    const cases: [number, number, number][] = [[4, 0.1, 3], [3, 0.1, 2], [101, 0.1, 90], [7, 0.3, 4], [10, 0.15, 8]];
    for (const [n, f, train] of cases) {
      const ids = Array.from({ length: n }, (_, i) => i);
      const split = data.splitSequence(ids, f);
      expect([split.train.length, split.validation.length], `n=${n}, f=${f}`).toEqual([train, n - train]);
    }
    expect(data.splitSequence([1, 2, 3], 0).validation.length).toBe(0);
    expect(data.splitSequence([1, 2, 3], 1).train.length).toBe(0);
  });
});

describe("CharTokenizer.fromJSON: a bad entry in the saved vocabulary", () => {
  it("is a FormatError (a broken file), as an out-of-order vocabulary already was", () => {
    // Before: ValueError from the constructor for these, FormatError only for the order.
    const { CharTokenizer } = data;
    expect(() => CharTokenizer.fromJSON({ type: "char", vocab: [1] })).toThrow(FormatError);
    expect(() => CharTokenizer.fromJSON({ type: "char", vocab: ["a", "a"] })).toThrow(/CharTokenizer\.fromJSON: "a" appears twice in the vocabulary/);
    expect(() => CharTokenizer.fromJSON({ type: "char", vocab: ["a"], unk: "??" })).toThrow(FormatError);
    expect(CharTokenizer.fromJSON({ type: "char", vocab: ["?", "a"], unk: "?" }).decode([1, 0])).toBe("a?");
  });
});

describe("batches over a view (a permuted or sliced tensor)", () => {
  it("copies the view once, not once per batch, and gives the rows of the view", () => {
    // Before: each batch's row gather read x.data, which copies a whole non-contiguous tensor:
    // 20000 CIFAR-sized images permuted NHWC → NCHW took 511 s per epoch at batch size 128
    // (3.6 s once contiguous).
    const n = 40, base = new Tensor(Float32Array.from({ length: n * 2 * 3 }, (_, i) => i), "float32", [n, 3, 2]);
    const x = base.permute([0, 2, 1]);
    const y = tensor(Array.from({ length: n }, (_, i) => i), { dtype: "int32" }).reshape([n, 1]).transpose(0, 1).reshape([n]);
    let reads = 0;
    const read = Object.getOwnPropertyDescriptor(Tensor.prototype, "data")!.get!;
    Object.defineProperty(x, "data", { get() { reads++; return read.call(this); } });
    const seen: number[] = [];
    for (const b of data.batches(x, y, { batchSize: 3, shuffle: true, seed: 2 })) {
      b.indices.forEach((r, i) => {
        // Row r of the view is base[r] transposed: element (c, k) = base[r, k, c] = r·6 + k·2 + c.
        for (let c = 0; c < 2; c++) for (let k = 0; k < 3; k++) expect(b.x.data[i * 6 + c * 3 + k]).toBe(r * 6 + k * 2 + c);
        expect(b.y!.data[i]).toBe(r);
      });
      seen.push(...b.indices);
    }
    expect(reads).toBeLessThanOrEqual(1);
    expect(seen.sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
