// F.pad, F.oneHot, F.unfold / F.fold, F.gumbelSoftmax, F.pdist and eg.nn.utils (padSequence,
// parametersToVector, vectorToParameters, the clipping re-exports): against float64 references
// written here (plain loops) over shapes drawn by fast-check — exact for the data movements (pad,
// oneHot, unfold), fold's sums and the fold∘unfold adjointness within bounds derived from the
// number of terms — gradients by central differences, the PyTorch 1.13 cases of
// scripts/torch-parity/functional_extra.py (tests/parity/cases/functional-extra.json), values
// from PyTorch 1.13 written in, and the typed errors.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, fromTypedArray, nn, Rng, ShapeError, tensor, Tensor, ValueError } from "../../src/index.js";
import { runCallCase, type CallCase } from "../parity/run-case.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { gammaOf, sampleTensor as sample, unitOf as unit } from "../support/reference.js";
import { U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;
type FloatDType = "float32" | "float64";
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

const leaf = (x: Tensor): Tensor => { const t = new Tensor(x.data.slice(), x.dtype, x.shape.slice()); t.requiresGrad = true; return t; };
/** Row-major strides of a shape. */
const stridesOf = (shape: readonly number[]) => shape.map((_, i) => prod(shape.slice(i + 1)));

// ---- float64 references (plain loops) ----

function refPad(x: number[], shape: number[], pads: number[], mode: string, value: number): { data: number[]; shape: number[] } {
  const nd = shape.length, before = shape.map(() => 0), after = shape.map(() => 0);
  for (let i = 0; i < pads.length / 2; i++) { before[nd - 1 - i] = pads[2 * i]; after[nd - 1 - i] = pads[2 * i + 1]; }
  const out = shape.map((n, d) => n + before[d] + after[d]), xs = stridesOf(shape), os = stridesOf(out);
  const data = new Array<number>(prod(out));
  for (let o = 0; o < data.length; o++) {
    let src = 0, inside = true;
    for (let d = 0; d < nd; d++) {
      const n = shape[d];
      let i = Math.floor(o / os[d]) % out[d] - before[d];
      if (mode === "constant") { if (i < 0 || i >= n) inside = false; }
      else if (mode === "replicate") i = Math.min(Math.max(i, 0), n - 1);
      else if (mode === "circular") i = ((i % n) + n) % n;
      else i = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
      src += i * xs[d];
    }
    data[o] = inside ? x[src] : value;
  }
  return { data, shape: out };
}

interface Geo { k: number[]; d: number[]; p: number[]; s: number[] }
const blocksOf = (hw: number[], g: Geo) => [0, 1].map((i) => Math.floor((hw[i] + 2 * g.p[i] - g.d[i] * (g.k[i] - 1) - 1) / g.s[i]) + 1);

/** Calls visit(imageIndex, columnIndex) for every tap of every block that lands inside the image. */
function forTaps(N: number, C: number, hw: number[], g: Geo, visit: (img: number, col: number) => void): void {
  const nb = blocksOf(hw, g), L = nb[0] * nb[1], kk = g.k[0] * g.k[1];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let ki = 0; ki < g.k[0]; ki++) for (let kj = 0; kj < g.k[1]; kj++) {
    for (let oi = 0; oi < nb[0]; oi++) for (let oj = 0; oj < nb[1]; oj++) {
      const h = oi * g.s[0] - g.p[0] + ki * g.d[0], w = oj * g.s[1] - g.p[1] + kj * g.d[1];
      if (h < 0 || h >= hw[0] || w < 0 || w >= hw[1]) continue;
      visit(((n * C + c) * hw[0] + h) * hw[1] + w, ((n * C + c) * kk + ki * g.k[1] + kj) * L + oi * nb[1] + oj);
    }
  }
}
function refUnfold(x: number[], N: number, C: number, hw: number[], g: Geo): number[] {
  const nb = blocksOf(hw, g), out = new Array<number>(N * C * g.k[0] * g.k[1] * nb[0] * nb[1]).fill(0);
  forTaps(N, C, hw, g, (i, j) => { out[j] = x[i]; });
  return out;
}
function refFold(y: number[], N: number, C: number, hw: number[], g: Geo): { sum: number[]; abs: number[] } {
  const sum = new Array<number>(N * C * hw[0] * hw[1]).fill(0), abs = sum.slice();
  forTaps(N, C, hw, g, (i, j) => { sum[i] += y[j]; abs[i] += Math.abs(y[j]); });
  return { sum, abs };
}

