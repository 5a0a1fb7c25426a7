// nn layers and losses in unusual configurations, checked against PyTorch 1.13 (values written
// in below come from it) or against the same modules run one by one.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const nn = eg.nn;

describe("Sequential's eval-mode Conv→BatchNorm fold accepts exactly what the modules accept", () => {
  // PyTorch: BatchNorm2d refuses a 3-D input ("expected 4D input"); BatchNorm1d(6) reads a
  // [6, L] unbatched conv1d output as [N, C] and refuses its L channels.
  const chains: [string, () => eg.nn.Module[], number[]][] = [
    ["Conv2d→BatchNorm2d", () => [new nn.Conv2d(2, 3, 3, { padding: 1, seed: 1 }), new nn.BatchNorm2d(3)], [2, 5, 5]],
    ["Conv2d→BatchNorm2d→ReLU", () => [new nn.Conv2d(2, 3, 3, { padding: 1, seed: 1 }), new nn.BatchNorm2d(3), new nn.ReLU()], [2, 5, 5]],
    ["Conv2d→BatchNorm2d→ReLU→MaxPool2d(2)", () => [new nn.Conv2d(2, 3, 3, { padding: 1, seed: 1 }), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.MaxPool2d(2)], [2, 5, 5]],
    ["Conv1d→BatchNorm1d", () => [new nn.Conv1d(4, 6, 3, { seed: 1 }), new nn.BatchNorm1d(6)], [4, 9]],
    ["Conv1d→BatchNorm1d→ReLU", () => [new nn.Conv1d(4, 6, 3, { seed: 1 }), new nn.BatchNorm1d(6), new nn.ReLU()], [4, 9]],
  ];
  for (const [name, make, shape] of chains) {
    it(`${name} refuses an unbatched input in eval mode, as in training`, () => {
      const seq = new nn.Sequential(...make());
      const x = eg.randn(shape, { seed: 2 });
      const oneByOne = () => [...seq].reduce((h, m) => m.forward(h) as eg.Tensor, x);
      for (const training of [true, false]) {
        seq.train(training);
        expect(oneByOne).toThrow(eg.ShapeError);
        expect(() => seq.forward(x)).toThrow(eg.ShapeError);
      }
    });
  }

  it("still folds a batched input (the same values as the modules one by one)", () => {
    const mods = [new nn.Conv1d(4, 6, 4, { groups: 2, dilation: 3, padding: "same", seed: 3 }), new nn.BatchNorm1d(6), new nn.ReLU()];
    const bn = mods[1] as eg.nn.BatchNorm1d;
    bn.runningMean!.storage.set([0.1, -0.2, 0.3, 0, 0.5, -1]);
    bn.runningVar!.storage.set([0.5, 1, 2, 1.5, 0.7, 1.1]);
    const seq = new nn.Sequential(...mods).eval();
    const x = eg.randn([2, 4, 9], { seed: 4 });
    const want = mods.reduce((h, m) => m.forward(h) as eg.Tensor, x);
    const got = seq.forward(x);
    expect(got.shape).toEqual(want.shape);
    const g = got.data, w = want.data;
    for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(w[i], 5);
  });
});

