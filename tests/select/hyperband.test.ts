import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { hyperband, successiveHalving, TrialError, uniform } from "../../src/select/index.js";
import type { TrialContext } from "../../src/select/index.js";

/**
 * Li et al. 2017, Algorithm 1, written out here: s_max = ⌊log_η R⌋; bracket s starts
 * n = ⌈(s_max + 1) η^s / (s + 1)⌉ configurations with r = R η^−s; rung i keeps n_i = ⌊n η^−i⌋
 * configurations at r_i = r η^i.
 */
function paperTable(R: number, eta: number): { s: number; n: number[]; r: number[] }[] {
  const sMax = Math.floor(Math.log(R) / Math.log(eta) + 1e-9);
  const out: { s: number; n: number[]; r: number[] }[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) / (s + 1)) * eta ** s);
    const r = R * eta ** -s;
    out.push({ s, n: Array.from({ length: s + 1 }, (_, i) => Math.floor(n * eta ** -i)), r: Array.from({ length: s + 1 }, (_, i) => r * eta ** i) });
  }
  return out;
}

/** A trial whose score is known: the configuration's x, plus a gain that grows with the budget. */
const known = (p: { x: number }, ctx: TrialContext) => {
  ctx.report(ctx.resource!, p.x + Math.log(ctx.resource!));
  return p.x + Math.log(ctx.resource!);
};

describe("hyperband", () => {
  it("runs the brackets of the paper's Table 1 for R = 81, η = 3", async () => {
    const table = paperTable(81, 3);
    // The table as printed in the paper, to check the formula above against it.
    expect(table.map((b) => b.n)).toEqual([[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]]);
    expect(table.map((b) => b.r)).toEqual([[1, 3, 9, 27, 81], [3, 9, 27, 81], [9, 27, 81], [27, 81], [81]]);
    const r = await hyperband({ x: uniform(0, 1) }, known, { maxResource: 81, eta: 3, seed: 0 });
    expect(r.brackets.map((b) => b.s)).toEqual([4, 3, 2, 1, 0]);
    expect(r.brackets.map((b) => b.rungs.map((g) => g.nConfigs))).toEqual(table.map((b) => b.n));
    expect(r.brackets.map((b) => b.rungs.map((g) => g.resource))).toEqual(table.map((b) => b.r));
    const expectedTrials = table.flatMap((b) => b.n).reduce((a, v) => a + v, 0);
    expect(r.trials.length).toBe(expectedTrials);
    expect(r.totalResource).toBe(table.reduce((a, b) => a + b.n.reduce((s, n, i) => s + n * b.r[i], 0), 0));
  });

  it("promotes the best ⌊n_i / η⌋ of each rung, and each promoted configuration trains again with η× the budget", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(2, 3, 4), fc.integer({ min: 8, max: 64 }), async (seed, eta, R) => {
      const r = await hyperband({ x: uniform(0, 1) }, known, { maxResource: R, eta, seed });
      for (const [bi, b] of r.brackets.entries()) {
        for (const [i, rung] of b.rungs.entries()) {
          const here = r.trials.filter((t) => t.bracket === bi && t.rung === i);
          expect(here.map((t) => t.config).sort((a, c) => a - c)).toEqual(rung.configs);
          expect(here.every((t) => t.resource === rung.resource && t.score === t.params.x + Math.log(rung.resource))).toBe(true);
          // Independently: the k highest x (the gain is the same within a rung).
          const k = b.rungs[i + 1]?.nConfigs ?? 0;
          const top = [...here].sort((a, c) => (c.params.x as number) - (a.params.x as number)).slice(0, k).map((t) => t.config).sort((a, c) => a - c);
          expect(rung.promoted).toEqual(top);
          if (i + 1 < b.rungs.length) expect(b.rungs[i + 1].configs).toEqual(top);
        }
      }
      const bestX = Math.max(...r.trials.filter((t) => t.resource === R).map((t) => t.params.x as number));
      expect(r.bestScore).toBeCloseTo(bestX + Math.log(R), 12);
    }), { numRuns: 15 });
  });

  it("gives a promoted configuration the same seed at every rung, and distinct seeds to distinct configurations", async () => {
    const r = await hyperband({ x: uniform(0, 1) }, known, { maxResource: 27, eta: 3, seed: 5 });
    const byConfig = new Map<number, Set<number>>();
    for (const t of r.trials) (byConfig.get(t.config) ?? byConfig.set(t.config, new Set()).get(t.config)!).add(t.seed);
    expect([...byConfig.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...byConfig.values()].map((s) => [...s][0])).size).toBe(byConfig.size);
  });

  it("minimizes with greaterIsBetter false", async () => {
    const r = await hyperband({ x: uniform(0, 1) }, (p: { x: number }) => p.x, { maxResource: 9, eta: 3, seed: 1, greaterIsBetter: false });
    const smallest = Math.min(...r.trials.map((t) => t.score));
    expect(r.bestScore).toBe(smallest);
  });

  it("surfaces a failing trial as a TrialError and refuses bad options before training", async () => {
    await expect(hyperband({ x: [1, 2] }, () => { throw new Error("boom"); }, { maxResource: 9 })).rejects.toThrow(TrialError);
    let calls = 0;
    const count = () => { calls++; return 0; };
    await expect(hyperband({ x: [1] }, count, { maxResource: 9, eta: 1 })).rejects.toThrow(ValueError);
    await expect(hyperband({ x: [1] }, count, { maxResource: -1 })).rejects.toThrow(ValueError);
    await expect(hyperband({ x: [1] }, count, { maxResource: 9, nConfigs: 3 } as never)).rejects.toThrow(/unknown option "nConfigs"/);
    await expect(hyperband({ x: [] }, count, { maxResource: 9 })).rejects.toThrow(ValueError);
    await expect(hyperband({ x: [1] }, count, { maxResource: 9, workers: 2 })).rejects.toThrow(/trainModule/);
    expect(calls).toBe(0);
  });
});

describe("successiveHalving", () => {
  it("keeps ⌊n η^−i⌋ configurations with maxResource η^(i−s) at rung i", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.constantFrom(2, 3), fc.constantFrom(1, 2), fc.integer({ min: 0, max: 3 }), async (n, eta, minR, s) => {
      const maxResource = minR * eta ** s;
      const r = await successiveHalving({ x: uniform(0, 1) }, known, { nConfigs: n, minResource: minR, maxResource, eta, seed: n });
      expect(r.brackets).toHaveLength(1);
      const rungs = r.brackets[0].rungs;
      expect(rungs.map((g) => g.resource)).toEqual(Array.from({ length: s + 1 }, (_, i) => minR * eta ** i));
      expect(rungs.map((g) => g.nConfigs)).toEqual(Array.from({ length: s + 1 }, (_, i) => Math.max(1, Math.floor(n / eta ** i))));
    }), { numRuns: 30 });
  });

  it("counts the budget spent exactly", async () => {
    let spent = 0;
    const r = await successiveHalving({ x: uniform(0, 1) }, (p: { x: number }, c) => { spent += c.resource!; return p.x; }, { nConfigs: 18, minResource: 1, maxResource: 9, eta: 3, seed: 2 });
    expect(r.totalResource).toBe(spent);
    expect(spent).toBe(18 * 1 + 6 * 3 + 2 * 9);
  });
});
