// The nn layers added most recently (transformer decoder and model, instance norm, pixel
// shuffles, Unflatten, padding modules, distances), differential sweep against PyTorch 1.13:
// what it found, pinned here (values written in below come from PyTorch).
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const nn = eg.nn;

describe("nn.Transformer.generateSquareSubsequentMask", () => {
  it("sz 0 gives the [0, 0] mask of an empty target, which the decoder takes", () => {
    // PyTorch 1.13: Transformer.generate_square_subsequent_mask(0) → tensor([], size=(0, 0)), and
    // TransformerDecoderLayer(4, 2, 6, 0.0)(torch.randn(0, 2, 4), torch.randn(3, 2, 4), tgt_mask=it) has shape [0, 2, 4].
    const m = nn.Transformer.generateSquareSubsequentMask(0);
    expect(m.shape).toEqual([0, 0]);
    expect(m.dtype).toBe("float32");
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, seed: 1 });
    expect(layer.forward(eg.randn([0, 2, 4], { seed: 2 }), eg.randn([3, 2, 4], { seed: 3 }), { tgtMask: m }).shape).toEqual([0, 2, 4]);
    expect(() => nn.Transformer.generateSquareSubsequentMask(-1)).toThrow(eg.ValueError);
  });
});

describe("nn.Transformer with a custom encoder that changes the sequence's length", () => {
  // An encoder that keeps every other source position: the memory is 3 long for a 6-long src.
  class Halve extends nn.Module {
    forward(src: eg.Tensor): eg.Tensor {
      return src.slice([0, src.shape[0], 2]);
    }
  }
  const make = () => new nn.Transformer({ dModel: 4, nhead: 2, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0, customEncoder: new Halve(), dtype: "float64", seed: 1 });
  const src = eg.randn([6, 2, 4], { seed: 2, dtype: "float64" }), tgt = eg.randn([3, 2, 4], { seed: 3, dtype: "float64" });
  const mkpm = new eg.Tensor(Uint8Array.from([0, 0, 1, 0, 1, 0]), "bool", [2, 3]);
  const memoryMask = eg.randn([3, 3], { seed: 4, dtype: "float64" });

  it("takes memory masks of the encoder output's length (PyTorch 1.13 checks them only in the decoder)", () => {
    // PyTorch 1.13: Transformer(4, 2, 1, 1, 6, 0.0, custom_encoder=Halve())(src [6, 2, 4], tgt [3, 2, 4],
    // memory_key_padding_mask=[2, 3] bool) and memory_mask=[3, 3] both run, giving shape [3, 2, 4];
    // before, edgegrad refused both masks as not [2, 6] / [3, 6].
    const t = make();
    for (const o of [{ memoryKeyPaddingMask: mkpm }, { memoryMask }, { memoryMask, memoryKeyPaddingMask: mkpm, tgtIsCausal: true }]) {
      const y = t.forward(src, tgt, o);
      const want = (t.decoder as eg.nn.TransformerDecoder).forward(tgt, t.encoder.forward(src) as eg.Tensor, o);
      expect(y.shape).toEqual([3, 2, 4]);
      expect(Array.from(y.data)).toEqual(Array.from(want.data));
    }
  });

  it("still refuses, with a ShapeError naming it, a memory mask that fits neither", () => {
    const t = make();
    expect(() => t.forward(src, tgt, { memoryKeyPaddingMask: eg.zeros([2, 6]) })).toThrow(/memoryKeyPaddingMask must be \[2, 3\]/);
    expect(() => t.forward(src, tgt, { memoryMask: eg.zeros([3, 6]) })).toThrow(eg.ShapeError);
    // With the built-in encoder the memory is src's length, checked before any layer runs.
    const built = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0, seed: 1 });
    expect(() => built.forward(src.astype("float32"), tgt.astype("float32"), { memoryKeyPaddingMask: mkpm })).toThrow(/Transformer: memoryKeyPaddingMask must be \[2, 6\]/);
  });
});

describe("the transformer layers name a wrong input themselves", () => {
  it("TransformerEncoderLayer and TransformerEncoder refuse a missing src with a ValueError (was a TypeError from inside)", () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 });
    const encoder = new nn.TransformerEncoder(layer, 2);
    for (const src of [undefined, null]) {
      expect(() => layer.forward(src as never)).toThrow(/TransformerEncoderLayer: src must be a Tensor/);
      expect(() => encoder.forward(src as never)).toThrow(eg.ValueError);
    }
  });

  it("integer inputs (token ids not embedded) get a DTypeError naming the layer's argument, not matmul's", () => {
    // PyTorch 1.13 refuses them too (RuntimeError from its linear).
    const ids = eg.zeros([3, 2, 4], { dtype: "int32" });
    expect(() => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 }).forward(ids)).toThrow(/TransformerEncoderLayer: src must be float32 or float64/);
    expect(() => new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6 }).forward(ids, ids)).toThrow(/TransformerDecoderLayer: tgt and memory must be float32 or float64/);
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6 });
    expect(() => t.forward(ids, ids)).toThrow(eg.DTypeError);
    expect(() => t.forward(ids, ids)).toThrow(/Transformer: tgt and src must be float32 or float64/);
  });
});

