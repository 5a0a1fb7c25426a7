// Differential sweep of the losses against PyTorch 1.13 (torch.nn.functional, float64): the
// disagreements it found, each pinned with PyTorch's numbers, and option values PyTorch refuses.
import { describe, expect, it } from "vitest";
import { nn, tensor, Tensor, ShapeError, ValueError } from "../../src/index.js";

const F = nn.functional;

/** A float64 leaf that requires grad, from nested rows. */
function leaf(rows: number[][]): Tensor {
  const t = tensor(rows, { dtype: "float64" });
  const l = new Tensor(t.data, t.dtype, t.shape);
  l.requiresGrad = true;
  return l;
}

/** Elementwise within `rel` of the reference, relative to the reference's largest magnitude. */
function expectClose(got: Tensor, want: number[][] | number[], rel: number): void {
  const w = (want as number[]).flat(1) as number[];
  const g = Array.from(got.data as ArrayLike<number>);
  expect(g.length).toBe(w.length);
  const scale = Math.max(1, ...w.map(Math.abs));
  g.forEach((v, i) => expect(Math.abs(v - w[i]), `element ${i}: ${v} vs ${w[i]}`).toBeLessThanOrEqual(rel * scale));
}

// A few dozen float64 roundings (pow, sqrt, sums of 3 terms): 1e-13 relative is loose enough.
const REL = 1e-13;

describe("tripletMarginLoss: a zero distance or coordinate has PyTorch's norm gradient (0), not NaN", () => {
  // Row 0: positive = anchor, so with eps 0 the distance is exactly 0; row 1: the last coordinate
  // of anchor − positive is exactly 0 (the case p < 1 stumbles on).
  const A = [[0.5, -1, 2], [1, 0.25, -0.5]], P = [[0.5, -1, 2], [0, 0.75, -0.5]], N = [[1, 1, 1], [-1, 0.5, 0.5]];
  // PyTorch 1.13: F.triplet_margin_loss(a, p, n, p=…, eps=0, margin=…, swap=…, reduction="none"), grads of loss.sum().
  const cases = [
    { p: 2, margin: 5, swap: false, loss: [2.70871215252208, 3.868033988749895],
      ga: [[0.2182178902359924, 0.8728715609439696, -0.4364357804719848], [0.005538302111027016, -0.3361024843888468, 0.4444444444444444]],
      gp: [[0, 0, 0], [-0.8944271909999159, 0.4472135954999579, 0]],
      gn: [[-0.2182178902359924, -0.8728715609439696, 0.4364357804719848], [0.8888888888888888, -0.1111111111111111, -0.4444444444444444]] },
    { p: 3, margin: 5, swap: false, loss: [2.910330401809384, 3.958755032206384],
      ga: [[0.05725122186823605, 0.9160195498917768, -0.2290048874729442], [0.0010684563164852223, -0.2166920928645184, 0.23085331070442358]],
      gp: [[0, 0, 0], [-0.9244816991341795, 0.2311204247835449, 0]],
      gn: [[-0.05725122186823605, -0.9160195498917768, 0.2290048874729442], [0.9234132428176943, -0.014428331919026474, -0.23085331070442358]] },
    { p: 0.5, margin: 30, swap: false, loss: [20.257359312880713, 24.42157287525381],
      ga: [[4.414213562373095, 2.2071067811865475, -3.121320343559643], [-0.3535533905932735, 3.414213562373095, 2.914213562373095]],
      gp: [[0, 0, 0], [-1.7071067811865475, 2.414213562373095, 0]],
      gn: [[-4.414213562373095, -2.2071067811865475, 3.121320343559643], [2.060660171779821, -5.82842712474619, -2.914213562373095]] },
    { p: 1, margin: 5, swap: false, loss: [1.5, 3.25],
      ga: [[1, 1, -1], [0, 0, 1]], gp: [[0, 0, 0], [-1, 1, 0]], gn: [[-1, -1, 1], [1, -1, -1]] },
    // With swap, d(a, n) and d(p, n) tie in row 0 (p = a): PyTorch's minimum splits the gradient.
    { p: 2, margin: 5, swap: true, loss: [2.70871215252208, 4.681893327115388],
      ga: [[0.1091089451179962, 0.4364357804719848, -0.2182178902359924], [0.8944271909999159, -0.4472135954999579, 0]],
      gp: [[0.1091089451179962, 0.4364357804719848, -0.2182178902359924], [-1.5907378148227074, 0.2731359395442601, 0.6963106238227914]],
      gn: [[-0.2182178902359924, -0.8728715609439696, 0.4364357804719848], [0.6963106238227914, 0.17407765595569785, -0.6963106238227914]] },
  ];
  for (const c of cases) {
    it(`p = ${c.p}${c.swap ? ", swap" : ""}`, () => {
      const a = leaf(A), p = leaf(P), n = leaf(N);
      const loss = F.tripletMarginLoss(a, p, n, { p: c.p, eps: 0, margin: c.margin, swap: c.swap, reduction: "none" });
      expectClose(loss, c.loss, REL);
      loss.sum().backward();
      expectClose(a.grad!, c.ga, REL);
      expectClose(p.grad!, c.gp, REL);
      expectClose(n.grad!, c.gn, REL);
    });
  }
  it("float32 inputs keep their dtype through the fused norm, values and gradients", () => {
    const a = tensor(A), p = tensor(P), n = tensor(N);
    a.requiresGrad = true;
    const loss = F.tripletMarginLoss(a, p, n, { eps: 0, margin: 5, reduction: "none" });
    expect(loss.dtype).toBe("float32");
    expectClose(loss, cases[0].loss, 1e-6);
    loss.sum().backward();
    expect(a.grad!.dtype).toBe("float32");
    expectClose(a.grad!, cases[0].ga, 1e-6);
  });
});

