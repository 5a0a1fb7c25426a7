// TransformerDecoderLayer, TransformerDecoder and Transformer: the layer against a float64
// reference written here (self-attention, attention over memory, feed-forward, three LayerNorms
// and residuals; pre- and post-norm, relu and gelu, both layouts, target and memory masks),
// gradients by finite differences, values from PyTorch 1.13, shapes, state-dict keys, dropout
// and eval mode, causal decoding with a KV cache, the typed errors (which leave a cache as it
// was), ONNX export refused by name, and an encoder–decoder model learning to copy.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, io, nn, noGrad, optim, Rng, ShapeError, Tensor, tensor, ValueError } from "../../src/index.js";
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
const boolTensor = (bits: number[], shape: number[]) => new Tensor(Uint8Array.from(bits), "bool", shape);
const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

type Mat = number[][];
const matVec = (w: ArrayLike<number>, b: ArrayLike<number> | undefined, x: number[], rows: number, off = 0) =>
  Array.from({ length: rows }, (_, r) => x.reduce((a, xc, c) => a + w[(off + r) * x.length + c] * xc, b ? b[off + r] : 0));
const erf = (x: number): number => { // a series for |x| < 3, a continued fraction beyond
  const t = Math.abs(x);
  if (t < 3) { let sum = t, term = t; for (let n = 1; n < 60; n++) { term *= -t * t / n; sum += term / (2 * n + 1); } return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum; }
  let f = 0; for (let n = 60; n >= 1; n--) f = n / 2 / (t + f); return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
};
const geluRef = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

type Masking = "none" | "causal" | "float" | "padding" | "head";
interface LayerOpts { d: number; h: number; ff: number; t: number; s: number; n: number; normFirst: boolean; gelu: boolean; batchFirst: boolean; tgtMask: Masking; memMask: Masking; seed: number }
type MaskAt = (head: number, i: number, j: number) => number;

/**
 * One batch item's target [T][D] through the layer, from its state dict, in float64. cond
 * gathers each LayerNorm's largest amplification of its input's errors, max|x| / √(var + eps)
 * (nearly constant rows magnify the rounding upstream), for the forward test's bound.
 */
function layerRef(o: LayerOpts, sd: Record<string, Tensor>, x: Mat, mem: Mat, tgtMask: MaskAt, memMask: MaskAt, cond: number[]): Mat {
  const W = (k: string) => sd[k].data, D = o.d, hd = D / o.h;
  const attn = (p: string, z: Mat, kv: Mat, maskAt: MaskAt): Mat => {
    const proj = (rows: Mat, part: number) => rows.map((r) => matVec(W(`${p}.in_proj_weight`), W(`${p}.in_proj_bias`), r, D, part * D));
    const q = proj(z, 0), k = proj(kv, 1), v = proj(kv, 2);
    return q.map((qi, i) => {
      const heads = new Array<number>(D).fill(0);
      for (let h = 0; h < o.h; h++) {
        const sc = k.map((kj, j) => kj.slice(h * hd, (h + 1) * hd).reduce((a, kc, c) => a + kc * qi[h * hd + c], 0) / Math.sqrt(hd) + maskAt(h, i, j));
        const mx = Math.max(...sc), ex = sc.map((s) => Math.exp(s - mx)), sum = ex.reduce((a, e) => a + e, 0);
        ex.forEach((e, j) => { for (let c = 0; c < hd; c++) heads[h * hd + c] += (e / sum) * v[j][h * hd + c]; });
      }
      return matVec(W(`${p}.out_proj.weight`), W(`${p}.out_proj.bias`), heads, D);
    });
  };
  const ffn = (z: Mat): Mat => z.map((r) => {
    const hid = matVec(W("linear1.weight"), W("linear1.bias"), r, o.ff).map((t) => (o.gelu ? geluRef(t) : Math.max(0, t)));
    return matVec(W("linear2.weight"), W("linear2.bias"), hid, D);
  });
  const norm = (z: Mat, k: 1 | 2 | 3) => z.map((r) => {
    const m = r.reduce((a, v) => a + v, 0) / D, v = r.reduce((a, t) => a + (t - m) ** 2, 0) / D;
    if (D > 1) cond[k - 1] = Math.max(cond[k - 1], Math.max(...r.map(Math.abs)) / Math.sqrt(v + 1e-5));
    return r.map((t, i) => ((t - m) / Math.sqrt(v + 1e-5)) * W(`norm${k}.weight`)[i] + W(`norm${k}.bias`)[i]);
  });
  const add = (a: Mat, b: Mat) => a.map((r, i) => r.map((t, c) => t + b[i][c]));
  if (o.normFirst) {
    let y = add(x, attn("self_attn", norm(x, 1), norm(x, 1), tgtMask));
    y = add(y, attn("multihead_attn", norm(y, 2), mem, memMask));
    return add(y, ffn(norm(y, 3)));
  }
  let y = norm(add(x, attn("self_attn", x, x, tgtMask)), 1);
  y = norm(add(y, attn("multihead_attn", y, mem, memMask)), 2);
  return norm(add(y, ffn(y)), 3);
}

