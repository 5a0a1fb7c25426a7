// A layer used twice in one model (PyTorch's weight sharing): parameters() and buffers() list
// each tensor once under its first name, as PyTorch's remove_duplicate=True; stateDict() keeps
// every name, as state_dict does; optimizers, clipGradNorm and fit see each parameter once;
// an optimizer says when one group lists a parameter twice.
import { describe, expect, it } from "vitest";
import { nn, optim, ones, randn, tensor, zeros, Tensor, ValueError } from "../../src/index.js";

/** Sequential(l, ReLU, l) with one Linear(3, 3) shared: PyTorch's parameters() gives 2 tensors. */
function reused() {
  const l = new nn.Linear(3, 3, { seed: 1 });
  return { l, m: new nn.Sequential(l, new nn.ReLU(), l) };
}

describe("a layer used twice", () => {
  it("parameters() and namedParameters() list each tensor once, under the first name", () => {
    const { l, m } = reused();
    expect(m.parameters()).toEqual([l.weight, l.bias]);
    expect(m.parameters()[0]).toBe(l.weight);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias"]);
    // A tensor registered on two different modules (tied weights) is listed once as well.
    const tied = new nn.Sequential(new nn.Linear(2, 2, { seed: 1 }), new nn.Linear(2, 2, { seed: 2 }));
    (tied.at(1) as unknown as { registerParameter(n: string, t: unknown): void }).registerParameter("weight", (tied.at(0) as nn.Linear).weight);
    expect(tied.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "1.bias"]);
  });

  it("buffers() list a shared BatchNorm's statistics once; stateDict() keeps every name, and loads back", () => {
    const bn = new nn.BatchNorm1d(3);
    const m = new nn.Sequential(bn, new nn.ReLU(), bn);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["0.running_mean", "0.running_var", "0.num_batches_tracked"]);
    expect(Object.keys(m.stateDict())).toEqual([
      "0.weight", "0.bias", "0.running_mean", "0.running_var", "0.num_batches_tracked",
      "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
    ]);

    const { m: src } = reused();
    const { l, m: dst } = reused();
    l.weight.storage.fill(0);
    expect(Object.keys(src.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    dst.loadStateDict(src.stateDict());
    expect(Array.from(l.weight.data)).toEqual(Array.from((src.at(0) as nn.Linear).weight.data));
    // Strict loading wants both names, as PyTorch's load_state_dict does.
    const { ["2.weight"]: _drop, ...missing } = src.stateDict();
    expect(() => dst.loadStateDict(missing)).toThrow(/missing keys \[2.weight\]/);
  });

  it("an optimizer, clipGradNorm and fit take the model's parameters", async () => {
    const { l, m } = reused();
    expect(() => new optim.SGD(m.parameters(), { lr: 0.1 })).not.toThrow();
    for (const p of m.parameters()) p.grad = ones(p.shape);
    // 12 gradient elements of 1, each counted once: √12 (PyTorch: 3.4641), not √24.
    expect(optim.clipGradNorm(m.parameters(), 100)).toBe(Math.sqrt(12));
    m.zeroGrad();

    const x = randn([8, 3], { seed: 2 }), y = randn([8, 3], { seed: 3 });
    const before = Array.from(l.weight.data);
    await nn.fit(m, x, y, { loss: "mse", optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 8 });
    expect(Array.from(l.weight.data)).not.toEqual(before);
  });

  it("an optimizer names a parameter listed twice in one group, and one in two groups", () => {
    const w = tensor([1, 2], { requiresGrad: true }), b = zeros([2], { requiresGrad: true });
    expect(() => new optim.SGD([w, b, w], { lr: 0.1 })).toThrow(ValueError);
    expect(() => new optim.SGD([w, b, w], { lr: 0.1 })).toThrow(/param group 0 lists parameter 2 \(shape \[2\]\) twice \(also parameter 0\)/);
    expect(() => new optim.SGD([{ params: [w] }, { params: [b, w] }], { lr: 0.1 })).toThrow(/a parameter appears in more than one group/);
  });
});

describe("weight tying by assignment (PyTorch's head.weight = embedding.weight)", () => {
  /** An Embedding(10, 4) and a Linear(4, 10) head, tied or not, run as a tiny language model. */
  function lm(tie: boolean) {
    const emb = new nn.Embedding(10, 4, { seed: 1 }), head = new nn.Linear(4, 10, { bias: false, seed: 2 });
    if (tie) head.weight = emb.weight;
    const model = new nn.Sequential(emb, head);
    return { emb, head, model };
  }
  const ids = tensor([1, 3, 3, 7], { dtype: "int32" });

  it("the head's forward, parameters() and stateDict() all see the one tensor", () => {
    const { emb, head, model } = lm(true);
    expect(head.weight).toBe(emb.weight);
    expect(model.parameters()).toEqual([emb.weight]);
    expect(Object.keys(model.stateDict())).toEqual(["0.weight", "1.weight"]);
    // logits = E[ids]·Eᵀ, from the embedding table alone.
    const e = emb.weight.data, out = model.forward(ids).data;
    [1, 3, 3, 7].forEach((id, r) => {
      for (let c = 0; c < 10; c++) {
        let dot = 0;
        for (let k = 0; k < 4; k++) dot += e[id * 4 + k] * e[c * 4 + k];
        expect(out[r * 10 + c]).toBeCloseTo(dot, 5);
      }
    });
  });

  it("its gradient is the sum of both uses' gradients, and one optimizer step moves both layers", () => {
    const tied = lm(true), apart = lm(false);
    apart.head.weight.storage.set(apart.emb.weight.data); // the same values in two tensors
    for (const { model } of [tied, apart]) model.forward(ids).square().sum().backward();
    const sum = apart.emb.weight.grad!.add(apart.head.weight.grad!).data;
    const got = tied.emb.weight.grad!.data;
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(sum[i], 3);
    const before = Array.from(tied.emb.weight.data);
    new optim.SGD(tied.model.parameters(), { lr: 0.01 }).step();
    expect(Array.from(tied.head.weight.data)).toEqual(Array.from(tied.emb.weight.data));
    expect(Array.from(tied.emb.weight.data)).not.toEqual(before);
  });

  it("assigning what is not a tensor is refused with a ValueError and keeps the weight", () => {
    const { head } = lm(false);
    const w = head.weight;
    for (const bad of [null, [1, 2], 3]) expect(() => { head.weight = bad as unknown as Tensor; }).toThrow(ValueError);
    expect(head.weight).toBe(w);
    expect(head.parameters()).toEqual([w]);
  });

  it("a deep copy (SWA's averaged model) reads its own weights, not the original's", () => {
    const { model, head } = lm(false);
    const swa = new optim.swa.AveragedModel(model);
    const copy = (swa.module as nn.Sequential).at(1) as nn.Linear;
    expect(copy.weight).not.toBe(head.weight);
    expect(copy.weight).toBe(copy.parameters()[0]);
    head.weight.storage.fill(0);
    expect(Array.from(copy.weight.data)).not.toEqual(Array.from(head.weight.data));
  });
});
