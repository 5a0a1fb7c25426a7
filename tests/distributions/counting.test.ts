// eg.distributions Poisson, Geometric and Binomial: logProb, entropy and moments against float64
// formulas written here (log-factorials by reference-more.ts's log Γ), over shapes and both
// dtypes drawn by fast-check; gradients by central differences; draws exact in distribution:
// every value's frequency within 5σ of n·p(k), the mean within 5σ/√n, the same seed the same draws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ValueError } from "../../src/errors.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, shapeArb } from "../support/reference.js";
import { column, dtypeArb, expectMeanWithin, expectRef, param, pos } from "./helpers.js";
import { lgammaMag, lgammaRef } from "./reference-more.js";

const D = eg.distributions;
const N = 20000;

/** Integer values k of `shape` in [0, top(i)] from a seed. */
function counts(shape: number[], dtype: "float32" | "float64", seed: number, top: (i: number) => number): eg.Tensor {
  const raw = param(shape, "float64", seed, 0, 1).data, out = dtype === "float32" ? new Float32Array(raw.length) : new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = Math.floor(raw[i] * (top(i) + 1));
  return eg.fromTypedArray(out, shape);
}

/** Every value's count within 5σ of N·p(k) (values of probability ≥ 1e-4, and the rest together). */
function expectFrequencies(draws: number[], logPmf: (k: number) => number, top: number, what: string): void {
  const seen = new Map<number, number>();
  for (const k of draws) {
    if (!(Number.isInteger(k) && k >= 0 && k <= top)) throw new Error(`${what}: draw ${k} is outside {0, …, ${top}}`);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  let restP = 1, restCount = draws.length;
  const largest = Math.max(...seen.keys());
  // Values of probability ≥ 1e-4 lie well inside the drawn range's reach.
  for (let k = 0; k <= Math.min(top, largest + 10 * Math.sqrt(largest) + 50); k++) {
    const p = Math.exp(logPmf(k));
    if (p < 1e-4) continue;
    const count = seen.get(k) ?? 0, sd = Math.sqrt(draws.length * p * (1 - p));
    if (!(Math.abs(count - draws.length * p) <= 5 * sd)) throw new Error(`${what}: value ${k} drawn ${count} times, expected ${draws.length * p} ± ${5 * sd}`);
    restP -= p;
    restCount -= count;
  }
  restP = Math.max(restP, 0);
  expect(Math.abs(restCount - draws.length * restP), `${what}: the rare values together`).toBeLessThanOrEqual(5 * Math.sqrt(draws.length * restP * (1 - restP)) + 1);
}

describe("Poisson", () => {
  it("logProb, mean and variance match the float64 formulas; entropy is refused", () => {
    fc.assert(fc.property(shapeArb(3, 4), dtypeArb, fc.nat(), (shape, dtype, seed) => {
      const rate = param(shape, dtype, seed, 0.05, 40), k = counts(shape, dtype, seed + 1, () => 60), d = new D.Poisson(rate);
      const r = (i: number[]) => at(rate, i), v = (i: number[]) => at(k, i);
      expectRef(d.logProb(k), shape, (i) => [v(i) * Math.log(r(i)) - r(i) - lgammaRef(v(i) + 1), 2 + Math.abs(v(i) * Math.log(r(i))) + r(i) + lgammaMag(v(i) + 1)], "logProb");
      expectRef(d.mean, shape, (i) => [r(i), r(i)], "mean", 0);
      expectRef(d.variance, shape, (i) => [r(i), r(i)], "variance", 0);
    }), { numRuns: 40 });
    const zero = new D.Poisson(eg.tensor([0, 0], { dtype: "float64" })).logProb(eg.tensor([0, 2], { dtype: "float64" }));
    expect(Array.from(zero.data)).toEqual([0, -Infinity]);
    expect(() => new D.Poisson(1).entropy()).toThrow(ValueError);
    const rate = float64Input([2, 3], 1);
    assertGradByDifferences((r) => new D.Poisson(pos(r)).logProb(eg.tensor([[0, 1, 2], [5, 3, 7]], { dtype: "float64" })), [rate], "Poisson.logProb");
  });

  it("draws by inversion from the mode follow the probability function, small and large rates", () => {
    const rates = [0.3, 4, 60, 900], d = new D.Poisson(eg.tensor(rates, { dtype: "float64" }));
    const xs = d.sample([N], { seed: 1 });
    expect(xs.shape).toEqual([N, 4]);
    expect(Array.from(d.sample([N], { seed: 1 }).data)).toEqual(Array.from(xs.data));
    rates.forEach((lambda, c) => {
      const col = column(xs, c, 4);
      expectFrequencies(col, (k) => k * Math.log(lambda) - lambda - lgammaRef(k + 1), Infinity, `Poisson(${lambda})`);
      expectMeanWithin(col, lambda, Math.sqrt(lambda), `Poisson(${lambda}) mean`);
    });
    expect(Array.from(new D.Poisson(0).sample([5], { seed: 2 }).data)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("Geometric", () => {
  it("logProb, entropy, mean and variance match the float64 formulas, from probs and from logits", () => {
    fc.assert(fc.property(shapeArb(3, 4), dtypeArb, fc.nat(), fc.boolean(), (shape, dtype, seed, fromLogits) => {
      const raw = fromLogits ? param(shape, dtype, seed, -4, 4) : param(shape, dtype, seed, 0.02, 1);
      const d = new D.Geometric(fromLogits ? { logits: raw } : { probs: raw }), k = counts(shape, dtype, seed + 1, () => 30);
      const p = (i: number[]) => (fromLogits ? 1 / (1 + Math.exp(-at(raw, i))) : at(raw, i)), v = (i: number[]) => at(k, i);
      // log(1 − p) from the logits where they were given (1 − σ(l) = σ(−l)), else from p.
      const log1mp = (i: number[]) => (fromLogits ? -Math.log1p(Math.exp(at(raw, i))) : Math.log1p(-p(i)));
      const cond = (i: number[]) => 1 / p(i) + (fromLogits ? 1 + Math.abs(at(raw, i)) : 1 / (1 - p(i) + 1e-300));
      expectRef(d.logProb(k), shape, (i) => [v(i) === 0 ? Math.log(p(i)) : v(i) * log1mp(i) + Math.log(p(i)), 2 + (1 + v(i)) * Math.abs(log1mp(i)) * cond(i) + Math.abs(Math.log(p(i)))], "logProb", 32);
      expectRef(d.mean, shape, (i) => [(1 - p(i)) / p(i), cond(i) / p(i)], "mean", 8);
      expectRef(d.variance, shape, (i) => [(1 - p(i)) / p(i) ** 2, cond(i) / p(i) ** 2], "variance", 8);
      expectRef(d.entropy(), shape, (i) => {
        const q = 1 - p(i), want = q === 0 ? 0 : -(q * log1mp(i) + p(i) * Math.log(p(i))) / p(i);
        return [want, (4 + Math.abs(log1mp(i)) + Math.abs(Math.log(p(i)))) * cond(i) / p(i) * (fromLogits ? 1 + Math.abs(at(raw, i)) : 1)];
      }, "entropy", 32);
    }), { numRuns: 40 });
    const probs = float64Input([2, 3], 1, 0.1, 0.9), logits = float64Input([2, 3], 2), k = eg.tensor([[0, 1, 4], [2, 0, 9]], { dtype: "float64" });
    assertGradByDifferences((p) => new D.Geometric({ probs: p }).logProb(k), [probs], "Geometric.logProb(probs)");
    assertGradByDifferences((l) => new D.Geometric({ logits: l }).entropy(), [logits], "Geometric.entropy(logits)");
    assertGradByDifferences((p) => new D.Geometric({ probs: p }).variance, [probs], "Geometric.variance(probs)");
  });

  it("draws follow (1 − p)^k·p; p = 1 always gives 0", () => {
    const probs = [0.2, 0.9, 1], xs = new D.Geometric({ probs: eg.tensor(probs) }).sample([N], { seed: 3 });
    expect(xs.dtype).toBe("float32");
    probs.forEach((p, c) => expectFrequencies(column(xs, c, 3), (k) => (p === 1 ? (k === 0 ? 0 : -Infinity) : k * Math.log1p(-p) + Math.log(p)), Infinity, `Geometric(${p})`));
  });
});

describe("Binomial", () => {
  it("logProb, entropy, mean and variance match the float64 formulas (entropy also for unequal counts)", () => {
    fc.assert(fc.property(shapeArb(3, 4), dtypeArb, fc.nat(), fc.boolean(), (shape, dtype, seed, fromLogits) => {
      const n = counts(shape, dtype, seed, () => 25), raw = fromLogits ? param(shape, dtype, seed + 1, -3, 3) : param(shape, dtype, seed + 1, 0.02, 0.98);
      const d = new D.Binomial(fromLogits ? { totalCount: n, logits: raw } : { totalCount: n, probs: raw });
      const nn = (i: number[]) => at(n, i), k = counts(shape, dtype, seed + 2, (f) => n.data[f]);
      const p = (i: number[]) => (fromLogits ? 1 / (1 + Math.exp(-at(raw, i))) : at(raw, i));
      const logPmf = (i: number[], j: number) => lgammaRef(nn(i) + 1) - lgammaRef(j + 1) - lgammaRef(nn(i) - j + 1) + j * Math.log(p(i)) + (nn(i) - j) * Math.log1p(-p(i));
      const mag = (i: number[]) => 4 + 3 * lgammaMag(nn(i) + 1) + (nn(i) + 1) * (Math.abs(Math.log(p(i))) + Math.abs(Math.log1p(-p(i))) + 2);
      expectRef(d.logProb(k), shape, (i) => [logPmf(i, at(k, i)), mag(i)], "logProb", 32);
      expectRef(d.mean, shape, (i) => [nn(i) * p(i), nn(i) + 1], "mean", 8);
      expectRef(d.variance, shape, (i) => [nn(i) * p(i) * (1 - p(i)), nn(i) + 1], "variance", 16);
      expectRef(d.entropy(), shape, (i) => {
        let h = 0;
        for (let j = 0; j <= nn(i); j++) h -= Math.exp(logPmf(i, j)) * logPmf(i, j);
        return [h, (nn(i) + 1) * mag(i)];
      }, "entropy", 32);
    }), { numRuns: 30 });
  });

  it("gradients of logProb, entropy and the moments reach probs and logits", () => {
    const n = eg.tensor([[3, 7, 1], [10, 4, 6]], { dtype: "float64" }), k = eg.tensor([[0, 5, 1], [9, 4, 2]], { dtype: "float64" });
    const probs = float64Input([2, 3], 1, 0.1, 0.9), logits = float64Input([3], 2);
    for (const [name, make] of [["probs", (t: eg.Tensor) => ({ totalCount: n, probs: t })], ["logits", (t: eg.Tensor) => ({ totalCount: n, logits: t })]] as const) {
      const x = name === "probs" ? probs : logits;
      assertGradByDifferences((t) => new D.Binomial(make(t)).logProb(k), [x], `Binomial.logProb(${name})`);
      assertGradByDifferences((t) => new D.Binomial(make(t)).entropy(), [x], `Binomial.entropy(${name})`);
      assertGradByDifferences((t) => new D.Binomial(make(t)).variance, [x], `Binomial.variance(${name})`);
    }
  });

  it("draws by inversion from the mode follow the probability function; p = 0 and 1 are certain", () => {
    const n = [1, 10, 1000, 60, 5, 7], p = [0.3, 0.97, 0.5, 0.02, 0, 1];
    const d = new D.Binomial({ totalCount: eg.tensor(n, { dtype: "float64" }), probs: eg.tensor(p, { dtype: "float64" }) });
    const xs = d.sample([N], { seed: 4 });
    expect(xs.shape).toEqual([N, 6]);
    expect(Array.from(d.sample([N], { seed: 4 }).data)).toEqual(Array.from(xs.data));
    n.forEach((count, c) => {
      const q = p[c], col = column(xs, c, 6);
      if (q === 0 || q === 1) return expect(col.every((x) => x === q * count)).toBe(true);
      expectFrequencies(col, (k) => lgammaRef(count + 1) - lgammaRef(k + 1) - lgammaRef(count - k + 1) + k * Math.log(q) + (count - k) * Math.log1p(-q), count, `Binomial(${count}, ${q})`);
      expectMeanWithin(col, count * q, Math.sqrt(count * q * (1 - q)), `Binomial(${count}, ${q}) mean`);
    });
    const coin = new D.Binomial({ probs: 0.5 });
    expect(coin.totalCount.item()).toBe(1);
    expect(Array.from(coin.sample([50], { seed: 5 }).data).every((x) => x === 0 || x === 1)).toBe(true);
  });
});