/** A layer with random parameters, its inputs, forward options and the masks as functions of (batch item, head, i, j). */
function layerSetUp(o: LayerOpts, dtype: "float32" | "float64" = "float64") {
  const rng = new Rng(o.seed);
  const layer = new nn.TransformerDecoderLayer(o.d, o.h, { dimFeedforward: o.ff, dropout: 0, activation: o.gelu ? "gelu" : "relu", normFirst: o.normFirst, batchFirst: o.batchFirst, dtype });
  randomize(layer, rng);
  const x = randomTensor(o.batchFirst ? [o.n, o.t, o.d] : [o.t, o.n, o.d], rng, dtype);
  const mem = randomTensor(o.batchFirst ? [o.n, o.s, o.d] : [o.s, o.n, o.d], rng, dtype);
  // Key 0 is never masked: a row masked everywhere is NaN (as in PyTorch), tested on its own below.
  const padding = (len: number) => boolTensor(Array.from({ length: o.n * len }, (_, i) => (i % len !== 0 && rng.uniform() < 0.3 ? 1 : 0)), [o.n, len]);
  const tFloat = randomTensor([o.t, o.t], rng), tPad = padding(o.t), tHead = boolTensor(Array.from({ length: o.n * o.h * o.t * o.t }, (_, i) => (i % o.t !== 0 && rng.uniform() < 0.3 ? 1 : 0)), [o.n * o.h, o.t, o.t]);
  const mFloat = randomTensor([o.t, o.s], rng), mPad = padding(o.s), mHead = boolTensor(Array.from({ length: o.n * o.h * o.t * o.s }, (_, i) => (i % o.s !== 0 && rng.uniform() < 0.3 ? 1 : 0)), [o.n * o.h, o.t, o.s]);
  const fwd: nn.DecoderLayerForwardOptions = {};
  if (o.tgtMask === "causal") fwd.tgtIsCausal = true;
  if (o.tgtMask === "float") fwd.tgtMask = tFloat;
  if (o.tgtMask === "padding") fwd.tgtKeyPaddingMask = tPad;
  if (o.tgtMask === "head") fwd.tgtMask = tHead;
  if (o.memMask === "float" || o.memMask === "causal") fwd.memoryMask = mFloat;
  if (o.memMask === "padding") fwd.memoryKeyPaddingMask = mPad;
  if (o.memMask === "head") fwd.memoryMask = mHead;
  const maskOf = (kind: Masking, len: number, fl: Tensor, pad: Tensor, head: Tensor) => (b: number): MaskAt => (h, i, j) =>
    kind === "causal" && fl === tFloat ? (j > i ? -Infinity : 0)
      : kind === "float" || kind === "causal" ? fl.data[i * len + j]
      : kind === "padding" ? (pad.data[b * len + j] ? -Infinity : 0)
      : kind === "head" ? (head.data[((b * o.h + h) * o.t + i) * len + j] ? -Infinity : 0) : 0;
  return { layer, x, mem, fwd, tgtMaskAt: maskOf(o.tgtMask, o.t, tFloat, tPad, tHead), memMaskAt: maskOf(o.memMask, o.s, mFloat, mPad, mHead) };
}
const at = (t: Tensor, o: { batchFirst: boolean; n: number; d: number }, len: number, b: number, i: number, c: number) =>
  t.data[(o.batchFirst ? b * len + i : i * o.n + b) * o.d + c];
const rows = (t: Tensor, o: { batchFirst: boolean; n: number; d: number }, len: number, b: number): Mat =>
  Array.from({ length: len }, (_, i) => Array.from({ length: o.d }, (_, c) => at(t, o, len, b, i, c)));

const masking = (...m: Masking[]) => fc.constantFrom(...m);
const layerArb: fc.Arbitrary<LayerOpts> = fc.record({
  h: fc.integer({ min: 1, max: 3 }), hd: fc.integer({ min: 1, max: 3 }), ff: fc.integer({ min: 1, max: 10 }), t: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 3 }), normFirst: fc.boolean(), gelu: fc.boolean(), batchFirst: fc.boolean(),
  tgtMask: masking("none", "causal", "float", "padding", "head"), memMask: masking("none", "float", "padding", "head"), seed: fc.integer({ min: 1, max: 1e6 }),
}).map(({ hd, ...r }) => ({ ...r, d: r.h * hd } as LayerOpts));

/** Within n roundings of unit u of the longest chain, scaled by the output's magnitude and what the LayerNorms amplify. */
function expectNear(got: Tensor, ref: (b: number) => Mat, o: LayerOpts, u: number, n: number, what: string, cond: () => number[]): void {
  for (let b = 0; b < o.n; b++) {
    const r = ref(b), scale = r.flat().reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const amplification = cond().reduce((a, c) => a * Math.max(1, c), 1);
    r.forEach((row, i) => row.forEach((want, c) => {
      const g = at(got, o, o.t, b, i, c);
      if (!(Math.abs(g - want) <= ((n * u) / (1 - n * u)) * (Math.abs(want) + scale) * 16 * amplification)) expect.fail(`${what} ${JSON.stringify(o)}: y[${b}][${i}][${c}] = ${g}, reference ${want}`);
    }));
  }
}

