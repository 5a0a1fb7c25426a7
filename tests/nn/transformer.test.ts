// TransformerEncoderLayer and TransformerEncoder against a float64 reference written here
// (self-attention, LayerNorm, feed-forward, residuals; pre- and post-norm, relu and gelu, masks),
// gradients by finite differences, deep copies and state-dict keys, causal decoding with a KV
// cache against the full forward, the positional encodings and RMSNorm (PyTorch ≥ 2.4 semantics,
// reference in float64 here since PyTorch 1.13 has no RMSNorm).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, noGrad, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { gamma } from "../support/tolerance.js";

function randomTensor(shape: number[], rng: Rng, dtype: "float32" | "float64" = "float64", scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.fround((rng.uniform() * 2 - 1) * scale);
  return fromTypedArray(d, shape);
}
const randomize = (m: nn.Module, rng: Rng) => {
  for (const p of m.parameters()) p.storage.set(randomTensor(p.shape.slice(), rng, "float64", 0.6).data);
};

type Mat = number[][];
const matVec = (w: ArrayLike<number>, b: ArrayLike<number> | undefined, x: number[], rows: number, off = 0) =>
  Array.from({ length: rows }, (_, r) => x.reduce((a, xc, c) => a + w[(off + r) * x.length + c] * xc, b ? b[off + r] : 0));
/**
 * cond.layerNorm gathers the largest amplification of input errors a LayerNorm applied,
 * max|x| / √(var + eps): nearly constant rows (two close values when d = 2) magnify the rounding
 * upstream by up to max|x|/√eps, which the forward test's bound must carry.
 */
function layerNormRef(x: number[], w: ArrayLike<number>, b: ArrayLike<number>, eps: number, cond?: { layerNorm: number }): number[] {
  const m = x.reduce((a, v) => a + v, 0) / x.length, v = x.reduce((a, t) => a + (t - m) ** 2, 0) / x.length;
  if (cond && x.length > 1) cond.layerNorm = Math.max(cond.layerNorm, Math.max(...x.map(Math.abs)) / Math.sqrt(v + eps));
  return x.map((t, i) => ((t - m) / Math.sqrt(v + eps)) * w[i] + b[i]);
}
const erf = (x: number): number => { // Abramowitz–Stegun 7.1.26 is too coarse; a series / continued fraction pair
  const t = Math.abs(x);
  if (t < 3) { let sum = t, term = t; for (let n = 1; n < 60; n++) { term *= -t * t / n; sum += term / (2 * n + 1); } return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum; }
  let f = 0; for (let n = 60; n >= 1; n--) f = n / 2 / (t + f); return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
};
const geluRef = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

interface LayerOpts { d: number; h: number; ff: number; l: number; n: number; normFirst: boolean; gelu: boolean; batchFirst: boolean; mask: "none" | "causal" | "float" | "padding"; seed: number }

/** One batch item [L][D] through the layer, from its state dict, in float64. */
function layerRef(o: LayerOpts, sd: Record<string, Tensor>, x: Mat, maskAt: (i: number, j: number) => number,
                  cond?: { layerNorm: number }): Mat {
  const W = (k: string) => sd[k].data, D = o.d, hd = D / o.h;
  const attn = (z: Mat): Mat => {
    const q = z.map((r) => matVec(W("self_attn.in_proj_weight"), W("self_attn.in_proj_bias"), r, D, 0));
    const k = z.map((r) => matVec(W("self_attn.in_proj_weight"), W("self_attn.in_proj_bias"), r, D, D));
    const v = z.map((r) => matVec(W("self_attn.in_proj_weight"), W("self_attn.in_proj_bias"), r, D, 2 * D));
    return q.map((qi, i) => {
      const heads = new Array<number>(D).fill(0);
      for (let h = 0; h < o.h; h++) {
        const sc = k.map((kj, j) => kj.slice(h * hd, (h + 1) * hd).reduce((a, kv, c) => a + kv * qi[h * hd + c], 0) / Math.sqrt(hd) + maskAt(i, j));
        const mx = Math.max(...sc), ex = sc.map((s) => Math.exp(s - mx)), sum = ex.reduce((a, e) => a + e, 0);
        ex.forEach((e, j) => { for (let c = 0; c < hd; c++) heads[h * hd + c] += (e / sum) * v[j][h * hd + c]; });
      }
      return matVec(W("self_attn.out_proj.weight"), W("self_attn.out_proj.bias"), heads, D);
    });
  };
  const ffn = (z: Mat): Mat => z.map((r) => {
    const hid = matVec(W("linear1.weight"), W("linear1.bias"), r, o.ff).map((t) => (o.gelu ? geluRef(t) : Math.max(0, t)));
    return matVec(W("linear2.weight"), W("linear2.bias"), hid, D);
  });
  const norm = (z: Mat, i: 1 | 2) => z.map((r) => layerNormRef(r, W(`norm${i}.weight`), W(`norm${i}.bias`), 1e-5, cond));
  const add = (a: Mat, b: Mat) => a.map((r, i) => r.map((t, c) => t + b[i][c]));
  if (o.normFirst) {
    const y = add(x, attn(norm(x, 1)));
    return add(y, ffn(norm(y, 2)));
  }
  const y = norm(add(x, attn(x)), 1);
  return norm(add(y, ffn(y)), 2);
}

