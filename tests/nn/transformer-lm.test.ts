// TransformerLM against a float64 GPT written from the formulas (tests/nn/transformer-lm-reference.ts),
// causality and the key/value cache as properties drawn by fast-check, state-dict keys, gradients
// by finite differences, and the errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, noGrad, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { U32 } from "../support/tolerance.js";
import { gptForward, scrambleParameters, type GptConditioning, type GptShape } from "./transformer-lm-reference.js";

interface Config { vocab: number; dModel: number; heads: number; layers: number; context: number; tie: boolean; seed: number; relu?: boolean }

const configArb: fc.Arbitrary<Config> = fc.record({
  vocab: fc.integer({ min: 2, max: 9 }), heads: fc.integer({ min: 1, max: 3 }), headDim: fc.integer({ min: 1, max: 5 }),
  layers: fc.integer({ min: 1, max: 2 }), context: fc.integer({ min: 1, max: 9 }), tie: fc.boolean(), seed: fc.integer({ min: 1, max: 1000 }), relu: fc.boolean(),
}).map(({ headDim, ...c }) => ({ ...c, dModel: headDim * c.heads }));

function build(c: Config, dtype: "float32" | "float64" = "float32"): nn.TransformerLM {
  const model = new nn.TransformerLM(c.vocab, { dModel: c.dModel, numHeads: c.heads, numLayers: c.layers, contextLength: c.context, dimFeedforward: 2 * c.dModel + 1, tieWeights: c.tie, activation: c.relu ? "relu" : "gelu", seed: c.seed, dtype });
  scrambleParameters(model, c.seed);
  return model;
}
const shapeOf = (c: Config): GptShape => ({ dModel: c.dModel, numHeads: c.heads, numLayers: c.layers, vocabSize: c.vocab, tieWeights: c.tie, activation: c.relu ? "relu" : "gelu" });
const idsTensor = (rowsOfIds: number[][]) => new Tensor(Int32Array.from(rowsOfIds.flat()), "int32", [rowsOfIds.length, rowsOfIds[0].length]);

/** Draws a config, then batch rows of token ids no longer than its context. */
const caseArb = configArb.chain((c) => fc.record({
  c: fc.constant(c),
  ids: fc.integer({ min: 1, max: c.context }).chain((T) => fc.array(fc.array(fc.integer({ min: 0, max: c.vocab - 1 }), { minLength: T, maxLength: T }), { minLength: 1, maxLength: 3 })),
}));

/**
 * Tolerance of a float32 logit: the model is a chain of about 10 float32 roundings per block on
 * values of the size of the reference's activations; each rounding adds u relative to the
 * magnitude it touches. The bound grows with the sums' lengths (dModel, dimFeedforward, T) as
 * γ(n) does, and with the worst LayerNorm's amplification of its input's errors (`layerNorm`,
 * max|x| / √(var + eps), measured by the reference on the same weights and tokens).
 */
function logitTol(c: Config, T: number, scale: number, cond: GptConditioning): number {
  const terms = c.layers * (2 * c.dModel + 2 * (2 * c.dModel + 1) + 2 * T + 16) + c.dModel + 8;
  return 8 * terms * U32 * Math.max(1, scale) * Math.max(1, cond.layerNorm);
}

/**
 * Drawn weights can make a LayerNorm's input nearly constant (two close values when dModel = 2),
 * and then float32 cannot resolve the normalized output: the comparison would measure float32,
 * not the model. Such draws are discarded (fast-check draws others), so every case that counts
 * is one where a wrong term would show.
 */
const MAX_LAYER_NORM_AMPLIFICATION = 100;

