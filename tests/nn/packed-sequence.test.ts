// eg.nn.utils.rnn's packing: packPaddedSequence against the packed layout written out from its
// definition (step by step, the still-running sequences longest first), padPackedSequence back to
// the padded batch, packSequence / unpackSequence / unpadSequence round trips, gradients through
// packing and padding by finite differences, and the argument checks. Packing only moves values,
// so every comparison is exact.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTypeError, nn, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch, project } from "../support/grad-leaves.js";

const { rnn } = nn.utils;

interface PackCase { T: number; B: number; F: number[]; lengths: number[]; batchFirst: boolean; enforceSorted: boolean; seed: number }

const packCaseArb: fc.Arbitrary<PackCase> = fc.record({
  T: fc.integer({ min: 1, max: 6 }), B: fc.integer({ min: 1, max: 5 }),
  F: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), batchFirst: fc.boolean(), enforceSorted: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1e6 }),
}).chain((c) => fc.array(fc.integer({ min: 1, max: c.T }), { minLength: c.B, maxLength: c.B }).map((lengths) => ({
  ...c, lengths: c.enforceSorted ? lengths.slice().sort((a, b) => b - a) : lengths,
})));

const featureCount = (c: PackCase) => c.F.reduce((a, b) => a * b, 1);

/** The padded input of a case: values drawn per (t, b), in the case's layout. */
function paddedInput(c: PackCase, dtype: "float32" | "float64"): { x: Tensor; at: (t: number, b: number) => number[] } {
  const rng = new Rng(c.seed), Fn = featureCount(c);
  const vals = Array.from({ length: c.T }, () => Array.from({ length: c.B }, () => Array.from({ length: Fn }, () => Math.round(rng.uniform() * 2000 - 1000) / 8)));
  const flat: number[] = [];
  if (c.batchFirst) for (let b = 0; b < c.B; b++) for (let t = 0; t < c.T; t++) flat.push(...vals[t][b]);
  else for (let t = 0; t < c.T; t++) for (let b = 0; b < c.B; b++) flat.push(...vals[t][b]);
  const shape = [...(c.batchFirst ? [c.B, c.T] : [c.T, c.B]), ...c.F];
  const x = new Tensor(dtype === "float32" ? Float32Array.from(flat) : Float64Array.from(flat), dtype, shape);
  return { x, at: (t, b) => vals[t][b] };
}

/** The batch positions longest first; equal lengths keep their order. */
function longestFirst(lengths: number[]): number[] {
  const order: number[] = [];
  for (let n = Math.max(...lengths); n >= 1; n--) lengths.forEach((len, b) => { if (len === n) order.push(b); });
  return order;
}

describe("packPaddedSequence and padPackedSequence", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`pack matches the definition and pad restores the batch (${dtype})`, () => {
      fc.assert(fc.property(packCaseArb, fc.constantFrom(0, -2.5), fc.integer({ min: 0, max: 2 }), (c, paddingValue, extra) => {
        const { x, at } = paddedInput(c, dtype);
        const p = rnn.packPaddedSequence(x, c.lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
        const order = longestFirst(c.lengths), maxLen = Math.max(...c.lengths);
        const wantData: number[] = [], wantSizes: number[] = [];
        for (let t = 0; t < maxLen; t++) {
          const running = order.filter((b) => c.lengths[b] > t);
          wantSizes.push(running.length);
          for (const b of running) wantData.push(...at(t, b));
        }
        expect(p.batchSizes).toEqual(wantSizes);
        expect(p.data.shape).toEqual([wantData.length / featureCount(c), ...c.F]);
        expect(Array.from(p.data.data as ArrayLike<number>)).toEqual(wantData);
        expect(p.data.dtype).toBe(dtype);
        if (c.enforceSorted) expect([p.sortedIndices, p.unsortedIndices]).toEqual([null, null]);
        else {
          expect(p.sortedIndices).toEqual(order);
          order.forEach((b, k) => expect(p.unsortedIndices![b]).toBe(k));
        }
        const T = maxLen + extra;
        const [padded, lengths] = rnn.padPackedSequence(p, { batchFirst: c.batchFirst, paddingValue, totalLength: T });
        expect(lengths).toEqual(c.lengths);
        expect(padded.shape).toEqual([...(c.batchFirst ? [c.B, T] : [T, c.B]), ...c.F]);
        const got = Array.from(padded.data as ArrayLike<number>), Fn = featureCount(c);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < c.B; b++) {
            const at0 = (c.batchFirst ? b * T + t : t * c.B + b) * Fn;
            const want = t < c.lengths[b] ? at(t, b) : new Array<number>(Fn).fill(paddingValue);
            expect(got.slice(at0, at0 + Fn)).toEqual(want);
          }
        }
      }), { numRuns: 80 });
    });
  }

  it("gradients flow from the packed data to the padded input and back", () => {
    fc.assert(fc.property(packCaseArb, (c) => {
      const { x } = paddedInput(c, "float64");
      x.requiresGrad = true;
      const o = { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted };
      noMismatch(findGradMismatches(() => project(rnn.packPaddedSequence(x, c.lengths, o).data, c.seed), [x]));
      const packed = rnn.packPaddedSequence(x.detach(), c.lengths, o);
      const data = new Tensor(Float64Array.from(packed.data.data), "float64", packed.data.shape.slice());
      data.requiresGrad = true;
      const again = () => new rnn.PackedSequence(data, packed.batchSizes, packed.sortedIndices, packed.unsortedIndices);
      noMismatch(findGradMismatches(() => project(rnn.padPackedSequence(again(), { batchFirst: c.batchFirst, paddingValue: 3 })[0], c.seed), [data]));
      // Only the valid positions of the input reach the packed data: the padding gets zero gradient.
      x.grad = null;
      rnn.packPaddedSequence(x, c.lengths, o).data.sum().backward();
      const Fn = featureCount(c), g = x.grad!.data;
      for (let t = 0; t < c.T; t++) {
        for (let b = 0; b < c.B; b++) {
          const at0 = (c.batchFirst ? b * c.T + t : t * c.B + b) * Fn;
          for (let f = 0; f < Fn; f++) expect(g[at0 + f]).toBe(t < c.lengths[b] ? 1 : 0);
        }
      }
    }), { numRuns: 15 });
  });
});