describe("TransformerDecoderLayer against a float64 reference", () => {
  it("forward over sizes, pre/post-norm, relu/gelu, layouts, and target and memory masks (bool, float, per head, padding, causal)", () => {
    fc.assert(fc.property(layerArb, fc.constantFrom("float64", "float32"), (o, dtype) => {
      const { layer, x, mem, fwd, tgtMaskAt, memMaskAt } = layerSetUp(o, dtype as "float32");
      const y = layer.forward(x, mem, fwd), sd = layer.stateDict();
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe(dtype);
      let cond = [0, 0, 0];
      const ref = (b: number) => { cond = [0, 0, 0]; return layerRef(o, sd, rows(x, o, o.t, b), rows(mem, o, o.s, b), tgtMaskAt(b), memMaskAt(b), cond); };
      expectNear(y, ref, o, dtype === "float64" ? 2 ** -53 : 2 ** -24, 16 * (o.d + o.ff + o.t + o.s) + 64, dtype, () => cond);
    }), { numRuns: 60 });
  });

  it("every gradient (tgt, memory, parameters) matches finite differences in float64", () => {
    // GELU only: differences across a ReLU kink are not the derivative (ReLU layers' gradients
    // are checked against PyTorch in tests/parity/decoder.test.ts). Three features or more: a
    // 2-feature LayerNorm of two close values has so large a third derivative that the central
    // difference's truncation error exceeds the check's 1e-6 (measured: it converges to the
    // analytic gradient as h falls to 1e-7).
    fc.assert(fc.property(layerArb.filter((o) => o.d >= 3 && o.d * (o.t + o.s) * o.n <= 40).map((o) => ({ ...o, gelu: true })), (o) => {
      const { layer, x, mem, fwd } = layerSetUp(o);
      x.requiresGrad = true;
      mem.requiresGrad = true;
      assertGradByDifferences((a, b) => layer.forward(a, b, fwd), [x, mem, ...layer.parameters()], JSON.stringify(o));
    }), { numRuns: 8 });
  });

  it("an unbatched [T, dModel] target with [S, dModel] memory gives the batch-of-one result, in both layouts", () => {
    for (const batchFirst of [false, true]) {
      const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12, dropout: 0, batchFirst, seed: 2 });
      const rng = new Rng(4), x = randomTensor([5, 8], rng, "float32"), mem = randomTensor([3, 8], rng, "float32");
      const kpm = boolTensor([0, 1, 0], [3]);
      const batched = layer.forward(x.unsqueeze(batchFirst ? 0 : 1), mem.unsqueeze(batchFirst ? 0 : 1), { tgtIsCausal: true, memoryKeyPaddingMask: kpm.unsqueeze(0) });
      const y = layer.forward(x, mem, { tgtIsCausal: true, memoryKeyPaddingMask: kpm });
      expect(y.shape).toEqual([5, 8]);
      expect(values(y)).toEqual(values(batched));
    }
  });

  it("tgtIsCausal gives what Transformer.generateSquareSubsequentMask gives as tgtMask, and a bool causal mask too", () => {
    const o: LayerOpts = { d: 6, h: 3, ff: 7, t: 6, s: 4, n: 2, normFirst: false, gelu: true, batchFirst: false, tgtMask: "none", memMask: "none", seed: 9 };
    const { layer, x, mem } = layerSetUp(o);
    const causal = layer.forward(x, mem, { tgtIsCausal: true });
    const masked = layer.forward(x, mem, { tgtMask: nn.Transformer.generateSquareSubsequentMask(6, { dtype: "float64" }) });
    const bool = layer.forward(x, mem, { tgtMask: boolTensor(Array.from({ length: 36 }, (_, i) => (i % 6 > Math.floor(i / 6) ? 1 : 0)), [6, 6]) });
    const scale = values(masked).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    values(causal).forEach((v, i) => expect(Math.abs(v - masked.data[i])).toBeLessThanOrEqual(1e-13 * (scale + 1)));
    expect(values(bool)).toEqual(values(masked));
  });
});