describe("TransformerLM", () => {
  it("forward: the float64 GPT's logits from the same weights", () => {
    fc.assert(fc.property(caseArb, ({ c, ids }) => {
      const model = build(c);
      const logits = model.predict(idsTensor(ids)) as Tensor;
      expect(logits.shape).toEqual([ids.length, ids[0].length, c.vocab]);
      const sd = model.stateDict();
      const cond: GptConditioning = { layerNorm: 0 };
      const refs = ids.map((row) => gptForward(sd, shapeOf(c), row, cond));
      fc.pre(cond.layerNorm <= MAX_LAYER_NORM_AMPLIFICATION);
      refs.forEach((ref, b) => {
        const row = ids[b];
        const scale = Math.max(...ref.map((r) => Math.max(...Array.from(r, Math.abs))));
        ref.forEach((logit, t) => logit.forEach((v, k) => {
          const got = logits.data[(b * row.length + t) * c.vocab + k];
          const tol = logitTol(c, row.length, scale, cond);
          if (!(Math.abs(got - v) <= tol)) throw new Error(`row ${b} t ${t} k ${k}: ${got} vs ${v} (tol ${tol})`);
        }));
      });
    }), { numRuns: 25 });
  });

  it("is causal: changing a token changes no logit before its position", () => {
    fc.assert(fc.property(caseArb, fc.nat(), fc.nat(), ({ c, ids }, at, shift) => {
      const T = ids[0].length, model = build(c);
      const j = at % T;
      const changed = ids.map((row) => row.map((v, t) => (t === j ? (v + 1 + (shift % (c.vocab - 1 || 1))) % c.vocab : v)));
      const a = (model.predict(idsTensor(ids)) as Tensor).data, b = (model.predict(idsTensor(changed)) as Tensor).data;
      for (let r = 0; r < ids.length; r++) {
        for (let t = 0; t < j; t++) for (let k = 0; k < c.vocab; k++) {
          const i = (r * T + t) * c.vocab + k;
          expect(b[i], `row ${r} t ${t} (token ${j} changed)`).toBe(a[i]);
        }
      }
    }), { numRuns: 25 });
  });

  it("forward with a cache, chunk by chunk, gives the logits of one forward over the whole sequence", () => {
    fc.assert(fc.property(caseArb, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 9 }), ({ c, ids }, chunks) => {
      const model = build(c).eval();
      const T = ids[0].length;
      const sd = model.stateDict(), cond: GptConditioning = { layerNorm: 0 };
      for (const row of ids) gptForward(sd, shapeOf(c), row, cond);
      fc.pre(cond.layerNorm <= MAX_LAYER_NORM_AMPLIFICATION);
      const whole = model.predict(idsTensor(ids)) as Tensor;
      const cache = model.newCache();
      const scale = Math.max(...Array.from(whole.data as Float32Array, Math.abs));
      let t0 = 0;
      for (let k = 0; t0 < T; k++) {
        const n = Math.min(chunks[k % chunks.length], T - t0);
        const part = noGrad(() => model.forward(idsTensor(ids.map((row) => row.slice(t0, t0 + n))), { cache }));
        expect(cache.length).toBe(t0 + n);
        for (let r = 0; r < ids.length; r++) for (let t = 0; t < n; t++) for (let v = 0; v < c.vocab; v++) {
          const got = part.data[(r * n + t) * c.vocab + v], want = whole.data[(r * T + t0 + t) * c.vocab + v];
          expect(Math.abs(got - want), `row ${r} position ${t0 + t}`).toBeLessThanOrEqual(logitTol(c, T, scale, cond));
        }
        t0 += n;
      }
    }), { numRuns: 25 });
  });

  it("state-dict keys in PyTorch's names; tieWeights shares the embedding with the head", () => {
    const c: Config = { vocab: 7, dModel: 4, heads: 2, layers: 2, context: 5, tie: false, seed: 3 };
    const keys = Object.keys(build(c).stateDict());
    expect(keys.slice(0, 2)).toEqual(["embedding.weight", "positions.weight"]);
    for (const k of ["encoder.layers.1.self_attn.in_proj_weight", "encoder.layers.0.linear1.weight", "encoder.layers.0.norm2.bias", "norm.weight", "head.weight"]) expect(keys).toContain(k);
    const tied = build({ ...c, tie: true });
    expect(Object.keys(tied.stateDict())).not.toContain("head.weight");
    // The same tensor: a gradient step on the embedding moves the head.
    const params = tied.parameters();
    expect(params.filter((p) => p === tied.embedding.weight)).toHaveLength(1);
  });

  it("gradients of the loss reach every parameter and match central differences (float64 weights)", () => {
    const c: Config = { vocab: 5, dModel: 4, heads: 2, layers: 2, context: 4, tie: true, seed: 9 };
    const model = build(c, "float64");
    const x = idsTensor([[1, 4, 0, 2], [3, 3, 1, 0]]), y = idsTensor([[4, 0, 2, 1], [3, 1, 0, 4]]);
    const loss = () => nn.crossEntropy((model.forward(x) as Tensor).reshape([8, c.vocab]), y.reshape([8]));
    const params = model.parameters();
    expect(findGradMismatches(loss, params)).toEqual([]);
    expect(params.every((p) => p.grad && Array.from(p.grad.data as Float64Array).some((g) => g !== 0))).toBe(true);
  });

  it("starts from GPT-2's initialization: N(0, 0.02²) matrices, residual projections / √(2·layers), a near-uniform first guess", () => {
    const layers = 3, vocab = 50;
    const model = new nn.TransformerLM(vocab, { dModel: 64, numHeads: 4, numLayers: layers, contextLength: 32, seed: 4 });
    const std = (t: Tensor) => Math.sqrt(Array.from(t.data as Float32Array).reduce((a, v) => a + v * v, 0) / t.size);
    for (const [name, p] of model.namedParameters()) {
      if (p.ndim === 1) {
        expect(Array.from(p.data as Float32Array).every((v) => v === (/norm\d?\.weight$/.test(name) ? 1 : 0)), name).toBe(true);
        continue;
      }
      const want = /out_proj\.weight$|linear2\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * layers) : 0.02;
      // The sample deviation of n ≥ 2048 normal draws is within 10% of σ with overwhelming probability.
      expect(Math.abs(std(p) / want - 1), name).toBeLessThan(0.1);
    }
    // Blocks drawn independently, not copies of one layer.
    const sd = model.stateDict();
    expect(Array.from(sd["encoder.layers.0.linear1.weight"].data)).not.toEqual(Array.from(sd["encoder.layers.1.linear1.weight"].data));
    // Logits of deviation 0.02·√64 ≈ 0.16 cost about ½·0.16² nats above ln(vocab).
    const ids = idsTensor([Array.from({ length: 32 }, (_, i) => (i * 7) % vocab)]);
    const loss = nn.crossEntropy((model.predict(ids) as Tensor).reshape([32, vocab]), idsTensor([Array.from({ length: 32 }, (_, i) => (i * 3) % vocab)]).reshape([32])).item();
    expect(Math.abs(loss - Math.log(vocab))).toBeLessThan(0.05);
  });

  it("refuses bad sizes, inputs longer than the context and a cache that would overflow", () => {
    expect(() => new nn.TransformerLM(0)).toThrow(ValueError);
    expect(() => new nn.TransformerLM(5, { dModel: 6, numHeads: 4 })).toThrow(/numHeads \(4\) must divide dModel \(6\)/);
    expect(() => new nn.TransformerLM(5, { dropout: 1.5 })).toThrow(ValueError);
    // Checked by TransformerLM itself, not first by the encoder layer it builds.
    expect(() => new nn.TransformerLM(9, { dropout: 1 })).toThrow(ValueError);
    expect(() => new nn.TransformerLM(9, { dropout: 1 })).toThrow(/^TransformerLM: dropout must be in \[0, 1\), got 1$/);
    expect(() => new nn.TransformerLM(5, { layers: 2 } as never)).toThrow(/unknown option "layers"/);
    expect(() => new nn.TransformerLM(5, { activation: "tanh" } as never)).toThrow(/activation must be one of "gelu", "relu"/);
    const model = new nn.TransformerLM(5, { dModel: 4, numHeads: 2, numLayers: 1, contextLength: 3, seed: 1 });
    expect(() => model.forward(idsTensor([[1, 2, 3, 4]]))).toThrow(/4 positions exceed contextLength 3/);
    expect(() => model.forward(new Tensor(new Float32Array(3), "float32", [1, 3]))).toThrow(ShapeError);
    const cache = model.newCache();
    noGrad(() => model.forward(idsTensor([[1, 2]]), { cache }));
    expect(() => model.forward(idsTensor([[1, 2]]), { cache })).toThrow(/2 cached \+ 2 positions exceed contextLength 3/);
    expect(cache.length).toBe(2);
  });

  it("refuses a cache whose length disagrees with the positions its blocks hold, changing nothing", () => {
    const model = new nn.TransformerLM(5, { dModel: 4, numHeads: 2, numLayers: 2, contextLength: 6, seed: 1 }).eval();
    // Made by hand: three positions claimed, none held; it used to run as if the three were there.
    const forged: nn.LMCache = { length: 3, blocks: model.encoder.createCache() };
    expect(() => noGrad(() => model.forward(idsTensor([[1, 2]]), { cache: forged }))).toThrow(ValueError);
    expect(() => noGrad(() => model.forward(idsTensor([[1, 2]]), { cache: forged }))).toThrow(/TransformerLM\.forward: the cache's length is 3 but block 0 holds 0 positions/);
    expect(forged.length).toBe(3);
    expect(forged.blocks.every((b) => b.length === 0)).toBe(true);
    // A cache advanced behind the model's back (its length bumped) is refused too.
    const cache = model.newCache();
    noGrad(() => model.forward(idsTensor([[1, 2]]), { cache }));
    cache.length = 1;
    expect(() => noGrad(() => model.forward(idsTensor([[3]]), { cache }))).toThrow(/the cache's length is 1 but block 0 holds 2 positions/);
    expect(cache.blocks.map((b) => b.length)).toEqual([2, 2]);
    expect(() => noGrad(() => model.forward(idsTensor([[3]]), { cache: { length: 0 } as never }))).toThrow(/cache must be \{ length, blocks \} from model\.newCache\(\)/);
    expect(() => noGrad(() => model.forward(idsTensor([[3]]), { cache: { length: 0, blocks: model.encoder.createCache().slice(1) } }))).toThrow(/2 blocks/);
    // A hand-made empty cache is what newCache() gives, and works.
    const empty: nn.LMCache = { length: 0, blocks: model.encoder.createCache() };
    noGrad(() => model.forward(idsTensor([[1, 2]]), { cache: empty }));
    expect(empty.length).toBe(2);
  });
});