describe("marginRankingLoss broadcasts only inputs of one rank, as PyTorch", () => {
  it("refuses x1, x2 and target of different ranks (PyTorch: RuntimeError 'should have same dimension')", () => {
    const x = tensor([0.5, -1, 2]);
    expect(() => F.marginRankingLoss(x, x, tensor(1))).toThrow(ShapeError);
    expect(() => F.marginRankingLoss(x.reshape([3, 1]), x, tensor([1, -1, 1]))).toThrow(/same number of dims, got \[3,1\], \[3\] and \[3\]/);
  });
  it("broadcasts [3, 1], [1, 3] and [1, 3] to [3, 3]", () => {
    const x1 = leaf([[0.5], [-1], [2]]), x2 = leaf([[1, -0.5, 0.25]]);
    const loss = F.marginRankingLoss(x1, x2, tensor([[1, -1, 1]], { dtype: "float64" }), { margin: 0.5, reduction: "none" });
    // PyTorch 1.13: F.margin_ranking_loss(x1, x2, y, margin=0.5, reduction="none") and grads of its sum.
    expectClose(loss, [[1, 1.5, 0.25], [2.5, 0, 1.75], [0, 3, 0]], 0);
    loss.sum().backward();
    expectClose(x1.grad!, [[-1], [-1], [1]], 0);
    expectClose(x2.grad!, [[2, -3, 2]], 0);
  });
});