function layerSetUp(o: LayerOpts) {
  const rng = new Rng(o.seed);
  const layer = new nn.TransformerEncoderLayer(o.d, o.h, { dimFeedforward: o.ff, dropout: 0, activation: o.gelu ? "gelu" : "relu", normFirst: o.normFirst, batchFirst: o.batchFirst, dtype: "float64" });
  randomize(layer, rng);
  const x = randomTensor(o.batchFirst ? [o.n, o.l, o.d] : [o.l, o.n, o.d], rng);
  const fmask = randomTensor([o.l, o.l], rng);
  const kpm = new Tensor(Uint8Array.from({ length: o.n * o.l }, (_, i) => (i % o.l !== 0 && rng.uniform() < 0.3 ? 1 : 0)), "bool", [o.n, o.l]);
  const fwd = o.mask === "causal" ? { isCausal: true } : o.mask === "float" ? { srcMask: fmask } : o.mask === "padding" ? { srcKeyPaddingMask: kpm } : {};
  const maskAt = (n: number) => (i: number, j: number) =>
    o.mask === "causal" ? (j > i ? -Infinity : 0) : o.mask === "float" ? fmask.data[i * o.l + j] : o.mask === "padding" ? (kpm.data[n * o.l + j] ? -Infinity : 0) : 0;
  return { layer, x, fwd, maskAt };
}
const at = (t: Tensor, o: { batchFirst: boolean; n: number; l: number; d: number }, n: number, i: number, c: number) =>
  t.data[(o.batchFirst ? n * o.l + i : i * o.n + n) * o.d + c];

const layerArb: fc.Arbitrary<LayerOpts> = fc.record({
  h: fc.integer({ min: 1, max: 3 }), hd: fc.integer({ min: 1, max: 4 }), ff: fc.integer({ min: 1, max: 12 }), l: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 3 }), normFirst: fc.boolean(), gelu: fc.boolean(), batchFirst: fc.boolean(),
  mask: fc.constantFrom("none", "causal", "float", "padding"), seed: fc.integer({ min: 1, max: 1e6 }),
}).map(({ hd, ...r }) => ({ ...r, d: r.h * hd } as LayerOpts));

describe("TransformerEncoderLayer against a float64 reference", () => {
  it("forward over sizes, pre/post-norm, relu/gelu, layouts and masks", () => {
    fc.assert(fc.property(layerArb, (o) => {
      const { layer, x, fwd, maskAt } = layerSetUp(o);
      const y = layer.forward(x, fwd), sd = layer.stateDict();
      // float64 throughout: n roundings of the longest chain (projections, attention, FF, two norms),
      // times what the LayerNorms amplify them by.
      const u = 2 ** -53, n = 16 * (o.d + o.ff + o.l) + 64;
      for (let b = 0; b < o.n; b++) {
        const xin = Array.from({ length: o.l }, (_, i) => Array.from({ length: o.d }, (_, c) => at(x, o, b, i, c)));
        const cond = { layerNorm: 0 };
        const ref = layerRef(o, sd, xin, maskAt(b), cond), scale = ref.flat().reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        const amplification = Math.max(1, cond.layerNorm);
        ref.forEach((row, i) => row.forEach((r, c) => {
          const got = at(y, o, b, i, c);
          if (!(Math.abs(got - r) <= ((n * u) / (1 - n * u)) * (Math.abs(r) + scale) * 16 * amplification)) expect.fail(`${JSON.stringify(o)}: y[${b}][${i}][${c}] = ${got}, reference ${r}`);
        }));
      }
    }), { numRuns: 40 });
  });

  it("every gradient matches finite differences in float64", () => {
    // GELU only: differences across a ReLU kink are not the derivative (ReLU layers' gradients
    // are checked against PyTorch in tests/parity/attention.test.ts).
    fc.assert(fc.property(layerArb.filter((o) => o.d * o.l * o.n <= 40).map((o) => ({ ...o, gelu: true })), (o) => {
      const { layer, x, fwd } = layerSetUp(o);
      x.requiresGrad = true;
      assertGradByDifferences(() => layer.forward(x, fwd), [x, ...layer.parameters()], JSON.stringify(o));
    }), { numRuns: 8 });
  });

  it("keys are PyTorch's; dropout is seeded and off in eval mode", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 1 });
    expect(Object.keys(layer.stateDict())).toEqual([
      "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
      "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]);
    const x = randomTensor([4, 2, 8], new Rng(3), "float32");
    const a = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 1 }).forward(x);
    const b = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 1 }).forward(x);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const c = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 1 }).eval();
    const noDrop = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, seed: 1, dropout: 0 });
    expect(Array.from(c.forward(x).data)).toEqual(Array.from(noDrop.forward(x).data));
    expect(Array.from(a.data)).not.toEqual(Array.from(noDrop.forward(x).data));
  });

  it("an unbatched [L, dModel] input gives the batch-of-one result", () => {
    for (const batchFirst of [false, true]) {
      const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, dropout: 0, batchFirst, seed: 2 });
      const x = randomTensor([5, 8], new Rng(4), "float32");
      const batched = layer.forward(x.unsqueeze(batchFirst ? 0 : 1), { isCausal: true });
      expect(Array.from(layer.forward(x, { isCausal: true }).data)).toEqual(Array.from(batched.data));
    }
  });

  it("refuses bad options and inputs with typed errors", () => {
    expect(() => new nn.TransformerEncoderLayer(8, 3)).toThrow(/embedDim 8 must be divisible by numHeads 3/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: "tanh" as "relu" })).toThrow(ValueError);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 4 } as never)).toThrow(ValueError);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 4 });
    expect(() => layer.forward(randomTensor([3, 2, 6], new Rng(1), "float32"))).toThrow(ShapeError);
    expect(() => layer.forward(randomTensor([3, 2, 8], new Rng(1), "float32"), { srcMask: randomTensor([2, 3], new Rng(1), "float32") })).toThrow(/attnMask must be \[3, 3\]/);
  });
});