describe("values from PyTorch 1.13", () => {
  // Parameters and inputs are fixed formulas: parameter k (in named_parameters order), element i
  // = 0.5·sin(0.37·i + k + 1); tgt[i] = 1.3·sin(0.5·i) of [3, 2, 4], memory[i] = cos(0.3·i) of [2, 2, 4].
  function fixed(normFirst: boolean) {
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst, dtype: "float64" });
    layer.parameters().forEach((p, k) => p.storage.set(Float64Array.from({ length: p.size }, (_, i) => 0.5 * Math.sin(0.37 * i + k + 1))));
    const tgt = fromTypedArray(Float64Array.from({ length: 24 }, (_, i) => 1.3 * Math.sin(0.5 * i)), [3, 2, 4]);
    const mem = fromTypedArray(Float64Array.from({ length: 16 }, (_, i) => Math.cos(0.3 * i)), [2, 2, 4]);
    return { layer, tgt, mem };
  }
  const close = (got: Tensor, want: (number | "nan")[]) => {
    expect(got.size).toBe(want.length);
    want.forEach((w, i) => (w === "nan" ? expect(got.data[i]).toBeNaN() : expect(Math.abs(got.data[i] - w)).toBeLessThanOrEqual(1e-6)));
  };
  // From PyTorch 1.13: layer(tgt, memory, tgt_mask=Transformer.generate_square_subsequent_mask(3)), rounded to 7 decimals.
  const causal = {
    post: [-1.061139, -0.0569401, 0.5420209, 0.0427431, -0.2096348, -0.1067006, 0.416466, -0.4260092, -0.3160001, 0.0524038, 0.3759021, -0.4285941,
      0.2841741, -0.8473849, 0.1551079, -0.0742032, -0.9760464, 0.2371543, 0.4033458, -0.1115765, 0.1500164, -0.3916746, 0.2637797, -0.3703563],
    pre: [0.2244787, 1.1691569, 0.7434755, 0.5237067, 1.1585749, 1.3419679, 0.084283, -1.2015405, -0.7413011, -0.8231131, -1.6343296, -1.5981206,
      -0.2520332, 0.885188, 0.6277307, 0.4092368, 1.4781938, 1.4581653, 0.19496, -0.7432129, -0.6363859, -0.5721863, -1.49216, -1.9079391],
  };
  // memory_key_padding_mask [[F, F], [T, T]]: batch item 1 sees no memory position, so it is NaN throughout.
  const padded = {
    post: [-1.0011905, -0.3807848, 0.6089285, 0.1695328, "nan", "nan", "nan", "nan", -0.3099203, 0.055069, 0.369987, -0.4302082,
      "nan", "nan", "nan", "nan", -0.9760464, 0.2371543, 0.4033458, -0.1115765, "nan", "nan", "nan", "nan"] as (number | "nan")[],
    pre: [0.0550615, 1.216109, 0.9214071, 0.5090213, "nan", "nan", "nan", "nan", -0.7950553, -0.8383688, -1.5833442, -1.5736179,
      "nan", "nan", "nan", "nan", 1.4781938, 1.4581653, 0.19496, -0.7432129, "nan", "nan", "nan", "nan"] as (number | "nan")[],
  };
  // layer(tgt[:1, 0], memory[:1, 0]): unbatched, one target and one memory position.
  const single = { post: [-1.1160861, -0.0512573, 0.4923482, 0.1148002], pre: [0.7618964, 0.5218874, 0.0886798, 1.0522334] };

  for (const normFirst of [false, true]) {
    const k = normFirst ? "pre" : "post";
    it(`${k}-norm: causal target, fully padded memory (NaN), one position unbatched, empty target`, () => {
      const { layer, tgt, mem } = fixed(normFirst);
      close(layer.forward(tgt, mem, { tgtMask: nn.Transformer.generateSquareSubsequentMask(3, { dtype: "float64" }) }), causal[k]);
      close(layer.forward(tgt, mem, { tgtIsCausal: true }), causal[k]);
      close(layer.forward(tgt, mem, { memoryKeyPaddingMask: boolTensor([0, 0, 1, 1], [2, 2]) }), padded[k]);
      close(layer.forward(tgt.slice([0, 1], [0, 1]).squeeze(1), mem.slice([0, 1], [0, 1]).squeeze(1)), single[k]);
      // PyTorch 1.13: an empty target gives an empty [0, 2, 4] output.
      expect(layer.forward(tgt.slice([0, 0]), mem).shape).toEqual([0, 2, 4]);
    });
  }

  it("generateSquareSubsequentMask: −∞ above the diagonal, 0 elsewhere (float32 by default)", () => {
    // PyTorch 1.13: tensor([[0., -inf, -inf], [0., 0., -inf], [0., 0., 0.]]); sz 1: tensor([[0.]]).
    const m = nn.Transformer.generateSquareSubsequentMask(3);
    expect(m.dtype).toBe("float32");
    expect(m.shape).toEqual([3, 3]);
    expect(values(m)).toEqual([0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
    expect(values(nn.Transformer.generateSquareSubsequentMask(1))).toEqual([0]);
    expect(nn.Transformer.generateSquareSubsequentMask(2, { dtype: "float64" }).dtype).toBe("float64");
    expect(nn.Transformer.generateSquareSubsequentMask(0).shape).toEqual([0, 0]); // PyTorch 1.13: tensor([], size=(0, 0))
    expect(() => nn.Transformer.generateSquareSubsequentMask(-1)).toThrow(ValueError);
    expect(() => nn.Transformer.generateSquareSubsequentMask(2.5)).toThrow(ValueError);
    expect(() => nn.Transformer.generateSquareSubsequentMask(2, { dtype: "int32" as "float32" })).toThrow(DTypeError);
    expect(() => nn.Transformer.generateSquareSubsequentMask(2, { device: "cpu" } as never)).toThrow(/unknown option "device"/);
  });
});

