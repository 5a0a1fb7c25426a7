// optim.NAdam, torch.optim's name for optim.Nadam: the same class (an alias, not a copy), with
// torch.optim.NAdam's options and defaults, and its trajectory against PyTorch's update written
// out in float64 here (the ≥ 2.0 form; 1.13's bias correction is documented in the README).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, optim, Rng, ValueError } from "../../src/index.js";

describe("optim.NAdam", () => {
  it("is optim.Nadam, with torch.optim.NAdam's defaults", () => {
    expect(optim.NAdam).toBe(optim.Nadam);
    const p = fromTypedArray(new Float64Array(2), [2], { requiresGrad: true });
    const { lr, betas, eps, weightDecay, momentumDecay } = new optim.NAdam([p]).defaults;
    expect({ lr, betas, eps, weightDecay, momentumDecay }).toEqual({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 });
    expect(() => new optim.NAdam([p], { momentum_decay: 1 } as never)).toThrow(/unknown option "momentum_decay"/);
    expect(() => new optim.NAdam([p], { momentumDecay: -1 })).toThrow(ValueError);
  });

  it("steps as PyTorch's NAdam update written out in float64 (fast-check over options and sizes)", () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 7 }), steps: fc.integer({ min: 1, max: 6 }), lr: fc.constantFrom(2e-3, 0.05),
      beta1: fc.constantFrom(0.9, 0.8), beta2: fc.constantFrom(0.999, 0.95), weightDecay: fc.constantFrom(0, 0.1),
      momentumDecay: fc.constantFrom(4e-3, 0.1), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ n, steps, lr, beta1, beta2, weightDecay, momentumDecay, seed }) => {
      const rng = new Rng(seed), eps = 1e-8;
      const theta = Float64Array.from({ length: n }, () => rng.normal());
      const p = fromTypedArray(theta.slice(), [n], { requiresGrad: true });
      const opt = new optim.NAdam([p], { lr, betas: [beta1, beta2], weightDecay, momentumDecay });
      const m = new Float64Array(n), v = new Float64Array(n);
      let muProduct = 1;
      for (let t = 1; t <= steps; t++) {
        const grad = Float64Array.from({ length: n }, () => rng.normal());
        p.grad = fromTypedArray(grad.slice(), [n]);
        opt.step();
        // torch.optim.NAdam: μ_t = β1(1 − ½·0.96^(tψ)); θ −= lr(1−μ_t)/(1−Πμ_{≤t})·g/d + lr·μ_{t+1}/(1−Πμ_{≤t+1})·m/d.
        const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay)), muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
        muProduct *= mu;
        for (let i = 0; i < n; i++) {
          const g = grad[i] + weightDecay * theta[i];
          m[i] = beta1 * m[i] + (1 - beta1) * g;
          v[i] = beta2 * v[i] + (1 - beta2) * g * g;
          const d = Math.sqrt(v[i] / (1 - beta2 ** t)) + eps;
          theta[i] -= (lr * (1 - mu)) / (1 - muProduct) * (g / d) + (lr * muNext) / (1 - muProduct * muNext) * (m[i] / d);
        }
        // A few dozen float64 roundings per step, each relative to the step's size (≤ lr·2/(1−β1)-ish) and θ.
        const tol = (i: number) => 64 * t * 2 ** -53 * (Math.abs(theta[i]) + lr * 20);
        Array.from(p.data as Float64Array).forEach((x, i) => expect(Math.abs(x - theta[i]), `step ${t} element ${i}`).toBeLessThanOrEqual(tol(i)));
      }
    }), { numRuns: 100 });
  });
});
