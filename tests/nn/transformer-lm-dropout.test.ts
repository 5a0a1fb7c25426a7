// TransformerLM's dropout follows the library's rule for random layers: with seed or rng it draws
// from the model's own generator (whatever the global one does), without them from the global
// generator at each forward (manualSeed, or fit's run); a checkpoint saves and restores the
// model's generator.
import { describe, expect, it } from "vitest";
import { manualSeed, nn, rngFrom, Rng, Tensor, type RandomOptions } from "../../src/index.js";

const ids = new Tensor(Int32Array.from([1, 4, 0, 2, 6, 3, 3, 5, 1, 0, 2, 4]), "int32", [2, 6]);
const lm = (random: RandomOptions, dropout = 0.5) =>
  new nn.TransformerLM(7, { dModel: 8, numHeads: 2, numLayers: 2, contextLength: 6, dimFeedforward: 12, dropout, ...random });
/** Logits of one forward in training mode (dropout on). */
const trainLogits = (m: nn.TransformerLM) => Array.from(m.train().forward(ids).data);

describe("TransformerLM dropout", () => {
  it("with seed or rng draws from the model's own generator: other generators give other masks, manualSeed changes nothing", () => {
    const a = lm({ rng: new Rng(111) }), b = lm({ rng: new Rng(222) });
    b.loadStateDict(a.stateDict());
    manualSeed(1);
    const outA = trainLogits(a);
    manualSeed(2);
    const outB = trainLogits(b);
    // Same weights, same input: only the dropout masks can tell the two apart.
    expect(outB).not.toEqual(outA);
    expect(Array.from(b.eval().forward(ids).data)).toEqual(Array.from(a.eval().forward(ids).data));
    // A second model with a's generator draws a's masks, whatever the global generator holds.
    const again = lm({ rng: new Rng(111) });
    manualSeed(99);
    expect(trainLogits(again)).toEqual(outA);
    const seeded = lm({ seed: 5 }), seededAgain = lm({ seed: 5 });
    manualSeed(3);
    const s1 = trainLogits(seeded);
    manualSeed(4);
    expect(trainLogits(seededAgain)).toEqual(s1);
    // Building a seeded model draws nothing from the global generator.
    manualSeed(7);
    const expected = rngFrom(undefined).nextU32();
    manualSeed(7);
    lm({ seed: 5 });
    expect(rngFrom(undefined).nextU32()).toBe(expected);
  });

  it("the model's generator continues after the initial weights: an unseeded copy with the global generator in that state draws the same masks", () => {
    const rng = new Rng(31);
    const seeded = lm({ rng });
    const state = rng.getState();
    const unseeded = lm({});
    unseeded.loadStateDict(seeded.stateDict());
    const want = trainLogits(seeded);
    rngFrom(undefined).setState(state);
    expect(trainLogits(unseeded)).toEqual(want);
    // And without dropout the two agree in training mode too, with no draw.
    const plain = lm({ seed: 8 }, 0), plainCopy = lm({}, 0);
    plainCopy.loadStateDict(plain.stateDict());
    expect(trainLogits(plainCopy)).toEqual(trainLogits(plain));
  });

  it("without seed or rng follows manualSeed", () => {
    const m = lm({});
    manualSeed(1);
    const first = trainLogits(m);
    manualSeed(1);
    expect(trainLogits(m)).toEqual(first);
    manualSeed(2);
    expect(trainLogits(m)).not.toEqual(first);
  });

  it("saveCheckpoint / loadCheckpoint restore the model's generator: the next masks are the same", () => {
    const m = lm({ seed: 12 });
    trainLogits(m);
    const bytes = nn.saveCheckpoint({ model: m, epoch: 1 });
    const next = trainLogits(m);
    const restored = lm({ seed: 13 });
    nn.loadCheckpoint(bytes, { model: restored });
    expect(trainLogits(restored)).toEqual(next);
  });
});