describe("state-dict keys, copies, dropout and modes", () => {
  it("the layer's keys are PyTorch's, in its order", () => {
    const attn = (p: string) => [`${p}.in_proj_weight`, `${p}.in_proj_bias`, `${p}.out_proj.weight`, `${p}.out_proj.bias`];
    expect(Object.keys(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }).stateDict())).toEqual([
      ...attn("self_attn"), ...attn("multihead_attn"), "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
      "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"]);
  });

  it("TransformerDecoder holds independent deep copies (layers.i.…), runs them in order, then the norm", () => {
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 12, dropout: 0, dtype: "float64", batchFirst: true });
    randomize(layer, new Rng(5));
    const dec = new nn.TransformerDecoder(layer, 3, { norm: new nn.LayerNorm(8, { dtype: "float64" }) });
    const keys = Object.keys(dec.stateDict());
    expect(keys.slice(0, 2)).toEqual(["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias"]);
    expect(keys.filter((k) => k.endsWith("norm3.bias"))).toEqual(["layers.0.norm3.bias", "layers.1.norm3.bias", "layers.2.norm3.bias"]);
    expect(keys.slice(-2)).toEqual(["norm.weight", "norm.bias"]);
    const layers = dec.layers.children() as nn.TransformerDecoderLayer[];
    expect(new Set(layers).size).toBe(3);
    expect(layers.includes(layer)).toBe(false);
    expect(values(layers[2].multiheadAttn.inProjWeight!)).toEqual(values(layer.multiheadAttn.inProjWeight!));
    layers[1].linear1.weight.storage[0] += 1;
    expect(layers[0].linear1.weight.storage[0]).toBe(layer.linear1.weight.storage[0]);
    const rng = new Rng(6), x = randomTensor([2, 5, 8], rng), mem = randomTensor([2, 4, 8], rng);
    const kpm = boolTensor([0, 0, 1, 0, 0, 0, 0, 1], [2, 4]);
    const o = { tgtIsCausal: true, memoryKeyPaddingMask: kpm };
    const want = dec.norm!.forward(layers.reduce((h, l) => l.forward(h, mem, o), x)) as Tensor;
    expect(values(dec.forward(x, mem, o))).toEqual(values(want));
    expect(() => dec.forward(x, mem, { cache: [] })).toThrow(/3 KVCaches/);
    expect(values(new nn.TransformerDecoder(layer, 1).forward(x, mem))).toEqual(values(layer.forward(x, mem)));
  });

  it("dropout is seeded, in every branch, and off in eval mode; train() and eval() reach every sub-module", () => {
    const make = (o: nn.TransformerDecoderLayerOptions = {}) => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, seed: 1, ...o });
    const rng = new Rng(3), x = randomTensor([4, 2, 8], rng, "float32"), mem = randomTensor([3, 2, 8], rng, "float32");
    const a = make().forward(x, mem), b = make().forward(x, mem);
    expect(values(a)).toEqual(values(b));
    const noDrop = make({ dropout: 0 }).forward(x, mem);
    expect(values(a)).not.toEqual(values(noDrop));
    const layer = make().eval();
    expect(layer.modules().every((m) => !m.training)).toBe(true);
    expect(values(layer.forward(x, mem))).toEqual(values(noDrop));
    layer.train();
    expect(layer.modules().every((m) => m.training)).toBe(true);
    expect(values(layer.forward(x, mem))).not.toEqual(values(noDrop));
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, seed: 4 }).eval();
    expect(t.modules().every((m) => !m.training)).toBe(true);
    const y1 = t.forward(mem, x), y2 = t.forward(mem, x);
    expect(values(y1)).toEqual(values(y2));
  });

  it("a function activation, as PyTorch's unary callable, in the decoder and the Transformer's encoder", () => {
    const rng = new Rng(8), x = randomTensor([3, 2, 6], rng), mem = randomTensor([4, 2, 6], rng);
    const viaFn = new nn.TransformerDecoderLayer(6, 2, { dimFeedforward: 5, dropout: 0, dtype: "float64", activation: (t) => nn.functional.gelu(t) });
    const named = new nn.TransformerDecoderLayer(6, 2, { dimFeedforward: 5, dropout: 0, dtype: "float64", activation: "gelu" });
    named.loadStateDict(viaFn.stateDict());
    expect(values(viaFn.forward(x, mem))).toEqual(values(named.forward(x, mem)));
    const tf = new nn.Transformer({ dModel: 6, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 5, dropout: 0, dtype: "float64", activation: (t) => t.tanh() });
    const enc = tf.encoder as nn.TransformerEncoder;
    expect(typeof (enc.layers.children()[0] as nn.TransformerEncoderLayer).activation).toBe("function");
    expect(tf.forward(mem, x).shape).toEqual([3, 2, 6]);
    const bad = new nn.TransformerDecoderLayer(6, 2, { dimFeedforward: 5, activation: (() => 3) as never });
    expect(() => bad.forward(x.astype("float32"), mem.astype("float32"))).toThrow(/activation function must return a Tensor, got number/);
  });
});