describe("TransformerEncoder", () => {
  it("holds independent deep copies (keys layers.i.…) and runs them in order, then the norm", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, dropout: 0, dtype: "float64", batchFirst: true });
    randomize(layer, new Rng(5));
    const enc = new nn.TransformerEncoder(layer, 3, { norm: new nn.LayerNorm(8, { dtype: "float64" }) });
    const keys = Object.keys(enc.stateDict());
    expect(keys.slice(0, 2)).toEqual(["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias"]);
    expect(keys.filter((k) => k.endsWith("norm2.bias"))).toEqual(["layers.0.norm2.bias", "layers.1.norm2.bias", "layers.2.norm2.bias"]);
    expect(keys.slice(-2)).toEqual(["norm.weight", "norm.bias"]);
    const layers = enc.layers.children() as nn.TransformerEncoderLayer[];
    expect(new Set(layers).size).toBe(3);
    expect(layers.includes(layer)).toBe(false);
    expect(Array.from(layers[2].linear1.weight.data)).toEqual(Array.from(layer.linear1.weight.data));
    layers[1].linear1.weight.storage[0] += 1;
    expect(layers[0].linear1.weight.storage[0]).toBe(layer.linear1.weight.storage[0]);
    const x = randomTensor([2, 5, 8], new Rng(6));
    const want = enc.norm!.forward(layers.reduce((h, l) => l.forward(h, { isCausal: true }), x)) as Tensor;
    expect(Array.from(enc.forward(x, { isCausal: true }).data)).toEqual(Array.from(want.data));
    expect(() => enc.forward(x, { cache: [] })).toThrow(/3 KVCaches/);
  });

  it("causal decoding with a KV cache, one position at a time, equals the full causal forward", () => {
    for (const dtype of ["float64", "float32"] as const) for (const normFirst of [false, true]) {
      const rng = new Rng(7);
      const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, dropout: 0, batchFirst: true, normFirst, dtype, activation: "gelu" });
      randomize(layer, rng);
      const enc = new nn.TransformerEncoder(layer, 2).eval(), pe = new nn.SinusoidalPositionalEncoding(16, 64, { batchFirst: true, dtype });
      const T = 11, x = randomTensor([2, T, 16], rng, dtype);
      const full = noGrad(() => enc.forward(pe.forward(x), { isCausal: true }));
      const cache = enc.createCache();
      const u = dtype === "float64" ? 2 ** -53 : 2 ** -24, terms = 16 * (16 + 32 + T) * 2;
      const scale = Array.from(full.data).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      for (let t = 0; t < T; t++) {
        const yt = enc.predict(pe.forward(x.slice(null, [t, t + 1]), { offset: cache[0].length }), { isCausal: true, cache });
        const want = full.slice(null, [t, t + 1]).data, got = yt.data;
        for (let i = 0; i < got.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= ((terms * u) / (1 - terms * u)) * (Math.abs(want[i]) + scale))) expect.fail(`${dtype} normFirst ${normFirst} t=${t}: ${got[i]} vs ${want[i]}`);
        }
      }
      expect(cache.map((c) => c.length)).toEqual([T, T]);
    }
  });
});