const geoArb = fc.record({
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
});
const foldArb = fc.record({
  N: fc.integer({ min: 0, max: 2 }), C: fc.integer({ min: 1, max: 3 }), batched: fc.boolean(),
  extra: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), g: geoArb,
  dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.integer({ min: 1, max: 1e6 }),
});
/** An image size with at least one block: the dilated kernel's extent minus the padding, plus extra. */
const sizeFor = (g: Geo, extra: number[]) => [0, 1].map((i) => Math.max(1, g.d[i] * (g.k[i] - 1) + 1 - 2 * g.p[i]) + extra[i]);
const opts = (g: Geo) => ({ dilation: g.d as [number, number], padding: g.p as [number, number], stride: g.s as [number, number] });

describe("the namespaces", () => {
  it("eg.nn.functional has pad, oneHot, unfold, fold, gumbelSoftmax and pdist; pad is eg.pad", () => {
    for (const n of ["pad", "oneHot", "unfold", "fold", "gumbelSoftmax", "pdist"]) expect(typeof (F as Record<string, unknown>)[n], n).toBe("function");
    expect(F.pad).toBe(eg.pad);
  });
  it("eg.nn.utils has torch.nn.utils' names; the clipping is eg.optim's", () => {
    const U = nn.utils;
    for (const n of ["padSequence", "parametersToVector", "vectorToParameters", "clipGradNorm", "clipGradValue"]) {
      expect(typeof (U as Record<string, unknown>)[n], n).toBe("function");
    }
    expect(U.clipGradNorm).toBe(eg.optim.clipGradNorm);
    expect(U.clipGradValue).toBe(eg.optim.clipGradValue);
    expect(eg.nn.utils).toBe(U);
  });
});

describe("F.pad", () => {
  it("equals the float64 reference exactly in every mode (fast-check)", () => {
    const arb = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), mode: fc.constantFrom("constant", "reflect", "replicate", "circular"),
      amounts: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 8, maxLength: 8 }), dims: fc.integer({ min: 1, max: 4 }),
      value: fc.constantFrom(0, 1.5, -2), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(fc.property(arb, ({ shape, mode, amounts, dims, value, dtype, seed }) => {
      const nd = Math.min(dims, shape.length), pads: number[] = [];
      for (let i = 0; i < 2 * nd; i++) {
        const n = shape[shape.length - 1 - Math.floor(i / 2)];
        // The largest amount each mode allows; constant may crop (negative), the others pad here.
        const hi = mode === "reflect" ? n - 1 : mode === "circular" ? n : 4;
        pads.push(mode === "constant" ? Math.max(amounts[i], -Math.floor(n / 2)) : Math.min(Math.max(amounts[i], 0), hi));
      }
      const x = sample(shape, seed, dtype);
      const y = F.pad(x, pads, mode === "constant" ? { mode, value } : { mode: mode as "reflect" });
      const want = refPad(list(x), shape, pads, mode, value);
      expect(y.shape).toEqual(want.shape);
      expect(y.dtype).toBe(dtype);
      expect(list(y)).toEqual(want.data);
    }), { numRuns: 150 });
  });
  it("has gradients by central differences (reflect, circular, constant with cropping)", () => {
    assertGradByDifferences((x) => F.pad(x, [2, 1, 1, 2], { mode: "reflect" }), [float64Input([2, 3, 4], 1)], "pad reflect");
    assertGradByDifferences((x) => F.pad(x, [3, 1], { mode: "circular" }), [float64Input([2, 3], 2)], "pad circular");
    assertGradByDifferences((x) => F.pad(x, [-1, 2, 1, 0], { value: 3 }), [float64Input([2, 3], 3)], "pad constant");
  });
  it("PyTorch 1.13's values", () => {
    // torch.nn.functional.pad(torch.zeros(2, 0), [1, 1], value=3) and pad([[1., 2, 3]], [2, 1], mode="reflect").
    expect(F.pad(eg.zeros([2, 0]), [1, 1], { value: 3 }).toArray()).toEqual([[3, 3], [3, 3]]);
    expect(F.pad(tensor([[1, 2, 3]]), [2, 1], { mode: "reflect" }).toArray()).toEqual([[3, 2, 1, 2, 3, 2]]);
  });
});