describe("nn.Transformer", () => {
  it("has PyTorch's defaults and keys (encoder.…, decoder.…, both final norms), matrices Xavier-uniform", () => {
    // The defaults a few at a time (dModel 512, nhead 8; 6 + 6 layers; dimFeedforward 2048): the whole default model is 44M parameters.
    const wide = new nn.Transformer({ numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 1, seed: 1 });
    expect([wide.dModel, wide.nhead, wide.batchFirst]).toEqual([512, 8, false]);
    const deep = new nn.Transformer({ dModel: 8, dimFeedforward: 1 });
    expect([(deep.encoder as nn.TransformerEncoder).numLayers, (deep.decoder as nn.TransformerDecoder).numLayers]).toEqual([6, 6]);
    const t = new nn.Transformer({ dModel: 8, numEncoderLayers: 1, numDecoderLayers: 1 });
    const l0 = (t.decoder as nn.TransformerDecoder).layers.children()[0] as nn.TransformerDecoderLayer;
    expect([l0.nhead, l0.linear1.weight.shape]).toEqual([8, [2048, 8]]);
    expect([l0.normFirst, l0.batchFirst, l0.activation, l0.norm1.eps]).toEqual([false, false, "relu", 1e-5]);
    expect(l0.modules().filter((m) => m instanceof nn.Dropout).map((m) => (m as nn.Dropout).p)).toEqual([0.1, 0.1, 0.1, 0.1]);
    const small = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, seed: 2 });
    const keys = Object.keys(small.stateDict());
    expect(keys[0]).toBe("encoder.layers.0.self_attn.in_proj_weight");
    expect(keys).toContain("encoder.layers.1.norm2.bias");
    expect(keys).toContain("decoder.layers.0.multihead_attn.out_proj.weight");
    expect(keys.filter((k) => /^(en|de)coder\.norm\./.test(k))).toEqual(["encoder.norm.weight", "encoder.norm.bias", "decoder.norm.weight", "decoder.norm.bias"]);
    expect(keys.at(-1)).toBe("decoder.norm.bias");
    // _reset_parameters: every matrix re-drawn U(±√(6 / (fanIn + fanOut))), so the copies of a layer differ.
    const sd = small.stateDict();
    for (const [k, p] of Object.entries(sd)) {
      if (p.ndim < 2) continue;
      const bound = Math.sqrt(6 / (p.shape[0] + p.shape[1]));
      expect(values(p).every((v) => Math.abs(v) <= bound), k).toBe(true);
    }
    expect(values(sd["encoder.layers.0.linear1.weight"])).not.toEqual(values(sd["encoder.layers.1.linear1.weight"]));
    expect(values(sd["encoder.layers.0.linear1.bias"])).toEqual(values(sd["encoder.layers.1.linear1.bias"]));
    const again = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, seed: 2 });
    expect(values(again.stateDict()["decoder.layers.0.linear2.weight"])).toEqual(values(sd["decoder.layers.0.linear2.weight"]));
  });

  it("is the encoder then the decoder over its output, masks routed to each; shapes in both layouts and unbatched", () => {
    for (const batchFirst of [false, true]) {
      const t = new nn.Transformer({ dModel: 6, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 8, dropout: 0, batchFirst, dtype: "float64", seed: 3 });
      const rng = new Rng(5), src = randomTensor(batchFirst ? [2, 5, 6] : [5, 2, 6], rng), tgt = randomTensor(batchFirst ? [2, 3, 6] : [3, 2, 6], rng);
      const skpm = boolTensor([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], [2, 5]), smask = randomTensor([5, 5], rng), mmask = randomTensor([3, 5], rng);
      const y = t.forward(src, tgt, { srcMask: smask, srcKeyPaddingMask: skpm, memoryKeyPaddingMask: skpm, tgtIsCausal: true, memoryMask: mmask });
      expect(y.shape).toEqual(tgt.shape);
      const memory = (t.encoder as nn.TransformerEncoder).forward(src, { mask: smask, srcKeyPaddingMask: skpm });
      const want = (t.decoder as nn.TransformerDecoder).forward(tgt, memory, { memoryKeyPaddingMask: skpm, tgtIsCausal: true, memoryMask: mmask });
      expect(values(y)).toEqual(values(want));
      const sCausal = t.forward(src, tgt, { srcIsCausal: true });
      const wantCausal = (t.decoder as nn.TransformerDecoder).forward(tgt, (t.encoder as nn.TransformerEncoder).forward(src, { isCausal: true }));
      expect(values(sCausal)).toEqual(values(wantCausal));
      const one = batchFirst ? (x: Tensor) => x.slice([0, 1]).squeeze(0) : (x: Tensor) => x.slice(null, [0, 1]).squeeze(1);
      const u = t.forward(one(src), one(tgt), { srcKeyPaddingMask: skpm.slice([0, 1]).squeeze(0) });
      expect(u.shape).toEqual([3, 6]);
      const b = one(t.forward(src, tgt, { srcKeyPaddingMask: skpm }));
      values(u).forEach((v, i) => expect(Math.abs(v - b.data[i])).toBeLessThanOrEqual(1e-12));
    }
  });

  it("gradients of src, tgt and every parameter match finite differences (float64)", () => {
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 3, dropout: 0, activation: "gelu", normFirst: true, dtype: "float64", seed: 6 });
    randomize(t, new Rng(7));
    const rng = new Rng(8), src = randomTensor([3, 2, 4], rng), tgt = randomTensor([2, 2, 4], rng);
    src.requiresGrad = true;
    tgt.requiresGrad = true;
    const skpm = boolTensor([0, 0, 1, 0, 0, 0], [2, 3]);
    assertGradByDifferences((a, b) => t.forward(a, b, { tgtIsCausal: true, srcKeyPaddingMask: skpm, memoryKeyPaddingMask: skpm }),
      [src, tgt, ...t.parameters()], "Transformer");
  });

  it("custom encoder and decoder are used (and re-initialized, as PyTorch's)", () => {
    const encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 1, { dimFeedforward: 4, dropout: 0 }), 1);
    const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 4, dropout: 0 }), 1);
    const before = values((encoder.layers.children()[0] as nn.TransformerEncoderLayer).linear1.weight);
    const t = new nn.Transformer({ dModel: 4, nhead: 2, customEncoder: encoder, customDecoder: decoder, seed: 1 });
    expect(t.encoder).toBe(encoder);
    expect(t.decoder).toBe(decoder);
    expect(values((encoder.layers.children()[0] as nn.TransformerEncoderLayer).linear1.weight)).not.toEqual(before);
    expect(Object.keys(t.stateDict()).some((k) => k.startsWith("encoder.norm"))).toBe(false);
    const rng = new Rng(2), src = randomTensor([3, 2, 4], rng, "float32"), tgt = randomTensor([2, 2, 4], rng, "float32");
    expect(values(t.forward(src, tgt, { tgtIsCausal: true }))).toEqual(values(decoder.forward(tgt, encoder.forward(src), { tgtIsCausal: true })));
  });
});

