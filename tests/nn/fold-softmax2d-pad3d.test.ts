// The Unfold and Fold modules, Softmax2d, and the padding modules ZeroPad1d/3d, ConstantPad3d,
// ReflectionPad3d, ReplicationPad3d and CircularPad1d/2d/3d: against float64 references
// written here (plain loops) over shapes and options drawn by fast-check, exact equality for the
// pure data movements, gradients by central differences, and the typed errors. PyTorch 1.13's
// values are in tests/parity/nn-more.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, sampleTensor as sample, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

type FloatDType = "float32" | "float64";
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const dtypeArb = fc.constantFrom<FloatDType>("float32", "float64");

/** The sliding-block geometry along one dim: blocks, and the input position of block o's tap k (or −1). */
function taps(n: number, k: number, d: number, p: number, s: number) {
  const blocks = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  return { blocks, at: (o: number, t: number) => { const i = o * s - p + t * d; return i >= 0 && i < n ? i : -1; } };
}

describe("Unfold and Fold modules", () => {
  const geometryArb = fc.record({
    batched: fc.boolean(), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pairs: fc.boolean(), dtype: dtypeArb, seed: fc.nat(1000),
  }).filter(({ H, W, k, d, p }) => H + 2 * p[0] >= d[0] * (k[0] - 1) + 1 && W + 2 * p[1] >= d[1] * (k[1] - 1) + 1);
  /** An option as PyTorch takes it: a pair, or one number when both are equal and `pairs` is off. */
  const opt = (v: [number, number], pairs: boolean) => (pairs || v[0] !== v[1] ? v : v[0]);

  it("Unfold copies every block's taps into columns, zeros in the padding (exact)", () => {
    fc.assert(fc.property(geometryArb, ({ batched, N, C, H, W, k, d, p, s, pairs, dtype, seed }) => {
      const n = batched ? N : 1;
      const x = sample([...(batched ? [N] : []), C, H, W], seed, dtype);
      const m = new nn.Unfold(opt(k, pairs), { dilation: opt(d, pairs), padding: opt(p, pairs), stride: opt(s, pairs) });
      const y = m.forward(x);
      const th = taps(H, k[0], d[0], p[0], s[0]), tw = taps(W, k[1], d[1], p[1], s[1]), L = th.blocks * tw.blocks;
      expect(y.shape).toEqual([...(batched ? [N] : []), C * k[0] * k[1], L]);
      expect(y.dtype).toBe(dtype);
      const want: number[] = [];
      for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) for (let i = 0; i < k[0]; i++) for (let j = 0; j < k[1]; j++) {
        for (let oi = 0; oi < th.blocks; oi++) for (let oj = 0; oj < tw.blocks; oj++) {
          const h = th.at(oi, i), w = tw.at(oj, j);
          want.push(h < 0 || w < 0 ? 0 : x.data[((b * C + c) * H + h) * W + w]);
        }
      }
      expect(list(y)).toEqual(want);
    }), { numRuns: 150 });
  });

  it("Fold sums each column entry into its pixel (float64 reference, γ of the overlaps)", () => {
    fc.assert(fc.property(geometryArb, ({ batched, N, C, H, W, k, d, p, s, pairs, dtype, seed }) => {
      const n = batched ? N : 1;
      const th = taps(H, k[0], d[0], p[0], s[0]), tw = taps(W, k[1], d[1], p[1], s[1]), L = th.blocks * tw.blocks, rows = C * k[0] * k[1];
      const cols = sample([...(batched ? [N] : []), rows, L], seed, dtype);
      const m = new nn.Fold(opt([H, W], pairs), opt(k, pairs), { dilation: opt(d, pairs), padding: opt(p, pairs), stride: opt(s, pairs) });
      const y = m.forward(cols);
      expect(y.shape).toEqual([...(batched ? [N] : []), C, H, W]);
      const want = new Float64Array(n * C * H * W), mag = new Float64Array(want.length), count = new Float64Array(want.length);
      for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) for (let i = 0; i < k[0]; i++) for (let j = 0; j < k[1]; j++) {
        const row = (b * C + c) * k[0] * k[1] + i * k[1] + j;
        for (let oi = 0; oi < th.blocks; oi++) for (let oj = 0; oj < tw.blocks; oj++) {
          const h = th.at(oi, i), w = tw.at(oj, j);
          if (h < 0 || w < 0) continue;
          const at = ((b * C + c) * H + h) * W + w, v = cols.data[row * L + oi * tw.blocks + oj];
          want[at] += v; mag[at] += Math.abs(v); count[at]++;
        }
      }
      expectWithin(y.data, want, (i) => gammaOf(dtype, count[i]) * mag[i] + ETA32, "Fold");
    }), { numRuns: 150 });
  });

  it("gradients by central differences; the module keeps its sizes as given", () => {
    const unfold = new nn.Unfold([2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] });
    assertGradByDifferences((x) => unfold.forward(x), [float64Input([2, 2, 4, 5], 1)], "Unfold");
    const fold = new nn.Fold([4, 5], 2, { stride: 1, padding: [1, 0] });
    assertGradByDifferences((x) => fold.forward(x), [float64Input([1, 3 * 4, 5 * 4], 2)], "Fold");
    expect([unfold.kernelSize, unfold.dilation, unfold.padding, unfold.stride]).toEqual([[2, 3], [1, 2], 1, [2, 1]]);
    expect([fold.outputSize, fold.kernelSize, fold.dilation, fold.padding, fold.stride]).toEqual([[4, 5], 2, 1, [1, 0], 1]);
    expect(unfold.stateDict()).toEqual({});
  });

  it("refuses bad sizes when made and bad inputs when run, with typed errors", () => {
    expect(() => new nn.Unfold(0)).toThrow(/Unfold: kernelSize must be an integer ≥ 1/);
    expect(() => new nn.Unfold([2, 2, 2] as never)).toThrow(ValueError);
    expect(() => new nn.Unfold(2, { stride: 0 })).toThrow(/stride/);
    expect(() => new nn.Unfold(2, { padding: -1 })).toThrow(/padding/);
    expect(() => new nn.Unfold(2, { ceilMode: true } as never)).toThrow(/unknown option "ceilMode"/);
    expect(() => new nn.Fold([0, 3], 2)).toThrow(/Fold: outputSize/);
    expect(() => new nn.Fold(4, 2, { dilation: 1.5 })).toThrow(ValueError);
    expect(() => new nn.Unfold(2).forward(zeros([4, 4]))).toThrow(ShapeError);
    expect(() => new nn.Unfold(5).forward(zeros([1, 1, 4, 4]))).toThrow(/sliding blocks/);
    expect(() => new nn.Fold([4, 4], 2).forward(zeros([1, 7, 9]))).toThrow(/divisible/);
    expect(() => new nn.Fold([4, 4], 2).forward(zeros([1, 4, 8]))).toThrow(/9 blocks/);
    expect(() => new nn.Fold([4, 4], 2).forward([1, 2] as never)).toThrow(ValueError);
  });
});