describe("positional encodings", () => {
  it("sinusoidal: PE[pos, 2i] = sin(pos/10000^(2i/d)), PE[pos, 2i+1] = cos(…), added at the offset, in both layouts", () => {
    const d = 7, pe = new nn.SinusoidalPositionalEncoding(d, 20, { dtype: "float64" });
    const x = randomTensor([4, 3, d], new Rng(1));
    const y = pe.forward(x, { offset: 5 });
    for (let p = 0; p < 4; p++) for (let n = 0; n < 3; n++) for (let c = 0; c < d; c++) {
      const angle = (p + 5) / 10000 ** ((c - (c % 2)) / d), want = (c % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
      expect(Math.abs(y.data[(p * 3 + n) * d + c] - x.data[(p * 3 + n) * d + c] - want)).toBeLessThanOrEqual(gamma(8) * 4);
    }
    const bf = new nn.SinusoidalPositionalEncoding(d, 20, { batchFirst: true, dtype: "float64" });
    const yb = bf.forward(x.permute([1, 0, 2]), { offset: 5 });
    expect(Array.from(yb.permute([1, 0, 2]).contiguous().data)).toEqual(Array.from(y.data));
    expect(Object.keys(pe.stateDict())).toEqual([]);
    expect(() => pe.forward(x, { offset: 17 })).toThrow(/positions 17..20 exceed maxLen 20/);
    expect(() => pe.forward(randomTensor([4, 3, 6], new Rng(1)))).toThrow(ShapeError);
  });

  it("learned: a parameter \"weight\" [maxLen, dModel] whose rows at the positions get the gradient", () => {
    const pe = new nn.LearnedPositionalEncoding(10, 4, { batchFirst: true, dtype: "float64", seed: 2 });
    expect(Object.keys(pe.stateDict())).toEqual(["weight"]);
    const x = randomTensor([2, 3, 4], new Rng(3));
    x.requiresGrad = true;
    assertGradByDifferences((a) => pe.forward(a, { offset: 4 }), [x, pe.weight], "learned positional");
    pe.weight.grad = null;
    pe.forward(x, { offset: 4 }).sum().backward();
    const g = Array.from(pe.weight.grad!.data);
    g.forEach((v, i) => expect(v).toBe(Math.floor(i / 4) >= 4 && Math.floor(i / 4) < 7 ? 2 : 0));
  });
});

describe("RMSNorm (PyTorch ≥ 2.4 semantics) against a float64 reference", () => {
  it("y = x / √(mean(x²) + eps) · weight over the trailing dims, eps defaulting to the dtype's epsilon", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(undefined, 1e-3), fc.boolean(), fc.constantFrom("float32", "float64"), fc.integer({ min: 1, max: 1e6 }),
      (shape, k0, eps, affine, dtype, seed) => {
        const k = Math.min(k0, shape.length), rng = new Rng(seed), norm = shape.slice(shape.length - k);
        const m = new nn.RMSNorm(norm, { eps, elementwiseAffine: affine, dtype: dtype as "float32" });
        if (m.weight) m.weight.storage.set(randomTensor(norm, rng, "float64").data);
        const x = randomTensor(shape, rng, dtype as "float32");
        const y = m.forward(x), len = norm.reduce((a, b) => a * b, 1);
        const e = eps ?? (dtype === "float64" ? 2 ** -52 : 2 ** -23), u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
        for (let s = 0; s < x.size / len; s++) {
          let ms = 0;
          for (let i = 0; i < len; i++) ms += x.data[s * len + i] ** 2;
          const r = 1 / Math.sqrt(ms / len + e);
          for (let i = 0; i < len; i++) {
            const want = x.data[s * len + i] * r * (m.weight ? m.weight.data[i] : 1);
            expect(Math.abs(y.data[s * len + i] - want)).toBeLessThanOrEqual(((len + 8) * u) / (1 - (len + 8) * u) * Math.abs(want) * 2 + 1e-300);
          }
        }
      }), { numRuns: 60 });
  });

  it("gradients by finite differences; keys; errors", () => {
    const m = new nn.RMSNorm([3, 4], { eps: 1e-4, dtype: "float64" });
    m.weight!.storage.set(randomTensor([3, 4], new Rng(1)).data);
    const x = randomTensor([2, 3, 4], new Rng(2));
    x.requiresGrad = true;
    assertGradByDifferences((a) => m.forward(a), [x, m.weight!], "RMSNorm");
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.RMSNorm(4, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(() => m.forward(randomTensor([2, 4, 3], new Rng(1)))).toThrow(/\[2,4,3\] does not end in normalizedShape \[3,4\]/);
    expect(() => new nn.RMSNorm(0)).toThrow(ValueError);
    expect(() => new nn.RMSNorm(4, { eps: -1 })).toThrow(ValueError);
  });
});
