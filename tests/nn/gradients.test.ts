// Central-difference gradient checks in float64 for every module and loss (see
// tests/support/gradcheck.ts for the tolerance). Inputs avoid the kinks of relu/abs/huber.
import { describe, expect, it } from "vitest";
import { nn, randn, record, tensor, Tensor, Rng } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";

const f64 = (shape: number[], seed: number, away = 0): Tensor => {
  const t = randn(shape, { seed, dtype: "float64" });
  // Push values away from 0 by `away` so piecewise functions stay on one piece under ±2h.
  if (away > 0) for (let i = 0; i < t.size; i++) t.storage[i] += Math.sign(t.storage[i] || 1) * away;
  t.requiresGrad = true;
  return t;
};
/** A fixed random projection so that a vector output becomes a scalar with a generic gradient. */
const project = (y: Tensor, seed: number) => y.mul(randn(y.shape.slice(), { seed, dtype: "float64" })).sum();

const expectNoMismatch = (bad: unknown[]) => expect(bad.slice(0, 5)).toEqual([]);

describe("gradients of modules (float64 central differences)", () => {
  it("the checker itself flags a backward that is off by 1e-6 relative", () => {
    const x = f64([4], 1);
    const wrong = () => record(new Tensor(Float64Array.from(x.storage, (v) => v * v), "float64", [4]), "sq", [x],
      (g) => [g.mul(x).mul(2 * (1 + 1e-6))]).sum();
    expect(findGradMismatches(wrong, [x]).length).toBe(4);
  });

  it("the checker allows for rounding noise of intermediates far larger than the result", () => {
    // Σx² reached through terms of 1e6·x that cancel: f's rounding is ~1e6·u, not u·|f|.
    const x = f64([64], 2);
    const big = () => x.mul(1e6).add(x.mul(x)).sub(x.mul(1e6)).sum();
    expect(findGradMismatches(big, [x])).toEqual([]);
  });

  it("the checker refuses a function with a kink under its noise probe instead of accepting anything", () => {
    const x = new Tensor(Float64Array.of(-3e-8), "float64", [1]);
    x.requiresGrad = true;
    expect(() => findGradMismatches(() => x.abs().sum(), [x])).toThrow(/not smooth/);
  });

  it("the ops' checker (tests/support/gradcheck-ops.ts) flags a wrong backward, allows measured noise and refuses a kink", () => {
    const x = f64([4], 1);
    const sq = (slip: number) => () => record(new Tensor(Float64Array.from(x.storage, (v) => v * v), "float64", [4]), "sq", [x],
      (g) => [g.mul(x).mul(2 * (1 + slip))]);
    expect(() => assertGradByDifferences(sq(1e-4), [x], "off by 1e-4")).toThrow(/analytic/);
    assertGradByDifferences(sq(0), [x], "exact");
    // Σx² through terms of 1e6·x that cancel: L's rounding is ~1e6·ε, far above ε·|L| (as a
    // 2-feature LayerNorm of nearly equal values once gave, with a right gradient, 9e-8 off).
    const z = f64([16], 2);
    assertGradByDifferences(() => z.mul(1e6).add(z.mul(z)).sub(z.mul(1e6)), [z], "cancelling terms");
    const k = new Tensor(Float64Array.of(-3e-8), "float64", [1]);
    k.requiresGrad = true;
    expect(() => assertGradByDifferences(() => k.abs(), [k], "kink")).toThrow(/not smooth/);
  });

  const activations: [string, nn.Module, number][] = [
    ["ReLU", new nn.ReLU(), 0.01], ["LeakyReLU", new nn.LeakyReLU(0.1), 0.01], ["ELU", new nn.ELU(0.7), 0.01],
    ["GELU", new nn.GELU(), 0], ["Sigmoid", new nn.Sigmoid(), 0], ["Tanh", new nn.Tanh(), 0],
    ["Softmax", new nn.Softmax(-1), 0], ["LogSoftmax", new nn.LogSoftmax(1), 0], ["Flatten", new nn.Flatten(), 0],
  ];
  for (const [name, m, away] of activations) {
    it(`${name} passes the gradient check`, () => {
      const x = f64([3, 5], 11, away);
      expectNoMismatch(findGradMismatches(() => project(m.forward(x), 7), [x]));
    });
  }

  it("GELU is the exact x·Φ(x) at a wide range of inputs (including |x| > 2.5 where erf switches method)", () => {
    const x = tensor([-6, -3, -2.6, -2.4, -1, -1e-3, 0.3, 2.4, 2.6, 4, 7], { dtype: "float64", requiresGrad: true });
    expectNoMismatch(findGradMismatches(() => project(new nn.GELU().forward(x), 3), [x]));
  });

  it("Linear (weight, bias and input) passes, with and without bias", () => {
    for (const bias of [true, false]) {
      const lin = new nn.Linear(4, 3, { dtype: "float64", seed: 1, bias });
      const x = f64([5, 4], 2);
      expectNoMismatch(findGradMismatches(() => project(lin.forward(x), 3), [x, ...lin.parameters()]));
    }
  });

  it("Sequential with a fused Linear+ReLU passes (inputs and all parameters)", () => {
    const model = new nn.Sequential(new nn.Linear(4, 6, { dtype: "float64", seed: 1 }), new nn.ReLU(),
      new nn.Linear(6, 3, { dtype: "float64", seed: 2 }), new nn.Tanh());
    const x = f64([5, 4], 3);
    // A small step keeps ±2h away from the relu kink for these seeds.
    expectNoMismatch(findGradMismatches(() => project(model.forward(x), 4), [x, ...model.parameters()], 1e-7));
  });

  it("Dropout passes for a fixed mask (same seed each evaluation)", () => {
    const x = f64([4, 6], 5);
    const f = () => project(new nn.Dropout(0.4, { seed: 9 }).forward(x), 2);
    expectNoMismatch(findGradMismatches(f, [x]));
  });

  it("regularizers l1, l2, l1l2 pass", () => {
    const w = f64([3, 4], 8, 0.01);
    for (const r of [nn.regularizers.l1(0.3), nn.regularizers.l2(0.2), nn.regularizers.l1l2({ l1: 0.1, l2: 0.4 })]) {
      expectNoMismatch(findGradMismatches(() => r(w), [w]));
    }
  });
});