describe("causal incremental decoding with a KV cache", () => {
  it("one target position at a time equals the full causal forward (memory masks each step); errors leave the cache as it was", () => {
    for (const dtype of ["float64", "float32"] as const) for (const normFirst of [false, true]) {
      const rng = new Rng(7);
      const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst, dtype, activation: "gelu" });
      randomize(layer, rng);
      const dec = new nn.TransformerDecoder(layer, 2, { norm: new nn.LayerNorm(8, { dtype }) }).eval();
      const T = 6, x = randomTensor([2, T, 8], rng, dtype), mem = randomTensor([2, 5, 8], rng, dtype);
      const mkpm = boolTensor([0, 0, 0, 1, 1, 0, 1, 0, 0, 0], [2, 5]);
      const full = noGrad(() => dec.forward(x, mem, { tgtIsCausal: true, memoryKeyPaddingMask: mkpm }));
      const cache = dec.createCache();
      const u = dtype === "float64" ? 2 ** -53 : 2 ** -24, terms = 16 * (8 + 16 + T + 5) * 2;
      const scale = values(full).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      for (let t = 0; t < T; t++) {
        const step = x.slice(null, [t, t + 1]);
        // A bad memory mask is refused before the self-attention appends to any cache.
        expect(() => dec.predict(step, mem, { tgtIsCausal: true, cache, memoryKeyPaddingMask: mkpm.slice(null, [0, 4]) })).toThrow(ShapeError);
        expect(cache.map((c) => c.length)).toEqual([t, t]);
        const yt = dec.predict(step, mem, { tgtIsCausal: true, cache, memoryKeyPaddingMask: mkpm });
        const want = full.slice(null, [t, t + 1]).data, got = yt.data;
        for (let i = 0; i < got.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= gamma(terms) * (u / 2 ** -24) * (Math.abs(want[i]) + scale))) expect.fail(`${dtype} normFirst ${normFirst} t=${t}: ${got[i]} vs ${want[i]}`);
        }
      }
      expect(cache.map((c) => c.length)).toEqual([T, T]);
      expect(() => layer.forward(x, mem, { cache: layer.createCache() })).toThrow(/tgtIsCausal: true and no tgtMask/);
      expect(() => layer.forward(x, mem, { cache: [] as never })).toThrow(/cache must be a KVCache/);
      // Recording gradients: refused (inference only), the cache untouched.
      const c = layer.createCache();
      expect(() => layer.forward(x, mem, { tgtIsCausal: true, cache: c })).toThrow(ValueError);
      expect(c.length).toBe(0);
    }
  });
});

