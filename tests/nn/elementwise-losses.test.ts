// The elementwise losses (regression and binary cross-entropies, multiLabelSoftMargin) against
// float64 formulas written out here, with their weights; gradients by central differences for
// the input AND the target, since a target that requires grad must train (as in PyTorch).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, tensor, Tensor, Rng, ShapeError, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { U32 } from "../support/tolerance.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";

const U64 = 2 ** -53;
type Red = "mean" | "sum" | "none";

const leaf = (shape: number[], seed: number, f: (r: Rng) => number = (r) => 2 * r.normal()): Tensor => gradLeaf(shape, seed, f);

const softplus = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
const reduceRef = (per: number[], r: Red) => (r === "none" ? per : [per.reduce((a, b) => a + b, 0) / (r === "mean" ? per.length : 1)]);

describe("binary cross-entropies with weight and posWeight, against float64 formulas", () => {
  const arb = fc.record({
    n: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1e6 }),
    reduction: fc.constantFrom<Red>("mean", "sum", "none"), weighted: fc.boolean(), dtype: fc.constantFrom("float32", "float64" as const),
  });
  it("bceWithLogits: (1−t)·softplus(z) + p_c·t·softplus(−z), times w, with posWeight [C] over the class dim", () => {
    fc.assert(fc.property(arb, ({ n, C, seed, reduction, weighted, dtype }) => {
      const rng = new Rng(seed);
      const z = Array.from({ length: n * C }, () => 8 * rng.normal());
      const t = Array.from({ length: n * C }, () => rng.uniform());
      const pw = Array.from({ length: C }, () => 3 * rng.uniform());
      const w = Array.from({ length: C }, () => 2 * rng.uniform());
      const dt = { dtype } as const;
      const got = nn.bceWithLogits(tensor(z, dt).reshape([n, C]), tensor(t, dt).reshape([n, C]),
        { reduction, posWeight: tensor(pw, dt), ...(weighted ? { weight: tensor(w, dt) } : {}) });
      const zs = Array.from(tensor(z, dt).data), ts = Array.from(tensor(t, dt).data);
      const pws = Array.from(tensor(pw, dt).data), ws = Array.from(tensor(w, dt).data);
      const per = zs.map((v, i) => (weighted ? ws[i % C] : 1) * ((1 - ts[i]) * softplus(v) + pws[i % C] * ts[i] * softplus(-v)));
      const want = reduceRef(per, reduction);
      const scale = per.reduce((a, b) => a + Math.abs(b), 0) / (reduction === "mean" ? per.length : 1);
      const u = dtype === "float32" ? U32 : U64;
      want.forEach((v, i) => {
        const tol = reduction === "none" ? 16 * u * Math.abs(v) + 1e-300 : (per.length + 16) * u * scale + 1e-300;
        if (!(Math.abs(got.data[i] - v) <= tol)) throw new Error(`element ${i}: got ${got.data[i]}, want ${v}`);
      });
    }), { numRuns: 120 });
  });

  it("binaryCrossEntropy with a broadcast weight: −w·[t·log p + (1−t)·log(1−p)]", () => {
    const p = tensor([[0.2, 0.9], [0.5, 0.01]], { dtype: "float64" }), t = tensor([[0, 1], [0.3, 1]], { dtype: "float64" });
    const w = tensor([2, 0.5], { dtype: "float64" });
    const per = [[0.2, 0], [0.9, 1], [0.5, 0.3], [0.01, 1]].map(([pi, ti], i) => [2, 0.5][i % 2] * -(ti * Math.log(pi) + (1 - ti) * Math.log(1 - pi)));
    const got = nn.binaryCrossEntropy(p, t, { weight: w, reduction: "none" }).data;
    per.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(16 * U64 * Math.abs(v)));
    expect(Math.abs(nn.binaryCrossEntropy(p, t, { weight: w }).item() - per.reduce((a, b) => a + b) / 4)).toBeLessThanOrEqual(32 * U64 * 4);
  });

  it("a scalar posWeight equals the same value as a tensor, and posWeight no longer turns the loss into NaN", () => {
    const z = tensor([[1, -2, 0.5]]), t = tensor([[1, 0, 1]]);
    const a = nn.bceWithLogits(z, t, { posWeight: 3 }).item();
    const b = nn.bceWithLogits(z, t, { posWeight: tensor([3, 3, 3]) }).item();
    expect(a).toBe(b);
    expect(Number.isFinite(b)).toBe(true);
  });

  it("refuse unknown keys and weights that do not broadcast", () => {
    const z = tensor([[1, -2, 0.5]]), t = tensor([[1, 0, 1]]);
    expect(() => nn.bceWithLogits(z, t, { pos_weight: 2 } as never)).toThrow(/unknown option "pos_weight"/);
    expect(() => nn.bceWithLogits(z, t, { posWeight: tensor([1, 2]) })).toThrow(ShapeError);
    expect(() => nn.binaryCrossEntropy(tensor([0.5]), tensor([1]), { weight: tensor([1, 2]) })).toThrow(ShapeError);
    expect(() => nn.binaryCrossEntropy(tensor([0.5]), tensor([1]), { posWeight: 2 } as never)).toThrow(ValueError);
    expect(() => nn.mseLoss(tensor([1]), tensor([1]), { reduce: "sum" } as never)).toThrow(/unknown option "reduce"/);
  });
});