describe("F.normalize over a list of dims", () => {
  const close = (got: ArrayLike<number>, want: number[], rel: number) => {
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(Math.abs(got[i] - w), `[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(rel * (Math.abs(w) + 1e-3)));
  };
  const x = () => eg.arange(6).astype("float32").reshape([2, 3]).add(1);

  it("takes one norm over all the dims listed, as PyTorch's tuple dim (values and gradient)", () => {
    // PyTorch 1.13: x = torch.arange(6.).reshape(2, 3) + 1; F.normalize(x, dim=(-1, 0)) and, with p=3,
    // dim=(0, 1), the gradient of (y * torch.arange(6.).reshape(2, 3)).sum().
    // Before, edgegrad refused a list ("axis 0,1 is out of range").
    close(eg.nn.functional.normalize(x(), { dim: [-1, 0] }).data,
      [0.10482847690582275, 0.2096569538116455, 0.31448543071746826, 0.419313907623291, 0.5241423845291138, 0.6289708614349365], 1e-6);
    const xl = x();
    xl.requiresGrad = true;
    const y = eg.nn.functional.normalize(xl, { p: 3, dim: [0, 1] });
    close(y.data, [0.13137733936309814, 0.2627546787261963, 0.39413201808929443, 0.5255093574523926, 0.6568866968154907, 0.7882640361785889], 1e-6);
    y.mul(eg.arange(6).astype("float32").reshape([2, 3])).sum().backward();
    close(xl.grad!.data, [-0.020853543654084206, 0.04796316474676132, 0.07507278025150299, 0.060475319623947144, 0.004170775413513184, -0.09384089708328247], 1e-5);
    // A one-dim list is that dim.
    expect(Array.from(eg.nn.functional.normalize(x(), { dim: [1] }).data)).toEqual(Array.from(eg.nn.functional.normalize(x(), { dim: 1 }).data));
  });

  it("reads an empty list as every dim, as PyTorch 1.13", () => {
    // PyTorch 1.13: F.normalize(torch.tensor([[3., 4.], [1., 0.]]), dim=[]) divides by the norm of
    // all four entries, √26 (float32: [[0.5883, 0.7845], [0.1961, 0.0000]]). Before, edgegrad refused it.
    const y = eg.nn.functional.normalize(eg.tensor([[3, 4], [1, 0]]), { dim: [] });
    close(y.data, [3 / Math.sqrt(26), 4 / Math.sqrt(26), 1 / Math.sqrt(26), 0], 1e-6);
    expect(Array.from(eg.nn.functional.normalize(x(), { dim: [] }).data)).toEqual(Array.from(eg.nn.functional.normalize(x(), { dim: [0, 1] }).data));
  });

  it("refuses a repeated dim (as PyTorch) and a dim out of range with a ValueError", () => {
    // PyTorch 1.13: dim=(0, 0) → "dim 0 appears multiple times in the list of dims".
    for (const dim of [[0, 0], [0, 2]]) expect(() => eg.nn.functional.normalize(x(), { dim })).toThrow(eg.ValueError);
  });
});

describe("the transformer layers take layerNormEps 0, as PyTorch's layer_norm_eps (and LayerNorm's eps)", () => {
  it("TransformerDecoderLayer with layerNormEps 0 gives PyTorch's values", () => {
    // PyTorch 1.13 (float64): TransformerDecoderLayer(4, 2, 3, 0.0, layer_norm_eps=0.0), the k-th
    // parameter (named_parameters order) filled with sin(0.7·(k+1)·(i+1)), tgt[i] = cos(0.3·i) as
    // [2, 1, 4], memory[i] = sin(0.9·i + 0.2) as [3, 1, 4]. Before, edgegrad refused eps 0.
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, layerNormEps: 0, dtype: "float64" });
    layer.parameters().forEach((p, k) => p.storage.set(Array.from({ length: p.size }, (_, i) => Math.sin(0.7 * (k + 1) * (i + 1)))));
    const seq = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
    const tgt = eg.fromTypedArray(seq(8, (i) => Math.cos(0.3 * i)), [2, 1, 4]);
    const memory = eg.fromTypedArray(seq(12, (i) => Math.sin(0.9 * i + 0.2)), [3, 1, 4]);
    const want = [-0.8546289639871724, 1.3429025884031909, 0.44786186748200296, 0.016161941326287493, -0.9663186871310805, 0.9928196115876459, 0.7278935334022205, 0.12299307893303574];
    const got = layer.forward(tgt, memory).data;
    // A few hundred float64 operations through three LayerNorms: far inside 1e-12.
    want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(w))));
  });

  it("the encoder layer and nn.Transformer take it too; a negative eps is still refused", () => {
    expect(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 3, layerNormEps: 0 }).norm2.eps).toBe(0);
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 3, layerNormEps: 0 });
    expect(((t.decoder as eg.nn.TransformerDecoder).layers.children()[0] as eg.nn.TransformerDecoderLayer).norm3.eps).toBe(0);
    expect(() => new nn.TransformerDecoderLayer(4, 2, { layerNormEps: -1e-5 })).toThrow(eg.ValueError);
    expect(() => new nn.TransformerEncoderLayer(4, 2, { layerNormEps: NaN })).toThrow(eg.ValueError);
  });
});