describe("F.oneHot", () => {
  it("is int32 with a 1 at each label (fast-check, exact)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (labels, more) => {
      const k = Math.max(...labels) + 1 + more;
      const y = F.oneHot(tensor(labels, { dtype: "int32" }), more === 0 ? undefined : k);
      expect(y.dtype).toBe("int32");
      expect(y.shape).toEqual([labels.length, k]);
      const want = labels.flatMap((l) => Array.from({ length: k }, (_, c) => (c === l ? 1 : 0)));
      expect(list(y)).toEqual(want);
    }));
  });
  it("PyTorch 1.13's values: 0-d and [2, 1] inputs", () => {
    // F.one_hot(torch.tensor(2), 4) → [0, 0, 1, 0]; F.one_hot(torch.tensor([[1], [0]])) → [[[0, 1]], [[1, 0]]].
    expect(F.oneHot(tensor(2, { dtype: "int32" }), 4).toArray()).toEqual([0, 0, 1, 0]);
    expect(F.oneHot(tensor([[1], [0]], { dtype: "int32" })).toArray()).toEqual([[[0, 1]], [[1, 0]]]);
  });
  it("typed errors: float labels, out-of-range labels, an empty input with no numClasses", () => {
    expect(() => F.oneHot(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => F.oneHot(tensor([0, 3], { dtype: "int32" }), 3)).toThrow(/label 3 at index 1/);
    expect(() => F.oneHot(tensor([0, -1], { dtype: "int32" }))).toThrow(ValueError);
    // PyTorch 1.13: "Can not infer total number of classes from empty tensor."
    expect(() => F.oneHot(eg.zeros([0], { dtype: "int32" }))).toThrow(/empty/);
    expect(() => F.oneHot([1, 2] as never)).toThrow(ValueError);
  });
});

