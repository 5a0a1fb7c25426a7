// eg.distributions refuses bad parameters at construction and values outside the support in
// logProb/cdf/icdf (PyTorch's validate_args, on by default), with typed errors naming the value.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";

const D = eg.distributions;

describe("argument checks", () => {
  it("refuses parameters outside their constraints, naming the value", () => {
    expect(() => new D.Normal(0, eg.tensor([1, 0]))).toThrow(/scale must be positive, got 0 at flat index 1/);
    expect(() => new D.Normal(NaN, 1)).toThrow(ValueError);
    expect(() => new D.Laplace(0, -2)).toThrow(/scale must be positive, got -2/);
    expect(() => new D.Exponential(eg.tensor([[1], [-1]]))).toThrow(/rate must be positive, got -1/);
    expect(() => new D.Uniform(1, 1)).toThrow(/low must be less than high, got low 1 and high 1/);
    expect(() => new D.Bernoulli({ probs: 1.5 })).toThrow(/probs must be in \[0, 1\], got 1.5/);
    expect(() => new D.Bernoulli({ probs: 0.5, logits: 0 } as never)).toThrow(/exactly one of probs and logits/);
    expect(() => new D.Bernoulli({} as never)).toThrow(ValueError);
    expect(() => new D.Bernoulli({ prob: 0.5 } as never)).toThrow(/unknown option "prob"/);
    expect(() => new D.Categorical({ probs: eg.tensor([0.5, -0.1, 0.6]) })).toThrow(/probs must be non-negative, got -0.1/);
    expect(() => new D.Categorical({ probs: eg.zeros([2, 3]) })).toThrow(/sum of probs/);
    expect(() => new D.Categorical({ logits: 1 })).toThrow(/at least one dimension/);
  });

  it("refuses shapes that do not broadcast and non-float parameters", () => {
    expect(() => new D.Normal(eg.zeros([2]), eg.ones([3]))).toThrow(ShapeError);
    expect(() => new D.Normal(eg.zeros([2], { dtype: "int32" }), 1)).toThrow(DTypeError);
    expect(() => new D.Normal(eg.zeros([2], { dtype: "float64" }), eg.ones([2]))).toThrow(/one dtype/);
    expect(() => new D.Normal(0, 1).logProb(eg.zeros([2])).shape).not.toThrow();
    expect(() => new D.Normal(eg.zeros([2]), 1).logProb(eg.zeros([3]))).toThrow(/value of shape \[3\] does not broadcast/);
  });

  it("refuses values outside the support in logProb, cdf and icdf", () => {
    expect(() => new D.Exponential(1).logProb(-0.5)).toThrow(/value -0.5 at flat index 0 is outside the support \[0, ∞\)/);
    expect(() => new D.Uniform(0, 1).logProb(1)).toThrow(/value 1 at flat index 0 is outside the support \[0, 1\)/);
    expect(() => new D.Uniform(0, 1).cdf(-1)).toThrow(ValueError);
    expect(() => new D.Bernoulli({ probs: 0.3 }).logProb(0.5)).toThrow(/value 0.5 .* outside the support \{0, 1\}/);
    expect(() => new D.Categorical({ probs: eg.ones([3]) }).logProb(3)).toThrow(/value 3 .* outside the support \{0, …, 2\}/);
    expect(() => new D.Categorical({ probs: eg.ones([3]) }).logProb(1.5)).toThrow(ValueError);
    expect(() => new D.Normal(0, 1).icdf(1.5)).toThrow(/value 1.5 .* outside the support \[0, 1\]/);
    expect(() => new D.Laplace(0, 1).icdf(-0.1)).toThrow(ValueError);
    expect(() => new D.Normal(0, 1).logProb(NaN)).toThrow(ValueError);
  });

  it("checks sampling options and sample shapes", () => {
    expect(() => new D.Normal(0, 1).sample([2], { sead: 1 } as never)).toThrow(/unknown option "sead"/);
    expect(() => new D.Normal(0, 1).sample([-1])).toThrow(ShapeError);
    expect(() => new D.Categorical({ probs: eg.ones([3]) }).sample([2.5])).toThrow(ShapeError);
    expect(() => new D.Bernoulli({ probs: 0.5 }).sample([2], { seed: 1, rng: new eg.Rng(1) })).toThrow(ValueError);
  });
});
