// eg.distributions' later families refuse bad parameters at construction, values outside the
// support in logProb/cdf/icdf, bad sampling options, and what PyTorch does not define (rsample of
// the counting families, Poisson's entropy), with typed errors naming the value.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";

const D = eg.distributions;

describe("argument checks of the later families", () => {
  it("refuses parameters outside their constraints, naming the value", () => {
    expect(() => new D.Gamma(0, 1)).toThrow(/Gamma: concentration must be positive, got 0 at flat index 0/);
    expect(() => new D.Gamma(eg.tensor([1, 2]), eg.tensor([1, -3]))).toThrow(/rate must be positive, got -3 at flat index 1/);
    expect(() => new D.Beta(1, NaN)).toThrow(/concentration0 must be positive, got NaN/);
    expect(() => new D.Dirichlet(eg.tensor([1, 0, 2]))).toThrow(/concentration must be positive, got 0 at flat index 1/);
    expect(() => new D.Dirichlet(eg.tensor(2))).toThrow(/at least one dimension/);
    expect(() => new D.LogNormal(0, -1)).toThrow(/LogNormal: scale must be positive, got -1/);
    expect(() => new D.HalfNormal(0)).toThrow(/HalfNormal: scale must be positive, got 0/);
    expect(() => new D.Gumbel(Infinity, 1)).not.toThrow();
    expect(() => new D.Cauchy(NaN, 1)).toThrow(/loc must be real, got NaN/);
    expect(() => new D.StudentT(-2)).toThrow(/StudentT: df must be positive, got -2/);
    expect(() => new D.Poisson(-0.5)).toThrow(/Poisson: rate must be \[0, ∞\), got -0.5/);
    expect(() => new D.Geometric({ probs: 0 })).toThrow(/probs must be in \(0, 1\], got 0/);
    expect(() => new D.Geometric({ probs: 0.5, logits: 1 } as never)).toThrow(/exactly one of probs and logits/);
    expect(() => new D.Binomial({ totalCount: 2.5, probs: 0.5 })).toThrow(/totalCount must be a non-negative integer, got 2.5/);
    expect(() => new D.Binomial({ totalCount: 3, probs: 1.5 })).toThrow(/probs must be in \[0, 1\], got 1.5/);
    expect(() => new D.Binomial({ totalCount: 3 } as never)).toThrow(/exactly one of probs and logits/);
    expect(() => new D.Binomial({ totalCount: 3, prob: 0.5 } as never)).toThrow(/unknown option "prob"/);
    expect(() => new D.Gamma(eg.ones([2], { dtype: "float64" }), eg.ones([2]))).toThrow(DTypeError);
    expect(() => new D.Beta(eg.ones([2]), eg.ones([3]))).toThrow(ShapeError);
    // An integer count tensor takes the probabilities' dtype, as PyTorch's type_as.
    expect(new D.Binomial({ totalCount: eg.tensor([3, 4], { dtype: "int32" }), probs: eg.tensor([0.5, 0.5]) }).totalCount.dtype).toBe("float32");
  });

  it("refuses values outside the support", () => {
    expect(() => new D.Gamma(2, 1).logProb(-1)).toThrow(/value -1 at flat index 0 is outside the support \[0, ∞\)/);
    expect(() => new D.Gamma(2, 1).cdf(eg.tensor([1, -0.5]))).toThrow(/value -0.5 at flat index 1/);
    expect(() => new D.Beta(2, 2).logProb(1.5)).toThrow(/outside the support \[0, 1\]/);
    expect(() => new D.Dirichlet(eg.ones([3])).logProb(eg.tensor([0.5, 0.5, 0.5]))).toThrow(/row 0 of the value, \[0.5,0.5,0.5\], is outside the support/);
    expect(() => new D.Dirichlet(eg.ones([3])).logProb(eg.tensor([0.5, 0.5]))).toThrow(ShapeError);
    expect(() => new D.LogNormal(0, 1).logProb(0)).toThrow(/outside the support \(0, ∞\)/);
    expect(() => new D.HalfNormal(1).cdf(-1)).toThrow(/outside the support \[0, ∞\)/);
    expect(() => new D.Gumbel(0, 1).icdf(1.5)).toThrow(/outside the support \[0, 1\]/);
    expect(() => new D.Cauchy(0, 1).icdf(-0.5)).toThrow(ValueError);
    expect(() => new D.StudentT(3).logProb(NaN)).toThrow(ValueError);
    expect(() => new D.Poisson(2).logProb(1.5)).toThrow(/value 1.5 at flat index 0 is outside the support \{0, 1, 2, …\}/);
    expect(() => new D.Geometric({ probs: 0.5 }).logProb(-1)).toThrow(/outside the support \{0, 1, 2, …\}/);
    expect(() => new D.Binomial({ totalCount: eg.tensor([2, 5]), probs: 0.5 }).logProb(eg.tensor([3, 3]))).toThrow(/value 3 at flat index 0 is outside the support \{0, …, 2\}/);
    expect(() => new D.Gamma(eg.ones([2]), 1).logProb(eg.ones([3]))).toThrow(/value of shape \[3\] does not broadcast/);
  });

  it("checks sampling options and refuses what PyTorch does not define", () => {
    expect(() => new D.Gamma(1, 1).rsample([2], { sead: 1 } as never)).toThrow(/unknown option "sead"/);
    expect(() => new D.Beta(1, 1).sample([-1])).toThrow(ShapeError);
    expect(() => new D.Poisson(1).sample([1.5])).toThrow(ShapeError);
    expect(() => new D.Binomial({ probs: 0.5 }).sample([2], { seed: 1, rng: new eg.Rng(1) })).toThrow(ValueError);
    for (const d of [new D.Poisson(1), new D.Geometric({ probs: 0.5 }), new D.Binomial({ totalCount: 3, probs: 0.5 })]) {
      expect(d.hasRsample).toBe(false);
      expect(() => d.rsample()).toThrow(/rsample is not defined/);
    }
    for (const d of [new D.Gamma(1, 1), new D.Beta(1, 1), new D.Dirichlet(eg.ones([2])), new D.StudentT(3), new D.Gumbel(0, 1), new D.Cauchy(0, 1), new D.HalfNormal(1), new D.LogNormal(0, 1)]) {
      expect(d.hasRsample, d.name).toBe(true);
    }
    expect(() => new D.Poisson(1).entropy()).toThrow(/Poisson.entropy: not defined/);
  });
});
