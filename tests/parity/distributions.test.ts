// The PyTorch 1.13 cases of scripts/torch-parity/distributions.py
// (tests/parity/cases/distributions.json): each eg.distributions family built from the case's
// float64 parameters, its logProb/cdf/icdf/entropy/mean/variance or klDivergence against
// torch.distributions in float64, values and the gradients of the case's weighted sum w.r.t.
// every parameter (and the value). The generic runner works in float32 on eg/eg.nn calls; these
// cases need constructors and float64, so they run here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

interface Encoded { shape: number[]; dtype: string; data: number[] }
interface DistCase {
  id: string; dist: string; method: string; params: Record<string, Encoded>; value?: Encoded;
  q?: { dist: string; params: Record<string, Encoded> }; output: Encoded; cotangent: Encoded; grads: Record<string, Encoded>;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/distributions.json", import.meta.url), "utf8")) as { cases: DistCase[] };
const U64 = 2 ** -53;
const D = eg.distributions;
const float64 = (t: Encoded, requiresGrad = false) => eg.fromTypedArray(Float64Array.from(t.data), t.shape, { requiresGrad });

function build(dist: string, p: Record<string, eg.Tensor>): eg.distributions.Distribution {
  switch (dist) {
    case "Normal": return new D.Normal(p.loc, p.scale);
    case "Laplace": return new D.Laplace(p.loc, p.scale);
    case "Exponential": return new D.Exponential(p.rate);
    case "Uniform": return new D.Uniform(p.low, p.high);
    case "Bernoulli": return new D.Bernoulli(p.probs ? { probs: p.probs } : { logits: p.logits });
    case "Categorical": return new D.Categorical(p.probs ? { probs: p.probs } : { logits: p.logits });
    case "Gamma": return new D.Gamma(p.concentration, p.rate);
    case "Beta": return new D.Beta(p.concentration1, p.concentration0);
    case "LogNormal": return new D.LogNormal(p.loc, p.scale);
    case "Gumbel": return new D.Gumbel(p.loc, p.scale);
    case "Cauchy": return new D.Cauchy(p.loc, p.scale);
    case "HalfNormal": return new D.HalfNormal(p.scale);
    case "StudentT": return new D.StudentT(p.df, p.loc, p.scale);
    case "Dirichlet": return new D.Dirichlet(p.concentration);
    case "MultivariateNormal": {
      const { loc, ...matrix } = p;
      return new D.MultivariateNormal(loc, matrix as never);
    }
    case "Poisson": return new D.Poisson(p.rate);
    case "Geometric": return new D.Geometric(p.probs ? { probs: p.probs } : { logits: p.logits });
    case "Binomial": return new D.Binomial(p.probs ? { totalCount: p.totalCount, probs: p.probs } : { totalCount: p.totalCount, logits: p.logits });
    default: throw new Error(`unknown distribution ${dist}`);
  }
}

/**
 * Each element within 256·u·(|ref| + max|ref|): both sides evaluate the same short float64
 * formulas (PyTorch's trigamma, in the gradients of digamma terms, replaced by mpmath's there:
 * scripts/torch-parity/distributions.py says why).
 */
function expectNear(got: eg.Tensor, want: Encoded, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = got.contiguous().data, top = want.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  want.data.forEach((r, i) => {
    const tol = 256 * U64 * (Math.abs(r) + top);
    if (!(Math.abs(g[i] - r) <= tol)) throw new Error(`${what}: element ${i} is ${g[i]}, PyTorch gives ${r} (tol ${tol.toExponential(2)})`);
  });
}

function evaluate(c: DistCase, leaves: Record<string, eg.Tensor>): eg.Tensor {
  const own = (prefix: string) => Object.fromEntries(Object.entries(leaves).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const p = build(c.dist, own("p.")) as eg.distributions.Distribution & Record<string, unknown>;
  if (c.method === "kl") return D.klDivergence(p, build(c.q!.dist, own("q.")));
  if (c.method === "mean") return p.mean;
  if (c.method === "variance") return p.variance;
  if (c.method === "entropy") return p.entropy();
  const value = c.value!.dtype === "int32" ? eg.tensor(c.value!.data, { dtype: "int32" }).reshape(c.value!.shape) : leaves.value;
  return (p[c.method] as (v: eg.Tensor) => eg.Tensor).call(p, value);
}

describe("eg.distributions agrees with PyTorch 1.13 (float64 values and gradients)", () => {
  it("has cases of every family and method", () => {
    const seen = new Set(cases.map((c) => `${c.dist}.${c.method}`));
    for (const d of ["Normal", "Laplace", "Exponential", "Uniform"]) {
      for (const m of ["logProb", "cdf", "icdf", "entropy", "mean", "variance", "kl"]) expect(seen.has(`${d}.${m}`), `${d}.${m}`).toBe(true);
    }
    for (const k of ["Bernoulli.logProb", "Bernoulli.entropy", "Bernoulli.kl", "Categorical.logProb", "Categorical.entropy", "Categorical.kl"]) expect(seen.has(k), k).toBe(true);
    for (const d of ["LogNormal", "Gumbel", "HalfNormal"]) {
      for (const m of ["logProb", "cdf", "icdf", "entropy", "mean", "variance", "kl"]) expect(seen.has(`${d}.${m}`), `${d}.${m}`).toBe(true);
    }
    const more = ["Gamma", "Beta", "Dirichlet", "MultivariateNormal", "Geometric", "Binomial"].flatMap((d) => ["logProb", "entropy", "mean", "variance", "kl"].map((m) => `${d}.${m}`));
    for (const k of [...more, "Cauchy.cdf", "Cauchy.icdf", "Cauchy.kl", "StudentT.logProb", "StudentT.entropy", "StudentT.variance", "Poisson.logProb", "Poisson.kl"]) {
      expect(seen.has(k), k).toBe(true);
    }
    // Every pair of different families PyTorch 1.13 registers with a finite value among these (the +∞ ones are unit-tested).
    expect(cases.filter((c) => c.method === "kl" && c.q && c.q.dist !== c.dist).length).toBe(20);
  });
  for (const c of cases) {
    it(c.id, () => {
      const leaves: Record<string, eg.Tensor> = {};
      for (const [k, t] of Object.entries(c.params)) leaves[`p.${k}`] = float64(t, true);
      for (const [k, t] of Object.entries(c.q?.params ?? {})) leaves[`q.${k}`] = float64(t, true);
      if (c.value && c.value.dtype !== "int32") leaves.value = float64(c.value, "value" in c.grads);
      const out = evaluate(c, leaves);
      expectNear(out, c.output, `${c.id} output`);
      if (!out.requiresGrad) {
        for (const [name, want] of Object.entries(c.grads)) expect(want.data.every((v) => v === 0), `${c.id}: PyTorch has a gradient for "${name}"`).toBe(true);
        return;
      }
      out.mul(float64(c.cotangent)).sum().backward();
      for (const [name, want] of Object.entries(c.grads)) {
        const grad = leaves[name].grad;
        if (!grad) {
          // PyTorch's gradient is zero here (the output does not depend on this input).
          expect(want.data.every((v) => v === 0), `${c.id}: no gradient reached "${name}"`).toBe(true);
          continue;
        }
        expectNear(grad, want, `${c.id} grad of ${name}`);
      }
    });
  }
});
