// generate(): the key/value cache against full forwards (same tokens for a seed, greedy and
// sampled, also once the text outgrows the context), greedy decoding against the float64 GPT's
// argmax, seeds, the model's mode, and the errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, manualSeed, nn, Rng, ShapeError, tensor, ValueError } from "../../src/index.js";
import { gptForward } from "./transformer-lm-reference.js";

function tiny(seed: number, context = 6, vocab = 7): nn.TransformerLM {
  return new nn.TransformerLM(vocab, { dModel: 8, numHeads: 2, numLayers: 2, contextLength: context, dimFeedforward: 12, seed });
}

const settingsArb = fc.record({
  seed: fc.integer({ min: 1, max: 10_000 }),
  context: fc.integer({ min: 2, max: 7 }),
  prompt: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 9 }),
  maxNewTokens: fc.integer({ min: 0, max: 14 }),
  sampling: fc.oneof(
    fc.constant({ temperature: 0 }),
    fc.record({ temperature: fc.double({ min: 0.5, max: 1.5, noNaN: true }) }),
    fc.record({ temperature: fc.constant(1), topK: fc.integer({ min: 1, max: 7 }) }),
    fc.record({ temperature: fc.constant(0.9), topP: fc.double({ min: 0.3, max: 1, noNaN: true }) }),
  ),
});

describe("generate", () => {
  it("with the cache and without give the same tokens for a seed, greedy and sampled, past the context too", () => {
    fc.assert(fc.property(settingsArb, ({ seed, context, prompt, maxNewTokens, sampling }) => {
      const model = tiny(seed, context);
      const o = { maxNewTokens, seed, ...sampling };
      const cached = nn.generate(model, prompt, o);
      const full = nn.generate(model, prompt, { ...o, useCache: false });
      expect(Array.from(cached.subarray(0, prompt.length))).toEqual(prompt);
      expect(cached.length).toBe(prompt.length + maxNewTokens);
      expect(Array.from(cached)).toEqual(Array.from(full));
      expect(cached.every((t) => t >= 0 && t < 7)).toBe(true);
    }), { numRuns: 40 });
  });

  it("greedy decoding picks the float64 GPT's most likely next token over the same window", () => {
    const model = tiny(17, 5);
    const out = Array.from(nn.generate(model, [3, 1], { maxNewTokens: 9, temperature: 0 }));
    const sd = model.stateDict();
    const shape = { dModel: 8, numHeads: 2, numLayers: 2, vocabSize: 7, tieWeights: false };
    // The window rule written out: at most 5 tokens; when full, keep the last ⌈5/2⌉ = 3.
    let start = 0;
    for (let n = 2; n < out.length; n++) {
      if (n - start > 5) start = n - 3;
      const logits = gptForward(sd, shape, out.slice(start, n));
      const last = logits[logits.length - 1];
      const sorted = Array.from(last).sort((a, b) => b - a);
      // Skip positions where float32 rounding could decide a near tie.
      if (sorted[0] - sorted[1] < 1e-4) continue;
      expect(out[n], `token ${n}`).toBe(last.indexOf(sorted[0]));
    }
  });

  it("repeats for a seed; another seed gives other text; the model's mode is restored", () => {
    const model = tiny(5, 16, 7);
    const a = nn.generate(model, [0], { maxNewTokens: 30, seed: 1 });
    expect(Array.from(nn.generate(model, [0], { maxNewTokens: 30, seed: 1 }))).toEqual(Array.from(a));
    expect(Array.from(nn.generate(model, [0], { maxNewTokens: 30, seed: 2 }))).not.toEqual(Array.from(a));
    // Unseeded draws come from the global generator; an rng continues its own stream.
    manualSeed(11);
    const g1 = Array.from(nn.generate(model, [0], { maxNewTokens: 30 }));
    manualSeed(11);
    expect(Array.from(nn.generate(model, [0], { maxNewTokens: 30 }))).toEqual(g1);
    expect(Array.from(nn.generate(model, [0], { maxNewTokens: 30, rng: new Rng(1) }))).toEqual(Array.from(a));
    expect(model.training).toBe(true);
    model.eval();
    nn.generate(model, [0], { maxNewTokens: 2, seed: 1 });
    expect(model.training).toBe(false);
    // Each module gets its own mode back, not the model's: a block frozen in eval mode stays so.
    model.train();
    model.modules()[1].eval();
    const modes = model.modules().map((m) => m.training);
    nn.generate(model, [0], { maxNewTokens: 2, seed: 1 });
    expect(model.modules().map((m) => m.training)).toEqual(modes);
  });

  it("refuses empty or out-of-vocabulary prompts and bad options before generating", () => {
    const model = tiny(1);
    expect(() => nn.generate(model, [], { maxNewTokens: 1 })).toThrow(/at least one token/);
    expect(() => nn.generate(model, [2, 7], { maxNewTokens: 1 })).toThrow(/token 7 at position 1 is outside the vocabulary \[0, 7\)/);
    expect(() => nn.generate(model, [2], { maxNewTokens: -1 })).toThrow(ValueError);
    expect(() => nn.generate(model, [2], { maxNewTokens: 1, topK: -1 })).toThrow(ValueError);
    expect(() => nn.generate(model, [2], { maxNewTokens: 1, topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => nn.generate(model, [2], { maxNewTokens: 1, beams: 2 } as never)).toThrow(/unknown option "beams"/);
  });

  it("takes one sequence: refuses a batched (2-D) prompt, a non-integer tensor and a string, naming the shape, dtype or type", () => {
    const model = tiny(3);
    const o = { maxNewTokens: 2, temperature: 0 };
    // A 1-D integer tensor is the same prompt as the array.
    const fromArray = Array.from(nn.generate(model, [1, 2], o));
    expect(Array.from(nn.generate(model, tensor([1, 2], { dtype: "int32" }), o))).toEqual(fromArray);
    expect(Array.from(nn.generate(model, tensor([1, 2], { dtype: "uint8" }), o))).toEqual(fromArray);
    // Two rows were read as one sequence [1, 2, 3, 4].
    expect(() => nn.generate(model, tensor([[1, 2], [3, 4]], { dtype: "int32" }), o)).toThrow(ShapeError);
    expect(() => nn.generate(model, tensor([[1, 2], [3, 4]], { dtype: "int32" }), o)).toThrow(/generate: the prompt must be 1-D \(one sequence\), got shape \[2, 2\]/);
    expect(() => nn.generate(model, tensor([[1, 2]], { dtype: "int32" }), o)).toThrow(/got shape \[1, 2\]/);
    expect(() => nn.generate(model, tensor(1, { dtype: "int32" }), o)).toThrow(/got shape \[\]/);
    // A bool tensor was read as the ids 1 and 0.
    expect(() => nn.generate(model, tensor([true, false], { dtype: "bool" }), o)).toThrow(DTypeError);
    expect(() => nn.generate(model, tensor([true, false], { dtype: "bool" }), o)).toThrow(/generate: the prompt must be an integer tensor \(int32, uint8 or int8\), got bool/);
    expect(() => nn.generate(model, tensor([1, 2], { dtype: "float32" }), o)).toThrow(/got float32/);
    // A string was read character by character as ids.
    expect(() => nn.generate(model, "12" as never, o)).toThrow(ValueError);
    expect(() => nn.generate(model, "12" as never, o)).toThrow(/generate: the prompt must be a tensor, a typed array or an array of token ids, got string/);
    expect(() => nn.generate(model, null as never, o)).toThrow(/got null/);
    expect(() => nn.generate(model, ["1"] as never, o)).toThrow(/prompt token "1" at position 0 is outside the vocabulary/);
  });
});