describe("F.unfold and F.fold", () => {
  it("unfold equals the im2col reference exactly (fast-check)", () => {
    fc.assert(fc.property(foldArb, ({ N, C, batched, extra, g, dtype, seed }) => {
      const hw = sizeFor(g, extra), n = batched ? N : 1;
      const x = sample(batched ? [N, C, ...hw] : [C, ...hw], seed, dtype);
      const y = F.unfold(x, g.k as [number, number], opts(g));
      const nb = blocksOf(hw, g), rows = C * g.k[0] * g.k[1];
      expect(y.shape).toEqual(batched ? [N, rows, nb[0] * nb[1]] : [rows, nb[0] * nb[1]]);
      expect(y.dtype).toBe(dtype);
      expect(list(y)).toEqual(refUnfold(list(x), n, C, hw, g));
    }), { numRuns: 150 });
  });

  it("fold equals the col2im reference within γ(kh·kw) of its summed magnitudes, and is unfold's adjoint (fast-check)", () => {
    fc.assert(fc.property(foldArb, ({ N, C, batched, extra, g, dtype, seed }) => {
      const hw = sizeFor(g, extra), n = batched ? N : 1, nb = blocksOf(hw, g), kk = g.k[0] * g.k[1];
      const colShape = batched ? [N, C * kk, nb[0] * nb[1]] : [C * kk, nb[0] * nb[1]];
      const cols = sample(colShape, seed, dtype);
      const img = F.fold(cols, hw as [number, number], g.k as [number, number], opts(g));
      expect(img.shape).toEqual(batched ? [N, C, ...hw] : [C, ...hw]);
      const want = refFold(list(cols), n, C, hw, g), got = list(img);
      // Each pixel sums at most kh·kw taps in some order.
      want.sum.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(gammaOf(dtype, kk) * want.abs[i]));
      // ⟨unfold(x), y⟩ = ⟨x, fold(y)⟩: both sides in float64 from the op's outputs; fold's roundings
      // bound the difference by γ(kh·kw)·Σ|x|·|y| over the taps, the dot products' by γ(count)·that sum.
      const x = sample(batched ? [N, C, ...hw] : [C, ...hw], seed + 7, dtype), xs = list(x), us = list(F.unfold(x, g.k as [number, number], opts(g)));
      const ys = list(cols);
      let lhs = 0, rhs = 0, mag = 0;
      us.forEach((u, j) => { lhs += u * ys[j]; mag += Math.abs(u * ys[j]); });
      xs.forEach((v, i) => { rhs += v * got[i]; });
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual((gammaOf(dtype, kk + 1) + gammaOf("float64", us.length + xs.length + 2)) * mag);
    }), { numRuns: 150 });
  });

  it("have gradients by central differences (each is the other's backward)", () => {
    const g = { dilation: [2, 1] as [number, number], padding: [1, 0] as [number, number], stride: [1, 2] as [number, number] };
    assertGradByDifferences((x) => F.unfold(x, [2, 3], g), [float64Input([2, 2, 5, 6], 4)], "unfold");
    assertGradByDifferences((x) => F.unfold(x, 2, { stride: 1, padding: 1 }), [float64Input([2, 3, 3], 5)], "unfold unbatched");
    // fold([2, 2·6, L]) into 5×6 with the same geometry: L = 5·2 blocks.
    assertGradByDifferences((c) => F.fold(c, [5, 6], [2, 3], g), [float64Input([2, 12, 10], 6)], "fold");
    assertGradByDifferences((c) => F.fold(c, 3, 2, { stride: 1 }), [float64Input([4, 4], 7)], "fold unbatched");
  });

  it("the gradient of float32 unfold is fold of the cotangent, exactly", () => {
    const x = leaf(sample([1, 2, 4, 4], 9)), y = F.unfold(x, 3, { padding: 1, stride: 2 });
    const cot = sample(y.shape.slice(), 10);
    y.mul(cot).sum().backward();
    expect(list(x.grad!)).toEqual(list(F.fold(cot, 4, 3, { padding: 1, stride: 2 })));
  });

  it("PyTorch 1.13's values: a 1×1 kernel is a reshape, fold of ones counts the blocks over each pixel", () => {
    expect(F.unfold(eg.arange(8).reshape([1, 2, 2, 2]), 1).toArray()).toEqual([[[0, 1, 2, 3], [4, 5, 6, 7]]]);
    // F.fold(torch.ones(1, 4, 4), (3, 3), 2)
    expect(F.fold(eg.ones([1, 4, 4]), [3, 3], 2).toArray()).toEqual([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
  });

  it("typed errors name the argument", () => {
    const x = eg.zeros([1, 1, 2, 2]);
    // PyTorch 1.13: "calculated shape of the array of sliding blocks as (0, 0), but its components must be at least one."
    expect(() => F.unfold(x, 3)).toThrow(ShapeError);
    expect(() => F.unfold(eg.zeros([2, 2]), 1)).toThrow(/\[N, C, H, W\]/);
    expect(() => F.unfold(x, 0)).toThrow(/kernelSize/);
    expect(() => F.unfold(x, 1, { stride: 0 })).toThrow(/stride/);
    expect(() => F.unfold(x, 1, { padding: -1 })).toThrow(/padding/);
    expect(() => F.unfold(x, [1, 1, 1] as never)).toThrow(ValueError);
    expect(() => F.unfold(x, 1, { step: 1 } as never)).toThrow(/unknown option "step"/);
    expect(() => F.unfold(eg.zeros([1, 1, 2, 2], { dtype: "int32" }), 1)).toThrow(DTypeError);
    expect(() => F.fold(eg.zeros([1, 5, 4]), 3, 2)).toThrow(/divisible/);
    expect(() => F.fold(eg.zeros([1, 4, 5]), 3, 2)).toThrow(/4 blocks/);
    expect(() => F.fold(eg.zeros([4]), 3, 2)).toThrow(ShapeError);
    expect(() => F.fold(eg.zeros([4, 4]), [3, 0] as never, 2)).toThrow(/outputSize/);
  });
});

describe("F.gumbelSoftmax", () => {
  /** The Gumbel noise the op draws from Rng(seed): −log(−log(1 − u)), in element order. */
  const gumbels = (n: number, seed: number) => { const r = new Rng(seed); return Array.from({ length: n }, () => -Math.log(-Math.log(1 - r.uniform()))); };

  it("is softmax((logits + g)/τ) over dim, g the seeded Gumbel draws (fast-check against float64 loops)", () => {
    const arb = fc.record({
      outer: fc.integer({ min: 1, max: 3 }), size: fc.integer({ min: 1, max: 5 }), inner: fc.integer({ min: 1, max: 3 }),
      tau: fc.constantFrom(0.5, 1, 2.5), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(fc.property(arb, ({ outer, size, inner, tau, dtype, seed }) => {
      const x = sample([outer, size, inner], seed, dtype), xs = list(x);
      const y = list(F.gumbelSoftmax(x, { tau, dim: 1, seed }));
      const noise = gumbels(xs.length, seed);
      const t = dtype === "float32" ? (v: number) => Math.fround(v) : (v: number) => v;
      for (let a = 0; a < outer; a++) for (let i = 0; i < inner; i++) {
        const at = (k: number) => (a * size + k) * inner + i;
        const z = Array.from({ length: size }, (_, k) => (xs[at(k)] + t(noise[at(k)])) / tau), m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m)), s = e.reduce((p, q) => p + q, 0);
        // The scaled logits are within a few roundings of z, and exp amplifies their error by |z − m|.
        const spread = Math.max(...z.map((v) => Math.abs(v - m))) + 1;
        e.forEach((v, k) => expect(Math.abs(y[at(k)] - v / s)).toBeLessThanOrEqual(gammaOf(dtype, 4 * size + 8) * spread * 4 * (v / s) + gammaOf(dtype, 2)));
      }
    }), { numRuns: 100 });
  });

  it("hard: the one-hot of each sample's argmax, whose gradient is the soft sample's", () => {
    const x = leaf(sample([4, 6], 3, "float64")), soft = F.gumbelSoftmax(x, { seed: 5, tau: 0.7 });
    const hard = F.gumbelSoftmax(x, { seed: 5, tau: 0.7, hard: true });
    const s = list(soft), h = list(hard);
    for (let r = 0; r < 4; r++) {
      const row = s.slice(r * 6, r * 6 + 6), best = row.indexOf(Math.max(...row));
      // y_hard − y_soft + y_soft: exactly 1 and 0 up to one rounding of the soft value.
      h.slice(r * 6, r * 6 + 6).forEach((v, k) => expect(Math.abs(v - (k === best ? 1 : 0))).toBeLessThanOrEqual(4 * U64));
    }
    const cot = sample([4, 6], 4, "float64");
    hard.mul(cot).sum().backward();
    const gHard = list(x.grad!);
    x.grad = null;
    soft.mul(cot).sum().backward();
    expect(gHard).toEqual(list(x.grad!));
  });

  it("draws from { rng } and the global generator as from { seed }; a 0-d input is 1", () => {
    const x = sample([3, 4], 6);
    expect(list(F.gumbelSoftmax(x, { rng: new Rng(9) }))).toEqual(list(F.gumbelSoftmax(x, { seed: 9 })));
    eg.manualSeed(11);
    const a = list(F.gumbelSoftmax(x));
    eg.manualSeed(11);
    expect(list(F.gumbelSoftmax(x))).toEqual(a);
    expect(F.gumbelSoftmax(tensor(2.5), { seed: 1 }).item()).toBe(1);
    // PyTorch 1.13: F.gumbel_softmax(torch.tensor([[1., 1.]]), hard=True) is one-hot whatever the draw.
    expect(list(F.gumbelSoftmax(tensor([[1, 1]]), { hard: true, seed: 2 })).sort()).toEqual([0, 1]);
  });

  it("has gradients by central differences (a fixed seed fixes the noise)", () => {
    assertGradByDifferences((x) => F.gumbelSoftmax(x, { seed: 3, tau: 0.8 }), [float64Input([3, 4], 8)], "gumbelSoftmax");
    assertGradByDifferences((x) => F.gumbelSoftmax(x, { seed: 3, dim: 0 }), [float64Input([3, 2], 9)], "gumbelSoftmax dim 0");
  });

  it("typed errors", () => {
    const x = sample([2, 3], 1);
    expect(() => F.gumbelSoftmax(x, { tau: 0 })).toThrow(/tau/);
    expect(() => F.gumbelSoftmax(x, { hard: 1 } as never)).toThrow(/hard/);
    expect(() => F.gumbelSoftmax(x, { dim: 2 })).toThrow(ValueError);
    expect(() => F.gumbelSoftmax(x, { eps: 1e-10 } as never)).toThrow(/unknown option "eps"/);
    expect(() => F.gumbelSoftmax(x, { seed: 1, rng: new Rng(1) })).toThrow(/seed or rng/);
    expect(() => F.gumbelSoftmax(tensor([1, 2], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

describe("F.pdist", () => {
  it("equals the upper triangle of the float64 distance matrix (fast-check)", () => {
    const arb = fc.record({
      n: fc.integer({ min: 0, max: 6 }), m: fc.integer({ min: 0, max: 5 }), p: fc.constantFrom(0, 0.5, 1, 2, 3, Infinity),
      dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(fc.property(arb, ({ n, m, p, dtype, seed }) => {
      const x = sample([n, m], seed, dtype), xs = list(x), y = list(F.pdist(x, p));
      expect(y.length).toBe(n < 2 ? 0 : (n * (n - 1)) / 2);
      let at = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++, at++) {
        const d = Array.from({ length: m }, (_, k) => Math.abs(xs[i * m + k] - xs[j * m + k]));
        const want = p === 0 ? d.filter((v) => v !== 0).length : p === Infinity ? Math.max(0, ...d) : d.reduce((s, v) => s + v ** p, 0) ** (1 / p);
        // m differences, their powers and sum, the root: a relative bound of a few roundings per term.
        expect(Math.abs(y[at] - want)).toBeLessThanOrEqual(gammaOf(dtype, 4 * m + 8) * Math.max(1, p === Infinity ? 1 : p) * want);
      }
    }), { numRuns: 150 });
  });
  it("has gradients by central differences", () => {
    [1, 2, 3, Infinity].forEach((p, i) => assertGradByDifferences((x) => F.pdist(x, p), [float64Input([4, 3], 10 + i)], `pdist p=${p}`));
  });
  it("PyTorch 1.13's values: NaN rows, equal rows (distance and gradient 0)", () => {
    // F.pdist(torch.tensor([[0., 1], [nan, 2], [3, 5]])) → [nan, 5, nan]
    const y = list(F.pdist(tensor([[0, 1], [NaN, 2], [3, 5]])));
    expect(Number.isNaN(y[0]) && y[1] === 5 && Number.isNaN(y[2])).toBe(true);
    expect(list(F.pdist(tensor([[1, 2], [1, 2]]), Infinity))).toEqual([0]);
    // x = [[1, 2], [1, 2], [0, 1]], F.pdist(x).sum().backward(): x.grad = [[.7071, .7071], [.7071, .7071], [-1.4142, -1.4142]]
    const x = leaf(tensor([[1, 2], [1, 2], [0, 1]], { dtype: "float64" }));
    F.pdist(x).sum().backward();
    const r = Math.SQRT1_2;
    list(x.grad!).forEach((v, i) => expect(Math.abs(v - [r, r, r, r, -2 * r, -2 * r][i])).toBeLessThanOrEqual(4 * U64));
    expect(F.pdist(eg.zeros([1, 3])).shape).toEqual([0]);
  });
  it("typed errors", () => {
    expect(() => F.pdist(eg.zeros([3]))).toThrow(ShapeError);
    // PyTorch 1.13: "pdist only supports non-negative p values"
    expect(() => F.pdist(eg.zeros([3, 2]), -1)).toThrow(/p must be a number ≥ 0/);
    expect(() => F.pdist(eg.zeros([3, 2], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

describe("eg.nn.utils", () => {
  const U = nn.utils;
  it("padSequence: [T, B, *] or [B, T, *] padded at the end (fast-check, exact)", () => {
    const arb = fc.record({
      lengths: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }), feat: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      batchFirst: fc.boolean(), value: fc.constantFrom(0, -1, 2.5), seed: fc.integer({ min: 1, max: 1e6 }),
    });
    fc.assert(fc.property(arb, ({ lengths, feat, batchFirst, value, seed }) => {
      const seqs = lengths.map((l, i) => sample([l, ...feat], seed + i));
      const y = U.padSequence(seqs, { batchFirst, paddingValue: value });
      const T = Math.max(...lengths), B = lengths.length, f = prod(feat);
      expect(y.shape).toEqual(batchFirst ? [B, T, ...feat] : [T, B, ...feat]);
      const got = list(y);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < f; k++) {
        const at = (batchFirst ? b * T + t : t * B + b) * f + k;
        expect(got[at]).toBe(t < lengths[b] ? list(seqs[b])[t * f + k] : value);
      }
    }), { numRuns: 100 });
  });
  it("padSequence: PyTorch 1.13's values and gradients", () => {
    // pad_sequence([a, b, c]) and pad_sequence(..., batch_first=True, padding_value=-1)
    const seqs = [tensor([1, 2]), tensor([3]), tensor([4, 5, 6])];
    expect(U.padSequence(seqs).toArray()).toEqual([[1, 3, 4], [2, 0, 5], [0, 0, 6]]);
    expect(U.padSequence(seqs, { batchFirst: true, paddingValue: -1 }).toArray()).toEqual([[1, 2, -1], [3, -1, -1], [4, 5, 6]]);
    assertGradByDifferences((a, b) => U.padSequence([a, b], { batchFirst: true }), [float64Input([3, 2], 1), float64Input([1, 2], 2)], "padSequence");
  });
  it("parametersToVector / vectorToParameters round-trip, with gradients through the first", () => {
    const model = new nn.Linear(3, 2, { seed: 1 });
    const v = U.parametersToVector(model.parameters());
    expect(v.shape).toEqual([8]);
    expect(list(v)).toEqual([...list(model.weight), ...list(model.bias!)]);
    v.mul(eg.arange(8)).sum().backward();
    expect(list(model.weight.grad!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(list(model.bias!.grad!)).toEqual([6, 7]);
    const w = model.weight;
    U.vectorToParameters(eg.arange(8).add(1), model.parameters());
    expect(model.weight).toBe(w); // written in place: optimizers holding the tensor see the values
    expect(model.weight.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(list(model.bias!)).toEqual([7, 8]);
    assertGradByDifferences((a, b) => U.parametersToVector([a, b]), [float64Input([2, 2], 3), float64Input([3], 4)], "parametersToVector");
  });
  it("typed errors leave the parameters as they were", () => {
    const model = new nn.Linear(3, 2, { seed: 1 }), before = list(U.parametersToVector(model.parameters()));
    expect(() => U.vectorToParameters(eg.zeros([7]), model.parameters())).toThrow(/7 elements, the parameters 8/);
    expect(() => U.vectorToParameters(eg.zeros([2, 4]), model.parameters())).toThrow(ShapeError);
    expect(() => U.vectorToParameters(eg.zeros([8], { dtype: "float64" }), model.parameters())).toThrow(DTypeError);
    expect(list(U.parametersToVector(model.parameters()))).toEqual(before);
    expect(() => U.parametersToVector([])).toThrow(ValueError);
    expect(() => U.parametersToVector(eg.zeros([2]) as never)).toThrow(ValueError);
    expect(() => U.parametersToVector([eg.zeros([2]), eg.zeros([2], { dtype: "float64" })])).toThrow(DTypeError);
    expect(() => U.padSequence([])).toThrow(ValueError);
    expect(() => U.padSequence([eg.zeros([2, 3]), eg.zeros([2, 2])])).toThrow(/trailing dims/);
    expect(() => U.padSequence([tensor(1)])).toThrow(ShapeError);
    expect(() => U.padSequence([eg.zeros([2])], { paddingValue: "0" } as never)).toThrow(DTypeError);
    expect(() => U.padSequence([eg.zeros([2])], { batch_first: true } as never)).toThrow(/unknown option "batch_first"/);
  });
});

describe("eg.nn.utils.weightNorm", () => {
  const U = nn.utils;
  /** Linear(3, 2) with PyTorch 1.13's example weight [[1, 2, 2], [0, 3, 4]] and a zero bias. */
  const example = () => {
    const m = new nn.Linear(3, 2, { seed: 1 });
    m.weight.storage.set([1, 2, 2, 0, 3, 4]);
    m.bias!.storage.fill(0);
    return m;
  };

  it("PyTorch 1.13's parameters, state-dict keys, values and gradients", () => {
    const m = U.weightNorm(example());
    expect(Object.keys(m.stateDict())).toEqual(["bias", "weight_g", "weight_v"]);
    expect(m.parameters().length).toBe(3);
    const sd = Object.fromEntries(m.namedParameters());
    expect(sd.weight_g.toArray()).toEqual([[3], [5]]);
    expect(sd.weight_v.toArray()).toEqual([[1, 2, 2], [0, 3, 4]]);
    sd.weight_g.storage.set([2, 10]);
    // PyTorch 1.13: m(tensor([[1., 1, 1]])) = [[3.3333, 14.0]]; after .sum().backward(),
    // weight_g.grad = [[1.6667], [1.4]], weight_v.grad = [[.29630, -.07407, -.07407], [2.0, .32, -.24]].
    const y = m.forward(tensor([[1, 1, 1]]));
    const close = (got: number[], want: number[], k: number) => got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(gammaOf("float32", k) * (Math.abs(want[i]) + 1)));
    close(list(y), [10 / 3, 14], 16);
    y.sum().backward();
    close(list(sd.weight_g.grad!), [5 / 3, 1.4], 16);
    close(list(sd.weight_v.grad!), [8 / 27, -2 / 27, -2 / 27, 2, 0.32, -0.24], 32);
    // remove_weight_norm: weight a parameter again, [[.6667, 1.3333, 1.3333], [0, 6, 8]]
    U.removeWeightNorm(m);
    expect(Object.keys(m.stateDict())).toEqual(["bias", "weight"]);
    close(list(m.weight), [2 / 3, 4 / 3, 4 / 3, 0, 6, 8], 16);
    expect(m.weight.requiresGrad).toBe(true);
  });

  it("g's shape for each dim, as PyTorch 1.13 (dim −1 and null: one norm over the whole weight)", () => {
    const shapeOf = (dim: number | null) => U.weightNorm(new nn.Linear(3, 2), { dim }).stateDict().weight_g.shape;
    expect(shapeOf(0)).toEqual([2, 1]);
    expect(shapeOf(1)).toEqual([1, 3]);
    expect(shapeOf(null)).toEqual([]);
    expect(shapeOf(-1)).toEqual([]);
    expect(shapeOf(-2)).toEqual([2, 1]);
    expect(U.weightNorm(new nn.Conv2d(2, 3, 2), { dim: 2 }).stateDict().weight_g.shape).toEqual([1, 1, 2, 1]);
  });

  it("the weight it computes equals g·v/‖v‖ (float64 loop), and gradients by central differences", () => {
    const m = U.weightNorm(new nn.Linear(4, 3, { seed: 2, dtype: "float64" }), { dim: 1 });
    const sd = Object.fromEntries(m.namedParameters()), g = list(sd.weight_g), v = list(sd.weight_v);
    sd.weight_g.storage.set(g.map((x, i) => x * (1 + i)));
    const w = list(m.weight);
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += v[i * 4 + j] ** 2;
      for (let i = 0; i < 3; i++) expect(Math.abs(w[i * 4 + j] - g[j] * (1 + j) * v[i * 4 + j] / Math.sqrt(s))).toBeLessThanOrEqual(16 * U64 * (Math.abs(g[j] * (1 + j)) + 1));
    }
    const x = float64Input([2, 4], 3);
    x.requiresGrad = false;
    assertGradByDifferences(() => m.forward(x), [sd.weight_g, sd.weight_v], "weightNorm");
  });

  it("typed errors leave the module as it was", () => {
    const m = new nn.Linear(3, 2);
    expect(() => U.weightNorm(m, { name: "foo" })).toThrow(/no parameter "foo"/);
    expect(() => U.weightNorm(m, { dim: 2 })).toThrow(/dim/);
    expect(() => U.weightNorm(m, { axis: 0 } as never)).toThrow(/unknown option "axis"/);
    expect(() => U.weightNorm({} as never)).toThrow(ValueError);
    expect(() => U.removeWeightNorm(m)).toThrow(/not under weight norm/);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    U.weightNorm(m);
    // PyTorch 1.13: "Cannot register two weight_norm hooks on the same parameter weight"
    expect(() => U.weightNorm(m)).toThrow(/already under weight norm/);
    expect(() => { m.weight = eg.zeros([2, 3]); }).toThrow(/removeWeightNorm/);
    expect(Object.keys(m.stateDict())).toEqual(["bias", "weight_g", "weight_v"]);
  });
});

describe("PyTorch 1.13 cases (scripts/torch-parity/functional_extra.py)", () => {
  const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/functional-extra.json", import.meta.url), "utf8")) as { cases: CallCase[] };
  it("has the cases of every op", () => {
    for (const p of ["pad/", "oneHot/", "unfold/", "fold/", "pdist/"]) expect(cases.some((c) => c.id.startsWith(p)), p).toBe(true);
  });
  for (const c of cases) it(c.id, () => runCallCase(c));
});
