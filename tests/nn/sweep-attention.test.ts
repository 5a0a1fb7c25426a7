// Differential sweep of the attention layers against PyTorch 1.13: what the parity cases and the
// float64 references elsewhere did not reach — gradients of float masks, empty query lengths and
// batches, the public attentionCore's option and mask checks, the unbatched key padding mask.
// Inputs and weights are sin-filled and rounded to float32, the same numbers in the PyTorch
// script that produced the expected values; the modules run in float32 (the kernels of each
// backend), so values are compared within a bound for float32 sums of a few dozen terms.
import { describe, expect, it } from "vitest";
import { nn, randn, ShapeError, Tensor, ValueError } from "../../src/index.js";

/** fround(sin(0.7·i + seed)), i over the elements: numpy computes the same float32 values. */
function fill(shape: number[], seed: number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.7 + seed)) * scale);
  return new Tensor(d, "float32", shape);
}

/** Every parameter sin-filled (seed 10, 11, … in PyTorch's named_parameters order), times 0.5. */
function withWeights(m: nn.MultiheadAttention): nn.MultiheadAttention {
  m.namedParameters().forEach(([, p], i) => p.storage.set(fill(p.shape.slice(), 10 + i, 0.5).data as Float32Array));
  return m;
}

/** Within 1e-5 of the largest |value| (float32 sums of a few dozen terms); NaN exactly where PyTorch has NaN. */
function expectValues(got: Tensor | null, shape: number[], want: number[], what: string): void {
  expect(got, what).not.toBeNull();
  expect(got!.shape, `${what} shape`).toEqual(shape);
  const scale = want.reduce((a, w) => (Number.isNaN(w) ? a : Math.max(a, Math.abs(w))), 0);
  want.forEach((w, i) => {
    const g = got!.data[i] as number;
    if (Number.isNaN(w)) expect(g, `${what}[${i}]`).toBeNaN();
    else expect(Math.abs(g - w), `${what}[${i}] = ${g}, PyTorch ${w}`).toBeLessThanOrEqual(1e-5 * scale);
  });
}

describe("float attention masks that require a gradient get PyTorch's gradient", () => {
  const E = 4, H = 2, L = 2, S = 3, N = 2;

  it("a float attnMask [L, S] with a bool key padding mask that masks a whole batch item: the padded keys pass no gradient", () => {
    const m = withWeights(new nn.MultiheadAttention(E, H));
    const am = fill([L, S], 4);
    am.requiresGrad = true;
    const kpm = new Tensor(Uint8Array.from([0, 1, 0, 1, 1, 1]), "bool", [N, S]);
    const [y, w] = m.forward(fill([L, N, E], 1), fill([S, N, E], 2), fill([S, N, E], 3), { attnMask: am, keyPaddingMask: kpm });
    y.mul(fill(y.shape.slice(), 5)).sum().add(w!.mul(fill(w!.shape.slice(), 6)).sum()).backward();
    // PyTorch 1.13: batch item 1 gives NaN, yet the mask's gradient is finite (its merge with the
    // key padding mask is a masked_fill, which passes nothing back at the padded keys).
    const nan = NaN;
    expectValues(y, [L, N, E], [0.0841311084, 0.382278004, 0.742010318, -0.132115287, nan, nan, nan, nan,
      0.00657644635, 0.485165037, 0.625680052, -0.0157843825, nan, nan, nan, nan], "output");
    expectValues(am.grad, [L, S], [-0.340772746, 0, 0.340772746, 0.0980443373, 0, -0.0980443373], "attnMask gradient");
  });

  it("a float key padding mask [S] of unbatched inputs, weights per head", () => {
    const m = withWeights(new nn.MultiheadAttention(E, H));
    const kpm = fill([S], 7);
    kpm.requiresGrad = true;
    const [y, w] = m.forward(fill([L, E], 1), fill([S, E], 2), fill([S, E], 3), { keyPaddingMask: kpm, averageAttnWeights: false });
    y.mul(fill(y.shape.slice(), 5)).sum().add(w!.mul(fill(w!.shape.slice(), 6)).sum()).backward();
    // PyTorch 1.13
    expectValues(y, [L, E], [-0.0390631742, 0.51080014, 0.62301174, -0.0363912107, 0.304029019, 0.180353052, 0.90262882, -0.232866998], "output");
    expectValues(kpm.grad, [S], [-0.0127717744, -0.0205880641, 0.0333598385], "keyPaddingMask gradient");
  });

  it("a 3-D float attnMask with −∞ entries, batchFirst, kdim/vdim ≠ embedDim, needWeights false", () => {
    const m = withWeights(new nn.MultiheadAttention(E, H, { batchFirst: true, kdim: 3, vdim: 5 }));
    const am = fill([N * H, L, S], 8);
    am.storage[1] = -Infinity; // [0, 0, 1]
    am.storage[3 * L * S + S] = -Infinity; // [3, 1, 0]
    am.requiresGrad = true;
    const [y, w] = m.forward(fill([N, L, E], 1), fill([N, S, 3], 2), fill([N, S, 5], 3), { attnMask: am, needWeights: false });
    expect(w).toBeNull();
    y.mul(fill(y.shape.slice(), 5)).sum().backward();
    // PyTorch 1.13
    expectValues(y, [N, L, E], [0.271969842, -0.234165188, 0.182895159, -1.19977994, 0.192122016, 0.0246037478, -0.224892737, -0.690095112,
      0.100394168, 0.0228544972, -0.12986854, -0.867413719, 0.365808102, -0.201522222, 0.027543048, -0.939670429], "output");
    expectValues(am.grad, [N * H, L, S], [0.0147748558, 0, -0.0147748558, 0.0178829107, -0.0440327633, 0.0261498525,
      0.0282920497, -0.130620837, 0.102328787, -0.089180356, 0.103884667, -0.0147043106,
      0.005190926, -0.00691247674, 0.00172155074, -0.0054190436, 0.0297918442, -0.0243728006,
      -0.0422658483, 0.048842576, -0.00657672766, 0, -0.0280709926, 0.0280709926], "attnMask gradient");
  });

  it("through a TransformerEncoderLayer's srcMask too; a mask without requiresGrad gets none", () => {
    const layer = new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 6, dropout: 0, seed: 1 });
    const mask = fill([L, L], 4), fixed = fill([L, L], 4);
    mask.requiresGrad = true;
    layer.forward(fill([L, N, E], 1), { srcMask: mask }).mul(fill([L, N, E], 5)).sum().backward();
    expect(mask.grad).not.toBeNull();
    expect(Array.from(mask.grad!.data).some((g) => g !== 0)).toBe(true);
    layer.forward(fill([L, N, E], 1), { srcMask: fixed }).sum().backward();
    expect(fixed.grad).toBeNull();
  });
});

