// MultiheadAttention against a float64 reference written here (projections, heads, masks,
// softmax, weights averaged or per head), over sizes and options drawn by fast-check: the
// float64 module to rounding, the float32 module within a bound derived from the sums' lengths;
// every gradient (inputs and parameters) by finite differences in float64; the KV cache; the
// state-dict keys; and typed errors naming the shapes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, noGrad, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { gamma } from "../support/tolerance.js";

interface Opts {
  e: number; h: number; kdim: number; vdim: number; l: number; s: number; n: number; batchFirst: boolean; bias: boolean;
  self: boolean; causal: boolean; attnMask: "none" | "bool2d" | "float3d"; keyPadding: "none" | "bool" | "float";
  average: boolean; unbatched: boolean; seed: number;
}

function randomTensor(shape: number[], rng: Rng, dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.fround(rng.uniform() * 2 - 1);
  return fromTypedArray(d, shape);
}

/** The module's inputs (q, k, v), masks and forward options for one drawn case. */
function setUp(o: Opts, dtype: "float32" | "float64") {
  const rng = new Rng(o.seed);
  const m = new nn.MultiheadAttention(o.e, o.h, { kdim: o.kdim, vdim: o.vdim, batchFirst: o.batchFirst, bias: o.bias, dtype, seed: o.seed });
  for (const p of m.parameters()) p.storage.set(randomTensor(p.shape.slice(), rng, "float64").data);
  const shape = (len: number, f: number) => (o.unbatched ? [len, f] : o.batchFirst ? [o.n, len, f] : [len, o.n, f]);
  const q = randomTensor(shape(o.l, o.e), rng, dtype);
  const k = o.self ? q : randomTensor(shape(o.s, o.kdim), rng, dtype), v = o.self ? q : randomTensor(shape(o.s, o.vdim), rng, dtype);
  const n = o.unbatched ? 1 : o.n;
  let attnMask: Tensor | null = null, keyPaddingMask: Tensor | null = null;
  if (o.attnMask === "bool2d") {
    attnMask = new Tensor(Uint8Array.from({ length: o.l * o.s }, (_, i) => (i % o.s !== 0 && rng.uniform() < 0.3 ? 1 : 0)), "bool", [o.l, o.s]);
  } else if (o.attnMask === "float3d") attnMask = randomTensor([n * o.h, o.l, o.s], rng, dtype);
  if (o.keyPadding !== "none") {
    const shapeK = o.unbatched ? [o.s] : [n, o.s];
    keyPaddingMask = o.keyPadding === "bool"
      ? new Tensor(Uint8Array.from({ length: n * o.s }, (_, i) => (i % o.s !== 0 && rng.uniform() < 0.3 ? 1 : 0)), "bool", shapeK)
      : randomTensor(shapeK, rng, dtype);
  }
  return { m, q, k, v, options: { attnMask, keyPaddingMask, isCausal: o.causal, averageAttnWeights: o.average } };
}

/** x[n][t][f] of a [L, N, F] / [N, L, F] / [L, F] input. */
const reader = (t: Tensor, o: Opts) => {
  const d = t.data, f = t.shape[t.ndim - 1], b = t.ndim === 2 ? 1 : t.shape[1];
  return (n: number, i: number, c: number) => d[(t.ndim === 2 ? i : o.batchFirst ? n * b + i : i * b + n) * f + c];
};

/** The float64 reference: out[n][i][c] and weights[n][h][i][j]. */
function reference(o: Opts, m: nn.MultiheadAttention, q: Tensor, k: Tensor, v: Tensor, attnMask: Tensor | null, kpm: Tensor | null) {
  const N = o.unbatched ? 1 : o.n, E = o.e, H = o.h, hd = E / H, L = o.l, S = o.s;
  const sd = m.stateDict(), W = (name: string) => sd[name]?.data;
  const wq = W("in_proj_weight") ?? W("q_proj_weight")!, wk = W("k_proj_weight"), wv = W("v_proj_weight");
  const b = W("in_proj_bias"), wo = W("out_proj.weight")!, bo = W("out_proj.bias");
  const proj = (x: (n: number, i: number, c: number) => number, len: number, f: number, w: ArrayLike<number>, rowOff: number, part: number) =>
    Array.from({ length: N }, (_, n) => Array.from({ length: len }, (_, i) => Array.from({ length: E }, (_, r) => {
      let acc = b ? b[part * E + r] : 0;
      for (let c = 0; c < f; c++) acc += w[(rowOff + r) * f + c] * x(n, i, c);
      return acc;
    })));
  const sep = !W("in_proj_weight");
  const Q = proj(reader(q, o), L, E, wq, 0, 0);
  const K = proj(reader(k, o), S, o.kdim, sep ? wk! : wq, sep ? 0 : E, 1);
  const V = proj(reader(v, o), S, o.vdim, sep ? wv! : wq, sep ? 0 : 2 * E, 2);
  const maskAt = (n: number, h: number, i: number, j: number) => {
    let add = 0;
    if (attnMask) {
      const x = attnMask.data[attnMask.ndim === 2 ? i * S + j : ((n * H + h) * L + i) * S + j];
      add += attnMask.dtype === "bool" ? (x ? -Infinity : 0) : x;
    }
    if (kpm) { const x = kpm.data[n * S + j]; add += kpm.dtype === "bool" ? (x ? -Infinity : 0) : x; }
    if (o.causal && j > i + S - L) add = -Infinity;
    return add;
  };
  const weights = Array.from({ length: N }, (_, n) => Array.from({ length: H }, (_, h) => Array.from({ length: L }, (_, i) => {
    const sc = Array.from({ length: S }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < hd; c++) dot += Q[n][i][h * hd + c] * K[n][j][h * hd + c];
      return dot / Math.sqrt(hd) + maskAt(n, h, i, j);
    });
    const mx = Math.max(...sc), ex = sc.map((x) => Math.exp(x - mx)), sum = ex.reduce((a, x) => a + x, 0);
    return ex.map((x) => x / sum);
  })));
  const out = Array.from({ length: N }, (_, n) => Array.from({ length: L }, (_, i) => {
    const heads = Array.from({ length: E }, (_, c) => {
      const h = Math.floor(c / hd);
      return weights[n][h][i].reduce((a, p, j) => a + p * V[n][j][c], 0);
    });
    return Array.from({ length: E }, (_, r) => heads.reduce((a, x, c) => a + wo[r * E + c] * x, bo ? bo[r] : 0));
  }));
  return { out, weights };
}