describe("multiLabelSoftMarginLoss: an elementwise weight, and errors in its own name", () => {
  const X = [[0.5, -1, 2, 0], [1, 0.25, -0.5, -2]];
  const T = tensor([[1, 0, 1, 0], [0, 1, 1, 0]], { dtype: "float64" });
  it("takes an [N, C] or [N, 1] weight, as PyTorch multiplies it elementwise", () => {
    const x = leaf(X);
    const w = tensor([[1, 2, 0.5, 1], [0.25, 1, 1, 3]], { dtype: "float64" });
    // PyTorch 1.13: F.multilabel_soft_margin_loss(x, t, weight=w, reduction=…), grad of the mean.
    expectClose(F.multiLabelSoftMarginLoss(x, T, { weight: w, reduction: "none" }), [0.464302886324496, 0.5647789647668559], REL);
    const mean = F.multiLabelSoftMarginLoss(x, T, { weight: w });
    expectClose(mean, [0.5145409255456759], REL);
    mean.backward();
    expectClose(x.grad!, [[-0.04719258359976818, 0.06723535534249878, -0.007450182626382347, 0.0625],
      [0.022845580582187653, -0.054727937389275234, -0.07780741640023181, 0.04470109575829408]], REL);
    const perSample = tensor([[2], [0.5]], { dtype: "float64" });
    expectClose(F.multiLabelSoftMarginLoss(leaf(X), T, { weight: perSample, reduction: "none" }), [0.8037069316506236, 0.3737757628275182], REL);
  });
  it("a target of another shape is refused as multiLabelSoftMarginLoss's, not bceWithLogits's", () => {
    expect(() => F.multiLabelSoftMarginLoss(leaf(X), tensor([1, 0, 1, 0]))).toThrow(/^multiLabelSoftMarginLoss: input of shape \[2,4\] and target of shape \[4\] differ/);
  });
});

describe("option values of the wrong type are refused, not coerced or read as truthy", () => {
  const x = tensor([[0.2, -1, 0.5], [1, 2, -0.3]]), y = tensor([[0.1, 0, 1], [1, 1, 0.2]]);
  const labels = tensor([2, 0], { dtype: "int32" });
  const bad = {
    "poissonNllLoss logInput": () => F.poissonNllLoss(x, y, { logInput: "no" as unknown as boolean }),
    "poissonNllLoss full": () => F.poissonNllLoss(x, y, { full: 1 as unknown as boolean }),
    "poissonNllLoss eps": () => F.poissonNllLoss(x, y, { logInput: false, eps: "0.1" as unknown as number }),
    "klDivLoss logTarget": () => F.klDivLoss(x, y, { logTarget: "yes" as unknown as boolean }),
    "gaussianNllLoss full": () => F.gaussianNllLoss(x, y, tensor([1, 1]), { full: "yes" as unknown as boolean }),
    "gaussianNllLoss eps": () => F.gaussianNllLoss(x, y, tensor([1, 1]), { eps: "0.1" as unknown as number }),
    "tripletMarginLoss swap": () => F.tripletMarginLoss(x, y, x, { swap: "yes" as unknown as boolean }),
    "tripletMarginLoss eps": () => F.tripletMarginLoss(x, y, x, { eps: "0.1" as unknown as number }),
    "crossEntropy labelSmoothing": () => F.crossEntropy(x, labels, { labelSmoothing: "0.1" as unknown as number }),
    "huberLoss delta": () => F.huberLoss(x, y, { delta: "2" as unknown as number }),
    "smoothL1Loss beta": () => F.smoothL1Loss(x, y, { beta: "0.5" as unknown as number }),
  };
  for (const [what, call] of Object.entries(bad)) {
    it(what, () => {
      const [name, key] = what.split(" ");
      expect(call).toThrow(ValueError);
      expect(call).toThrow(new RegExp(`^${name}: ${key} must be`));
    });
  }
  it("the same options as booleans and numbers still work", () => {
    expect(Number.isFinite(F.poissonNllLoss(y, y, { logInput: false, full: true, eps: 0.1 }).item())).toBe(true);
    expect(Number.isFinite(F.tripletMarginLoss(x, y, x, { swap: true, eps: 0 }).item())).toBe(true);
    expect(Number.isFinite(F.klDivLoss(x, y, { logTarget: true }).item())).toBe(true);
  });
});