describe("empty query lengths and batches give PyTorch's shapes", () => {
  it("L = 0 and N = 0: an empty output and empty weights, and a backward that runs", () => {
    // PyTorch 1.13: L = 0 → output [0, 2, 4], weights [2, 0, 3]; N = 0 → [3, 0, 4], [0, 3, 3].
    for (const [qs, ks, ys, ws] of [[[0, 2, 4], [3, 2, 4], [0, 2, 4], [2, 0, 3]], [[3, 0, 4], [3, 0, 4], [3, 0, 4], [0, 3, 3]]]) {
      const m = new nn.MultiheadAttention(4, 2, { seed: 1 });
      const q = fill(qs, 1), k = fill(ks, 2);
      q.requiresGrad = true;
      const [y, w] = m.forward(q, k, k);
      expect(y.shape).toEqual(ys);
      expect(w!.shape).toEqual(ws);
      y.sum().add(w!.sum()).backward();
      expect(q.grad!.shape).toEqual(qs);
    }
  });

  it("S = 0: the attention output is 0, so the result is out_proj's bias, as in PyTorch 1.13", () => {
    const m = new nn.MultiheadAttention(4, 2, { seed: 1 });
    m.outProj.bias!.storage.set([1, 2, 3, 4]);
    const [y, w] = m.forward(fill([3, 2, 4], 1), fill([0, 2, 4], 2), fill([0, 2, 4], 3));
    expect(Array.from(y.data)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 4) + 1));
    expect(w!.shape).toEqual([2, 3, 0]);
  });
});

describe("typed errors", () => {
  it("attentionCore refuses unknown options (isCausal for causal), a non-finite scale and a mask too short for its blocks", () => {
    const q = fill([2, 3, 4], 1), k = fill([2, 3, 4], 2);
    expect(() => nn.attentionCore(q, k, k, { isCausal: true } as never)).toThrow(/unknown option "isCausal"/);
    expect(() => nn.attentionCore(q, k, k, { scale: "2" as never })).toThrow(ValueError);
    expect(() => nn.attentionCore(q, k, k, { causal: 1 as never })).toThrow(ValueError);
    expect(() => nn.attentionCore(q, k, k, { mask: new Float32Array(9), maskStride: -1 })).toThrow(ValueError);
    // [3, 3] per block, 9 apart, 2 blocks: 18 values; the kernel would read past a shorter one.
    expect(() => nn.attentionCore(q, k, k, { mask: new Float32Array(9), maskStride: 9 })).toThrow(ShapeError);
    expect(() => nn.attentionCore(q, k, k, { mask: new Float32Array(8) })).toThrow(/at least 9 values.*got 8/);
    expect(() => nn.attentionCore(q, k, k, { mask: fill([3, 3], 1) as never })).toThrow(ShapeError);
    expect(nn.attentionCore(q, k, k, { mask: new Float32Array(18), maskStride: 9 }).out.shape).toEqual([2, 3, 4]);
  });

  it("an unbatched input's keyPaddingMask must be [S], and the message names the shape given", () => {
    const m = new nn.MultiheadAttention(4, 2), x = fill([3, 4], 1);
    expect(() => m.forward(x, x, x, { keyPaddingMask: new Tensor(new Uint8Array(3), "bool", [1, 3]) }))
      .toThrow("MultiheadAttention: keyPaddingMask of unbatched inputs must be [3] (source), got [1,3]");
  });
});

describe("inputs that are not tensors", () => {
  it("MultiheadAttention and the positional encodings name them with a ValueError", () => {
    const mha = new nn.MultiheadAttention(4, 2, { seed: 1 });
    const x = randn([3, 2, 4], { seed: 2 });
    expect(() => mha.forward(x, null as unknown as Tensor, x)).toThrow(/MultiheadAttention: key must be a Tensor/);
    expect(() => mha.forward(x, x, [1] as unknown as Tensor)).toThrow(ValueError);
    for (const pe of [new nn.SinusoidalPositionalEncoding(8, 4), new nn.LearnedPositionalEncoding(8, 4, { seed: 1 })]) {
      expect(() => pe.forward(null as unknown as Tensor)).toThrow(ValueError);
    }
  });
});