describe("MultiheadAttention's attention weights carry gradients, as PyTorch's", () => {
  const leaf = (shape: number[], seed: number) => {
    const t = eg.randn(shape, { seed, dtype: "float64" });
    t.requiresGrad = true;
    return t;
  };
  const close = (got: eg.Tensor | null, want: eg.Tensor | null, what: string) => {
    expect(got, what).not.toBeNull();
    expect(got!.shape, what).toEqual(want!.shape);
    const g = got!.data, w = want!.data;
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - w[i]), `${what}[${i}]`).toBeLessThan(1e-12 * (1 + Math.abs(w[i])));
  };

  it("per-head weights with kdim/vdim ≠ embedDim, a bool mask and a key padding mask: gradients of a loss on the weights alone", () => {
    const E = 4, H = 2, L = 3, S = 4, N = 2, hd = E / H;
    const m = new nn.MultiheadAttention(E, H, { kdim: 3, vdim: 5, dtype: "float64", seed: 7 });
    m.inProjBias!.storage.set(eg.randn([3 * E], { seed: 8, dtype: "float64" }).data as Float64Array);
    const q = leaf([L, N, E], 1), k = leaf([S, N, 3], 2), v = leaf([S, N, 5], 3);
    const attnMask = eg.tensor([[false, true, false, false], [false, false, true, true], [false, false, false, true]], { dtype: "bool" });
    const keyPaddingMask = eg.tensor([[false, false, false, true], [false, false, false, false]], { dtype: "bool" });
    const cot = eg.randn([N, H, L, S], { seed: 4, dtype: "float64" });
    const [, w] = m.forward(q, k, v, { attnMask, keyPaddingMask, averageAttnWeights: false });
    expect(w!.requiresGrad).toBe(true);
    w!.mul(cot).sum().backward();

    // The reference: the same weights from autograd ops, softmax((q·Wqᵀ + bq)_h (k·Wkᵀ + bk)_hᵀ/√hd + mask).
    const params = new Map(m.namedParameters());
    const [wq, wk, b] = ["q_proj_weight", "k_proj_weight", "in_proj_bias"].map((n) => params.get(n)!);
    const q2 = q.detach(), k2 = k.detach(), wq2 = wq.detach(), wk2 = wk.detach(), b2 = b.detach();
    for (const t of [q2, k2, wq2, wk2, b2]) t.requiresGrad = true;
    const heads = (x: eg.Tensor, len: number) => x.reshape([len, N, H, hd]).permute([1, 2, 0, 3]); // [N, H, len, hd]
    const qp = heads(q2.matmul(wq2.transpose()).add(b2.slice([0, E])), L);
    const kp = heads(k2.matmul(wk2.transpose()).add(b2.slice([E, 2 * E])), S);
    const additive = eg.tensor(Array.from({ length: N * L * S }, (_, i) => {
      const n = Math.floor(i / (L * S)), r = Math.floor(i / S) % L, c = i % S;
      return attnMask.data[r * S + c] || keyPaddingMask.data[n * S + c] ? -Infinity : 0;
    }), { dtype: "float64" }).reshape([N, 1, L, S]);
    const ref = qp.matmul(kp.transpose(2, 3)).mul(1 / Math.sqrt(hd)).add(additive).softmax(-1);
    close(w!.detach(), ref.detach(), "weights");
    ref.mul(cot).sum().backward();
    close(q.grad, q2.grad, "query grad");
    close(k.grad, k2.grad, "key grad");
    close(wq.grad, wq2.grad, "q_proj_weight grad");
    close(wk.grad, wk2.grad, "k_proj_weight grad");
    close(b.grad, b2.grad, "in_proj_bias grad");
    expect(v.grad).toBeNull(); // the weights do not depend on the values
  });

  it("averaged weights of self-attention (one tensor for q, k and v): the loss on output and weights together", () => {
    const E = 6, H = 3, L = 4, N = 2;
    const m = new nn.MultiheadAttention(E, H, { batchFirst: true, dtype: "float64", seed: 9 });
    const x = leaf([N, L, E], 5);
    const cy = eg.randn([N, L, E], { seed: 6, dtype: "float64" }), cw = eg.randn([N, L, L], { seed: 7, dtype: "float64" });
    const [y, w] = m.forward(x, x, x, { isCausal: true });
    y.mul(cy).sum().add(w!.mul(cw).sum()).backward();
    const gradWithWeights = x.grad!;

    // Central differences of the same loss (float64; the loss is smooth in x).
    const loss = (xs: eg.Tensor) => {
      const [yy, ww] = m.forward(xs, xs, xs, { isCausal: true });
      return (yy.mul(cy).sum().item() as number) + (ww!.mul(cw).sum().item() as number);
    };
    const base = Float64Array.from(x.data as Float64Array), h = 1e-6;
    for (const i of [0, 7, 13, 29, 46]) {
      const plus = Float64Array.from(base), minus = Float64Array.from(base);
      plus[i] += h; minus[i] -= h;
      const numeric = (loss(new eg.Tensor(plus, "float64", [N, L, E])) - loss(new eg.Tensor(minus, "float64", [N, L, E]))) / (2 * h);
      expect(Math.abs(gradWithWeights.data[i] - numeric), `d loss / d x[${i}]`).toBeLessThan(1e-6 * (1 + Math.abs(numeric)));
    }
  });
});
