import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// Every differentiable op, checked by central differences in float64. Inputs avoid the points
// where an op is not differentiable (0 for abs/relu, ties for max/maximum).
describe("gradients agree with central differences in float64", () => {
  const away = (shape: number[], seed: number) => {
    const t = X(shape, seed);
    const d = t.storage as Float64Array;
    for (let i = 0; i < d.length; i++) if (Math.abs(d[i]) < 0.1) d[i] += 0.3;
    return t;
  };
  const positive = (shape: number[], seed: number) => X(shape, seed, 0.5, 3);

  const unary: [string, (x: eg.Tensor) => eg.Tensor, (s: number[], seed: number) => eg.Tensor][] = [
    ["neg", (x) => x.neg(), X], ["abs", (x) => x.abs(), away], ["exp", (x) => x.exp(), X], ["log", (x) => x.log(), positive],
    ["sqrt", (x) => x.sqrt(), positive], ["relu", (x) => x.relu(), away], ["sigmoid", (x) => x.sigmoid(), X],
    ["tanh", (x) => x.tanh(), X], ["square", (x) => x.square(), X], ["clip", (x) => eg.clip(x, -1, 1), away],
    ["softmax", (x) => eg.softmax(x, -1), X], ["logSoftmax", (x) => eg.logSoftmax(x, 0), X],
    ["sum over axis 1", (x) => x.sum(1), X], ["mean", (x) => x.mean([0, 2], { keepdims: true }), X],
    ["max over axis 2", (x) => x.max(2), X], ["min", (x) => x.min(), X], ["var", (x) => eg.var(x, 1), X],
    ["std", (x) => eg.std(x, [0, 1]), X], ["logsumexp", (x) => eg.logsumexp(x, -1), X],
    ["reshape", (x) => x.reshape([4, -1]).mul(x.reshape([4, -1])), X], ["transpose", (x) => x.transpose(0, 2).exp(), X],
    ["permute", (x) => x.permute([2, 0, 1]).sigmoid(), X], ["slice", (x) => x.slice([1], null, [0, 3, 2]).exp(), X],
    ["squeeze/unsqueeze", (x) => x.unsqueeze(1).squeeze(1).tanh(), X], ["broadcastTo", (x) => x.slice(null, [0, 1]).broadcastTo([2, 3, 2]).exp(), X],
    ["contiguous of a view", (x) => x.transpose(0, 1).contiguous().exp(), X],
  ];
  for (const [name, f, make] of unary) {
    it(name, () => assertGradByDifferences(f, [make([2, 3, 2], 1)], name));
  }

  const binary: [string, (a: eg.Tensor, b: eg.Tensor) => eg.Tensor, number[], number[]][] = [
    ["add with broadcast", (a, b) => a.add(b), [2, 3, 2], [3, 1]],
    ["sub with broadcast", (a, b) => a.sub(b), [2, 1, 2], [3, 2]],
    ["mul with broadcast", (a, b) => a.mul(b), [2, 3, 2], [2]],
    ["div with broadcast", (a, b) => a.div(b.exp()), [2, 3, 2], [1, 3, 1]],
    ["pow", (a, b) => a.abs().add(0.5).pow(b), [3, 2], [3, 2]],
    ["maximum", (a, b) => a.maximum(b), [3, 2], [2]],
    ["minimum", (a, b) => a.minimum(b), [3, 2], [3, 1]],
    ["where", (a, b) => eg.where(a.gt(0), a.exp(), b), [3, 2], [2]],
    ["matmul", (a, b) => eg.matmul(a, b), [3, 4], [4, 2]],
    ["batched matmul with broadcast", (a, b) => eg.matmul(a, b), [2, 3, 4], [4, 2]],
    ["matmul of transposed views", (a, b) => eg.matmul(a.T, b.T), [4, 3], [2, 4]],
    ["concat", (a, b) => eg.concat([a, b, a], 0).exp(), [2, 3], [1, 3]],
    ["stack", (a, b) => eg.stack([a, b], 1).tanh(), [2, 3], [2, 3]],
  ];
  for (const [name, f, sa, sb] of binary) {
    it(name, () => assertGradByDifferences(f, [X(sa, 2), X(sb, 3)], name));
  }

  it("linear with bias and fused relu", () => {
    const w = X([3, 4], 5);
    const b = X([3], 6);
    assertGradByDifferences((x, w, b) => eg.linear(x, w, b), [X([5, 4], 4), w, b], "linear");
    assertGradByDifferences((x, w, b) => eg.linear(x, w, b, { relu: true }), [X([5, 4], 7), w, b], "linear+relu");
  });

  it("a gradient reaching one tensor along two paths is summed", () => {
    assertGradByDifferences((x) => x.mul(x.exp()).add(x.sum()), [X([4], 8)], "two paths");
  });

  it("the checker itself catches a wrong backward rule", () => {
    // exp with the backward of x² — must be reported, or the checks above prove nothing.
    const wrongExp = (x: eg.Tensor) =>
      eg.record(eg.noGrad(() => x.exp()), "wrongExp", [x], (g) => [g.mul(x.mul(2))]);
    expect(() => assertGradByDifferences(wrongExp, [X([3], 9)], "wrongExp")).toThrow(/analytic/);
  });

  it("willRecord says beforehand whether record keeps a rule: recording on and an input needing a gradient", () => {
    const a = X([2], 1), b = eg.fromTypedArray(Float64Array.of(1, 2), [2]);
    const rule = (g: eg.Tensor) => [g];
    for (const [inputs, want] of [[[a, b], true], [[b], false]] as const) {
      expect(eg.willRecord(inputs)).toBe(want);
      expect(eg.record(b.mul(1), "id", inputs, rule).gradFn !== null).toBe(want);
      expect(eg.noGrad(() => eg.willRecord(inputs))).toBe(false);
    }
  });
});