describe("typed errors", () => {
  const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 4 });
  const rng = new Rng(1), x = randomTensor([3, 2, 8], rng, "float32"), mem = randomTensor([4, 2, 8], rng, "float32");

  it("constructor options", () => {
    expect(() => new nn.TransformerDecoderLayer(8, 3)).toThrow(/embedDim 8 must be divisible by numHeads 3/);
    expect(() => new nn.TransformerDecoderLayer(0, 1)).toThrow(ValueError);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { activation: "tanh" as "relu" })).toThrow(ValueError);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { dim_feedforward: 4 } as never)).toThrow(/unknown option "dim_feedforward"/);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { layerNormEps: -1 })).toThrow(ValueError);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { batchFirst: 1 as never })).toThrow(ValueError);
    expect(() => new nn.TransformerDecoder(new nn.TransformerEncoderLayer(8, 2) as never, 2)).toThrow(/must be a TransformerDecoderLayer/);
    expect(() => new nn.TransformerDecoder(layer, 0)).toThrow(ValueError);
    expect(() => new nn.TransformerDecoder(layer, 1, { norm: 3 as never })).toThrow(/norm must be a Module/);
    expect(() => new nn.TransformerDecoder(layer, 1, { nrom: null } as never)).toThrow(/unknown option "nrom"/);
    expect(() => new nn.Transformer({ dModel: 8, nhead: 3 })).toThrow(/divisible/);
    expect(() => new nn.Transformer({ numEncoderLayers: 0 })).toThrow(/numEncoderLayers/);
    expect(() => new nn.Transformer({ d_model: 8 } as never)).toThrow(/unknown option "d_model"/);
    expect(() => new nn.Transformer({ customEncoder: {} as never })).toThrow(/customEncoder must be a Module/);
  });

  it("inputs: dims, features, batch sizes, dtypes", () => {
    expect(() => layer.forward(x, mem.slice([0, 4], [0, 1]).squeeze(1))).toThrow(/tgt and memory must both be 3-D \(batched\) or both 2-D/);
    expect(() => layer.forward(x.sum(), mem)).toThrow(ShapeError);
    expect(() => layer.forward(x, randomTensor([4, 2, 6], rng, "float32"))).toThrow(/feature number of tgt \[3, 2, 8\] and memory \[4, 2, 6\] must be dModel 8/);
    expect(() => layer.forward(x, randomTensor([4, 3, 8], rng, "float32"))).toThrow(/one batch size \(dim 1\)/);
    expect(() => layer.forward(x, mem.astype("float64"))).toThrow(DTypeError);
    expect(() => layer.forward(x, null as never)).toThrow(/memory must be a Tensor, got null/);
    expect(() => layer.forward(x, mem, { tgt_mask: null } as never)).toThrow(/unknown option "tgt_mask"/);
    expect(() => layer.forward(x, mem, { tgtIsCausal: 1 as never })).toThrow(ValueError);
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4 });
    expect(() => t.forward(randomTensor([4, 3, 8], rng, "float32"), x)).toThrow(/tgt \[3, 2, 8\] and src \[4, 3, 8\] must have one batch size/);
    expect(() => t.forward(randomTensor([4, 2, 6], rng, "float32"), x)).toThrow(/must be dModel 8/);
  });

  it("masks of the wrong shape or dtype, named by their argument", () => {
    const f = (o: nn.DecoderLayerForwardOptions) => () => layer.forward(x, mem, o);
    expect(f({ tgtMask: randomTensor([3, 4], rng, "float32") })).toThrow(/tgtMask must be \[3, 3\] or \[4, 3, 3\] \(target, source; or batch·heads, target, source\), got \[3, 4\]/);
    expect(f({ memoryMask: randomTensor([3, 3], rng, "float32") })).toThrow(/memoryMask must be \[3, 4\] or \[4, 3, 4\]/);
    expect(f({ memoryMask: randomTensor([2, 3, 4], rng, "float32") })).toThrow(ShapeError);
    expect(f({ tgtKeyPaddingMask: boolTensor([0, 0, 0, 0], [2, 2]) })).toThrow(/tgtKeyPaddingMask must be \[2, 3\] \(batch, source\), got \[2, 2\]/);
    expect(f({ memoryKeyPaddingMask: boolTensor([0, 0, 0], [3]) })).toThrow(/memoryKeyPaddingMask must be \[2, 4\]/);
    expect(f({ memoryKeyPaddingMask: tensor([[0, 0, 0, 0], [0, 0, 0, 0]], { dtype: "int32" }) })).toThrow(DTypeError);
    expect(f({ tgtMask: [[0]] as never })).toThrow(/tgtMask must be a Tensor or null/);
    const unbatched = () => layer.forward(x.slice(null, [0, 1]).squeeze(1), mem.slice(null, [0, 1]).squeeze(1), { memoryKeyPaddingMask: boolTensor([0, 0, 0, 0, 0, 0, 0, 0], [2, 4]) });
    expect(unbatched).toThrow(/memoryKeyPaddingMask must be \[4\] \(source\)/);
    const dec = new nn.TransformerDecoder(layer, 2);
    expect(() => dec.forward(x, mem, { memoryMask: randomTensor([4, 4], rng, "float32") })).toThrow(/TransformerDecoder: memoryMask must be \[3, 4\]/);
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4 });
    expect(() => t.forward(mem, x, { srcMask: randomTensor([3, 3], rng, "float32") })).toThrow(/Transformer: srcMask must be \[4, 4\]/);
    expect(() => t.forward(mem, x, { srcKeyPaddingMask: boolTensor([0, 0, 0], [3]) })).toThrow(/srcKeyPaddingMask must be \[2, 4\]/);
    expect(() => t.forward(mem, x, { memoryKeyPaddingMask: boolTensor([0, 0, 0, 0, 0, 0], [2, 3]) })).toThrow(/memoryKeyPaddingMask must be \[2, 4\]/);
    expect(() => t.forward(mem, x, { tgtIsCausal: "yes" as never })).toThrow(ValueError);
  });

  it("exportOnnx refuses the decoder layers by name", () => {
    expect(() => io.exportOnnx(layer, { inputFeatures: 8 })).toThrow(/module TransformerDecoderLayer at index 0 has no ONNX mapping/);
    expect(() => io.exportOnnx(new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4 }), { inputFeatures: 8 }))
      .toThrow(/module Transformer at index 0 has no ONNX mapping/);
  });
});

describe("an encoder–decoder model learns to copy", () => {
  it("a tiny seeded Transformer's loss falls well within a few dozen Adam steps", () => {
    const V = 7, D = 16, L = 5, N = 24, BOS = 0;
    class Seq2Seq extends nn.Module {
      readonly embed = this.registerModule("embed", new nn.Embedding(V, D, { seed: 1 }));
      readonly pe = this.registerModule("pe", new nn.SinusoidalPositionalEncoding(D, 16));
      readonly core = this.registerModule("core", new nn.Transformer({ dModel: D, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, dropout: 0, seed: 2 }));
      readonly head = this.registerModule("head", new nn.Linear(D, V, { seed: 3 }));
      forward(src: Tensor, tgtIn: Tensor): Tensor {
        const e = (ids: Tensor) => this.pe.forward(this.embed.forward(ids));
        return this.head.forward(this.core.forward(e(src), e(tgtIn), { tgtIsCausal: true }));
      }
    }
    const model = new Seq2Seq();
    const rng = new Rng(11);
    const seqs = Array.from({ length: N }, () => Array.from({ length: L }, () => 1 + Math.floor(rng.uniform() * (V - 1))));
    // [L, N] layouts: src is the sequence, the decoder reads BOS then the sequence shifted right.
    const src = new Tensor(Int32Array.from({ length: L * N }, (_, k) => seqs[k % N][Math.floor(k / N)]), "int32", [L, N]);
    const tgtIn = new Tensor(Int32Array.from({ length: L * N }, (_, k) => (k < N ? BOS : seqs[k % N][Math.floor(k / N) - 1])), "int32", [L, N]);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      const loss = nn.crossEntropy(model.forward(src, tgtIn).reshape([L * N, V]), src.reshape([L * N]));
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    // From ≈ ln 7 ≈ 1.95 to a fraction of it: the decoder must read the source through memory.
    expect(losses.at(-1)! / losses[0]).toBeLessThan(0.25);
  });
});