describe("gradients reach both input and target (float64 central differences)", () => {
  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`mse, l1, huber, smoothL1 (reduction ${reduction})`, () => {
      const x = leaf([3, 4], 1), t = leaf([3, 4], 2);
      // keep |x − t| off the kinks (0 for l1; δ = 0.8 and β = 0.6)
      for (let i = 0; i < x.size; i++) {
        const d = Math.abs(x.storage[i] - t.storage[i]);
        if (d < 0.05 || Math.abs(d - 0.8) < 0.05 || Math.abs(d - 0.6) < 0.05) x.storage[i] += 0.2;
      }
      noMismatch(findGradMismatches(() => project(nn.mseLoss(x, t, { reduction }), 3), [x, t]));
      noMismatch(findGradMismatches(() => project(nn.l1Loss(x, t, { reduction }), 3), [x, t]));
      noMismatch(findGradMismatches(() => project(nn.huberLoss(x, t, { reduction, delta: 0.8 }), 3), [x, t]));
      noMismatch(findGradMismatches(() => project(nn.smoothL1Loss(x, t, { reduction, beta: 0.6 }), 3), [x, t]));
    });

    it(`binaryCrossEntropy, bceWithLogits (weight, posWeight tensor), multiLabelSoftMargin (reduction ${reduction})`, () => {
      const z = leaf([3, 4], 4);
      const p = leaf([3, 4], 5, (r) => 0.05 + 0.9 * r.uniform());
      const t = leaf([3, 4], 6, (r) => r.uniform());
      const w = tensor([0.5, 2, 1, 1.5], { dtype: "float64" }), pw = tensor([3, 0.2, 1, 2], { dtype: "float64" });
      noMismatch(findGradMismatches(() => project(nn.binaryCrossEntropy(p, t, { reduction, weight: w }), 7), [p, t], 1e-7));
      noMismatch(findGradMismatches(() => project(nn.bceWithLogits(z, t, { reduction, weight: w, posWeight: pw }), 7), [z, t]));
      noMismatch(findGradMismatches(() => project(nn.multiLabelSoftMarginLoss(z, t, { reduction, weight: w }), 7), [z, t]));
    });
  }
});

describe("smoothL1Loss and multiLabelSoftMarginLoss values", () => {
  it("smoothL1: ½d²/β inside β, |d| − ½β outside; β = 0 is L1", () => {
    const x = tensor([0, 1, 3, -2], { dtype: "float64" }), t = tensor([0.2, 0, 0, 0], { dtype: "float64" });
    const per = [0.2, 1, 3, 2].map((a) => (a < 1.5 ? (0.5 * a * a) / 1.5 : a - 0.75));
    const got = nn.smoothL1Loss(x, t, { beta: 1.5, reduction: "none" }).data;
    per.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(8 * U64 * Math.abs(v)));
    expect(nn.smoothL1Loss(x, t, { beta: 0, reduction: "sum" }).item()).toBe(nn.l1Loss(x, t, { reduction: "sum" }).item());
    expect(() => nn.smoothL1Loss(x, t, { beta: -1 })).toThrow(ValueError);
  });

  it("multiLabelSoftMargin: per sample −(1/C)·Σ w_c·[y log σ(x) + (1−y) log σ(−x)]", () => {
    const x = [[0.3, -2, 5], [1, 0, -0.5]], y = [[1, 0, 1], [0, 0, 1]], w = [1, 0.5, 2];
    const per = x.map((r, n) => r.reduce((a, v, c) => a + w[c] * (y[n][c] * softplus(-v) + (1 - y[n][c]) * softplus(v)), 0) / 3);
    const got = nn.multiLabelSoftMarginLoss(tensor(x, { dtype: "float64" }), tensor(y, { dtype: "float64" }),
      { weight: tensor(w, { dtype: "float64" }), reduction: "none" });
    expect(got.shape).toEqual([2]);
    per.forEach((v, i) => expect(Math.abs(got.data[i] - v)).toBeLessThanOrEqual(16 * U64 * Math.abs(v)));
  });
});