const optsArb: fc.Arbitrary<Opts> = fc.record({
  h: fc.integer({ min: 1, max: 3 }), hd: fc.integer({ min: 1, max: 5 }), kdim: fc.integer({ min: 1, max: 7 }), vdim: fc.integer({ min: 1, max: 7 }),
  l: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 5 }), n: fc.integer({ min: 1, max: 3 }), batchFirst: fc.boolean(), bias: fc.boolean(),
  self: fc.boolean(), sameDims: fc.boolean(), causal: fc.boolean(), attnMask: fc.constantFrom("none", "bool2d", "float3d"),
  keyPadding: fc.constantFrom("none", "bool", "float"), average: fc.boolean(), unbatched: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
}).map(({ hd, extra, sameDims, ...r }) => {
  const e = r.h * hd, self = r.self && !r.causal ? true : r.self;
  const same = sameDims || self;
  return { ...r, e, self, kdim: same ? e : r.kdim, vdim: same ? e : r.vdim, s: self ? r.l : r.l + extra } as Opts;
});

/** out as [N][L][E] from the module's output in its layout. */
const outAt = (y: Tensor, o: Opts, n: number, i: number, c: number) => reader(y, o)(n, i, c);

describe("MultiheadAttention against a float64 reference", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`forward and attention weights (${dtype}) over sizes, masks, layouts and options`, () => {
      fc.assert(fc.property(optsArb, (o) => {
        const { m, q, k, v, options } = setUp(o, dtype);
        const [y, w] = m.forward(q, k, v, options);
        const ref = reference(o, m, q, k, v, options.attnMask, options.keyPaddingMask);
        const N = o.unbatched ? 1 : o.n;
        const n = 4 * (o.e + Math.max(o.kdim, o.vdim) + o.s) + 16, u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
        const tolOf = (all: number[]) => { const mx = all.reduce((a, x) => Math.max(a, Math.abs(x)), 0); return (r: number) => ((n * u) / (1 - n * u)) * (Math.abs(r) + mx) * 4; };
        const refOut = ref.out.flat(2), tol = tolOf(refOut);
        expect(y.shape).toEqual(q.shape.slice(0, -1).concat([o.e]));
        for (let b = 0; b < N; b++) for (let i = 0; i < o.l; i++) for (let c = 0; c < o.e; c++) {
          const r = ref.out[b][i][c], got = outAt(y, o, b, i, c);
          if (!(Math.abs(got - r) <= tol(r))) expect.fail(`out[${b}][${i}][${c}] = ${got}, reference ${r}`);
        }
        const refW = o.average ? ref.weights.map((heads) => heads[0].map((row, i) => row.map((_, j) => heads.reduce((a, hh) => a + hh[i][j], 0) / o.h))) : ref.weights;
        const flat = refW.flat(3) as number[];
        expect(w!.shape).toEqual([...(o.unbatched ? [] : [N]), ...(o.average ? [] : [o.h]), o.l, o.s]);
        const wd = w!.data;
        flat.forEach((r, i) => { if (!(Math.abs(wd[i] - r) <= gamma(2 * o.s + 8) * 4 + (dtype === "float32" ? tol(r) : 0))) expect.fail(`weights[${i}] = ${wd[i]}, reference ${r}`); });
      }), { numRuns: dtype === "float64" ? 80 : 40 });
    });
  }

  it("every gradient (query, key, value, in/out projections) matches finite differences in float64", () => {
    fc.assert(fc.property(optsArb.filter((o) => o.e * o.l * o.s <= 60), (o) => {
      const { m, q, k, v, options } = setUp(o, "float64");
      const leaves = [...new Set([q, k, v])];
      for (const t of leaves) t.requiresGrad = true;
      assertGradByDifferences(() => m.forward(q, k, v, options)[0], [...leaves, ...m.parameters()], JSON.stringify(o));
    }), { numRuns: 12 });
  });

  it("dropout on the weights: seeded, and only in training mode", () => {
    const make = () => new nn.MultiheadAttention(8, 2, { dropout: 0.4, seed: 3, dtype: "float64" });
    const x = randomTensor([5, 2, 8], new Rng(1), "float64");
    const [a, wa] = make().forward(x, x, x, { averageAttnWeights: false });
    const [b] = make().forward(x, x, x);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(wa!.data).some((p) => p === 0)).toBe(true);
    const m = make().eval();
    const [, we] = m.forward(x, x, x, { averageAttnWeights: false });
    expect(Array.from(we!.data).every((p) => p > 0)).toBe(true);
    // (The dropout mask's effect on the gradients is checked against the reference in attention-core.test.ts.)
  });

  it("a query whose keys are all masked gives NaN, as in PyTorch; the other batch items are untouched", () => {
    const m = new nn.MultiheadAttention(8, 2, { batchFirst: true, seed: 1 }), x = randomTensor([2, 3, 8], new Rng(1), "float32");
    const kpm = new Tensor(Uint8Array.from([0, 0, 1, 1, 1, 1]), "bool", [2, 3]);
    const [y, w] = m.forward(x, x, x, { keyPaddingMask: kpm });
    const [alone] = m.forward(x.slice([0, 1]), x.slice([0, 1]), x.slice([0, 1]), { keyPaddingMask: kpm.slice([0, 1]) });
    expect(Array.from(y.data.subarray(24)).every(Number.isNaN)).toBe(true);
    expect(Array.from(w!.data.subarray(9)).every(Number.isNaN)).toBe(true);
    expect(Array.from(y.data.subarray(0, 24))).toEqual(Array.from(alone.data));
  });

  it("keys and order of the state dict are PyTorch's", () => {
    expect(Object.keys(new nn.MultiheadAttention(8, 2).stateDict())).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect(Object.keys(new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false }).stateDict()))
      .toEqual(["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]);
  });

  it("refuses bad arguments with typed errors naming shapes and values", () => {
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow(/embedDim 6 must be divisible by numHeads 4/);
    expect(() => new nn.MultiheadAttention(8, 2, { addBiasKV: true })).toThrow(ValueError);
    expect(() => new nn.MultiheadAttention(8, 2, { dropout: 1 })).toThrow(ValueError);
    expect(() => new nn.MultiheadAttention(8, 2, { kdimm: 3 } as never)).toThrow(ValueError);
    const m = new nn.MultiheadAttention(8, 2), x = randomTensor([5, 3, 8], new Rng(1), "float32");
    expect(() => m.forward(x, x, randomTensor([5, 3, 7], new Rng(1), "float32"))).toThrow(/\[5,3,7\].*vdim 8/);
    expect(() => m.forward(x, x, x, { attnMask: randomTensor([4, 5], new Rng(1), "float32") })).toThrow(/attnMask must be \[5, 5\] or \[6, 5, 5\].*got \[4,5\]/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: randomTensor([5, 3], new Rng(1), "float32") })).toThrow(ShapeError);
    expect(() => m.forward(x, x, x, { cache: m.createCache() })).toThrow(/isCausal/);
    expect(() => m.forward(x, x, x, { isCausual: true } as never)).toThrow(ValueError);
  });
});

describe("MultiheadAttention with a KV cache", () => {
  it("decoding one position at a time equals the full causal forward", () => {
    for (const dtype of ["float64", "float32"] as const) {
      const m = new nn.MultiheadAttention(12, 3, { batchFirst: true, dtype, seed: 4 });
      const x = randomTensor([2, 9, 12], new Rng(2), dtype);
      const full = noGrad(() => m.forward(x, x, x, { isCausal: true, needWeights: false })[0]);
      const cache = m.createCache();
      const u = dtype === "float64" ? 2 ** -53 : 2 ** -24, terms = 4 * (12 + 12 + 9) + 16;
      const scale = Array.from(full.data).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      for (let t = 0; t < 9; t++) {
        const xt = x.slice(null, [t, t + 1]);
        const [yt] = m.predict(xt, xt, xt, { isCausal: true, cache, needWeights: false });
        expect(cache.length).toBe(t + 1);
        const want = full.slice(null, [t, t + 1]).data, got = yt.data;
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(((terms * u) / (1 - terms * u)) * (Math.abs(want[i]) + scale));
      }
      cache.reset();
      expect(cache.length).toBe(0);
    }
  });
});