describe("Softmax2d", () => {
  it("is a softmax over the channels at every pixel of [N, C, H, W] or [C, H, W] (float64 reference)", () => {
    const arb = fc.record({ lead: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }), C: fc.integer({ min: 1, max: 6 }),
      H: fc.integer({ min: 1, max: 3 }), W: fc.integer({ min: 1, max: 3 }), dtype: dtypeArb, seed: fc.nat(1000) });
    fc.assert(fc.property(arb, ({ lead, C, H, W, dtype, seed }) => {
      const x = sample([...lead, C, H, W], seed, dtype, -6, 6);
      const y = new nn.Softmax2d().forward(x);
      expect(y.shape).toEqual(x.shape);
      const P = H * W, want = new Float64Array(x.size), spread = new Float64Array(x.size);
      for (let b = 0; b < prod(lead); b++) for (let q = 0; q < P; q++) {
        let max = -Infinity, min = Infinity, sum = 0;
        for (let c = 0; c < C; c++) { max = Math.max(max, x.data[(b * C + c) * P + q]); min = Math.min(min, x.data[(b * C + c) * P + q]); }
        for (let c = 0; c < C; c++) sum += Math.exp(x.data[(b * C + c) * P + q] - max);
        for (let c = 0; c < C; c++) {
          want[(b * C + c) * P + q] = Math.exp(x.data[(b * C + c) * P + q] - max) / sum;
          spread[(b * C + c) * P + q] = max - min;
        }
      }
      // exp of each shifted input (condition |x − max| ≤ the pixel's spread), a sum of C of them
      // and one division: γ(C + 4) plus 2u·spread, relative.
      expectWithin(y.data, want, (i) => (gammaOf(dtype, C + 4) + 2 * unitOf(dtype) * spread[i]) * want[i] + ETA32, "Softmax2d");
    }), { numRuns: 120 });
  });

  it("gradient by central differences, and other ranks refused", () => {
    const m = new nn.Softmax2d();
    assertGradByDifferences((x) => m.forward(x), [float64Input([2, 3, 2, 2], 3)], "Softmax2d");
    assertGradByDifferences((x) => m.forward(x), [float64Input([4, 1, 3], 4)], "Softmax2d unbatched");
    expect(() => m.forward(zeros([3, 4]))).toThrow(/Softmax2d: expected a 3-d \[C, H, W\] or 4-d \[N, C, H, W\] input, got shape \[3,4\]/);
    expect(() => m.forward(zeros([1, 2, 3, 4, 5]))).toThrow(ShapeError);
    expect(() => m.forward("x" as never)).toThrow(ValueError);
  });
});