describe("nllLoss's target shape error does not offer probability targets, which it does not take", () => {
  it("names the label shape only (PyTorch: 'Expected target size [2, 4], got [2, 3]')", () => {
    const z = tensor([[[0, 1, 2, 3], [1, 0, 2, 1], [0, 0, 1, 1]], [[1, 2, 3, 4], [0, 1, 0, 1], [2, 2, 2, 2]]]);
    const bad = tensor([[0, 1, 2], [2, 1, 0]], { dtype: "int32" });
    expect(() => F.nllLoss(z, bad)).toThrow(/^nllLoss: target of shape \[2,3\] must be class labels \[2,4\] for input \[2,3,4\]$/);
    expect(() => F.crossEntropy(z, bad)).toThrow(/^crossEntropy: target of shape \[2,3\] fits neither class labels \[2,4\] nor probabilities \[2,3,4\]/);
  });
});

describe("an empty batch: NaN for mean, 0 for sum, an empty tensor for none (PyTorch 1.13), gradients of size 0", () => {
  const e = (...shape: number[]) => {
    const t = tensor([]).reshape(shape);
    const l = new Tensor(t.data, t.dtype, t.shape);
    l.requiresGrad = true;
    return l;
  };
  const noLabels = tensor([], { dtype: "int32" });
  const calls: Record<string, [(r: "mean" | "sum" | "none") => Tensor, number[]]> = {
    crossEntropy: [(reduction) => F.crossEntropy(e(0, 4), noLabels, { reduction, labelSmoothing: 0.1, weight: tensor([1, 2, 3, 4]) }), [0]],
    "crossEntropy (probabilities)": [(reduction) => F.crossEntropy(e(0, 4), e(0, 4), { reduction }), [0]],
    nllLoss: [(reduction) => F.nllLoss(e(0, 4), noLabels, { reduction }), [0]],
    mseLoss: [(reduction) => F.mseLoss(e(0, 3), e(0, 3), { reduction }), [0, 3]],
    huberLoss: [(reduction) => F.huberLoss(e(0, 3), e(0, 3), { reduction }), [0, 3]],
    bceWithLogits: [(reduction) => F.bceWithLogits(e(0, 3), e(0, 3), { reduction, posWeight: tensor([1, 2, 3]) }), [0, 3]],
    binaryCrossEntropy: [(reduction) => F.binaryCrossEntropy(e(0, 3), e(0, 3), { reduction }), [0, 3]],
    klDivLoss: [(reduction) => F.klDivLoss(e(0, 3), e(0, 3), { reduction }), [0, 3]],
    poissonNllLoss: [(reduction) => F.poissonNllLoss(e(0, 3), e(0, 3), { reduction, full: true }), [0, 3]],
    gaussianNllLoss: [(reduction) => F.gaussianNllLoss(e(0, 3), e(0, 3), e(0), { reduction }), [0, 3]],
    multiLabelSoftMarginLoss: [(reduction) => F.multiLabelSoftMarginLoss(e(0, 3), e(0, 3), { reduction }), [0]],
    cosineEmbeddingLoss: [(reduction) => F.cosineEmbeddingLoss(e(0, 3), e(0, 3), tensor([]), { reduction }), [0]],
    marginRankingLoss: [(reduction) => F.marginRankingLoss(e(0), e(0), tensor([]), { reduction }), [0]],
    hingeEmbeddingLoss: [(reduction) => F.hingeEmbeddingLoss(e(0), tensor([]), { reduction }), [0]],
    tripletMarginLoss: [(reduction) => F.tripletMarginLoss(e(0, 3), e(0, 3), e(0, 3), { reduction, swap: true }), [0]],
  };
  for (const [name, [call, noneShape]] of Object.entries(calls)) {
    it(name, () => {
      expect(call("mean").item()).toBeNaN();
      expect(call("sum").item()).toBe(0);
      const none = call("none");
      expect(none.shape).toEqual(noneShape);
      const total = call("sum");
      total.backward();
    });
  }
  it("klDivLoss batchmean divides the empty sum by a batch of 0: NaN", () => {
    expect(F.klDivLoss(e(0, 3), e(0, 3), { reduction: "batchmean" }).item()).toBeNaN();
  });
});
