// Differential sweep (review 4) of the features added together: the transformer decoder and
// nn.Transformer, instance norm, the rearranging, padding and distance layers (PyTorch 1.13), the
// new metrics and splitters (scikit-learn 1.2.1). Each test pins a disagreement that was found
// and fixed, with the reference's numbers.
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, ShapeError, ValueError } from "../src/index.js";
import { tensor } from "../src/ndarray/index.js";
import { stratifiedShuffleSplit, repeatedStratifiedKFold } from "../src/select/index.js";
import { f1Score, fbetaScore, jaccardScore, matthewsCorrcoef, precisionRecallF1, classificationReport, accuracy } from "../src/metrics/index.js";

describe("transformer decoder and nn.Transformer (PyTorch 1.13)", () => {
  it("per-head masks are checked against a custom encoder's and decoder's own heads, not the Transformer's nhead", () => {
    const seeded = (shape: number[], seed: number) => fromTypedArray(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + i * 1.3)), shape);
    const src = seeded([5, 2, 4], 1), tgt = seeded([3, 2, 4], 2);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 1, { dimFeedforward: 8, dropout: 0, seed: 3 }), 1);
    const dec = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 1, { dimFeedforward: 8, dropout: 0, seed: 4 }), 1);
    const model = new nn.Transformer({ dModel: 4, nhead: 2, customEncoder: enc, customDecoder: dec, seed: 5 });
    // PyTorch 1.13: Transformer(d_model=4, nhead=2, custom_encoder/decoder with nhead=1) takes
    // tgt_mask and src_mask of [N·1, ·, ·] = [2, ·, ·], and refuses [4, 3, 3] ("should be (2, 3, 3)").
    const tgtMask = fromTypedArray(Float32Array.from({ length: 18 }, (_, i) => (i % 4 === 1 ? -Infinity : 0)), [2, 3, 3]);
    const srcMask = fromTypedArray(Float32Array.from({ length: 50 }, (_, i) => (i % 3 === 2 ? -1.5 : 0)), [2, 5, 5]);
    const y = model.forward(src, tgt, { tgtMask, srcMask });
    const want = dec.forward(tgt, enc.forward(src, { mask: srcMask }), { tgtMask });
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    expect(() => model.forward(src, tgt, { tgtMask: fromTypedArray(new Float32Array(36), [4, 3, 3]) })).toThrow(ShapeError);
    expect(() => model.forward(src, tgt, { tgtMask: fromTypedArray(new Float32Array(36), [4, 3, 3]) })).toThrow(/Transformer: tgtMask must be \[3, 3\] or \[2, 3, 3\]/);
  });

  it("TransformerDecoder's copies keep the parameters frozen in the layer given, as PyTorch's deepcopy", () => {
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8, seed: 1 });
    for (const p of layer.selfAttn.parameters()) p.requiresGrad = false;
    const decoder = new nn.TransformerDecoder(layer, 2);
    // PyTorch 1.13: the same steps leave layers.{0,1}.self_attn.* with requires_grad False, the rest True.
    for (const [name, p] of decoder.namedParameters()) expect([name, p.requiresGrad]).toEqual([name, !name.includes(".self_attn.")]);
  });

  it("TransformerEncoder's copies keep them frozen too", () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, seed: 1 });
    for (const p of layer.linear1.parameters()) p.requiresGrad = false;
    const encoder = new nn.TransformerEncoder(layer, 2);
    // PyTorch 1.13: nn.TransformerEncoder(layer, 2) deep-copies the flags: layers.{0,1}.linear1.* False.
    for (const [name, p] of encoder.namedParameters()) expect([name, p.requiresGrad]).toEqual([name, !name.includes(".linear1.")]);
  });
});

describe("distance and normalization layers (PyTorch 1.13)", () => {
  it("cosineSimilarity of float32 with float64 computes in float64, as PyTorch promotes first", () => {
    const a = tensor([[0.1, 0.2, 0.3], [1.7, -0.3, 2.9]], { requiresGrad: true });
    const b = tensor([[1 / 3, 0.2, 0.7], [0.25, 1.5, -0.6]], { dtype: "float64", requiresGrad: true });
    const y = nn.functional.cosineSimilarity(a, b, { dim: 1 });
    expect(y.dtype).toBe("float64");
    // PyTorch 1.13: F.cosine_similarity(a, b, dim=1) = [0.9457296442170751, -0.3199071836936407];
    // a float32 norm of a was off by ~1e-8 relative.
    const want = [0.9457296442170751, -0.3199071836936407];
    Array.from(y.data as Float64Array).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-14));
    y.sum().backward();
    // PyTorch 1.13: b.grad after y.sum().backward().
    const gb = [-0.15792692603682923, 0.3725455423304517, -0.03123828541021023, 0.3380517326268476, 0.12517985531833603, 0.45380452689036005];
    Array.from(b.grad!.data as Float64Array).forEach((v, i) => expect(Math.abs(v - gb[i])).toBeLessThan(1e-14));
  });
});