describe("packSequence, unpackSequence and unpadSequence", () => {
  it("round-trip a list of sequences and a padded batch", () => {
    fc.assert(fc.property(packCaseArb, (c) => {
      const { x } = paddedInput({ ...c, batchFirst: true }, "float64");
      const seqs = c.lengths.map((n, b) => x.slice(b, [0, n]));
      const p = rnn.packSequence(seqs, { enforceSorted: c.enforceSorted });
      const viaPadded = rnn.packPaddedSequence(rnn.padSequence(seqs), c.lengths, { enforceSorted: c.enforceSorted });
      expect(p.batchSizes).toEqual(viaPadded.batchSizes);
      expect(Array.from(p.data.data)).toEqual(Array.from(viaPadded.data.data));
      const back = rnn.unpackSequence(p);
      expect(back.map((s) => s.shape)).toEqual(seqs.map((s) => s.shape));
      back.forEach((s, b) => expect(Array.from(s.data)).toEqual(Array.from(seqs[b].data)));
      const unpadded = rnn.unpadSequence(x, c.lengths, { batchFirst: true });
      unpadded.forEach((s, b) => expect(Array.from(s.data)).toEqual(Array.from(seqs[b].data)));
      const timeFirst = rnn.unpadSequence(x.transpose(0, 1), c.lengths);
      timeFirst.forEach((s, b) => expect(Array.from(s.data)).toEqual(Array.from(seqs[b].data)));
    }), { numRuns: 40 });
  });

  it("eg.nn.utils.padSequence is the same function", () => {
    expect(rnn.padSequence).toBe(nn.utils.padSequence);
  });
});

describe("packing refuses bad input with typed errors", () => {
  const x = new Tensor(new Float64Array(4 * 3 * 2), "float64", [4, 3, 2]);
  it("lengths", () => {
    expect(() => rnn.packPaddedSequence(x, [2, 3, 1])).toThrow(ValueError);
    expect(() => rnn.packPaddedSequence(x, [2, 3, 1])).toThrow(/decreasing/);
    expect(() => rnn.packPaddedSequence(x, [3, 0, 0], { enforceSorted: false })).toThrow(/at least one step/);
    expect(() => rnn.packPaddedSequence(x, [5, 1, 1])).toThrow(/more than the input's 4/);
    expect(() => rnn.packPaddedSequence(x, [3, 1])).toThrow(ShapeError);
    expect(() => rnn.packPaddedSequence(x, [3, 1.5, 1])).toThrow(ValueError);
    expect(() => rnn.packPaddedSequence(x, new Tensor(new Uint8Array(3), "bool", [3]))).toThrow(DTypeError);
    expect(() => rnn.packPaddedSequence(x, [4, 3, 2, 1], { batchFirst: true })).toThrow(/more than the input's 3/);
  });
  it("inputs and options", () => {
    expect(() => rnn.packPaddedSequence(new Tensor(new Float64Array(3), "float64", [3]), [1])).toThrow(ShapeError);
    expect(() => rnn.packPaddedSequence(x, [3, 2, 1], { sorted: true } as never)).toThrow(ValueError);
    const p = rnn.packPaddedSequence(x, [3, 2, 1]);
    expect(() => rnn.padPackedSequence(p, { totalLength: 2 })).toThrow(/totalLength 2 is less than/);
    expect(() => rnn.padPackedSequence(p, { total_length: 4 } as never)).toThrow(ValueError);
    expect(() => rnn.packSequence([x.slice(0)], { enforce_sorted: false } as never)).toThrow(ValueError);
    expect(() => rnn.unpadSequence(x, [1, 2, 3], { batch_first: true } as never)).toThrow(ValueError);
    expect(() => rnn.padPackedSequence(p, { paddingValue: "0" as never })).toThrow(DTypeError);
    expect(() => rnn.padPackedSequence(x as never)).toThrow(ValueError);
    expect(() => rnn.packSequence([x.slice([0, 1], 0), x.slice([0, 3], 0)])).toThrow(ValueError);
    expect(() => rnn.unpadSequence(x, [1, 2])).toThrow(ShapeError);
    expect(() => rnn.unpadSequence(x, [1, 2, 5])).toThrow(ValueError);
  });
  it("PackedSequence's fields", () => {
    const d = new Tensor(new Float64Array(6), "float64", [3, 2]);
    expect(() => new rnn.PackedSequence(d, [1, 2])).toThrow(/never increase/);
    expect(() => new rnn.PackedSequence(d, [2, 2])).toThrow(ShapeError);
    expect(() => new rnn.PackedSequence(d, [2, 1], [0, 0])).toThrow(/permutation/);
    expect(() => new rnn.PackedSequence(d, [2, 1], [1, 0], [0, 1])).toThrow(/inverse/);
    expect(new rnn.PackedSequence(d, [2, 1], [1, 0]).unsortedIndices).toEqual([1, 0]);
  });
});
