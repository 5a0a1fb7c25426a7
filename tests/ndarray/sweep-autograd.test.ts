import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";

// The autograd machinery itself (tape, backward, noGrad, detach, requiresGrad, .grad) against
// PyTorch 1.13's semantics. Values written out below come from PyTorch 1.13 on the same inputs.
const leaf = (v: unknown, o: Omit<eg.CreateOptions, "requiresGrad"> = {}) => eg.tensor(v as number[], { ...o, requiresGrad: true });
const grads = (...ts: eg.Tensor[]) => ts.map((t) => t.grad!.toArray());

describe("noGrad", () => {
  it("refuses an async function (it would record everything after its first await) and restores the mode", async () => {
    let recordedInside: boolean | null = null;
    const x = leaf([1, 2]);
    expect(() => eg.noGrad(async () => {
      recordedInside = x.mul(2).requiresGrad;
      await null;
      return x.mul(3);
    })).toThrow(ValueError);
    expect(recordedInside).toBe(false); // the synchronous part did run without recording
    expect(eg.isGradEnabled()).toBe(true);
    // A rejected async function surfaces as this ValueError only, not later as an unhandled rejection.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      expect(() => eg.noGrad(async () => { throw new Error("inside"); })).toThrow(/Promise/);
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it("refuses what is not a function with a ValueError naming what it got", () => {
    expect(() => eg.noGrad(5 as unknown as () => number)).toThrow(ValueError);
    expect(() => eg.noGrad(null as unknown as () => number)).toThrow(/expected a function, got null/);
    expect(eg.isGradEnabled()).toBe(true);
  });

  it("is restored after nested scopes and after an exception thrown inside", () => {
    expect(eg.noGrad(() => { eg.noGrad(() => 0); return eg.isGradEnabled(); })).toBe(false);
    expect(() => eg.noGrad(() => eg.noGrad(() => { throw new RangeError("inside"); }))).toThrow(RangeError);
    expect(eg.isGradEnabled()).toBe(true);
    const x = leaf([1, 2]);
    expect(eg.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(true);
  });
});

describe("backward()", () => {
  it("refuses an implied gradient for a non-scalar output, a seed of another shape, and an output needing no grad", () => {
    const x = leaf([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(ShapeError);
    expect(() => x.mul(2).backward(eg.tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => x.sum().reshape([1]).backward(eg.tensor(1))).toThrow(ShapeError); // [] for [1], as PyTorch
    expect(() => eg.tensor([1]).backward()).toThrow(ValueError);
    expect(x.grad).toBeNull();
    x.sum().reshape([1, 1]).backward(); // any one-element output takes an implied 1
    expect(grads(x)).toEqual([[1, 1]]);
  });

  it("refuses a seed that is not a tensor with a DTypeError naming its type; null is the implied seed (PyTorch's None)", () => {
    // PyTorch 1.13: y.backward([1, 2]) raises TypeError "argument 'gradient' must be Tensor".
    const x = leaf([1, 2]);
    for (const bad of [5, [1, 2], "a"]) {
      expect(() => x.mul(2).backward(bad as unknown as eg.Tensor)).toThrow(DTypeError);
    }
    expect(() => x.mul(2).backward([1, 2] as unknown as eg.Tensor)).toThrow(/got object/);
    expect(x.grad).toBeNull();
    expect(() => x.mul(2).backward(null)).toThrow(ShapeError); // an implied seed needs one element
    x.sum().backward(null);
    expect(grads(x)).toEqual([[1, 1]]);
  });

  it("casts a seed of another dtype (int32, bool, float64) to the leaf's dtype, as PyTorch", () => {
    for (const [seed, want] of [
      [eg.tensor([1, 2, 3], { dtype: "int32" }), [1, 4, 9]],
      [eg.tensor([true, false, true]), [1, 0, 3]],
      [eg.tensor([1, 2, 3], { dtype: "float64" }), [1, 4, 9]],
    ] as const) {
      const x = leaf([1, 2, 3]);
      x.mul(x).mul(0.5).backward(seed);
      expect(x.grad!.dtype).toBe("float32");
      expect(x.grad!.toArray()).toEqual(want);
    }
  });

  it("casts the seed to the output's dtype at the root, so an integer seed passes through matmul's rule", () => {
    const t = leaf([[1, 2], [3, 4]]);
    t.matmul(t.T).backward(eg.tensor([[1, 2], [3, 4]], { dtype: "int32" }));
    expect(grads(t)).toEqual([[[17, 24], [29, 42]]]); // PyTorch 1.13
    // A float64 seed for a float32 graph is rounded to float32 first, as PyTorch does.
    const x = leaf([1, 2, 3]);
    x.exp().backward(eg.tensor([0.1, 0.2, 0.3], { dtype: "float64" }));
    const seed32 = Float32Array.from([0.1, 0.2, 0.3]);
    expect(Array.from(x.grad!.data)).toEqual(Array.from(eg.noGrad(() => eg.tensor(Array.from(seed32)).mul(x.exp())).data));
  });

  it("runs again on the same graph and adds the same gradients again (the graph is always retained)", () => {
    eg.manualSeed(3);
    const x = eg.randn([4, 3, 8, 8]);
    const t = eg.randn([5, 6]);
    const { nn } = eg;
    const cases: [string, eg.nn.Module, () => eg.Tensor][] = [];
    const convNet = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2));
    cases.push(["conv, batchnorm, pool", convNet, () => convNet.forward(x).square().mean()]);
    const mlp = new nn.Sequential(new nn.Linear(6, 8), new nn.GELU(), new nn.Dropout(0.5), new nn.LayerNorm(8), new nn.Linear(8, 3));
    const labels = eg.tensor([0, 1, 2, 0, 1], { dtype: "int32" });
    cases.push(["mlp with dropout and crossEntropy", mlp, () => nn.crossEntropy(mlp.forward(t), labels)]);
    const bf16 = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 3));
    cases.push(["bf16 autocast", bf16, () => nn.autocast("bf16", () => bf16.forward(t).square().mean())]);
    const table = new nn.Embedding(5, 4, { sparse: true });
    const ids = eg.tensor([[0, 1, 2], [3, 1, 0]], { dtype: "int32" });
    cases.push(["sparse embedding", table, () => table.forward(ids).square().sum()]);
    for (const [name, model, loss] of cases) {
      const l = loss();
      l.backward();
      const once = model.parameters().map((p) => Array.from(p.grad!.data));
      l.backward();
      model.parameters().forEach((p, i) => {
        const twice = Array.from(p.grad!.data);
        twice.forEach((g, j) => expect(g, `${name}: parameter ${i}[${j}]`).toBeCloseTo(2 * once[i][j], 5));
      });
    }
  });

  it("accumulates over several backward calls, also from different graphs", () => {
    const x = leaf([1, 2]);
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(grads(x)).toEqual([[5, 7]]);
    const y = leaf([5]);
    y.backward(); // a leaf as its own root: its seed is copied, then summed
    y.backward();
    expect(grads(y)).toEqual([[2]]);
  });
});

describe("graph shapes", () => {
  it("sums gradients over fan-out and diamonds", () => {
    const x = leaf([2]);
    const a = x.mul(x);
    a.mul(x).add(a).add(x).backward(); // x³ + x² + x
    expect(grads(x)).toEqual([[17]]);
    const z = leaf([2], { dtype: "float64" });
    const m = z.mul(3);
    m.exp().add(m.square()).mul(m).backward(); // (e^m + m²)·m, m = 3z
    const mv = 6;
    expect(z.grad!.item()).toBeCloseTo(3 * (Math.exp(mv) * mv + Math.exp(mv) + 3 * mv * mv), 9);
  });

  it("brings a gradient through slice, transpose, reshape and expand back to the leaf's shape", () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const picked = x.slice(null, [0, 3, 2]).transpose(0, 1).reshape([4]).mul(eg.tensor([1, 2, 3, 4])).sum();
    picked.add(x.reshape([1, 2, 3]).expand([2, 2, 3]).sum()).backward();
    expect(grads(x)).toEqual([[[3, 2, 5], [4, 2, 6]]]); // PyTorch 1.13
  });

  it("gives gradients only to inputs that require them, each in its own dtype", () => {
    const a = leaf([1, 2]);
    const b = leaf([3, 4], { dtype: "float64" });
    const c = eg.tensor([5, 6]);
    const y = a.mul(b).mul(c).sum();
    expect(y.dtype).toBe("float64");
    y.backward();
    expect([a.grad!.dtype, b.grad!.dtype, c.grad]).toEqual(["float32", "float64", null]);
    expect(grads(a, b)).toEqual([[15, 24], [5, 12]]);
  });

  it("keeps .grad of a non-leaf null, and outputs of comparisons, casts to integers and indices outside the graph", () => {
    const x = leaf([1, -2, 3]);
    const h = x.mul(2);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect([x.gt(0).requiresGrad, x.astype("int32").requiresGrad, x.argmax().requiresGrad, eg.topk(x, 1).indices.requiresGrad])
      .toEqual([false, false, false, false]);
    expect(() => x.gt(0).sum().backward()).toThrow(ValueError);
  });
});

describe("requiresGrad, detach, .grad", () => {
  it("refuses requiresGrad on a computed tensor and on an integer tensor (false is allowed)", () => {
    const x = leaf([1, 2]);
    const h = x.mul(2);
    expect(() => { h.requiresGrad = false; }).toThrow(ValueError);
    expect(h.requiresGrad).toBe(true);
    const n = eg.tensor([1, 2], { dtype: "int32" });
    expect(() => { n.requiresGrad = true; }).toThrow(DTypeError);
    expect(() => eg.tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(DTypeError);
    n.requiresGrad = false;
    expect(n.requiresGrad).toBe(false);
  });

  it("detach shares storage and leaves the tape", () => {
    const x = leaf([1, 2]);
    const d = x.mul(1).detach();
    expect(d.requiresGrad).toBe(false);
    const v = x.detach();
    v.data[0] = 9;
    expect(x.toArray()).toEqual([9, 2]);
  });

  it("refuses a .grad of another shape or dtype and keeps the old one", () => {
    const x = leaf([1, 2]);
    x.sum().backward();
    expect(() => { x.grad = eg.tensor([1, 2, 3]); }).toThrow(ShapeError);
    expect(() => { x.grad = eg.tensor([1, 2], { dtype: "float64" }); }).toThrow(DTypeError);
    expect(grads(x)).toEqual([[1, 1]]);
  });
});

describe("gradients at ties, kinks and infinities, as PyTorch 1.13", () => {
  it("maximum splits ties half and half; max/min reductions share ties evenly (amax)", () => {
    const a = leaf([1, 3, 3]);
    const b = leaf([2, 3, 1]);
    a.maximum(b).sum().backward();
    expect(grads(a, b)).toEqual([[0, 0.5, 1], [1, 0.5, 0]]);
    const x = leaf([[1, 3, 3], [2, 2, 2]]);
    x.max(1).sum().backward();
    const g = x.grad!.toArray() as number[][];
    expect(g[0]).toEqual([0, 0.5, 0.5]);
    g[1].forEach((v) => expect(v).toBeCloseTo(1 / 3, 6));
  });

  it("abs and sign at 0, clip at its bounds (inclusive)", () => {
    const x = leaf([0, -1, 1, 2]);
    x.abs().add(x.sign()).add(x.clip(-1, 1)).sum().backward();
    expect(grads(x)).toEqual([[1, 0, 2, 1]]);
  });

  it("topk with ties takes the first index", () => {
    const x = leaf([1, 3, 3, 2]);
    eg.topk(x, 2).values.mul(eg.tensor([1, 10])).sum().backward();
    expect(grads(x)).toEqual([[0, 1, 10, 0]]);
  });

  it("logsumexp, softmax and logSoftmax with −∞ entries and an all −∞ row", () => {
    const rows = [[-Infinity, 0, 1], [-Infinity, -Infinity, -Infinity]];
    const x = leaf(rows);
    const l = x.logsumexp(1);
    l.sum().backward();
    expect(l.data[0]).toBeCloseTo(1.3132616, 6);
    expect(l.data[1]).toBe(-Infinity);
    const gl = Array.from(x.grad!.data);
    [0, 0.2689414, 0.7310586].forEach((v, i) => expect(gl[i]).toBeCloseTo(v, 6));
    expect(gl.slice(3).every(Number.isNaN)).toBe(true);

    const w = eg.tensor([[1, 2, 3], [1, 2, 3]]);
    const s = leaf(rows);
    s.softmax(1).mul(w).sum().backward();
    const gs = Array.from(s.grad!.data);
    [0, -0.1966119, 0.1966119].forEach((v, i) => expect(gs[i]).toBeCloseTo(v, 6));
    expect(gs.slice(3).every(Number.isNaN)).toBe(true);

    const ls = leaf([rows[0]]);
    ls.logSoftmax(1).mul(eg.tensor([[1, 2, 3]])).sum().backward();
    [1, 0.3863513, -1.3863515].forEach((v, i) => expect(ls.grad!.data[i]).toBeCloseTo(v, 5));
  });
});