describe("metrics (scikit-learn 1.2.1)", () => {
  it("average null (scikit-learn's per-class scores) is refused, not read as \"binary\"", () => {
    // scikit-learn 1.2.1: f1_score([0,1,1,0], [0,1,0,0], average=None) = [0.8, 0.667]; ours gave
    // the binary score 0.667 of class 1.
    for (const f of [() => f1Score([0, 1, 1, 0], [0, 1, 0, 0], { average: null as never }),
      () => jaccardScore([0, 1, 1, 0], [0, 1, 0, 0], { average: null as never }),
      () => fbetaScore([0, 1, 1, 0], [0, 1, 0, 0], { beta: 2, average: null as never })]) {
      expect(f).toThrow(ValueError);
      expect(f).toThrow(/average null/);
    }
  });

  it("an empty labels list is refused (no class to score), as classificationReport, cohenKappaScore and hingeLoss do", () => {
    // scikit-learn 1.2.1: f1_score([0,1,2], [0,2,1], labels=[], average=...) is nan (macro), 0.0
    // (micro, weighted), with warnings; ours gave 0 for all three.
    for (const average of ["macro", "micro", "weighted"] as const) {
      for (const f of [() => f1Score([0, 1, 2], [0, 2, 1], { labels: [], average }), () => jaccardScore([0, 1, 2], [0, 2, 1], { labels: [], average })]) {
        expect(f).toThrow(ValueError);
        expect(f).toThrow(/labels must be a non-empty array of numbers/);
      }
    }
  });

  it("string labels are refused with a typed error (they were sorted and compared as numbers)", () => {
    const t = ["b", "a", "b"] as unknown as number[], p = ["a", "a", "b"] as unknown as number[];
    for (const f of [() => f1Score(t, p, { average: "macro" }), () => matthewsCorrcoef(t, p), () => classificationReport(t, p), () => accuracy(t, p)]) {
      expect(f).toThrow(ValueError);
      expect(f).toThrow(/labels must be numbers, got "b" \(string\) at index 0/);
    }
  });

  it("two 0/1 multilabel indicator matrices are scored column by column, not argmaxed row by row", () => {
    const t = tensor([[0, 1, 1], [1, 1, 0]]), p = tensor([[1, 1, 0], [1, 1, 0]]);
    // scikit-learn 1.2.1 scores them column by column: f1 micro 0.75, jaccard micro 0.6, fbeta(2)
    // macro 0.6111; the argmax read gave f1 0.5. (They were refused until multilabel scoring was added.)
    expect(f1Score(t, p, { average: "micro" })).toBeCloseTo(0.75, 14);
    expect(jaccardScore(t, p, { average: "micro" })).toBeCloseTo(0.6, 14);
    expect(fbetaScore(t, p, { beta: 2, average: "macro" })).toBeCloseTo(0.6111111111111112, 14);
    // A metric without multilabel scoring still refuses them.
    expect(() => matthewsCorrcoef(t, p)).toThrow(/multilabel indicator matrix \(row 0 has several ones\)/);
    // One-hot rows (one 1 each) and score rows keep their argmax reading.
    expect(f1Score(tensor([[0, 1], [1, 0]]), tensor([[0, 1], [0, 1]]), { average: "micro" })).toBe(0.5);
    expect(accuracy([1, 0], tensor([[0.1, 0.9], [1, 1]]))).toBe(1); // [1, 1] among scores: a tie, the first column
  });
});

describe("splitters (scikit-learn 1.2.1)", () => {
  it("string class labels are refused by a message naming the string and its type", () => {
    // scikit-learn takes string classes; edgegrad wants numbers, and said "label at index 0 is a".
    const y = ["a", "b", "a", "b"] as unknown as number[];
    expect(() => stratifiedShuffleSplit(y, { nSplits: 1, testSize: 2, seed: 0 })).toThrow(ValueError);
    expect(() => stratifiedShuffleSplit(y, { nSplits: 1, testSize: 2, seed: 0 })).toThrow(/label at index 0 is "a" \(string\); labels must be numbers/);
    expect(() => repeatedStratifiedKFold(y, { k: 2, nRepeats: 1, seed: 0 })).toThrow(/repeatedStratifiedKFold: label at index 0 is "a" \(string\)/);
    expect(() => stratifiedShuffleSplit([0, NaN, 1, 1])).toThrow(/label at index 1 is NaN$/);
  });
});
