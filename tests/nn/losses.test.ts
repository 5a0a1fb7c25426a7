// Loss values against direct float64 formulas, stability at extreme logits, reductions, errors.
import { describe, expect, it } from "vitest";
import { nn, tensor, ShapeError, ValueError, DTypeError } from "../../src/index.js";

const f64 = (v: unknown) => tensor(v, { dtype: "float64" });
const U64 = 2 ** -53;
const near = (got: number, want: number, terms = 1) => expect(Math.abs(got - want)).toBeLessThanOrEqual(64 * U64 * Math.max(Math.abs(want), terms));

describe("losses", () => {
  it("crossEntropy equals −log softmax[label] averaged, and the none/sum reductions agree", () => {
    const z = [[1, 2, 3], [0.5, -1, 0]];
    const y = [2, 0];
    const per = z.map((r, i) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0)) - r[y[i]]);
    const none = nn.crossEntropy(f64(z), tensor(y, { dtype: "int32" }), { reduction: "none" }).data;
    per.forEach((v, i) => near(none[i], v));
    near(nn.crossEntropy(f64(z), tensor(y, { dtype: "int32" })).item(), (per[0] + per[1]) / 2);
    near(nn.crossEntropy(f64(z), tensor(y), { reduction: "sum" }).item(), per[0] + per[1]);
  });

  it("crossEntropy is finite and exact for logits of ±1e4 (float32)", () => {
    const z = tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]]);
    const l = nn.crossEntropy(z, tensor([1, 2], { dtype: "int32" }), { reduction: "none" });
    expect(Array.from(l.data)).toEqual([2e4, 0]);
    const zz = tensor([[1e4, -1e4, 0]], { requiresGrad: true });
    nn.crossEntropy(zz, tensor([1], { dtype: "int32" })).backward();
    expect(Array.from(zz.grad!.data)).toEqual([1, -1, 0]);
  });

  it("label smoothing: loss = (1−ε)·nll + ε·mean over classes of −log p (PyTorch)", () => {
    const z = [[0.3, -1.2, 2.0, 0.1]];
    const lse = Math.log(z[0].reduce((a, v) => a + Math.exp(v), 0));
    const logp = z[0].map((v) => v - lse);
    const eps = 0.1;
    const want = (1 - eps) * -logp[2] + (eps * -logp.reduce((a, b) => a + b)) / 4;
    near(nn.crossEntropy(f64(z), tensor([2]), { labelSmoothing: eps }).item(), want);
    // probability targets equal to the one-hot give the same value
    near(nn.crossEntropy(f64(z), f64([[0, 0, 1, 0]]), { labelSmoothing: eps }).item(), want);
  });

  it("crossEntropy rejects labels out of range, non-integer labels and mismatched shapes", () => {
    const z = tensor([[0, 1], [1, 0]]);
    expect(() => nn.crossEntropy(z, tensor([0, 2]))).toThrow(ValueError);
    expect(() => nn.crossEntropy(z, tensor([0, -1]))).toThrow(/label -1 at index 1/);
    expect(() => nn.crossEntropy(z, tensor([0.5, 1]))).toThrow(ValueError);
    expect(() => nn.crossEntropy(z, tensor([0, 1, 1]))).toThrow(ShapeError);
    expect(() => nn.crossEntropy(tensor([[0, 1]], { dtype: "int32" }), tensor([0]))).toThrow(DTypeError);
  });

  it("bceWithLogits is stable at ±100 and equals the probability form where both are accurate", () => {
    const z = f64([-100, -3, 0, 2.5, 100]);
    const t = f64([1, 0, 1, 1, 0]);
    const got = nn.bceWithLogits(z, t, { reduction: "none" }).data;
    const want = [100, Math.log1p(Math.exp(-3)), Math.log(2), Math.log1p(Math.exp(-2.5)), 100];
    want.forEach((w, i) => near(got[i], w));
    const p = f64([0.2, 0.7]), y = f64([0, 1]);
    near(nn.binaryCrossEntropy(p, y).item(), -(Math.log(0.8) + Math.log(0.7)) / 2);
  });

  it("binaryCrossEntropy clamps log at −100 (p = 0 or 1 gives 100, not ∞) and rejects p outside [0, 1]", () => {
    expect(Array.from(nn.binaryCrossEntropy(f64([0, 1]), f64([1, 0]), { reduction: "none" }).data)).toEqual([100, 100]);
    expect(() => nn.binaryCrossEntropy(f64([1.5]), f64([1]))).toThrow(ValueError);
  });

  it("mse, l1 and huber values; [n] targets are accepted for [n, 1] outputs", () => {
    const x = f64([[1], [2], [4]]), y = f64([1.5, 2, 1]);
    near(nn.mseLoss(x, y).item(), (0.25 + 0 + 9) / 3);
    near(nn.l1Loss(x, y, { reduction: "sum" }).item(), 3.5);
    near(nn.huberLoss(x, y).item(), (0.125 + 0 + 2.5) / 3);
    expect(() => nn.mseLoss(x, f64([1, 2]))).toThrow(ShapeError);
    expect(() => nn.mseLoss(x, y, { reduction: "avg" as never })).toThrow(ValueError);
  });
});