type Mode = "constant" | "reflect" | "replicate" | "circular";

/** The input position output position j of a padded dim reads, or −1 for the fill. */
function source(j: number, n: number, before: number, mode: Mode): number {
  const i = j - before;
  if (mode === "constant") return i >= 0 && i < n ? i : -1;
  if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
  if (mode === "circular") return ((i % n) + n) % n;
  return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

/** x padded over its last pads.length/2 dims (pairs from the last dim), as a flat list and shape. */
function padReference(x: Tensor, pads: number[], mode: Mode, fill: number): { shape: number[]; data: number[] } {
  const dims = pads.length / 2, lead = x.shape.slice(0, x.ndim - dims), inner = x.shape.slice(x.ndim - dims);
  const before = inner.map((_, i) => pads[2 * (dims - 1 - i)]);
  const outInner = inner.map((n, i) => n + before[i] + pads[2 * (dims - 1 - i) + 1]);
  const data: number[] = [];
  const index = new Array<number>(dims).fill(0);
  for (let b = 0; b < prod(lead); b++) {
    for (let o = 0; o < prod(outInner); o++) {
      let rest = o, flat = 0, inside = true;
      for (let i = dims - 1; i >= 0; i--) { index[i] = rest % outInner[i]; rest = Math.floor(rest / outInner[i]); }
      for (let i = 0; i < dims; i++) {
        const src = source(index[i], inner[i], before[i], mode);
        if (src < 0) inside = false;
        flat = flat * inner[i] + src;
      }
      data.push(inside ? x.data[b * prod(inner) + flat] : fill);
    }
  }
  return { shape: [...lead, ...outInner], data };
}

describe("padding modules: 1-d and 3-d, circular", () => {
  const kinds = ["ZeroPad1d", "ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"] as const;
  const dimsOf = (kind: string) => Number(kind.at(-2));
  const modeOf = (kind: string): Mode =>
    kind.startsWith("Reflection") ? "reflect" : kind.startsWith("Replication") ? "replicate" : kind.startsWith("Circular") ? "circular" : "constant";

  it("match a loop reference for every mode, cropping with negative amounts where the mode allows (exact)", () => {
    const arb = fc.record({
      kind: fc.constantFrom(...kinds), batched: fc.boolean(), sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
      pads: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 6, maxLength: 6 }), scalar: fc.boolean(), dtype: dtypeArb, seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ kind, batched, sizes, pads, scalar, dtype, seed }) => {
      const dims = dimsOf(kind), mode = modeOf(kind);
      const shape = [...(batched ? [2] : []), ...sizes.slice(0, dims + 1)];
      const inner = shape.slice(-dims);
      // Keep every amount within what the mode can take of its dim (size − 1 to reflect, the size to wrap, ≥ 0 to wrap).
      const limit = (i: number) => { const n = inner[dims - 1 - (i >> 1)]; return mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity; };
      // Cropping (−1) only where the mode allows it and the dim keeps at least one entry to crop from each end.
      const low = (i: number) => (mode === "circular" || mode === "reflect" || inner[dims - 1 - (i >> 1)] < 2 ? 0 : -1);
      const p = scalar
        ? new Array<number>(2 * dims).fill(Math.max(...pads.slice(0, 2 * dims).map((_, i) => low(i)), Math.min(pads[0], ...pads.slice(0, 2 * dims).map((_, i) => limit(i)))))
        : pads.slice(0, 2 * dims).map((v, i) => Math.max(low(i), Math.min(v, limit(i))));
      const x = sample(shape, seed, dtype);
      const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[kind];
      const m = kind === "ConstantPad3d" ? new Ctor(scalar ? p[0] : p, -2.5) : new Ctor(scalar ? p[0] : p);
      const y = m.forward(x) as Tensor;
      const want = padReference(x, p, mode, kind === "ConstantPad3d" ? -2.5 : 0);
      expect(y.shape).toEqual(want.shape);
      expect(list(y)).toEqual(want.data);
      expect((m as unknown as { padding: number[] }).padding).toEqual(p);
    }), { numRuns: 250 });
  });

  it("gradients by central differences", () => {
    const x3 = float64Input([1, 2, 3, 3, 4], 5);
    const modules3 = [new nn.ReflectionPad3d([2, 1, 1, 2, 0, 2]), new nn.ReplicationPad3d([1, 3, -1, 2, 2, 0]), new nn.ConstantPad3d([1, -1, 2, 0, 1, 1], 4),
      new nn.ZeroPad3d(1), new nn.CircularPad3d([1, 2, 3, 0, 2, 1])];
    for (const m of modules3) assertGradByDifferences((t) => m.forward(t), [x3], m.constructor.name);
    const x2 = float64Input([2, 3, 4], 6);
    for (const m of [new nn.CircularPad2d([2, 1, 0, 3]), new nn.CircularPad1d([4, 1]), new nn.ZeroPad1d([-1, 2])]) {
      assertGradByDifferences((t) => m.forward(t), [x2], m.constructor.name);
    }
  });

  it("refuse bad padding, ranks and amounts with typed errors", () => {
    expect(() => new nn.ZeroPad3d([1, 2, 3, 4])).toThrow(/6 integers \(left, right, top, bottom, front, back\)/);
    expect(() => new nn.ZeroPad1d([1, 2, 3, 4])).toThrow(/2 integers \(left, right\)/);
    expect(() => new nn.ConstantPad3d(1, "0" as never)).toThrow(ValueError);
    expect(() => new nn.ReflectionPad3d(1.5)).toThrow(ValueError);
    expect(() => new nn.CircularPad2d([1, -1, 0, 0])).toThrow(/CircularPad2d: padding must be non-negative in circular mode/);
    expect(() => new nn.CircularPad1d(-1)).toThrow(ValueError);
    expect(() => new nn.ReflectionPad3d(1).forward(zeros([2, 3, 3]))).toThrow(/4-d or 5-d/);
    expect(() => new nn.ReplicationPad3d(1).forward(zeros([1, 1, 1, 2, 3, 3]))).toThrow(ShapeError);
    expect(() => new nn.CircularPad1d(1).forward(zeros([4]))).toThrow(/2-d or 3-d/);
    expect(() => new nn.CircularPad2d(1).forward(zeros([1, 1, 1, 2, 2]))).toThrow(ShapeError);
    expect(() => new nn.CircularPad3d(1).forward(zeros([2, 2, 2]))).toThrow(ShapeError);
    expect(() => new nn.ConstantPad3d(1, 0).forward(zeros([2, 2]))).toThrow(/at least 3 dims/);
    expect(() => new nn.ZeroPad1d(1).forward(zeros([]))).toThrow(ShapeError);
    expect(() => new nn.ReflectionPad3d([0, 0, 0, 0, 2, 0]).forward(zeros([1, 2, 3, 3]))).toThrow(/less than/);
    expect(() => new nn.CircularPad1d(3).forward(zeros([1, 2]))).toThrow(/at most/);
    expect(() => new nn.ZeroPad3d(-2).forward(zeros([1, 3, 3, 3]))).toThrow(ShapeError);
  });
});