describe("gradients of losses (float64 central differences)", () => {
  const reductions = ["mean", "sum", "none"] as const;
  const scalar = (l: Tensor, seed: number) => (l.ndim === 0 ? l : project(l, seed));

  for (const reduction of reductions) {
    it(`mseLoss, l1Loss, huberLoss pass (reduction ${reduction})`, () => {
      const x = f64([4, 3], 1);
      const t = randn([4, 3], { seed: 2, dtype: "float64" });
      // keep |x − t| away from 0 (l1) and from δ (huber)
      for (let i = 0; i < x.size; i++) {
        const d = x.storage[i] - t.storage[i];
        if (Math.abs(d) < 0.05 || Math.abs(Math.abs(d) - 0.8) < 0.05) x.storage[i] += 0.2;
      }
      expectNoMismatch(findGradMismatches(() => scalar(nn.mseLoss(x, t, { reduction }), 3), [x]));
      expectNoMismatch(findGradMismatches(() => scalar(nn.l1Loss(x, t, { reduction }), 3), [x]));
      expectNoMismatch(findGradMismatches(() => scalar(nn.huberLoss(x, t, { reduction, delta: 0.8 }), 3), [x]));
    });

    it(`binaryCrossEntropy and bceWithLogits pass (reduction ${reduction})`, () => {
      const z = f64([6], 4);
      const p = tensor(Array.from(z.storage, (v) => 1 / (1 + Math.exp(-v))), { dtype: "float64", requiresGrad: true });
      const t = tensor([0, 1, 0.3, 1, 0, 0.9], { dtype: "float64" });
      expectNoMismatch(findGradMismatches(() => scalar(nn.binaryCrossEntropy(p, t, { reduction }), 5), [p], 1e-7));
      expectNoMismatch(findGradMismatches(() => scalar(nn.bceWithLogits(z, t, { reduction }), 5), [z]));
      expectNoMismatch(findGradMismatches(() => scalar(nn.bceWithLogits(z, t, { reduction, posWeight: 2.5 }), 5), [z]));
    });

    it(`crossEntropy passes with labels, probabilities and label smoothing (reduction ${reduction})`, () => {
      const z = f64([5, 4], 6);
      const labels = tensor([0, 3, 1, 1, 2], { dtype: "int32" });
      const rng = new Rng(3);
      const raw = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => rng.uniform()));
      const probs = tensor(raw.map((r) => r.map((v) => v / r.reduce((a, b) => a + b))), { dtype: "float64" });
      for (const labelSmoothing of [0, 0.2]) {
        expectNoMismatch(findGradMismatches(() => scalar(nn.crossEntropy(z, labels, { reduction, labelSmoothing }), 7), [z]));
        expectNoMismatch(findGradMismatches(() => scalar(nn.crossEntropy(z, probs, { reduction, labelSmoothing }), 7), [z]));
      }
    });
  }
});
